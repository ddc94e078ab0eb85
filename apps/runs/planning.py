"""Turns a Run into its steps before anything runs: expand the module type version (nested
composites too) into SQL steps, resolve the module's bindings, and reserve every dataset the run
will write as a pending version (module outputs, INOUT versions, internal datasets). Whatever is
wrong surfaces here as a RunRefused, before a single script has run.

How a composite's wirings to its own outputs become versions (each module output gets exactly one
published version):
- a submodule OUT slot feeding a module output writes that output's pending version itself; when it
  feeds several module outputs (fan-out), the first (in slot order) is written by the submodule and
  the others get a copy of its rows at publish time;
- a module output wired straight to a module input gets a copy of the rows of the input's bound
  version at publish time (never through a user script); a module INOUT slot wired straight to
  itself gets a new version derived from the bound one, with no changes;
- an INOUT chain (a submodule's INOUT fed by the module's INOUT slot D, or by a submodule's OUT, and
  updated by further INOUT submodules) ending at a module output: every step of the chain writes a
  pending version derived from the one before (so each reads exactly what its predecessor left,
  and a side reader of an intermediate state is not disturbed by later steps); the FIRST one is
  the module output's version (derived from D's bound version, or the whole version written by the
  OUT submodule: for a NEW output that is its version 0) and at publish time it absorbs the changes
  of the later ones, which are discarded. So one version is published, holding the final rows;
  intermediate versions never are ("scratch"). A chain starting at a module IN-only slot is refused
  (a module never writes its inputs); composite.validate_graph reports it too."""

import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from apps.datasets.models import Dataset, DatasetType, DatasetVersion
from apps.datasets.selectors import bindable_datasets, published_versions, version_of
from apps.engine import composite, sandbox
from apps.engine import placeholders as ph
from apps.engine.composite import Ref
from apps.moduletypes.models import ModuleTypeVersion
from apps.moduletypes.selectors import submodule_versions
from apps.runs import aggregation
from apps.runs import outputs as out
from apps.runs.errors import RunRefused
from apps.runs.models import Run, StepRecord

if TYPE_CHECKING:  # a run belongs to a module; runs sits below modules and only names it (DESIGN §1)
    from apps.modules.models import Module


@dataclass
class ResolvedInput:
    slot: dict[str, Any]
    dataset: Dataset | None
    version: DatasetVersion | None

    @property
    def placeholder(self) -> str:
        return str(self.slot["placeholder"])


@dataclass
class SqlStep:
    """One simple module type version to run: the module itself (path ""), or a submodule."""

    index: int
    path: str
    name: str
    type_version: ModuleTypeVersion
    sources: dict[str, Ref | None]
    inputs: list[ResolvedInput] = field(default_factory=list)  # IN
    outputs: dict[str, out.PendingOutput] = field(default_factory=dict)  # OUT, by the step's placeholder
    inouts: list[tuple[ResolvedInput, out.PendingOutput | None]] = field(default_factory=list)  # INOUT
    parameters: dict[str, str | None] = field(default_factory=dict)  # resolved when the step starts
    record: StepRecord | None = None
    result: sandbox.StepResult | None = None
    error: dict[str, Any] | None = None
    output_values: dict[str, str | None] = field(default_factory=dict)
    started: threading.Event = field(default_factory=threading.Event)
    finished: threading.Event = field(default_factory=threading.Event)

    @property
    def where(self) -> str:
        return f" of submodule {self.path}" if self.path else ""

    @property
    def succeeded(self) -> bool:
        return self.result is not None and self.result.result == "SUCCESS" and self.error is None


class InternalDatasets:
    """A composite's internal datasets: each is dropped as soon as every step writing or reading it
    has finished, unless the module keeps it (then it is published with the outputs)."""

    def __init__(self, steps: list[SqlStep], kept_keys: set[str]) -> None:
        self._lock = threading.Lock()
        self.versions: dict[int, list[out.PendingOutput]] = {}
        for step in steps:
            for pending in [*step.outputs.values(), *(p for _, p in step.inouts if p is not None)]:
                if pending.output_method == "INTERNAL":
                    self.versions.setdefault(pending.dataset.pk, []).append(pending)
        self._users: dict[int, set[str]] = {pk: set() for pk in self.versions}
        for step in steps:
            touched = [*step.outputs.values(), *(p for _, p in step.inouts if p is not None)]
            read = [i for i in [*step.inputs, *(s for s, _ in step.inouts)] if i.dataset is not None]
            for pk in {p.dataset.pk for p in touched} | {i.dataset.pk for i in read if i.dataset is not None}:
                if pk in self._users:
                    self._users[pk].add(step.path)
        self.kept = {pk for pk, versions in self.versions.items() if versions[0].internal_key in kept_keys}
        self.unknown_keys = kept_keys - {v[0].internal_key for v in self.versions.values()}
        self.dropped: set[int] = set()

    def step_finished(self, path: str) -> list[list[out.PendingOutput]]:
        """The datasets (each as its pending versions) no step needs any more: drop them now."""
        done = []
        with self._lock:
            for pk, users in self._users.items():
                users.discard(path)
                if not users and pk not in self.kept and pk not in self.dropped:
                    self.dropped.add(pk)
                    done.append(self.versions[pk])
        return done

    def pending(self) -> list[out.PendingOutput]:
        with self._lock:
            return [p for pk, versions in self.versions.items() if pk not in self.dropped for p in versions]

    def kept_outputs(self) -> list[out.PendingOutput]:
        return [p for pk in sorted(self.kept) for p in self.versions[pk]]


@dataclass
class Execution:
    run: Run
    plan: composite.FlatPlan
    steps: list[SqlStep]
    bound: dict[str, ResolvedInput]  # the module's IN and INOUT slots
    written: dict[Ref, out.PendingOutput] = field(default_factory=dict)
    internal: dict[str, out.PendingOutput] = field(default_factory=dict)  # reserved up front, by key
    module_outputs: dict[str, out.PendingOutput] = field(default_factory=dict)
    internals: InternalDatasets | None = None
    keep_parameters: set[str] = field(default_factory=set)
    claims: dict[Ref, str] = field(default_factory=dict)  # the step slot writing each module output's version
    scratch: list[out.PendingOutput] = field(default_factory=list)  # intermediate INOUT versions
    states: dict[str, out.PendingOutput] = field(default_factory=dict)  # new aggregation state versions, by path

    @property
    def module(self) -> "Module":
        return self.run.module

    def step_at(self, path: str) -> SqlStep:
        return next(s for s in self.steps if s.path == path)

    def parameter_value(self, ref: Ref | None) -> str | None:
        if ref is None:
            return None
        if ref.path is None:
            value = self.module.parameter_bindings.get(ref.slot)
            return None if value is None else str(value)
        return self.step_at(ref.path).output_values.get(ref.slot)

    def module_writes(self) -> list[out.PendingOutput]:
        return list(self.module_outputs.values())

    def pending(self) -> list[out.PendingOutput]:
        """Everything reserved and not dropped yet."""
        internal = self.internals.pending() if self.internals else []
        return [*self.module_writes(), *self.scratch, *internal, *self.states.values()]


# --------------------------------------------------------------------------------------- bindings

def resolve_input(slot: dict[str, Any], binding: dict[str, Any] | None, *, project_id: int) -> ResolvedInput:
    """A bound dataset version. `"version": null` means, for IN, the latest published version, final
    or not (what an upstream module has just written, e.g. by REPLACE; never a running module's
    pending one) and, for INOUT, the latest final version (the base of the version the run writes
    must be final). apps.modules.selectors.DatasetFacts.version_a_run_reads must agree. The dataset
    must be one of the module's project (bindings may predate a change of project)."""
    placeholder = slot["placeholder"]
    if not binding or binding.get("dataset") is None:
        if slot.get("is_optional"):
            return ResolvedInput(slot, None, None)
        raise RunRefused("unbound_input", f"Input {placeholder} is required but no dataset is bound to it.")
    dataset = _bindable(project_id, binding["dataset"])
    if dataset is None:
        raise _not_in_project(f"Input {placeholder}", binding["dataset"])
    if slot["dataset_type"] is not None and dataset.dataset_type_id != slot["dataset_type"]:  # null: any type
        raise RunRefused("wrong_type", f"Input {placeholder}: {dataset.name!r} is not of the slot's dataset type.")
    number = binding.get("version")
    if number is None:
        return ResolvedInput(slot, dataset, _latest_version(slot, dataset))
    version = version_of(dataset=dataset, number=number)
    if version is None:
        raise RunRefused("missing_input", f"Input {placeholder}: {dataset.name!r} has no version {number}.")
    return ResolvedInput(slot, dataset, version)


def _bindable(project_id: int, dataset_id: Any) -> Dataset | None:
    """The same rule as at save (apps.datasets.selectors.bindable_datasets)."""
    valid = isinstance(dataset_id, int) and not isinstance(dataset_id, bool)
    return bindable_datasets(project_id=project_id).filter(pk=dataset_id).first() if valid else None


def _not_in_project(what: str, dataset_id: Any) -> RunRefused:
    """Removed, never existed or of another project: one answer, which names no dataset."""
    return RunRefused("dataset_not_in_project", f"{what}: dataset {dataset_id} does not exist in this module's "
                      "project (it was removed, or the binding predates a change of project).")


def _latest_version(slot: dict[str, Any], dataset: Dataset) -> DatasetVersion:
    placeholder = slot["placeholder"]
    if slot["mode"] == "INOUT":
        version = published_versions(dataset).filter(is_final=True).order_by("-number").first()
        if version is None:
            raise RunRefused("no_final_version", f"INOUT dataset {placeholder}: {dataset.name!r} has no final "
                             "version (the binding asks for the latest final one).")
        return version
    version = version_of(dataset=dataset, number=None)
    if version is None:
        raise RunRefused("no_version", f"Input {placeholder}: {dataset.name!r} has no version yet.")
    return version


def _reserve_module_output(run: Run, slot: dict[str, Any], binding: dict[str, Any] | None,
                           general: ph.GeneralInfo) -> out.PendingOutput | None:
    placeholder = slot["placeholder"]
    method = (binding or {}).get("output_method")
    if method is None:
        if slot.get("is_optional"):
            return None
        raise RunRefused("unbound_output", f"Output {placeholder} is required but has no output method.")
    dataset_type = DatasetType.objects.get(pk=slot["dataset_type"])
    if method == "NEW":
        pattern = (binding or {}).get("name_pattern") or f"{run.module.name} {placeholder} #${{run.id}}"
        name = ph.expand_name_pattern(pattern, general).strip()
        return out.reserve_new(run=run, placeholder=placeholder, name=name, dataset_type=dataset_type)
    target = _bindable(run.module.project_id, (binding or {}).get("dataset"))
    if target is None:
        raise _not_in_project(f"Output {placeholder}: the REPLACE target", (binding or {}).get("dataset"))
    if target.dataset_type_id != dataset_type.pk:
        raise RunRefused("bad_replace_target", f"Output {placeholder}: the REPLACE target is of another type.")
    return out.reserve_replace(run=run, placeholder=placeholder, dataset=target)


# --------------------------------------------------------------------------------------- planning

def _load_versions(root: ModuleTypeVersion) -> dict[int, ModuleTypeVersion]:
    """The root and every version its composites use, recursively (one query per nesting level). A
    submodule version of another project than the root's is not found (expand reports it unknown)."""
    found = {root.pk: root}
    level = [root]
    while level:
        ids = {s.get("version") for v in level if v.kind == "composite"
               for s in (v.graph or {}).get("submodules") or []} - set(found)
        children = list(submodule_versions(project_id=root.module_type.project_id)
                        .filter(pk__in=[i for i in ids if isinstance(i, int)]).select_related("module_type"))
        found.update({c.pk: c for c in children})
        level = children
    return found


def _spec(version: ModuleTypeVersion) -> composite.VersionSpec:
    return composite.VersionSpec(id=version.pk, kind=version.kind, dataset_slots=version.dataset_slots,
                                 parameter_slots=version.parameter_slots, graph=version.graph or {})


def plan_run(run: Run, general: ph.GeneralInfo) -> Execution:
    """Expands, resolves and reserves (see the module docstring). On RunRefused the caller discards
    what was reserved (everything reserved carries `pending_run=run`)."""
    root = run.type_version
    versions = _load_versions(root)
    try:
        plan = composite.expand(_spec(root), {pk: _spec(v) for pk, v in versions.items()})
    except composite.ExpansionError as exc:
        raise RunRefused(exc.code, exc.message) from None
    plan, phases = aggregation.for_mode(plan, versions, run.mode)
    module = run.module
    # this run's own values of IN parameters (docs/aggregation.md §3); the module itself is not saved
    module.parameter_bindings = {**module.parameter_bindings, **(run.parameter_overrides or {})}
    bound = {s["placeholder"]: resolve_input(s, module.dataset_bindings.get(s["placeholder"]),
                                             project_id=module.project_id)
             for s in root.dataset_slots if s["mode"] in ("IN", "INOUT")}
    _check_module_parameters(root, module)
    steps = [SqlStep(index=i, path=p.path, name=p.name or module.name, sources=p.sources,
                     type_version=aggregation.step_version(versions[p.version], phases.get(p.path), run.mode))
             for i, p in enumerate(plan.steps)]
    keep = module.keep_internal if isinstance(module.keep_internal, dict) else {}
    execution = Execution(run=run, plan=plan, steps=steps, bound=bound,
                          keep_parameters={k for k in keep.get("parameters") or [] if isinstance(k, str)})
    _check_module_outputs(execution)
    execution.claims = _claims(execution)
    wanted = _internal_outputs(execution)
    if wanted:
        types = {t.pk: t for t in DatasetType.objects.filter(pk__in={type_id for _, type_id in wanted})}
        execution.internal = out.reserve_internals(run=run, wanted=[(key, types[t]) for key, t in wanted])
    for step in steps:
        _reserve_step(execution, step, general)
    _reserve_fed_outputs(execution, general)
    execution.internals = InternalDatasets(steps, {k for k in keep.get("datasets") or [] if isinstance(k, str)})
    _check_steps_in_project(execution)
    return execution


def _check_steps_in_project(execution: Execution) -> None:
    """Every dataset any step (the module or a submodule, at any depth) reads or writes belongs to the
    module's project, whatever feeds it: the save-time rule, checked again on what the run will touch."""
    project_id = execution.module.project_id
    for step in execution.steps:
        read = [*(i.dataset for i in step.inputs), *(source.dataset for source, _ in step.inouts)]
        written = [*(p.dataset for p in step.outputs.values()), *(p.dataset for _, p in step.inouts if p is not None)]
        for dataset in [*read, *written]:
            if dataset is not None and dataset.project_id != project_id:
                raise _not_in_project(f"Dataset slot{step.where}", dataset.pk)


def _check_module_parameters(root: ModuleTypeVersion, module: "Module") -> None:
    for slot in root.parameter_slots:
        if slot["mode"] != "OUT" and not slot.get("is_optional") and module.parameter_bindings.get(slot["name"]) is None:
            raise RunRefused("unbound_parameter", f"Parameter {slot['name']} is required but has no value.")


def _check_module_outputs(execution: Execution) -> None:
    slots = {s["placeholder"]: s for s in execution.run.type_version.dataset_slots}
    for name, ref in execution.plan.outputs.items():
        if name not in slots:
            continue  # a parameter
        if ref is None and not slots[name].get("is_optional"):
            raise RunRefused("output_not_connected", f"Output {name} of the composite is not connected to any "
                             "submodule inside it.")


def _writes_module_output(execution: Execution, name: str) -> bool:
    """Will the module's OUT/INOUT slot `name` get a dataset of its own (else its producer writes
    an internal one)? An unbound optional output does not."""
    own = next(s for s in execution.run.type_version.dataset_slots if s["placeholder"] == name)
    if own["mode"] == "INOUT":
        return execution.bound[name].dataset is not None
    return (execution.module.dataset_bindings.get(name) or {}).get("output_method") is not None or \
        not own.get("is_optional")


def _internal_outputs(execution: Execution) -> list[tuple[str, int]]:
    """(key, dataset type) of every submodule OUT slot that needs an internal dataset."""
    wanted = []
    for step in execution.steps:
        if step.path and step.type_version.kind == "progressive":
            wanted += _progressive_outputs_read(execution, step)
            continue
        if not step.path:
            continue
        for slot in step.type_version.dataset_slots:
            ref = Ref(step.path, slot["placeholder"])
            if slot["mode"] == "OUT" and ref not in execution.claims:
                wanted.append((ref.key, int(slot["dataset_type"])))
    return wanted


def _progressive_outputs_read(execution: Execution, step: SqlStep) -> list[tuple[str, int]]:
    """A progressive submodule's output is an in-memory stream for progressive submodules; where a
    SQL submodule reads it, it is written as an internal dataset of the type of the slot reading it
    (docs/progressive.md)."""
    wanted = []
    for slot in step.type_version.dataset_slots:
        ref = Ref(step.path, slot["placeholder"])
        if slot["mode"] != "OUT" or ref in execution.claims:
            continue
        types = {int(s["dataset_type"]) for reader in execution.steps if reader.type_version.kind != "progressive"
                 for s in reader.type_version.dataset_slots if reader.sources.get(s["placeholder"]) == ref}
        if len(types) > 1:
            raise RunRefused("progressive_output_types", f"Output {ref.slot}{step.where} is read by SQL submodules "
                             "as datasets of different types; it can be written as one dataset type only.")
        wanted += [(ref.key, t) for t in types]
    return wanted


def _module_slot(execution: Execution, name: str) -> dict[str, Any]:
    return next(s for s in execution.run.type_version.dataset_slots if s["placeholder"] == name)


def _dataset_outputs(execution: Execution) -> list[tuple[str, Ref]]:
    """The module's OUT/INOUT dataset slots that get a version, with what feeds each."""
    names = {s["placeholder"] for s in execution.run.type_version.dataset_slots}
    return [(name, ref) for name, ref in execution.plan.outputs.items()
            if name in names and ref is not None and _writes_module_output(execution, name)]


def _chain(execution: Execution, ref: Ref) -> list[Ref | None]:
    """`ref`, then back through the INOUT slots that feed it: [ref, its source, ...], ending at a
    step's OUT slot, a module input (path None) or None (an optional INOUT nothing feeds)."""
    refs: list[Ref | None] = [ref]
    current: Ref | None = ref
    while current is not None and current.path is not None and _step_slot_mode(execution, current) == "INOUT":
        current = execution.step_at(current.path).sources.get(current.slot)
        refs.append(current)
    return refs


def _step_slot_mode(execution: Execution, ref: Ref) -> str:
    assert ref.path is not None
    slots = execution.step_at(ref.path).type_version.dataset_slots
    return str(next(s["mode"] for s in slots if s["placeholder"] == ref.slot))


def _claims(execution: Execution) -> dict[Ref, str]:
    """For each module output, the step slot that writes its version: the first written slot of the
    chain feeding it (a submodule's OUT, or the first INOUT reading the module's own INOUT slot of
    that name). A slot claimed already (fan-out), or a chain from another module input, means a
    copy instead (_reserve_fed_outputs)."""
    claims: dict[Ref, str] = {}
    for name, ref in _dataset_outputs(execution):
        chain = _chain(execution, ref)
        root = chain[-1]
        if root is None:
            continue
        if root.path is None:
            if root.slot != name or len(chain) < 2:
                continue
            first = chain[-2]
        else:
            first = root
        if first is not None and first not in claims:
            claims[first] = name
    return claims


def _reserve_step(execution: Execution, step: SqlStep, general: ph.GeneralInfo) -> None:
    for slot in step.type_version.dataset_slots:
        placeholder, mode = slot["placeholder"], slot["mode"]
        ref = Ref(step.path, placeholder)
        if aggregation.is_state_slot(step, slot):
            step.inouts.append(aggregation.reserve_state(execution, step, slot))
            continue
        if mode == "IN":
            step.inputs.append(_read(execution, step, slot))
            continue
        if mode == "OUT":
            pending = _reserve_out(execution, step, slot, ref, general)
            if pending is not None:
                step.outputs[placeholder] = pending
        else:
            source = _read(execution, step, slot)
            pending = _reserve_inout(execution, step, slot, ref, source, general)
            step.inouts.append((source, pending))
        if pending is not None:
            execution.written[ref] = pending


def _read(execution: Execution, step: SqlStep, slot: dict[str, Any]) -> ResolvedInput:
    ref = step.sources.get(slot["placeholder"])
    if ref is None:
        found = ResolvedInput(slot, None, None)
    elif ref.path is None:
        bound = execution.bound[ref.slot]
        found = ResolvedInput(slot, bound.dataset, bound.version)
    else:
        pending = execution.written.get(ref)
        found = ResolvedInput(slot, pending.dataset if pending else None, pending.version if pending else None)
        if pending is None and step.type_version.kind == "progressive" and \
                execution.step_at(ref.path).type_version.kind == "progressive":
            return found  # progressive → progressive: an in-memory stream (apps/runs/progressive.py)
    if found.dataset is None and not slot.get("is_optional"):
        raise RunRefused("unbound_input", f"Input {slot['placeholder']}{step.where} is required but nothing feeds it.")
    return found


def _reserve_out(execution: Execution, step: SqlStep, slot: dict[str, Any], ref: Ref,
                 general: ph.GeneralInfo) -> out.PendingOutput | None:
    if step.type_version.kind == "progressive":
        if ref not in execution.claims:
            return execution.internal.get(ref.key)  # None: read by progressive submodules only (a stream)
        if _module_slot(execution, execution.claims[ref]).get("dataset_type") is None:
            raise RunRefused("progressive_output_untyped", f"Output {ref.slot}{step.where}: a built-in progressive "
                             "type's output has no dataset type of its own; use it inside a composite whose output "
                             "slot has one.")
    if ref in execution.claims:
        return _reserve_module_slot(execution, execution.claims[ref], general)
    return execution.internal[ref.key] if step.path else None


def _reserve_module_slot(execution: Execution, name: str, general: ph.GeneralInfo, *,
                         derived: bool = False) -> out.PendingOutput | None:
    """The version of the module's output `name`: NEW/REPLACE for an OUT slot; for an INOUT slot, a
    version derived from the bound one (`derived`) or a whole new version of the bound dataset."""
    run, own = execution.run, _module_slot(execution, name)
    bound = execution.bound.get(name)
    if own["mode"] == "OUT":
        pending = _reserve_module_output(run, own, execution.module.dataset_bindings.get(name), general)
    elif bound is None or bound.dataset is None:
        pending = None
    elif derived:
        assert bound.version is not None
        pending = out.reserve_derived(run=run, placeholder=name, dataset=bound.dataset, base=bound.version)
    else:
        pending = out.reserve_whole_version(run=run, placeholder=name, dataset=bound.dataset)
    if pending is not None:
        execution.module_outputs[name] = pending
    return pending


def _reserve_inout(execution: Execution, step: SqlStep, slot: dict[str, Any], ref: Ref,
                   source: ResolvedInput, general: ph.GeneralInfo) -> out.PendingOutput | None:
    if source.dataset is None or source.version is None:
        return None  # an optional INOUT nothing feeds: an empty view, nothing to write
    source_ref = step.sources[slot["placeholder"]]
    assert source_ref is not None
    if source_ref.path is None and _module_slot(execution, source_ref.slot)["mode"] == "IN":
        raise RunRefused("inout_writes_input", f"INOUT {slot['placeholder']}{step.where} updates the module's input "
                         f"{source_ref.slot}: a module never writes its inputs; make that slot INOUT (and connect "
                         "the chain's end to it) or write the changes to an OUT slot.")
    if ref in execution.claims:  # the first step of a chain from the module's INOUT slot of that name
        return _reserve_module_slot(execution, execution.claims[ref], general, derived=True)
    base = source.version if source_ref.path is None else execution.written[source_ref].version
    internal_key = None if source_ref.path is None else execution.written[source_ref].internal_key
    pending = out.reserve_derived(run=execution.run, placeholder=slot["placeholder"], dataset=source.dataset,
                                  base=base, internal_key=internal_key)
    if internal_key is None:
        pending.scratch = True
        execution.scratch.append(pending)
    return pending


def _reserve_fed_outputs(execution: Execution, general: ph.GeneralInfo) -> None:
    """The module outputs no step writes (copies, and an INOUT slot wired straight to itself), and
    the absorption of each INOUT chain by its first version."""
    for name, ref in _dataset_outputs(execution):
        if name in execution.module_outputs:
            _absorb_chain(execution, name, ref)
        elif ref == Ref(None, name):
            _reserve_module_slot(execution, name, general, derived=True)
        elif (source := _rows_of(execution, ref)) is not None:
            pending = _reserve_module_slot(execution, name, general)
            if pending is not None:
                pending.copy_from = source
        elif not _module_slot(execution, name).get("is_optional"):
            raise RunRefused("output_not_fed", f"Output {name} is required but what feeds it ({ref.key}) has no "
                             "dataset in this run (an optional input left unbound).")


def _rows_of(execution: Execution, ref: Ref) -> tuple[int, tuple[int, ...]] | None:
    """(dataset id, path) of the version `ref` stands for in this run (None: nothing, e.g. an
    unbound optional input)."""
    if ref.path is None:
        bound = execution.bound.get(ref.slot)
        if bound is None or bound.dataset is None or bound.version is None:
            return None
        return bound.dataset.pk, tuple(bound.version.path)
    written = execution.written.get(ref)
    return None if written is None else (written.dataset.pk, tuple(written.version.path))


def _absorb_chain(execution: Execution, name: str, tip: Ref) -> None:
    first, last = execution.module_outputs[name], execution.written.get(tip)
    if last is None or last is first:
        return
    root_path = list(first.version.path)
    assert list(last.version.path[:len(root_path)]) == root_path, "an INOUT chain derives from its first version"
    first.absorbs = tuple(last.version.path[len(root_path):])
