"""The cooperative scheduler (the ProgressiVis model, improved).

One ``Scheduler`` executes one dataflow in its calling thread. Each *pass* walks the run list in
topological order (ties broken by id, so runs are repeatable); for each module it prepares
(zombie -> terminated), calls ``is_ready()`` and then ``run()`` (one ``run_step`` within the quantum),
and reports an ``on_tick(module, event)``. A module whose upstream modules are all finished and
that has no pending input becomes zombie, then terminated; finished modules leave the run list at
the end of the pass. The run ends when the run list is empty (``completed``), when a module becomes
invalid (``failed``: fail fast, the other live modules are cancelled), on ``cancel()``
(``cancelled``) or when ``until()`` returns true (``stopped``: nothing is cancelled, ``run()`` may be
called again to resume).

Differences from ProgressiVis:
- no fixed 0.2 s sleep: when no module could run, the scheduler waits on an ``ActivitySignal`` set
  by background completions, ``wake()``, ``cancel()`` and committed changes; the timeout
  (``idle_timeout``) is only a safety net;
- ``cancel()`` is thread-safe and interrupts work at once: it calls every live module's
  ``cancel()`` hook from the calling thread (a background step stops waiting, its ``on_cancel``
  cancels the SQL backend) and the loop stops before the next module run;
- changes are a two-phase commit with a conflict check: ``with scheduler.change() as df`` edits a
  copy, which is validated on exit and swapped in between two module runs, never mid-step;
  modules removed by a change are cancelled.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from apps.engine.dataflow import (
    FINAL_STATES,
    ActivitySignal,
    Dataflow,
    DataflowError,
    InvalidDataflow,
    LogLine,
    Module,
    ModuleState,
    SlotSpec,
    StepResult,
)

__all__ = [
    "Dataflow",
    "DataflowError",
    "InvalidDataflow",
    "Module",
    "ModuleEvent",
    "ModuleState",
    "RunOutcome",
    "Scheduler",
    "SlotSpec",
    "StepResult",
    "run_dataflow",
]

COMPLETED = "completed"
FAILED = "failed"
CANCELLED = "cancelled"
STOPPED = "stopped"


@dataclass(frozen=True)
class ModuleEvent:
    """What ``on_tick`` receives after each module run (``kind="run"``) or state change
    (``kind="state"``: zombie, terminated, cancelled, removed). ``logs`` are the module's log lines
    since its previous event."""

    kind: str
    module_id: str
    state: ModuleState
    run_number: int
    progress: tuple[int, int | None]
    result: Any
    duration: float = 0.0
    error: str | None = None
    cancelled: bool = False
    logs: tuple[LogLine, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        done, total = self.progress
        return {
            "kind": self.kind,
            "module": self.module_id,
            "state": self.state.label,
            "run_number": self.run_number,
            "progress": {"done": done, "total": total},
            "duration": self.duration,
            "error": self.error,
            "cancelled": self.cancelled,
            "logs": [
                {"time": ln.time, "level": ln.level, "message": ln.message} for ln in self.logs
            ],
        }


@dataclass
class RunOutcome:
    status: str  # completed | failed | cancelled | stopped
    errors: dict[str, str] = field(default_factory=dict)
    durations: dict[str, float] = field(default_factory=dict)
    order: list[str] = field(default_factory=list)
    results: dict[str, Any] = field(default_factory=dict)
    states: dict[str, ModuleState] = field(default_factory=dict)
    passes: int = 0

    @property
    def ok(self) -> bool:
        return self.status == COMPLETED


TickCallback = Callable[[Module, ModuleEvent], None]


class Scheduler:
    def __init__(self, quantum: float = 0.5, *, idle_timeout: float = 0.1) -> None:
        if quantum <= 0:
            raise ValueError("quantum must be > 0")
        self.quantum = quantum
        self.idle_timeout = idle_timeout
        self._dataflow: Dataflow | None = None
        self._pending: Dataflow | None = None
        self._generation = 0
        self._run_list: list[Module] = []
        self._lock = threading.RLock()
        self._signal = ActivitySignal()
        self._cancel_event = threading.Event()
        self._running = False
        self._run_number = 0
        self._passes = 0
        self._durations: dict[str, float] = {}
        self._order: list[str] = []
        self._ran: set[str] = set()
        self._errors: dict[str, str] = {}
        self._log_pos: dict[str, int] = {}
        self._on_tick: TickCallback | None = None

    # -- introspection --------------------------------------------------------------------------
    @property
    def dataflow(self) -> Dataflow | None:
        return self._dataflow

    @property
    def run_list(self) -> list[str]:
        with self._lock:
            return [m.id for m in self._run_list]

    @property
    def run_number(self) -> int:
        return self._run_number

    @property
    def is_running(self) -> bool:
        return self._running

    @property
    def cancel_requested(self) -> bool:
        return self._cancel_event.is_set()

    # -- installation & two-phase commit --------------------------------------------------------
    def install(self, dataflow: Dataflow) -> None:
        """Validate and install a dataflow (raises ``InvalidDataflow``); not while running."""
        errors = dataflow.validate()
        if errors:
            raise InvalidDataflow(errors)
        with self._lock:
            if self._running:
                raise RuntimeError("the scheduler is running: use change()")
            self._swap(dataflow)

    @contextmanager
    def change(self) -> Iterator[Dataflow]:
        """Edit a copy of the current dataflow; on exit it is validated and committed.

        Committed changes are swapped in between two module runs; an invalid change (or one based
        on a dataflow another change replaced meanwhile) raises ``InvalidDataflow`` and leaves the
        running dataflow untouched. An exception in the block discards the copy.
        """
        with self._lock:
            base = self._pending or self._dataflow
            generation = self._generation
        staged = base.copy() if base is not None else Dataflow()
        yield staged
        errors = staged.validate()
        if errors:
            raise InvalidDataflow(errors)
        with self._lock:
            if generation != self._generation:
                raise InvalidDataflow(
                    [DataflowError("concurrent_change", "another change was committed meanwhile")]
                )
            self._generation += 1
            if self._running:
                self._pending = staged
                self._signal.wake()
            else:
                self._swap(staged)

    def _swap(self, new: Dataflow) -> None:
        """Install ``new`` (already validated). Called with the lock held, between module runs."""
        old = self._dataflow
        order = new.topological_order()
        if old is not None:
            for mid, module in old.modules.items():
                if new.modules.get(mid) is not module and module.state not in FINAL_STATES:
                    module.cancel()
                    self._mark_cancelled(module, "state")
        new.bind(self._signal)
        self._dataflow = new
        self._run_list = [new.modules[m] for m in order if new.modules[m].state not in FINAL_STATES]

    def _apply_pending(self) -> bool:
        with self._lock:
            pending, self._pending = self._pending, None
            if pending is None:
                return False
            self._swap(pending)
            return True

    # -- signalling (thread-safe) ---------------------------------------------------------------
    def wake(self) -> None:
        """Wake the scheduler if it waits for activity."""
        self._signal.wake()

    def cancel(self) -> None:
        """Cancel the run (thread-safe): call every live module's ``cancel()`` hook now; the loop
        stops before the next module run and marks live modules terminated + ``cancelled``."""
        with self._lock:
            if self._cancel_event.is_set():
                return
            self._cancel_event.set()
            live = [m for m in self._run_list if m.state not in FINAL_STATES]
        for module in live:
            try:
                module.cancel()
            except Exception as exc:  # a hook must not prevent cancelling the others
                module.log(f"cancel hook failed: {exc}", "WARNING")
        self._signal.wake()

    # -- the loop -------------------------------------------------------------------------------
    def run(
        self, *, until: Callable[[], bool] | None = None, on_tick: TickCallback | None = None
    ) -> RunOutcome:
        """Run until completion, failure, cancellation or ``until()``; see the module docstring."""
        with self._lock:
            if self._dataflow is None:
                raise RuntimeError("no dataflow installed")
            if self._running:
                raise RuntimeError("the scheduler is already running")
            self._running = True
        self._on_tick = on_tick
        try:
            status = self._loop(until)
        except BaseException:
            self._abort_live(None)
            raise
        finally:
            self._on_tick = None
            with self._lock:
                self._running = False
        return self._outcome(status)

    def _loop(self, until: Callable[[], bool] | None) -> str:
        while True:
            self._signal.clear()
            self._apply_pending()
            if self._cancel_event.is_set():
                self._finish_cancelled()
                return CANCELLED
            if not self._run_list:
                return COMPLETED
            if until is not None and until():
                return STOPPED
            progressed, interrupted = False, False
            for module in list(self._run_list):
                if self._cancel_event.is_set() or self._pending is not None:
                    interrupted = True
                    break
                changed, failed = self._turn(module)
                progressed = progressed or changed
                if failed:
                    self._abort_live(module)
                    return FAILED
                if until is not None and until():
                    return STOPPED
            self._passes += 1
            self._drop_finished()
            if not (progressed or interrupted) and self._run_list:
                self._signal.wait(self.idle_timeout)

    def _turn(self, module: Module) -> tuple[bool, bool]:
        """One module's turn in a pass; returns (something changed, the module failed)."""
        if module.state == ModuleState.ZOMBIE:
            module.state = ModuleState.TERMINATED
            self._emit(module, "state")
            return True, False
        if module.state in FINAL_STATES:
            return False, False
        try:
            ready = module.is_ready()
        except Exception as exc:
            module.fail(exc)
            ready = False
        changed = False
        if ready:
            self._run_number += 1
            start = time.perf_counter()
            module.run(self._run_number, self.quantum)
            duration = time.perf_counter() - start
            self._durations[module.id] = self._durations.get(module.id, 0.0) + duration
            if module.id not in self._ran:
                self._ran.add(module.id)
                self._order.append(module.id)
            self._emit(module, "run", duration)
            changed = True
        if module.state == ModuleState.INVALID:
            self._errors[module.id] = module.error or "invalid"
            if not ready:
                self._emit(module, "state")
            return True, True
        if self._should_retire(module):
            module.state = ModuleState.ZOMBIE
            self._emit(module, "state")
            changed = True
        return changed, False

    @staticmethod
    def _should_retire(module: Module) -> bool:
        """Upstream all finished and nothing pending: the module will never run again."""
        return (
            module.state in (ModuleState.CREATED, ModuleState.BLOCKED)
            and bool(module.connected_inputs())
            and module.upstream_finished()
            and not module.has_new_input()
        )

    def _drop_finished(self) -> None:
        with self._lock:
            self._run_list = [m for m in self._run_list if m.state not in FINAL_STATES]

    def _mark_cancelled(self, module: Module, kind: str) -> None:
        module.cancelled = True
        module.state = ModuleState.TERMINATED
        self._emit(module, kind)

    def _finish_cancelled(self) -> None:
        with self._lock:
            live = [m for m in self._run_list if m.state not in FINAL_STATES]
        for module in live:
            if not module.cancel_requested:
                module.cancel()
            self._mark_cancelled(module, "state")
        self._drop_finished()

    def _abort_live(self, failed: Module | None) -> None:
        """Cancel every other live module (fail fast, or an exception escaping the loop)."""
        with self._lock:
            live = [m for m in self._run_list if m is not failed and m.state not in FINAL_STATES]
        for module in live:
            try:
                module.cancel()
            except Exception as exc:
                module.log(f"cancel hook failed: {exc}", "WARNING")
            module.cancelled = True
            module.state = ModuleState.TERMINATED
        for module in live:
            # the run is already failing/aborting: a callback error here is secondary
            with contextlib.suppress(Exception):
                self._emit(module, "state")
        self._drop_finished()

    # -- reporting ------------------------------------------------------------------------------
    def _emit(self, module: Module, kind: str, duration: float = 0.0) -> None:
        callback = self._on_tick
        if callback is None:
            return
        pos = self._log_pos.get(module.id, 0)
        logs = module.logs(pos)
        self._log_pos[module.id] = pos + len(logs)
        event = ModuleEvent(
            kind=kind,
            module_id=module.id,
            state=module.state,
            run_number=self._run_number,
            progress=module.progress(),
            result=module.result,
            duration=duration,
            error=module.error,
            cancelled=module.cancelled,
            logs=tuple(logs),
        )
        callback(module, event)

    def _outcome(self, status: str) -> RunOutcome:
        modules = self._dataflow.modules if self._dataflow is not None else {}
        return RunOutcome(
            status=status,
            errors=dict(self._errors),
            durations=dict(self._durations),
            order=list(self._order),
            results={mid: m.result for mid, m in modules.items()},
            states={mid: m.state for mid, m in modules.items()},
            passes=self._passes,
        )


def run_dataflow(
    dataflow: Dataflow,
    *,
    mode: str | None = None,
    quantum: float = 0.5,
    restart: bool = False,
    until: Callable[[], bool] | None = None,
    on_tick: TickCallback | None = None,
) -> RunOutcome:
    """Convenience: (optionally) restrict to a MAGDA mode, restart the modules, install, run."""
    flow = dataflow.for_mode(mode) if mode is not None else dataflow
    if restart:
        for module in flow:
            module.restart()
    scheduler = Scheduler(quantum)
    scheduler.install(flow)
    return scheduler.run(until=until, on_tick=on_tick)
