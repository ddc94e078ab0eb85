"""Synchronized consumers: a module joining several inputs only processes what all of them have seen.

The rule (written down in docs/progressive.md, the section ProgressiVis leaves empty):

- Every source (``PgScan``, or any module with a ``frontier()`` method) produces its rows in one
  fixed order; its ``frontier()`` is ``{source id: rows produced so far}``.
- A module's *frontier* says which prefix of each source its current result or output reflects:
  ``{source id: n}`` means "exactly the first n rows of that source". A table operator
  (``operators.TableOperator.frontier``) reports its input's frontier when it has consumed all its
  input, its cursor position when its input is still row-for-row the source (nothing filtered out
  so far), and otherwise the frontier of the last step after which it had caught up.
- Two results are *consistent* when their frontiers agree on every source they share.
- A module that joins several inputs acts only on a consistent cut: ``Zip`` (row-aligned tables)
  appends only the rows every input already has (ids below the smallest ``next_id``); ``SyncJoin``
  (results, e.g. Min and Max of one scan) combines its inputs only when their frontiers agree on
  every shared source, and otherwise stays blocked until the lagging input catches up (the lagging
  input always has pending rows, so it is ready and gets a step in the same pass: no deadlock).
  When every upstream module has finished, all frontiers are complete, so the final result is the
  combination of complete inputs.
- Inputs that share no source (or whose producers report no frontier) are independent: any
  combination of them is consistent.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from apps.engine.dataflow import Module, ModuleError, ModuleState, SlotSpec, StepResult
from apps.engine.ptable import ChangeCursor, PTable

__all__ = [
    "SyncJoin",
    "Zip",
    "consistent",
    "frontier_of",
    "input_frontier",
    "operator_frontier",
]


def frontier_of(module: Module | None) -> dict[str, int]:
    """``module.frontier()`` when it has one, else ``{}`` (unknown: treated as independent)."""
    fn = getattr(module, "frontier", None)
    return dict(fn()) if callable(fn) else {}


def input_frontier(module: Module, slot: str) -> dict[str, int]:
    """The frontier of the module feeding ``module``'s input ``slot``."""
    if module.dataflow is None:
        return {}
    conn = module.dataflow.source_of(module.id, slot)
    if conn is None:
        return {}
    return frontier_of(module.dataflow.modules.get(conn.src))


def operator_frontier(op: Any) -> dict[str, int]:
    """Frontier of a ``TableOperator`` (see the module docstring for the three cases)."""
    table: PTable | None = op._table
    cursor: ChangeCursor | None = op._cursor
    if table is None or cursor is None:
        return {}
    upstream = input_frontier(op, "table")
    position = cursor.position
    if position >= table.next_id:
        return upstream
    if len(upstream) == 1:
        ((source, produced),) = upstream.items()
        if produced == table.next_id:  # the input is still row-for-row its source
            return {source: position}
    return dict(op._caught_up)


def consistent(frontiers: Sequence[Mapping[str, int]]) -> bool:
    """True when the frontiers agree on every source they share."""
    seen: dict[str, int] = {}
    for frontier in frontiers:
        for source, rows in frontier.items():
            if seen.setdefault(source, rows) != rows:
                return False
    return True


class SyncJoin(Module):
    """Combines the current values of several inputs, only when their frontiers are consistent.

    ``combine({slot: value}) -> result`` (values of unconnected optional inputs are ``None``); the
    result is published on the ``result`` output. ``frontier()`` is the merged frontier of the
    inputs at the last combination.
    """

    outputs = (SlotSpec("result", "dict", required=False),)

    def __init__(
        self,
        id: str,
        slots: Sequence[str],
        combine: Callable[[dict[str, Any]], Any],
        *,
        slot_type: str = "dict",
    ) -> None:
        super().__init__(id)
        if len(slots) < 2:
            raise ValueError("a join has at least two inputs")
        self.inputs = tuple(SlotSpec(s, slot_type) for s in slots)
        self.combine = combine
        self._frontier: dict[str, int] = {}
        self.combinations = 0
        self.waits = 0  # turns refused because the inputs were not consistent

    def frontier(self) -> dict[str, int]:
        return dict(self._frontier)

    def input_frontiers(self) -> dict[str, dict[str, int]]:
        return {s.name: input_frontier(self, s.name) for s in self.inputs}

    def synchronized(self) -> bool:
        return consistent(list(self.input_frontiers().values()))

    def is_ready(self) -> bool:
        if not super().is_ready():
            return False
        if self.synchronized():
            return True
        self.waits += 1
        return False

    def run_step(self, run_number: int, step_size: int, howlong: float) -> StepResult:
        frontiers = self.input_frontiers()
        if not consistent(list(frontiers.values())):
            self.waits += 1
            return StepResult(ModuleState.BLOCKED, 0)
        values = {s.name: self.input_value(s.name) for s in self.inputs}
        self.result = self.combine(values)
        merged: dict[str, int] = {}
        for f in frontiers.values():
            merged.update(f)
        self._frontier = merged
        self.combinations += 1
        self.set_output("result", self.result)
        return StepResult(ModuleState.BLOCKED, 1)


class Zip(Module):
    """Row-aligned join of several tables (e.g. two scans of one version): output row ``i`` holds
    row ``i`` of every input, columns renamed ``<slot>.<column>``; a row is appended only when every
    input has it. Inputs must be append-only tables produced in the same source order."""

    outputs = (SlotSpec("table", "table", required=False),)

    def __init__(self, id: str, slots: Sequence[str]) -> None:
        super().__init__(id)
        if len(slots) < 2:
            raise ValueError("a join has at least two inputs")
        self.inputs = tuple(SlotSpec(s, "table") for s in slots)
        self.out = PTable(name=id)
        self.set_output("table", self.out)
        self.result = self.out
        self._cursors: dict[str, tuple[PTable, ChangeCursor]] = {}

    def frontier(self) -> dict[str, int]:
        """``{source: rows}`` when every input is row-for-row one same source, else ``{}``."""
        sources = set()
        for s in self.inputs:
            f = input_frontier(self, s.name)
            table = self.input_value(s.name)
            if len(f) != 1 or not isinstance(table, PTable) or next(iter(f.values())) != table.next_id:
                return {}
            sources.add(next(iter(f)))
        return {sources.pop(): self.out.next_id} if len(sources) == 1 else {}

    def run_step(self, run_number: int, step_size: int, howlong: float) -> StepResult:
        tables: dict[str, PTable] = {}
        for s in self.inputs:
            table = self.input_value(s.name)
            if table is None:
                return StepResult(ModuleState.BLOCKED, 0)
            if not isinstance(table, PTable):
                raise ModuleError(f"{self.id}: input {s.name!r} is not a table")
            known = self._cursors.get(s.name)
            if known is None or known[0] is not table:
                if known is not None:  # a new input table: start over
                    self.out.clear()
                    self._cursors.clear()
                    return self.run_step(run_number, step_size, howlong)
                self._cursors[s.name] = (table, table.cursor())
            tables[s.name] = table
        positions = {self._cursors[n][1].position for n in tables}
        if len(positions) != 1:
            raise ModuleError(f"{self.id}: inputs out of step")
        start = positions.pop()
        stop = min(min(t.next_id for t in tables.values()), start + step_size)
        if stop > start:
            row: dict[str, np.ndarray] = {}
            for name, table in tables.items():
                ids = self._cursors[name][1].created.next(stop - start)
                for column, values in table.read(ids).items():
                    row[f"{name}.{column}"] = values
            self.out.append(row)
        behind = min(t.next_id for t in tables.values()) > self.out.next_id
        return StepResult(ModuleState.READY if behind else ModuleState.BLOCKED, stop - start)
