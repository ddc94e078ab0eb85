import io
from typing import Any
from urllib.parse import urlencode

import pytest
from rest_framework.test import APIClient

from apps.accounts.models import Project, User
from apps.datasets.models import Dataset, DatasetType
from apps.datasets.services import dataset_create, dataset_type_create

EMISSION_COLUMNS = [
    {"name": "fuel_type", "sql_type": "varchar"},
    {"name": "pollutant", "sql_type": "text"},
    {"name": "year", "sql_type": "integer"},
    {"name": "emission_factor", "sql_type": "double precision"},
    {"name": "measured_on", "sql_type": "date"},
    {"name": "comments", "sql_type": "text"},
]
HEADER = "fuel_type,pollutant,year,emission_factor,measured_on,comments\n"


@pytest.fixture
def emission_type(users: dict[str, User]) -> DatasetType:
    return dataset_type_create(name="Emission Factors", description="", columns=EMISSION_COLUMNS,
                               creator=users["modeler"])


@pytest.fixture
def dataset(emission_type: DatasetType, project: Project, users: dict[str, User]) -> Dataset:
    return dataset_create(name="Factors 2024", dataset_type=emission_type, project=project, creator=users["modeler"])


def csv_file(body: str, name: str = "data.csv") -> io.BytesIO:
    data = io.BytesIO(body.encode("utf-8"))
    data.name = name
    return data


def upload(client: APIClient, dataset: Dataset, body: str | bytes, *, as_body: bool = False, **fields: Any) -> Any:
    """POST /import with the CSV as a multipart `file` part (options as form fields), or, `as_body`,
    as the request body itself (`Content-Type: text/csv`, options in the query string)."""
    raw = body if isinstance(body, bytes) else body.encode("utf-8")
    url = f"/api/datasets/{dataset.pk}/import"
    if as_body:
        return client.post(f"{url}?{urlencode(fields)}" if fields else url, raw, content_type="text/csv")
    data = io.BytesIO(raw)
    data.name = "upload.csv"
    return client.post(url, {"file": data, **fields}, format="multipart")
