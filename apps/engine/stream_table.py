"""``StreamTable``: an append-only ``PTable`` that forgets the rows every consumer has read.

A source that streams a dataset (``pg_scan.PgScan``) must not hold the whole dataset in memory. Its
output is a ``StreamTable``: row ids stay logical and monotonic (row ``i`` is the ``i``-th row the
source produced, so ``len(table)`` and ``next_id`` count every row ever appended), but physically it
keeps only a *window*: the rows from the lowest position of its live consumers' cursors
(``ChangeCursor.position``) up to ``next_id``. Rows below the window are *released*: reading them
raises ``RowsReleased``. When no consumer holds a cursor yet, nothing is released.

It is append-only: ``update``/``delete`` raise (a consumer of a stream is never reset by its
source). A consumer that must replay the stream (a steered parameter) cannot: the producer has to
start over with a new table (``PgScan.rescan()``), which resets every consumer of that producer.
``backlog`` (rows appended that the slowest consumer has not read) lets the producer pause before the
window grows past what it wants to keep.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np
import numpy.typing as npt

from apps.engine.ptable import _MIN_CAPACITY, PTable, RowSelector
from apps.engine.pushdown import Partials

__all__ = ["RowsReleased", "StreamTable"]


class RowsReleased(LookupError):
    """A read asked for rows a ``StreamTable`` has already released."""


class StreamTable(PTable):
    """Append-only ``PTable`` keeping only the rows its consumers have not all read (see module)."""

    def __init__(
        self,
        columns: Mapping[str, npt.DTypeLike] | None = None,
        *,
        name: str = "",
        expected_rows: int | None = None,
    ) -> None:
        self._base = 0  # logical id of physical index 0
        #: set by a PgScan aggregating server-side for its one operator (pushdown.py): no rows then
        self.partials: Partials | None = None
        super().__init__(columns, name=name, expected_rows=expected_rows)

    # -- window -------------------------------------------------------------------------------
    @property
    def first_id(self) -> int:
        """Lowest row id still held (rows below it were released)."""
        return self._base

    @property
    def held_rows(self) -> int:
        return self._next_id - self._base

    def consumed_position(self) -> int | None:
        """Lowest position of the live consumers' cursors (``None`` without consumers)."""
        positions = [c.position for c in list(self._cursors)]
        return min(positions) if positions else None

    @property
    def backlog(self) -> int:
        """Rows not yet read by the slowest consumer (all held rows without consumers)."""
        pos = self.consumed_position()
        return self._next_id - (self._base if pos is None else max(pos, self._base))

    def release(self) -> int:
        """Forget the rows every consumer has read; returns how many were released."""
        pos = self.consumed_position()
        if pos is None or pos <= self._base:
            return 0
        pos = min(pos, self._next_id)
        keep = self._next_id - pos
        capacity = max(_MIN_CAPACITY, keep)
        offset = pos - self._base
        for c, old in self._data.items():
            fresh = np.empty(capacity, dtype=old.dtype)  # new arrays: views handed out stay valid
            fresh[:keep] = old[offset : offset + keep]
            self._data[c] = fresh
        released = pos - self._base
        self._base, self._capacity = pos, capacity
        return released

    # -- storage (physical index = row id - first_id) -----------------------------------------
    def _reserve(self, needed: int) -> None:
        """Room for row ids below ``needed`` (physical size ``needed - first_id``)."""
        size = needed - self._base
        if size <= self._capacity:
            return
        used = self._next_id - self._base
        new_cap = max(size, 2 * self._capacity, _MIN_CAPACITY)
        for c, old in self._data.items():
            grown = np.empty(new_cap, dtype=old.dtype)
            grown[:used] = old[:used]
            self._data[c] = grown
        self._capacity = new_cap

    def append(self, data: Mapping[str, npt.ArrayLike] | np.ndarray) -> slice:
        self.release()
        arrays = self._normalize(data)
        if not self._data and self._next_id == 0:
            self._data = {c: np.empty(0, dtype=a.dtype) for c, a in arrays.items()}
        if set(arrays) != set(self._data):
            raise ValueError(
                f"append(): columns mismatch (have {sorted(self._data)}, got {sorted(arrays)})"
            )
        lengths = {len(a) for a in arrays.values()}
        if len(lengths) > 1:
            raise ValueError("append(): columns have different lengths")
        n = lengths.pop() if lengths else 0
        start = self._next_id
        if n == 0:
            return slice(start, start)
        self._reserve(start + n)
        at = start - self._base
        for c, a in arrays.items():
            self._data[c][at : at + n] = a
        self._next_id = start + n
        self._version += 1
        return slice(start, start + n)

    def update(self, rows: RowSelector, values: Mapping[str, npt.ArrayLike]) -> None:
        raise NotImplementedError("a StreamTable is append-only")

    def delete(self, rows: RowSelector) -> None:
        raise NotImplementedError("a StreamTable is append-only")

    def row_ids(self, rows: slice | None = None) -> npt.NDArray[np.int64]:
        start, stop, _ = (rows or slice(self._base, None)).indices(self._next_id)
        self._check_held(start, stop)
        return np.arange(start, stop, dtype=np.int64)

    def _check_held(self, start: int, stop: int) -> None:
        if start < self._base and stop > start:
            raise RowsReleased(
                f"{self.name or 'stream'}: rows {start}..{min(stop, self._base) - 1} were released "
                f"(the table holds rows from {self._base})"
            )

    def read(
        self, rows: RowSelector | None = None, columns: Iterable[str] | None = None
    ) -> dict[str, np.ndarray]:
        """Values of held rows (``None``: every held row). Slices return read-only views."""
        cols = list(columns) if columns is not None else list(self._data)
        unknown = [c for c in cols if c not in self._data]
        if unknown:
            raise KeyError(f"unknown columns {unknown}")
        if rows is None:
            rows = slice(self._base, self._next_id)
        if isinstance(rows, slice):
            start, stop, step = rows.indices(self._next_id)
            if step != 1:
                raise ValueError("read(): slices must have step 1")
            self._check_held(start, stop)
            out = {}
            for c in cols:
                view = self._data[c][start - self._base : max(start, stop) - self._base]
                view.flags.writeable = False
                out[c] = view
            return out
        ids = np.asarray(rows, dtype=np.int64)
        if ids.size and (ids.min() < 0 or ids.max() >= self._next_id):
            raise IndexError("row id out of range")
        if ids.size and ids.min() < self._base:
            raise RowsReleased(f"{self.name or 'stream'}: row {int(ids.min())} was released")
        return {c: self._data[c][ids - self._base] for c in cols}

    def __repr__(self) -> str:
        return (
            f"StreamTable(name={self.name!r}, rows={len(self)}, held={self.held_rows}, "
            f"columns={self.columns})"
        )
