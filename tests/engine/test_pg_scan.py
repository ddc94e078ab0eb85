"""PgScan (apps.engine.pg_scan) on the real workspace database: exactness of the operators fed by
it against numpy's one-shot results, scheduler states and order, versions and segments, cancel
latency, bounded memory (StreamTable) and backpressure."""

import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import psycopg
import pytest

from apps.engine import bulk_load, storage
from apps.engine.dataflow import Dataflow, Module, ModuleState
from apps.engine.operators import Histogram, Max, Min, Quantiles, Scan, Stats
from apps.engine.pg_scan import PgScan
from apps.engine.scheduler import ModuleEvent, Scheduler
from apps.engine.storage import Column
from apps.engine.stream_table import RowsReleased, StreamTable

from .conftest import _ids

NUMERIC = [Column("x", "double precision"), Column("k", "integer"), Column("label", "text")]
N = 120_000


def _create(ws: psycopg.Connection[Any], columns: list[Column] = NUMERIC) -> int:
    dataset_id = next(_ids)
    storage.create_table(ws, dataset_id, columns)
    return dataset_id


def _insert(ws: psycopg.Connection[Any], dataset_id: int, version: int, n: int, seed: int) -> None:
    """n rows of `version`: x uniform in [-50, 150) with every 97th NULL, k an integer."""
    with ws.transaction():
        storage.begin_version_write(ws, dataset_id, version)
        ws.execute("SELECT setseed(%s)", [seed / 1000])
        ws.execute(
            f"INSERT INTO {storage.qualified_text(dataset_id)} (x, k, label) "
            "SELECT CASE WHEN g %% 97 = 0 THEN NULL ELSE random() * 200 - 50 END, "
            "(g::bigint * 7919) %% 1000 - 500, 'r' || g FROM generate_series(1, %s) g", [n])


def _one_shot(ws: psycopg.Connection[Any], dataset_id: int, path: list[int]) -> dict[str, np.ndarray]:
    condition, params = storage.path_condition(path)
    rows = ws.execute(
        psycopg.sql.SQL("SELECT record_id, x, k FROM {} WHERE ").format(storage.qualified(dataset_id))
        + condition + psycopg.sql.SQL(" ORDER BY record_id"), params).fetchall()
    return {
        "record_id": np.array([r[0] for r in rows], dtype=np.int64),
        "x": np.array([np.nan if r[1] is None else r[1] for r in rows], dtype=np.float64),
        "k": np.array([r[2] for r in rows], dtype=np.float64),
    }


@pytest.fixture
def dataset(ws: psycopg.Connection[Any]) -> Iterator[int]:
    dataset_id = _create(ws)
    _insert(ws, dataset_id, 0, N, seed=1)
    storage.analyze_table(ws, dataset_id)
    yield dataset_id
    storage.drop_table(ws, dataset_id)


def _run(modules: list[Module], links: list[tuple[Module, Module]], *, quantum: float = 0.05,
         on_tick: Callable[[Module, ModuleEvent], None] | None = None) -> Any:
    flow = Dataflow(modules)
    for src, dst in links:
        flow.connect(src, "table", dst, "table")
    scheduler = Scheduler(quantum)
    scheduler.install(flow)
    return scheduler.run(on_tick=on_tick)


def test_operators_fed_by_pgscan_equal_numpy_one_shot(ws: Any, workspace_database: str, dataset: int) -> None:
    truth = _one_shot(ws, dataset, [0])
    x, k = truth["x"], truth["k"]
    finite = x[~np.isnan(x)]
    scan = PgScan("scan", connect=workspace_database, dataset_id=dataset, path=[0], columns=["x", "k"],
                  default_step_size=5_000)
    ops: list[Module] = [Max("max"), Min("min"), Stats("stats"),
                         Histogram("hist", "x", bins=64, range=(-50.0, 150.0)),
                         Quantiles("quant", "x", quantiles=(0.1, 0.5, 0.9), exact_limit=20_000,
                                   sketch_size=1024)]
    partial_maxes: list[tuple[int, float]] = []

    def tick(module: Module, event: ModuleEvent) -> None:
        if module.id == "max" and event.kind == "run":
            partial_maxes.append((event.progress[0], event.result["x"]))

    outcome = _run([scan, *ops], [(scan, op) for op in ops], on_tick=tick)
    assert outcome.status == "completed", outcome.errors
    res = outcome.results
    assert res["max"] == {"x": float(np.nanmax(x)), "k": float(k.max())}
    assert res["min"] == {"x": float(np.nanmin(x)), "k": float(k.min())}
    sx = res["stats"]["x"]
    assert sx["count"] == finite.size
    assert sx["mean"] == pytest.approx(float(finite.mean()), rel=1e-12)
    assert sx["variance"] == pytest.approx(float(finite.var()), rel=1e-9)
    assert (sx["min"], sx["max"]) == (float(finite.min()), float(finite.max()))
    counts, edges = np.histogram(finite, bins=64, range=(-50.0, 150.0))
    assert np.array_equal(res["hist"]["counts"], counts) and np.array_equal(res["hist"]["edges"], edges)
    assert res["hist"]["nan"] == x.size - finite.size
    quant = res["quant"]
    assert not quant["exact"] and quant["count"] == finite.size
    ordered = np.sort(finite)
    for q, value in quant["quantiles"].items():
        rank = np.searchsorted(ordered, value)  # where the answer sits among the true values
        assert abs(rank - q * (finite.size - 1)) <= quant["rank_error"] * finite.size + 1
    # every partial Max is the exact max of the prefix it has seen (record_id order)
    assert len(partial_maxes) >= 3
    for done, value in partial_maxes:
        if done:
            assert value == float(np.nanmax(x[:done]))
    assert scan.progress() == (x.size, x.size)


def test_scheduler_states_and_order_with_pgscan(workspace_database: str, dataset: int) -> None:
    scan = PgScan("a_scan", connect=workspace_database, dataset_id=dataset, path=[0], columns=["x"],
                  row_count=N, default_step_size=10_000)
    mx, h = Max("b_max"), Histogram("c_hist", "x", bins=8, range=(-50.0, 150.0))
    log: list[tuple[str, str, str]] = []
    states_seen: dict[str, set[str]] = {}

    def tick(module: Module, event: ModuleEvent) -> None:
        log.append((event.kind, module.id, event.state.label))
        states_seen.setdefault(module.id, set()).add(event.state.label)
        if module.id == "a_scan" and event.kind == "run":
            done, total = event.progress
            assert total == N and 0 < done <= N

    outcome = _run([h, mx, scan], [(scan, mx), (scan, h)], on_tick=tick)
    assert outcome.status == "completed"
    assert outcome.order == ["a_scan", "b_max", "c_hist"]  # topological, ties by id
    runs = [m for kind, m, _ in log if kind == "run"]
    assert runs[:3] == ["a_scan", "b_max", "c_hist"]
    for i in range(0, len(runs) - 2, 3):  # each pass: the scan, then its consumers
        if runs[i] == "a_scan":
            assert runs[i + 1 : i + 3] == ["b_max", "c_hist"]
    assert "ready" in states_seen["a_scan"] and {"zombie", "terminated"} <= states_seen["a_scan"]
    assert "blocked" in states_seen["b_max"] and "terminated" in states_seen["b_max"]
    scan_states = [s for kind, m, s in log if m == "a_scan"]
    assert scan_states.index("zombie") < scan_states.index("terminated")
    assert all(m.state == ModuleState.TERMINATED for m in (scan, mx, h))
    assert scan._conn is None  # closed at the end


def test_reads_exactly_the_bound_versions_rows(ws: Any, workspace_database: str) -> None:
    dataset_id = _create(ws)
    try:
        _insert(ws, dataset_id, 0, 3_000, seed=2)
        _insert(ws, dataset_id, 1, 1_000, seed=3)  # version 1 = version 0's rows + these - deleted
        v0 = _one_shot(ws, dataset_id, [0])["record_id"]
        deleted = v0[::7]
        with ws.transaction():
            storage.delete_rows(ws, dataset_id, 1, [0, 1], [int(i) for i in deleted])
        _insert(ws, dataset_id, 2, 2_000, seed=4)  # a replacement version: path [2]
        _insert(ws, dataset_id, 0, 500, seed=5)  # ids of one version need not be contiguous
        storage.analyze_table(ws, dataset_id)
        for path in ([0], [0, 1], [2]):
            truth = _one_shot(ws, dataset_id, path)
            scan = PgScan("scan", connect=workspace_database, dataset_id=dataset_id, path=path,
                          columns=["x", "k"], with_record_id=True, default_step_size=700)
            keep = Scan("keep")
            outcome = _run([scan, keep], [(scan, keep)])
            assert outcome.status == "completed"
            got = keep.out.to_dict()
            assert np.array_equal(got["record_id"], truth["record_id"]), path
            assert np.array_equal(got["x"], truth["x"], equal_nan=True)
            assert np.array_equal(got["k"], truth["k"])
            assert scan.progress() == (truth["x"].size, truth["x"].size)
        deleted_set = set(deleted.tolist())
        v01 = _one_shot(ws, dataset_id, [0, 1])["record_id"]
        assert not deleted_set & set(v01.tolist()) and len(v01) == 3_500 - len(deleted_set) + 1_000
    finally:
        storage.drop_table(ws, dataset_id)


def test_reads_a_version_loaded_into_segments(ws: Any, workspace_database: str, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bulk_load, "SEGMENT_MIN_BYTES", 0)
    monkeypatch.setattr(bulk_load, "PARALLEL_MIN_BYTES", 0)
    columns = [Column("x", "double precision"), Column("k", "integer")]
    dataset_id = _create(ws, columns)
    try:
        csv = tmp_path / "big.csv"
        rng = np.random.default_rng(7)
        values = rng.normal(size=20_000)
        csv.write_text("x,k\n" + "".join(f"{float(v)!r},{i}\n" for i, v in enumerate(values)))
        with ws.transaction(), csv.open("rb") as stream:
            loaded = bulk_load.load_csv(ws, dataset_id, columns, 3, stream,
                                        open_connection=lambda: psycopg.connect(workspace_database))
        assert loaded == 20_000
        segments = ws.execute("SELECT count(*) FROM pg_inherits WHERE inhparent = %s::regclass",
                              [storage.qualified_text(dataset_id)]).fetchone()[0]
        assert segments == 2  # two halves, each its own child table
        with ws.transaction():  # rows of another version in the parent table itself
            storage.begin_version_write(ws, dataset_id, 4)
            ws.execute(f"INSERT INTO {storage.qualified_text(dataset_id)} (x, k) "
                       "SELECT 1e6, g FROM generate_series(1, 1000) g")
        storage.analyze_table(ws, dataset_id)
        scan = PgScan("scan", connect=workspace_database, dataset_id=dataset_id, path=[3],
                      columns=[Column("x", "double precision"), Column("k", "integer")],
                      with_record_id=True, default_step_size=3_000)
        keep, mx = Scan("keep"), Max("max")
        outcome = _run([scan, keep, mx], [(scan, keep), (scan, mx)])
        assert outcome.status == "completed"
        got = keep.out.to_dict()
        assert np.array_equal(got["k"], np.arange(20_000))  # file order == record_id order
        assert np.array_equal(got["x"], values)
        assert np.all(np.diff(got["record_id"]) > 0)
        assert outcome.results["max"]["x"] == values.max()  # not the other version's 1e6
    finally:
        storage.drop_table(ws, dataset_id)


def test_cancel_takes_effect_within_one_quantum(ws: Any, workspace_database: str) -> None:
    dataset_id = _create(ws)
    try:
        _insert(ws, dataset_id, 0, 400_000, seed=6)
        quantum = 0.2
        scan = PgScan("scan", connect=workspace_database, dataset_id=dataset_id, path=[0], columns=["x"],
                      default_step_size=20_000, max_page=100_000)
        mx = Max("max")
        started = threading.Event()
        flow = Dataflow([scan, mx])
        flow.connect(scan, "table", mx, "table")
        scheduler = Scheduler(quantum)
        scheduler.install(flow)
        result: dict[str, Any] = {}

        def tick(module: Module, event: ModuleEvent) -> None:
            if module is mx and event.progress[0] > 0:
                started.set()
            time.sleep(0.01)  # slow the run down so that it is still going when cancelled

        def run() -> None:
            result["outcome"] = scheduler.run(on_tick=tick)
            result["ended"] = time.perf_counter()

        thread = threading.Thread(target=run)
        thread.start()
        assert started.wait(10)
        asked = time.perf_counter()
        scheduler.cancel()
        thread.join(10)
        assert result["outcome"].status == "cancelled"
        assert result["ended"] - asked <= quantum
        assert scan.cancelled and scan.state == ModuleState.TERMINATED
        assert scan.rows_read < 400_000
        assert scan._conn is None
    finally:
        storage.drop_table(ws, dataset_id)


def test_cancel_interrupts_a_statement_in_flight(workspace_database: str, dataset: int) -> None:
    """The cancel hook cancels the backend: a slow page stops at once instead of finishing."""
    scan = PgScan("scan", connect=workspace_database, dataset_id=dataset, path=[0], columns=["x"])
    Dataflow([scan]).bind()
    conn = scan._open()
    conn.execute("SET statement_timeout = 0")
    scan._query = psycopg.sql.Composed([psycopg.sql.SQL("SELECT pg_sleep(5)")])  # stands for a page the server is slow with
    scan._params = {}
    threading.Timer(0.2, scan.cancel).start()
    started = time.perf_counter()
    step = scan.run_step(1, 10_000, 0.5)
    assert time.perf_counter() - started < 2
    assert step.next_state == ModuleState.ZOMBIE and scan._conn is None


def test_memory_stays_bounded_and_the_scan_waits_for_slow_consumers(workspace_database: str, dataset: int) -> None:
    scan = PgScan("scan", connect=workspace_database, dataset_id=dataset, path=[0], columns=["x"],
                  default_step_size=20_000, max_page=20_000, max_backlog=30_000)
    slow = Max("slow", max_step_size=5_000)  # reads at most 5,000 rows a step
    held: list[int] = []
    backlog: list[int] = []

    def tick(module: Module, event: ModuleEvent) -> None:
        held.append(scan.out.held_rows)
        backlog.append(scan.out.backlog)

    outcome = _run([scan, slow], [(scan, slow)], quantum=1.0, on_tick=tick)
    assert outcome.status == "completed"
    assert max(backlog) < 30_000 + 20_000  # the scan paused instead of reading ahead
    assert max(held) < 60_000 < N  # never the whole dataset
    assert outcome.results["slow"]["x"] is not None and slow.rows_done == N
    with pytest.raises(RowsReleased):
        scan.out.read(slice(0, 10))


def test_stream_table_releases_what_every_cursor_has_read() -> None:
    table = StreamTable({"v": np.float64})
    table.append({"v": np.arange(10.0)})
    a, b = table.cursor(), table.cursor()
    a.created.next(8)
    b.created.next(3)
    table.append({"v": np.arange(10.0, 15.0)})  # releases ids < 3 (b's position)
    assert table.first_id == 3 and table.held_rows == 12 and len(table) == 15
    assert table.read(slice(3, 6))["v"].tolist() == [3.0, 4.0, 5.0]
    assert table.read([14, 3])["v"].tolist() == [14.0, 3.0]
    with pytest.raises(RowsReleased):
        table.read(slice(2, 4))
    b.created.next()
    assert table.release() == 5 and table.held_rows == 7 and table.backlog == 7  # a is at 8
    with pytest.raises(NotImplementedError):
        table.delete([14])


def test_a_non_numeric_or_unknown_column_is_refused(workspace_database: str, dataset: int) -> None:
    for column, message in (("label", "not a numeric type"), ("nope", "has no column")):
        scan = PgScan("scan", connect=workspace_database, dataset_id=dataset, path=[0], columns=[column])
        outcome = _run([scan], [])
        assert outcome.status == "failed" and message in outcome.errors["scan"]
        assert scan._conn is None
