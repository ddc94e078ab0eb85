"""Writes a run's history and publishes it live on `run:<id>` (and `module:<id>`, `modules`).

The run itself only queues what happened, in order; a background writer per run does the work in
batches, at most LIVE_INTERVAL_SECONDS after the first thing queued (live updates are throttled,
DESIGN §6.3): it writes the batch's history rows (log lines in one INSERT, step and stage updates),
then sends the batch's live events in one go (events follow their rows: a client refetching on an
event finds them), then refreshes the module status once for everything the batch touched. So a
short run costs one batch, sent after it, instead of a query per log line, a Redis round trip per
event and a status refresh at each end, all competing with the run for the worker's two cores.

`finished()` writes whatever is still queued on the calling thread, then the result (a run that has
a result has its whole history), then waits until the writer has sent the rest before the task returns.

Log volume is capped here, and only here (issue 10): each message, and each text of a run's or a
step's error (message, detail, hint), is cut to RUN_LOG_MESSAGE_BYTES with a "… (truncated, N bytes)"
marker; a run keeps its first RUN_LOG_LINES/2 lines (and RUN_LOG_BYTES/2 bytes), written and sent
as they come, and its last ones, held back until it finishes, with one line between them saying
how many lines (and bytes) were dropped. Dropped lines never reach the database nor the live view."""

import logging
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import close_old_connections
from django.db.models import Model
from django.utils import timezone

from apps.live.events import modules_topic, publish_many
from apps.live.status import status_refresh
from apps.runs.models import Run, RunLog, StepRecord

logger = logging.getLogger(__name__)
LIVE_INTERVAL_SECONDS = 0.1
DRAIN_SECONDS = 30.0
ERROR_TEXTS = ("message", "detail", "hint")


def _size(text: str) -> int:
    return len(text) if text.isascii() else len(text.encode())


def capped(text: str, limit: int | None = None) -> str:
    """`text`, or as much of its beginning as fits in `limit` bytes (RUN_LOG_MESSAGE_BYTES) with the
    marker saying how big it was; the result is at most `limit` bytes of UTF-8."""
    limit = _message_limit() if limit is None else limit
    if len(text) * 4 <= limit:
        return text
    size = _size(text)
    if size <= limit:
        return text
    marker = f" … (truncated, {size} bytes)"
    room = max(0, limit - len(marker.encode()))
    return text[:room].encode()[:room].decode(errors="ignore") + marker


def capped_error(error: dict[str, Any] | None) -> dict[str, Any] | None:
    """A run's or a step's error with its texts (message, detail, hint) capped like a log line."""
    if not error:
        return error
    return {k: capped(v) if k in ERROR_TEXTS and isinstance(v, str) else v for k, v in error.items()}


def _message_limit() -> int:
    """One message always fits in half of the run's byte budget (so the last line is always kept)."""
    return max(1, min(int(settings.RUN_LOG_MESSAGE_BYTES), int(settings.RUN_LOG_BYTES) // 2))


class _LogBudget:
    """Which lines a run keeps: the first (up to half the lines and half the bytes) as they come, the
    last (the other halves) held back; older held-back lines are dropped and counted."""

    def __init__(self, lines: int, size: int) -> None:
        self.head_lines, self.head_bytes = lines // 2, size // 2
        self.tail_lines, self.tail_bytes = lines - self.head_lines, size - self.head_bytes
        self.in_head = True
        self.tail: deque[tuple[RunLog, int, int]] = deque()  # (line, stored size, original size)
        self.tail_size = 0
        self.dropped_lines = self.dropped_bytes = 0
        self.dropped_at: Any = None

    def admit(self, line: RunLog, size: int, original: int) -> bool:
        """True: keep the line now; False: held back (the last lines are known when the run ends)."""
        if self.in_head:
            if self.head_lines > 0 and size <= self.head_bytes:
                self.head_lines -= 1
                self.head_bytes -= size
                return True
            self.in_head = False
        self.tail.append((line, size, original))
        self.tail_size += size
        while len(self.tail) > self.tail_lines or self.tail_size > self.tail_bytes:
            old, old_size, old_original = self.tail.popleft()
            self.tail_size -= old_size
            self.dropped_lines += 1
            self.dropped_bytes += old_original
            self.dropped_at = old.at
        return False

    def held_back(self, run: Run) -> list[RunLog]:
        """The line saying what was dropped (if anything was), then the last lines, in order."""
        lines = [line for line, _, _ in self.tail]
        if self.dropped_lines:
            lines.insert(0, RunLog(run=run, path="", at=self.dropped_at, level="WARNING",
                                   message=f"… {self.dropped_lines} lines ({self.dropped_bytes} bytes) dropped …"))
        self.tail.clear()
        self.tail_size = 0
        self.dropped_lines = self.dropped_bytes = 0
        return lines


@dataclass(frozen=True)
class _Event:
    topic: str
    type: str
    data: dict[str, Any]


@dataclass(frozen=True)
class _StatusRefresh:
    module_ids: list[int] = field(default_factory=list)
    dataset_ids: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class _Save:
    """An UPDATE of `fields` (None: all) of a history row, from its state when the batch is written;
    `before` runs right before it (e.g. stamping the time)."""

    row: Model
    fields: list[str] | None
    before: Callable[[], None] | None = None


_Item = RunLog | _Save | _Event | _StatusRefresh


def _coalesced(saves: list[_Save]) -> list[_Save]:
    """One UPDATE per row, where its last save was (each writes the row's current state anyway)."""
    merged: dict[int, _Save] = {}
    for save in saves:
        earlier = merged.pop(id(save.row), None)
        fields = save.fields
        if earlier is not None:
            fields = None if earlier.fields is None or fields is None else \
                [*earlier.fields, *(f for f in fields if f not in earlier.fields)]
        merged[id(save.row)] = _Save(save.row, fields, save.before or (earlier.before if earlier else None))
    return list(merged.values())


def _write_rows(items: list[_Item]) -> None:
    """The batch's log lines in one INSERT, then its updates in order (the run's result last); a
    failure is logged and the rest goes on (the run is not stopped by its history)."""
    lines = [item for item in items if isinstance(item, RunLog)]
    if lines:
        try:
            RunLog.objects.bulk_create(lines)
        except Exception:
            logger.exception("writing %d run log lines failed", len(lines))
    for save in _coalesced([item for item in items if isinstance(item, _Save)]):
        try:
            if save.before is not None:
                save.before()
            save.row.save(update_fields=save.fields)
        except Exception:
            logger.exception("writing a run's history row failed")


def _send(messages: list[_Event | _StatusRefresh]) -> None:
    events = [(m.topic, m.type, m.data) for m in messages if isinstance(m, _Event)]
    refreshes = [m for m in messages if isinstance(m, _StatusRefresh)]
    try:
        publish_many(events)
    except Exception:  # a lost live event is refetched by clients; the run goes on
        logger.exception("sending %d live events failed", len(events))
    if refreshes:
        try:
            status_refresh(module_ids=sorted({i for r in refreshes for i in r.module_ids}),
                           dataset_ids=sorted({i for r in refreshes for i in r.dataset_ids}))
        except Exception:
            logger.exception("refreshing the module status failed")


class _Writer(threading.Thread):
    """Writes queued rows, then sends queued events and status refreshes, in batches, in order."""

    def __init__(self, name: str, interval: float) -> None:
        super().__init__(name=name, daemon=True)
        self._interval = interval
        self._items: list[_Item] = []
        self._outbox: list[_Event | _StatusRefresh] = []  # their rows are written: ready to send
        self._lock = threading.Lock()  # guards _items and _outbox
        self._write_lock = threading.Lock()  # one batch of rows at a time, so rows keep their order
        self._queued = threading.Event()
        self._closing = threading.Event()

    def add(self, *items: _Item) -> None:
        with self._lock:
            self._items.extend(items)
        self._queued.set()

    def write_now(self) -> None:
        """Writes every row queued so far on the calling thread; their events wait for the writer."""
        with self._write_lock:
            with self._lock:
                items, self._items = self._items, []
            _write_rows(items)
            with self._lock:
                self._outbox += [i for i in items if isinstance(i, _Event | _StatusRefresh)]

    def run(self) -> None:
        try:
            while True:
                self._queued.wait()
                self._closing.wait(self._interval)  # gathers a batch; cut short when the run finishes
                self._queued.clear()
                self.write_now()
                with self._lock:
                    outbox, self._outbox = self._outbox, []
                _send(outbox)
                if self._closing.is_set():
                    with self._lock:
                        if not self._items and not self._outbox:
                            return
        finally:
            in_thread_done()

    def close(self, timeout: float = DRAIN_SECONDS) -> None:
        """Sends everything queued, then stops."""
        self._closing.set()
        self._queued.set()
        self.join(timeout)


class RunRecorder:
    def __init__(self, run: Run, *, interval: float = LIVE_INTERVAL_SECONDS) -> None:
        self.run = run
        self.topic = f"run:{run.pk}"
        self._writer = _Writer(f"run-{run.pk}-history", interval)
        self._budget = _LogBudget(int(settings.RUN_LOG_LINES), int(settings.RUN_LOG_BYTES))
        self._log_lock = threading.Lock()  # steps log from their own threads; lines keep their order
        self._writer.start()

    def _publish(self, event_type: str, data: dict[str, Any], topic: str | None = None) -> None:
        self._writer.add(_Event(topic or self.topic, event_type, data))

    def save(self, row: Model, fields: list[str] | None = None) -> None:
        """Queues writing the row (`fields` of it, or all); written with the next batch, in order,
        with the row's state at that moment (a later change of the same row is written after it).
        A step's or run's error is capped first."""
        if isinstance(row, StepRecord | Run) and row.error:
            row.error = capped_error(row.error)
        self._writer.add(_Save(row, fields))

    def write_now(self) -> None:
        """Writes the history queued so far on the calling thread (its events follow)."""
        self._writer.write_now()

    def log(self, level: str, message: str, path: str = "") -> None:
        """Queues the line, capped (see the module's docstring): beyond the first lines, it waits
        for the end of the run, where only the last lines are kept."""
        original = _size(message)
        kept = capped(message)
        line = RunLog(run=self.run, path=path, at=timezone.now(), level=level, message=kept)
        with self._log_lock:
            if self._budget.admit(line, original if kept is message else _size(kept), original):
                self._writer.add(line, self._log_event(line))

    def _log_event(self, line: RunLog) -> _Event:
        return _Event(self.topic, "log", {"path": line.path, "at": line.at.isoformat(), "level": line.level,
                                          "message": line.message})

    def _flush_log(self) -> None:
        """Queues the lines held back: what was dropped, then the last lines."""
        with self._log_lock:
            lines = self._budget.held_back(self.run)
            self._writer.add(*[item for line in lines for item in (line, self._log_event(line))])

    def stage(self, stage: str, step: StepRecord | None = None, *, also: list[str] | None = None,
              durable: bool = True) -> None:
        """`also`: more fields of the step to save with it; `durable=False`: live only (a stage the
        step leaves within milliseconds, whose row is written when it completes)."""
        if step is None:
            self.run.stage = stage
            self.save(self.run, ["stage"])
        else:
            step.stage = stage
            if durable:
                self.save(step, ["stage", *(also or [])])
        self._publish("stage", {"stage": stage, "path": step.path if step else None})

    def started(self, worker: str) -> None:
        """Written at once: the janitor tells a dead worker's runs by `worker` and `started_at`."""
        self.run.started_at = timezone.now()
        self.run.worker = worker
        self.run.save(update_fields=["started_at", "worker"])
        self._publish("started", {"run": self.run.pk, "started_at": self.run.started_at.isoformat()})
        self.log("INFO", f"Run {self.run.run_number} of module {self.run.module.name!r} started on {worker}.")
        # `running` is usually published already (runs.services.run_record); a run recorded elsewhere gets
        # it with the first batch, if it is still going then (else the final refresh covers both).
        self._writer.add(_StatusRefresh(module_ids=[self.run.module_id]))

    def partial(self, data: dict[str, Any]) -> None:
        """Queues a progressive step's `partial` event {path, kind, result, final} (sent with the next batch)."""
        self._publish("partial", {"path": data["path"], "kind": data["kind"], "result": data["result"],
                                  "final": data["final"]})

    def steered(self, entry: dict[str, Any]) -> None:
        """Queues the `steered` event of a steering change applied {path, parameters, at, user}."""
        self._publish("steered", {"path": entry["path"], "parameters": entry["parameters"], "at": entry["at"],
                                  "user": entry["user"]})

    def flush_soon(self) -> None:
        """Nothing to do: the writer sends a batch at most LIVE_INTERVAL_SECONDS after it was queued."""

    def step_progress(self, path: str, state: str, done: int, total: int | None, *, rate: float | None = None,
                      elapsed: float = 0.0, written: dict[str, int] | None = None) -> None:
        self._publish("progress", {"path": path, "state": state, "done": done, "total": total, "rate": rate,
                                   "elapsed": round(elapsed, 3), "written": written or {}})

    def finished(self, result: str, error: dict[str, Any] | None = None) -> None:
        """Writes what is still queued, then the result (`ended_at` is stamped right before that
        last UPDATE, so the run's time covers all of its history), on the calling thread."""
        run = self.run
        error = capped_error(error)
        level = "SUCCESS" if result == "SUCCESS" else "ERROR"
        self.log(level, f"Run finished: {result}." + (f" {error['message']}" if error else ""))
        self._flush_log()
        run.result, run.error, run.stage = result, error, "COMPLETED"

        def stamp() -> None:
            run.ended_at = timezone.now()

        self._writer.add(_Save(run, ["result", "error", "stage", "ended_at", "datasets", "parameters", "results"],
                               before=stamp))
        self._writer.write_now()
        assert run.ended_at is not None
        data = {"run": run.pk, "result": result, "error": error, "ended_at": run.ended_at.isoformat()}
        self._publish("finished", data)
        self._publish("run_finished", {**data, "module": run.module_id}, f"module:{run.module_id}")
        self._publish("run_finished", {**data, "module": run.module_id}, modules_topic(run.module.project_id))
        self._writer.add(_StatusRefresh(module_ids=[run.module_id], dataset_ids=[d["dataset"] for d in run.datasets]))
        self._writer.close()


def in_thread_done() -> None:
    """Background threads open their own DB connections; close them when the thread ends."""
    close_old_connections()
    from django.db import connection

    connection.close()
