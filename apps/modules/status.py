"""UpToDate / OutOfDate with reasons (DESIGN §4, the EMF conditions), for many modules at once.

`compute_statuses` loads everything in a fixed number of queries (apps.modules.selectors), then
decides in plain Python. A module is UpToDate only when it has no reason to be OutOfDate:

- valid: every slot bound to something of the right type, required parameters set;
- it has run, the last run is finished (`running` otherwise) and ended SUCCESS;
- neither its type version nor the module changed since that run started;
- every input the run read (IN, and the version an INOUT slot read) is still there and unchanged
  since the run started, and an input bound without a version (IN: the latest published version,
  final or not; INOUT: the latest final one) has no newer such version than the one read, except
  one the run wrote itself;
- every output (OUT, and the version an INOUT slot wrote) and kept internal dataset the run wrote
  is still there, unchanged since it ended;
- no input is produced by a module that is OutOfDate (transitively; cycles are fine);
- no process is pending in an aggregation module (docs/aggregation.md), and a module without
  aggregation last ran with its own parameter values.

Times come from versions' `last_modified`, which finalizing a version leaves alone (EMF bumps it,
so a module it has just finalized is OutOfDate at once; here it stays UpToDate)."""

from collections import deque
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from apps.modules import selectors
from apps.modules.models import Module
from apps.runs import aggregation
from apps.runs.models import AggregationState, Result, Run

UP_TO_DATE, OUT_OF_DATE = "UpToDate", "OutOfDate"


@dataclass(frozen=True)
class Reason:
    code: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message}


@dataclass(frozen=True)
class ModuleStatus:
    reasons: tuple[Reason, ...] = ()

    @property
    def status(self) -> str:
        return OUT_OF_DATE if self.reasons else UP_TO_DATE

    def as_dict(self) -> dict[str, Any]:
        return {"status": self.status, "reasons": [r.as_dict() for r in self.reasons]}


@dataclass
class StatusReport:
    statuses: dict[int, ModuleStatus] = field(default_factory=dict)
    last_runs: dict[int, Run] = field(default_factory=dict)
    aggregations: dict[int, dict[str, Any] | None] = field(default_factory=dict)  # docs/aggregation.md §2


def _q(name: str) -> str:
    return f'"{name}"'


# --- validity ------------------------------------------------------------------------------------

def _problem(code: str, message: str, slot: str | None = None) -> dict[str, Any]:
    return {"code": code, "message": message, **({"slot": slot} if slot is not None else {})}


def _slot_noun(slot: dict[str, Any]) -> str:
    return "INOUT dataset" if slot["mode"] == "INOUT" else "Input"


def _input_problems(slot: dict[str, Any], binding: Any, datasets: Mapping[int, selectors.DatasetFacts]) -> list[dict[str, Any]]:
    """An IN or INOUT binding: a dataset of the slot's type and a version a run can read (INOUT: a
    final one, the base of the version the run writes)."""
    placeholder, noun = slot["placeholder"], _slot_noun(slot)
    if not isinstance(binding, dict) or binding.get("dataset") is None:
        return [] if slot.get("is_optional") else [
            _problem("unbound_input", f"{noun} {placeholder} needs a dataset.", placeholder)]
    facts = datasets.get(binding["dataset"]) if isinstance(binding["dataset"], int) else None
    if facts is None or not facts.present:
        return [_problem("missing_dataset", f"{noun} {placeholder}: dataset {binding['dataset']} no longer exists.",
                         placeholder)]
    if slot["dataset_type"] is not None and facts.dataset_type_id != slot["dataset_type"]:  # null: any type
        return [_problem("wrong_dataset_type", f"{noun} {placeholder}: {_q(facts.name)} is not of the slot's "
                         "dataset type.", placeholder)]
    version = binding.get("version")
    if version is None and facts.version_a_run_reads(slot["mode"]) is None:
        wanted = "final version yet (the binding asks for the latest final one)" if slot["mode"] == "INOUT" else \
            "version yet"
        return [_problem("missing_version", f"{noun} {placeholder}: {_q(facts.name)} has no {wanted}.", placeholder)]
    if version is not None and version not in facts.versions:
        return [_problem("missing_version", f"{noun} {placeholder}: {_q(facts.name)} has no version {version}.",
                         placeholder)]
    if version is not None and slot["mode"] == "INOUT" and not facts.versions[version].is_final:
        return [_problem("inout_version_not_final", f"{noun} {placeholder}: version {version} of {_q(facts.name)} "
                         "is not final; a run writes a new version derived from the one it reads, which must be "
                         "final.", placeholder)]
    return []


def _output_problems(slot: dict[str, Any], binding: Any, datasets: Mapping[int, selectors.DatasetFacts]) -> list[dict[str, Any]]:
    placeholder = slot["placeholder"]
    method = binding.get("output_method") if isinstance(binding, dict) else None
    if method is None:
        return [] if slot.get("is_optional") else [
            _problem("unbound_output", f"Output {placeholder} needs an output method (NEW or REPLACE).", placeholder)]
    if method not in ("NEW", "REPLACE"):
        return [_problem("bad_output_method", f"Output {placeholder}: output_method must be NEW or REPLACE.",
                         placeholder)]
    if method == "REPLACE":
        target = binding.get("dataset")
        facts = datasets.get(target) if isinstance(target, int) else None
        if facts is None or not facts.present or facts.dataset_type_id != slot["dataset_type"]:
            return [_problem("bad_replace_target", f"Output {placeholder}: REPLACE needs an existing target "
                             "dataset of the slot's type.", placeholder)]
    return []


def _dataset_problems(module: Module, datasets: Mapping[int, selectors.DatasetFacts]) -> list[dict[str, Any]]:
    version = module.type_version
    bindings = module.dataset_bindings if isinstance(module.dataset_bindings, dict) else {}
    slots = {s["placeholder"]: s for s in version.dataset_slots}
    problems = [_problem("unknown_slot", f"{name}: the module type has no such dataset placeholder.", name)
                for name in bindings if name not in slots]
    for placeholder, slot in slots.items():
        binding = bindings.get(placeholder)
        if slot["mode"] in ("IN", "INOUT"):
            problems += _input_problems(slot, binding, datasets)
        else:
            problems += _output_problems(slot, binding, datasets)
    return problems


def _parameter_problems(module: Module) -> list[dict[str, Any]]:
    values = module.parameter_bindings if isinstance(module.parameter_bindings, dict) else {}
    slots = {s["name"]: s for s in module.type_version.parameter_slots}
    problems = [_problem("unknown_parameter", f"{name}: the module type has no such parameter.", name)
                for name in values if name not in slots]
    for name, slot in slots.items():
        value = values.get(name)
        if slot["mode"] == "OUT":
            if value is not None:
                problems.append(_problem("output_parameter_value", f"{name}: output parameters take no value.", name))
        elif value is None and not slot.get("is_optional"):
            problems.append(_problem("unset_parameter", f"Parameter {name} is required but has no value.", name))
        elif value is not None and not isinstance(value, str):
            problems.append(_problem("parameter_not_text", f"{name}: give the value as text.", name))
    return problems


class _OwnProject(Mapping[int, selectors.DatasetFacts]):
    """The datasets of the module's own project among `datasets`: status and validation see a dataset
    of another project (a binding that predates a change of project) as one that does not exist, so
    no reason names it (the runner refuses it too: apps.runs.planning)."""

    def __init__(self, datasets: Mapping[int, selectors.DatasetFacts], project_id: int) -> None:
        self._datasets, self._project_id = datasets, project_id

    def __getitem__(self, key: int) -> selectors.DatasetFacts:
        facts = self._datasets[key]
        if facts.project_id != self._project_id:
            raise KeyError(key)
        return facts

    def __iter__(self) -> Iterator[int]:
        return (pk for pk, facts in self._datasets.items() if facts.project_id == self._project_id)

    def __len__(self) -> int:
        return sum(1 for _ in self)


def _own(module: Module, datasets: Mapping[int, selectors.DatasetFacts]) -> Mapping[int, selectors.DatasetFacts]:
    return datasets if isinstance(datasets, _OwnProject) else _OwnProject(datasets, module.project_id)


def binding_problems(module: Module, datasets: Mapping[int, selectors.DatasetFacts]) -> list[dict[str, Any]]:
    """What keeps the module from being valid (bindings complete and well typed, parameters set)."""
    return _dataset_problems(module, _own(module, datasets)) + _parameter_problems(module)


# --- the last run --------------------------------------------------------------------------------

def _input_reasons(module: Module, row: dict[str, Any], facts: selectors.DatasetFacts | None,
                   started: datetime, written: set[tuple[int, int]]) -> list[Reason]:
    """An input (IN, or the version an INOUT slot read) of the last run. A newer version that the
    run wrote itself (REPLACE or INOUT into the dataset it reads) does not make it OutOfDate."""
    placeholder, number = row.get("placeholder"), row.get("version")
    label = f"{_q(facts.name if facts else str(row.get('dataset_name')))} version {number}"
    if facts is None or not facts.present or number not in facts.versions:
        return [Reason("input_missing", f"Input {placeholder}: {label}, read by the last run, no longer exists.")]
    binding = module.dataset_bindings.get(placeholder) if isinstance(module.dataset_bindings, dict) else None
    if isinstance(binding, dict) and binding.get("dataset") == facts.id and binding.get("version") is None:
        # A "latest version" binding: a newer version is what matters (and what a run would read next),
        # even when the version read was also changed since.
        mode = next((s["mode"] for s in module.type_version.dataset_slots if s["placeholder"] == placeholder), "IN")
        latest = facts.version_a_run_reads(mode, ignoring={v for d, v in written if d == facts.id})
        if latest is not None and latest != number:
            newer = "newer final version" if mode == "INOUT" else "newer version"
            return [Reason("input_modified", f"Input {placeholder}: a {newer} ({latest}) of {_q(facts.name)} is "
                           f"available; the last run read version {number}.")]
    if facts.versions[number].last_modified > started:
        return [Reason("input_modified", f"Input {placeholder}: {label} was modified after the last run started.")]
    return []


def _written_reasons(row: dict[str, Any], facts: selectors.DatasetFacts | None, ended: datetime,
                     what: str) -> list[Reason]:
    """An output (what="output") or a kept internal dataset (what="internal") of the last run."""
    name = f"{row.get('path')}.{row.get('placeholder')}" if what == "internal" else row.get("placeholder")
    label = f"{_q(facts.name if facts else str(row.get('dataset_name')))} version {row.get('version')}"
    noun = "Output" if what == "output" else "Kept internal dataset"
    if facts is None or not facts.present or row.get("version") not in facts.versions:
        return [Reason(f"{what}_missing", f"{noun} {name}: {label}, written by the last run, no longer exists.")]
    if facts.versions[row["version"]].last_modified > ended:
        return [Reason(f"{what}_modified", f"{noun} {name}: {label} was modified after the last run ended.")]
    return []


def _kept_internal(module: Module) -> set[str]:
    keep = module.keep_internal if isinstance(module.keep_internal, dict) else {}
    return {name for name in keep.get("datasets") or [] if isinstance(name, str)}


def _run_reasons(module: Module, run: Run | None, datasets: Mapping[int, selectors.DatasetFacts],
                 submodules: Iterable[selectors.SubmoduleVersion] = ()) -> list[Reason]:
    if run is None:
        return [Reason("never_run", "The module has never run.")]
    if not run.result:
        return [Reason("running", f"Run {run.run_number} has not finished yet.")]
    reasons = []
    if run.result != Result.SUCCESS:
        reasons.append(Reason("last_run_failed", f"The last run (run {run.run_number}) ended {run.result}."))
    started = run.started_at or run.created_at
    ended = run.ended_at or started
    if module.type_version.last_modified > started:
        reasons.append(Reason("type_version_modified", f"The module type version ({module.type_version.module_type.name} "
                              f"version {module.type_version.number}) was modified after the last run started."))
    reasons += [Reason("type_version_modified", f"The submodule type version ({sub.type_name} version {sub.number}) "
                       "was modified after the last run started.") for sub in submodules if sub.last_modified > started]
    if module.last_modified > started or run.type_version_id != module.type_version_id:
        reasons.append(Reason("module_modified", "The module was modified after the last run started."))
    kept = _kept_internal(module)
    rows = [row for row in run.datasets if isinstance(row, dict)] if isinstance(run.datasets, list) else []
    written = {(row["dataset"], row["version"]) for row in rows if not row.get("path") and
               row.get("direction") == "OUT" and isinstance(row.get("dataset"), int) and isinstance(row.get("version"), int)}
    for row in rows:
        facts = datasets.get(row["dataset"]) if isinstance(row.get("dataset"), int) else None
        if row.get("path") and row.get("direction") == "OUT":
            if f"{row['path']}.{row.get('placeholder')}" in kept:
                reasons += _written_reasons(row, facts, ended, "internal")
        elif row.get("path"):
            continue  # a submodule's input: the composite's own inputs are checked at path ""
        elif row.get("direction") == "IN":
            reasons += _input_reasons(module, row, facts, started, written)
        elif row.get("direction") == "OUT":
            reasons += _written_reasons(row, facts, ended, "output")
    return reasons


def has_aggregation(module: Module, submodules: Iterable[selectors.SubmoduleVersion] = ()) -> bool:
    return module.type_version.is_aggregation or any(sub.is_aggregation for sub in submodules)


def _state_reasons(module: Module, run: Run | None, states: list[AggregationState],
                   aggregating: bool) -> list[Reason]:
    """A process pending (docs/aggregation.md §4); a module without aggregation whose last run used
    parameter values other than its own (POST run `parameters`) did not run what it says."""
    if aggregating:
        pending = aggregation.pending_reason(states)
        return [Reason("process_pending", pending)] if pending else []
    overrides = run.parameter_overrides if run is not None and isinstance(run.parameter_overrides, dict) else {}
    bindings = module.parameter_bindings if isinstance(module.parameter_bindings, dict) else {}
    changed = sorted((name, value) for name, value in overrides.items() if bindings.get(name) != value)
    if not changed:
        return []
    return [Reason("parameters_overridden", "The last run used parameter values other than the module's: "
                   + ", ".join(f"{name} = {value}" for name, value in changed) + ".")]


def local_reasons(module: Module, run: Run | None, datasets: Mapping[int, selectors.DatasetFacts],
                  submodules: Iterable[selectors.SubmoduleVersion] = (),
                  states: list[AggregationState] | None = None) -> list[Reason]:
    """Every reason except upstream staleness. `submodules`: the versions a composite type version uses;
    `states`: the module's aggregation states."""
    datasets = _own(module, datasets)
    invalid = [Reason("invalid", p["message"]) for p in binding_problems(module, datasets)]
    submodules = list(submodules)
    return invalid + _run_reasons(module, run, datasets, submodules) + \
        _state_reasons(module, run, states or [], has_aggregation(module, submodules))


# --- upstream ------------------------------------------------------------------------------------

def _input_dataset_ids(module: Module) -> list[int]:
    bindings = module.dataset_bindings if isinstance(module.dataset_bindings, dict) else {}
    return [b["dataset"] for b in bindings.values()
            if isinstance(b, dict) and "output_method" not in b and isinstance(b.get("dataset"), int)]


def _feeds(module: Module, modules: Mapping[int, Module],
           datasets: Mapping[int, selectors.DatasetFacts]) -> list[tuple[str, int]]:
    """(input dataset name, producing module id) for each input another known module produced."""
    feeds = []
    datasets = _own(module, datasets)
    for dataset_id in _input_dataset_ids(module):
        facts = datasets.get(dataset_id)
        producer = facts.producer if facts is not None else None
        if facts is not None and producer is not None and producer in modules and producer != module.pk:
            feeds.append((facts.name, producer))
    return sorted(set(feeds))


def _with_upstream(modules: Mapping[int, Module], local: Mapping[int, list[Reason]],
                   datasets: Mapping[int, selectors.DatasetFacts]) -> dict[int, ModuleStatus]:
    feeds = {pk: _feeds(m, modules, datasets) for pk, m in modules.items()}
    consumers: dict[int, list[int]] = {}
    for pk, inputs in feeds.items():
        for _, producer in inputs:
            consumers.setdefault(producer, []).append(pk)
    out_of_date = {pk for pk, reasons in local.items() if reasons}
    pending = deque(out_of_date)
    while pending:  # breadth first along producer -> consumer; each module enters once, so cycles end
        for consumer in consumers.get(pending.popleft(), []):
            if consumer not in out_of_date:
                out_of_date.add(consumer)
                pending.append(consumer)
    return {pk: ModuleStatus(tuple(local[pk]) + tuple(
        Reason("upstream_out_of_date", f"Input {_q(name)} is produced by module {_q(modules[producer].name)}, "
               "which is OutOfDate.")
        for name, producer in feeds[pk] if producer in out_of_date)) for pk in modules}


# --- all together --------------------------------------------------------------------------------

def _referenced_datasets(modules: Iterable[Module], runs: Iterable[Run]) -> set[int]:
    ids: set[int] = set()
    for module in modules:
        bindings = module.dataset_bindings if isinstance(module.dataset_bindings, dict) else {}
        ids.update(b["dataset"] for b in bindings.values() if isinstance(b, dict) and isinstance(b.get("dataset"), int))
    for run in runs:
        rows = run.datasets if isinstance(run.datasets, list) else []
        ids.update(r["dataset"] for r in rows if isinstance(r, dict) and isinstance(r.get("dataset"), int))
    return ids


def compute_statuses(modules: Iterable[Module]) -> StatusReport:
    """Statuses, last runs and aggregation states of these modules (loaded with selectors.modules_queryset()).
    Six queries, whatever their number: upstream modules, last runs, datasets, versions (+ none
    when there is nothing to ask), aggregation states, and one more for the submodule versions when
    composites are among them."""
    wanted = {m.pk: m for m in modules}
    everyone = {**{m.pk: m for m in selectors.upstream_modules(module_ids=list(wanted))}, **wanted}
    runs = selectors.last_runs(module_ids=list(everyone))
    datasets = selectors.dataset_facts(dataset_ids=_referenced_datasets(everyone.values(), runs.values()))
    submodules = selectors.submodule_versions(
        type_version_ids={m.type_version_id for m in everyone.values() if m.type_version.kind == "composite"})
    states: dict[int, list[AggregationState]] = {}
    for state in aggregation.states_of(module_ids=list(everyone)):
        states.setdefault(state.module_id, []).append(state)
    local = {pk: local_reasons(m, runs.get(pk), datasets, submodules.get(m.type_version_id, ()), states.get(pk))
             for pk, m in everyone.items()}
    statuses = _with_upstream(everyone, local, datasets)
    aggregations = {pk: aggregation.summary(states.get(pk, []), has_aggregation=has_aggregation(
        wanted[pk], submodules.get(wanted[pk].type_version_id, ()))) for pk in wanted}
    return StatusReport(statuses={pk: statuses[pk] for pk in wanted},
                        last_runs={pk: runs[pk] for pk in wanted if pk in runs}, aggregations=aggregations)


def module_status(module: Module) -> ModuleStatus:
    return compute_statuses([module]).statuses[module.pk]


def validation_problems(module: Module) -> list[dict[str, Any]]:
    """The module's binding problems, for POST /validate (the type version's own are added there)."""
    return binding_problems(module, selectors.dataset_facts(dataset_ids=_referenced_datasets([module], [])))
