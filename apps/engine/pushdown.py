"""Server-side partial aggregation (docs/progressive.md, "Pushdown").

A reducing operator (Min, Max, Stats, Histogram with a known range) may offer a ``Pushdown``: SQL
aggregate expressions over the columns it reads and a ``merge`` function folding one page's
partial aggregate into its accumulators. When such an operator is the only consumer of a ``PgScan``
(``pg_scan.push_down(scan, op)``), each keyset page query returns the page's partial aggregate
instead of its rows; the scan hands it over through ``Partials`` (attached to its output table, so
a rescan, which publishes a new table, resets the operator as before) and the operator merges
every page the scan has read at its next step: its result always reflects exactly the rows of the
id windows read so far, as on the row path.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

__all__ = ["PageRows", "Partials", "Pushdown"]

#: One page's result rows: ``(group, rows in group, *aggregates)`` each (group ``None`` without one).
PageRows = list[tuple[Any, ...]]


@dataclass(frozen=True)
class Pushdown:
    """What a page query computes instead of returning rows.

    ``aggregates``/``group`` are SQL text where ``{0}``, ``{1}``... stand for ``columns[0]``,
    ``columns[1]``... read as ``float8`` (SQL NULL stays NULL); ``%(name)s`` placeholders take
    ``params``. ``merge(rows)`` folds one non-empty page.
    """

    columns: tuple[str, ...]
    aggregates: tuple[str, ...]
    merge: Callable[[PageRows], None]
    group: str | None = None
    params: Mapping[str, Any] = field(default_factory=dict)


class Partials:
    """Pages a scan has aggregated and its operator has not merged yet (one thread: the scheduler's)."""

    def __init__(self, spec: Pushdown) -> None:
        self.spec = spec
        self._pages: deque[tuple[int, PageRows]] = deque()
        self.pending_rows = 0

    def put(self, nrows: int, rows: PageRows) -> None:
        self._pages.append((nrows, rows))
        self.pending_rows += nrows

    def take(self) -> Sequence[tuple[int, PageRows]]:
        pages = list(self._pages)
        self._pages.clear()
        self.pending_rows = 0
        return pages
