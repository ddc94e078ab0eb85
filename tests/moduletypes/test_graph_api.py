"""A composite's graph through the API: its shape is checked (400, nothing written), and what the
editor saves, positions and the place of its own Inputs/Outputs nodes included, comes back as saved."""

from typing import Any

import pytest
from rest_framework.test import APIClient

from apps.accounts.models import Project
from apps.datasets.models import DatasetType
from apps.moduletypes.models import ModuleTypeVersion
from tests.moduletypes.conftest import conn, create_type, save, slots, validate, version_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def composite_url(clients: dict[str, APIClient], project: Project, dtype: DatasetType) -> str:
    return version_url(create_type(clients["modeler"], project, "Net", "composite", **slots(dtype)))


@pytest.fixture
def step(clients: dict[str, APIClient], project: Project, dtype: DatasetType) -> int:
    return int(create_type(clients["modeler"], project, "Step", **slots(dtype))["versions"][0]["id"])


def test_graph_round_trips_exactly(clients: dict[str, APIClient], composite_url: str, step: int) -> None:
    graph = {"submodules": [{"id": 1, "name": "first", "version": step, "position": {"x": 10.5, "y": -20.0}},
                            {"id": 2, "name": "second", "version": step, "position": {"x": 300.0, "y": 40.0}}],
             "connections": [conn("dataset", None, "src", 1, "src"), conn("dataset", 1, "dst", 2, "src"),
                             conn("dataset", 2, "dst", None, "dst"), conn("parameter", None, "factor", 1, "factor"),
                             conn("parameter", None, "factor", 2, "factor")],
             "layout": {"inputs": {"x": -250.0, "y": 12.0}, "outputs": {"x": 640.0, "y": 12.0}}}
    saved = save(clients["modeler"], composite_url, note="network", graph=graph)
    assert saved.status_code == 200, saved.content
    assert clients["modeler"].get(composite_url).json()["graph"] == graph
    assert validate(clients["modeler"], composite_url)["valid"]
    assert list(ModuleTypeVersion.objects.get(pk=step).used_by.values_list("pk", flat=True)) == \
        [int(composite_url.rsplit("/", 1)[1])]


@pytest.mark.parametrize("graph", [
    [],
    {"submodules": "x"},
    {"submodules": [{"name": "no id", "version": 1}]},
    {"submodules": [{"id": "a", "name": "x", "version": 1}]},
    {"submodules": [{"id": 1, "name": "x", "version": 1, "position": {"x": "left", "y": 0}}]},
    {"connections": [{"kind": "dataset", "target": {"submodule": None, "slot": "x"}}]},
    {"connections": [{"kind": "wire", "source": {"submodule": None, "slot": "a"},
                      "target": {"submodule": 1, "slot": "b"}}]},
    {"connections": [{"kind": "dataset", "source": "a", "target": "b"}]},
    {"layout": {"inputs": {"x": 1}}},
    {"extra": 1},
])
def test_malformed_graphs_are_refused_and_nothing_is_written(clients: dict[str, APIClient], composite_url: str,
                                                             graph: Any) -> None:
    before = clients["modeler"].get(composite_url).json()
    response = save(clients["modeler"], composite_url, note="bad", graph=graph)
    assert response.status_code == 400, response.content
    assert set(response.json()) == {"code", "message", "details"}
    assert "graph" in response.json()["details"]
    after = clients["modeler"].get(composite_url).json()
    assert (after["graph"], after["revision"], len(after["revision_notes"])) == \
        (before["graph"], before["revision"], len(before["revision_notes"]))
    refused = clients["modeler"].post(f"{composite_url}/validate", {"graph": graph}, format="json")
    assert refused.status_code == 400


def test_validation_errors_name_the_submodule_and_port(clients: dict[str, APIClient], composite_url: str,
                                                       step: int) -> None:
    graph = {"submodules": [{"id": 7, "name": "lonely", "version": step, "position": {"x": 0, "y": 0}}],
             "connections": [conn("parameter", None, "factor", 7, "factor")]}
    errors = validate(clients["modeler"], composite_url, graph=graph)["errors"]
    assert ("missing_required_input", 7, "src") in {(e["code"], e["submodule"], e["slot"]) for e in errors}


def test_a_simple_type_has_no_network(clients: dict[str, APIClient], project: Project, dtype: DatasetType,
                                      step: int) -> None:
    graph = {"submodules": [{"id": 1, "name": "sneaky", "version": step}], "connections": []}
    created = clients["modeler"].post("/api/module-types", {"name": "Plain", "kind": "simple", "project": project.pk,
                                                            "version": {"graph": graph}}, format="json")
    assert (created.status_code, created.json()["details"]) == (400, {"graph": [
        "Only composite module types have submodules and connections."]})
    url = version_url(create_type(clients["modeler"], project, "Plain", **slots(dtype)))
    refused = save(clients["modeler"], url, graph=graph)
    assert refused.status_code == 400
    assert not ModuleTypeVersion.objects.get(pk=step).used_by.exists()
