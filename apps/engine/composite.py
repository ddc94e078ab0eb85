"""Validity of a composite module type's network (no Django).

The graph is turned into a `Dataflow` of slot-only modules so that the scheduler's own validation
(dangling connections, slot types, one source per input, required inputs, cycles) decides; the
composite-specific EMF rules (direction of connections, optional source to required target, unique
submodule names, known versions, a module never writes its IN-only inputs) are checked here."""

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
    # a slot of dataset type null (a built-in progressive type's) takes and gives any dataset type
    specs = [SlotSpec(s["placeholder"], "any" if s.get("dataset_type") is None else f"dataset:{s['dataset_type']}",
                      as_input and not s.get("is_optional"))
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
    errors += _input_update_errors(graph, own, versions, submodules)
    errors += [_from_dataflow(e) for e in flow.validate()]
    return errors


def _slot_mode(slots: Slots, name: str) -> str | None:
    return next((str(s["mode"]) for s in slots.dataset_slots if s["placeholder"] == name), None)


def _input_update_errors(graph: Mapping[str, Any], own: Slots, versions: Mapping[int, Slots],
                         submodules: list[dict[str, Any]]) -> list[GraphError]:
    """A module IN slot feeding a submodule's INOUT slot: the submodule would update the module's
    input, and a module never writes its inputs (the run refuses it too: inout_writes_input)."""
    version_of = {sub.get("id"): versions.get(sub["version"]) for sub in submodules
                  if isinstance(sub.get("version"), int)}
    errors = []
    for conn in graph.get("connections") or []:
        source, target = conn["source"], conn["target"]
        child = version_of.get(target.get("submodule"))
        if source.get("submodule") is not None or child is None:
            continue
        if _slot_mode(own, str(source["slot"])) == "IN" and _slot_mode(child, str(target["slot"])) == "INOUT":
            errors.append(GraphError("inout_writes_input", f"The input {source['slot']} feeds the INOUT "
                                     f"{target['slot']}, which would update it: a module never writes its inputs. "
                                     f"Make {source['slot']} INOUT, or give the submodule an IN slot and an OUT slot.",
                                     target.get("submodule"), str(target["slot"])))
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


# --------------------------------------------------------------------------------------- expansion
# A composite run is the dataflow of the simple module type versions inside it, found by expanding
# nested composites recursively. Each simple submodule becomes one SQL step named by its path (the
# submodule names from the top, joined by "/"); every input of a step is traced back through the
# connections (and through nested composites' boundaries) to what feeds it: the module's own binding
# or an output slot of another step.


@dataclass(frozen=True)
class VersionSpec:
    """What expansion needs of a module type version: its kind, slots and (composite) graph."""

    id: int
    kind: str  # "simple" | "composite"
    dataset_slots: Sequence[Mapping[str, Any]]
    parameter_slots: Sequence[Mapping[str, Any]]
    graph: Mapping[str, Any]


@dataclass(frozen=True, order=True)
class Ref:
    """Where a dataset or parameter comes from: the module's own binding of slot `slot`
    (`path is None`) or the output slot `slot` of the step at `path`."""

    path: str | None
    slot: str

    @property
    def key(self) -> str:
        """`<step path>.<slot>`, the name keep flags use for internal datasets and parameters."""
        return f"{self.path}.{self.slot}" if self.path is not None else self.slot


@dataclass
class PlannedStep:
    """A simple module type version to run. `sources` maps its IN and INOUT slots (datasets and
    parameters) to what feeds them (None: not connected/bound)."""

    path: str
    name: str
    version: int
    sources: dict[str, Ref | None]


@dataclass
class FlatPlan:
    """Steps in a topological order (ties broken by submodule id); `outputs` maps the module's own
    OUT and INOUT slots to what produces them (None: not connected)."""

    steps: list[PlannedStep]
    outputs: dict[str, Ref | None]

    def step(self, path: str) -> PlannedStep:
        return next(s for s in self.steps if s.path == path)

    def readers(self, ref: Ref) -> list[str]:
        """Paths of the steps fed by `ref`, in plan order."""
        return [s.path for s in self.steps if ref in s.sources.values()]


class ExpansionError(ValueError):
    """The composite cannot be expanded into steps (its graph is invalid or a version is missing)."""

    def __init__(self, code: str, message: str, path: str | None = None) -> None:
        super().__init__(message)
        self.code, self.message, self.path = code, message, path


def _slot_names(version: VersionSpec, modes: set[str]) -> list[str]:
    return ([str(s["placeholder"]) for s in version.dataset_slots if s["mode"] in modes]
            + [str(s["name"]) for s in version.parameter_slots if s["mode"] in modes])


def expand(root: VersionSpec, versions: Mapping[int, VersionSpec]) -> FlatPlan:
    """The steps of a run of `root` (a simple version gives one step with the path "")."""
    steps: list[PlannedStep] = []
    own = {name: Ref(None, name) for name in _slot_names(root, {"IN", "INOUT"})}
    outputs = _expand(root, "", "", own, versions, steps, (root.id,))
    return FlatPlan(steps, {name: outputs.get(name) for name in _slot_names(root, {"OUT", "INOUT"})})


def _expand(version: VersionSpec, path: str, name: str, sources: Mapping[str, Ref | None],
            versions: Mapping[int, VersionSpec], steps: list[PlannedStep], stack: tuple[int, ...]) -> dict[str, Ref]:
    """Appends the steps of `version` (instantiated at `path`) and returns what produces each of
    its OUT and INOUT slots."""
    if version.kind != "composite":
        steps.append(PlannedStep(path, name, version.id, {n: sources.get(n) for n in _slot_names(version, {"IN", "INOUT"})}))
        return {n: Ref(path, n) for n in _slot_names(version, {"OUT", "INOUT"})}
    graph = version.graph or {}
    submodules = {int(s["id"]): s for s in graph.get("submodules") or []}
    connections = list(graph.get("connections") or [])
    produced: dict[int, dict[str, Ref]] = {}

    def resolve(end: Mapping[str, Any]) -> Ref | None:
        if end.get("submodule") is None:
            return sources.get(str(end["slot"]))
        return produced.get(int(end["submodule"]), {}).get(str(end["slot"]))

    for sid in submodule_order(submodules, connections, path):
        sub = submodules[sid]
        child = versions.get(sub.get("version"))  # type: ignore[arg-type]
        sub_path = f"{path}/{sub['name']}" if path else str(sub["name"])
        if child is None:
            raise ExpansionError("unknown_version", f"Submodule {sub_path!r} uses a module type version that does "
                                 "not exist.", sub_path)
        if child.id in stack:
            raise ExpansionError("recursive_composite", f"Submodule {sub_path!r} contains its own composite.", sub_path)
        child_sources = {str(c["target"]["slot"]): resolve(c["source"]) for c in connections
                         if c["target"].get("submodule") == sid}
        produced[sid] = _expand(child, sub_path, str(sub["name"]), child_sources, versions, steps, (*stack, child.id))
    return {str(c["target"]["slot"]): ref for c in connections
            if c["target"].get("submodule") is None and (ref := resolve(c["source"])) is not None}


def submodule_order(submodules: Mapping[int, Mapping[str, Any]], connections: Sequence[Mapping[str, Any]],
                    path: str = "") -> list[int]:
    """Kahn's algorithm over the submodule ids (the smallest ready id first, as EMF runs them)."""
    after: dict[int, set[int]] = {sid: set() for sid in submodules}
    for c in connections:
        src, dst = c["source"].get("submodule"), c["target"].get("submodule")
        if src is None or dst is None:
            continue
        if int(src) not in submodules or int(dst) not in submodules:
            raise ExpansionError("dangling_connection", f"A connection in {path or 'the module'} refers to a "
                                 "submodule that does not exist.", path or None)
        after[int(src)].add(int(dst))
    indegree = {sid: 0 for sid in submodules}
    for targets in after.values():
        for dst in targets:
            indegree[dst] += 1
    ready = sorted(sid for sid, d in indegree.items() if d == 0)
    order: list[int] = []
    while ready:
        sid = ready.pop(0)
        order.append(sid)
        for dst in sorted(after[sid]):
            indegree[dst] -= 1
            if indegree[dst] == 0:
                ready.append(dst)
                ready.sort()
    if len(order) != len(submodules):
        raise ExpansionError("cycle", f"The submodules of {path or 'the module'} are connected in a cycle.",
                             path or None)
    return order
