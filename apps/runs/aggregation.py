"""Aggregation modules in runs (docs/aggregation.md; the phases and SQL are apps.engine.aggregation's).

- `for_mode`: the steps of a run of `mode`: run mode keeps the submodules before aggregations and the
  aggregations (aggregating), process mode the aggregations (processing) and what follows them; the
  module outputs and parameters the kept steps do not produce are not written.
- `step_version`: an aggregation step sees the version as its phase does: the slots of that step
  (the data and the state, or the state and the output) and its script as the algorithm.
- `reserve_state`: the state of (module, submodule path) is a hidden dataset in the workspace; a step
  reads its current version and writes a new pending version derived from it (the INOUT machinery:
  a `security_barrier` view over that version only, INSTEAD OF triggers), published with the run's
  outputs or discarded with them (a failed run adds nothing, a failed process clears nothing).
- `record_published`: in the publishing transaction, the module's `AggregationState` rows move to
  the new versions; `aggregation_changed` goes out on commit.
Runs and processes of a module serialize (the busy check in apps.runs.services.run_record), so a
state version is always derived from the one published last."""

import copy
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import QuerySet

from apps.datasets.models import Dataset, DatasetType, DatasetVersion
from apps.datasets.selectors import version_of
from apps.datasets.workspace import workspace
from apps.engine import aggregation as agg
from apps.engine import storage
from apps.engine.composite import FlatPlan, PlannedStep
from apps.live.events import modules_topic, publish_on_commit
from apps.moduletypes.models import ModuleTypeVersion
from apps.moduletypes.selectors import contains_aggregation
from apps.runs import outputs as out
from apps.runs.aggregation_serializers import AggregationSummarySerializer
from apps.runs.errors import RunRefused
from apps.runs.models import AggregationState, Run

if TYPE_CHECKING:  # a run belongs to a module; runs sits below modules and only names it (DESIGN §1)
    from apps.modules.models import Module
    from apps.runs.planning import Execution, ResolvedInput, SqlStep

KEPT = {agg.RUN: {agg.BEFORE, agg.AGGREGATION}, agg.PROCESS: {agg.AGGREGATION, agg.AFTER}}


def for_mode(plan: FlatPlan, versions: dict[int, ModuleTypeVersion], mode: str) -> tuple[FlatPlan, dict[str, str]]:
    """The plan restricted to the steps `mode` runs, and each kept step's phase ({} without aggregation)."""
    aggregations = {p.path for p in plan.steps if versions[p.version].is_aggregation}
    if not aggregations:
        if mode == agg.PROCESS:
            raise RunRefused("no_aggregation", "This module has no aggregation submodule: process mode has no state "
                             "to process. Use run mode.")
        return plan, {}
    feeders = {p.path: [(slot, ref.path) for slot, ref in p.sources.items() if ref is not None] for p in plan.steps}
    phases, errors = agg.phases([p.path for p in plan.steps], feeders, set(aggregations))
    if errors:
        raise RunRefused(errors[0].code, errors[0].message)
    kept = {path for path, phase in phases.items() if phase in KEPT[mode]}
    # what each kept step's output slots are this mode: an aggregation writes its output only when processing
    produces = {path for path in kept if mode == agg.PROCESS or phases[path] != agg.AGGREGATION}

    def fed(ref: Any) -> bool:
        return ref is None or (ref.path is None and mode == agg.RUN) or ref.path in produces

    steps = [PlannedStep(p.path, p.name, p.version, {slot: ref for slot, ref in p.sources.items()
                                                       if ref is None or ref.path is None or ref.path in kept})
             for p in plan.steps if p.path in kept]
    outputs = {name: ref for name, ref in plan.outputs.items() if fed(ref)}
    return FlatPlan(steps, outputs), {str(path): phases[path] for path in kept}


def module_has_aggregation(module: "Module") -> bool:
    """Does the module's type version aggregate (itself, or a submodule at any depth)?"""
    return contains_aggregation(module.type_version)


def step_version(version: ModuleTypeVersion, phase: str | None, mode: str) -> ModuleTypeVersion:
    """An aggregation step's view of its version (never saved): the slots it sees and its script."""
    if phase != agg.AGGREGATION:
        return version
    data = next(s for s in version.dataset_slots if s["mode"] == "IN")
    columns = [c["name"] for c in DatasetType.objects.get(pk=data["dataset_type"]).columns]
    seen = copy.copy(version)
    seen.dataset_slots = agg.phase_slots(version.dataset_slots, mode)
    seen.algorithm = agg.aggregate_script(version.aggregate_sql, version.dataset_slots, columns) if mode == agg.RUN \
        else agg.process_script(version.process_sql, version.clear_sql, version.dataset_slots, columns)
    return seen


def is_state_slot(step: "SqlStep", slot: dict[str, Any]) -> bool:
    return bool(step.type_version.is_aggregation and slot["placeholder"] == agg.STATE and slot["mode"] == "INOUT")


def _state_name(module: "Module", path: str, state: AggregationState) -> str:
    suffix = f" · state of {path or 'the module'} #{module.pk}.{state.pk}"
    return module.name[: 200 - len(suffix)] + suffix


def _new_state_dataset(run: Run, state: AggregationState, dataset_type: DatasetType) -> Dataset:
    """An empty state: its dataset, table and version 0 (published, empty)."""
    module = run.module
    name = _state_name(module, state.path, state)
    if Dataset.objects.filter(name=name, removed_at__isnull=True).exists():
        name = f"{name} ({run.pk})"
    dataset = Dataset.objects.create(name=name, dataset_type=dataset_type, project=module.project, creator=run.user,
                                     description=f"Aggregation state of {state.path or 'the module'} in module "
                                                 f"{module.name}", is_aggregation_state=True)
    DatasetVersion.objects.create(dataset=dataset, number=0, name="Empty state", path=[0], creator=run.user,
                                  last_modified=dataset.created_at)
    with workspace() as conn:
        storage.create_table(conn, dataset.pk, dataset_type.column_specs)
    state.dataset, state.version, state.rows, state.runs = dataset, 0, 0, 0
    state.save(update_fields=["dataset", "version", "rows", "runs", "updated_at"])
    return dataset


@transaction.atomic
def reserve_state(execution: "Execution", step: "SqlStep", slot: dict[str, Any]) -> tuple["ResolvedInput",
                                                                                             out.PendingOutput]:
    """The state the step reads (its current version) and the pending version it writes."""
    from apps.runs.planning import ResolvedInput

    run = execution.run
    state, _ = AggregationState.objects.select_for_update().get_or_create(module=run.module, path=step.path)
    dataset_type = DatasetType.objects.get(pk=slot["dataset_type"])
    dataset = state.dataset
    if dataset is not None and dataset.dataset_type_id != dataset_type.pk:
        if state.runs or state.rows:
            raise RunRefused("state_type_changed", f"The state of {step.path or 'the module'} holds rows of dataset "
                             f"type {dataset.dataset_type.name!r}, but the aggregation now takes "
                             f"{dataset_type.name!r}: process the state with the version that collected it first.")
        dataset = None
    if dataset is None:
        dataset = _new_state_dataset(run, state, dataset_type)
    base = version_of(dataset=dataset, number=state.version)
    if base is None:
        raise RunRefused("state_missing", f"The state of {step.path or 'the module'} lost its version {state.version}.")
    pending = out.reserve_state_version(run=run, dataset=dataset, base=base)
    execution.states[step.path] = pending
    return ResolvedInput(slot, dataset, base), pending


def record_published(execution: "Execution") -> None:
    """Called inside the transaction that publishes the run's outputs and the new state versions."""
    run = execution.run
    if not execution.states:
        return
    processing = run.mode == Run.Mode.PROCESS
    for path, pending in execution.states.items():
        state = AggregationState.objects.select_for_update().get(module=run.module_id, path=path)
        state.version, state.rows = pending.version.number, pending.version.row_count
        state.runs = 0 if processing else state.runs + 1
        if processing:
            state.last_process = run
        else:
            state.last_run = run
        state.save()
    now = summary(list(states_of(module_ids=[run.module_id])), has_aggregation=True)
    data = {"module": run.module_id, "aggregation": AggregationSummarySerializer(now).data}
    for topic in (f"module:{run.module_id}", modules_topic(run.module.project_id)):
        publish_on_commit(topic, "aggregation_changed", data)


# ------------------------------------------------------------------------------------------ reads

def states_of(*, module_ids: list[int]) -> QuerySet[AggregationState]:
    return AggregationState.objects.filter(module_id__in=module_ids).order_by("module_id", "path")


def summary(states: list[AggregationState], *, has_aggregation: bool) -> dict[str, Any] | None:
    """A module's `aggregation` (docs/aggregation.md §2): None for a module without aggregation."""
    if not has_aggregation:
        return None
    runs = max((s.runs for s in states), default=0)
    return {"pending": runs > 0, "runs": runs, "rows": sum(s.rows for s in states),
            "submodules": [{"path": s.path, "name": s.path.rpartition("/")[2], "runs": s.runs, "rows": s.rows,
                            "dataset": s.dataset_id, "state_version": s.version, "updated_at": s.updated_at,
                            "last_run": s.last_run_id, "last_process": s.last_process_id} for s in states]}


def pending_reason(states: list[AggregationState]) -> str | None:
    """The `process_pending` sentence, or None when nothing waits for a process."""
    runs = max((s.runs for s in states), default=0)
    if not runs:
        return None
    rows = sum(s.rows for s in states)
    return (f"A process is pending: {runs} run{'s' if runs != 1 else ''} ({rows} row{'s' if rows != 1 else ''}) "
            "aggregated since the last process.")


def drop_states(*, module: "Module") -> None:
    """The module goes: its states' datasets go with it, their tables once that commits."""
    ids = list(Dataset.objects.filter(pk__in=states_of(module_ids=[module.pk]).values("dataset"))
               .values_list("pk", flat=True))
    Dataset.objects.filter(pk__in=ids).delete()

    def drop_tables() -> None:
        with workspace() as conn:
            for pk in ids:
                storage.drop_table(conn, pk)

    if ids:
        transaction.on_commit(drop_tables)
