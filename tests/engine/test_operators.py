import json
import math
import time
from typing import Any

import numpy as np
import pytest

from apps.engine.dataflow import Dataflow, Module, ModuleState
from apps.engine.operators import (
    Filter,
    Histogram,
    Max,
    Min,
    Quantiles,
    QuantileSketch,
    Scan,
    Stats,
    TableOperator,
)
from apps.engine.ptable import PTable
from apps.engine.scheduler import ModuleEvent, RunOutcome, Scheduler
from apps.engine.steps import Source, Value

N = 1_000_000
CHUNK = 100_000


@pytest.fixture(scope="module")
def data() -> dict[str, np.ndarray]:
    rng = np.random.default_rng(42)
    return {
        "x": rng.normal(size=N),
        "y": rng.uniform(-10, 10, size=N),
        "k": rng.integers(-1000, 1000, size=N),
    }


def run_op(
    op: Module, data: dict[str, np.ndarray], step_size: int = CHUNK
) -> tuple[RunOutcome, list[ModuleEvent]]:
    src = Source("src", data, step_size=step_size)
    df = Dataflow([src, op])
    df.connect(src, "table", op, "table")
    events: list[ModuleEvent] = []
    scheduler = Scheduler(quantum=0.5)
    scheduler.install(df)
    outcome = scheduler.run(
        on_tick=lambda m, e: events.append(e) if m is op and e.kind == "run" else None
    )
    assert outcome.status == "completed", outcome.errors
    assert op.state == ModuleState.TERMINATED
    return outcome, events


def partials(events: list[ModuleEvent]) -> list[ModuleEvent]:
    return [e for e in events if e.progress[1] is not None and e.progress[0] < e.progress[1]]


def test_min_max_match_numpy_and_every_partial_is_exact_for_its_prefix(data: Any) -> None:
    for cls, fn in ((Min, np.min), (Max, np.max)):
        op = cls(cls.__name__.lower())
        outcome, events = run_op(op, data)
        assert outcome.results[op.id] == {c: fn(a).item() for c, a in data.items()}
        assert isinstance(outcome.results[op.id]["k"], int)
        early = partials(events)
        assert len(early) >= 5  # published long before completion
        for e in early:
            done = e.progress[0]
            assert e.result == {c: fn(a[:done]).item() for c, a in data.items()}


def test_stats_match_numpy(data: Any) -> None:
    op = Stats("stats", columns=["x", "y"])
    outcome, events = run_op(op, data)
    result = outcome.results["stats"]
    assert set(result) == {"x", "y"}
    for c in ("x", "y"):
        a = data[c]
        r = result[c]
        assert r["count"] == N
        assert r["mean"] == pytest.approx(a.mean(), rel=1e-12, abs=1e-15)
        assert r["variance"] == pytest.approx(a.var(), rel=1e-12)
        assert r["std"] == pytest.approx(a.std(), rel=1e-12)
        assert (r["min"], r["max"]) == (a.min(), a.max())
    e = partials(events)[0]
    prefix = data["y"][: e.progress[0]]
    assert e.result["y"]["variance"] == pytest.approx(prefix.var(), rel=1e-12)


def test_histogram_matches_numpy(data: Any) -> None:
    op = Histogram("hist", "x", bins=50, range=(-3.0, 3.0))
    outcome, events = run_op(op, data)
    counts, edges = np.histogram(data["x"], bins=50, range=(-3.0, 3.0))
    result = outcome.results["hist"]
    np.testing.assert_array_equal(result["counts"], counts)
    np.testing.assert_array_equal(result["edges"], edges)
    assert result["underflow"] == np.count_nonzero(data["x"] < -3)
    assert result["overflow"] == np.count_nonzero(data["x"] > 3)
    assert result["counts"].sum() + result["underflow"] + result["overflow"] == N
    assert sum(partials(events)[0].result["counts"]) < counts.sum()


def test_histogram_with_explicit_edges(data: Any) -> None:
    edges = [-10, -1, 0, 0.5, 9]
    op = Histogram("hist", "y", edges=edges)
    outcome, _ = run_op(op, data)
    np.testing.assert_array_equal(
        outcome.results["hist"]["counts"], np.histogram(data["y"], bins=edges)[0]
    )
    with pytest.raises(ValueError):
        Histogram("h", "y")  # neither edges nor a known range


def test_quantiles_exact_match_numpy(data: Any) -> None:
    qs = (0.0, 0.01, 0.25, 0.5, 0.9, 1.0)
    op = Quantiles("q", "x", quantiles=qs, exact_limit=N)
    outcome, events = run_op(op, data)
    result = outcome.results["q"]
    assert result["exact"] and result["count"] == N and result["rank_error"] == 0.0
    assert list(result["quantiles"].values()) == np.quantile(data["x"], qs).tolist()
    assert partials(events)


def test_quantiles_sketch_stays_within_its_reported_error_bound(data: Any) -> None:
    qs = (0.001, 0.1, 0.5, 0.9, 0.999)
    k = 4096
    op = Quantiles("q", "y", quantiles=qs, exact_limit=10_000, sketch_size=k)
    outcome, _ = run_op(op, data)
    result = outcome.results["q"]
    assert not result["exact"] and result["count"] == N
    bound = result["rank_error"]
    assert 0 < bound <= (math.log2(N / k) + 1) / k  # the documented theoretical bound
    ordered = np.sort(data["y"])
    for q, value in result["quantiles"].items():
        rank = np.searchsorted(ordered, value)  # rank of the answer in the real data
        assert abs(rank - q * (N - 1)) <= bound * N + 1
    assert op.sketch is not None and op.sketch.size < 20 * k


def test_quantile_sketch_keeps_total_weight() -> None:
    sketch = QuantileSketch(k=64)
    rng = np.random.default_rng(1)
    for _ in range(50):
        sketch.update(rng.uniform(size=997))
    weights = sum(level.size << i for i, level in enumerate(sketch.levels))
    assert weights == sketch.n == 50 * 997
    assert all(level.size <= 64 for level in sketch.levels)
    assert math.isnan(QuantileSketch().quantiles([0.5])[0])


def test_scan_passes_a_column_subset_through(data: Any) -> None:
    op = Scan("scan", columns=["x", "k"])
    outcome, events = run_op(op, data)
    out = outcome.results["scan"]
    assert isinstance(out, PTable) and out.columns == ["x", "k"]
    np.testing.assert_array_equal(out.column("x"), data["x"])
    np.testing.assert_array_equal(out.column("k"), data["k"])
    assert out.expected_rows == N
    assert partials(events)


def test_filter_keeps_matching_rows(data: Any) -> None:
    op = Filter("filter", lambda d: (d["x"] > 1.0) & (d["k"] % 2 == 0), columns=["y"])
    outcome, _ = run_op(op, data)
    mask = (data["x"] > 1.0) & (data["k"] % 2 == 0)
    out = outcome.results["filter"]
    assert out.columns == ["y"]
    np.testing.assert_array_equal(out.column("y"), data["y"][mask])
    assert out.expected_rows == int(mask.sum())


def test_nan_is_ignored_like_numpy_nan_functions() -> None:
    x = np.array([1.0, np.nan, -2.0, 7.5, np.nan, 3.0])
    outcome_min, _ = run_op(Min("min"), {"x": x}, step_size=2)
    assert outcome_min.results["min"] == {"x": np.nanmin(x)}
    outcome, _ = run_op(Stats("stats"), {"x": x}, step_size=2)
    r = outcome.results["stats"]["x"]
    assert r["count"] == 4
    assert r["mean"] == pytest.approx(np.nanmean(x))
    assert r["variance"] == pytest.approx(np.nanvar(x))
    outcome, _ = run_op(Histogram("h", "x", bins=2, range=(0, 10)), {"x": x}, step_size=2)
    assert outcome.results["h"]["nan"] == 2 and outcome.results["h"]["underflow"] == 1


def test_empty_input_gives_an_empty_result() -> None:
    outcome, _ = run_op(Stats("stats"), {"x": np.empty(0)})
    assert outcome.results["stats"] == {}
    json.dumps(outcome.results["stats"])


def manual(op: TableOperator, table: PTable) -> Value:
    holder = Value("holder", None, type="table")
    df = Dataflow([holder, op])
    df.connect(holder, "value", op, "table")
    df.bind()
    holder.set_output("value", table)
    return holder


def test_updates_and_deletes_reset_the_operator() -> None:
    table = PTable.from_dict({"x": np.arange(10.0)})
    op = Max("max")
    manual(op, table)
    op.run(1, 0.5)
    assert op.result == {"x": 9.0} and op.state == ModuleState.BLOCKED
    assert not op.is_ready()
    table.append({"x": [5.0]})  # creation: incremental, no reset
    assert op.is_ready()
    op.run(2, 0.5)
    assert op.result == {"x": 9.0} and op.resets == 0 and op.watermark == 11
    table.delete([9])
    op.run(3, 0.5)
    assert op.result == {"x": 8.0} and op.resets == 1
    table.update([0], {"x": [100.0]})
    op.run(4, 0.5)
    assert op.result == {"x": 100.0} and op.resets == 2
    assert op.progress() == (10, None)


def test_downstream_of_a_reset_scan_resets_too() -> None:
    table = PTable.from_dict({"x": np.arange(5.0)})
    scan, mx = Scan("scan"), Max("max")
    manual(scan, table)
    assert scan.dataflow is not None
    scan.dataflow.add(mx)
    scan.dataflow.connect(scan, "table", mx, "table")
    scan.dataflow.bind()
    scan.run(1, 0.5)
    mx.run(2, 0.5)
    assert mx.result == {"x": 4.0}
    table.delete([4])
    scan.run(3, 0.5)  # scan resets: clears and refills its output table
    mx.run(4, 0.5)
    assert mx.result == {"x": 3.0} and mx.resets == 1
    assert scan.out.column("x").tolist() == [0.0, 1.0, 2.0, 3.0]


class Slow(TableOperator):
    def process_chunk(self, data: dict[str, np.ndarray], nrows: int) -> None:
        time.sleep(0.005)

    def publish(self) -> None:
        self.result = self.rows_done


def test_a_step_stops_at_the_end_of_its_quantum() -> None:
    table = PTable.from_dict({"x": np.zeros(N)})
    op = Slow("slow", default_step_size=N)  # 4 sub-chunks of 250k rows, 5 ms each
    manual(op, table)
    op.run(1, 0.004)
    assert op.rows_done == N // 4  # stopped after the first sub-chunk, not after four
    assert op.state == ModuleState.READY
