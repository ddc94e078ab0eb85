"""An aggregation state is its own module's (docs/aggregation.md §2): another module's SQL (of this
project or another) can neither read nor write it, nor bind it; the aggregation's own SQL sees only its
own state version; the datasets API reads it for members only and never writes it."""

from typing import Any

import pytest
from rest_framework.test import APIClient

from apps.datasets.models import Dataset
from apps.datasets.selectors import bindable_datasets
from apps.modules.aggregation_demo import module_name, seed_magda_example
from apps.modules.models import Module
from apps.moduletypes.models import ModuleType
from apps.runs.models import AggregationState
from tests.runs.builders import no_leftovers
from tests.runs.conftest import worker  # noqa: F401  (fixture)
from tests.runs.test_aggregation_runs import go, state_values

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def collected(project: Any, other_project: Any, users: dict[str, Any], worker: Any) -> dict[str, Any]:  # noqa: F811
    """Example 1 with 110 collected in this project, and example 2 (another state) in the same project."""
    seed_magda_example(project=project, owner=users["modeler"], example=1)
    seed_magda_example(project=project, owner=users["modeler"], example=2)
    victim, attacker = Module.objects.get(name=module_name(1)), Module.objects.get(name=module_name(2))
    assert go(victim, users["modeler"], "run", 10).result == "SUCCESS"
    state = AggregationState.objects.get(module=victim, path="agg_mod")
    return {"victim": victim, "attacker": attacker, "state": state}


def _attack(users: dict[str, Any], type_name: str, **sql: str) -> None:
    ModuleType.objects.get(name=type_name).versions.update(**sql)


@pytest.mark.parametrize("attack", [
    "INSERT INTO ${product} (value) SELECT value FROM mb_data.ds_{state};",
    "INSERT INTO mb_data.ds_{state} (mb_version, value) VALUES (1, 666); INSERT INTO ${product} (value) VALUES (1);",
    "UPDATE mb_data.ds_{state} SET value = 666; INSERT INTO ${product} (value) VALUES (1);",
])
def test_a_regular_submodule_cannot_touch_another_modules_state(collected: dict[str, Any], users: dict[str, Any],
                                                                attack: str) -> None:
    state = collected["state"]
    _attack(users, "MAGDA Multiply", algorithm=attack.replace("{state}", str(state.dataset_id)))
    run = go(collected["attacker"], users["modeler"], "run", 1)
    assert run.result == "FAILED" and "permission denied" in (run.error or {}).get("message", ""), run.error
    assert state_values(collected["victim"]) == [110]
    no_leftovers()


def test_aggregation_sql_sees_only_its_own_state(collected: dict[str, Any], users: dict[str, Any]) -> None:
    """The attacker's own aggregation SQL names the victim's state table: refused; its ${state} is its own."""
    state = collected["state"]
    _attack(users, "MAGDA Sum", aggregate_sql=f"INSERT INTO ${{state}} (value) SELECT value FROM mb_data.ds_{state.dataset_id};")
    run = go(collected["attacker"], users["modeler"], "run", 1)
    assert run.result == "FAILED" and "permission denied" in (run.error or {}).get("message", ""), run.error
    _attack(users, "MAGDA Sum", aggregate_sql="INSERT INTO ${state} (value) SELECT count(*) FROM ${state};",
            process_sql="INSERT INTO ${result} (value) SELECT value FROM ${state};")
    assert go(collected["attacker"], users["modeler"], "run", 1).result == "SUCCESS"
    assert state_values(collected["attacker"]) == [0]  # it counted its own (empty) state, not the victim's row
    assert state_values(collected["victim"]) == [110]


def test_no_module_binds_a_state(collected: dict[str, Any], project: Any, clients: dict[str, APIClient]) -> None:
    state = collected["state"]
    assert not bindable_datasets(project_id=project.pk).filter(pk=state.dataset_id).exists()
    response = clients["modeler"].patch(f"/api/modules/{collected['attacker'].pk}", {"dataset_bindings": {
        "processed": {"output_method": "REPLACE", "dataset": state.dataset_id}}}, format="json",
        HTTP_IF_MATCH=clients["modeler"].get(f"/api/modules/{collected['attacker'].pk}")["ETag"])
    assert response.status_code == 400, response.content
    assert state_values(collected["victim"]) == [110]


def test_the_datasets_api_reads_a_state_for_members_only_and_never_writes_it(
        collected: dict[str, Any], clients: dict[str, APIClient]) -> None:
    state = collected["state"]
    url = f"/api/datasets/{state.dataset_id}"
    rows = clients["viewer"].get(f"{url}/rows", {"version": state.version})
    assert rows.status_code == 200, rows.content
    assert clients["stranger"].get(f"{url}/rows", {"version": state.version}).status_code == 404
    assert state.dataset_id not in [d["id"] for d in clients["modeler"].get("/api/datasets").json()]
    modeler = clients["modeler"]
    assert modeler.patch(url, {"description": "mine"}, format="json", HTTP_IF_MATCH='"x"').status_code == 404
    assert modeler.delete(url).status_code == 404
    assert modeler.post(f"{url}/versions", {"base": state.version}, format="json").status_code == 404
    assert modeler.post(f"{url}/import", "value\n666\n", content_type="text/csv").status_code == 404
    assert Dataset.objects.get(pk=state.dataset_id).removed_at is None
    assert state_values(collected["victim"]) == [110]
