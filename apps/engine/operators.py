"""Progressive operators over a ``PTable`` input (slot ``table``).

Each step reads only the rows created since the previous step (at most ``step_size`` of them, in
sub-chunks, stopping early when the quantum is used up so a step does not overrun it), folds them
into its accumulators and publishes the partial result (``result`` attribute and output slot). An
update or delete of an already-consumed input row resets the operator, which then replays the
table. ``watermark`` is the input row id up to which the result is exact (see the dataflow module
docstring on synchronization); ``progress()`` is (rows done, expected total or None).

NaN values are ignored by Min/Max/Stats/Histogram/Quantiles, like numpy's ``nan*`` functions.

Quantiles are exact (numpy's default linear interpolation) while at most ``exact_limit`` values
were seen; beyond that a deterministic mergeable compactor sketch (KLL/MRL-like, levels of
weight 2^l, ``sketch_size`` values per level) takes over. Every compaction of a level of weight
``w`` moves any rank by at most ``w``; the sketch adds those up, so each result carries the
achieved worst-case bound ``rank_error`` (as a fraction of n). In theory it is at most
``(log2(n / k) + 1) / k`` (k = sketch_size): ~0.1 % of n for n = 1e6, k = 8192, with
~k * log2(n / k) values kept; measured errors are typically 10x smaller.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from apps.engine.dataflow import Module, ModuleError, ModuleState, SlotSpec, StepResult
from apps.engine.ptable import ChangeCursor, PTable
from apps.engine.pushdown import PageRows, Partials, Pushdown
from apps.engine.stream_table import StreamTable
from apps.engine.sync import input_frontier, operator_frontier

__all__ = [
    "Filter",
    "Histogram",
    "Max",
    "Min",
    "QuantileSketch",
    "Quantiles",
    "Scan",
    "Stats",
    "TableOperator",
]

Columns = dict[str, np.ndarray]
TABLE_IN = SlotSpec("table", "table")
TABLE_OUT = SlotSpec("table", "table", required=False)
DICT_OUT = SlotSpec("result", "dict", required=False)
_MIN_CHUNK = 4096
#: SQL: ``{0}`` unless NaN (float8 NaN sorts above every number; the operators ignore it like NULL)
_NOT_NAN = "FILTER (WHERE {0} <> 'NaN')"


def _scalar(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


def _finite(x: np.ndarray) -> np.ndarray:
    if x.dtype.kind in "fc" and x.size:
        nan = np.isnan(x)
        if nan.any():
            return x[~nan]
    return x


class TableOperator(Module):
    """Base class: incremental reading of the ``table`` input with reset on updates/deletes."""

    inputs = (TABLE_IN,)
    default_step_size = 10_000

    def __init__(
        self,
        id: str,
        *,
        columns: Sequence[str] | None = None,
        default_step_size: int | None = None,
        max_step_size: int | None = None,
    ) -> None:
        super().__init__(id, default_step_size=default_step_size, max_step_size=max_step_size)
        self.columns = list(columns) if columns is not None else None
        self._table: PTable | None = None
        self._cursor: ChangeCursor | None = None
        self._published = False
        self._caught_up: dict[str, int] = {}
        self.rows_done = 0
        self.resets = 0

    # -- hooks for subclasses -------------------------------------------------------------------
    def reset(self) -> None:
        """Forget everything (the input will be replayed from the start)."""

    def process_chunk(self, data: Columns, nrows: int) -> None:
        raise NotImplementedError

    def publish(self) -> None:
        """Set ``self.result`` and the output slot(s) from the accumulators."""
        raise NotImplementedError

    def pushdown(self, columns: Sequence[str]) -> Pushdown | None:
        """The server-side partial aggregation this operator offers when it is the only consumer
        of a scan of ``columns`` (pushdown.py), or None (it reads rows)."""
        return None

    def input_columns(self, table: PTable) -> list[str]:
        cols = self.columns if self.columns is not None else table.columns
        missing = [c for c in cols if c not in table.columns]
        if missing:
            raise ModuleError(f"{self.id}: input table has no column(s) {missing}")
        return cols

    # -- machinery ------------------------------------------------------------------------------
    @property
    def watermark(self) -> int:
        return self._cursor.position if self._cursor is not None else 0

    def frontier(self) -> dict[str, int]:
        """Rows of each source this result reflects (synchronization, docs/progressive.md)."""
        if self._partials() is not None:  # exactly the rows of the pages merged so far
            return {source: self.rows_done for source in input_frontier(self, "table")}
        return operator_frontier(self)

    def _partials(self) -> Partials | None:
        table = self._table
        return table.partials if isinstance(table, StreamTable) else None

    def progress(self) -> tuple[int, int | None]:
        table = self._table
        if table is None:
            return self.rows_done, None
        if table.expected_rows is not None:
            return self.rows_done, table.expected_rows
        return self.rows_done, (len(table) if self.upstream_finished() else None)

    def _restart_from_scratch(self) -> None:
        self.rows_done = 0
        self._published = False
        self._caught_up = {}
        self.reset()

    def _input_table(self) -> PTable | None:
        table = self.input_value("table")
        if table is None or isinstance(table, PTable):
            return table
        raise ModuleError(f"{self.id}: input 'table' is a {type(table).__name__}, not a PTable")

    def run_step(self, run_number: int, step_size: int, howlong: float) -> StepResult:
        table = self._input_table()
        if table is None:
            return StepResult(ModuleState.BLOCKED, 0)
        if table is not self._table or self._cursor is None:
            self._table, self._cursor = table, table.cursor()
            self._restart_from_scratch()
        elif self._cursor.has_updates_or_deletes():
            self._cursor.reset()
            self.resets += 1
            self._restart_from_scratch()
        partials = self._partials()
        if partials is not None:
            return self._merge_partials(partials)
        cursor = self._cursor
        if not table.columns and not cursor.created.any():  # an upstream table with no rows nor columns yet
            if not self._published:
                self.publish()
                self._published = True
            return StepResult(ModuleState.BLOCKED, 0)
        cols = self.input_columns(table)
        chunk = max(_MIN_CHUNK, step_size // 4)
        done = 0
        while done < step_size:
            ids = cursor.created.next(min(chunk, step_size - done))
            if ids.stop <= ids.start:
                break
            data = table.read(ids, cols)
            nrows = len(next(iter(data.values()))) if data else ids.stop - ids.start
            if nrows:
                self.process_chunk(data, nrows)
            self.rows_done += nrows
            done += ids.stop - ids.start
            if self.time_left() <= 0:
                break
        if done or not self._published:
            self.publish()
            self._published = True
        if not cursor.created.any():  # caught up: the result covers all the input reflects
            self._caught_up = input_frontier(self, "table")
        state = ModuleState.READY if cursor.created.any() else ModuleState.BLOCKED
        return StepResult(state, done)


    def _merge_partials(self, partials: Partials) -> StepResult:
        """Pushdown: merge every page the scan aggregated since the last step."""
        merge = partials.spec.merge
        if getattr(merge, "__self__", None) is not self:
            raise ModuleError(f"{self.id}: its scan aggregates for another operator")
        done = 0
        for nrows, rows in partials.take():
            merge(rows)
            self.rows_done += nrows
            done += nrows
        if done or not self._published:
            self.publish()
            self._published = True
        return StepResult(ModuleState.BLOCKED, done)


class _TableOutput(TableOperator):
    """Operators whose output is a ``PTable`` (slot ``table``) that grows with the input."""

    outputs = (TABLE_OUT,)

    def __init__(self, id: str, **kwargs: Any) -> None:
        super().__init__(id, **kwargs)
        self.out = PTable(name=id)
        self.set_output("table", self.out)
        self.result = self.out

    def output_columns(self, table: PTable) -> list[str]:
        return self.input_columns(table)

    def reset(self) -> None:
        self.out.clear()

    def publish(self) -> None:
        self.result = self.out


class Scan(_TableOutput):
    """Passes the rows through (optionally only ``columns``) into its own output table."""

    def process_chunk(self, data: Columns, nrows: int) -> None:
        self.out.append(data)

    def publish(self) -> None:
        if self._table is not None:
            self.out.expected_rows = self._table.expected_rows
        self.result = self.out


class Filter(_TableOutput):
    """Keeps the rows where ``predicate(columns) -> bool array`` is true.

    The predicate sees every input column; the output keeps ``columns`` (default: all).
    """

    def __init__(
        self,
        id: str,
        predicate: Callable[[Mapping[str, np.ndarray]], npt.ArrayLike],
        **kwargs: Any,
    ) -> None:
        super().__init__(id, **kwargs)
        self.predicate = predicate

    def input_columns(self, table: PTable) -> list[str]:
        if self.columns is not None:
            super().input_columns(table)  # check they exist
        return table.columns

    def process_chunk(self, data: Columns, nrows: int) -> None:
        mask = np.asarray(self.predicate(data), dtype=bool)
        if mask.shape != (nrows,):
            raise ModuleError(f"{self.id}: predicate returned shape {mask.shape}, not ({nrows},)")
        keep = self.columns if self.columns is not None else list(data)
        self.out.append({c: data[c][mask] for c in keep})

    def publish(self) -> None:
        upstream_done = self._table is not None and self.upstream_finished()
        if upstream_done and self._cursor is not None and not self._cursor.created.any():
            self.out.expected_rows = len(self.out)
        self.result = self.out


class _NumericReducer(TableOperator):
    outputs = (DICT_OUT,)

    def input_columns(self, table: PTable) -> list[str]:
        if self.columns is not None:
            return super().input_columns(table)
        return [c for c, dt in table.dtypes.items() if dt.kind in "biuf"]


class _Fold(_NumericReducer):
    """Min/Max: fold each column with a NaN-ignoring ufunc."""

    ufunc: np.ufunc = np.fmin
    sql_aggregate = "min"

    def __init__(self, id: str, **kwargs: Any) -> None:
        super().__init__(id, **kwargs)
        self.values: dict[str, Any] = {}
        self._pushed: list[str] = []

    def reset(self) -> None:
        self.values = {}

    def pushdown(self, columns: Sequence[str]) -> Pushdown | None:
        cols = list(self.columns if self.columns is not None else columns)
        if not cols or any(c not in columns for c in cols):
            return None
        self._pushed = cols
        agg = f"{self.sql_aggregate}({{0}}) {_NOT_NAN}"
        return Pushdown(tuple(cols), tuple(agg.replace("{0}", f"{{{i}}}") for i in range(len(cols))),
                        self._merge_page)

    def _merge_page(self, rows: PageRows) -> None:
        (_group, _count, *parts) = rows[0]  # an empty page or only NULL/NaN: NULL (NaN, as fmin/fmax)
        self.process_chunk({c: np.array([math.nan if v is None else v], dtype=np.float64)
                            for c, v in zip(self._pushed, parts, strict=True)}, 1)

    def process_chunk(self, data: Columns, nrows: int) -> None:
        for c, a in data.items():
            part = self.ufunc.reduce(a)
            self.values[c] = part if c not in self.values else self.ufunc(self.values[c], part)

    def publish(self) -> None:
        self.result = {c: _scalar(v) for c, v in self.values.items()}
        self.set_output("result", self.result)


class Min(_Fold):
    """Per-column minimum (``{column: value}``), NaN ignored."""

    ufunc = np.fmin
    sql_aggregate = "min"


class Max(_Fold):
    """Per-column maximum (``{column: value}``), NaN ignored."""

    ufunc = np.fmax
    sql_aggregate = "max"


class _Moments:
    __slots__ = ("count", "max", "mean", "min", "m2")

    def __init__(self) -> None:
        self.count = 0
        self.mean = 0.0
        self.m2 = 0.0
        self.min = math.inf
        self.max = -math.inf

    def merge(self, x: np.ndarray) -> None:
        """Chan et al.'s parallel merge of this chunk's (n, mean, M2) into the running ones."""
        n_b = int(x.size)
        if n_b == 0:
            return
        x = x.astype(np.float64, copy=False)
        mean_b = float(x.mean())
        self.merge_partial(n_b, mean_b, float(np.square(x - mean_b).sum()), float(x.min()),
                           float(x.max()))

    def merge_partial(self, n_b: int, mean_b: float, m2_b: float, min_b: float, max_b: float) -> None:
        """Merge a part's count, mean, M2 (sum of squared deviations), min and max."""
        if n_b == 0:
            return
        n_a, n = self.count, self.count + n_b
        delta = mean_b - self.mean
        self.mean += delta * n_b / n
        self.m2 += m2_b + delta * delta * n_a * n_b / n
        self.count = n
        self.min = min(self.min, min_b)
        self.max = max(self.max, max_b)

    def as_dict(self) -> dict[str, float | int | None]:
        if self.count == 0:
            return {
                "count": 0,
                "mean": None,
                "variance": None,
                "std": None,
                "min": None,
                "max": None,
            }
        var = self.m2 / self.count
        return {
            "count": self.count,
            "mean": self.mean,
            "variance": var,
            "std": math.sqrt(var),
            "min": self.min,
            "max": self.max,
        }


class Stats(_NumericReducer):
    """Per column: count, mean, variance (population, ddof=0, like ``np.var``), std, min, max."""

    def __init__(self, id: str, **kwargs: Any) -> None:
        super().__init__(id, **kwargs)
        self.moments: dict[str, _Moments] = {}
        self._pushed: list[str] = []

    def reset(self) -> None:
        self.moments = {}

    def process_chunk(self, data: Columns, nrows: int) -> None:
        for c, a in data.items():
            self.moments.setdefault(c, _Moments()).merge(_finite(a))

    #: per column: non-NaN count, mean, population variance (PostgreSQL's are Youngs-Cramer, stable),
    #: min, max; M2 = var_pop * count, merged like numpy's chunks (Chan et al.)
    _STATS_SQL = tuple(f"{f}({{0}}) {_NOT_NAN}" for f in ("count", "avg", "var_pop", "min", "max"))

    def pushdown(self, columns: Sequence[str]) -> Pushdown | None:
        cols = list(self.columns if self.columns is not None else columns)
        if not cols or any(c not in columns for c in cols):
            return None
        self._pushed = cols
        aggs = tuple(a.replace("{0}", f"{{{i}}}") for i in range(len(cols)) for a in self._STATS_SQL)
        return Pushdown(tuple(cols), aggs, self._merge_page)

    def _merge_page(self, rows: PageRows) -> None:
        (_group, _count, *parts) = rows[0]
        for i, c in enumerate(self._pushed):
            n, mean, var, lo, hi = parts[5 * i: 5 * i + 5]
            moments = self.moments.setdefault(c, _Moments())
            if n:
                moments.merge_partial(int(n), float(mean), float(var) * int(n), float(lo), float(hi))

    def publish(self) -> None:
        self.result = {c: m.as_dict() for c, m in self.moments.items()}
        self.set_output("result", self.result)


class Histogram(TableOperator):
    """Histogram of one column over fixed bins: ``edges`` or ``bins`` equal bins over ``range``.

    Same semantics as ``np.histogram`` (last bin closed); values outside are counted in
    ``underflow``/``overflow``, NaNs in ``nan``. The result is exactly numpy's one-shot histogram.
    """

    outputs = (DICT_OUT,)

    def __init__(
        self,
        id: str,
        column: str,
        *,
        bins: int = 10,
        range: tuple[float, float] | None = None,
        edges: npt.ArrayLike | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(id, columns=[column], **kwargs)
        self.column = column
        if edges is not None:
            self._bins: Any = np.asarray(edges, dtype=np.float64)
            if self._bins.ndim != 1 or self._bins.size < 2 or np.any(np.diff(self._bins) <= 0):
                raise ValueError("edges must be a strictly increasing 1-D array of >= 2 values")
            self._range: tuple[float, float] | None = None
            self.edges = self._bins
        elif range is not None:
            lo, hi = float(range[0]), float(range[1])
            if not lo < hi or bins < 1:
                raise ValueError("need range[0] < range[1] and bins >= 1")
            self._bins, self._range = int(bins), (lo, hi)
            self.edges = np.histogram_bin_edges(np.empty(0), bins=bins, range=(lo, hi))
        else:
            raise ValueError("Histogram needs edges or a known range")
        self.counts = np.zeros(self.edges.size - 1, dtype=np.int64)
        self.underflow = self.overflow = self.nan = 0

    def reset(self) -> None:
        self.counts = np.zeros(self.edges.size - 1, dtype=np.int64)
        self.underflow = self.overflow = self.nan = 0

    def pushdown(self, columns: Sequence[str]) -> Pushdown | None:
        """Per page, one row per bin: ``width_bucket`` over the exact edges (so a value on an edge
        falls where numpy puts it), the last edge in the last bin; -1 is NULL or NaN."""
        if self.column not in columns:
            return None
        group = ("CASE WHEN {0} IS NULL OR {0} = 'NaN' THEN -1 WHEN {0} = %(last)s THEN %(bins)s "
                 "ELSE width_bucket({0}, %(edges)s::float8[]) END")
        params = {"edges": [float(e) for e in self.edges], "last": float(self.edges[-1]),
                  "bins": int(self.edges.size - 1)}
        return Pushdown((self.column,), (), self._merge_page, group=group, params=params)

    def _merge_page(self, rows: PageRows) -> None:
        bins = self.counts.size
        for group, count, *_ in rows:
            g, n = int(group), int(count)
            if g < 0:
                self.nan += n
            elif g == 0:
                self.underflow += n
            elif g > bins:
                self.overflow += n
            else:
                self.counts[g - 1] += n

    def process_chunk(self, data: Columns, nrows: int) -> None:
        x = data[self.column]
        finite = _finite(x)
        self.nan += int(x.size - finite.size)
        counts, _ = np.histogram(finite, bins=self._bins, range=self._range)
        self.counts += counts
        self.underflow += int(np.count_nonzero(finite < self.edges[0]))
        self.overflow += int(np.count_nonzero(finite > self.edges[-1]))

    def publish(self) -> None:
        self.result = {
            "edges": self.edges.copy(),
            "counts": self.counts.copy(),
            "underflow": self.underflow,
            "overflow": self.overflow,
            "nan": self.nan,
        }
        self.set_output("result", self.result)


class QuantileSketch:
    """Deterministic mergeable quantile sketch (compactor levels, level l items weigh 2^l).

    ``rank_error_bound`` is the achieved worst-case absolute rank error of any query.
    """

    def __init__(self, k: int = 8192) -> None:
        if k < 2:
            raise ValueError("k must be >= 2")
        self.k = k
        self.n = 0
        self.levels: list[np.ndarray] = []
        self._offsets: list[int] = []
        self.rank_error_bound = 0

    def __len__(self) -> int:
        return self.n

    @property
    def size(self) -> int:
        """Values kept."""
        return sum(level.size for level in self.levels)

    def update(self, values: npt.ArrayLike) -> None:
        x = _finite(np.asarray(values, dtype=np.float64).ravel())
        self.n += int(x.size)
        self._add(0, x)

    def _add(self, level: int, x: np.ndarray) -> None:
        while x.size:
            if level == len(self.levels):
                self.levels.append(np.empty(0))
                self._offsets.append(0)
            merged = np.concatenate((self.levels[level], x)) if self.levels[level].size else x
            if merged.size <= self.k:
                self.levels[level] = merged
                return
            merged = np.sort(merged)
            even = merged.size - (merged.size % 2)
            offset = self._offsets[level]
            self._offsets[level] ^= 1  # alternate so errors tend to cancel
            self.levels[level] = merged[even:]  # odd leftover (the largest) stays
            self.rank_error_bound += 1 << level
            x, level = merged[offset:even:2], level + 1

    def quantiles(self, qs: Sequence[float]) -> list[float]:
        if self.n == 0:
            return [math.nan for _ in qs]
        values = np.concatenate(self.levels)
        weights = np.concatenate(
            [np.full(level.size, 1 << i, dtype=np.int64) for i, level in enumerate(self.levels)]
        )
        order = np.argsort(values, kind="stable")
        values, cum = values[order], np.cumsum(weights[order])
        out = []
        for q in qs:
            rank = q * (self.n - 1)  # 0-based target rank, as numpy's linear method
            idx = int(np.searchsorted(cum, rank, side="right"))
            out.append(float(values[min(idx, values.size - 1)]))
        return out


class Quantiles(TableOperator):
    """Quantiles of one column: exact up to ``exact_limit`` values, then a ``QuantileSketch``.

    Result: ``{"quantiles": {q: value}, "count": n, "exact": bool, "rank_error": fraction}``.
    """

    outputs = (DICT_OUT,)

    def __init__(
        self,
        id: str,
        column: str,
        *,
        quantiles: Sequence[float] = (0.25, 0.5, 0.75),
        exact_limit: int = 100_000,
        sketch_size: int = 8192,
        **kwargs: Any,
    ) -> None:
        super().__init__(id, columns=[column], **kwargs)
        if any(not 0.0 <= q <= 1.0 for q in quantiles):
            raise ValueError("quantiles must be within [0, 1]")
        self.column = column
        self.qs = [float(q) for q in quantiles]
        self.exact_limit = exact_limit
        self.sketch_size = sketch_size
        self.reset()

    def reset(self) -> None:
        self._buf = np.empty(0, dtype=np.float64)
        self._n = 0
        self.sketch: QuantileSketch | None = None

    @property
    def exact(self) -> bool:
        return self.sketch is None

    def process_chunk(self, data: Columns, nrows: int) -> None:
        x = _finite(np.asarray(data[self.column], dtype=np.float64))
        if self.sketch is not None:
            self.sketch.update(x)
            return
        if self._n + x.size > self.exact_limit:
            self.sketch = QuantileSketch(self.sketch_size)
            self.sketch.update(self._buf[: self._n])
            self.sketch.update(x)
            self._buf, self._n = np.empty(0, dtype=np.float64), 0
            return
        need = self._n + x.size
        if need > self._buf.size:
            grown = np.empty(max(need, 2 * self._buf.size, _MIN_CHUNK), dtype=np.float64)
            grown[: self._n] = self._buf[: self._n]
            self._buf = grown
        self._buf[self._n : need] = x
        self._n = need

    def publish(self) -> None:
        if self.sketch is not None:
            n = self.sketch.n
            values = self.sketch.quantiles(self.qs)
            rank_error = self.sketch.rank_error_bound / n if n else 0.0
        else:
            n = self._n
            values = (
                [float(v) for v in np.quantile(self._buf[:n], self.qs)]
                if n
                else [math.nan] * len(self.qs)
            )
            rank_error = 0.0
        self.result = {
            "quantiles": dict(zip(self.qs, values, strict=True)),
            "count": n,
            "exact": self.sketch is None,
            "rank_error": rank_error,
        }
        self.set_output("result", self.result)
