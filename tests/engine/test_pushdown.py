"""Server-side partial aggregation (apps.engine.pushdown): a reducing operator that is a PgScan's only
consumer gets per-page partial aggregates instead of rows. Partial results equal the operator over
exactly the rows read so far (record_id order), finals equal numpy and the row path, a rescan resets."""

import math
from collections.abc import Iterator
from typing import Any

import numpy as np
import psycopg
import pytest

from apps.engine import storage
from apps.engine.dataflow import Dataflow, Module, ModuleError
from apps.engine.operators import Histogram, Max, Min, Quantiles, Stats, TableOperator
from apps.engine.pg_scan import PgScan, push_down
from apps.engine.scheduler import ModuleEvent, Scheduler
from apps.engine.storage import Column

from .conftest import _ids

N = 60_000
EDGES_RANGE = (-50.0, 150.0)
SPECIAL = ["'NaN'", "'Infinity'", "'-Infinity'", "-50", "150", "100", "-50.0000001", "150.0000001", "0", "NULL"]


@pytest.fixture
def dataset(ws: psycopg.Connection[Any]) -> Iterator[int]:
    """x: uniform in [-60, 160) (some outside the range), every 97th NULL, special values (NaN, +-inf,
    the edges, just outside them) spread through the ids; k an integer."""
    dataset_id = next(_ids)
    storage.create_table(ws, dataset_id, [Column("x", "double precision"), Column("k", "integer")])
    with ws.transaction():
        storage.begin_version_write(ws, dataset_id, 0)
        ws.execute("SELECT setseed(0.3)")
        specials = "ARRAY[" + ",".join(f"{v}::float8" for v in SPECIAL) + "]"
        ws.execute(
            f"INSERT INTO {storage.qualified_text(dataset_id)} (x, k) "
            f"SELECT CASE WHEN g %% 97 = 0 THEN NULL WHEN g %% 1009 = 0 THEN ({specials})[1 + (g / 1009) %% {len(SPECIAL)}] "
            "WHEN g %% 13 = 0 THEN round((random() * 200 - 50)::numeric / 12.5) * 12.5 "  # on an edge
            "ELSE random() * 220 - 60 END, (g::bigint * 7919) %% 1000 - 500 FROM generate_series(1, %s) g", [N])
    storage.analyze_table(ws, dataset_id)
    yield dataset_id
    storage.drop_table(ws, dataset_id)


def _truth(ws: psycopg.Connection[Any], dataset_id: int) -> dict[str, np.ndarray]:
    rows = ws.execute(f"SELECT x, k FROM {storage.qualified_text(dataset_id)} ORDER BY record_id").fetchall()
    return {"x": np.array([math.nan if r[0] is None else r[0] for r in rows], dtype=np.float64),
            "k": np.array([r[1] for r in rows], dtype=np.float64)}


def _expected(op: TableOperator, data: dict[str, np.ndarray]) -> Any:
    """The operator's result over `data`, computed by the row path in one chunk (numpy)."""
    fresh = type(op)(op.id, op.column, bins=16, range=EDGES_RANGE) if isinstance(op, Histogram) else type(op)(op.id)
    if len(next(iter(data.values()))):
        fresh.process_chunk(dict(data) if not isinstance(op, Histogram) else {op.column: data[op.column]},
                            len(data["x"]))
    fresh.publish()
    return fresh.result


def _same(a: Any, b: Any, *, approx: bool = False) -> bool:
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k], approx=approx) for k in a)
    if isinstance(a, np.ndarray):
        return np.array_equal(a, b)
    if isinstance(a, float) and isinstance(b, float):
        if math.isnan(a) or math.isnan(b):
            return math.isnan(a) and math.isnan(b)
        return a == pytest.approx(b, rel=1e-9, abs=1e-9) if approx else a == b
    return bool(a == b)


def _run(scan: PgScan, op: Module, *, pushed: bool, quantum: float = 0.02) -> tuple[Any, list[tuple[int, Any]]]:
    if pushed:
        assert push_down(scan, op)
    flow = Dataflow([scan, op])
    flow.connect(scan, "table", op, "table")
    partials: list[tuple[int, Any]] = []

    def tick(module: Module, event: ModuleEvent) -> None:
        if module is op and event.kind == "run":
            assert op.frontier() == {scan.id: op.rows_done}  # type: ignore[attr-defined]
            partials.append((op.rows_done, event.result))  # type: ignore[attr-defined]

    scheduler = Scheduler(quantum)
    scheduler.install(flow)
    outcome = scheduler.run(on_tick=tick)
    assert outcome.status == "completed", outcome.errors
    return outcome.results[op.id], partials


@pytest.mark.parametrize("make", [lambda: Max("op"), lambda: Min("op"), lambda: Stats("op"),
                                  lambda: Histogram("op", "x", bins=16, range=EDGES_RANGE)],
                         ids=["max", "min", "stats", "histogram"])
def test_pushed_partials_and_finals_equal_the_row_path_and_numpy(ws: Any, workspace_database: str, dataset: int,
                                                                  make: Any) -> None:
    truth = _truth(ws, dataset)
    results = {}
    for pushed in (True, False):
        scan = PgScan("scan", connect=workspace_database, dataset_id=dataset, path=[0], columns=["x", "k"],
                      default_step_size=4_000)
        op = make()
        final, partials = _run(scan, op, pushed=pushed)
        assert (scan.pushdown is not None) == pushed
        results[pushed] = final
        approx = isinstance(op, Stats)
        assert _same(final, _expected(op, truth), approx=approx)
        assert len([p for p in partials if p[0]]) >= 3  # several partial results before the final one
        for done, result in partials:  # each partial is exactly the first `done` rows
            assert _same(result, _expected(op, {c: v[:done] for c, v in truth.items()}), approx=approx)
        assert scan.progress() == (N, N)
    assert _same(results[True], results[False], approx=isinstance(make(), Stats))
    if isinstance(make(), Histogram):  # numpy itself: the edges, the last bin closed, NaN and outside counted
        x = truth["x"]
        finite = x[~np.isnan(x)]
        counts, _ = np.histogram(finite, bins=16, range=EDGES_RANGE)
        assert np.array_equal(results[True]["counts"], counts)
        assert results[True]["nan"] == x.size - finite.size
        assert results[True]["underflow"] == int((finite < EDGES_RANGE[0]).sum())
        assert results[True]["overflow"] == int((finite > EDGES_RANGE[1]).sum())


def test_a_rescan_resets_the_operator_and_the_final_is_exact(ws: Any, workspace_database: str, dataset: int) -> None:
    truth = _truth(ws, dataset)
    scan = PgScan("scan", connect=workspace_database, dataset_id=dataset, path=[0], columns=["x"],
                  default_step_size=4_000, max_pushdown_page=10_000)
    op = Histogram("op", "x", bins=16, range=EDGES_RANGE)
    assert push_down(scan, op)
    flow = Dataflow([scan, op])
    flow.connect(scan, "table", op, "table")
    scheduler = Scheduler(0.02)
    scheduler.install(flow)
    seen: list[int] = []
    rescanned = False

    def tick(module: Module, event: ModuleEvent) -> None:
        nonlocal rescanned
        if module is op and event.kind == "run":
            seen.append(op.rows_done)
            assert int(op.result["counts"].sum() + op.result["nan"] + op.result["underflow"]
                       + op.result["overflow"]) == op.rows_done
            assert op.rows_done - (seen[-2] if len(seen) > 1 else 0) <= 10_000  # max_pushdown_page per step
            if op.rows_done >= 20_000 and not rescanned:
                rescanned = True
                scan.rescan()  # e.g. steering: every consumer starts over

    outcome = scheduler.run(on_tick=tick)
    assert outcome.status == "completed" and rescanned
    assert any(b < a for a, b in zip(seen, seen[1:], strict=False))  # it started over
    assert _same(outcome.results["op"], _expected(op, truth))


def test_pushdown_only_for_reducers_and_before_the_scan_starts(workspace_database: str, dataset: int) -> None:
    scan = PgScan("scan", connect=workspace_database, dataset_id=dataset, path=[0], columns=["x"])
    assert not push_down(scan, Quantiles("q", "x"))  # reads rows
    assert not push_down(scan, Max("m", columns=["k"]))  # a column the scan does not read
    assert scan.pushdown is None
    op = Max("m")
    assert push_down(scan, op)
    other = Min("other")
    flow = Dataflow([scan, op, other])
    flow.connect(scan, "table", op, "table")
    flow.connect(scan, "table", other, "table")
    scheduler = Scheduler(0.05)
    scheduler.install(flow)
    outcome = scheduler.run()
    assert outcome.status == "failed" and "feeds one operator only" in str(outcome.errors)
    started = PgScan("s2", connect=workspace_database, dataset_id=dataset, path=[0], columns=["x"])
    started.rows_read = 1
    with pytest.raises(ModuleError):
        push_down(started, Max("m2"))
