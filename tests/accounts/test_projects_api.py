import pytest
from rest_framework.test import APIClient

from apps.accounts.models import Project
from tests.conftest import assert_permission_matrix

pytestmark = pytest.mark.django_db


def test_project_read_matrix(clients: dict[str, APIClient], project: Project) -> None:
    assert_permission_matrix(clients, "GET", f"/api/projects/{project.pk}", allowed={"viewer", "modeler", "admin"})


def test_project_write_matrix_admin_only(clients: dict[str, APIClient], project: Project) -> None:
    response = assert_permission_matrix(clients, "PATCH", f"/api/projects/{project.pk}",
                                        data={"description": "new words"}, allowed={"admin"})
    assert response.json()["description"] == "new words"


def test_strangers_do_not_see_other_projects_in_lists(clients: dict[str, APIClient], project: Project) -> None:
    names = [p["name"] for p in clients["stranger"].get("/api/projects").json()]
    assert names == ["Team Beta"]
    assert [p["name"] for p in clients["admin"].get("/api/projects").json()] == ["Team Alpha", "Team Beta"]


def test_only_admins_create_projects(clients: dict[str, APIClient]) -> None:
    assert clients["modeler"].post("/api/projects", {"name": "X"}, format="json").status_code == 403
    response = clients["admin"].post("/api/projects", {"name": "X"}, format="json")
    assert response.status_code == 201
    assert response["ETag"]
    duplicate = clients["admin"].post("/api/projects", {"name": "X"}, format="json")
    assert duplicate.status_code == 400
    assert duplicate.json()["details"] == {"name": ["project with this name already exists."]}


def test_projects_cannot_be_deleted_through_the_api(clients: dict[str, APIClient], project: Project) -> None:
    assert clients["admin"].delete(f"/api/projects/{project.pk}").status_code == 405


def test_etag_get_then_patch_then_stale_patch_is_412(clients: dict[str, APIClient], project: Project) -> None:
    admin = clients["admin"]
    first = admin.get(f"/api/projects/{project.pk}")
    tag = first["ETag"]
    ok = admin.patch(f"/api/projects/{project.pk}", {"description": "one"}, format="json", HTTP_IF_MATCH=tag)
    assert ok.status_code == 200
    assert ok["ETag"] != tag
    stale = admin.patch(f"/api/projects/{project.pk}", {"description": "two"}, format="json", HTTP_IF_MATCH=tag)
    assert stale.status_code == 412
    assert stale.json()["code"] == "precondition_failed"
    project.refresh_from_db()
    assert project.description == "one"
    fresh = admin.patch(f"/api/projects/{project.pk}", {"description": "two"}, format="json",
                        HTTP_IF_MATCH=ok["ETag"])
    assert fresh.status_code == 200
