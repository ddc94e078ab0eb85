"""Modules that are not progressive operators: background steps, sources, MAGDA aggregation.

- ``BackgroundStep`` runs one blocking callable (later: a SQL script in the sandbox) in a worker
  thread, so the scheduler keeps ticking (progress reports, log lines, cancel) while it runs.
- ``Source`` feeds a ``PTable`` from a numpy array, a mapping of columns or an iterator of chunks.
- ``Value`` publishes a constant; ``Function`` applies a quick callable once its inputs are final.
- ``Aggregate`` is MAGDA's stateful aggregation module (``run`` mode collects, ``process`` emits).
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any

import numpy as np

from apps.engine.dataflow import (
    PROCESS,
    Module,
    ModuleError,
    ModuleState,
    SlotSpec,
    StepResult,
)
from apps.engine.ptable import PTable

__all__ = ["Aggregate", "BackgroundStep", "Feed", "Function", "Source", "StepContext", "Value"]

RESULT_SLOT = SlotSpec("result", "any", required=False)


def publish_outputs(module: Module, value: Any) -> None:
    """One output slot gets ``value``; several get ``value[slot]`` (``value`` must be a mapping)."""
    outs = list(module.outputs)
    if len(outs) == 1:
        module.set_output(outs[0].name, value)
    elif len(outs) > 1:
        if not isinstance(value, Mapping):
            raise ModuleError(
                f"module {module.id!r} has {len(outs)} outputs: its callable must return a "
                f"mapping slot -> value, not {type(value).__name__}"
            )
        for spec in outs:
            if spec.name in value:
                module.set_output(spec.name, value[spec.name])
    module.result = value


class StepContext:
    """What a background callable gets: its inputs and thread-safe reporting hooks."""

    def __init__(self, module: BackgroundStep, inputs: dict[str, Any]) -> None:
        self.inputs = inputs
        self._module = module

    @property
    def module_id(self) -> str:
        return self._module.id

    @property
    def cancelled(self) -> bool:
        return self._module.cancel_requested

    def wait_cancelled(self, timeout: float | None = None) -> bool:
        """Block until the step is cancelled (or ``timeout``); True when cancelled."""
        return self._module._cancel_event.wait(timeout)

    def progress(self, done: int, total: int | None = None) -> None:
        self._module._set_progress(done, total)

    def log(self, message: str, level: str = "INFO") -> None:
        self._module.log(message, level)


class BackgroundStep(Module):
    """A single step that runs ``func(ctx)`` in a worker thread.

    The thread starts on the first ``run_step`` (once every upstream module is finished). Each
    later ``run_step`` waits at most ``howlong`` (returning early on any scheduler activity, e.g.
    another background step finishing, or on cancel) and returns ``READY`` while the callable
    runs. On completion the return value is published (see ``publish_outputs``) and the module
    terminates; an exception makes it invalid with the message. ``cancel()`` calls ``on_cancel``
    (e.g. the watchdog cancelling the SQL backend) from the cancelling thread; a callable that
    ignores cancellation is abandoned (daemon thread) and its result dropped.
    """

    def __init__(
        self,
        id: str,
        func: Callable[[StepContext], Any],
        *,
        inputs: Sequence[SlotSpec] = (),
        outputs: Sequence[SlotSpec] = (RESULT_SLOT,),
        on_cancel: Callable[[], None] | None = None,
    ) -> None:
        super().__init__(id, default_step_size=1)
        self.inputs = tuple(inputs)
        self.outputs = tuple(outputs)
        self._func = func
        self._on_cancel = on_cancel
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._done = threading.Event()
        self._value: Any = None
        self._exc: BaseException | None = None
        self._progress: tuple[int, int | None] = (0, None)
        self._on_cancel_called = False

    @property
    def started(self) -> bool:
        return self._thread is not None

    @property
    def finished(self) -> bool:
        return self._done.is_set()

    def is_ready(self) -> bool:
        if self.state == ModuleState.CREATED:
            return self.upstream_finished()
        return super().is_ready()

    def _set_progress(self, done: int, total: int | None) -> None:
        with self._lock:
            self._progress = (int(done), None if total is None else int(total))

    def progress(self) -> tuple[int, int | None]:
        with self._lock:
            return self._progress

    def _work(self, ctx: StepContext) -> None:
        try:
            self._value = self._func(ctx)
        except BaseException as exc:  # reported in the scheduler thread
            self._exc = exc
        finally:
            self._done.set()
            self.notify_scheduler()

    def _start(self) -> None:
        ctx = StepContext(self, self.input_values())
        self._thread = threading.Thread(
            target=self._work, args=(ctx,), name=f"step-{self.id}", daemon=True
        )
        self.log("started")
        self._thread.start()

    def run_step(self, run_number: int, step_size: int, howlong: float) -> StepResult:
        if self.cancel_requested:
            return StepResult(ModuleState.TERMINATED, 0)
        if self._thread is None:
            self._start()
        if not self._done.is_set():
            self.wait_for_activity(min(howlong, max(0.0, self.time_left())))
        if self.cancel_requested:
            return StepResult(ModuleState.TERMINATED, 0)
        if not self._done.is_set():
            return StepResult(ModuleState.READY, 0)
        if self._exc is not None:
            if isinstance(self._exc, Exception):
                raise self._exc
            raise ModuleError(f"{type(self._exc).__name__}: {self._exc}")
        publish_outputs(self, self._value)
        with self._lock:
            done, total = self._progress
            self._progress = (total, total) if total is not None else (max(done, 1), max(done, 1))
        self.log("completed", "SUCCESS")
        return StepResult(ModuleState.TERMINATED, 1)

    def cancel(self) -> None:
        super().cancel()
        with self._lock:
            call = (
                self._on_cancel is not None
                and self._thread is not None
                and not self._done.is_set()
                and not self._on_cancel_called
            )
            self._on_cancel_called = self._on_cancel_called or call
        if call and self._on_cancel is not None:
            self._on_cancel()

    def restart(self) -> None:
        if self._thread is not None and not self._done.is_set():
            raise RuntimeError(f"background step {self.id!r} is still running")
        super().restart()
        self._thread = None
        self._done.clear()
        self._value = None
        self._exc = None
        self._progress = (0, None)
        self._on_cancel_called = False


Columns = dict[str, np.ndarray]


def _as_columns(chunk: Any, column: str, names: Sequence[str] | None) -> Columns:
    if isinstance(chunk, Mapping):
        return {str(c): np.asarray(v) for c, v in chunk.items()}
    arr = np.asarray(chunk)
    if arr.dtype.names is not None:
        return {n: arr[n] for n in arr.dtype.names}
    if arr.ndim == 1:
        return {column: arr}
    if arr.ndim == 2:
        cols = list(names) if names is not None else [f"{column}{i}" for i in range(arr.shape[1])]
        if len(cols) != arr.shape[1]:
            raise ValueError(f"{arr.shape[1]} columns but {len(cols)} names")
        return {c: arr[:, i] for i, c in enumerate(cols)}
    raise ValueError("a chunk must be a mapping of columns, a structured, 1-D or 2-D array")


def _nrows(cols: Columns) -> int:
    return len(next(iter(cols.values()))) if cols else 0


class Source(Module):
    """Publishes a growing ``PTable`` on output ``table``, ``step_size`` rows per step.

    ``data``: a mapping of columns, a structured/1-D/2-D array (one column ``column`` or
    ``column0..``, or ``columns`` names) or an iterable of such chunks. ``step_size=None`` lets
    the time predictor choose. Terminates when the data is exhausted.
    """

    outputs = (SlotSpec("table", "table", required=False),)

    def __init__(
        self,
        id: str,
        data: Any,
        *,
        step_size: int | None = 10_000,
        column: str = "value",
        columns: Sequence[str] | None = None,
    ) -> None:
        super().__init__(id, default_step_size=step_size or 10_000, max_step_size=step_size)
        self._column, self._names = column, columns
        self._whole: Columns | None = None
        self._chunks: Iterator[Any] | None = None
        if isinstance(data, Mapping | np.ndarray):
            self._whole = _as_columns(data, column, columns)
        elif isinstance(data, Iterable):
            self._chunks = iter(data)
        else:
            raise TypeError("Source data must be an array, a mapping of columns or an iterable")
        self._new_table()

    def _new_table(self) -> None:
        self._pos = 0
        self._buffer: Columns | None = None
        self._exhausted = False
        total = _nrows(self._whole) if self._whole is not None else None
        schema = {c: a.dtype for c, a in self._whole.items()} if self._whole is not None else None
        self.table = PTable(schema, name=self.id, expected_rows=total)
        self.set_output("table", self.table)
        self.result = self.table

    def progress(self) -> tuple[int, int | None]:
        return self.table.next_id, self.table.expected_rows

    def _take(self, n: int) -> Columns | None:
        """At most ``n`` rows of the next data, or None when exhausted."""
        if self._whole is not None:
            total = _nrows(self._whole)
            if self._pos >= total:
                return None
            stop = min(total, self._pos + n)
            part = {c: a[self._pos : stop] for c, a in self._whole.items()}
            self._pos = stop
            return part
        while self._buffer is None or self._pos >= _nrows(self._buffer):
            assert self._chunks is not None
            try:
                self._buffer = _as_columns(next(self._chunks), self._column, self._names)
            except StopIteration:
                return None
            self._pos = 0
        stop = min(_nrows(self._buffer), self._pos + n)
        part = {c: a[self._pos : stop] for c, a in self._buffer.items()}
        self._pos = stop
        return part

    def _is_exhausted(self) -> bool:
        if self._whole is not None:
            return self._pos >= _nrows(self._whole)
        if self._buffer is not None and self._pos < _nrows(self._buffer):
            return False
        peek = self._take(0)  # pulls the next non-empty chunk into the buffer, if any
        return peek is None

    def run_step(self, run_number: int, step_size: int, howlong: float) -> StepResult:
        done = 0
        while done < step_size:
            part = self._take(step_size - done)
            if part is None:
                break
            self.table.append(part)
            done += _nrows(part)
            if self.time_left() <= 0:
                break
        if self._is_exhausted():
            self.table.expected_rows = self.table.next_id
            return StepResult(ModuleState.TERMINATED, done)
        return StepResult(ModuleState.READY, done)

    def restart(self) -> None:
        if self._whole is None:
            raise RuntimeError(f"source {self.id!r} reads an iterator and cannot restart")
        super().restart()
        self._new_table()


class Feed(Module):
    """An input-less source fed from other threads: ``push(chunk)`` then ``close()``.

    Blocked while nothing is queued (the scheduler sleeps until a push wakes it); appends the
    queued chunks (at least one, then up to ``step_size`` rows) to its output ``table``; terminates
    once closed and drained.
    """

    outputs = (SlotSpec("table", "table", required=False),)

    def __init__(
        self,
        id: str,
        *,
        column: str = "value",
        columns: Sequence[str] | None = None,
        expected_rows: int | None = None,
    ) -> None:
        super().__init__(id)
        self._column, self._names = column, columns
        self._queue: deque[Columns] = deque()
        self._lock = threading.Lock()
        self._closed = False
        self.table = PTable(name=id, expected_rows=expected_rows)
        self.set_output("table", self.table)
        self.result = self.table

    def push(self, chunk: Any) -> None:
        """Queue a chunk (thread-safe)."""
        cols = _as_columns(chunk, self._column, self._names)
        with self._lock:
            if self._closed:
                raise RuntimeError(f"feed {self.id!r} is closed")
            self._queue.append(cols)
        self.notify_scheduler()

    def close(self) -> None:
        """No more chunks will come (thread-safe)."""
        with self._lock:
            self._closed = True
        self.notify_scheduler()

    def is_ready(self) -> bool:
        if self.state not in (ModuleState.CREATED, ModuleState.READY, ModuleState.BLOCKED):
            return False
        with self._lock:
            return bool(self._queue) or self._closed or self.state == ModuleState.READY

    def progress(self) -> tuple[int, int | None]:
        return self.table.next_id, self.table.expected_rows

    def run_step(self, run_number: int, step_size: int, howlong: float) -> StepResult:
        done = 0
        while True:
            with self._lock:
                if not self._queue or (done and done + _nrows(self._queue[0]) > step_size):
                    break
                chunk = self._queue.popleft()
            self.table.append(chunk)
            done += _nrows(chunk)
        with self._lock:
            pending, closed = bool(self._queue), self._closed
        if closed and not pending:
            self.table.expected_rows = self.table.next_id
            return StepResult(ModuleState.TERMINATED, done)
        return StepResult(ModuleState.READY if pending else ModuleState.BLOCKED, done)


class Value(Module):
    """Publishes a constant on output ``value`` and terminates."""

    def __init__(self, id: str, value: Any, *, type: str = "any") -> None:
        super().__init__(id)
        self.outputs = (SlotSpec("value", type, required=False),)
        self.value = value

    def run_step(self, run_number: int, step_size: int, howlong: float) -> StepResult:
        self.set_output("value", self.value)
        self.result = self.value
        return StepResult(ModuleState.TERMINATED, 1)


class Function(Module):
    """A quick, stateless (MAGDA "regular") module: once every upstream module is finished, calls
    ``func(**inputs)`` synchronously and publishes the return value (see ``publish_outputs``)."""

    def __init__(
        self,
        id: str,
        func: Callable[..., Any],
        *,
        inputs: Sequence[SlotSpec] = (SlotSpec("x", "any"),),
        outputs: Sequence[SlotSpec] = (RESULT_SLOT,),
    ) -> None:
        super().__init__(id)
        self.inputs = tuple(inputs)
        self.outputs = tuple(outputs)
        self.func = func

    def is_ready(self) -> bool:
        if self.state == ModuleState.CREATED:
            return self.upstream_finished()
        return super().is_ready()

    def run_step(self, run_number: int, step_size: int, howlong: float) -> StepResult:
        publish_outputs(self, self.func(**self.input_values()))
        return StepResult(ModuleState.TERMINATED, 1)


def _snapshot(value: Any) -> Any:
    if isinstance(value, PTable):
        return value.to_dict()
    if isinstance(value, np.ndarray):
        return value.copy()
    return value


class Aggregate(Module):
    """MAGDA aggregation module: keeps ``collected`` across runs of its dataflow.

    ``run`` mode (or no mode): once upstream is finished, adds its ``data`` input to the state
    (``aggregate``/``add_data``; a ``PTable`` is snapshotted as a dict of arrays) and passes nothing
    downstream. ``process`` mode (``Dataflow.for_mode("process")``): publishes ``process()`` - by
    default a copy of the whole state - on ``result`` and clears the state. Override
    ``add_data``/``process``/``clear_state`` for reducing aggregates (MAGDA examples 2 and 3).
    The runs app persists ``collected`` between runs (``Aggregate(id, state=...)``).
    """

    is_aggregate = True
    inputs = (SlotSpec("data", "any"),)
    outputs = (RESULT_SLOT,)

    def __init__(self, id: str, *, state: Iterable[Any] = ()) -> None:
        super().__init__(id)
        self.collected: list[Any] = list(state)

    @property
    def mode(self) -> str | None:
        return self.dataflow.mode if self.dataflow is not None else None

    def is_ready(self) -> bool:
        if self.state == ModuleState.CREATED:
            return self.mode == PROCESS or self.upstream_finished()
        return super().is_ready()

    def aggregate(self, value: Any) -> None:
        self.add_data(_snapshot(value))

    def add_data(self, value: Any) -> None:
        self.collected.append(value)

    def process(self) -> Any:
        out = list(self.collected)
        self.clear_state()
        return out

    def clear_state(self) -> None:
        self.collected = []

    def progress(self) -> tuple[int, int | None]:
        return len(self.collected), None

    def run_step(self, run_number: int, step_size: int, howlong: float) -> StepResult:
        if self.mode == PROCESS:
            out = self.process()
            self.set_output("result", out)
            self.result = out
            return StepResult(ModuleState.TERMINATED, 1)
        if "data" in self.new_inputs:
            self.aggregate(self.input_value("data"))
        self.result = {"collected": len(self.collected)}
        return StepResult(ModuleState.TERMINATED, 1)
