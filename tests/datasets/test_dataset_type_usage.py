"""A dataset type's page (issue 14 #10): GET /api/dataset-types/{id}/usage lists what uses the type among
the caller's projects — datasets and module type versions with a slot of it — and nothing of others."""

import pytest
from rest_framework.test import APIClient

from apps.accounts.models import Project, User
from apps.datasets.models import Dataset
from tests.modules.status_helpers import seed_demo

pytestmark = pytest.mark.django_db


def test_usage_lists_datasets_and_type_versions_of_the_callers_projects(
        clients: dict[str, APIClient], project: Project, users: dict[str, User]) -> None:
    module = seed_demo(project, users["modeler"])
    source = Dataset.objects.get(name="Emission Factors 2016")
    url = f"/api/dataset-types/{source.dataset_type_id}/usage"
    body = clients["viewer"].get(url).json()
    assert [d["name"] for d in body["datasets"]] == ["Emission Factors 2016"]
    assert body["datasets"][0]["project_name"] == project.name
    [version] = body["module_type_versions"]
    assert (version["module_type_name"], version["number"], version["id"]) == (
        "Scale Emission Factors", 0, module.type_version_id)
    assert {(s["placeholder"], s["mode"]) for s in version["slots"]} == {
        ("input_emission_factors_dataset", "IN"), ("output_emission_factors_dataset", "OUT")}
    # Someone outside the project sees the type (types are shared) but none of the project's objects.
    assert clients["stranger"].get(url).json() == {"datasets": [], "module_type_versions": []}
    assert clients["anonymous"].get(url).status_code in (401, 403)
    assert clients["viewer"].get("/api/dataset-types/999999/usage").status_code == 404
    assert clients["modeler"].post(url, {}, format="json").status_code == 405


def test_dataset_types_come_sorted_by_name(clients: dict[str, APIClient]) -> None:
    for name in ("beta", "Alpha", "gamma"):
        body = {"name": name, "columns": [{"name": "x", "sql_type": "integer"}]}
        assert clients["modeler"].post("/api/dataset-types", body, format="json").status_code == 201
    names = [t["name"] for t in clients["viewer"].get("/api/dataset-types").json()]
    assert names == sorted(names, key=str.lower)
