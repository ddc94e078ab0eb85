"""Writes a run's history as it happens and publishes it live on `run:<id>` (and `module:<id>`).

History rows are written at once (they are the truth a client refetches). Live events and the
module status refresh go through one background sender per run, in the order they were recorded:
sending an event costs a Redis round trip through the channel layer (~3 ms) and the status refresh
several queries, which would otherwise sit on every step of every run. Events still follow their
history rows (they are queued after the row is written), and `finished()` waits until everything
queued has been sent before the run's task returns."""

import logging
import queue
import threading
from collections.abc import Callable
from typing import Any

from django.db import close_old_connections
from django.utils import timezone

from apps.modules.status_refresh import status_refresh
from apps.runs.live import publish_now
from apps.runs.models import Run, RunLog, StepRecord

logger = logging.getLogger(__name__)
DRAIN_SECONDS = 30.0


class _Sender(threading.Thread):
    """Runs queued calls one after the other, in order; a failing call is logged and skipped."""

    def __init__(self, name: str) -> None:
        super().__init__(name=name, daemon=True)
        self._calls: queue.SimpleQueue[Callable[[], Any] | None] = queue.SimpleQueue()

    def submit(self, call: Callable[[], Any]) -> None:
        self._calls.put(call)

    def run(self) -> None:
        try:
            while (call := self._calls.get()) is not None:
                try:
                    call()
                except Exception:  # a lost live event is refetched by clients; the run goes on
                    logger.exception("%s: sending a live event failed", self.name)
        finally:
            in_thread_done()

    def drain(self, timeout: float = DRAIN_SECONDS) -> None:
        self._calls.put(None)
        self.join(timeout)


class RunRecorder:
    def __init__(self, run: Run) -> None:
        self.run = run
        self.topic = f"run:{run.pk}"
        self._sender = _Sender(f"run-{run.pk}-events")
        self._sender.start()

    def _publish(self, event_type: str, data: dict[str, Any], topic: str | None = None) -> None:
        self._sender.submit(lambda: publish_now(topic or self.topic, event_type, data))

    def _refresh_status(self, **changed: list[int]) -> None:
        self._sender.submit(lambda: status_refresh(**changed))

    def log(self, level: str, message: str, path: str = "") -> None:
        line = RunLog.objects.create(run=self.run, path=path, at=timezone.now(), level=level, message=message)
        self._publish("log", {"path": path, "at": line.at.isoformat(), "level": level, "message": message})

    def stage(self, stage: str, step: StepRecord | None = None, *, also: list[str] | None = None,
              durable: bool = True) -> None:
        """`also`: more fields of the step to save with it; `durable=False`: live only (a stage the
        step leaves within milliseconds, whose row is written when it completes)."""
        if step is None:
            self.run.stage = stage
            self.run.save(update_fields=["stage"])
        else:
            step.stage = stage
            if durable:
                step.save(update_fields=["stage", *(also or [])])
        self._publish("stage", {"stage": stage, "path": step.path if step else None})

    def started(self, worker: str) -> None:
        self.run.started_at = timezone.now()
        self.run.worker = worker
        self.run.save(update_fields=["started_at", "worker"])
        self._publish("started", {"run": self.run.pk, "started_at": self.run.started_at.isoformat()})
        self.log("INFO", f"Run {self.run.run_number} of module {self.run.module.name!r} started on {worker}.")
        self._refresh_status(module_ids=[self.run.module_id])

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
        self._publish("run_finished", {**data, "module": run.module_id}, f"module:{run.module_id}")
        self._publish("run_finished", {**data, "module": run.module_id}, "modules")
        self._refresh_status(module_ids=[run.module_id], dataset_ids=[d["dataset"] for d in run.datasets])
        self._sender.drain()


def in_thread_done() -> None:
    """Background threads open their own DB connections; close them when the thread ends."""
    close_old_connections()
    from django.db import connection

    connection.close()
