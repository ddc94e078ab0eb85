"""The module Finalize plan (issue 14): what finalizing a module finalizes with it, listed before the
admin agrees (as a composite type's finalize lists its submodule versions): the dataset versions its
last run read and wrote, and its non-final type version(s). Confirming the plan finalizes them all in
one transaction; a plan that changed since it was shown is refused."""

import pytest
from rest_framework.test import APIClient

from apps.accounts.models import Project, User
from apps.datasets.models import DatasetVersion
from apps.modules.models import Module
from apps.moduletypes.models import RevisionNote
from apps.moduletypes.services import version_finalize
from tests.conftest import assert_permission_matrix
from tests.modules.status_helpers import output_of, record_run, seed_demo, source

pytestmark = pytest.mark.django_db


@pytest.fixture
def module(project: Project, users: dict[str, User]) -> Module:
    return seed_demo(project, users["modeler"])


def _plan_url(module: Module) -> str:
    return f"/api/modules/{module.pk}/finalize-plan"


def test_the_plan_lists_the_type_version_and_the_dataset_versions(clients: dict[str, APIClient],
                                                                  module: Module) -> None:
    run = record_run(module)
    response = assert_permission_matrix(clients, "GET", _plan_url(module), allowed={"viewer", "modeler", "admin"})
    plan = response.json()
    version = module.type_version
    assert plan["type_versions"] == [{"id": version.pk, "module_type": version.module_type_id,
                                      "module_type_name": "Scale Emission Factors", "number": 0,
                                      "name": version.name}]
    read = DatasetVersion.objects.get(dataset=source(), number=0)
    written = DatasetVersion.objects.get(dataset=output_of(run), number=0)
    assert {(v["id"], v["dataset_name"], v["number"], v["direction"], v["is_final"])
            for v in plan["dataset_versions"]} == {
        (read.pk, "Emission Factors 2016", 0, "IN", read.is_final),
        (written.pk, output_of(run).name, 0, "OUT", False)}
    assert plan["blockers"] == []  # a non-final type version is finalized with it, not a refusal


def test_the_plan_says_what_still_refuses(clients: dict[str, APIClient], module: Module) -> None:
    plan = clients["admin"].get(_plan_url(module)).json()
    assert [b["code"] for b in plan["blockers"]] == ["never_run"]
    assert plan["dataset_versions"] == []


def test_confirming_the_plan_finalizes_the_type_version_and_datasets_with_the_module(
        clients: dict[str, APIClient], module: Module) -> None:
    record_run(module)
    plan = clients["admin"].get(_plan_url(module)).json()
    confirm = {"type_versions": [v["id"] for v in plan["type_versions"]],
               "dataset_versions": [v["id"] for v in plan["dataset_versions"] if not v["is_final"]]}
    response = clients["admin"].post(f"/api/modules/{module.pk}/finalize", {"confirm": confirm}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["is_final"] is True
    module.refresh_from_db()
    assert module.type_version.is_final
    assert RevisionNote.objects.filter(version=module.type_version, note="Finalized").exists()
    assert all(DatasetVersion.objects.get(pk=v["id"]).is_final for v in plan["dataset_versions"])
    assert clients["viewer"].get(f"/api/modules/{module.pk}/status").json() == {"status": "UpToDate", "reasons": []}
    assert clients["admin"].get(_plan_url(module)).json()["type_versions"] == []


def test_a_plan_that_changed_since_it_was_shown_is_refused(clients: dict[str, APIClient], module: Module,
                                                          users: dict[str, User]) -> None:
    record_run(module)
    plan = clients["admin"].get(_plan_url(module)).json()
    stale = {"type_versions": [], "dataset_versions": [v["id"] for v in plan["dataset_versions"] if not v["is_final"]]}
    response = clients["admin"].post(f"/api/modules/{module.pk}/finalize", {"confirm": stale}, format="json")
    assert (response.status_code, response.json()["code"]) == (409, "plan_changed")
    module.refresh_from_db()
    assert not module.is_final and not module.type_version.is_final
    version_finalize(version=module.type_version, confirm=[module.type_version_id], author=users["admin"])
    response = clients["admin"].post(f"/api/modules/{module.pk}/finalize", {"confirm": stale}, format="json")
    assert response.status_code == 200, response.content


def test_a_bad_confirm_is_a_400(clients: dict[str, APIClient], module: Module) -> None:
    response = clients["admin"].post(f"/api/modules/{module.pk}/finalize", {"confirm": {"type_versions": "x"}},
                                     format="json")
    assert (response.status_code, response.json()["code"]) == (400, "invalid")
