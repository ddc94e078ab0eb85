"""Finalizing a module (Admin only) under EMF's four conditions; still UpToDate afterwards."""

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from apps.accounts.models import Project, User
from apps.datasets.models import DatasetVersion
from apps.locks.services import lock_take
from apps.modules.models import Module
from apps.moduletypes.models import ModuleTypeVersion
from apps.moduletypes.services import version_finalize, version_update
from tests.conftest import assert_permission_matrix
from tests.modules.status_helpers import output_of, record_run, seed_demo, source

pytestmark = pytest.mark.django_db


@pytest.fixture
def module(project: Project, users: dict[str, User]) -> Module:
    return seed_demo(project, users["modeler"])


def _finalize_type(module: Module, users: dict[str, User]) -> None:
    version = module.type_version
    version_finalize(version=version, confirm=[version.pk], author=users["admin"])


def _url(module: Module) -> str:
    return f"/api/modules/{module.pk}/finalize"


def _refusal(clients: dict[str, APIClient], module: Module) -> list[str]:
    response = clients["admin"].post(_url(module))
    assert response.status_code == 409, response.content
    body = response.json()
    assert body["code"] == "cannot_finalize"
    module.refresh_from_db()
    assert not module.is_final
    return [r["code"] for r in body["details"]["reasons"]]


def test_only_an_admin_finalizes_and_the_module_stays_up_to_date(
        clients: dict[str, APIClient], module: Module, users: dict[str, User]) -> None:
    _finalize_type(module, users)
    run = record_run(module)
    versions_before = {v.pk: v.last_modified for v in DatasetVersion.objects.all()}
    response = assert_permission_matrix(clients, "POST", _url(module), allowed={"admin"})
    body = response.json()
    assert body["is_final"] is True
    assert response["ETag"]
    status = clients["viewer"].get(f"/api/modules/{module.pk}/status").json()
    assert status == {"status": "UpToDate", "reasons": []}
    used = [DatasetVersion.objects.get(dataset=source(), number=0),
            DatasetVersion.objects.get(dataset=output_of(run), number=0)]
    assert all(v.is_final for v in used)
    assert {v.pk: v.last_modified for v in DatasetVersion.objects.all()} == versions_before  # EMF's bug avoided


def test_finalized_module_can_no_longer_be_finalized_or_edited(clients: dict[str, APIClient], module: Module,
                                                              users: dict[str, User]) -> None:
    _finalize_type(module, users)
    record_run(module)
    assert clients["admin"].post(_url(module)).status_code == 200
    response = clients["admin"].post(_url(module))
    assert (response.status_code, response.json()["details"]["reasons"][0]["code"]) == (409, "module_final")
    edit = clients["admin"].patch(f"/api/modules/{module.pk}", {"description": "x"}, format="json")
    assert (edit.status_code, edit.json()["code"]) == (409, "module_final")


def test_type_version_must_be_final(clients: dict[str, APIClient], module: Module) -> None:
    record_run(module)
    assert _refusal(clients, module) == ["type_version_not_final"]
    assert not DatasetVersion.objects.filter(is_final=True).exclude(dataset=source()).exists()


def test_the_module_must_have_run(clients: dict[str, APIClient], module: Module, users: dict[str, User]) -> None:
    _finalize_type(module, users)
    assert _refusal(clients, module) == ["never_run"]


@pytest.mark.parametrize("result", ["FAILED", "CANCELLED", "TIMEOUT"])
def test_the_last_run_must_have_succeeded(clients: dict[str, APIClient], module: Module, users: dict[str, User],
                                          result: str) -> None:
    _finalize_type(module, users)
    record_run(module)
    record_run(module, result=result)
    assert _refusal(clients, module) == ["last_run_failed"]


def test_the_last_run_must_be_newer_than_the_type_version(clients: dict[str, APIClient], module: Module,
                                                          users: dict[str, User]) -> None:
    record_run(module)
    version = ModuleTypeVersion.objects.get(pk=module.type_version_id)
    version_update(version=version, fields={"description": "changed"}, note="edit", author=users["modeler"],
                   confirm_dependents=True)
    _finalize_type(Module.objects.get(pk=module.pk), users)
    assert _refusal(clients, module) == ["type_version_modified"]


def test_inputs_must_be_older_than_the_run_start(clients: dict[str, APIClient], module: Module,
                                                 users: dict[str, User]) -> None:
    _finalize_type(module, users)
    record_run(module)
    DatasetVersion.objects.filter(dataset=source()).update(last_modified=timezone.now() + timedelta(seconds=5))
    assert _refusal(clients, module) == ["input_modified"]
    assert not DatasetVersion.objects.filter(is_final=True).exclude(dataset=source()).exists()


def test_outputs_must_be_older_than_the_run_end(clients: dict[str, APIClient], module: Module,
                                                users: dict[str, User]) -> None:
    _finalize_type(module, users)
    run = record_run(module)
    DatasetVersion.objects.filter(dataset=output_of(run)).update(last_modified=timezone.now() + timedelta(seconds=5))
    assert _refusal(clients, module) == ["output_modified"]
    assert not DatasetVersion.objects.get(dataset=output_of(run)).is_final


def test_several_failed_conditions_are_all_reported(clients: dict[str, APIClient], module: Module) -> None:
    record_run(module, result="FAILED")
    assert _refusal(clients, module) == ["type_version_not_final", "last_run_failed"]


def test_finalize_refuses_while_someone_else_edits(clients: dict[str, APIClient], module: Module,
                                                  users: dict[str, User]) -> None:
    _finalize_type(module, users)
    record_run(module)
    lock_take(kind="module", object_id=module.pk, user=users["modeler"])
    response = clients["admin"].post(_url(module))
    assert (response.status_code, response.json()["code"]) == (409, "locked")
    assert not Module.objects.get(pk=module.pk).is_final


def test_wrong_method_and_missing_module(clients: dict[str, APIClient], module: Module) -> None:
    assert clients["admin"].get(_url(module)).status_code == 405
    assert clients["admin"].post("/api/modules/999999/finalize").status_code == 404


def test_finalize_reports_the_reasons_in_details(clients: dict[str, APIClient], module: Module) -> None:
    body: dict[str, Any] = clients["admin"].post(_url(module)).json()
    assert body["details"]["reasons"][0] == {
        "code": "type_version_not_final",
        "message": "The module type version (Scale Emission Factors version 0) is not final."}
    assert "not final" in body["message"]
