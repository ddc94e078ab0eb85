"""Copying a module: "Copy of X" (numbered when taken), same bindings, not final, no history."""

import pytest
from rest_framework.test import APIClient

from apps.accounts.models import Project, User
from apps.modules.models import Module
from apps.runs.models import Run
from tests.conftest import assert_permission_matrix
from tests.modules.status_helpers import record_run, seed_demo

pytestmark = pytest.mark.django_db


@pytest.fixture
def module(project: Project, users: dict[str, User]) -> Module:
    module = seed_demo(project, users["modeler"])
    Module.objects.filter(pk=module.pk).update(tags=["demo", "ef"], is_final=True)
    module.refresh_from_db()
    record_run(module)
    return module


def _url(module: Module) -> str:
    return f"/api/modules/{module.pk}/copy"


def test_a_modeler_copies_with_the_same_bindings_but_no_history(clients: dict[str, APIClient], module: Module) -> None:
    response = assert_permission_matrix(clients, "POST", _url(module), allowed={"modeler", "admin"}, data={},
                                        ok_status=201)
    body = response.json()
    copy = Module.objects.get(pk=body["id"])
    assert body["name"] == "Copy of Emission Factors +15%"
    assert copy.dataset_bindings["input_emission_factors_dataset"] == module.dataset_bindings[
        "input_emission_factors_dataset"]
    assert (copy.parameter_bindings, copy.keep_internal, copy.tags) == (
        module.parameter_bindings, module.keep_internal, module.tags)
    assert (copy.type_version_id, copy.project_id, copy.description) == (
        module.type_version_id, module.project_id, module.description)
    assert copy.creator.username == "modeler"
    assert body["is_final"] is False and copy.is_final is False
    assert not Run.objects.filter(module=copy).exists()
    assert body["status"] == "OutOfDate"
    assert [r["code"] for r in body["reasons"]] == ["never_run"]
    assert response["ETag"]


def test_default_names_are_numbered_when_taken(clients: dict[str, APIClient], module: Module) -> None:
    names = [clients["modeler"].post(_url(module), {}, format="json").json()["name"] for _ in range(3)]
    assert names == ["Copy of Emission Factors +15%", "Copy of Emission Factors +15% (2)",
                     "Copy of Emission Factors +15% (3)"]


def test_a_long_name_is_cut_to_fit(clients: dict[str, APIClient], module: Module) -> None:
    Module.objects.filter(pk=module.pk).update(name="N" * 200)
    first = clients["modeler"].post(_url(module), {}, format="json").json()["name"]
    second = clients["modeler"].post(_url(module), {}, format="json").json()["name"]
    assert len(first) == len(second) == 200
    assert first.startswith("Copy of NNN") and second.endswith(" (2)")


def test_an_explicit_name(clients: dict[str, APIClient], module: Module) -> None:
    response = clients["modeler"].post(_url(module), {"name": "Mine"}, format="json")
    assert (response.status_code, response.json()["name"]) == (201, "Mine")


@pytest.mark.parametrize(("payload", "status", "code"), [
    ({"name": ""}, 400, "invalid"),
    ({"name": "   "}, 400, "invalid"),
    ({"name": "x" * 201}, 400, "invalid"),
    ({"name": 5}, 201, None),  # DRF takes a number as its text
    ({"nme": "typo"}, 400, "invalid"),
    ({"name": "Emission Factors +15%"}, 409, "duplicate_name"),
])
def test_bad_copy_requests_write_nothing(clients: dict[str, APIClient], module: Module, payload: dict[str, object],
                                         status: int, code: str | None) -> None:
    before = Module.objects.count()
    response = clients["modeler"].post(_url(module), payload, format="json")
    assert response.status_code == status, response.content
    if code is not None:
        assert response.json()["code"] == code
        assert Module.objects.count() == before


def test_wrong_method_and_missing_module(clients: dict[str, APIClient], module: Module) -> None:
    assert clients["modeler"].get(_url(module)).status_code == 405
    assert clients["modeler"].post("/api/modules/999999/copy", {}, format="json").status_code == 404


def test_the_copy_names_its_outputs_after_itself(clients: dict[str, APIClient], module: Module) -> None:
    """Issue 14 #11: the output name pattern carries the copy's name, not the original's."""
    assert module.dataset_bindings["output_emission_factors_dataset"]["name_pattern"] == (
        "Emission Factors +15% #${run.id}")
    body = clients["modeler"].post(_url(module), {"name": "Scaled twice"}, format="json").json()
    copy = Module.objects.get(pk=body["id"])
    assert copy.dataset_bindings["output_emission_factors_dataset"] == {
        "output_method": "NEW", "name_pattern": "Scaled twice #${run.id}"}
    assert body["dataset_bindings"]["output_emission_factors_dataset"]["name_pattern"] == "Scaled twice #${run.id}"
    # A pattern with ${module.name} (or without the module's name) is kept as it is.
    Module.objects.filter(pk=module.pk).update(dataset_bindings={
        **module.dataset_bindings,
        "output_emission_factors_dataset": {"output_method": "NEW", "name_pattern": "${module.name} ${run.id}"}})
    body = clients["modeler"].post(_url(module), {"name": "Scaled thrice"}, format="json").json()
    assert body["dataset_bindings"]["output_emission_factors_dataset"]["name_pattern"] == "${module.name} ${run.id}"
