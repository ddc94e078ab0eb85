"""Turns a Run into its steps before anything runs: expand the module type version (nested
composites too) into SQL steps, resolve the module's bindings, and reserve every dataset the run
will write as a pending version (module outputs, INOUT versions, internal datasets). Whatever is
wrong surfaces here as a RunRefused, before a single script has run."""

import threading
from dataclasses import dataclass, field
from typing import Any

from apps.datasets.models import Dataset, DatasetType, DatasetVersion
from apps.datasets.selectors import published_versions, version_of
from apps.engine import composite, sandbox
from apps.engine import placeholders as ph
from apps.engine.composite import Ref
from apps.modules.models import Module
from apps.moduletypes.models import ModuleTypeVersion
from apps.runs import outputs as out
from apps.runs.errors import RunRefused
from apps.runs.models import Run, StepRecord


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

    @property
    def module(self) -> Module:
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
        return [*self.module_writes(), *internal]


# --------------------------------------------------------------------------------------- bindings

def resolve_input(slot: dict[str, Any], binding: dict[str, Any] | None) -> ResolvedInput:
    """A bound dataset version. `"version": null` means, for IN, the latest published version, final
    or not (what an upstream module has just written, e.g. by REPLACE; never a running module's
    pending one) and, for INOUT, the latest final version (the base of the version the run writes
    must be final). apps.modules.selectors.DatasetFacts.version_a_run_reads must agree."""
    placeholder = slot["placeholder"]
    if not binding or binding.get("dataset") is None:
        if slot.get("is_optional"):
            return ResolvedInput(slot, None, None)
        raise RunRefused("unbound_input", f"Input {placeholder} is required but no dataset is bound to it.")
    dataset = Dataset.objects.filter(pk=binding["dataset"], removed_at__isnull=True, pending_run__isnull=True).first()
    if dataset is None:
        raise RunRefused("missing_input", f"Input {placeholder}: dataset {binding['dataset']} no longer exists.")
    if dataset.dataset_type_id != slot["dataset_type"]:
        raise RunRefused("wrong_type", f"Input {placeholder}: {dataset.name!r} is not of the slot's dataset type.")
    number = binding.get("version")
    if number is None:
        return ResolvedInput(slot, dataset, _latest_version(slot, dataset))
    version = version_of(dataset=dataset, number=number)
    if version is None:
        raise RunRefused("missing_input", f"Input {placeholder}: {dataset.name!r} has no version {number}.")
    return ResolvedInput(slot, dataset, version)


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
    target = Dataset.objects.filter(pk=int((binding or {}).get("dataset") or 0), removed_at__isnull=True).first()
    if target is None or target.dataset_type_id != dataset_type.pk:
        raise RunRefused("bad_replace_target", f"Output {placeholder}: the REPLACE target is missing or of another type.")
    return out.reserve_replace(run=run, placeholder=placeholder, dataset=target)


# --------------------------------------------------------------------------------------- planning

def _load_versions(root: ModuleTypeVersion) -> dict[int, ModuleTypeVersion]:
    """The root and every version its composites use, recursively (one query per nesting level)."""
    found = {root.pk: root}
    level = [root]
    while level:
        ids = {s.get("version") for v in level if v.kind == "composite"
               for s in (v.graph or {}).get("submodules") or []} - set(found)
        children = list(ModuleTypeVersion.objects.filter(pk__in=[i for i in ids if isinstance(i, int)])
                        .select_related("module_type"))
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
    module = run.module
    bound = {s["placeholder"]: resolve_input(s, module.dataset_bindings.get(s["placeholder"]))
             for s in root.dataset_slots if s["mode"] in ("IN", "INOUT")}
    _check_module_parameters(root, module)
    steps = [SqlStep(index=i, path=p.path, name=p.name or module.name, type_version=versions[p.version],
                     sources=p.sources) for i, p in enumerate(plan.steps)]
    keep = module.keep_internal if isinstance(module.keep_internal, dict) else {}
    execution = Execution(run=run, plan=plan, steps=steps, bound=bound,
                          keep_parameters={k for k in keep.get("parameters") or [] if isinstance(k, str)})
    _check_module_outputs(execution)
    wanted = _internal_outputs(execution)
    if wanted:
        types = {t.pk: t for t in DatasetType.objects.filter(pk__in={type_id for _, type_id in wanted})}
        execution.internal = out.reserve_internals(run=run, wanted=[(key, types[t]) for key, t in wanted])
    for step in steps:
        _reserve_step(execution, step, general)
    execution.internals = InternalDatasets(steps, {k for k in keep.get("datasets") or [] if isinstance(k, str)})
    return execution


def _check_module_parameters(root: ModuleTypeVersion, module: Module) -> None:
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
        if ref is not None and ref.path is None:
            raise RunRefused("output_from_input", f"Output {name} of the composite is connected straight to its "
                             f"input {ref.slot}: connect it to a submodule that writes it.")


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
        if not step.path:
            continue
        for slot in step.type_version.dataset_slots:
            ref = Ref(step.path, slot["placeholder"])
            fed = _fed_module_slots(execution, ref)
            if slot["mode"] == "OUT" and (not fed or (len(fed) == 1 and not _writes_module_output(execution, fed[0]))):
                wanted.append((ref.key, int(slot["dataset_type"])))
    return wanted


def _fed_module_slots(execution: Execution, ref: Ref) -> list[str]:
    slots = {s["placeholder"] for s in execution.run.type_version.dataset_slots}
    return [name for name, r in execution.plan.outputs.items() if r == ref and name in slots]


def _reserve_step(execution: Execution, step: SqlStep, general: ph.GeneralInfo) -> None:
    for slot in step.type_version.dataset_slots:
        placeholder, mode = slot["placeholder"], slot["mode"]
        ref = Ref(step.path, placeholder)
        if mode == "IN":
            step.inputs.append(_read(execution, step, slot))
            continue
        if mode == "OUT":
            pending = _reserve_out(execution, step, slot, ref, general)
            if pending is not None:
                step.outputs[placeholder] = pending
        else:
            source = _read(execution, step, slot)
            pending = _reserve_inout(execution, step, slot, ref, source)
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
    if found.dataset is None and not slot.get("is_optional"):
        raise RunRefused("unbound_input", f"Input {slot['placeholder']}{step.where} is required but nothing feeds it.")
    return found


def _reserve_out(execution: Execution, step: SqlStep, slot: dict[str, Any], ref: Ref,
                 general: ph.GeneralInfo) -> out.PendingOutput | None:
    run = execution.run
    fed = _fed_module_slots(execution, ref)
    if len(fed) > 1:
        raise RunRefused("output_fan_out", f"Output {ref.key} feeds several outputs of the composite "
                         f"({', '.join(fed)}); each output needs a submodule output of its own.")
    pending = None
    if fed:
        name = fed[0]
        own = next(s for s in run.type_version.dataset_slots if s["placeholder"] == name)
        if own["mode"] == "OUT":
            pending = _reserve_module_output(run, own, execution.module.dataset_bindings.get(name), general)
        elif (dataset := execution.bound[name].dataset) is not None:
            pending = out.reserve_whole_version(run=run, placeholder=name, dataset=dataset)
        if pending is not None:
            execution.module_outputs[name] = pending
    if pending is None and step.path:
        pending = execution.internal[ref.key]
    return pending


def _reserve_inout(execution: Execution, step: SqlStep, slot: dict[str, Any], ref: Ref,
                   source: ResolvedInput) -> out.PendingOutput | None:
    if source.dataset is None or source.version is None:
        return None  # an optional INOUT nothing feeds: an empty view, nothing to write
    source_ref = step.sources[slot["placeholder"]]
    assert source_ref is not None
    fed = _fed_module_slots(execution, ref)
    where = f"INOUT {slot['placeholder']}{step.where}"
    if source_ref.path is None:
        if fed != [source_ref.slot]:
            raise RunRefused("inout_writes_input", f"{where} updates the module's input {source_ref.slot}: a module "
                             "never writes its inputs; make that slot INOUT and connect it to the module's INOUT "
                             "output too.")
        pending = out.reserve_derived(run=execution.run, placeholder=source_ref.slot, dataset=source.dataset,
                                      base=source.version)
        execution.module_outputs[source_ref.slot] = pending
        return pending
    base = execution.written[source_ref]
    if base.output_method != "INTERNAL" or fed:
        raise RunRefused("inout_of_output", f"{where} updates a module output ({source_ref.key}); only internal "
                         "datasets can be updated inside a composite: write the output from an OUT slot.")
    return out.reserve_derived(run=execution.run, placeholder=slot["placeholder"], dataset=base.dataset,
                               base=base.version, internal_key=base.internal_key)
