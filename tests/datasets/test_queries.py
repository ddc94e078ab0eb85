"""The dataset list and the row viewer run a fixed number of queries, however many rows they show."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from apps.accounts.models import Project, User
from apps.datasets.models import Dataset, DatasetType
from apps.datasets.services import dataset_create
from tests.datasets.conftest import HEADER, upload

pytestmark = pytest.mark.django_db


def _queries(client: APIClient, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, response.content
    return len(captured)


def _add_datasets(emission_type: DatasetType, project: Project, user: User, client: APIClient, count: int,
                  start: int) -> None:
    for n in range(start, start + count):
        dataset = dataset_create(name=f"Factors {n}", dataset_type=emission_type, project=project, creator=user)
        upload(client, dataset, HEADER + "coal,NOx,2020,1.5,2020-01-01,x\n")
        upload(client, dataset, HEADER + "gas,NOx,2021,2.5,2021-01-01,y\n")


def test_the_dataset_list_has_no_query_per_dataset(clients: dict[str, APIClient], emission_type: DatasetType,
                                                    project: Project, users: dict[str, User]) -> None:
    viewer = clients["viewer"]
    _add_datasets(emission_type, project, users["modeler"], clients["modeler"], 2, start=1)
    with_two = _queries(viewer, "/api/datasets")
    _add_datasets(emission_type, project, users["admin"], clients["admin"], 4, start=3)
    response = viewer.get("/api/datasets")
    assert len(response.json()) == 6
    assert all(len(d["versions"]) == 2 for d in response.json())
    assert {v["creator"] for d in response.json() for v in d["versions"]} == {"modeler", "admin"}
    assert _queries(viewer, "/api/datasets") == with_two


def test_the_row_viewer_runs_few_app_queries(clients: dict[str, APIClient], dataset: Dataset) -> None:
    upload(clients["modeler"], dataset, HEADER + "coal,NOx,2020,1.5,2020-01-01,x\n")
    # session + user (authentication), the dataset with its type, the caller's project role, the version
    assert _queries(clients["viewer"], f"/api/datasets/{dataset.pk}/rows?version=0") <= 5
