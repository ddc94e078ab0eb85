"""``PgScan``: a progressive source reading one dataset version from the workspace database.

Wiring (what module types / runs use)::

    scan = PgScan(
        "scan",
        connect=dsn_or_factory,      # a DSN string, or a callable returning a new psycopg connection
        dataset_id=42,               # the dataset's table mb_data.ds_42 (and its segments)
        path=[0, 3],                 # the bound version's path (DatasetVersion.path)
        columns=["x", Column("y", "integer")],  # numeric columns only; names are looked up
        row_count=version.row_count, # optional: the total for progress (else counted in step 2)
    )
    flow = Dataflow([scan, Max("max")]); flow.connect(scan, "table", max_, "table")
    Scheduler(quantum=0.5).install(flow) ... .run(on_tick=...)

Output slot ``table``: a ``StreamTable`` (a ``PTable`` keeping only the rows its consumers have not
all read, so memory stays flat in the dataset's size) with one ``float64`` numpy column per chosen
column, in ``record_id`` order (``with_record_id=True`` adds ``record_id`` as ``int64``). SQL NULL
becomes NaN (the operators ignore NaN like SQL aggregates ignore NULL); integers beyond 2**53 and
``numeric`` values are rounded to the nearest double. ``progress()`` is (rows read, total);
``frontier()`` is ``{scan id: rows read}`` (synchronization, docs/progressive.md).

How it reads (chosen by measurement, see docs/progressive.md): *bounded keyset pages*. Each page is
one statement over an id window, ``record_id > lo AND record_id <= hi`` and the version's visibility
rule (``storage.path_condition``, the one rule the rest of the app uses), ordered by ``record_id``,
aggregated server-side into one binary ``float8[]`` per column: one result message per page
instead of one per row, parsed with ``numpy.frombuffer``. The window's width comes from the time
predictor (``step_size`` counts record ids), a step reads sub-pages of at most a quarter of it and
stops when its quantum is used up, and the window never exceeds ``max_page`` ids, so a step's
memory is bounded whatever the dataset's size. Record id gaps (other versions' rows, ids reserved
by two-half bulk loads) cost an empty index range. The end is ``max(record_id)`` when the scan
starts; the whole scan runs in one REPEATABLE READ READ ONLY transaction (``snapshot=True``), so it
reads exactly the bound version's rows as of its first step, segments included (inheritance).

Backpressure: when the slowest consumer is ``max_backlog`` rows behind or more, the scan blocks
(state ``blocked``) until it catches up; ``max_backlog=1`` is lockstep (a page is read only once
every consumer has read everything), which a join of two consumers of this scan (``sync.SyncJoin``)
needs to see consistent intermediate results (docs/progressive.md). ``cancel()`` (any thread) cancels the statement in flight,
so cancel takes effect within one quantum; the connection is closed when the scan ends, fails or is
cancelled (``close()`` also does it). ``rescan()`` starts over with a new output table (every
consumer then starts over too): what steering a consumer of a stream needs.

Pushdown (``push_down(scan, op)``, before the first step; see pushdown.py): when a reducing
operator offering a ``Pushdown`` is the scan's only consumer, each page query returns the page's
partial aggregate (``SELECT [group,] count(*), <aggregates> FROM (<the id window>) GROUP BY ...``)
instead of its rows; the output table stays empty and carries the pages' partials
(``StreamTable.partials``) for the operator to merge. Same id windows, snapshot, progress,
frontier, backpressure (pending partial rows count as backlog) and cancel; only the page width
changes: a page costs no worker memory, so ``max_pushdown_page`` (not ``max_page``) bounds it and
a step reads sub-pages of half (not a quarter) of its predicted size.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import psycopg
from psycopg import sql

from apps.engine import storage
from apps.engine.dataflow import Module, ModuleError, ModuleState, SlotSpec, StepResult
from apps.engine.pushdown import PageRows, Partials, Pushdown
from apps.engine.storage import Column
from apps.engine.stream_table import StreamTable

__all__ = ["NUMERIC_TYPES", "PgScan", "decode_array", "push_down"]

Connect = str | Callable[[], psycopg.Connection[Any]]

#: SQL types PgScan reads (as float64).
NUMERIC_TYPES = frozenset(
    {"smallint", "integer", "bigint", "real", "double precision", "numeric", "decimal",
     "int2", "int4", "int8", "float4", "float8", "int", "float"}
)
_MIN_PAGE = 10_000
_FLOAT8_OID = 701
_INT8_OID = 20


def _base_type(sql_type: str) -> str:
    return sql_type.strip().lower().split("(")[0].strip()


def decode_array(raw: bytes | memoryview | None, count: int, *, int8: bool = False) -> np.ndarray:
    """A one-dimensional ``float8[]`` (or ``int8[]``) without NULLs, in PostgreSQL's binary
    format, as a native float64 (int64) numpy array of ``count`` values."""
    dtype = np.int64 if int8 else np.float64
    if count == 0 or raw is None:
        return np.empty(0, dtype=dtype)
    header = np.frombuffer(raw, dtype=">i4", count=4)
    ndim, has_nulls, oid, length = (int(v) for v in header)
    if ndim != 1 or has_nulls or oid != (_INT8_OID if int8 else _FLOAT8_OID) or length != count:
        raise ModuleError(f"unexpected array from the database (ndim={ndim}, nulls={has_nulls}, "
                          f"oid={oid}, length={length}, expected {count})")
    items = np.frombuffer(raw, dtype=[("len", ">i4"), ("value", ">i8" if int8 else ">f8")],
                          offset=20, count=count)
    return items["value"].astype(dtype)


class PgScan(Module):
    """Reads one dataset version in ``record_id`` order into a ``StreamTable`` (see module doc)."""

    inputs = ()
    outputs = (SlotSpec("table", "table", required=False),)
    default_step_size = 100_000  # record ids in the first step: ~20 ms, so the first partial is early

    def __init__(
        self,
        id: str,
        *,
        connect: Connect,
        dataset_id: int,
        path: Sequence[int],
        columns: Sequence[str | Column],
        row_count: int | None = None,
        with_record_id: bool = False,
        snapshot: bool = True,
        max_page: int = 1_000_000,
        max_backlog: int = 1_000_000,
        default_step_size: int | None = None,
        rows_per_second: float | None = None,
        max_pushdown_page: int = 50_000_000,
    ) -> None:
        super().__init__(id, default_step_size=default_step_size, max_step_size=max_page)
        if rows_per_second is not None and not rows_per_second > 0:
            raise ValueError("rows_per_second must be positive (None: as fast as possible)")
        self.rows_per_second = None if rows_per_second is None else float(rows_per_second)
        self._pace_start: float | None = None
        if not path:
            raise ValueError("a version path has at least one version")
        if not columns:
            raise ValueError("PgScan needs at least one column")
        self.connect = connect
        self.dataset_id = int(dataset_id)
        self.path = [int(v) for v in path]
        self._requested = list(columns)
        self.column_names = [c.name if isinstance(c, Column) else str(c) for c in columns]
        if len(set(self.column_names)) != len(self.column_names):
            raise ValueError("PgScan: a column is named twice")
        self.total: int | None = None if row_count is None else int(row_count)
        self.with_record_id = with_record_id
        self.snapshot = snapshot
        self.max_page = int(max_page)
        self.max_pushdown_page = max(int(max_pushdown_page), _MIN_PAGE)
        self.pushdown: Pushdown | None = None
        self.max_backlog = max(1, int(max_backlog))
        self.rows_read = 0
        self.pages = 0
        self._given_total = self.total
        self._conn: psycopg.Connection[Any] | None = None
        self._conn_lock = threading.Lock()
        self._step_lock = threading.Lock()  # held while a step uses the connection
        self._in_query = False
        self._query: sql.Composed | None = None
        self._last_id = 0  # record ids <= this were read
        self._end_id: int | None = None
        self.out = self._new_table()
        self.set_output("table", self.out)
        self.result = self.out

    # -- public ---------------------------------------------------------------------------------
    def push(self, spec: Pushdown) -> None:
        """Aggregate each page server-side with ``spec`` (its operator must be this scan's only
        consumer); before the first step only."""
        if self._conn is not None or self.pages or self.rows_read:
            raise ModuleError(f"{self.id}: pushdown is decided before the scan starts")
        missing = [c for c in spec.columns if c not in self.column_names]
        if missing:
            raise ModuleError(f"{self.id}: pushdown reads column(s) {missing} the scan does not")
        self.pushdown = spec
        self.predictor.max_step_size = self.max_pushdown_page
        self.out = self._new_table()
        self.set_output("table", self.out)
        self.result = self.out

    @property
    def finished(self) -> bool:
        return self._end_id is not None and self._last_id >= self._end_id

    def progress(self) -> tuple[int, int | None]:
        return self.rows_read, self.total

    def frontier(self) -> dict[str, int]:
        """Source rows the output reflects: ``{self.id: rows read}`` (docs/progressive.md)."""
        return {self.id: self.rows_read}

    def is_ready(self) -> bool:
        if self.state in (ModuleState.CREATED, ModuleState.READY):
            return True
        if self.state == ModuleState.BLOCKED:  # blocked by backpressure only
            return not self._over_backlog()
        return False

    def cancel(self) -> None:
        """Thread-safe: cancel the statement in flight; close the connection unless a step is
        using it (that step then closes it before returning)."""
        super().cancel()
        with self._conn_lock:
            conn, busy = self._conn, self._in_query
        if conn is not None and busy:
            try:
                conn.cancel_safe()
            except Exception as exc:  # the statement may just have finished
                self.log(f"could not cancel the statement: {exc}", "WARNING")
        if self._step_lock.acquire(blocking=False):
            try:
                self.close()
            finally:
                self._step_lock.release()

    def close(self) -> None:
        """Close the connection (idempotent); the scan cannot resume afterwards except by rescan."""
        with self._conn_lock:
            conn, self._conn = self._conn, None
        if conn is not None:
            try:
                conn.close()
            except Exception as exc:
                self.log(f"closing the connection failed: {exc}", "WARNING")

    def rescan(self) -> None:
        """Start over: close, publish a new empty output table, forget the predictor's speed."""
        self.close()
        self.rows_read = self.pages = 0
        self._last_id, self._end_id, self._query = 0, None, None
        self._pace_start = None
        self.total = self._given_total
        self.out = self._new_table()
        self.set_output("table", self.out)
        self.result = self.out
        if self.state in (ModuleState.ZOMBIE, ModuleState.TERMINATED, ModuleState.BLOCKED):
            self.state = ModuleState.READY

    def restart(self) -> None:
        super().restart()  # outputs become None
        self.rescan()
        self.state = ModuleState.CREATED

    # -- the step -------------------------------------------------------------------------------
    def _new_table(self) -> StreamTable:
        names = (["record_id"] if self.with_record_id else []) + self.column_names
        dtypes = {n: (np.int64 if n == "record_id" else np.float64) for n in names}
        table = StreamTable(dtypes, name=self.id, expected_rows=self.total)
        if self.pushdown is not None:
            table.partials = Partials(self.pushdown)
        return table

    def _backlog(self) -> int:
        partials = self.out.partials
        return self.out.backlog + (partials.pending_rows if partials is not None else 0)

    def _over_backlog(self) -> bool:
        return (
            self.dataflow is not None
            and bool(self.dataflow.outputs_of(self.id))
            and self._backlog() >= self.max_backlog
        )

    def run_step(self, run_number: int, step_size: int, howlong: float) -> StepResult:
        with self._step_lock:
            try:
                return self._step(step_size, howlong)
            except psycopg.errors.QueryCanceled:
                if not self.cancel_requested:  # statement_timeout: an error
                    self.close()
                    raise
                return StepResult(ModuleState.ZOMBIE, 0)
            except BaseException:
                self.close()
                raise
            finally:
                if self.cancel_requested:
                    self.close()

    def _pace(self) -> None:
        """Paced scan (``rows_per_second``): wait, within this step's quantum, until the rows read
        so far are due; cancel wakes the wait at once."""
        if self.rows_per_second is None or self._pace_start is None:
            return
        due = self._pace_start + self.rows_read / self.rows_per_second
        wait = min(due - time.monotonic(), self.time_left())
        if wait > 0:
            self._cancel_event.wait(wait)

    def _step(self, step_size: int, howlong: float = 0.0) -> StepResult:
        if self.cancel_requested:
            self.close()
            return StepResult(ModuleState.ZOMBIE, 0)
        if self.rows_per_second is not None:  # a step reads what is due in one quantum, then waits
            if self._pace_start is None:
                self._pace_start = time.monotonic()
            step_size = max(1, min(step_size, int(self.rows_per_second * max(howlong, 0.01))))
            self._pace()
            if self.cancel_requested:
                self.close()
                return StepResult(ModuleState.ZOMBIE, 0)
        if self.pushdown is not None and self.dataflow is not None \
                and len(self.dataflow.outputs_of(self.id)) > 1:
            raise ModuleError(f"{self.id}: a scan aggregating server-side feeds one operator only")
        conn = self._open()
        if self._end_id is None:
            row = conn.execute(
                sql.SQL("SELECT coalesce(max(record_id), 0) FROM {}").format(
                    storage.qualified(self.dataset_id))).fetchone()
            self._end_id = int(row[0]) if row else 0
        elif self.total is None:
            self.total = self._execute(lambda: storage.count_rows(conn, self.dataset_id, self.path))
            self.out.expected_rows = self.total
        page = max(_MIN_PAGE, step_size // (4 if self.pushdown is None else 2))
        pages_before = self.pages
        done = 0
        while done < step_size and not self.finished and not self.cancel_requested:
            lo = self._last_id
            hi = min(lo + min(page, step_size - done), self._end_id or 0)
            self._read_page(conn, lo, hi)
            done += hi - lo
            if self.time_left() <= 0 or self._over_backlog():
                break
        if self.pushdown is not None and self.pages > pages_before:
            self.set_output("table", self.out)  # new partials: the operator's input changed
        if self.finished:
            if self.total is None or self.total != self.rows_read:
                self.total = self.rows_read
                self.out.expected_rows = self.total
            self.close()
            return StepResult(ModuleState.ZOMBIE, max(done, 1))
        self._pace()
        if self.cancel_requested:
            self.close()
            return StepResult(ModuleState.ZOMBIE, done)
        state = ModuleState.BLOCKED if self._over_backlog() else ModuleState.READY
        return StepResult(state, done)

    def _open(self) -> psycopg.Connection[Any]:
        if self._conn is not None:
            return self._conn
        conn = (psycopg.connect(self.connect) if isinstance(self.connect, str)
                else self.connect())
        try:
            if self.snapshot:  # one snapshot for the whole scan
                conn.autocommit = False
                conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
                conn.read_only = True
            else:
                conn.autocommit = True
            columns = self._resolve_columns(conn)
            self._query = (self._page_query(columns) if self.pushdown is None
                           else self._pushdown_query(columns, self.pushdown))
            if self.pushdown is not None:  # short aggregate queries: JIT compiling costs ~10-20 ms each
                conn.execute("SET jit = off")
        except BaseException:
            conn.close()
            raise
        with self._conn_lock:
            self._conn = conn
        return conn

    def _resolve_columns(self, conn: psycopg.Connection[Any]) -> list[Column]:
        known: dict[str, str] = {}
        if any(not isinstance(c, Column) for c in self._requested):
            rows = conn.execute(
                "SELECT attname, format_type(atttypid, atttypmod) FROM pg_catalog.pg_attribute "
                "WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped",
                [storage.qualified_text(self.dataset_id)]).fetchall()
            known = {str(name): str(typ) for name, typ in rows}
        columns = []
        for c in self._requested:
            if isinstance(c, Column):
                column = c
            elif c in known and c not in storage.SYSTEM_COLUMNS:
                column = Column(c, known[c])
            else:
                raise ModuleError(f"{self.id}: the dataset has no column {c!r}")
            if _base_type(column.sql_type) not in NUMERIC_TYPES:
                raise ModuleError(f"{self.id}: column {column.name!r} is {column.sql_type}, "
                                  "not a numeric type")
            columns.append(column)
        return columns

    def _page_query(self, columns: list[Column]) -> sql.Composed:
        visible, params = storage.path_condition(self.path)
        exprs: list[sql.Composable] = [sql.SQL("coalesce({}::float8, 'NaN') AS {}").format(
            sql.Identifier(c.name), sql.Identifier(f"c{i}")) for i, c in enumerate(columns)]
        aggs: list[sql.Composable] = [sql.SQL("array_agg({})").format(sql.Identifier(f"c{i}"))
                for i in range(len(columns))]
        if self.with_record_id:
            exprs.append(sql.SQL("record_id AS rid"))
            aggs.append(sql.SQL("array_agg(rid)"))
        inner = sql.SQL(
            "SELECT {exprs} FROM {table} WHERE {visible} AND record_id > %(lo)s "
            "AND record_id <= %(hi)s ORDER BY record_id").format(
                exprs=sql.SQL(", ").join(exprs), table=storage.qualified(self.dataset_id),
                visible=visible)
        self._params = params
        return sql.SQL("SELECT count(*), {aggs} FROM ({inner}) AS page").format(
            aggs=sql.SQL(", ").join(aggs), inner=inner)

    def _pushdown_query(self, columns: list[Column], spec: Pushdown) -> sql.Composed:
        visible, params = storage.path_condition(self.path)
        by_name = {c.name: c for c in columns}
        refs = [sql.Identifier(f"c{i}") for i in range(len(spec.columns))]
        exprs: list[sql.Composable] = [sql.SQL("{}::float8 AS {}").format(sql.Identifier(by_name[name].name), ref)
                 for name, ref in zip(spec.columns, refs, strict=True)] or [sql.SQL("1 AS c")]
        inner = sql.SQL(
            "SELECT {exprs} FROM {table} WHERE {visible} AND record_id > %(lo)s "
            "AND record_id <= %(hi)s").format(
                exprs=sql.SQL(", ").join(exprs), table=storage.qualified(self.dataset_id),
                visible=visible)
        self._params = {**params, **{f"pd_{k}": v for k, v in spec.params.items()}}
        aggs = [sql.SQL(a.replace("%(", "%(pd_")).format(*refs) for a in spec.aggregates]
        select = sql.SQL(", ").join([sql.SQL("count(*)"), *aggs])
        if spec.group is None:
            return sql.SQL("SELECT NULL, {select} FROM ({inner}) AS page").format(
                select=select, inner=inner)
        group = sql.SQL(spec.group.replace("%(", "%(pd_")).format(*refs)
        return sql.SQL("SELECT {group}, {select} FROM ({inner}) AS page GROUP BY 1").format(
            group=group, select=select, inner=inner)

    def _execute(self, fn: Callable[[], Any]) -> Any:
        with self._conn_lock:
            self._in_query = True
        try:
            return fn()
        finally:
            with self._conn_lock:
                self._in_query = False

    def _read_page(self, conn: psycopg.Connection[Any], lo: int, hi: int) -> None:
        assert self._query is not None
        params = {**self._params, "lo": lo, "hi": hi}
        if self.pushdown is not None:
            self._read_partial(conn, params, hi)
            return
        cur = self._execute(lambda: conn.execute(self._query, params, binary=True))  # type: ignore[arg-type]
        result = cur.pgresult
        count_raw = result.get_value(0, 0) if result is not None else None
        count = int.from_bytes(count_raw, "big", signed=True) if count_raw else 0
        self._last_id = hi
        self.pages += 1
        if count == 0:
            return
        assert result is not None
        data: dict[str, np.ndarray] = {}
        for i, name in enumerate(self.column_names):
            data[name] = decode_array(result.get_value(0, 1 + i), count)
        if self.with_record_id:
            ids = decode_array(result.get_value(0, 1 + len(self.column_names)), count, int8=True)
            data = {"record_id": ids, **data}
        self.out.append(data)
        self.rows_read += count

    def _read_partial(self, conn: psycopg.Connection[Any], params: dict[str, Any], hi: int) -> None:
        rows: PageRows = self._execute(
            lambda: conn.execute(self._query, params).fetchall())  # type: ignore[arg-type]
        count = sum(int(r[1]) for r in rows)
        self._last_id = hi
        self.pages += 1
        if count == 0:
            return
        assert self.out.partials is not None
        self.out.partials.put(count, [r for r in rows if r[1]])
        self.rows_read += count


def push_down(scan: PgScan, op: Module) -> bool:
    """Wire ``op`` (the scan's only consumer) to aggregate server-side when it offers a
    ``Pushdown`` for the scan's columns; False (the row path) otherwise."""
    offer = getattr(op, "pushdown", None)
    spec = offer(list(scan.column_names)) if callable(offer) else None
    if spec is None:
        return False
    scan.push(spec)
    return True
