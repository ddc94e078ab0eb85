"""Aggregation modules on a real worker (docs/aggregation.md): MAGDA's three examples, run and process
modes, the state across runs, failures adding and clearing nothing, and the module's aggregation state."""

from typing import Any

import numpy as np
import pytest

from apps.datasets.models import Dataset
from apps.datasets.workspace import workspace
from apps.engine.storage import qualified_text
from apps.modules.aggregation_demo import histogram_merge_types, module_name, seed_magda_example
from apps.modules.models import Module
from apps.modules.status import compute_statuses, module_status
from apps.moduletypes.builtins import builtin_version
from apps.moduletypes.models import ModuleTypeVersion
from apps.runs.models import AggregationState, Run
from apps.runs.services import run_request
from tests.runs.builders import (
    composite,
    ds,
    module,
    no_leftovers,
    numbers,
    numbers_type,
    param,
    simple,
    wait_for,
    wire,
)

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
    assert current.dataset is not None and current.version is not None
    return values_of(current.dataset.pk, current.dataset.versions.get(number=current.version).path)


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
    assert refused.result == "FAILED" and refused.error is not None
    assert refused.error["code"] == "output_name_taken"
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


# ------------------------------------------------------ a histogram merged across runs (progressive)

def bins_of(dataset_id: int, path: list[int]) -> list[tuple[int, float, float, int]]:
    with workspace() as conn:
        return [(int(b), float(lo), float(hi), int(c)) for b, lo, hi, c in conn.execute(
            f"SELECT bin, lower_edge, upper_edge, count FROM {qualified_text(dataset_id)} WHERE mb_version = ANY(%s) "
            "AND NOT (mb_deleted && %s::integer[]) ORDER BY bin", [path, path]).fetchall()]


def test_an_aggregation_after_a_histogram_keeps_the_merged_histogram(project: Any, users: dict[str, Any],
                                                                      worker: Any) -> None:
    """Scan → Histogram → Histogram Merge (docs/aggregation.md §6): each run adds its histogram's final
    bins to the state (counts summed per bin), process passes on the histogram of both runs' data
    (numpy's, over the same bins); a run with other bins fails and adds nothing."""
    owner = users["modeler"]
    flow = histogram_merge_types(project=project, owner=owner, data_type=numbers_type(owner))
    first_rows = [(i, (i * 37) % 101 * 0.99) for i in range(500)]
    second_rows = [(i, (i * 13) % 97 + 0.5) for i in range(300)] + [(901, 150.0)]  # 150: outside [0, 100]
    first = numbers("hist first", first_rows, project=project, owner=owner)
    with workspace() as conn:  # a NULL: counted in no bin (NaN for the Histogram)
        conn.execute(f"INSERT INTO {qualified_text(first.pk)} (mb_version, k, v) VALUES (0, 900, NULL)")
    second = numbers("hist second", second_rows, project=project, owner=owner)
    target = module("Histogram over runs", flow, project=project, owner=owner,
                    datasets={"data": {"dataset": first.pk, "version": None},
                              "merged": {"output_method": "NEW", "name_pattern": "merged #${run.id}"}},
                    parameters={"column": "v", "bins": "8", "min": "0", "max": "100"})

    run1 = wait_for(run_request(module=target, user=owner, mode="run").pk, 90)
    assert run1.result == "SUCCESS", run1.error
    assert [s.path for s in run1.steps.order_by("path")] == ["hist", "merge", "scan"]
    merge = AggregationState.objects.get(module=target, path="merge")
    assert merge.dataset is not None and merge.version is not None
    want1, _ = np.histogram([v for _, v in first_rows], bins=8, range=(0, 100))
    state_path = list(merge.dataset.versions.get(number=merge.version).path)
    assert [c for *_, c in bins_of(merge.dataset.pk, state_path)] == want1.tolist()
    hist_step = run1.steps.get(path="hist")
    assert [(d["direction"], d["internal"]) for d in hist_step.datasets] == [("IN", False), ("OUT", True)]

    Module.objects.filter(pk=target.pk).update(dataset_bindings={**target.dataset_bindings,
                                                                 "data": {"dataset": second.pk, "version": None}})
    target.refresh_from_db()
    run2 = wait_for(run_request(module=target, user=owner, mode="run").pk, 90)
    assert run2.result == "SUCCESS", run2.error
    merge.refresh_from_db()
    assert merge.runs == 2 and merge.rows == 8

    # other bins (max 50): the run fails in the aggregate step and the state is as it was
    before = (merge.version, merge.runs, merge.rows)
    refused = wait_for(run_request(module=target, user=owner, mode="run", parameters={"max": "50"}).pk, 90)
    assert refused.result == "FAILED" and refused.error is not None
    assert "bins differ" in refused.error["message"], refused.error
    assert refused.error["submodule"] == "merge"
    merge.refresh_from_db()
    assert (merge.version, merge.runs, merge.rows) == before

    process = wait_for(run_request(module=target, user=owner, mode="process").pk, 90)
    assert process.result == "SUCCESS", process.error
    assert [s.path for s in process.steps.all()] == ["merge"]
    row = next(r for r in process.datasets if r["direction"] == "OUT" and r["placeholder"] == "merged")
    out = Dataset.objects.get(pk=row["dataset"])
    got = bins_of(out.pk, list(out.versions.get(number=row["version"]).path))
    both = [v for _, v in first_rows] + [v for _, v in second_rows]
    counts, edges = np.histogram(both, bins=8, range=(0, 100))
    assert got == [(i, float(edges[i]), float(edges[i + 1]), int(counts[i])) for i in range(8)]
    assert sum(c for *_, c in got) == len(both) - 1  # 150 is outside the range (and the NULL in no bin)
    merge.refresh_from_db()
    assert merge.runs == 0 and merge.rows == 0

    # the state is empty again: other bins are welcome now
    again = wait_for(run_request(module=target, user=owner, mode="run", parameters={"max": "50"}).pk, 90)
    assert again.result == "SUCCESS", again.error
    no_leftovers()


def test_a_histogram_read_as_a_type_without_its_columns_fails_the_run_naming_them(
        project: Any, users: dict[str, Any], worker: Any) -> None:
    owner = users["modeler"]
    num = numbers_type(owner)
    collect = simple("collect numbers", "", [ds("data", "IN", num), ds("result", "OUT", num)],
                     project=project, owner=owner)
    ModuleTypeVersion.objects.filter(pk=collect.pk).update(is_aggregation=True)
    flow = composite("Histogram into numbers", [(1, "hist", builtin_version("Histogram")), (2, "agg", collect)], [
        wire("dataset", (None, "data"), (1, "input")), wire("dataset", (1, "output"), (2, "data")),
        wire("dataset", (2, "result"), (None, "out")), wire("parameter", (None, "column"), (1, "column"))],
        [ds("data", "IN", num), ds("out", "OUT", num)], [param("column", "IN", "text")], project=project, owner=owner)
    data = numbers("hist numbers", [(1, 1.0), (2, 2.0)], project=project, owner=owner)
    target = module("Histogram into numbers", flow, project=project, owner=owner,
                    datasets={"data": {"dataset": data.pk, "version": None},
                              "out": {"output_method": "NEW", "name_pattern": "out #${run.id}"}},
                    parameters={"column": "v"})
    done = wait_for(run_request(module=target, user=owner, mode="run").pk, 90)
    assert done.result == "FAILED" and done.error is not None
    assert done.error["code"] == "histogram_output_columns", done.error
    assert "no column bin, lower_edge, upper_edge, count" in done.error["message"]
    assert AggregationState.objects.get(module=target, path="agg").runs == 0
    no_leftovers()
