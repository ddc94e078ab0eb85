"""Modules as users of datasets: the Dataset Manager refuses to remove a dataset a module reads or
last produced, and lists the modules related to a dataset."""

from typing import Any

import pytest
from rest_framework.test import APIClient

from apps.accounts.models import Project, User
from apps.datasets.models import Dataset
from tests.modules.status_helpers import output_of, record_run, seed_demo, source

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(project: Project, users: dict[str, User]) -> dict[str, Any]:
    module = seed_demo(project, users["modeler"])
    older, latest = output_of(record_run(module)), output_of(record_run(module))
    return {"module": module, "input": source(), "older": older, "latest": latest}


def _remove(client: APIClient, dataset: Dataset) -> Any:
    return client.delete(f"/api/datasets/{dataset.pk}")


def test_an_input_of_a_module_cannot_be_removed(clients: dict[str, APIClient], demo: dict[str, Any]) -> None:
    response = _remove(clients["admin"], demo["input"])
    assert response.status_code == 409
    assert response.json()["code"] == "dataset_in_use"
    assert response.json()["details"]["modules"] == [
        {"module_id": demo["module"].pk, "module_name": demo["module"].name, "relation": "input"}]
    demo["input"].refresh_from_db()
    assert demo["input"].removed_at is None


def test_only_the_latest_successful_output_is_protected(clients: dict[str, APIClient], demo: dict[str, Any]) -> None:
    refused = _remove(clients["admin"], demo["latest"])
    assert refused.status_code == 409
    assert refused.json()["details"]["modules"][0]["relation"] == "output"
    assert _remove(clients["admin"], demo["older"]).status_code == 204


def test_related_modules_name_readers_and_every_producer(clients: dict[str, APIClient], demo: dict[str, Any]) -> None:
    module = demo["module"]
    for dataset, relation in ((demo["input"], "input"), (demo["older"], "output"), (demo["latest"], "output")):
        response = clients["viewer"].get(f"/api/datasets/{dataset.pk}/related-modules")
        assert response.status_code == 200
        assert response.json() == [{"module_id": module.pk, "module_name": module.name, "relation": relation}]


def test_once_the_module_is_removed_its_datasets_can_be(clients: dict[str, APIClient], demo: dict[str, Any]) -> None:
    assert clients["modeler"].delete(f"/api/modules/{demo['module'].pk}").status_code == 204
    assert _remove(clients["admin"], demo["input"]).status_code == 204
    assert _remove(clients["admin"], demo["latest"]).status_code == 204
