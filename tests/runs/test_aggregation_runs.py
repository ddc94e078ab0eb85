"""Aggregation modules on a real worker (docs/aggregation.md): MAGDA's three examples, run and process
modes, the state across runs, failures adding and clearing nothing, and the module's aggregation state."""

from typing import Any

import pytest

from apps.datasets.models import Dataset
from apps.datasets.workspace import workspace
from apps.engine.storage import qualified_text
from apps.modules.aggregation_demo import module_name, seed_magda_example
from apps.modules.models import Module
from apps.modules.status import compute_statuses, module_status
from apps.runs.models import AggregationState, Run
from apps.runs.services import run_request
from tests.runs.builders import no_leftovers, wait_for

pytestmark = pytest.mark.django_db(transaction=True)


def values_of(dataset_id: int, path: list[int]) -> list[int]:
    with workspace() as conn:
        return [int(v) for (v,) in conn.execute(
            f"SELECT value FROM {qualified_text(dataset_id)} WHERE mb_version = ANY(%s) "
            "AND NOT (mb_deleted && %s::integer[]) ORDER BY record_id", [path, path]).fetchall()]


def go(module: Module, user: Any, mode: str, request: int | None = None) -> Run:
    parameters = {"request": str(request)} if request is not None else None
    return wait_for(run_request(module=module, user=user, mode=mode, parameters=parameters).pk)


def processed(run: Run) -> list[int]:
    """The rows the run wrote to the module's output `processed`."""
    row = next(r for r in run.datasets if r["direction"] == "OUT" and r["placeholder"] == "processed")
    dataset = Dataset.objects.get(pk=row["dataset"])
    return values_of(dataset.pk, dataset.versions.get(number=row["version"]).path)


def state(module: Module) -> AggregationState:
    return AggregationState.objects.get(module=module, path="agg_mod")


def state_values(module: Module) -> list[int]:
    current = state(module)
    assert current.dataset is not None
    return values_of(current.dataset_id, current.dataset.versions.get(number=current.version).path)  # type: ignore[arg-type]


@pytest.fixture
def magda(project: Any, users: dict[str, Any], worker: Any) -> Any:
    def make(example: int) -> Module:
        seed_magda_example(project=project, owner=users["modeler"], example=example)
        return Module.objects.get(name=module_name(example))
    return make


def test_example_1_collects_and_processes_as_magda(magda: Any, users: dict[str, Any]) -> None:
    module, user = magda(1), users["modeler"]
    first = go(module, user, "run", 10)
    assert first.result == "SUCCESS", first.error
    assert first.mode == "run" and not any(r["direction"] == "OUT" for r in first.datasets)  # nothing after agg_mod
    assert [s.path for s in first.steps.all()] == ["reg_mod", "agg_mod"]
    assert go(module, user, "run", 20).result == "SUCCESS"
    assert state_values(module) == [110, 220]
    status = module_status(module)
    assert [r.code for r in status.reasons] == ["process_pending"]
    assert status.reasons[0].message == "A process is pending: 2 runs (2 rows) aggregated since the last process."
    summary = compute_statuses([module]).aggregations[module.pk]
    assert summary is not None and summary["pending"] and summary["runs"] == 2 and summary["rows"] == 2

    process = go(module, user, "process")
    assert process.result == "SUCCESS", process.error
    assert process.mode == "process" and [s.path for s in process.steps.all()] == ["agg_mod"]
    assert processed(process) == [110, 220]
    assert state_values(module) == [] and state(module).runs == 0
    assert module_status(module).status == "UpToDate"

    assert go(module, user, "run", 40).result == "SUCCESS"
    assert processed(go(module, user, "process")) == [440]
    assert processed(go(module, user, "process")) == []  # processing twice: the state was cleared
    versions = list(state(module).dataset.versions.order_by("number").values_list("number", "pending_run"))  # type: ignore[union-attr]
    assert versions == [(n, None) for n in range(7)]  # empty, +10, +20, processed, +40, processed, processed
    no_leftovers()


def test_example_2_process_returns_the_sum(magda: Any, users: dict[str, Any]) -> None:
    module, user = magda(2), users["modeler"]
    for request in (10, 20):
        assert go(module, user, "run", request).result == "SUCCESS"
    assert state_values(module) == [110, 220]
    assert processed(go(module, user, "process")) == [330]
    assert state_values(module) == []


def test_example_3_aggregate_keeps_a_running_sum(magda: Any, users: dict[str, Any]) -> None:
    module, user = magda(3), users["modeler"]
    assert go(module, user, "run", 10).result == "SUCCESS"
    assert state_values(module) == [110]
    assert go(module, user, "run", 20).result == "SUCCESS"
    assert state_values(module) == [330]  # one row: the running sum
    assert state(module).runs == 2 and state(module).rows == 1
    assert processed(go(module, user, "process")) == [330]
    assert go(module, user, "run", 40).result == "SUCCESS"
    assert state_values(module) == [440]  # cleared by the process, then summed again


def test_history_records_the_mode_and_the_values_used(magda: Any, users: dict[str, Any]) -> None:
    module, user = magda(1), users["modeler"]
    run = go(module, user, "run", 20)
    assert run.parameter_overrides == {"request": "20"}
    assert {p["name"]: p["input_value"] for p in run.parameters} == {"request": "20", "val": "11"}
    module.refresh_from_db()
    assert module.parameter_bindings["request"] == "10"  # the module itself is unchanged
    agg_step = run.steps.get(path="agg_mod")
    assert "state_iov" in agg_step.user_script
    assert [(d["placeholder"], d["direction"]) for d in agg_step.datasets if d["placeholder"] == "state"] == [
        ("state", "IN"), ("state", "OUT")]


def test_a_failed_run_adds_nothing_and_a_failed_process_clears_nothing(magda: Any, users: dict[str, Any]) -> None:
    module, user = magda(1), users["modeler"]
    assert go(module, user, "run", 10).result == "SUCCESS"
    before = (state(module).version, state(module).runs)
    failed = go(module, user, "run", 2 ** 62)  # request × 11 overflows bigint in reg_mod
    assert failed.result == "FAILED"
    assert (state(module).version, state(module).runs) == before and state_values(module) == [110]
    # a process failing at its last step (the output's REPLACE target is gone) clears nothing
    Module.objects.filter(pk=module.pk).update(dataset_bindings={"processed": {"output_method": "NEW",
                                                                                "name_pattern": "taken"}})
    Dataset.objects.create(name="taken", dataset_type=state(module).dataset.dataset_type,  # type: ignore[union-attr]
                           project=module.project, creator=user)
    refused = go(Module.objects.get(pk=module.pk), user, "process")
    assert refused.result == "FAILED" and refused.error["code"] == "output_name_taken"
    assert state_values(module) == [110] and state(module).runs == 1
    no_leftovers()


def test_a_failing_process_script_clears_nothing(project: Any, users: dict[str, Any], worker: Any) -> None:
    from apps.moduletypes.models import ModuleType

    seed_magda_example(project=project, owner=users["modeler"], example=2)
    module, user = Module.objects.get(name=module_name(2)), users["modeler"]
    assert go(module, user, "run", 10).result == "SUCCESS"
    ModuleType.objects.get(name="MAGDA Sum").versions.update(
        process_sql="INSERT INTO ${result} (value) SELECT sum(value) FROM ${state};\nSELECT 1 / 0 INTO STRICT #{x};"
        .replace("#{x}", "v_unused"))
    failed = go(module, user, "process")
    assert failed.result == "FAILED"
    assert state_values(module) == [110] and state(module).runs == 1
