"""MAGDA's aggregation modules in ModuleBench (DESIGN §6.4, docs/aggregation.md); no Django.

- **Phases**: in a network, a regular submodule no aggregation feeds is `before` (it runs in `run`
  mode), an aggregation submodule is `aggregation` (it aggregates in `run` mode and processes in
  `process` mode), and what an aggregation feeds, directly or not, is `after` (it runs in `process`
  mode, on the processed state). A submodule fed both from `before` and from `after`/`aggregation` is
  invalid, and so is an aggregation fed from an aggregation or from after one. The composite's own
  inputs feed any phase. `phases` decides it for any network given as nodes in topological order.
- **Slots and SQL** of a simple aggregation version: one IN dataset slot (the data; its dataset type
  is the state's), one OUT dataset slot (what process writes), IN parameters; the state is the
  reserved placeholder `${state}`. `aggregation_slot_errors` checks them; `phase_slots` gives the
  slots each step sees; `aggregate_script`/`process_script` the SQL each step runs, defaults
  (MAGDA's default `aggregate`, `process`, `clear_state`) filled in.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from psycopg import sql

from apps.engine.composite import ExpansionError, submodule_order

BEFORE, AGGREGATION, AFTER = "before", "aggregation", "after"
RUN, PROCESS = "run", "process"
STATE = "state"  # the reserved placeholder of an aggregation version's state
N = TypeVar("N", bound=Hashable)  # a node of a network: a submodule id, or a step's path
DEFAULT_CLEAR_SQL = f"DELETE FROM ${{{STATE}}};"


@dataclass(frozen=True)
class PhaseError:
    node: Hashable
    code: str
    message: str
    slot: str | None = None


def phases(order: Sequence[N], feeders: Mapping[N, Iterable[tuple[str, N | None]]],
           aggregations: set[N], names: Mapping[N, str] | None = None) -> tuple[dict[N, str], list[PhaseError]]:
    """The phase of every node (`order`: topological) and what makes the network invalid.
    `feeders[node]`: (its input slot, the node feeding it, or None for the composite's own input)."""
    names = names or {}
    found: dict[N, str] = {}
    errors: list[PhaseError] = []
    for node in order:
        fed = [(slot, found.get(src)) for slot, src in feeders.get(node, ()) if src is not None]
        late = [slot for slot, phase in fed if phase in (AGGREGATION, AFTER)]
        early = [slot for slot, phase in fed if phase == BEFORE]
        label = names.get(node, str(node))
        if node in aggregations:
            found[node] = AGGREGATION
            if late:
                errors.append(PhaseError(node, "aggregation_after_aggregation", f"Aggregation submodule {label!r} is "
                                         "fed by another aggregation (or by a submodule after one) through "
                                         f"{late[0]}: an aggregation collects what regular submodules produce in "
                                         "run mode.", late[0]))
        elif late:
            found[node] = AFTER
            if early:
                errors.append(PhaseError(node, "mixed_phase_inputs", f"Submodule {label!r} is fed both from before an "
                                         f"aggregation ({early[0]}) and from after one ({late[0]}): the first runs "
                                         "in run mode, the second in process mode.", late[0]))
        else:
            found[node] = BEFORE
    return found, errors


# ------------------------------------------------------------------------------------ slots, SQL

def _dataset_slots(slots: Sequence[Mapping[str, Any]], mode: str) -> list[Mapping[str, Any]]:
    return [s for s in slots if s.get("mode") == mode]


def aggregation_slot_errors(dataset_slots: Sequence[Mapping[str, Any]], parameter_slots: Sequence[Mapping[str, Any]],
                            *, custom_process: bool) -> list[tuple[str, str]]:
    """(code, message) for each way the slots do not fit an aggregation version."""
    errors: list[tuple[str, str]] = []
    names = [str(s.get("placeholder", "")) for s in dataset_slots] + [str(s.get("name", "")) for s in parameter_slots]
    if any(n.lower() == STATE for n in names):
        errors.append(("aggregation_reserved_name", f"{STATE!r} is the state's placeholder in an aggregation type; "
                                                    "name the slot differently."))
    ins, outs = _dataset_slots(dataset_slots, "IN"), _dataset_slots(dataset_slots, "OUT")
    if len(ins) != 1 or len(outs) != 1 or _dataset_slots(dataset_slots, "INOUT"):
        errors.append(("aggregation_slots", "An aggregation type has exactly one IN dataset slot (the data it "
                                            "aggregates) and one OUT dataset slot (what process writes), and no "
                                            "INOUT dataset slot."))
    if any(s.get("mode") != "IN" for s in parameter_slots):
        errors.append(("aggregation_slots", "An aggregation type's parameters are IN parameters."))
    if not errors and not custom_process and ins[0].get("dataset_type") != outs[0].get("dataset_type"):
        errors.append(("aggregation_output_type", f"Without process SQL, process copies the state (of "
                                                  f"{ins[0].get('placeholder')}'s dataset type) to "
                                                  f"{outs[0].get('placeholder')}: give both slots the same dataset "
                                                  "type, or write the process SQL."))
    return errors


def state_slot(dataset_slots: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """The state as a dataset slot: INOUT, of the IN slot's dataset type."""
    data = _dataset_slots(dataset_slots, "IN")[0]
    return {"placeholder": STATE, "mode": "INOUT", "dataset_type": data.get("dataset_type"), "is_optional": False,
            "description": "The aggregation state"}


def phase_slots(dataset_slots: Sequence[Mapping[str, Any]], mode: str) -> list[dict[str, Any]]:
    """What the aggregation step of `mode` sees: run: the data and the state; process (and clear):
    the state and the output."""
    keep = "IN" if mode == RUN else "OUT"
    own = [dict(s) for s in dataset_slots if s.get("mode") == keep]
    return [*own, state_slot(dataset_slots)] if mode == RUN else [state_slot(dataset_slots), *own]


def _copy_sql(target: str, source: str, columns: Sequence[str], *, ordered: bool) -> str:
    names = sql.SQL(", ").join(sql.Identifier(c) for c in columns).as_string(None)
    order = " ORDER BY record_id" if ordered else ""
    return f"INSERT INTO ${{{target}}} ({names}) SELECT {names} FROM ${{{source}}}{order};"


def default_aggregate_sql(dataset_slots: Sequence[Mapping[str, Any]], columns: Sequence[str]) -> str:
    """MAGDA's default `aggregate`/`add_data`: append the input rows to the state."""
    data = _dataset_slots(dataset_slots, "IN")[0]
    return _copy_sql(STATE, str(data["placeholder"]), columns, ordered=True)


def default_process_sql(dataset_slots: Sequence[Mapping[str, Any]], columns: Sequence[str]) -> str:
    """MAGDA's default `process`: the whole state, in the order it was added."""
    result = _dataset_slots(dataset_slots, "OUT")[0]
    return _copy_sql(str(result["placeholder"]), STATE, columns, ordered=True)


def aggregate_script(aggregate_sql: str, dataset_slots: Sequence[Mapping[str, Any]], columns: Sequence[str]) -> str:
    return aggregate_sql if aggregate_sql.strip() else default_aggregate_sql(dataset_slots, columns)


def process_script(process_sql: str, clear_sql: str, dataset_slots: Sequence[Mapping[str, Any]],
                   columns: Sequence[str]) -> str:
    """Process, then clear, in one script (one transaction): a failed process clears nothing."""
    process = process_sql if process_sql.strip() else default_process_sql(dataset_slots, columns)
    clear = clear_sql if clear_sql.strip() else DEFAULT_CLEAR_SQL
    return f"{process}\n{clear}"


def graph_phases(graph: Mapping[str, Any], aggregation_versions: set[int]
                 ) -> tuple[dict[int, str], list[PhaseError]]:
    """Phases of a composite's submodules (by id), one level: `aggregation_versions` are the version
    ids marked aggregation. ({}, []) when no submodule is an aggregation, or the graph cannot be
    ordered (its own validation reports why)."""
    submodules = {s["id"]: s for s in graph.get("submodules") or [] if isinstance(s.get("id"), int)}
    aggregations = {sid for sid, s in submodules.items() if s.get("version") in aggregation_versions}
    if not aggregations:
        return {}, []
    connections = [c for c in graph.get("connections") or []
                   if c.get("target", {}).get("submodule") in submodules
                   and c.get("source", {}).get("submodule") in (None, *submodules)]
    try:
        order = submodule_order(submodules, connections)
    except ExpansionError:
        return {}, []
    feeders: dict[int, list[tuple[str, int | None]]] = {}
    for c in connections:
        feeders.setdefault(c["target"]["submodule"], []).append((str(c["target"]["slot"]), c["source"].get("submodule")))
    names = {sid: str(s.get("name") or sid) for sid, s in submodules.items()}
    return phases(order, feeders, aggregations, names)
