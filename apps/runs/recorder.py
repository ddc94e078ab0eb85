"""Writes a run's history as it happens and publishes it live on `run:<id>` (and `module:<id>`)."""

from typing import Any

from django.db import close_old_connections
from django.utils import timezone

from apps.modules.status_refresh import status_refresh_on_commit
from apps.runs.live import publish_now
from apps.runs.models import Run, RunLog, StepRecord


class RunRecorder:
    def __init__(self, run: Run) -> None:
        self.run = run
        self.topic = f"run:{run.pk}"

    def _publish(self, event_type: str, data: dict[str, Any]) -> None:
        publish_now(self.topic, event_type, data)

    def log(self, level: str, message: str, path: str = "") -> None:
        line = RunLog.objects.create(run=self.run, path=path, at=timezone.now(), level=level, message=message)
        self._publish("log", {"path": path, "at": line.at.isoformat(), "level": level, "message": message})

    def stage(self, stage: str, step: StepRecord | None = None) -> None:
        if step is None:
            self.run.stage = stage
            self.run.save(update_fields=["stage"])
        else:
            step.stage = stage
            step.save(update_fields=["stage"])
        self._publish("stage", {"stage": stage, "path": step.path if step else None})

    def started(self, worker: str) -> None:
        self.run.started_at = timezone.now()
        self.run.worker = worker
        self.run.save(update_fields=["started_at", "worker"])
        self._publish("started", {"run": self.run.pk, "started_at": self.run.started_at.isoformat()})
        self.log("INFO", f"Run {self.run.run_number} of module {self.run.module.name!r} started on {worker}.")
        status_refresh_on_commit(module_ids=[self.run.module_id])

    def step_progress(self, path: str, state: str, done: int, total: int | None) -> None:
        self._publish("progress", {"path": path, "state": state, "done": done, "total": total})

    def finished(self, result: str, error: dict[str, Any] | None = None) -> None:
        run = self.run
        run.result, run.error, run.stage, run.ended_at = result, error, "COMPLETED", timezone.now()
        run.save(update_fields=["result", "error", "stage", "ended_at", "datasets", "parameters", "results"])
        level = "SUCCESS" if result == "SUCCESS" else "ERROR"
        self.log(level, f"Run finished: {result}." + (f" {error['message']}" if error else ""))
        data = {"run": run.pk, "result": result, "error": error, "ended_at": run.ended_at.isoformat()}
        self._publish("finished", data)
        publish_now(f"module:{run.module_id}", "run_finished", {**data, "module": run.module_id})
        publish_now("modules", "run_finished", {**data, "module": run.module_id})
        status_refresh_on_commit(module_ids=[run.module_id], dataset_ids=[d["dataset"] for d in run.datasets])


def in_thread_done() -> None:
    """Background step threads open their own DB connections; close them when the step ends."""
    close_old_connections()
    from django.db import connection

    connection.close()
