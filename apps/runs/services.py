from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Max

from apps.accounts.models import User
from apps.core.exceptions import ServiceError
from apps.live.events import modules_topic, publish_on_commit
from apps.live.status import status_refresh_on_commit
from apps.runs.aggregation import module_has_aggregation
from apps.runs.models import Run

if TYPE_CHECKING:  # a run belongs to a module; runs sits below modules and only names it (DESIGN §1)
    from apps.modules.models import Module


@transaction.atomic
def run_record(*, module: "Module", user: User, mode: str = Run.Mode.RUN,
               parameters: dict[str, str] | None = None) -> Run:
    """The one way a run is recorded, whoever asks for it (the Run button, bring_up_to_date, the
    run_module command): the busy check under the module's row lock, the next run number, the
    record, the `run_started` events and the status refresh (the module is `running` from this
    commit on), all after the transaction commits. Executing the run is the caller's business
    (`run_request` enqueues it alone, bring_up_to_date in order with others)."""
    if mode not in Run.Mode.values:
        raise ServiceError("invalid_mode", "mode must be 'run' or 'process'.")
    if mode == Run.Mode.PROCESS and not module_has_aggregation(module):
        raise ServiceError("no_aggregation", f"Module {module.name!r} has no aggregation submodule: process mode has "
                           "no state to process. Use run mode.")
    module = type(module)._default_manager.select_for_update().get(pk=module.pk)
    busy = module.runs.filter(result="").order_by("run_number").first()
    if busy is not None:
        raise ServiceError("already_running", f"Module {module.name!r}: run {busy.run_number} has not finished yet.",
                           status=409, details={"module": module.pk, "run": busy.pk})
    number = (module.runs.aggregate(m=Max("run_number"))["m"] or 0) + 1
    run = Run.objects.create(module=module, run_number=number, mode=mode, user=user, type_version=module.type_version,
                             parameter_overrides=parameters or {})
    for topic in (f"module:{module.pk}", modules_topic(module.project_id)):
        publish_on_commit(topic, "run_started", {"module": module.pk, "run": run.pk, "run_number": number})
    # Published before the caller enqueues the run (a refresh in the worker, or beside it on the
    # same cores, would slow the run down).
    status_refresh_on_commit(module_ids=[module.pk])
    return run


@transaction.atomic
def run_request(*, module: "Module", user: User, mode: str = Run.Mode.RUN,
                parameters: dict[str, str] | None = None) -> Run:
    """Records the run and enqueues it once the record is committed. `parameters`: this run's own
    values of IN parameters, checked by the caller (apps.modules.parameter_values.check_overrides)."""
    from apps.runs.tasks import execute_run_task

    run = run_record(module=module, user=user, mode=mode, parameters=parameters)
    transaction.on_commit(lambda: execute_run_task.delay(run.pk))
    return run


@transaction.atomic
def run_cancel(*, run: Run) -> Run:
    run = Run.objects.select_for_update().get(pk=run.pk)
    if run.result:
        raise ServiceError("run_finished", f"Run {run.run_number} already finished ({run.result}).", status=409)
    run.cancel_requested = True
    run.save(update_fields=["cancel_requested"])
    publish_on_commit(f"run:{run.pk}", "cancel_requested", {"run": run.pk})
    return run


@transaction.atomic
def run_steer(*, run: Run, user: User, path: Any, parameters: Any) -> Run:
    """Queues a steering change (docs/progressive.md): the worker applies it between two steps.
    Validated here, so that what is queued is applied: a progressive submodule of the run that has
    started, its IN parameters, values of their types, columns among the numeric columns it reads.
    A refusal (400 naming the parameter in `details.field`) leaves the run unchanged."""
    from apps.runs.progressive import ParameterError, numeric_names_read, parse_parameters

    run = Run.objects.select_for_update().select_related("type_version__module_type").get(pk=run.pk)
    if run.result:
        raise ServiceError("run_finished", f"Run {run.run_number} already finished ({run.result}).", status=409)
    if not isinstance(path, str) or not isinstance(parameters, dict) or not parameters or \
            not all(isinstance(k, str) and isinstance(v, str) for k, v in parameters.items()):
        raise ServiceError("invalid", "Send {path, parameters: {name: \"value as text\"}}.")
    step = run.steps.select_related("type_version__module_type").filter(path=path).first()
    if step is None and not run.steps.exists():  # the worker has not made the step records yet
        raise ServiceError("not_started", f"Run {run.run_number} has not started yet: steer it once it runs.",
                           status=409)
    if step is None or step.type_version.module_type.kind != "progressive":
        raise ServiceError("not_progressive", f"{path!r} is not a progressive submodule of this run.",
                           details={"field": "path"})
    slots = {s["name"]: s for s in step.type_version.parameter_slots if s["mode"] != "OUT"}
    unknown = sorted(set(parameters) - set(slots))
    if unknown:
        raise ServiceError("unknown_parameter", f"Unknown parameter(s) of {path or 'the module'}: "
                           f"{', '.join(unknown)} (it has {', '.join(slots)}).", details={"field": unknown[0]})
    if step.started_at is None:
        raise ServiceError("not_started", f"{path or 'The module'} has not started yet: steer it once it runs.",
                           status=409)
    current = {p["name"]: p.get("input_value") for p in step.parameters or []}
    try:
        parse_parameters(step.type_version.module_type.name.lower(), {**current, **parameters},
                         numeric_names_read(step.datasets))
    except ParameterError as exc:
        raise ServiceError("bad_parameter", str(exc), details={"field": exc.field}) from None
    run.steer_requests = [*run.steer_requests, {"path": path, "parameters": parameters, "user": user.username}]
    run.save(update_fields=["steer_requests"])
    return run
