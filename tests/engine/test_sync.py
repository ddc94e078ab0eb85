"""Synchronized consumers (apps.engine.sync, docs/progressive.md): a module joining two inputs only
acts on rows both have seen."""

from collections.abc import Iterator
from typing import Any

import numpy as np
import psycopg
import pytest

from apps.engine import storage
from apps.engine.dataflow import Dataflow, Module
from apps.engine.operators import Filter, Max, Min
from apps.engine.pg_scan import PgScan
from apps.engine.scheduler import ModuleEvent, Scheduler
from apps.engine.storage import Column
from apps.engine.sync import SyncJoin, Zip, consistent

from .conftest import _ids

N = 60_000


@pytest.fixture
def dataset(ws: psycopg.Connection[Any]) -> Iterator[int]:
    dataset_id = next(_ids)
    storage.create_table(ws, dataset_id, [Column("x", "double precision"), Column("y", "bigint")])
    with ws.transaction():
        storage.begin_version_write(ws, dataset_id, 0)
        ws.execute(f"INSERT INTO {storage.qualified_text(dataset_id)} (x, y) "
                   "SELECT sin(g) * g, g * 3 FROM generate_series(1, %s) g", [N])
    yield dataset_id
    storage.drop_table(ws, dataset_id)


def _scheduler(flow: Dataflow) -> Scheduler:
    scheduler = Scheduler(quantum=0.05)
    scheduler.install(flow)
    return scheduler


def test_consistent_means_equal_on_every_shared_source() -> None:
    assert consistent([{"s": 5}, {"s": 5, "t": 1}, {"t": 1}])
    assert not consistent([{"s": 5}, {"s": 6}])
    assert consistent([{"s": 5}, {"t": 9}, {}])


def test_a_join_of_min_and_max_only_combines_results_of_the_same_rows(workspace_database: str,
                                                                     dataset: int) -> None:
    x = np.sin(np.arange(1, N + 1)) * np.arange(1, N + 1)
    scan = PgScan("scan", connect=workspace_database, dataset_id=dataset, path=[0], columns=["x"],
                  default_step_size=4_000, max_page=4_000, max_backlog=1)  # lockstep
    fast, slow = Min("min"), Max("max", max_step_size=1_500)  # max lags behind min
    join = SyncJoin("range", ["lo", "hi"],
                    lambda v: {"lo": v["lo"]["x"], "hi": v["hi"]["x"]} if v["lo"] and v["hi"] else None)
    flow = Dataflow([scan, fast, slow, join])
    flow.connect(scan, "table", fast, "table")
    flow.connect(scan, "table", slow, "table")
    flow.connect(fast, "result", join, "lo")
    flow.connect(slow, "result", join, "hi")
    combined: list[tuple[int, Any]] = []
    lagging = 0

    def tick(module: Module, event: ModuleEvent) -> None:
        nonlocal lagging
        if fast.frontier() != slow.frontier():
            lagging += 1
        if module is join and event.kind == "run" and join.result is not None:
            combined.append((join.frontier()["scan"], join.result))

    outcome = _scheduler(flow).run(on_tick=tick)
    assert outcome.status == "completed", outcome.errors
    assert lagging > 0 and join.waits > 0  # the inputs did drift apart, and the join waited
    assert len(combined) >= 3
    for rows, result in combined:  # every combination is of one same prefix of the scan
        assert result == {"lo": float(x[:rows].min()), "hi": float(x[:rows].max())}
    assert combined[-1] == (N, {"lo": float(x.min()), "hi": float(x.max())})


def test_a_filter_reports_its_source_frontier_once_caught_up(workspace_database: str, dataset: int) -> None:
    scan = PgScan("scan", connect=workspace_database, dataset_id=dataset, path=[0], columns=["x"],
                  default_step_size=5_000, max_page=5_000)
    positive = Filter("pos", lambda c: c["x"] > 0)
    mx = Max("max")
    flow = Dataflow([scan, positive, mx])
    flow.connect(scan, "table", positive, "table")
    flow.connect(positive, "table", mx, "table")
    x = np.sin(np.arange(1, N + 1)) * np.arange(1, N + 1)

    def tick(module: Module, event: ModuleEvent) -> None:
        if module is mx and event.kind == "run" and mx.frontier():
            rows = mx.frontier()["scan"]
            head = x[:rows]
            assert event.result["x"] == float(head[head > 0].max())

    assert _scheduler(flow).run(on_tick=tick).status == "completed"
    assert mx.frontier() == {"scan": N}


def test_zip_appends_only_rows_both_inputs_have(workspace_database: str, dataset: int) -> None:
    a = PgScan("a", connect=workspace_database, dataset_id=dataset, path=[0], columns=["x"],
               with_record_id=True, default_step_size=3_000, max_page=3_000)
    b = PgScan("b", connect=workspace_database, dataset_id=dataset, path=[0], columns=["y"],
               with_record_id=True, default_step_size=1_000, max_page=1_000)  # b is slower
    zip_ = Zip("zip", ["a", "b"])
    flow = Dataflow([a, b, zip_])
    flow.connect(a, "table", zip_, "a")
    flow.connect(b, "table", zip_, "b")
    seen: list[int] = []

    def tick(module: Module, event: ModuleEvent) -> None:
        if module is zip_:
            assert zip_.out.next_id <= min(a.rows_read, b.rows_read)
            seen.append(zip_.out.next_id)

    assert _scheduler(flow).run(on_tick=tick).status == "completed"
    out = zip_.out.to_dict()
    assert len(set(seen)) >= 3 and zip_.out.next_id == N
    assert np.array_equal(out["a.record_id"], out["b.record_id"])  # row i of both is one record
    assert np.array_equal(out["b.y"], np.arange(1, N + 1) * 3.0)
    assert zip_.frontier() == {}  # two scans are two sources: nothing shared to report
