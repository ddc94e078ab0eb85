"""Progressive submodules of a run (issue 12; the contract is the last section of docs/progressive.md):
each built-in progressive step becomes engine modules in the run's one Scheduler dataflow, beside
the SQL steps' BackgroundSteps: a PgScan (when it reads a dataset version: a module input, or a SQL
step's output once that step finished) and its operator; a progressive step fed by another one reads
its table in memory. Partial results go through the Throttle to the `partial` event, the latest is
stored on the step record (at most once a second, and at the end), the final ones on the run."""

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.conf import settings
from django.utils import timezone

from apps.datasets.workspace import workspace
from apps.engine import operators as ops
from apps.engine.dataflow import Dataflow, Module, ModuleError, ModuleState, SlotSpec, StepResult
from apps.engine.pg_scan import PgScan, push_down
from apps.engine.scheduler import ModuleEvent, Scheduler
from apps.engine.storage import Column, path_condition, qualified
from apps.engine.throttle import Throttle
from apps.runs.errors import RunRefused
from apps.runs.planning import Execution, ResolvedInput, SqlStep
from apps.runs.recorder import RunRecorder

NUMERIC_TYPES = {"smallint", "integer", "bigint", "real", "double precision", "numeric", "int", "int2", "int4",
                 "int8", "float4", "float8", "decimal"}
COMPARISONS: dict[str, Callable[[np.ndarray, float], np.ndarray]] = {
    "<": np.less, "<=": np.less_equal, "=": np.equal, ">=": np.greater_equal, ">": np.greater, "<>": np.not_equal}
STORE_SECONDS = 1.0
DEFAULT_BINS = 64


def is_progressive(step: SqlStep) -> bool:
    return step.type_version.kind == "progressive"


def kind_of(step: SqlStep) -> str:
    return step.type_version.module_type.name.lower()


def is_numeric(sql_type: str) -> bool:
    return sql_type.lower().split("(")[0].strip() in NUMERIC_TYPES


def numeric_columns(read: ResolvedInput) -> list[Column]:
    assert read.dataset is not None
    return [c for c in read.dataset.dataset_type.column_specs if is_numeric(c.sql_type)]


def numeric_names_read(datasets: list[dict[str, Any]] | None) -> list[str] | None:
    """The numeric columns a progressive step reads, from its record's datasets (its IN row: the
    dataset version its rows come from, streamed or not); None when not recorded."""
    from apps.datasets.models import Dataset

    row = next((d for d in datasets or [] if d.get("direction") == "IN"), None)
    pk = row.get("dataset") if row is not None else None
    dataset = Dataset.objects.select_related("dataset_type").filter(pk=pk).first() if isinstance(pk, int) else None
    if dataset is None:
        return None
    return [c.name for c in dataset.dataset_type.column_specs if is_numeric(c.sql_type)]


# ------------------------------------------------------------------------------------ parameters

class ParameterError(ValueError):
    """A parameter value a progressive type refuses; `field` names the parameter."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field


def _float(name: str, text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise ParameterError(name, f"{text!r} is not a number.") from None
    if not math.isfinite(value):
        raise ParameterError(name, f"{text!r} is not a finite number.")
    return value


def parse_parameters(kind: str, values: dict[str, str | None], numeric: list[str] | None) -> dict[str, Any]:
    """The operator's settings from the steps' IN parameter values (text); ValueError with a sentence."""
    def text(name: str) -> str | None:
        value = values.get(name)
        return None if value is None or not str(value).strip() else str(value).strip()

    def column(name: str = "column") -> str:
        value = text(name)
        if value is None:
            raise ParameterError(name, "a column name is required.")
        if numeric is not None and value not in numeric:
            raise ParameterError(name, f"{value!r} is not a numeric column of the input ({', '.join(numeric)}).")
        return value

    out: dict[str, Any] = {}
    pace = text("rows_per_second")
    try:
        out["rows_per_second"] = None if pace is None else int(pace)
    except ValueError:
        raise ParameterError("rows_per_second", f"{pace!r} is not an integer.") from None
    if out["rows_per_second"] is not None and out["rows_per_second"] < 1:
        raise ParameterError("rows_per_second", "at least 1 (unset: as fast as possible).")
    if kind in ("scan", "min", "max", "stats"):
        listed = text("columns")
        cols = [c.strip() for c in listed.split(",") if c.strip()] if listed else None
        if cols is not None and numeric is not None:
            bad = [c for c in cols if c not in numeric]
            if bad:
                raise ParameterError("columns", f"{', '.join(bad)} is not a numeric column of the input.")
        out["columns"] = cols
    elif kind == "filter":
        out["column"] = column()
        operator = text("operator") or ""
        if operator not in COMPARISONS:
            raise ParameterError("operator", f"{operator!r} is not one of {', '.join(COMPARISONS)}.")
        out["operator"] = operator
        value = text("value")
        if value is None:
            raise ParameterError("value", "a number is required.")
        out["value"] = _float("value", value)
    elif kind == "histogram":
        out["column"] = column()
        bins = text("bins")
        try:
            out["bins"] = DEFAULT_BINS if bins is None else int(bins)
        except ValueError:
            raise ParameterError("bins", f"{bins!r} is not an integer.") from None
        if not 1 <= out["bins"] <= 10_000:
            raise ParameterError("bins", "between 1 and 10000.")
        lo, hi = text("min"), text("max")
        out["min"] = None if lo is None else _float("min", lo)
        out["max"] = None if hi is None else _float("max", hi)
        if out["min"] is not None and out["max"] is not None and not out["min"] < out["max"]:
            raise ParameterError("min", "must be below max.")
    elif kind == "quantiles":
        out["column"] = column()
        q = text("q") or ""
        try:
            qs = [float(x) for x in q.split(",") if x.strip()]
        except ValueError:
            raise ParameterError("q", f"{q!r} is not a list of numbers such as 0.1,0.5,0.9.") from None
        if not qs or any(not 0.0 <= x <= 1.0 for x in qs):
            raise ParameterError("q", "one or more numbers between 0 and 1, e.g. 0.1,0.5,0.9.")
        out["q"] = qs
    return out


# ------------------------------------------------------------------------------------ operators

class RangedHistogram(ops.Histogram):
    """A Histogram whose range, when not given, is the input's min and max (asked of the database
    on the first step, exactly: the final result then equals numpy's over the same range)."""

    def __init__(self, id: str, column: str, *, bins: int, lo: float | None, hi: float | None,
                 range_of: Callable[[], tuple[float | None, float | None]]) -> None:
        super().__init__(id, column, bins=bins, range=(0.0, 1.0))
        self._wanted = (lo, hi)
        self._range_of = range_of
        self._ranged = False
        self._n_bins = bins

    def _set_range(self) -> None:
        lo, hi = self._wanted
        if lo is None or hi is None:
            found_lo, found_hi = self._range_of()
            lo = found_lo if lo is None else lo
            hi = found_hi if hi is None else hi
        lo = 0.0 if lo is None else float(lo)
        hi = lo + 1.0 if hi is None or hi <= lo else float(hi)
        self._bins, self._range = self._n_bins, (lo, hi)
        self.edges = np.histogram_bin_edges(np.empty(0), bins=self._n_bins, range=(lo, hi))
        self.reset()
        self._ranged = True

    def pushdown(self, columns: Any) -> Any:
        """Server-side partial aggregation needs the bins before the scan starts: only with a given
        range (an automatic one is asked of the database at the first step: the row path)."""
        if None in self._wanted:
            return None
        if not self._ranged:
            self._set_range()
        return super().pushdown(columns)

    def run_step(self, run_number: int, step_size: int, howlong: float) -> Any:
        if not self._ranged:
            self._set_range()
        return super().run_step(run_number, step_size, howlong)


class GatedScan(PgScan):
    """A PgScan of a SQL step's output: runs once that step finished (`gate()`). No dataflow input:
    a scan with inputs would be retired by the scheduler when it blocks on backpressure."""

    def __init__(self, id: str, gate: Callable[[], bool], **kwargs: Any) -> None:
        super().__init__(id, **kwargs)
        self._gate = gate

    def is_ready(self) -> bool:
        return self._gate() and super().is_ready()


class Waiting(Module):
    """Stands for a progressive step whose IN parameters come from other steps' OUT parameters
    until those steps have finished (then ProgressivePart.producer_finished swaps the real operator
    and its scan in, as steering does). Never ready; its outputs let the steps after it connect."""

    outputs = (ops.TABLE_OUT, ops.DICT_OUT)

    def is_ready(self) -> bool:
        return False


INTEGER_TYPES = {"smallint", "integer", "bigint", "int", "int2", "int4", "int8"}


def copy_text(version: int, columns: list[Column], data: dict[str, np.ndarray], nrows: int) -> str:
    """COPY text lines `version<TAB>v1<TAB>...` (NaN -> NULL; whole numbers for integer columns)."""
    fields: list[Any] = [[str(version)] * nrows]
    for column in columns:
        values = np.asarray(data[column.name], dtype=np.float64)
        nan = np.isnan(values)
        if column.sql_type.lower().split("(")[0].strip() in INTEGER_TYPES:
            text = np.where(nan, 0, np.rint(values)).astype(np.int64).astype(str).astype(object)
        else:
            text = values.astype(str).astype(object)
        text[nan] = "\\N"
        fields.append(text.tolist())
    return "".join("\t".join(row) + "\n" for row in zip(*fields, strict=True))


class TableWriter(ops.TableOperator):
    """Writes a progressive step's output rows (a Filter's, a Scan's) into the dataset version a SQL
    step (or the module's output) reads: one COPY per step, so the worker holds one step's rows at
    a time. Done when its input is (the scheduler retires it): the SQL steps after it wait for
    that. Starting over (its producer steered) deletes what it wrote."""

    outputs = (ops.DICT_OUT,)

    def __init__(self, id: str, *, dataset_id: int, version: int, columns: list[Column], label: str) -> None:
        super().__init__(id)
        self.dataset_id, self.version, self.target, self.label = dataset_id, version, columns, label
        self.written = 0
        self._conn: Any = None

    def _connection(self) -> Any:
        if self._conn is None:
            import psycopg

            self._conn = psycopg.connect(settings.WORKSPACE_DATABASE_URL, autocommit=True)
        return self._conn

    def input_columns(self, table: Any) -> list[str]:
        missing = [c.name for c in self.target if c.name not in table.columns]
        if missing:
            raise ModuleError(f"{self.label}: its rows have no column {', '.join(missing)}, which the dataset it "
                              f"writes needs (they carry {', '.join(table.columns) or 'none'}; only numeric columns "
                              "are read progressively).")
        return [c.name for c in self.target]

    def reset(self) -> None:
        if self.written:
            from psycopg import sql

            self._connection().execute(sql.SQL("DELETE FROM {} WHERE mb_version = %s").format(
                qualified(self.dataset_id)), [self.version])
        self.written = 0

    def process_chunk(self, data: dict[str, np.ndarray], nrows: int) -> None:
        from psycopg import sql

        statement = sql.SQL("COPY {} (mb_version, {}) FROM STDIN").format(
            qualified(self.dataset_id), sql.SQL(", ").join(sql.Identifier(c.name) for c in self.target))
        with self._connection().cursor() as cursor, cursor.copy(statement) as copy:
            copy.write(copy_text(self.version, self.target, data, nrows))
        self.written += nrows

    def publish(self) -> None:
        self.result = {"rows": self.written}
        self.set_output("result", self.result)

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None


HISTOGRAM_COLUMNS = ("bin", "lower_edge", "upper_edge", "count")


class HistogramWriter(Module):
    """Writes a Histogram's final result as rows `(bin, lower_edge, upper_edge, count)`, one per bin
    (bin from 0; values outside [min, max] and NaNs are in no row), into the dataset version a SQL
    step reads (e.g. an aggregation collecting histograms across runs, docs/aggregation.md): one
    COPY, once the Histogram has finished (partial histograms are not written). The dataset type of
    the slot reading it must have those four columns (its other columns are left NULL)."""

    inputs = (SlotSpec("result", "dict"),)
    outputs = (ops.DICT_OUT,)

    def __init__(self, id: str, *, dataset_id: int, version: int, columns: list[Column], label: str) -> None:
        super().__init__(id)
        self.dataset_id, self.version, self.label = dataset_id, version, label
        names = {c.name: c for c in columns}
        missing = [n for n in HISTOGRAM_COLUMNS if n not in names]
        if missing:
            raise RunRefused("histogram_output_columns", f"{label}: a histogram is written as rows "
                             f"({', '.join(HISTOGRAM_COLUMNS)}); the dataset type reading it has no column "
                             f"{', '.join(missing)}.")
        self.target = [names[n] for n in HISTOGRAM_COLUMNS]
        self.written = 0

    def is_ready(self) -> bool:
        if self.state == ModuleState.CREATED:
            return self.upstream_finished()
        return super().is_ready()

    def run_step(self, run_number: int, step_size: int, howlong: float) -> StepResult:
        import psycopg
        from psycopg import sql

        result = self.input_value("result")
        if not isinstance(result, dict):
            raise ModuleError(f"{self.label}: the histogram has no result to write.")
        edges = np.asarray(result["edges"], dtype=np.float64)
        counts = np.asarray(result["counts"], dtype=np.float64)
        n = int(counts.size)
        data = {"bin": np.arange(n, dtype=np.float64), "lower_edge": edges[:-1], "upper_edge": edges[1:],
                "count": counts}
        statement = sql.SQL("COPY {} (mb_version, {}) FROM STDIN").format(
            qualified(self.dataset_id), sql.SQL(", ").join(sql.Identifier(c.name) for c in self.target))
        with psycopg.connect(settings.WORKSPACE_DATABASE_URL, autocommit=True) as conn, \
                conn.cursor() as cursor, cursor.copy(statement) as copy:
            copy.write(copy_text(self.version, self.target, data, n))
        self.written = n
        self.result = {"rows": n}
        self.set_output("result", self.result)
        return StepResult(ModuleState.TERMINATED, n)

    def close(self) -> None:
        """Nothing held between steps (one connection per write)."""


def make_operator(op_id: str, kind: str, params: dict[str, Any],
                  range_of: Callable[[], tuple[float | None, float | None]]) -> Module:
    if kind == "scan":
        return ops.Scan(op_id, columns=params["columns"])
    if kind == "filter":
        col, cmp, value = params["column"], COMPARISONS[params["operator"]], params["value"]
        return ops.Filter(op_id, lambda data: cmp(data[col], value))
    if kind == "min":
        return ops.Min(op_id, columns=params["columns"])
    if kind == "max":
        return ops.Max(op_id, columns=params["columns"])
    if kind == "stats":
        return ops.Stats(op_id, columns=params["columns"])
    if kind == "histogram":
        return RangedHistogram(op_id, params["column"], bins=params["bins"], lo=params["min"], hi=params["max"],
                               range_of=range_of)
    if kind == "quantiles":
        return ops.Quantiles(op_id, params["column"], quantiles=params["q"])
    raise RunRefused("unknown_progressive_type", f"Unknown progressive module type {kind!r}.")


def _num(value: Any) -> float | int | None:
    if value is None:
        return None
    value = value.item() if isinstance(value, np.generic) else value
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value  # type: ignore[no-any-return]


def partial_result(kind: str, module: Module, params: dict[str, Any]) -> dict[str, Any]:
    """The contract's `result` for each kind (JSON-ready)."""
    result = module.result
    if kind in ("scan", "filter"):
        table = module.output_value("table")
        return {"rows": len(table) if table is not None else 0}
    if not isinstance(result, dict):
        return {}
    if kind in ("min", "max"):
        return {"values": {c: _num(v) for c, v in result.items()}}
    if kind == "stats":
        return {"columns": {c: {k: _num(m.get(k)) for k in ("count", "mean", "variance", "min", "max")}
                            for c, m in result.items()}}
    if kind == "histogram":
        return {"column": params["column"], "edges": [float(e) for e in result["edges"]],
                "counts": [int(c) for c in result["counts"]], "underflow": int(result["underflow"]),
                "overflow": int(result["overflow"]), "nan": int(result["nan"])}
    if kind == "quantiles":
        return {"column": params["column"], "quantiles": [[q, _num(v)] for q, v in result["quantiles"].items()],
                "count": int(result["count"]), "exact": bool(result["exact"]),
                "rank_error": float(result["rank_error"])}
    return {}


def output_values(kind: str, result: dict[str, Any]) -> dict[str, str | None]:
    """OUT parameters (text, like a SQL step's) from the final result."""
    def text(value: Any) -> str | None:
        return None if value is None else (str(int(value)) if isinstance(value, int) else repr(float(value)))

    if kind in ("min", "max"):
        values = list((result.get("values") or {}).values())
        return {kind: text(values[0]) if values else None}
    if kind == "stats":
        first: dict[str, Any] = next(iter((result.get("columns") or {}).values()), {})
        return {"count": text(first.get("count")), "mean": text(first.get("mean"))}
    return {}


# ------------------------------------------------------------------------------------ the run's part

@dataclass
class ProgressiveNode:
    step: SqlStep
    kind: str
    params: dict[str, Any]
    op: Module
    scan: PgScan | None
    read: ResolvedInput | None  # the version a scan reads (None: fed in memory)
    upstream: str | None  # the feeding progressive step's path
    after: SqlStep | None  # the SQL step whose output a scan reads (it waits for it)
    started: float = field(default_factory=time.monotonic)
    last_stored: float = 0.0
    latest: dict[str, Any] | None = None
    generation: int = 0
    waiting: set[str] | None = None  # paths of the steps whose OUT parameters it waits for
    writer: TableWriter | HistogramWriter | None = None  # writes its output as a dataset version (a SQL step reads it)

    @property
    def ready(self) -> bool:
        """Its operator is in the dataflow (not Waiting)."""
        return self.waiting is None


class ProgressivePart:
    """Builds, reports and steers a run's progressive steps."""

    def __init__(self, execution: Execution, recorder: RunRecorder) -> None:
        self.execution, self.recorder = execution, recorder
        self.nodes: dict[str, ProgressiveNode] = {}  # by path
        self.by_module: dict[str, str] = {}  # engine module id -> path
        self.throttle = Throttle(send=self._send, rate=10.0)
        self._lock = threading.Lock()
        self.scheduler: Scheduler | None = None
        # set by the runner: a step's IN parameter values now, and what starting a step records
        self.values_of: Callable[[SqlStep], dict[str, str | None]] = lambda step: dict(step.parameters)
        self.on_start: Callable[[SqlStep], None] = lambda step: None

    # -- building --------------------------------------------------------------------------------
    def _scan(self, scan_id: str, read: ResolvedInput, after: SqlStep | None, pace: int | None) -> PgScan:
        assert read.dataset is not None and read.version is not None
        columns = numeric_columns(read)
        if not columns:
            raise RunRefused("no_numeric_column", f"Dataset {read.dataset.name!r} has no numeric column to read.")
        kwargs: dict[str, Any] = {"connect": settings.WORKSPACE_DATABASE_URL, "dataset_id": read.dataset.pk,
                                  "path": list(read.version.path), "columns": columns,
                                  "rows_per_second": pace}
        if after is not None:
            return GatedScan(scan_id, after.finished.is_set, **kwargs)
        return PgScan(scan_id, row_count=read.version.row_count, **kwargs)

    def _range_of(self, path: str) -> Callable[[], tuple[float | None, float | None]]:
        def find() -> tuple[float | None, float | None]:
            node = self.nodes[path]
            origin = node
            while origin.read is None and origin.upstream is not None:
                origin = self.nodes[origin.upstream]
            if origin.read is None or origin.read.dataset is None or origin.read.version is None:
                return None, None
            from psycopg import sql

            condition, args = path_condition(origin.read.version.path)
            col = sql.Identifier(node.params["column"])
            query = sql.SQL("SELECT min({c})::float8, max({c})::float8 FROM {t} WHERE {w}").format(
                c=col, t=qualified(origin.read.dataset.pk), w=condition)
            with workspace() as conn:
                row = conn.execute(query, args).fetchone()
            return (row[0], row[1]) if row else (None, None)
        return find

    def params_of(self, step: SqlStep, values: dict[str, str | None], numeric: list[str] | None) -> dict[str, Any]:
        try:
            return parse_parameters(kind_of(step), values, numeric)
        except ValueError as exc:
            raise RunRefused("bad_parameter", f"{step.path or step.name}: {exc}") from None

    def numeric_of(self, path: str) -> list[str] | None:
        node = self.nodes.get(path)
        origin = node
        while origin is not None and origin.read is None and origin.upstream is not None:
            origin = self.nodes.get(origin.upstream)
        if origin is None or origin.read is None or origin.read.dataset is None:
            return None
        return [c.name for c in numeric_columns(origin.read)]

    def add(self, flow: Dataflow, step: SqlStep, module_id: str, values: dict[str, str | None],
            waits: set[str] | None = None) -> None:
        """Adds the step's modules to `flow` (steps come in topological order). `waits`: the paths
        of the steps whose OUT parameters feed its IN parameters: until they have finished it is
        `Waiting` (its parameters are read and checked then)."""
        ref = step.sources.get("input")
        read = step.inputs[0] if step.inputs else None
        upstream = ref.path if ref is not None and ref.path is not None and ref.path in self.nodes else None
        after = None if upstream is not None or ref is None or ref.path is None else \
            self.execution.step_at(ref.path)
        node = ProgressiveNode(step=step, kind=kind_of(step), params={}, op=None,  # type: ignore[arg-type]
                               scan=None, read=None if upstream else read, upstream=upstream, after=after)
        self.nodes[step.path] = node
        if waits:
            node.waiting = set(waits)
            node.op = flow.add(Waiting(module_id))
            self.by_module[module_id] = step.path
        else:
            node.params = self.params_of(step, values, self.numeric_of(step.path))
            self._wire(flow, node, module_id)
        pending = step.outputs.get("output")
        if pending is not None:  # its rows are read as a dataset: written by a TableWriter after it
            writer = HistogramWriter if node.kind == "histogram" else TableWriter  # a histogram: its final bins
            node.writer = writer(f"{module_id}_w", dataset_id=pending.dataset.pk, version=pending.version.number,
                                 columns=list(pending.dataset.dataset_type.column_specs),
                                 label=f"Output {step.path or step.name}")
            flow.add(node.writer)
            self.by_module[node.writer.id] = step.path
            flow.connect(node.op, "result" if node.kind == "histogram" else "table", node.writer,
                         "result" if node.kind == "histogram" else "table")

    def after(self, path: str) -> Module:
        """What a SQL step after progressive step `path` waits for: its writer, else its operator."""
        node = self.nodes[path]
        return node.writer if node.writer is not None else node.op

    def producer_finished(self, path: str) -> None:
        """Step `path` finished successfully: the steps waiting only for its OUT parameters get
        their values, are checked and swapped in (a value they refuse fails the run, naming it)."""
        for node in self.nodes.values():
            if node.waiting is None or path not in node.waiting:
                continue
            node.waiting.discard(path)
            if node.waiting:
                continue
            values = self.values_of(node.step)
            try:
                params = self.params_of(node.step, values, self.numeric_of(node.step.path))
            except RunRefused as exc:
                node.op.fail(ModuleError(exc.message))
                continue
            node.step.parameters = values
            self._replace(node, params, values)
            node.waiting = None
            self.on_start(node.step)

    def _wire(self, flow: Dataflow, node: ProgressiveNode, module_id: str) -> None:
        node.op = make_operator(module_id, node.kind, node.params, self._range_of(node.step.path))
        flow.add(node.op)
        self.by_module[module_id] = node.step.path
        if node.upstream is not None:
            flow.connect(self.nodes[node.upstream].op, "table", node.op, "table")
        else:
            assert node.read is not None
            node.scan = self._scan(f"{module_id}_scan", node.read, node.after, node.params.get("rows_per_second"))
            push_down(node.scan, node.op)  # its only consumer: aggregated server-side when it can
            flow.add(node.scan)
            self.by_module[node.scan.id] = node.step.path
            flow.connect(node.scan, "table", node.op, "table")

    def datasets_of(self, path: str) -> list[dict[str, Any]]:
        """The step record's datasets: the version its rows come from (`stream`: through the
        progressive submodule it names, in memory)."""
        node = self.nodes[path]
        origin = node
        while origin.read is None and origin.upstream is not None:
            origin = self.nodes[origin.upstream]
        read = origin.read
        if read is None or read.dataset is None or read.version is None:
            return []
        row = {"placeholder": "input", "mode": "IN", "direction": "IN", "dataset": read.dataset.pk,
               "dataset_name": read.dataset.name, "version": read.version.number,
               "internal": read.dataset.pending_run_id is not None}
        rows = [row if node.upstream is None else {**row, "stream": node.upstream}]
        for placeholder, pending in node.step.outputs.items():
            rows.append({"placeholder": placeholder, "mode": "OUT", "direction": "OUT", "dataset": pending.dataset.pk,
                         "dataset_name": pending.dataset.name, "version": pending.version.number,
                         "internal": pending.output_method == "INTERNAL"})
        return rows

    # -- reporting -------------------------------------------------------------------------------
    def _send(self, key: Any, event: Any) -> None:
        self.recorder.partial(event)
        self.recorder.flush_soon()

    def tick(self, module: Module, event: ModuleEvent) -> None:
        path = self.by_module.get(module.id)
        if path is None:
            return
        node = self.nodes[path]
        if module is not node.op:
            return
        result = partial_result(node.kind, node.op, node.params)
        done, total = node.op.progress()
        if node.scan is not None:
            done, total = node.scan.progress()[0] if node.kind not in ("scan", "filter") else done, node.scan.total
        node.latest = {"kind": node.kind, "result": result, "final": False, "state": event.state.label,
                       "done": done, "total": total}
        self.throttle.offer(path, {"path": path, "kind": node.kind, "result": result, "final": False})
        now = time.monotonic()
        if now - node.last_stored >= STORE_SECONDS and node.step.record is not None:
            node.last_stored = now
            node.step.record.progressive = dict(node.latest)
            self.recorder.save(node.step.record, ["progressive"])

    def progress(self, module_id: str) -> dict[str, Any] | None:
        """The `progress` event of a progressive step's operator."""
        path = self.by_module.get(module_id)
        if path is None:
            return None
        node = self.nodes[path]
        if node.writer is not None and module_id == node.writer.id:
            return None
        done, total = node.op.progress()
        if node.scan is not None and node.kind not in ("scan", "filter"):
            done, total = node.op.progress()[0], node.scan.total
        elapsed = time.monotonic() - node.started
        return {"path": path, "state": node.op.state.label, "done": int(done), "total": total,
                "rate": (done / elapsed) if elapsed > 0 else None, "elapsed": round(elapsed, 3), "written": {}}

    def finished_step(self, module: Module) -> SqlStep | None:
        """A progressive operator that finished: its OUT values for downstream steps."""
        path = self.by_module.get(module.id)
        if path is None or self.nodes[path].op is not module:
            return None
        node = self.nodes[path]
        node.step.output_values = output_values(node.kind, partial_result(node.kind, node.op, node.params))
        return node.step

    def finish(self, success: bool) -> dict[str, Any]:
        """The end of the run: the last partial of every step (final when the run succeeded), the
        step records' latest result; returns the final results by path (success only)."""
        finals: dict[str, Any] = {}
        for path, node in self.nodes.items():
            if not node.ready:  # never started (a step it waited for failed, or the run was cancelled)
                continue
            result = partial_result(node.kind, node.op, node.params)
            done, total = node.op.progress()
            node.latest = {"kind": node.kind, "result": result, "final": success, "state": node.op.state.label,
                           "done": done, "total": total}
            self.throttle.offer(path, {"path": path, "kind": node.kind, "result": result, "final": success})
            if success:
                finals[path] = {"kind": node.kind, **result}
                node.step.output_values = output_values(node.kind, result)
            if node.step.record is not None:
                node.step.record.progressive = node.latest
        self.throttle.close()
        for node in self.nodes.values():
            if node.writer is not None:
                node.writer.close()
        return finals

    # -- steering --------------------------------------------------------------------------------
    def steer(self, path: str, parameters: dict[str, str]) -> dict[str, Any]:
        """Validates the change and applies it as a two-phase commit (Scheduler.change): the steered
        operator gets new settings and its own fresh PgScan from the start of the version (the
        others, sharing nothing with it, continue); progressive steps it feeds start over."""
        node = self.nodes.get(path)
        if node is None:
            raise ValueError(f"{path!r} is not a progressive submodule of this run.")
        slots = {s["name"]: s for s in node.step.type_version.parameter_slots if s["mode"] != "OUT"}
        unknown = sorted(set(parameters) - set(slots))
        if unknown:
            raise ValueError(f"Unknown parameter(s): {', '.join(unknown)}.")
        if not node.ready:
            raise ValueError(f"{path!r} has not started yet (it waits for its parameters).")
        values = {**{k: v for k, v in node.step.parameters.items()}, **parameters}
        params = parse_parameters(node.kind, values, self.numeric_of(path))
        self._replace(node, params, values)
        return params

    def _replace(self, node: ProgressiveNode, params: dict[str, Any], values: dict[str, str | None]) -> None:
        """Two-phase commit: the node's operator (and its scan) replaced by new ones with `params`,
        connected to what the old one fed (a step after it waits on `table` or `result`)."""
        assert self.scheduler is not None
        with self._lock, self.scheduler.change() as flow:
            node.generation += 1
            old_op, old_scan = node.op, node.scan
            downstream = [c for c in flow.connections if c.src == old_op.id]
            flow.remove(old_op)
            if old_scan is not None and not any(c.src == old_scan.id for c in flow.connections):
                flow.remove(old_scan)
            node.params = params
            node.step.parameters = values
            node.started, node.last_stored = time.monotonic(), 0.0
            self._wire(flow, node, f"{old_op.id.split('_g')[0]}_g{node.generation}")
            for c in downstream:
                slot = c.src_slot if node.op.output_spec(c.src_slot) else \
                    next(s.name for s in node.op.outputs if s.name in ("table", "result"))
                flow.connect(node.op, slot, c.dst, c.dst_slot)


def steering_entry(path: str, parameters: dict[str, str], user: str) -> dict[str, Any]:
    return {"path": path, "parameters": parameters, "at": timezone.now().isoformat(), "user": user}

