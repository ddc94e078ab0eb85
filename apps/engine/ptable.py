"""A progressive columnar table with per-consumer change tracking.

``PTable`` is a dict of numpy arrays that grows append-only (amortised capacity doubling). Row ids
are physical positions and are **monotonic**: they are never reused, a deleted row only becomes a
hole (``read`` skips it). Because growth is append-only, the rows created since a consumer's last
look always form one contiguous id range, so ``created.next(n)`` is a ``slice`` and reading it is a
zero-copy view while no row was ever deleted (ProgressiVis gathers bitmap indices instead, which is
where its Max spends most of its time).

Each consumer owns a ``ChangeCursor`` (a bookmark): ``created`` is the row-id watermark, ``updated``
and ``deleted`` replay the table's change log. Only updates/deletes of rows the consumer has already
consumed (ids below its watermark) count: a row changed before being read is simply read with its new
value (or skipped). ``reset()`` rewinds the cursor so that every live row is "created" again.
The change log is trimmed to what the live cursors still need.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = ["ChangeCursor", "PTable"]

RowSelector = slice | Sequence[int] | npt.NDArray[np.integer[Any]]

_MIN_CAPACITY = 1024


@dataclass(frozen=True)
class _LogEntry:
    seq: int
    kind: str  # "updated" | "deleted"
    rows: npt.NDArray[np.int64]  # sorted, unique
    min_row: int


class PTable:
    """Append-only columnar table with update/delete and change tracking.

    ``columns`` may declare the schema (name -> dtype); otherwise it is taken from the first append.
    ``expected_rows`` is an optional hint set by producers that know the final size (progress bars).
    """

    def __init__(
        self,
        columns: Mapping[str, npt.DTypeLike] | None = None,
        *,
        name: str = "",
        capacity: int = 0,
        expected_rows: int | None = None,
    ) -> None:
        self.name = name
        self.expected_rows = expected_rows
        self._data: dict[str, np.ndarray] = {}
        self._capacity = 0
        self._next_id = 0  # physical rows used == next row id
        self._alive: npt.NDArray[np.bool_] | None = None  # None: no row was ever deleted
        self._ndeleted = 0
        self._version = 0
        self._seq = 0  # change-log sequence
        self._log: list[_LogEntry] = []
        self._cursors: weakref.WeakSet[ChangeCursor] = weakref.WeakSet()
        if columns is not None:
            self._data = {c: np.empty(0, dtype=np.dtype(dt)) for c, dt in columns.items()}
            self._reserve(capacity)

    # -- construction helpers -----------------------------------------------------------------
    @classmethod
    def from_dict(cls, data: Mapping[str, npt.ArrayLike], *, name: str = "") -> PTable:
        arrays = {c: np.asarray(v) for c, v in data.items()}
        table = cls({c: a.dtype for c, a in arrays.items()}, name=name)
        table.append(arrays)
        return table

    # -- introspection --------------------------------------------------------------------------
    @property
    def columns(self) -> list[str]:
        return list(self._data)

    @property
    def dtypes(self) -> dict[str, np.dtype[Any]]:
        return {c: a.dtype for c, a in self._data.items()}

    @property
    def next_id(self) -> int:
        """The id the next appended row will get (== number of rows ever appended)."""
        return self._next_id

    @property
    def version(self) -> int:
        """Incremented by every append/update/delete (cheap "has anything changed" token)."""
        return self._version

    @property
    def has_deletions(self) -> bool:
        return self._ndeleted > 0

    def __len__(self) -> int:
        return self._next_id - self._ndeleted

    def __repr__(self) -> str:
        return f"PTable(name={self.name!r}, rows={len(self)}, columns={self.columns})"

    # -- storage --------------------------------------------------------------------------------
    def _reserve(self, needed: int) -> None:
        if needed <= self._capacity:
            return
        new_cap = max(needed, 2 * self._capacity, _MIN_CAPACITY)
        for c, old in self._data.items():
            grown = np.empty(new_cap, dtype=old.dtype)
            grown[: self._next_id] = old[: self._next_id]
            self._data[c] = grown
        if self._alive is not None:
            alive = np.ones(new_cap, dtype=bool)
            alive[: self._next_id] = self._alive[: self._next_id]
            self._alive = alive
        self._capacity = new_cap

    def _normalize(self, data: Mapping[str, npt.ArrayLike] | np.ndarray) -> dict[str, np.ndarray]:
        if isinstance(data, np.ndarray):
            if data.dtype.names is None:
                raise TypeError("append() takes a mapping of columns or a structured array")
            return {n: np.atleast_1d(np.asarray(data[n])) for n in data.dtype.names}
        return {c: np.atleast_1d(np.asarray(v)) for c, v in data.items()}

    def append(self, data: Mapping[str, npt.ArrayLike] | np.ndarray) -> slice:
        """Append rows (all columns, equal lengths); returns the slice of the new row ids."""
        arrays = self._normalize(data)
        if not self._data and self._next_id == 0:
            self._data = {c: np.empty(0, dtype=a.dtype) for c, a in arrays.items()}
        if set(arrays) != set(self._data):
            missing = sorted(set(self._data) - set(arrays))
            extra = sorted(set(arrays) - set(self._data))
            raise ValueError(f"append(): columns mismatch (missing {missing}, unexpected {extra})")
        lengths = {len(a) for a in arrays.values()}
        if len(lengths) > 1:
            raise ValueError("append(): columns have different lengths")
        n = lengths.pop() if lengths else 0
        start = self._next_id
        if n == 0:
            return slice(start, start)
        self._reserve(start + n)
        for c, a in arrays.items():
            self._data[c][start : start + n] = a
        self._next_id = start + n
        self._version += 1
        return slice(start, start + n)

    def _ids(self, rows: RowSelector) -> npt.NDArray[np.int64]:
        if isinstance(rows, slice):
            ids = np.arange(*rows.indices(self._next_id), dtype=np.int64)
        else:
            ids = np.unique(np.asarray(rows, dtype=np.int64))
        if ids.size and (ids[0] < 0 or ids[-1] >= self._next_id):
            raise IndexError("row id out of range")
        if self._alive is not None and ids.size:
            dead = ~self._alive[ids]
            if dead.any():
                raise KeyError(f"rows already deleted: {ids[dead][:10].tolist()}")
        return ids

    def _log_change(self, kind: str, ids: npt.NDArray[np.int64]) -> None:
        self._seq += 1
        self._log.append(_LogEntry(self._seq, kind, ids, int(ids[0])))
        self._version += 1
        self._trim_log()

    def _trim_log(self) -> None:
        cursors = list(self._cursors)
        if not cursors:
            self._log.clear()
            return
        upd = min(c._upd_seq for c in cursors)
        dele = min(c._del_seq for c in cursors)
        self._log = [e for e in self._log if e.seq > (upd if e.kind == "updated" else dele)]

    def update(self, rows: RowSelector, values: Mapping[str, npt.ArrayLike]) -> None:
        """Overwrite some columns of existing live rows (values broadcast like numpy)."""
        ids = self._ids(rows)
        unknown = sorted(set(values) - set(self._data))
        if unknown:
            raise KeyError(f"unknown columns {unknown}")
        if ids.size == 0:
            return
        target: slice | npt.NDArray[np.int64] = ids
        if not isinstance(rows, slice):
            target = np.asarray(rows, dtype=np.int64).ravel()  # the caller's order, for values
            if target.size != ids.size:
                raise ValueError("update(): duplicate row ids")
        for c, v in values.items():
            self._data[c][target] = v
        self._log_change("updated", ids)

    def delete(self, rows: RowSelector) -> None:
        """Delete live rows (their ids are never reused)."""
        ids = self._ids(rows)
        if ids.size == 0:
            return
        if self._alive is None:
            self._alive = np.ones(self._capacity, dtype=bool)
        self._alive[ids] = False
        self._ndeleted += int(ids.size)
        self._log_change("deleted", ids)

    def clear(self) -> None:
        """Delete every live row."""
        ids = self.row_ids()
        if ids.size:
            self.delete(ids)

    # -- reading --------------------------------------------------------------------------------
    def row_ids(self, rows: slice | None = None) -> npt.NDArray[np.int64]:
        """Live row ids (optionally within an id slice)."""
        start, stop, _ = (rows or slice(None)).indices(self._next_id)
        ids = np.arange(start, stop, dtype=np.int64)
        if self._alive is not None:
            ids = ids[self._alive[start:stop]]
        return ids

    def read(
        self, rows: RowSelector | None = None, columns: Iterable[str] | None = None
    ) -> dict[str, np.ndarray]:
        """Values of live rows. A slice read without deletions returns read-only views."""
        cols = list(columns) if columns is not None else list(self._data)
        unknown = [c for c in cols if c not in self._data]
        if unknown:
            raise KeyError(f"unknown columns {unknown}")
        if rows is None:
            rows = slice(0, self._next_id)
        if isinstance(rows, slice):
            start, stop, step = rows.indices(self._next_id)
            if step != 1:
                raise ValueError("read(): slices must have step 1")
            if self._alive is None:
                out = {}
                for c in cols:
                    view = self._data[c][start:stop]
                    view.flags.writeable = False
                    out[c] = view
                return out
            mask = self._alive[start:stop]
            return {c: self._data[c][start:stop][mask] for c in cols}
        ids = np.asarray(rows, dtype=np.int64)
        if ids.size and (ids.min() < 0 or ids.max() >= self._next_id):
            raise IndexError("row id out of range")
        if self._alive is not None:
            ids = ids[self._alive[ids]]
        return {c: self._data[c][ids] for c in cols}

    def column(self, name: str) -> np.ndarray:
        return self.read(None, [name])[name]

    def to_dict(self, columns: Iterable[str] | None = None) -> dict[str, np.ndarray]:
        """A copy of the live rows."""
        return {c: np.array(a) for c, a in self.read(None, columns).items()}

    # -- change tracking ------------------------------------------------------------------------
    def cursor(self) -> ChangeCursor:
        """A new bookmark at the start: every live row is pending as "created"."""
        cur = ChangeCursor(self)
        self._cursors.add(cur)
        return cur


class _CreatedView:
    __slots__ = ("_cursor",)

    def __init__(self, cursor: ChangeCursor) -> None:
        self._cursor = cursor

    def __len__(self) -> int:
        """Number of pending row ids (including holes that read() will skip)."""
        return self._cursor.table.next_id - self._cursor._pos

    def any(self) -> bool:
        return len(self) > 0

    def next(self, n: int | None = None) -> slice:
        """Consume at most ``n`` pending row ids (all if ``None``); an empty slice when none."""
        cur = self._cursor
        start = cur._pos
        stop = cur.table.next_id
        if n is not None:
            stop = min(stop, start + max(0, n))
        cur._pos = stop
        return slice(start, stop)


class _ChangeView:
    __slots__ = ("_cursor", "_kind")

    def __init__(self, cursor: ChangeCursor, kind: str) -> None:
        self._cursor = cursor
        self._kind = kind

    def _seq(self) -> int:
        return self._cursor._upd_seq if self._kind == "updated" else self._cursor._del_seq

    def _entries(self) -> list[_LogEntry]:
        seq, pos = self._seq(), self._cursor._pos
        return [
            e
            for e in self._cursor.table._log
            if e.seq > seq and e.kind == self._kind and e.min_row < pos
        ]

    def any(self) -> bool:
        pos = self._cursor._pos
        return any(bool((e.rows < pos).any()) for e in self._entries())

    def next(self) -> npt.NDArray[np.int64]:
        """Consume the pending ids (sorted, unique) of already-consumed rows changed this way."""
        pos = self._cursor._pos
        parts = [e.rows[e.rows < pos] for e in self._entries()]
        if self._kind == "updated":
            self._cursor._upd_seq = self._cursor.table._seq
        else:
            self._cursor._del_seq = self._cursor.table._seq
        self._cursor.table._trim_log()
        if not parts:
            return np.empty(0, dtype=np.int64)
        return np.unique(np.concatenate(parts))


class ChangeCursor:
    """A consumer's bookmark into a ``PTable``: ``created``, ``updated``, ``deleted`` views."""

    def __init__(self, table: PTable) -> None:
        self.table = table
        self._pos = 0
        self._upd_seq = table._seq
        self._del_seq = table._seq
        self.created = _CreatedView(self)
        self.updated = _ChangeView(self, "updated")
        self.deleted = _ChangeView(self, "deleted")

    @property
    def position(self) -> int:
        """Row-id watermark: every id below it has been consumed."""
        return self._pos

    def has_created(self) -> bool:
        return self.created.any()

    def has_updates_or_deletes(self) -> bool:
        return self.updated.any() or self.deleted.any()

    def reset(self) -> None:
        """Rewind: all live rows become pending "created", pending updates/deletes are dropped."""
        self._pos = 0
        self._upd_seq = self.table._seq
        self._del_seq = self.table._seq
        self.table._trim_log()

    def __repr__(self) -> str:
        return f"ChangeCursor(position={self._pos}, pending_created={len(self.created)})"
