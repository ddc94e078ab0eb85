"""Aggregation module types over the API (docs/aggregation.md §1): the flag and SQL fields, their
validation, and the phases the diagram colours."""

from typing import Any

import pytest
from rest_framework.test import APIClient

from apps.accounts.models import Project
from apps.datasets.models import DatasetType
from tests.moduletypes.conftest import conn, create_type, save, validate, version_url

pytestmark = pytest.mark.django_db


def agg_slots(dtype: DatasetType, out_type: DatasetType | None = None) -> dict[str, Any]:
    return {"dataset_slots": [{"placeholder": "data", "mode": "IN", "dataset_type": dtype.pk},
                              {"placeholder": "result", "mode": "OUT", "dataset_type": (out_type or dtype).pk}],
            "parameter_slots": []}


def regular(dtype: DatasetType) -> dict[str, Any]:
    return {"dataset_slots": [{"placeholder": "src", "mode": "IN", "dataset_type": dtype.pk},
                              {"placeholder": "dst", "mode": "OUT", "dataset_type": dtype.pk}],
            "parameter_slots": [], "algorithm": "INSERT INTO ${dst} SELECT * FROM ${src};"}


def codes(result: dict[str, Any]) -> list[str]:
    return [e["code"] for e in result["errors"]]


def test_an_aggregation_type_keeps_its_sql_and_is_valid_with_defaults(clients: dict[str, APIClient], project: Project,
                                                                      dtype: DatasetType) -> None:
    client = clients["modeler"]
    created = create_type(client, project, "Collect", is_aggregation=True, **agg_slots(dtype))
    url = version_url(created)
    assert validate(client, url) == {"valid": True, "errors": [], "phases": {}}
    sum_sql = "INSERT INTO ${result} (fuel, value) SELECT 'all', sum(value) FROM ${state};"
    response = save(client, url, process_sql=sum_sql, clear_sql="DELETE FROM ${state} WHERE value > 0;")
    assert response.status_code == 200, response.content
    body = client.get(url).json()
    assert (body["is_aggregation"], body["process_sql"], body["aggregate_sql"]) == (True, sum_sql, "")
    assert validate(client, url)["valid"]
    copy = client.post(f"/api/module-types/{created['id']}/versions", {"source": body["id"]}, format="json").json()
    assert client.get(f"/api/module-type-versions/{copy['id']}").json()["process_sql"] == sum_sql


@pytest.mark.parametrize(("draft", "code"), [
    ({"dataset_slots": []}, "aggregation_slots"),
    ({"parameter_slots": [{"name": "n", "sql_type": "integer", "mode": "OUT"}]}, "aggregation_slots"),
    ({"parameter_slots": [{"name": "state", "sql_type": "integer", "mode": "IN"}]}, "aggregation_reserved_name"),
])
def test_slots_that_do_not_fit_an_aggregation_are_refused(clients: dict[str, APIClient], project: Project,
                                                           dtype: DatasetType, draft: dict[str, Any], code: str) -> None:
    client = clients["modeler"]
    url = version_url(create_type(client, project, "Collect", is_aggregation=True, **agg_slots(dtype)))
    assert code in codes(validate(client, url, **draft))


def test_default_process_needs_the_same_dataset_type(clients: dict[str, APIClient], project: Project,
                                                     dtype: DatasetType, other_dtype: DatasetType) -> None:
    client = clients["modeler"]
    url = version_url(create_type(client, project, "Collect", is_aggregation=True, **agg_slots(dtype, other_dtype)))
    assert codes(validate(client, url)) == ["aggregation_output_type"]
    assert validate(client, url, process_sql="INSERT INTO ${result} (x) SELECT count(*) FROM ${state};")["valid"]


def test_sql_errors_name_their_field_and_line(clients: dict[str, APIClient], project: Project,
                                              dtype: DatasetType) -> None:
    client = clients["modeler"]
    url = version_url(create_type(client, project, "Collect", is_aggregation=True, **agg_slots(dtype)))
    # process sees the state and the output, not the data
    errors = validate(client, url, process_sql="-- sum\nINSERT INTO ${result} SELECT * FROM ${data};")["errors"]
    assert [(e["field"], e["line"]) for e in errors] == [("process_sql", 2)]
    errors = validate(client, url, aggregate_sql="INSERT INTO ${state} SELECT * FROM ${data}\nWHERE;;")["errors"]
    assert [e["field"] for e in errors] == ["aggregate_sql"] and errors[0]["code"] == "syntax_error"
    assert validate(client, url, clear_sql="DELETE FROM ${result};")["errors"][0]["field"] == "clear_sql"


def test_a_composite_is_not_an_aggregation(clients: dict[str, APIClient], project: Project) -> None:
    client = clients["modeler"]
    url = version_url(create_type(client, project, "Net", kind="composite", dataset_slots=[], parameter_slots=[]))
    assert codes(validate(client, url, is_aggregation=True)) == ["aggregation_not_simple"]


@pytest.fixture
def parts(clients: dict[str, APIClient], project: Project, dtype: DatasetType) -> dict[str, int]:
    client = clients["modeler"]
    reg = create_type(client, project, "Reg", **regular(dtype))
    agg = create_type(client, project, "Agg", is_aggregation=True, **agg_slots(dtype))
    return {"reg": reg["versions"][0]["id"], "agg": agg["versions"][0]["id"]}


def graph(parts: dict[str, int], connections: list[dict[str, Any]], extra: int = 0) -> dict[str, Any]:
    subs = [{"id": 1, "name": "before", "version": parts["reg"]}, {"id": 2, "name": "agg", "version": parts["agg"]},
            {"id": 3, "name": "after", "version": parts["reg"]}]
    if extra:
        subs.append({"id": 4, "name": "mixed", "version": extra})
    return {"submodules": subs, "connections": connections}


def test_phases_colour_the_diagram(clients: dict[str, APIClient], project: Project, dtype: DatasetType,
                                   parts: dict[str, int]) -> None:
    client = clients["modeler"]
    own = {"dataset_slots": [{"placeholder": "x", "mode": "IN", "dataset_type": dtype.pk},
                             {"placeholder": "y", "mode": "OUT", "dataset_type": dtype.pk}], "parameter_slots": []}
    wires = [conn("dataset", None, "x", 1, "src"), conn("dataset", 1, "dst", 2, "data"),
             conn("dataset", 2, "result", 3, "src"), conn("dataset", 3, "dst", None, "y")]
    created = create_type(client, project, "Net", kind="composite", graph=graph(parts, wires), **own)
    url = version_url(created)
    result = validate(client, url)
    assert result["valid"], result
    assert result["phases"] == {"1": "before", "2": "aggregation", "3": "after"}
    assert client.get(url).json()["phases"] == {"1": "before", "2": "aggregation", "3": "after"}
    # without an aggregation: nothing to colour
    plain = [conn("dataset", None, "x", 1, "src"), conn("dataset", 1, "dst", 3, "src"), conn("dataset", 3, "dst", None, "y")]
    assert validate(client, url, graph={"submodules": [s for s in graph(parts, [])["submodules"] if s["id"] != 2],
                                        "connections": plain})["phases"] == {}


def test_a_submodule_fed_from_before_and_after_an_aggregation_is_invalid(
        clients: dict[str, APIClient], project: Project, dtype: DatasetType, parts: dict[str, int]) -> None:
    client = clients["modeler"]
    two = create_type(
        client, project, "Two",
        dataset_slots=[{"placeholder": "a", "mode": "IN", "dataset_type": dtype.pk},
                       {"placeholder": "b", "mode": "IN", "dataset_type": dtype.pk},
                       {"placeholder": "c", "mode": "OUT", "dataset_type": dtype.pk}],
        parameter_slots=[], algorithm="INSERT INTO ${c} SELECT * FROM ${a};")["versions"][0]["id"]
    own = {"dataset_slots": [{"placeholder": "x", "mode": "IN", "dataset_type": dtype.pk}], "parameter_slots": []}
    wires = [conn("dataset", None, "x", 1, "src"), conn("dataset", 1, "dst", 2, "data"),
             conn("dataset", 2, "result", 4, "a"), conn("dataset", 1, "dst", 4, "b")]
    url = version_url(create_type(client, project, "Mixed", kind="composite", **own))
    result = validate(client, url, graph=graph(parts, wires, extra=two))
    mixed = [e for e in result["errors"] if e["code"] == "mixed_phase_inputs"]
    assert [(e["submodule"], e["slot"]) for e in mixed] == [(4, "a")], result
    assert "fed both from before an aggregation (b) and from after one (a)" in mixed[0]["message"]
    # an aggregation fed by another aggregation's output
    chained = [conn("dataset", None, "x", 1, "src"), conn("dataset", 1, "dst", 2, "data"),
               conn("dataset", 2, "result", 4, "data")]
    g = graph(parts, chained)
    g["submodules"].append({"id": 4, "name": "agg2", "version": parts["agg"]})
    assert "aggregation_after_aggregation" in codes(validate(client, url, graph=g))


def test_an_aggregation_inside_a_nested_composite_is_refused(
        clients: dict[str, APIClient], project: Project, dtype: DatasetType, parts: dict[str, int]) -> None:
    client = clients["modeler"]
    own = {"dataset_slots": [{"placeholder": "x", "mode": "IN", "dataset_type": dtype.pk}], "parameter_slots": []}
    inner = create_type(client, project, "Inner", kind="composite", **own, graph={
        "submodules": [{"id": 2, "name": "agg", "version": parts["agg"]}],
        "connections": [conn("dataset", None, "x", 2, "data")]})
    outer = version_url(create_type(client, project, "Outer", kind="composite", **own))
    result = validate(client, outer, graph={"submodules": [{"id": 1, "name": "in", "version": inner["versions"][0]["id"]}],
                                            "connections": [conn("dataset", None, "x", 1, "x")]})
    assert "nested_aggregation" in codes(result)
