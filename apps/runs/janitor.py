"""Cleans up after runs whose worker died: marks them FAILED, discards what they reserved, and
drops run roles and schemas that no live run owns."""

from datetime import datetime

from django.conf import settings
from django.utils import timezone

from apps.datasets.workspace import workspace
from apps.engine import bulk_load, sandbox
from apps.live.events import publish_now
from apps.runs import outputs
from apps.runs.models import Result, Run, RunLog, Stage, StepRecord


def _alive_workers() -> set[str]:
    from project.celery import app

    replies = app.control.ping(timeout=1.0) or []
    return {name for reply in replies for name in reply}


def janitor_sweep(*, restarted_worker: str = "", restarted_at: datetime | None = None) -> list[str]:
    """`restarted_worker`: a worker that (re)started at `restarted_at` owns no run it started before
    then; the runs it started since are alive (the ping below takes a second: it may have started one)."""
    alive = _alive_workers() - {restarted_worker}
    unfinished = Run.objects.filter(result="", started_at__isnull=False).exclude(worker__in=alive)
    if restarted_worker and restarted_at is not None:
        unfinished = unfinished.exclude(worker=restarted_worker, started_at__gte=restarted_at)
    dead_runs = list(unfinished.select_related("module"))
    live_keys = set(StepRecord.objects.filter(run__result="").exclude(run__in=dead_runs)
                    .values_list("sandbox_key", flat=True))
    # Sandboxes first: their backends hold locks on, and their views depend on, the pending outputs.
    removed = sandbox.janitor(settings.WORKSPACE_DATABASE_URL,
                              keep=lambda name: name.removeprefix(sandbox.ROLE_PREFIX) in live_keys)
    for run in dead_runs:
        _fail_dead_run(run)
    with workspace() as conn:  # and what imports that died midway left (not runs', but the same sweep)
        bulk_load.drop_orphan_segments(conn)
    return removed


def _fail_dead_run(run: Run) -> None:
    outputs.discard_all_of(run)
    message = f"The worker running this run ({run.worker or 'unknown'}) stopped; the janitor ended the run."
    RunLog.objects.create(run=run, at=timezone.now(), level="ERROR", message=message)
    ended_at, error = timezone.now(), {"message": message}
    Run.objects.filter(pk=run.pk).update(result=Result.FAILED, stage=Stage.COMPLETED, ended_at=ended_at, error=error)
    # The same keys as the recorder's events (apps.live.event_types): a client reads them alike.
    data = {"run": run.pk, "result": Result.FAILED, "error": error, "ended_at": ended_at.isoformat()}
    publish_now(f"run:{run.pk}", "finished", data)
    publish_now(f"module:{run.module_id}", "run_finished", {**data, "module": run.module_id})
