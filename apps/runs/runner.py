"""Executes a Run on a worker: resolve bindings, reserve outputs, run every SQL step in its sandbox
under the cooperative scheduler, then publish the outputs (success) or discard them (anything else)."""

import logging
import secrets
import threading
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.utils import timezone

from apps.datasets.models import Dataset, DatasetType
from apps.datasets.selectors import version_of
from apps.engine import placeholders as ph
from apps.engine import sandbox
from apps.engine.dataflow import Dataflow
from apps.engine.scheduler import ModuleEvent, Scheduler
from apps.engine.script import build_user_script
from apps.engine.steps import BackgroundStep, StepContext
from apps.engine.storage import qualified_text
from apps.modules.models import Module
from apps.moduletypes.models import ModuleTypeVersion
from apps.runs import outputs as out
from apps.runs.errors import RunRefused
from apps.runs.models import Result, Run, Stage, StepRecord
from apps.runs.recorder import RunRecorder, in_thread_done

CANCEL_POLL_SECONDS = 0.2


logger = logging.getLogger(__name__)


@dataclass
class ResolvedInput:
    slot: dict[str, Any]
    dataset: Dataset | None
    version: Any  # DatasetVersion | None

    @property
    def placeholder(self) -> str:
        return str(self.slot["placeholder"])


@dataclass
class SqlStep:
    """One simple module type version to run: a module, or a submodule of a composite."""

    path: str
    name: str
    type_version: ModuleTypeVersion
    inputs: list[ResolvedInput]
    outputs: list[out.PendingOutput]
    parameters: dict[str, str | None]  # name -> value (None = not set)
    record: StepRecord | None = None
    result: sandbox.StepResult | None = None
    error: dict[str, Any] | None = None
    output_values: dict[str, str | None] = field(default_factory=dict)
    started: threading.Event = field(default_factory=threading.Event)
    finished: threading.Event = field(default_factory=threading.Event)


def general_info(run: Run) -> ph.GeneralInfo:
    module, user, started = run.module, run.user, timezone.localtime(run.started_at or timezone.now())
    return ph.GeneralInfo(
        user_full_name=user.display_name, user_id=user.pk, user_account_name=user.username,
        module_name=module.name, module_id=module.pk, module_final=module.is_final,
        module_project_name=module.project.name if module.project_id else None, run_id=run.pk,
        run_date=started.strftime("%m/%d/%Y"), run_time=started.strftime("%H:%M:%S.%f")[:-3])


def _view_name(slot: dict[str, Any]) -> str:
    suffix = {"IN": "iv", "OUT": "ov", "INOUT": "iov"}[slot["mode"]]
    return f"{slot['placeholder']}_{suffix}"


def _resolve_input(slot: dict[str, Any], binding: dict[str, Any] | None) -> ResolvedInput:
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
    version = version_of(dataset=dataset, number=binding.get("version"))
    if version is None:
        raise RunRefused("missing_input", f"Input {placeholder}: {dataset.name!r} has no version "
                         f"{binding.get('version')}.")
    return ResolvedInput(slot, dataset, version)


def _reserve_output(run: Run, slot: dict[str, Any], binding: dict[str, Any] | None) -> out.PendingOutput | None:
    placeholder = slot["placeholder"]
    method = (binding or {}).get("output_method")
    if method is None:
        if slot.get("is_optional"):
            return None
        raise RunRefused("unbound_output", f"Output {placeholder} is required but has no output method.")
    dataset_type = DatasetType.objects.get(pk=slot["dataset_type"])
    if method == "NEW":
        name = ph.expand_name_pattern(binding.get("name_pattern") or f"{run.module.name} {placeholder} #${{run.id}}",  # type: ignore[union-attr]
                                      general_info(run)).strip()
        return out.reserve_new(run=run, placeholder=placeholder, name=name, dataset_type=dataset_type)
    target = Dataset.objects.filter(pk=int((binding or {}).get("dataset") or 0), removed_at__isnull=True).first()
    if target is None or target.dataset_type_id != dataset_type.pk:
        raise RunRefused("bad_replace_target", f"Output {placeholder}: the REPLACE target is missing or of another type.")
    return out.reserve_replace(run=run, placeholder=placeholder, dataset=target)


def plan_simple(run: Run, module: Module, version: ModuleTypeVersion) -> SqlStep:
    inputs, outputs = [], []
    for slot in version.dataset_slots:
        binding = module.dataset_bindings.get(slot["placeholder"])
        if slot["mode"] == "INOUT":
            raise RunRefused("inout_unsupported", f"{slot['placeholder']}: INOUT datasets are not supported; "
                             "read an IN dataset and write an OUT one.")
        if slot["mode"] == "IN":
            inputs.append(_resolve_input(slot, binding))
        else:
            pending = _reserve_output(run, slot, binding)
            if pending is not None:
                outputs.append(pending)
    parameters = {}
    for slot in version.parameter_slots:
        value = module.parameter_bindings.get(slot["name"]) if slot["mode"] != "OUT" else None
        if value is None and slot["mode"] != "OUT" and not slot.get("is_optional"):
            raise RunRefused("unbound_parameter", f"Parameter {slot['name']} is required but has no value.")
        parameters[slot["name"]] = value
    return SqlStep(path="", name=module.name, type_version=version, inputs=inputs, outputs=outputs,
                   parameters=parameters)


def _engine_bindings(step: SqlStep) -> tuple[list[ph.DatasetBinding], list[ph.ParameterBinding]]:
    datasets: list[ph.DatasetBinding] = []
    outputs_by_ph = {o.placeholder: o for o in step.outputs}
    inputs_by_ph = {i.placeholder: i for i in step.inputs}
    for slot in step.type_version.dataset_slots:
        spec = ph.DatasetSlot(placeholder=slot["placeholder"], mode=slot["mode"], dataset_type=str(slot["dataset_type"]),
                              is_optional=bool(slot.get("is_optional")))
        pending = outputs_by_ph.get(spec.placeholder)
        read = inputs_by_ph.get(spec.placeholder)
        dataset = pending.dataset if pending else (read.dataset if read else None)
        number = pending.version.number if pending else (read.version.number if read and read.version else None)
        datasets.append(ph.DatasetBinding(
            slot=spec, is_set=dataset is not None, dataset_name=dataset.name if dataset else None,
            dataset_id=dataset.pk if dataset else None, version=number,
            table_name=qualified_text(dataset.pk) if dataset else None, view=_view_name(slot),
            output_method="NEW" if pending and pending.output_method == "NEW" else
            "REPLACE" if pending else None))
    parameters = [
        ph.ParameterBinding(slot=ph.ParameterSlot(name=slot["name"], sql_type=slot["sql_type"], mode=slot["mode"],
                                                  is_optional=bool(slot.get("is_optional"))),
                            is_set=step.parameters.get(slot["name"]) is not None,
                            input_value=step.parameters.get(slot["name"]), variable=f"p_{slot['name']}")
        for slot in step.type_version.parameter_slots
    ]
    return datasets, parameters


def _sandbox_plan(run: Run, step: SqlStep, key: str) -> sandbox.SandboxPlan:
    inputs = [sandbox.InputBinding(view=_view_name(i.slot), columns=DatasetType.objects.get(pk=i.slot["dataset_type"]).column_specs,
                                   dataset_id=i.dataset.pk if i.dataset else None,
                                   path=i.version.path if i.version else ())
              for i in step.inputs]
    outputs = [o.binding(_view_name({"placeholder": o.placeholder, "mode": "OUT"})) for o in step.outputs]
    return sandbox.SandboxPlan(key=key, inputs=inputs, outputs=outputs,
                               deadline_seconds=float(settings.RUN_DEADLINE_SECONDS))


def _error_location(script: Any, error: sandbox.SqlError) -> tuple[int | None, int | None]:
    if error.body_line is not None:
        found = script.algorithm_location_from_body_line(error.body_line)
        if found:
            return found[0], None
    if error.position is not None:
        text = script.text[: error.position - 1]
        line, column = text.count("\n") + 1, len(text) - (text.rfind("\n") + 1) + 1
        found = script.algorithm_location(line, column)
        if found:
            return found
    return None, None


def run_sql_step(run: Run, step: SqlStep, recorder: RunRecorder, cancel: threading.Event) -> None:
    """Runs in a scheduler background thread; records everything on step.record."""
    step.started.set()
    record = step.record
    assert record is not None
    try:
        datasets, parameters = _engine_bindings(step)
        expansion = ph.expand(step.type_version.algorithm, datasets, parameters, general_info(run))
        script = build_user_script(expansion, parameters, output_parameter_table=sandbox.OUTPUT_PARAMETER_TABLE,
                                   dollar_tag=f"mb_{secrets.token_hex(4)}")
        record.user_script = script.text
        record.started_at = timezone.now()
        record.save(update_fields=["user_script", "started_at"])
        box = sandbox.Sandbox(settings.WORKSPACE_DATABASE_URL, _sandbox_plan(run, step, record.sandbox_key))
        recorder.stage(Stage.SETUP_SCRIPT, record)
        box.setup()
        record.setup_script = box.setup_script
        try:
            recorder.stage(Stage.USER_SCRIPT, record)
            step.result = box.run(script.text, cancel=cancel,
                                  on_notice=lambda level, msg: recorder.log(_level(level), msg, step.path))
        finally:
            recorder.stage(Stage.TEARDOWN_SCRIPT, record)
            box.teardown()
            record.teardown_script = box.teardown_script
        step.output_values = {k.removeprefix("p_"): v for k, v in step.result.output_parameters.items()}
        if step.result.error is not None:
            line, column = _error_location(script, step.result.error)
            step.error = {"message": step.result.error.message, "sqlstate": step.result.error.sqlstate,
                          "detail": step.result.error.detail, "hint": step.result.error.hint,
                          "line": line, "column": column, "submodule": step.path or None}
    except ph.PlaceholderExpansionError as exc:
        first = exc.errors[0]
        step.error = {"message": first.message, "line": first.line, "column": first.column,
                      "submodule": step.path or None, "code": first.code}
    except Exception as exc:  # recorded on the run instead of vanishing into the scheduler thread
        logger.exception("run %s step %r failed", run.pk, step.path)
        step.error = {"message": f"The worker failed: {exc}", "submodule": step.path or None, "code": "worker_error"}
    finally:
        _finish_record(step)
        in_thread_done()
        step.finished.set()


def _level(pg_level: str) -> str:
    return {"WARNING": "WARNING", "NOTICE": "INFO", "INFO": "INFO", "LOG": "INFO"}.get(pg_level, "INFO")


def _finish_record(step: SqlStep) -> None:
    record = step.record
    assert record is not None
    record.result = step.result.result if step.result else Result.FAILED
    if step.error and record.result == Result.SUCCESS:
        record.result = Result.FAILED
    record.error = step.error
    record.ended_at = timezone.now()
    record.seconds = step.result.seconds if step.result else 0.0
    record.stage = Stage.COMPLETED
    record.save()


def _watch_for_cancel(run: Run, scheduler: Scheduler, done: threading.Event) -> None:
    while not done.wait(CANCEL_POLL_SECONDS):
        if Run.objects.filter(pk=run.pk, cancel_requested=True).exists():
            scheduler.cancel()
            break
    in_thread_done()


def _history_datasets(steps: list[SqlStep]) -> list[dict[str, Any]]:
    rows = []
    for step in steps:
        for i in step.inputs:
            if i.dataset is not None:
                rows.append({"path": step.path, "placeholder": i.placeholder, "direction": "IN", "dataset": i.dataset.pk,
                             "dataset_name": i.dataset.name, "version": i.version.number})
        for o in step.outputs:
            rows.append({"path": step.path, "placeholder": o.placeholder, "direction": "OUT", "dataset": o.dataset.pk,
                         "dataset_name": o.dataset.name, "version": o.version.number, "output_method": o.output_method})
    return rows


def _history_parameters(steps: list[SqlStep]) -> list[dict[str, Any]]:
    return [{"path": step.path, "name": slot["name"], "mode": slot["mode"], "sql_type": slot["sql_type"],
             "input_value": step.parameters.get(slot["name"]) if slot["mode"] != "OUT" else None,
             "output_value": step.output_values.get(slot["name"]) if slot["mode"] != "IN" else None}
            for step in steps for slot in step.type_version.parameter_slots]


def _overall(steps: list[SqlStep], status: str) -> tuple[str, dict[str, Any] | None]:
    for step in steps:
        if step.result is not None and step.result.result in (Result.CANCELLED, Result.TIMEOUT):
            return step.result.result, step.error or {"message": f"The run was {step.result.result.lower()}."}
        if step.error is not None:
            return Result.FAILED, step.error
    if status == "cancelled":
        return Result.CANCELLED, {"message": "The run was cancelled."}
    if status != "completed":
        return Result.FAILED, {"message": f"The run stopped: {status}."}
    return Result.SUCCESS, None


def execute_run(run_id: int, *, worker: str) -> Run:
    run = Run.objects.select_related("module__project", "user", "type_version__module_type").get(pk=run_id)
    if run.result:
        return run  # a redelivered task: the run already finished
    recorder = RunRecorder(run)
    recorder.started(worker)
    steps: list[SqlStep] = []
    try:
        if run.type_version.kind != "simple":
            raise RunRefused("composite_unsupported", "Composite module types cannot run yet.")
        steps = [plan_simple(run, run.module, run.type_version)]
        status = _run_steps(run, steps, recorder)
        result, error = _overall(steps, status)
    except RunRefused as exc:
        result, error = Result.FAILED, {"message": exc.message, "code": exc.code}
    except ph.PlaceholderExpansionError as exc:
        first = exc.errors[0]
        result, error = Result.FAILED, {"message": first.message, "line": first.line, "column": first.column}
    pending = [o for s in steps for o in s.outputs]
    if result == Result.SUCCESS:
        out.publish(pending, run)
    else:
        out.discard(pending)
        out.discard_all_of(run)
    run.datasets = _history_datasets(steps) if result == Result.SUCCESS else [
        d for d in _history_datasets(steps) if d["direction"] == "IN"]
    run.parameters = _history_parameters(steps)
    recorder.finished(result, error)
    return run


def _run_steps(run: Run, steps: list[SqlStep], recorder: RunRecorder) -> str:
    flow = Dataflow()
    cancels: dict[str, threading.Event] = {}
    for index, step in enumerate(steps):
        step.record = StepRecord.objects.create(run=run, path=step.path, name=step.name,
                                                type_version=step.type_version,
                                                sandbox_key=sandbox.new_key(f"r{run.pk}s{index}"))
        cancel = cancels.setdefault(step.path or "main", threading.Event())
        flow.add(BackgroundStep(step.path or "main", _step_callable(run, step, recorder, cancel), on_cancel=cancel.set))
    recorder.stage(Stage.USER_SCRIPT if len(steps) == 1 else Stage.SUBMODULES)
    scheduler = Scheduler(quantum=0.25)
    scheduler.install(flow)
    done = threading.Event()
    watcher = threading.Thread(target=_watch_for_cancel, args=(run, scheduler, done), daemon=True)
    watcher.start()
    try:
        outcome = scheduler.run(on_tick=lambda module, event: _tick(recorder, event))
    finally:
        done.set()
        watcher.join(timeout=2)
        _wait_for_teardowns(steps)
    return outcome.status


def _wait_for_teardowns(steps: list[SqlStep]) -> None:
    """A cancelled step's thread may still be tearing its sandbox down when the scheduler returns;
    outputs are discarded only after every started step has finished."""
    for step in steps:
        if step.started.is_set():
            step.finished.wait(timeout=float(settings.RUN_DEADLINE_SECONDS) + 30)


def _step_callable(run: Run, step: SqlStep, recorder: RunRecorder, cancel: threading.Event) -> Any:
    def call(ctx: StepContext) -> None:
        run_sql_step(run, step, recorder, cancel)

    return call


def _tick(recorder: RunRecorder, event: ModuleEvent) -> None:
    if event.kind == "state":
        done, total = event.progress if event.progress else (0, None)
        recorder.step_progress(event.module_id, str(event.state.label if hasattr(event.state, "label") else event.state),
                               done, total)
