"""Validity of a composite module type's network (no Django).

The graph is turned into a `Dataflow` of slot-only modules so that the scheduler's own validation
(dangling connections, slot types, one source per input, required inputs, cycles) decides; the
composite-specific EMF rules (direction of connections, optional source to required target, unique
submodule names, known versions) are checked here."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from apps.engine.dataflow import Dataflow, Module, SlotSpec, StepResult

SELF_IN, SELF_OUT = "__inputs__", "__outputs__"


@dataclass(frozen=True)
class Slots:
    """A version's slots as stored: dataset_slots and parameter_slots lists of dicts."""

    dataset_slots: Sequence[Mapping[str, Any]]
    parameter_slots: Sequence[Mapping[str, Any]]


@dataclass(frozen=True)
class GraphError:
    code: str
    message: str
    submodule: int | None = None
    slot: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "submodule": self.submodule, "slot": self.slot}


class _SlotHolder(Module):
    """A module that only has slots: enough for the dataflow's validation."""

    def __init__(self, id: str, inputs: Sequence[SlotSpec], outputs: Sequence[SlotSpec]) -> None:
        super().__init__(id)
        self.inputs, self.outputs = tuple(inputs), tuple(outputs)

    def run_step(self, run_number: int, step_size: int, howlong: float) -> StepResult:  # pragma: no cover
        raise NotImplementedError


def _specs(slots: Slots, modes: set[str], *, as_input: bool) -> list[SlotSpec]:
    specs = [SlotSpec(s["placeholder"], f"dataset:{s['dataset_type']}", as_input and not s.get("is_optional"))
             for s in slots.dataset_slots if s["mode"] in modes]
    specs += [SlotSpec(s["name"], f"param:{s['sql_type']}", as_input and not s.get("is_optional"))
              for s in slots.parameter_slots if s["mode"] in modes]
    return specs


def _optional(slots: Slots, name: str) -> bool:
    for s in [*slots.dataset_slots, *slots.parameter_slots]:
        if s.get("placeholder", s.get("name")) == name:
            return bool(s.get("is_optional"))
    return False


def _node(submodule: int | None, *, source: bool) -> str:
    if submodule is None:
        return SELF_IN if source else SELF_OUT
    return f"s{submodule}"


def _submodule_of(node: str | None) -> int | None:
    return int(node[1:]) if node and node.startswith("s") and node[1:].isdigit() else None


def validate_graph(graph: Mapping[str, Any], own: Slots, versions: Mapping[int, Slots]) -> list[GraphError]:
    """Every problem of a composite's graph; `versions` maps the submodules' version ids to slots."""
    submodules = list(graph.get("submodules") or [])
    errors = _submodule_errors(submodules, versions)
    flow = Dataflow([_SlotHolder(SELF_IN, [], _specs(own, {"IN", "INOUT"}, as_input=False)),
                     _SlotHolder(SELF_OUT, _specs(own, {"OUT", "INOUT"}, as_input=True), [])])
    slots_of: dict[str, Slots] = {SELF_IN: own, SELF_OUT: own}
    for sub in submodules:
        version = versions.get(sub.get("version"))
        if version is None or not isinstance(sub.get("id"), int):
            continue
        node = _node(sub["id"], source=True)
        slots_of[node] = version
        flow.add(_SlotHolder(node, _specs(version, {"IN", "INOUT"}, as_input=True),
                             _specs(version, {"OUT", "INOUT"}, as_input=False)))
    for conn in graph.get("connections") or []:
        src, dst = _node(conn["source"].get("submodule"), source=True), _node(conn["target"].get("submodule"), source=False)
        flow.connect(src, conn["source"]["slot"], dst, conn["target"]["slot"])
        if src in slots_of and _optional(slots_of[src], conn["source"]["slot"]) and \
                dst in slots_of and not _optional(slots_of[dst], conn["target"]["slot"]):
            errors.append(GraphError("optional_to_required", f"The optional {conn['source']['slot']} cannot feed "
                                     f"the required {conn['target']['slot']}.", _submodule_of(dst), conn["target"]["slot"]))
    errors += [_from_dataflow(e) for e in flow.validate()]
    return errors


def _submodule_errors(submodules: list[dict[str, Any]], versions: Mapping[int, Slots]) -> list[GraphError]:
    errors, ids, names = [], set(), set()
    for sub in submodules:
        sid, name = sub.get("id"), str(sub.get("name") or "").strip()
        if not isinstance(sid, int) or sid in ids:
            errors.append(GraphError("duplicate_id", f"Submodule id {sid!r} is missing or used twice."))
        ids.add(sid)
        if not name or name.lower() in names:
            errors.append(GraphError("duplicate_name", f"Submodule name {name!r} is empty or used twice.",
                                     sid if isinstance(sid, int) else None))
        names.add(name.lower())
        if sub.get("version") not in versions:
            errors.append(GraphError("unknown_version", f"Submodule {name!r} uses a module type version that "
                                     "does not exist.", sid if isinstance(sid, int) else None))
    return errors


MESSAGES = {SELF_IN: "the composite's inputs", SELF_OUT: "the composite's outputs"}


def _from_dataflow(error: Any) -> GraphError:
    code = {"unknown_module": "dangling_connection", "unknown_slot": "dangling_connection",
            "incompatible_types": "type_mismatch", "multiple_sources": "multiple_sources",
            "missing_required_input": "missing_required_input", "cycle": "cycle"}.get(error.code, error.code)
    message = error.message
    for node, words in MESSAGES.items():
        message = message.replace(node, words)
    return GraphError(code, message, _submodule_of(error.module), error.slot)
