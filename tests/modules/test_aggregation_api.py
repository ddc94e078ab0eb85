"""Aggregation modules over the API (docs/aggregation.md §2-5): the run request's mode and parameters,
its refusals, the module's `aggregation`, status, compare, copy and removal."""

from typing import Any

import pytest
from rest_framework.test import APIClient

from apps.datasets.models import Dataset
from apps.modules.aggregation_demo import module_name, seed_magda_example
from apps.modules.models import Module
from apps.runs.models import AggregationState, Run
from tests.runs.builders import module as make_module
from tests.runs.builders import simple, table_exists, wait_for
from tests.runs.conftest import worker  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def magda(project: Any, users: dict[str, Any]) -> Module:
    seed_magda_example(project=project, owner=users["modeler"], example=1)
    return Module.objects.get(name=module_name(1))


def run(client: APIClient, module: Module, **body: Any) -> Any:
    return client.post(f"/api/modules/{module.pk}/run", body, format="json")


@pytest.mark.parametrize(("body", "code"), [
    ({"mode": "again"}, "invalid"),
    ({"parameters": ["request"]}, "invalid"),
    ({"parameters": {"request": None}}, "invalid"),
    ({"parameters": {"nope": "1"}}, "unknown_parameter"),
    ({"parameters": {"request": "ten"}}, "invalid_parameter_value"),
])
def test_bad_run_requests_are_refused_and_record_nothing(clients: dict[str, APIClient], magda: Module,
                                                         body: dict[str, Any], code: str) -> None:
    response = run(clients["modeler"], magda, **body)
    assert response.status_code == 400, response.content
    if code != "invalid":
        assert response.json()["code"] == code
    assert not Run.objects.exists()


def test_process_needs_an_aggregation(clients: dict[str, APIClient], project: Any, users: dict[str, Any]) -> None:
    owner = users["modeler"]
    plain = simple("Plain", "RAISE NOTICE 'hi';", [], project=project, owner=owner)
    target = make_module("Plain module", plain, project=project, owner=owner)
    response = run(clients["modeler"], target, mode="process")
    assert response.status_code == 400 and response.json()["code"] == "no_aggregation"
    assert clients["modeler"].get(f"/api/modules/{target.pk}").json()["aggregation"] is None
    assert not Run.objects.exists()


def test_run_run_process_through_the_api(clients: dict[str, APIClient], magda: Module, worker: Any) -> None:  # noqa: F811
    client = clients["modeler"]
    detail = client.get(f"/api/modules/{magda.pk}").json()
    assert detail["aggregation"] == {"pending": False, "runs": 0, "rows": 0, "submodules": []}
    for request in ("10", "20"):
        response = run(client, magda, mode="run", parameters={"request": request})
        assert response.status_code == 202, response.content
        assert response.json()["mode"] == "run"
        assert wait_for(response.json()["id"]).result == "SUCCESS"
        detail = client.get(f"/api/runs/{response.json()['id']}").json()
        assert detail["parameter_overrides"] == {"request": request}  # this run's own values
    aggregation = client.get(f"/api/modules/{magda.pk}").json()["aggregation"]
    assert (aggregation["pending"], aggregation["runs"], aggregation["rows"]) == (True, 2, 2)
    [state] = aggregation["submodules"]
    assert (state["path"], state["runs"], state["rows"], state["state_version"]) == ("agg_mod", 2, 2, 2)
    rows = client.get(f"/api/datasets/{state['dataset']}/rows", {"version": state["state_version"]}).json()
    assert [r[1] for r in rows["rows"]] == [110, 220], rows  # [record_id, value]
    listed = next(m for m in client.get("/api/modules").json() if m["id"] == magda.pk)
    assert listed["aggregation"] == aggregation and listed["status"] == "OutOfDate"
    status = client.get(f"/api/modules/{magda.pk}/status").json()
    assert status["reasons"] == [{"code": "process_pending", "message": "A process is pending: 2 runs (2 rows) "
                                  "aggregated since the last process."}]
    assert [h["mode"] for h in client.get(f"/api/modules/{magda.pk}/history").json()] == ["run", "run"]
    refused = clients["admin"].post(f"/api/modules/{magda.pk}/finalize")
    assert refused.status_code == 409, refused.content  # finalizing accounts for the state: a process is pending
    assert "process_pending" in [r["code"] for r in refused.json()["details"]["reasons"]], refused.json()

    copy = client.post(f"/api/modules/{magda.pk}/copy", {}, format="json")
    assert copy.status_code == 201, copy.content
    assert copy.json()["aggregation"] == {"pending": False, "runs": 0, "rows": 0, "submodules": []}
    compared = client.get("/api/modules/compare", {"first": magda.pk, "second": copy.json()["id"]}).json()["rows"]
    pending = {r["key"]: (r["first"], r["second"], r["result"]) for r in compared if r["section"] == "aggregation"}
    assert pending["Process Pending"][2] == "DIFFERENT"
    assert pending["agg_mod / Runs Pending"] == ("2", None, "FIRST ONLY")

    response = run(client, magda, mode="process")
    assert response.status_code == 202 and response.json()["mode"] == "process"
    assert wait_for(response.json()["id"]).result == "SUCCESS"
    assert client.get(f"/api/runs/{response.json()['id']}").json()["parameter_overrides"] == {}
    after = client.get(f"/api/modules/{magda.pk}").json()
    assert after["status"] == "UpToDate" and after["aggregation"]["pending"] is False

    state_dataset = AggregationState.objects.get(module=magda).dataset_id
    removed = client.delete(f"/api/modules/{magda.pk}")
    assert removed.status_code == 204, removed.content
    assert state_dataset is not None
    assert not Dataset.objects.filter(pk=state_dataset).exists() and not table_exists(state_dataset)
