"""Fixtures and helpers for the module type API tests."""

from typing import Any

import pytest
from rest_framework.test import APIClient

from apps.accounts.models import Project, User
from apps.datasets.models import DatasetType
from apps.datasets.services import dataset_type_create


@pytest.fixture
def dtype(users: dict[str, User]) -> DatasetType:
    return dataset_type_create(name="Factors", description="", creator=users["modeler"],
                               columns=[{"name": "fuel", "sql_type": "text"}, {"name": "value", "sql_type": "double precision"}])


@pytest.fixture
def other_dtype(users: dict[str, User]) -> DatasetType:
    return dataset_type_create(name="Other", description="", creator=users["modeler"],
                               columns=[{"name": "x", "sql_type": "integer"}])


def slots(dtype: DatasetType, *, optional_in: bool = False) -> dict[str, Any]:
    return {"dataset_slots": [{"placeholder": "src", "mode": "IN", "dataset_type": dtype.pk, "is_optional": optional_in},
                              {"placeholder": "dst", "mode": "OUT", "dataset_type": dtype.pk}],
            "parameter_slots": [{"name": "factor", "sql_type": "double precision", "mode": "IN"}]}


def create_type(client: APIClient, project: Project, name: str, kind: str = "simple", **version: Any) -> dict[str, Any]:
    response = client.post("/api/module-types", {"name": name, "kind": kind, "project": project.pk,
                                                 "version": version}, format="json")
    assert response.status_code == 201, response.content
    return response.json()  # type: ignore[no-any-return]


def version_url(module_type: dict[str, Any]) -> str:
    return f"/api/module-type-versions/{module_type['versions'][0]['id']}"


def save(client: APIClient, url: str, note: str = "edit", **fields: Any) -> Any:
    tag = client.get(url)["ETag"]
    return client.patch(url, {**fields, "revision_note": note}, format="json", HTTP_IF_MATCH=tag)


def validate(client: APIClient, url: str, **draft: Any) -> dict[str, Any]:
    response = client.post(f"{url}/validate", draft, format="json")
    assert response.status_code == 200, response.content
    return response.json()  # type: ignore[no-any-return]


def conn(kind: str, src: int | None, src_slot: str, dst: int | None, dst_slot: str) -> dict[str, Any]:
    return {"kind": kind, "source": {"submodule": src, "slot": src_slot}, "target": {"submodule": dst, "slot": dst_slot}}
