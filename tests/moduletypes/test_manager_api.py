"""The Module Type Manager's list (search, filters) and the Version Manager's actions: copy any version,
new type from a version, removal rules and who may do what."""

from typing import Any

import pytest
from rest_framework.test import APIClient

from apps.accounts.models import Project
from apps.datasets.models import DatasetType
from apps.moduletypes.models import ModuleType, ModuleTypeVersion
from tests.conftest import assert_permission_matrix
from tests.moduletypes.conftest import create_type, save, slots, version_url

pytestmark = pytest.mark.django_db


def _names(client: APIClient, query: str) -> list[str]:
    response = client.get(f"/api/module-types?{query}")
    assert response.status_code == 200, response.content
    return [t["name"] for t in response.json() if t["project"] is not None]  # not the built-ins


def _finalize(client: APIClient, version_id: int) -> None:
    plan = client.get(f"/api/module-type-versions/{version_id}/finalize-plan").json()["versions"]
    response = client.post(f"/api/module-type-versions/{version_id}/finalize", {"confirm": [v["id"] for v in plan]},
                           format="json")
    assert response.status_code == 200, response.content


def test_search_and_filters(clients: dict[str, APIClient], project: Project, dtype: DatasetType) -> None:
    modeler = clients["modeler"]
    for name, kind, description, tags in (("Scale", "simple", "multiplies factors", ["emissions"]),
                                          ("Chain", "composite", "two scales", ["demo"]),
                                          ("Row Filter", "simple", "keeps some rows", ["demo", "rows"])):
        response = modeler.post("/api/module-types", {"name": name, "kind": kind, "project": project.pk,
                                                      "description": description, "tags": tags}, format="json")
        assert response.status_code == 201
    _finalize(clients["admin"], ModuleType.objects.get(name="Row Filter").versions.get().pk)
    assert _names(modeler, "search=scale") == ["Chain", "Scale"]  # name or description
    assert _names(modeler, "search=EMISSIONS") == ["Scale"]  # tags
    assert _names(modeler, "kind=composite") == ["Chain"]
    assert _names(modeler, "final=true") == ["Row Filter"]
    assert _names(modeler, "final=false") == ["Chain", "Scale"]
    assert _names(modeler, "tag=demo&kind=simple") == ["Row Filter"]
    assert _names(modeler, "search=nothing-like-this") == []
    assert _names(modeler, "kind=other&final=maybe") == ["Chain", "Row Filter", "Scale"]
    assert _names(clients["stranger"], "") == []


def test_new_version_copies_any_version(clients: dict[str, APIClient], project: Project, dtype: DatasetType) -> None:
    created = create_type(clients["modeler"], project, "Base", **slots(dtype), algorithm="PERFORM 0;")
    url = version_url(created)
    assert save(clients["modeler"], url, algorithm="PERFORM 1;").status_code == 200
    first = clients["modeler"].post(f"/api/module-types/{created['id']}/versions", {}, format="json").json()
    save(clients["modeler"], f"/api/module-type-versions/{first['id']}", algorithm="PERFORM 2;")
    older = clients["modeler"].post(f"/api/module-types/{created['id']}/versions",
                                    {"source": created["versions"][0]["id"], "name": "From zero"}, format="json")
    assert older.status_code == 201
    assert (older.json()["number"], older.json()["name"], older.json()["algorithm"]) == (2, "From zero", "PERFORM 1;")
    assert [(n["author"], n["note"]) for n in older.json()["revision_notes"]] == [("modeler", "Copied from version 0")]
    foreign = create_type(clients["modeler"], project, "Elsewhere")["versions"][0]["id"]
    refused = clients["modeler"].post(f"/api/module-types/{created['id']}/versions", {"source": foreign},
                                      format="json")
    assert (refused.status_code, refused.json()["code"]) == (404, "no_such_version")


def test_new_type_from_a_version(clients: dict[str, APIClient], project: Project, dtype: DatasetType) -> None:
    created = create_type(clients["modeler"], project, "Origin", **slots(dtype), algorithm="PERFORM 5;")
    url = version_url(created)
    response = clients["modeler"].post(f"{url}/new-type", {"name": "Offspring"}, format="json")
    assert response.status_code == 201
    new_version = ModuleTypeVersion.objects.get(module_type__name="Offspring")
    assert (new_version.number, new_version.algorithm, new_version.is_final) == (0, "PERFORM 5;", False)
    assert new_version.dataset_slots == ModuleTypeVersion.objects.get(pk=created["versions"][0]["id"]).dataset_slots
    duplicate = clients["modeler"].post(f"{url}/new-type", {"name": "Offspring"}, format="json")
    assert (duplicate.status_code, duplicate.json()["code"]) == (409, "duplicate_name")
    assert ModuleType.objects.filter(name="Offspring").count() == 1
    assert_permission_matrix(clients, "POST", f"{url}/new-type", data={"name": "Third"},
                             allowed={"modeler", "admin"}, ok_status=201)


def test_revision_notes_record_author_and_time(clients: dict[str, APIClient], project: Project,
                                               dtype: DatasetType) -> None:
    url = version_url(create_type(clients["modeler"], project, "Noted", **slots(dtype)))
    save(clients["modeler"], url, note="by the modeler", algorithm="PERFORM 1;")
    save(clients["admin"], url, note="by the admin", algorithm="PERFORM 2;")
    notes = clients["viewer"].get(url).json()["revision_notes"]
    assert [(n["author"], n["note"]) for n in notes] == [("modeler", "Created"), ("modeler", "by the modeler"),
                                                         ("admin", "by the admin")]
    assert all(n["created_at"] for n in notes)


def _two_versions(clients: dict[str, APIClient], project: Project, dtype: DatasetType) -> tuple[dict[str, Any], int]:
    created = create_type(clients["modeler"], project, "Removable", **slots(dtype))
    copy = clients["modeler"].post(f"/api/module-types/{created['id']}/versions", {}, format="json").json()
    return created, int(copy["id"])


def test_modeler_cannot_remove_a_final_version_admin_can(clients: dict[str, APIClient], project: Project,
                                                         dtype: DatasetType) -> None:
    created, copy = _two_versions(clients, project, dtype)
    _finalize(clients["admin"], copy)
    url = f"/api/module-type-versions/{copy}"
    refused = clients["modeler"].delete(url)
    assert (refused.status_code, refused.json()["code"]) == (403, "forbidden")
    assert ModuleTypeVersion.objects.filter(pk=copy).exists()
    assert_permission_matrix(clients, "DELETE", url, allowed={"admin"}, ok_status=204)
    assert not ModuleTypeVersion.objects.filter(pk=copy).exists()


def test_non_final_version_removal_matrix_and_last_version(clients: dict[str, APIClient], project: Project,
                                                           dtype: DatasetType) -> None:
    created, copy = _two_versions(clients, project, dtype)
    assert_permission_matrix(clients, "DELETE", f"/api/module-type-versions/{copy}", allowed={"modeler", "admin"},
                             ok_status=204)
    last = clients["admin"].delete(version_url(created))
    assert (last.status_code, last.json()["code"]) == (409, "last_version")


def test_module_type_removal_rules(clients: dict[str, APIClient], project: Project, dtype: DatasetType) -> None:
    created, copy = _two_versions(clients, project, dtype)
    user = create_type(clients["modeler"], project, "Uses it", "composite",
                       graph={"submodules": [{"id": 1, "name": "a", "version": copy}], "connections": []})
    in_use = clients["admin"].delete(f"/api/module-types/{created['id']}")
    assert (in_use.status_code, in_use.json()["code"]) == (409, "type_in_use")
    assert [c["module_type_name"] for c in in_use.json()["details"]["composites"]] == ["Uses it"]
    assert ModuleTypeVersion.objects.filter(module_type_id=created["id"]).count() == 2
    _finalize(clients["admin"], user["versions"][0]["id"])
    has_final = clients["admin"].delete(f"/api/module-types/{user['id']}")
    assert (has_final.status_code, has_final.json()["code"]) == (409, "type_has_final")
    plain = create_type(clients["modeler"], project, "Plain")
    assert_permission_matrix(clients, "DELETE", f"/api/module-types/{plain['id']}", allowed={"admin"}, ok_status=204)


def test_version_and_type_edits_matrix(clients: dict[str, APIClient], project: Project, dtype: DatasetType) -> None:
    created = create_type(clients["modeler"], project, "Editable", **slots(dtype))
    url = f"/api/module-types/{created['id']}"
    assert_permission_matrix(clients, "PATCH", url, data={"description": "new"}, allowed={"modeler", "admin"})
    assert_permission_matrix(clients, "POST", f"{url}/versions", data={}, allowed={"modeler", "admin"}, ok_status=201)
    assert_permission_matrix(clients, "GET", f"{version_url(created)}/finalize-plan",
                             allowed={"viewer", "modeler", "admin"})
    assert clients["modeler"].put(url, {}, format="json").status_code == 405


def test_create_and_palette_matrix(clients: dict[str, APIClient], project: Project, dtype: DatasetType) -> None:
    body = {"name": "Made", "kind": "simple", "project": project.pk, "version": slots(dtype)}
    assert_permission_matrix(clients, "POST", "/api/module-types", data=body, allowed={"modeler", "admin"},
                             ok_status=201)
    unknown = clients["modeler"].post("/api/module-types", {**body, "name": "Elsewhere", "project": 999999},
                                      format="json")
    assert unknown.status_code == 404  # like a project the user is no member of
    palette = clients["viewer"].get("/api/module-type-versions?kind=simple&final=false").json()
    assert [(v["module_type_name"], v["number"]) for v in palette] == [("Made", 0)]
    assert [v for v in clients["stranger"].get("/api/module-type-versions").json() if v["kind"] != "progressive"] == []
    assert clients["modeler"].delete("/api/module-types").status_code == 405


def test_the_list_costs_the_same_number_of_queries_for_more_types(clients: dict[str, APIClient], project: Project,
                                                                   dtype: DatasetType) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def list_queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert clients["modeler"].get("/api/module-types").status_code == 200
        return len(captured.captured_queries)

    create_type(clients["modeler"], project, "One", **slots(dtype))
    few = list_queries()
    for i in range(5):
        created = create_type(clients["modeler"], project, f"More {i}", **slots(dtype))
        clients["modeler"].post(f"/api/module-types/{created['id']}/versions", {}, format="json")
        clients["modeler"].post(f"/api/module-types/{created['id']}/lock")
    assert list_queries() == few
