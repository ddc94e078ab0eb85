"""The sandboxes of a run's steps, set up ahead and torn down behind.

A step's sandbox (role, schema, views) does not depend on what the steps before it compute, only on
the datasets reserved when the run was planned. So a step's sandbox is set up, and its run role
logged in, as soon as every step feeding it has started (steps fed only by the module at once), and
torn down after the step while the next steps already run. Set-up, login and teardown (two catalog
transactions and a new backend per step) leave the critical path of a chain of submodules; what
stays on it is the script. Sandboxes exist only for steps that are about to run, so a role's VALID
UNTIL still holds when its step runs. `close()` waits for every set-up and tears down every sandbox left, whatever
happened (failure, cancel), before the run's pending datasets are published or discarded."""

import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from django.conf import settings

from apps.datasets.workspace import workspace
from apps.engine import sandbox
from apps.runs.planning import SqlStep
from apps.runs.recorder import in_thread_done

WORKERS = 2


class Sandboxes:
    def __init__(self, steps: list[SqlStep], plan_of: Callable[[SqlStep], sandbox.SandboxPlan], name: str) -> None:
        self._steps = steps
        self._plan_of = plan_of
        self._pool = ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix=name)
        self._lock = threading.Lock()
        self._setups: dict[str, Future[sandbox.Sandbox]] = {}
        self._teardowns: dict[str, Future[None]] = {}
        self._started: set[str] = set()
        paths = {s.path for s in steps}  # SQL steps only (a progressive step needs no sandbox)
        self._upstream = {s.path: {r.path for r in s.sources.values() if r is not None and r.path in paths}
                          for s in steps}

    def start(self) -> None:
        self._prepare_ready()

    def acquire(self, step: SqlStep) -> sandbox.Sandbox:
        """The step's sandbox, set up (waits if its set-up is still going); prepares the next ones."""
        with self._lock:
            self._started.add(step.path)
        self._prepare_ready()
        return self._setups[step.path].result()

    def release(self, step: SqlStep, then: Callable[[], None] | None = None) -> None:
        """Tears the step's sandbox down in the background, then calls `then` (e.g. dropping the
        internal datasets nobody needs any more: no view of this step refers to them now)."""
        with self._lock:
            setup = self._setups.get(step.path)
            if setup is None or step.path in self._teardowns:
                return
            self._teardowns[step.path] = self._pool.submit(self._teardown, setup, then)

    def close(self) -> None:
        with self._lock:
            pending = [s for s in self._steps if s.path in self._setups and s.path not in self._teardowns]
        for step in pending:
            self.release(step)
        for future in list(self._teardowns.values()):
            future.exception()  # wait; a failed teardown is left to the janitor
        self._pool.shutdown(wait=True)

    def _prepare_ready(self) -> None:
        with self._lock:
            ready = [s for s in self._steps if s.path not in self._setups and self._upstream[s.path] <= self._started]
            for step in ready:
                self._setups[step.path] = self._pool.submit(self._setup, step)

    def _setup(self, step: SqlStep) -> sandbox.Sandbox:
        assert step.record is not None
        try:
            box = sandbox.Sandbox(settings.WORKSPACE_DATABASE_URL, self._plan_of(step), admin=workspace)
            box.setup()
            box.login()
            return box
        finally:
            in_thread_done()

    @staticmethod
    def _teardown(setup: Future[sandbox.Sandbox], then: Callable[[], Any] | None) -> None:
        try:
            if setup.exception() is not None:
                return
            setup.result().teardown()
            if then is not None:
                then()
        finally:
            in_thread_done()
