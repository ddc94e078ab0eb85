"""The module resource: status and validate endpoints, editable fields, bad input, permissions."""

from typing import Any

import pytest
from rest_framework.test import APIClient

from apps.accounts.models import Project, User
from apps.modules.models import Module
from tests.conftest import assert_permission_matrix
from tests.modules.status_helpers import INPUT, OUTPUT, record_run, seed_demo, source

pytestmark = pytest.mark.django_db


@pytest.fixture
def module(project: Project, users: dict[str, User]) -> Module:
    return seed_demo(project, users["modeler"])


def patch(client: APIClient, module: Module, data: dict[str, Any], **headers: str) -> Any:
    return client.patch(f"/api/modules/{module.pk}", data, format="json", headers=headers)


def test_status_endpoint_permissions_and_body(clients: dict[str, APIClient], module: Module) -> None:
    url = f"/api/modules/{module.pk}/status"
    response = assert_permission_matrix(clients, "GET", url, allowed={"viewer", "modeler", "admin"})
    assert response.json() == {"status": "OutOfDate",
                               "reasons": [{"code": "never_run", "message": "The module has never run."}]}
    record_run(module)
    assert clients["viewer"].get(url).json() == {"status": "UpToDate", "reasons": []}
    assert clients["viewer"].post(url).status_code == 405
    assert clients["modeler"].get("/api/modules/999999/status").status_code == 404


def test_validate_endpoint(clients: dict[str, APIClient], module: Module) -> None:
    url = f"/api/modules/{module.pk}/validate"
    response = assert_permission_matrix(clients, "POST", url, allowed={"modeler", "admin"})
    assert response.json() == {"valid": True, "errors": []}
    assert clients["modeler"].get(url).status_code == 405
    assert patch(clients["modeler"], module, {"parameter_bindings": {},
                                             "dataset_bindings": {INPUT: {"dataset": source().pk, "version": 0}}}
                 ).status_code == 200
    body = clients["modeler"].post(url).json()
    assert body["valid"] is False
    assert {(e["code"], e["slot"]) for e in body["errors"]} == {("unbound_output", OUTPUT),
                                                                ("unset_parameter", "increase_factor")}


def test_detail_has_status_and_etag(clients: dict[str, APIClient], module: Module) -> None:
    response = clients["viewer"].get(f"/api/modules/{module.pk}")
    assert response.status_code == 200
    assert response["ETag"] == f'"module-{module.pk}-{module.revision}"'
    assert response.json()["status"] == "OutOfDate" and response.json()["lock"] is None


def test_an_input_bound_without_version_and_keep_internal_on_a_simple_type(clients: dict[str, APIClient],
                                                                            module: Module) -> None:
    bindings = {**module.dataset_bindings, INPUT: {"dataset": source().pk, "version": None}}
    response = patch(clients["modeler"], module, {"dataset_bindings": bindings})
    assert response.status_code == 200, response.content
    assert response.json()["dataset_bindings"][INPUT] == {"dataset": source().pk, "version": None}
    response = patch(clients["modeler"], module, {"keep_internal": {"datasets": ["sub.out"]}})
    assert (response.status_code, response.json()["code"]) == (400, "invalid_keep_internal")


@pytest.mark.parametrize("binding", [{"dataset": "five"}, {"dataset": 999999}, {"dataset": 1, "version": "0"},
                                     {"dataset": 1, "version": 99}, {"dataset": 1, "version": True}])
def test_bad_input_bindings_are_clear_400s_and_change_nothing(clients: dict[str, APIClient], module: Module,
                                                              binding: dict[str, Any]) -> None:
    if binding["dataset"] == 1:
        binding = {**binding, "dataset": source().pk}
    before = Module.objects.get(pk=module.pk)
    response = patch(clients["modeler"], module, {"dataset_bindings": {INPUT: binding}})
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == "invalid_bindings" and body["message"].startswith(INPUT)
    after = Module.objects.get(pk=module.pk)
    assert (after.dataset_bindings, after.revision) == (before.dataset_bindings, before.revision)


def test_moving_to_another_project_and_type_version(clients: dict[str, APIClient], module: Module,
                                                    other_project: Project, users: dict[str, User],
                                                    project: Project) -> None:
    response = patch(clients["modeler"], module, {"project": other_project.pk})
    assert response.status_code == 404  # not a member there: as if it did not exist
    response = patch(clients["admin"], module, {"project": other_project.pk})
    # Its datasets stay in Team Alpha: bound from Team Beta they would name another project's datasets.
    assert (response.status_code, response.json()["code"]) == (400, "invalid_bindings")
    response = patch(clients["admin"], module, {"type_version": 999999})
    assert (response.status_code, response.json()["details"]) == (400, {"type_version": ["Unknown module type version."]})
    response = patch(clients["admin"], module, {"type_version": module.type_version_id, "project": project.pk})
    assert response.status_code == 200


def test_duplicate_name_stale_etag_and_unknown_fields(clients: dict[str, APIClient], module: Module,
                                                      project: Project) -> None:
    created = clients["modeler"].post("/api/modules/", {"name": "Second", "type_version": module.type_version_id,
                                                        "project": project.pk,
                                                        "keep_internal": {"datasets": [], "parameters": []}},
                                      format="json")
    assert created.status_code == 201, created.content
    assert created.json()["status"] == "OutOfDate"
    second = Module.objects.get(name="Second")
    response = patch(clients["modeler"], second, {"name": module.name})
    assert (response.status_code, response.json()["code"]) == (409, "duplicate_name")
    response = patch(clients["modeler"], second, {"description": "x"}, **{"If-Match": '"module-1-0"'})
    assert response.status_code == 412
    response = patch(clients["modeler"], second, {"colour": "red"})
    assert response.status_code == 400 and "colour" in response.json()["details"]


def test_only_result_fields_bump_last_modified(clients: dict[str, APIClient], module: Module) -> None:
    before = Module.objects.get(pk=module.pk)
    assert patch(clients["modeler"], module, {"description": "d", "tags": ["t"]}).status_code == 200
    middle = Module.objects.get(pk=module.pk)
    assert middle.last_modified == before.last_modified and middle.revision == before.revision + 1
    assert patch(clients["modeler"], module, {"parameter_bindings": {"increase_factor": "2"}}).status_code == 200
    assert Module.objects.get(pk=module.pk).last_modified > before.last_modified


def test_a_module_deadline_is_a_positive_whole_number_of_seconds_and_is_copied(
        clients: dict[str, APIClient], module: Module) -> None:
    for bad in ("abc", 0, -5, 1.5, "1e9999"):
        response = patch(clients["modeler"], module, {"deadline_seconds": bad})
        assert response.status_code == 400 and "deadline_seconds" in response.json()["details"], (bad, response.content)
    module.refresh_from_db()
    assert module.deadline_seconds is None and module.revision == 1
    response = patch(clients["modeler"], module, {"deadline_seconds": "30"})
    assert response.status_code == 200 and response.json()["deadline_seconds"] == 30
    copied = clients["modeler"].post(f"/api/modules/{module.pk}/copy", {}, format="json")
    assert copied.status_code == 201, copied.content
    assert copied.json()["deadline_seconds"] == 30
    assert patch(clients["modeler"], module, {"deadline_seconds": None}).json()["deadline_seconds"] is None
    listed = clients["modeler"].get("/api/modules/").json()
    rows = listed["results"] if isinstance(listed, dict) else listed
    assert {r["name"]: r["deadline_seconds"] for r in rows}[module.name] is None
