"""Executes a Run on a worker: plan it (planning.py: expand composites into SQL steps, resolve
bindings, reserve every dataset written), run the steps as a dataflow under the cooperative
scheduler (a step starts once the steps feeding it have finished; independent steps run side by
side), each in its own sandbox, then publish the outputs and kept internal datasets (success) or
discard everything reserved (anything else)."""

import logging
import secrets
import threading
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from apps.datasets.models import DatasetType
from apps.engine import placeholders as ph
from apps.engine import sandbox
from apps.engine.dataflow import Dataflow, SlotSpec
from apps.engine.limits import RunLimits
from apps.engine.scheduler import ModuleEvent, Scheduler
from apps.engine.script import build_user_script
from apps.engine.steps import BackgroundStep, StepContext
from apps.engine.storage import qualified_text
from apps.runs import aggregation
from apps.runs import outputs as out
from apps.runs.errors import RunRefused
from apps.runs.models import Result, Run, Stage, StepRecord
from apps.runs.planning import Execution, ResolvedInput, SqlStep, plan_run
from apps.runs.progressive import ProgressivePart, is_progressive, steering_entry
from apps.runs.recorder import RunRecorder, in_thread_done
from apps.runs.sandboxes import Sandboxes
from apps.runs.sql_progress import SqlProgress

CANCEL_POLL_SECONDS = 0.2
VIEW_SUFFIX = {"IN": "iv", "OUT": "ov", "INOUT": "iov"}

logger = logging.getLogger(__name__)


class StepFailed(Exception):
    """Raised in a step's thread after its failure is recorded, so that the scheduler stops the run."""


def general_info(run: Run) -> ph.GeneralInfo:
    module, user, started = run.module, run.user, timezone.localtime(run.started_at or timezone.now())
    return ph.GeneralInfo(
        user_full_name=user.display_name, user_id=user.pk, user_account_name=user.username,
        module_name=module.name, module_id=module.pk, module_final=module.is_final,
        module_project_name=module.project.name if module.project_id else None, run_id=run.pk,
        run_date=started.strftime("%m/%d/%Y"), run_time=started.strftime("%H:%M:%S.%f")[:-3])


def _view_name(slot: dict[str, Any]) -> str:
    return f"{slot['placeholder']}_{VIEW_SUFFIX[slot['mode']]}"


# ------------------------------------------------------------------------------------- one step

def _step_parameters(execution: Execution, step: SqlStep) -> dict[str, str | None]:
    """IN/INOUT values from the module's bindings or from the OUT values of the steps feeding them."""
    values: dict[str, str | None] = {}
    for slot in step.type_version.parameter_slots:
        name = slot["name"]
        ref = step.sources.get(name) if slot["mode"] != "OUT" else None
        value = execution.parameter_value(ref)
        if slot["mode"] != "OUT" and value is None and not slot.get("is_optional"):
            source = f"its source {ref.key} produced no value" if ref is not None else "nothing feeds it"
            raise RunRefused("unbound_parameter", f"Parameter {name}{step.where} is required but {source}.")
        values[name] = value
    return values


def _engine_bindings(step: SqlStep) -> tuple[list[ph.DatasetBinding], list[ph.ParameterBinding]]:
    written = dict(step.outputs)
    written.update({s.placeholder: p for s, p in step.inouts if p is not None})
    read = {i.placeholder: i for i in [*step.inputs, *(s for s, _ in step.inouts)]}
    datasets: list[ph.DatasetBinding] = []
    for slot in step.type_version.dataset_slots:
        spec = ph.DatasetSlot(placeholder=slot["placeholder"], mode=slot["mode"], dataset_type=str(slot["dataset_type"]),
                              is_optional=bool(slot.get("is_optional")))
        pending, source = written.get(spec.placeholder), read.get(spec.placeholder)
        dataset = pending.dataset if pending else (source.dataset if source else None)
        number = pending.version.number if pending else (source.version.number if source and source.version else None)
        method: ph.OutputMethod | None = None
        if slot["mode"] == "OUT" and pending is not None:
            method = "NEW" if pending.output_method in ("NEW", "INTERNAL") else "REPLACE"
        datasets.append(ph.DatasetBinding(
            slot=spec, is_set=dataset is not None, dataset_name=dataset.name if dataset else None,
            dataset_id=dataset.pk if dataset else None, version=number,
            table_name=qualified_text(dataset.pk) if dataset else None, view=_view_name(slot), output_method=method))
    parameters = [
        ph.ParameterBinding(slot=ph.ParameterSlot(name=slot["name"], sql_type=slot["sql_type"], mode=slot["mode"],
                                                  is_optional=bool(slot.get("is_optional"))),
                            is_set=step.parameters.get(slot["name"]) is not None,
                            input_value=step.parameters.get(slot["name"]), variable=f"p_{slot['name']}")
        for slot in step.type_version.parameter_slots
    ]
    return datasets, parameters


def _columns(slot: dict[str, Any]) -> Any:
    return DatasetType.objects.get(pk=slot["dataset_type"]).column_specs


def _input_binding(view: str, read: ResolvedInput) -> sandbox.InputBinding:
    return sandbox.InputBinding(view=view, columns=_columns(read.slot), dataset_id=read.dataset.pk if read.dataset else None,
                                path=read.version.path if read.version else ())


def _sandbox_plan(step: SqlStep, deadline: float) -> sandbox.SandboxPlan:
    inputs = [_input_binding(_view_name(i.slot), i) for i in step.inputs]
    inputs += [_input_binding(_view_name(s.slot), s) for s, p in step.inouts if p is None]  # unbound optional
    outputs = [o.binding(_view_name({"placeholder": name, "mode": "OUT"})) for name, o in step.outputs.items()]
    inouts = [p.inout_binding(_view_name(s.slot)) for s, p in step.inouts if p is not None]
    assert step.record is not None
    saves_parameters = any(slot["mode"] != "IN" for slot in step.type_version.parameter_slots)
    return sandbox.SandboxPlan(key=step.record.sandbox_key, inputs=inputs, outputs=outputs, inouts=inouts,
                               deadline_seconds=deadline,
                               output_parameters=saves_parameters, limits=run_limits())


def deadline_seconds(module_deadline: int | None) -> float:
    """The deployment's deadline, or the module's own when it is shorter."""
    return float(min(settings.RUN_DEADLINE_SECONDS, module_deadline or settings.RUN_DEADLINE_SECONDS))


def run_limits() -> RunLimits:
    return RunLimits(memory_mb=settings.RUN_MEMORY_MB, temp_mb=settings.RUN_TEMP_MB,
                     output_mb=settings.RUN_OUTPUT_MB, locks=settings.RUN_LOCKS)


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


def run_sql_step(execution: Execution, step: SqlStep, recorder: RunRecorder, cancel: threading.Event,
                 boxes: Sandboxes) -> None:
    """Runs in a scheduler background thread; records everything on step.record; raises StepFailed
    (after recording) when the step did not succeed, so that the scheduler stops the others."""
    step.started.set()
    run, record = execution.run, step.record
    assert record is not None
    try:
        record.started_at = timezone.now()
        box = boxes.acquire(step)  # set up (and logged in) ahead, usually
        record.setup_script, record.teardown_script = box.setup_script, box.teardown_script
        step.parameters = _step_parameters(execution, step)
        datasets, parameters = _engine_bindings(step)
        expansion = ph.expand(step.type_version.algorithm, datasets, parameters, general_info(run))
        script = build_user_script(expansion, parameters, output_parameter_table=sandbox.OUTPUT_PARAMETER_TABLE,
                                   dollar_tag=f"mb_{secrets.token_hex(4)}")
        record.user_script = script.text
        recorder.stage(Stage.USER_SCRIPT, record, also=["user_script", "started_at", "setup_script"])
        step.result = box.run(script.text, cancel=cancel,
                              on_notice=lambda level, msg: recorder.log(_level(level), msg, step.path))
        step.output_values = dict(step.result.output_parameters)
        if step.result.error is not None:
            line, column = _error_location(script, step.result.error)
            step.error = {"message": step.result.error.message, "sqlstate": step.result.error.sqlstate,
                          "detail": step.result.error.detail, "hint": step.result.error.hint,
                          "line": line, "column": column, "submodule": step.path or None}
            if step.result.error.limit is not None:
                step.error |= {"code": "resource_limit", "limit": step.result.error.limit}
    except RunRefused as exc:
        step.error = {"message": exc.message, "code": exc.code, "submodule": step.path or None}
    except ph.PlaceholderExpansionError as exc:
        first = exc.errors[0]
        step.error = {"message": first.message, "line": first.line, "column": first.column,
                      "submodule": step.path or None, "code": first.code}
    except Exception as exc:  # recorded on the run instead of vanishing into the scheduler thread
        logger.exception("run %s step %r failed", run.pk, step.path)
        step.error = {"message": f"The worker failed: {exc}", "submodule": step.path or None, "code": "worker_error"}
    finally:
        _finish_record(step, recorder)
        succeeded = step.succeeded
        boxes.release(step, then=(lambda: _drop_unneeded_internals(execution, step, recorder)) if succeeded else None)
        in_thread_done()
        step.finished.set()
    if not succeeded:
        if step.path and step.error:
            recorder.log("ERROR", f"Submodule {step.path} failed{_at(step.error)}: {step.error['message']}", step.path)
        raise StepFailed(step.path)


def _at(error: dict[str, Any]) -> str:
    if error.get("line") is None:
        return ""
    return f" at line {error['line']}" + (f", column {error['column']}" if error.get("column") else "")


def _drop_unneeded_internals(execution: Execution, step: SqlStep, recorder: RunRecorder) -> None:
    assert execution.internals is not None
    for versions in execution.internals.step_finished(step.path):
        out.discard(versions)
        recorder.log("INFO", f"Internal dataset {versions[0].internal_key} dropped: no submodule needs it any more "
                     f"(last: {step.path}).", step.path)


def _level(pg_level: str) -> str:
    return {"WARNING": "WARNING", "NOTICE": "INFO", "INFO": "INFO", "LOG": "INFO"}.get(pg_level, "INFO")


def _finish_record(step: SqlStep, recorder: RunRecorder) -> None:
    record = step.record
    assert record is not None
    record.result = step.result.result if step.result else Result.FAILED
    if step.error and record.result == Result.SUCCESS:
        record.result = Result.FAILED
    record.error = step.error
    record.ended_at = timezone.now()
    record.seconds = step.result.seconds if step.result else 0.0
    record.stage = Stage.COMPLETED
    record.datasets = _step_datasets(step)
    record.parameters = _step_parameters_record(step)
    recorder.save(record)


def _dataset_row(placeholder: str, mode: str, direction: str, dataset: Any, version: Any,
                 **extra: Any) -> dict[str, Any]:
    return {"placeholder": placeholder, "mode": mode, "direction": direction, "dataset": dataset.pk,
            "dataset_name": dataset.name, "version": version.number, **extra}


def _step_datasets(step: SqlStep) -> list[dict[str, Any]]:
    rows = [_dataset_row(i.placeholder, "IN", "IN", i.dataset, i.version, internal=i.dataset.pending_run_id is not None)
            for i in step.inputs if i.dataset is not None]
    for source, pending in step.inouts:
        if source.dataset is not None and pending is not None:
            internal = pending.output_method == "INTERNAL" or pending.scratch
            rows.append(_dataset_row(source.placeholder, "INOUT", "IN", source.dataset, source.version,
                                     internal=internal))
            rows.append(_dataset_row(source.placeholder, "INOUT", "OUT", pending.dataset, pending.version,
                                     internal=internal))
    rows += [_dataset_row(name, "OUT", "OUT", p.dataset, p.version, internal=p.output_method == "INTERNAL")
             for name, p in step.outputs.items()]
    return rows


def _step_parameters_record(step: SqlStep) -> list[dict[str, Any]]:
    return [{"name": slot["name"], "mode": slot["mode"], "sql_type": slot["sql_type"],
             "input_value": step.parameters.get(slot["name"]) if slot["mode"] != "OUT" else None,
             "output_value": step.output_values.get(slot["name"]) if slot["mode"] != "IN" else None}
            for slot in step.type_version.parameter_slots]


# ------------------------------------------------------------------------------------- the run

def _watch_for_cancel(run: Run, scheduler: Scheduler, done: threading.Event, part: ProgressivePart | None = None,
                      recorder: RunRecorder | None = None) -> None:
    """Polls the run's row for Cancel and for steering changes (applied between scheduler steps)."""
    applied = 0
    while not done.wait(CANCEL_POLL_SECONDS):
        row = Run.objects.filter(pk=run.pk).values("cancel_requested", "steer_requests").first()
        if row is None:
            break
        if row["cancel_requested"]:
            scheduler.cancel()
            break
        requests = row["steer_requests"] or []
        while part is not None and recorder is not None and applied < len(requests):
            _apply_steering(run, part, recorder, requests[applied])
            applied += 1
    in_thread_done()


def _apply_steering(run: Run, part: ProgressivePart, recorder: RunRecorder, request: dict[str, Any]) -> None:
    path, parameters, user = request.get("path", ""), request.get("parameters") or {}, request.get("user", "")
    try:
        part.steer(path, parameters)
    except Exception as exc:  # validated by the API already; a change that no longer fits is logged
        recorder.log("WARNING", f"Steering {path} with {parameters} was not applied: {exc}", path)
        return
    entry = steering_entry(path, parameters, user)
    run.steering = [*run.steering, entry]
    Run.objects.filter(pk=run.pk).update(steering=run.steering)
    recorder.log("INFO", f"Steered {path} at {entry['at']} by {user}: "
                 + ", ".join(f"{k} = {v}" for k, v in parameters.items()) + "; it starts over.", path)
    recorder.steered(entry)


def _history_datasets(execution: Execution, success: bool) -> list[dict[str, Any]]:
    rows = [{"path": "", **_dataset_row(name, read.slot["mode"], "IN", read.dataset, read.version)}
            for name, read in execution.bound.items() if read.dataset is not None and read.version is not None]
    if not success:
        return rows
    modes = {s["placeholder"]: s["mode"] for s in execution.run.type_version.dataset_slots}
    rows += [{"path": "", **_dataset_row(name, modes[name], "OUT", p.dataset, p.version, output_method=p.output_method)}
             for name in modes if (p := execution.module_outputs.get(name)) is not None]  # in slot order
    assert execution.internals is not None
    for p in execution.internals.kept_outputs():
        path, _, placeholder = (p.internal_key or "").rpartition(".")
        rows.append({"path": path, **_dataset_row(placeholder, "OUT", "OUT", p.dataset, p.version, internal=True)})
    return rows


def _history_parameters(execution: Execution) -> list[dict[str, Any]]:
    """The module's own parameters (in and out values), then the internal parameters kept."""
    rows = []
    for slot in execution.run.type_version.parameter_slots:
        name, mode = slot["name"], slot["mode"]
        rows.append({"path": "", "name": name, "mode": mode, "sql_type": slot["sql_type"],
                     "input_value": execution.module.parameter_bindings.get(name) if mode != "OUT" else None,
                     "output_value": execution.parameter_value(execution.plan.outputs.get(name)) if mode != "IN"
                     else None})
    for step in execution.steps:
        if step.path:
            rows += [{"path": step.path, **row} for row in _step_parameters_record(step)
                     if f"{step.path}.{row['name']}" in execution.keep_parameters]
    return rows


def _step_result(step: SqlStep) -> str | None:
    return step.result.result if step.result is not None else None


def _overall(steps: list[SqlStep], status: str) -> tuple[str, dict[str, Any] | None]:
    """A deadline, then a step's own error, then a cancel: the steps still running when a sibling
    failed or timed out were cancelled because of it, so their CANCELLED is not the run's."""
    for wanted in (Result.TIMEOUT, Result.FAILED, Result.CANCELLED):
        for step in steps:
            result = _step_result(step)
            if result == wanted or (wanted == Result.FAILED and result is None and step.error is not None):
                return wanted, step.error or {"message": f"The run was {wanted.lower()}."}
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
    execution: Execution | None = None
    try:
        execution = plan_run(run, general_info(run))
        for key in sorted(execution.internals.unknown_keys if execution.internals else ()):
            recorder.log("WARNING", f"Keep flag {key!r} matches no internal dataset of this module.")
        status = _run_steps(execution, recorder)
        result, error = _overall(execution.steps, status)
    except RunRefused as exc:
        result, error = Result.FAILED, {"message": exc.message, "code": exc.code}
    except Exception as exc:  # never leave a run unfinished
        logger.exception("run %s failed", run.pk)
        result, error = Result.FAILED, {"message": f"The worker failed: {exc}", "code": "worker_error"}
    result, error = _publish_or_discard(execution, run, result, error)
    if execution is not None:
        run.datasets = _history_datasets(execution, result == Result.SUCCESS)
        run.parameters = _history_parameters(execution)
    recorder.finished(result, error)
    return run


def _publish_or_discard(execution: Execution | None, run: Run, result: str,
                        error: dict[str, Any] | None) -> tuple[str, dict[str, Any] | None]:
    """A successful run's outputs become visible; anything else discards all it reserved. Publishing
    is one transaction: if it fails, nothing of it stays and the run fails (never left unfinished)."""
    if execution is not None and result == Result.SUCCESS:
        assert execution.internals is not None
        kept = execution.internals.kept_outputs()
        try:
            with transaction.atomic():  # the outputs and the new aggregation states, together
                out.publish([*execution.module_writes(), *kept, *execution.states.values()], run)
                aggregation.record_published(execution)
        except Exception as exc:
            logger.exception("run %s: publishing its outputs failed", run.pk)
            result, error = Result.FAILED, {"message": f"Publishing the outputs failed: {exc}", "code": "worker_error"}
        else:
            # the INOUT chains' intermediate versions (absorbed by now), and any internal drop that failed
            out.discard([*execution.scratch, *(p for p in execution.internals.pending() if p not in kept)])
            return result, error
    if execution is not None:
        out.discard(execution.pending())
    out.discard_all_of(run)
    return result, error


def _run_steps(execution: Execution, recorder: RunRecorder) -> str:
    run, steps = execution.run, execution.steps
    for step in steps:
        step.record = StepRecord(run=run, path=step.path, name=step.name, type_version=step.type_version,
                                 sandbox_key=sandbox.new_key(f"r{run.pk}s{step.index}"))
    # Written before any sandbox exists: the janitor keeps the sandboxes of unfinished runs' steps.
    StepRecord.objects.bulk_create([step.record for step in steps if step.record is not None])
    deadline = deadline_seconds(execution.module.deadline_seconds)
    sql_steps = [step for step in steps if not is_progressive(step)]
    boxes = Sandboxes(sql_steps, lambda step: _sandbox_plan(step, deadline), f"run-{run.pk}-sandboxes")
    boxes.start()  # the first sandboxes are set up while the dataflow is built
    done = threading.Event()
    watcher: threading.Thread | None = None
    part = ProgressivePart(execution, recorder)
    part.values_of = lambda step: _progressive_values(execution, step)
    part.on_start = lambda step: _start_progressive(step, part, recorder)
    sql_progress = SqlProgress(sql_steps, recorder)
    status = "failed"
    try:
        flow, paths = _dataflow(execution, recorder, boxes, part)
        recorder.stage(Stage.SUBMODULES if any(s.path for s in steps) else Stage.USER_SCRIPT)
        scheduler = Scheduler(quantum=0.25)
        scheduler.install(flow)
        part.scheduler = scheduler
        for step in steps:
            if is_progressive(step) and part.nodes[step.path].ready:
                _start_progressive(step, part, recorder)
        watcher = threading.Thread(target=_watch_for_cancel, args=(run, scheduler, done, part, recorder), daemon=True)
        watcher.start()
        sql_progress.start()
        outcome = scheduler.run(on_tick=lambda module, event: _tick(recorder, paths, part, module, event))
        status = outcome.status
    finally:
        done.set()
        sql_progress.stop()
        if watcher is not None:
            watcher.join(timeout=2)
        _finish_progressive(execution, part, recorder, status)
        _wait_for_steps(steps)
        recorder.write_now()  # the steps' history, while the last sandboxes are torn down
        boxes.close()
        _mark_not_run(steps, run, recorder)
    return status


def _start_progressive(step: SqlStep, part: ProgressivePart, recorder: RunRecorder) -> None:
    """A progressive step starts: when the run starts, or once the steps whose OUT parameters it
    reads have finished."""
    if step.record is None:
        return
    step.started.set()
    step.record.started_at = timezone.now()
    step.record.parameters = _step_parameters_record(step)
    step.record.datasets = part.datasets_of(step.path)
    recorder.stage(Stage.USER_SCRIPT, step.record, also=["started_at", "parameters", "datasets"])


def _progressive_values(execution: Execution, step: SqlStep) -> dict[str, str | None]:
    """A progressive step's IN parameter values: the module's bindings, or the OUT values of the
    steps feeding them (known once those have finished)."""
    return {slot["name"]: execution.parameter_value(step.sources.get(slot["name"]))
            for slot in step.type_version.parameter_slots if slot["mode"] != "OUT"}


def _parameter_producers(execution: Execution, step: SqlStep) -> set[str]:
    """The paths of the steps whose OUT parameters feed `step`'s IN parameters."""
    return {ref.path for slot in step.type_version.parameter_slots if slot["mode"] != "OUT"
            and (ref := step.sources.get(slot["name"])) is not None and ref.path is not None}


def _finish_progressive(execution: Execution, part: ProgressivePart, recorder: RunRecorder, status: str) -> None:
    if not part.nodes:
        return
    success = status == "completed"
    execution.run.results = {**(execution.run.results or {}), **part.finish(success)}
    result = Result.SUCCESS if success else Result.CANCELLED if status == "cancelled" else Result.FAILED
    for node in part.nodes.values():
        record = node.step.record
        if record is None:
            continue
        if not node.ready:  # it never started: "not run" (_mark_not_run), unless its parameters were refused
            if node.op.error:
                node.step.started.set()
                node.step.error = {"message": node.op.error, "code": "bad_parameter", "submodule": node.step.path}
                record.result, record.stage, record.error = Result.FAILED, Stage.COMPLETED, node.step.error
                record.parameters = _step_parameters_record(node.step)
                recorder.save(record, ["result", "stage", "error", "parameters"])
                node.step.finished.set()
            continue
        record.result, record.stage, record.ended_at = result, Stage.COMPLETED, timezone.now()
        if node.op.error:
            record.result, record.error = Result.FAILED, {"message": node.op.error, "submodule": node.step.path}
            node.step.error = record.error
        if record.started_at is not None:
            record.seconds = (record.ended_at - record.started_at).total_seconds()
        record.parameters = _step_parameters_record(node.step)
        recorder.save(record, ["result", "stage", "ended_at", "seconds", "error", "parameters", "progressive"])
        node.step.finished.set()


def _dataflow(execution: Execution, recorder: RunRecorder, boxes: Sandboxes,
              part: ProgressivePart) -> tuple[Dataflow, dict[str, str]]:
    """One background step per SQL step, each after the steps feeding it, and the engine modules of
    the progressive steps (apps/runs/progressive.py); and module id → path."""
    flow, paths = Dataflow(), {}
    ids = {step.path: f"s{step.index:04d}" for step in execution.steps}
    for step in execution.steps:  # in topological order
        if is_progressive(step):
            values = _progressive_values(execution, step)
            step.parameters = values
            part.add(flow, step, ids[step.path], values, waits=_parameter_producers(execution, step))
            paths[ids[step.path]] = step.path
            continue
        upstream = sorted({ref.path for ref in step.sources.values() if ref is not None and ref.path is not None})
        cancel = threading.Event()
        flow.add(BackgroundStep(ids[step.path], _step_callable(execution, step, recorder, cancel, boxes),
                                on_cancel=cancel.set,
                                inputs=[SlotSpec(f"after_{ids[u]}", "any") for u in upstream],
                                outputs=[SlotSpec("done", "step", required=False)]))
        for u in upstream:
            source = part.after(u) if u in part.nodes else None
            slot = "done" if source is None else ("result" if source.output_spec("result") else "table")
            flow.connect(source.id if source is not None else ids[u], slot, ids[step.path], f"after_{ids[u]}")
        paths[ids[step.path]] = step.path
    return flow, paths


def _wait_for_steps(steps: list[SqlStep]) -> None:
    """A cancelled step's thread may still be finishing when the scheduler returns; pending
    datasets are discarded only after every started step has finished and its sandbox is gone."""
    for step in steps:
        if step.started.is_set():
            step.finished.wait(timeout=float(settings.RUN_DEADLINE_SECONDS) + 30)


def _mark_not_run(steps: list[SqlStep], run: Run, recorder: RunRecorder) -> None:
    if all(step.started.is_set() for step in steps):
        return
    cancelled = Run.objects.filter(pk=run.pk, cancel_requested=True).exists()
    for step in steps:
        if not step.started.is_set() and step.record is not None:
            step.record.result = Result.CANCELLED if cancelled else ""
            step.record.stage = Stage.COMPLETED
            step.record.error = {"message": "Not run: the run was cancelled." if cancelled else
                                 "Not run: a submodule it depends on (or another one) failed.",
                                 "submodule": step.path or None}
            recorder.save(step.record, ["result", "stage", "error"])


def _step_callable(execution: Execution, step: SqlStep, recorder: RunRecorder, cancel: threading.Event,
                   boxes: Sandboxes) -> Any:
    def call(ctx: StepContext) -> None:
        run_sql_step(execution, step, recorder, cancel, boxes)

    return call


def _tick(recorder: RunRecorder, paths: dict[str, str], part: ProgressivePart, module: Any,
          event: ModuleEvent) -> None:
    progressive = part.progress(event.module_id)
    if progressive is not None:  # a progressive operator (its scan reports through it)
        part.tick(module, event)
        if event.state.label in ("zombie", "terminated") and part.finished_step(module) is not None:
            part.producer_finished(progressive["path"])
        recorder.step_progress(**progressive)
        return
    if event.module_id in part.by_module:
        return  # a progressive step's scan
    path = paths.get(event.module_id)
    if path is not None and event.state.label in ("zombie", "terminated"):
        step = part.execution.step_at(path)
        if step.finished.is_set() and step.succeeded:
            part.producer_finished(path)  # progressive steps waiting for its OUT parameters
    if event.kind == "state":
        done, total = event.progress if event.progress else (0, None)
        recorder.step_progress(paths.get(event.module_id, event.module_id), event.state.label, done, total)
