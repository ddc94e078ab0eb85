"""Module types and versions through the API: editing, validation, composites, finalization."""

from typing import Any

import pytest
from rest_framework.test import APIClient

from apps.accounts.models import Project
from apps.datasets.models import DatasetType
from apps.moduletypes.models import ModuleTypeVersion
from tests.conftest import assert_permission_matrix
from tests.moduletypes.conftest import conn as _conn
from tests.moduletypes.conftest import create_type, save, slots, validate, version_url

pytestmark = pytest.mark.django_db


def test_edit_with_revision_notes_and_etag(clients: dict[str, APIClient], project: Project, dtype: DatasetType) -> None:
    url = version_url(create_type(clients["modeler"], project, "Scale", **slots(dtype)))
    assert save(clients["modeler"], url, note="").json()["code"] == "revision_note_required"
    first = clients["modeler"].get(url)
    ok = clients["modeler"].patch(url, {"algorithm": "INSERT INTO ${dst} SELECT * FROM ${src};",
                                        "revision_note": "first algorithm"}, format="json", HTTP_IF_MATCH=first["ETag"])
    assert ok.status_code == 200
    assert [n["note"] for n in ok.json()["revision_notes"]] == ["Created", "first algorithm"]
    stale = clients["modeler"].patch(url, {"name": "x", "revision_note": "late"}, format="json",
                                     HTTP_IF_MATCH=first["ETag"])
    assert stale.status_code == 412


def test_validate_simple_algorithms(clients: dict[str, APIClient], project: Project, dtype: DatasetType) -> None:
    url = version_url(create_type(clients["modeler"], project, "Scale", **slots(dtype)))
    good = "INSERT INTO ${dst} (fuel, value)\nSELECT fuel, value * #{factor} FROM ${src};"
    assert validate(clients["modeler"], url, algorithm=good) == {"valid": True, "errors": [], "phases": {}}
    unknown = validate(clients["modeler"], url, algorithm="SELECT 1;\n  SELECT * FROM ${nope};")
    assert unknown["errors"][0]["code"] == "unknown_placeholder"
    assert (unknown["errors"][0]["line"], unknown["errors"][0]["column"]) == (2, 17)
    commented = "-- ${nope} in a comment\n/* and #{nada} here */\nSELECT 1;"
    assert validate(clients["modeler"], url, algorithm=commented)["valid"]
    syntax = validate(clients["modeler"], url, algorithm="SELECT 1;\nSELEC 2;")
    assert syntax["errors"][0]["code"] == "syntax_error"
    assert syntax["errors"][0]["line"] == 2


def _composite(clients: dict[str, APIClient], project: Project, dtype: DatasetType, graph: dict[str, Any],
               **own: Any) -> dict[str, Any]:
    url = version_url(create_type(clients["modeler"], project, f"Net {len(str(graph))} {id(graph)}", "composite",
                                  **own))
    return validate(clients["modeler"], url, graph=graph)


def _two_steps(dtype: DatasetType, clients: dict[str, APIClient], project: Project, **kwargs: Any) -> tuple[int, int]:
    a = create_type(clients["modeler"], project, "StepA", **slots(dtype, **kwargs))["versions"][0]["id"]
    b = create_type(clients["modeler"], project, "StepB", **slots(dtype))["versions"][0]["id"]
    return a, b


def test_composite_validation_cases(clients: dict[str, APIClient], project: Project, dtype: DatasetType,
                                    other_dtype: DatasetType) -> None:
    a, b = _two_steps(dtype, clients, project)
    own = {"dataset_slots": [{"placeholder": "input", "mode": "IN", "dataset_type": dtype.pk},
                             {"placeholder": "result", "mode": "OUT", "dataset_type": dtype.pk}],
           "parameter_slots": [{"name": "factor", "sql_type": "double precision", "mode": "IN"}]}
    subs = [{"id": 1, "name": "first", "version": a, "position": {"x": 0, "y": 0}},
            {"id": 2, "name": "second", "version": b, "position": {"x": 200, "y": 0}}]
    chain = [_conn("dataset", None, "input", 1, "src"), _conn("dataset", 1, "dst", 2, "src"),
             _conn("dataset", 2, "dst", None, "result"), _conn("parameter", None, "factor", 1, "factor"),
             _conn("parameter", None, "factor", 2, "factor")]
    assert _composite(clients, project, dtype, {"submodules": subs, "connections": chain}, **own)["valid"]
    missing = _composite(clients, project, dtype, {"submodules": subs, "connections": chain[:-1]}, **own)
    assert {(e["code"], e["submodule"], e["slot"]) for e in missing["errors"]} == {("missing_required_input", 2, "factor")}
    cycle = _composite(clients, project, dtype, {"submodules": subs, "connections": [
        _conn("dataset", 1, "dst", 2, "src"), _conn("dataset", 2, "dst", 1, "src"), *chain[2:]]}, **own)
    assert "cycle" in {e["code"] for e in cycle["errors"]}
    other = create_type(clients["modeler"], project, "Other", dataset_slots=[
        {"placeholder": "src", "mode": "IN", "dataset_type": other_dtype.pk}])["versions"][0]["id"]
    mismatch = _composite(clients, project, dtype, {"submodules": [*subs, {"id": 3, "name": "third", "version": other}],
                                                    "connections": [*chain, _conn("dataset", 1, "dst", 3, "src")]}, **own)
    assert "type_mismatch" in {e["code"] for e in mismatch["errors"]}
    dangling = _composite(clients, project, dtype, {"submodules": subs, "connections": [
        *chain, _conn("dataset", 9, "dst", 2, "src")]}, **own)
    assert "dangling_connection" in {e["code"] for e in dangling["errors"]}
    dup = _composite(clients, project, dtype, {"submodules": [subs[0], {**subs[1], "name": "FIRST"}],
                                               "connections": chain}, **own)
    assert "duplicate_name" in {e["code"] for e in dup["errors"]}


def test_optional_source_cannot_feed_a_required_target(clients: dict[str, APIClient], project: Project,
                                                       dtype: DatasetType) -> None:
    a, _ = _two_steps(dtype, clients, project)
    own = {"dataset_slots": [{"placeholder": "maybe", "mode": "IN", "dataset_type": dtype.pk, "is_optional": True}]}
    result = _composite(clients, project, dtype, {"submodules": [{"id": 1, "name": "first", "version": a}],
                                                  "connections": [_conn("dataset", None, "maybe", 1, "src")]}, **own)
    assert ("optional_to_required", 1, "src") in {(e["code"], e["submodule"], e["slot"]) for e in result["errors"]}


def test_nested_composites_and_recursive_finalize(clients: dict[str, APIClient], project: Project,
                                                  dtype: DatasetType) -> None:
    a, _ = _two_steps(dtype, clients, project)
    inner = create_type(clients["modeler"], project, "Inner", "composite",
                        graph={"submodules": [{"id": 1, "name": "a", "version": a}], "connections": []})
    inner_id = inner["versions"][0]["id"]
    outer = create_type(clients["modeler"], project, "Outer", "composite",
                        graph={"submodules": [{"id": 1, "name": "inner", "version": inner_id}], "connections": []})
    outer_url = version_url(outer)
    recursive = validate(clients["modeler"], f"/api/module-type-versions/{inner_id}",
                         graph={"submodules": [{"id": 1, "name": "outer", "version": outer["versions"][0]["id"]}],
                                "connections": []})
    assert "recursive_composite" in {e["code"] for e in recursive["errors"]}
    plan = clients["modeler"].get(f"{outer_url}/finalize-plan").json()["versions"]
    assert [v["module_type_name"] for v in plan] == ["Outer", "Inner", "StepA"]
    ids = [v["id"] for v in plan]
    assert clients["modeler"].post(f"{outer_url}/finalize", {"confirm": ids}, format="json").status_code == 403
    stale = clients["admin"].post(f"{outer_url}/finalize", {"confirm": ids[:1]}, format="json")
    assert (stale.status_code, stale.json()["code"]) == (409, "plan_changed")
    done = clients["admin"].post(f"{outer_url}/finalize", {"confirm": ids}, format="json")
    assert done.status_code == 200
    assert all(ModuleTypeVersion.objects.get(pk=i).is_final for i in ids)
    notes = [n.note for n in ModuleTypeVersion.objects.get(pk=a).revision_notes.all()]
    assert notes[-1] == "Finalized while finalizing Outer version 0"
    refused = save(clients["admin"], outer_url, name="changed")
    assert (refused.status_code, refused.json()["code"]) == (409, "version_final")


def test_updating_a_used_version_needs_confirmation(clients: dict[str, APIClient], project: Project,
                                                    dtype: DatasetType) -> None:
    a, _ = _two_steps(dtype, clients, project)
    create_type(clients["modeler"], project, "User", "composite",
                graph={"submodules": [{"id": 1, "name": "a", "version": a}], "connections": []})
    url = f"/api/module-type-versions/{a}"
    refused = save(clients["modeler"], url, name="renamed")
    assert (refused.status_code, refused.json()["code"]) == (409, "has_dependents")
    assert [c["module_type_name"] for c in refused.json()["details"]["composites"]] == ["User"]
    tag = clients["modeler"].get(url)["ETag"]
    confirmed = clients["modeler"].patch(url, {"name": "renamed", "revision_note": "ok", "confirm_dependents": True},
                                         format="json", HTTP_IF_MATCH=tag)
    assert confirmed.status_code == 200
    removal = clients["admin"].delete(url)
    assert (removal.status_code, removal.json()["code"]) == (409, "type_in_use")


def test_copy_new_type_and_removal(clients: dict[str, APIClient], project: Project, dtype: DatasetType) -> None:
    created = create_type(clients["modeler"], project, "Base", **slots(dtype), algorithm="SELECT 1;")
    copy = clients["modeler"].post(f"/api/module-types/{created['id']}/versions", {}, format="json").json()
    assert (copy["number"], copy["algorithm"]) == (1, "SELECT 1;")
    new_type = clients["modeler"].post(f"/api/module-type-versions/{copy['id']}/new-type", {"name": "Derived"},
                                       format="json")
    assert new_type.status_code == 201
    assert clients["modeler"].delete(f"/api/module-type-versions/{copy['id']}").status_code == 204
    assert clients["modeler"].delete(f"/api/module-types/{created['id']}").status_code == 403
    assert clients["admin"].delete(f"/api/module-types/{created['id']}").status_code == 204


def test_permission_matrix(clients: dict[str, APIClient], project: Project, dtype: DatasetType) -> None:
    created = create_type(clients["modeler"], project, "Matrix", **slots(dtype))
    url = version_url(created)
    assert_permission_matrix(clients, "GET", url, allowed={"viewer", "modeler", "admin"})
    assert_permission_matrix(clients, "GET", f"/api/module-types/{created['id']}", allowed={"viewer", "modeler", "admin"})
    assert_permission_matrix(clients, "PATCH", url, data={"revision_note": "n"}, allowed={"modeler", "admin"})
    assert_permission_matrix(clients, "POST", f"{url}/validate", data={}, allowed={"modeler", "admin"})
    assert_permission_matrix(clients, "POST", f"{url}/finalize", data={"confirm": [1]}, allowed={"admin"}, ok_status=409)
    assert clients["viewer"].get("/api/sql-types").json()[0] == "integer"
    assert clients["modeler"].put(url, {}, format="json").status_code == 405


def test_invalid_slots_are_refused(clients: dict[str, APIClient], project: Project, dtype: DatasetType) -> None:
    for bad in ({"dataset_slots": [{"placeholder": "9bad", "mode": "IN", "dataset_type": dtype.pk}]},
                {"dataset_slots": [{"placeholder": "run", "mode": "IN", "dataset_type": dtype.pk}]},
                {"parameter_slots": [{"name": "p", "sql_type": "money", "mode": "IN"}]},
                {"dataset_slots": [{"placeholder": "a", "mode": "IN", "dataset_type": 999999}]}):
        response = clients["modeler"].post("/api/module-types", {"name": "Bad", "kind": "simple", "project": project.pk,
                                                                 "version": bad}, format="json")
        assert response.status_code == 400, (bad, response.content)
