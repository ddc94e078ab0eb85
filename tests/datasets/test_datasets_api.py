"""Dataset types, dataset metadata, removal and purge, and who may do what."""

import pytest
from rest_framework.test import APIClient

from apps.accounts.models import Project
from apps.datasets import selectors
from apps.datasets.models import Dataset, DatasetType
from tests.conftest import assert_permission_matrix
from tests.datasets.conftest import EMISSION_COLUMNS, HEADER, upload

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("columns", "message_part"),
    [
        ([], "may not be empty"),
        ([{"name": "Bad Name", "sql_type": "text"}], "lower-case letters"),
        ([{"name": "record_id", "sql_type": "text"}], "reserved"),
        ([{"name": "mb_x", "sql_type": "text"}], "reserved"),
        ([{"name": "a", "sql_type": "text"}, {"name": "a", "sql_type": "text"}], "appears twice"),
        ([{"name": "a", "sql_type": "text; DROP TABLE x"}], "not an allowed type"),
        ([{"name": "a", "sql_type": "money"}], "not an allowed type"),
        ([{"name": "a" * 64, "sql_type": "text"}], "no more than 63 characters"),
    ],
)
def test_invalid_dataset_types_are_refused(clients: dict[str, APIClient], columns: list, message_part: str) -> None:  # type: ignore[type-arg]
    response = clients["modeler"].post("/api/dataset-types", {"name": "T", "columns": columns}, format="json")
    assert response.status_code == 400, response.content
    assert message_part in str(response.json())
    assert not DatasetType.objects.filter(name="T").exists()


def test_dataset_type_permissions(clients: dict[str, APIClient]) -> None:
    body = {"name": "Mine", "columns": [{"name": "a", "sql_type": "integer"}]}
    assert clients["anonymous"].post("/api/dataset-types", body, format="json").status_code == 401
    assert clients["viewer"].post("/api/dataset-types", body, format="json").status_code == 403
    created = clients["modeler"].post("/api/dataset-types", body, format="json")
    assert created.status_code == 201
    url = f"/api/dataset-types/{created.json()['id']}"
    assert clients["viewer"].get(url).status_code == 200
    assert clients["modeler"].patch(url, {"description": "x"}, format="json").status_code == 403
    assert clients["admin"].patch(url, {"description": "x"}, format="json").status_code == 200
    assert clients["modeler"].delete(url).status_code == 403
    assert clients["admin"].delete(url).status_code == 204


def test_a_type_in_use_keeps_its_columns_and_cannot_be_deleted(clients: dict[str, APIClient], dataset: Dataset) -> None:
    url = f"/api/dataset-types/{dataset.dataset_type_id}"
    changed = clients["admin"].patch(url, {"columns": [{"name": "x", "sql_type": "text"}]}, format="json")
    assert (changed.status_code, changed.json()["code"]) == (409, "type_in_use")
    assert clients["admin"].delete(url).status_code == 409


def test_create_dataset_in_a_project(clients: dict[str, APIClient], emission_type: DatasetType, project: Project) -> None:
    body = {"name": "New", "dataset_type": emission_type.pk, "project": project.pk, "keywords": {"REGION": "EU"}}
    assert clients["viewer"].post("/api/datasets", body, format="json").status_code == 403
    assert clients["stranger"].post("/api/datasets", body, format="json").status_code == 404
    created = clients["modeler"].post("/api/datasets", body, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["keywords"] == {"REGION": "EU"}
    assert created.json()["columns"] == EMISSION_COLUMNS
    duplicate = clients["modeler"].post("/api/datasets", body, format="json")
    assert (duplicate.status_code, duplicate.json()["code"]) == (409, "duplicate_name")
    unknown = clients["modeler"].post("/api/datasets", {**body, "name": "Z", "project": 99999}, format="json")
    assert unknown.status_code == 404  # like a project the user is no member of


def test_dataset_read_and_write_matrix(clients: dict[str, APIClient], dataset: Dataset) -> None:
    url = f"/api/datasets/{dataset.pk}"
    assert_permission_matrix(clients, "GET", url, allowed={"viewer", "modeler", "admin"})
    assert_permission_matrix(clients, "GET", f"{url}/rows", allowed={"viewer", "modeler", "admin"}, ok_status=404)
    assert_permission_matrix(clients, "GET", f"{url}/versions", allowed={"viewer", "modeler", "admin"})
    assert_permission_matrix(clients, "PATCH", url, data={"description": "d"}, allowed={"modeler", "admin"})
    assert_permission_matrix(clients, "POST", f"{url}/versions", data={"base": 0}, allowed={"modeler", "admin"},
                             ok_status=404)
    assert_permission_matrix(clients, "POST", f"{url}/purge", allowed={"admin"}, ok_status=409)


def test_keywords_and_metadata_edit_with_etag(clients: dict[str, APIClient], dataset: Dataset) -> None:
    url = f"/api/datasets/{dataset.pk}"
    tag = clients["modeler"].get(url)["ETag"]
    ok = clients["modeler"].patch(url, {"keywords": {"SOURCE": "EPA"}}, format="json", HTTP_IF_MATCH=tag)
    assert ok.json()["keywords"] == {"SOURCE": "EPA"}
    stale = clients["modeler"].patch(url, {"description": "x"}, format="json", HTTP_IF_MATCH=tag)
    assert stale.status_code == 412
    bad = clients["modeler"].patch(url, {"keywords": {"": "x"}}, format="json")
    assert bad.status_code == 400


def test_remove_is_soft_and_purge_is_admin_only(clients: dict[str, APIClient], dataset: Dataset) -> None:
    upload(clients["modeler"], dataset, HEADER + "coal,NOx,2020,1,2020-01-01,c\n")
    url = f"/api/datasets/{dataset.pk}"
    assert clients["viewer"].delete(url).status_code == 403
    assert clients["modeler"].delete(url).status_code == 204
    assert clients["modeler"].get(url).status_code == 404
    assert [d["name"] for d in clients["admin"].get("/api/datasets?removed=true").json()] == ["Factors 2024"]
    assert clients["modeler"].post(f"{url}/purge").status_code == 403
    assert clients["admin"].post(f"{url}/purge").status_code == 204
    assert not Dataset.objects.filter(pk=dataset.pk).exists()


def test_only_the_creator_or_an_admin_removes(clients: dict[str, APIClient], dataset: Dataset,
                                            users: dict, project: Project) -> None:  # type: ignore[type-arg]
    from apps.accounts.roles import Role
    from apps.accounts.services import membership_set, user_create

    other = user_create(username="other", password="pw", role=Role.MODELER)
    membership_set(project=project, user=other, role=Role.MODELER)
    client = APIClient()
    client.force_login(other)
    assert client.delete(f"/api/datasets/{dataset.pk}").status_code == 403


def test_removal_is_refused_while_a_module_uses_the_dataset(clients: dict[str, APIClient], dataset: Dataset) -> None:
    def provider(ds: Dataset) -> list[dict]:  # type: ignore[type-arg]
        return [{"module_id": 7, "module_name": "Scale factors", "relation": "input"}] if ds.pk == dataset.pk else []

    selectors.usage_providers.append(provider)
    try:
        response = clients["modeler"].delete(f"/api/datasets/{dataset.pk}")
    finally:
        selectors.usage_providers.remove(provider)
    assert response.status_code == 409
    assert response.json()["details"]["modules"][0]["module_name"] == "Scale factors"
    assert "Scale factors" in response.json()["message"]
    dataset.refresh_from_db()
    assert dataset.removed_at is None


def test_list_filters(clients: dict[str, APIClient], dataset: Dataset) -> None:
    assert [d["name"] for d in clients["viewer"].get("/api/datasets?search=factors").json()] == ["Factors 2024"]
    assert clients["viewer"].get("/api/datasets?search=zzz").json() == []
    assert clients["stranger"].get("/api/datasets").json() == []
