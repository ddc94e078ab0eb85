from django.db import transaction
from django.db.models import Max

from apps.accounts.models import User
from apps.core.exceptions import ServiceError
from apps.live.events import modules_topic, publish_on_commit
from apps.live.status import status_refresh_on_commit
from apps.modules.models import Module
from apps.runs.models import Run


@transaction.atomic
def run_request(*, module: Module, user: User, mode: str = Run.Mode.RUN) -> Run:
    """Records the run and enqueues it once the record is committed."""
    from apps.runs.tasks import execute_run_task

    module = Module.objects.select_for_update().get(pk=module.pk)
    if mode not in Run.Mode.values:
        raise ServiceError("invalid_mode", "mode must be 'run' or 'process'.")
    busy = module.runs.filter(result="").first()
    if busy is not None:
        raise ServiceError("already_running", f"Run {busy.run_number} of this module has not finished yet.",
                           status=409, details={"run": busy.pk})
    number = (module.runs.aggregate(m=Max("run_number"))["m"] or 0) + 1
    run = Run.objects.create(module=module, run_number=number, mode=mode, user=user, type_version=module.type_version)
    publish_on_commit(f"module:{module.pk}", "run_started", {"module": module.pk, "run": run.pk, "run_number": number})
    publish_on_commit(modules_topic(module.project_id), "run_started", {"module": module.pk, "run": run.pk})
    # The module is `running` from this commit on: published here, then the run is enqueued (a refresh
    # in the worker, or beside it on the same cores, would slow the run down).
    status_refresh_on_commit(module_ids=[module.pk])
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
