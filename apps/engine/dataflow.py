"""Modules, slots and dataflows (the ProgressiVis model), with validation and MAGDA partitioning.

A ``Module`` declares input/output slots (``SlotSpec``), has a ``ModuleState`` and does its work in
``run_step(run_number, step_size, howlong)``. A ``Dataflow`` is a set of modules plus connections
``(src_id, src_slot) -> (dst_id, dst_slot)``; a module reads its inputs through the dataflow it is
bound to (``input_value``) and publishes outputs with ``set_output``. ``Dataflow.validate`` returns
every problem at once (never raises); the scheduler refuses to install an invalid dataflow.

Readiness: a module is ready when its state is ``READY``, or when it is ``CREATED``/``BLOCKED`` and
one of its connected inputs changed since its last step. "Changed" is decided by a token per input
(source module, slot, output version, and the table version for a ``PTable``), so modules never
have to register listeners and a rewired input is noticed automatically.

Synchronization (left undocumented by ProgressiVis): every module consuming a table keeps its own
cursor, so two consumers of the same table may lag each other within a pass. Each scheduler pass
gives every ready module exactly one step, in topological order, so a consumer always runs after its
producer in the same pass. Table operators expose ``watermark`` (the input row id up to which their
result is exact) and ``frontier()`` (which prefix of each source their result reflects): results
are mutually consistent when their frontiers agree on every shared source, and all are final once
the run completes. A module joining several inputs acts only on a consistent cut (``sync.SyncJoin``,
``sync.Zip``); the rule is written down in docs/progressive.md.
"""

from __future__ import annotations

import heapq
import threading
import time
import traceback as tb
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any, ClassVar, NamedTuple

from apps.engine.predictor import TimePredictor
from apps.engine.ptable import PTable

__all__ = [
    "PROCESS",
    "RUN",
    "ActivitySignal",
    "Connection",
    "Dataflow",
    "DataflowError",
    "InvalidDataflow",
    "LogLine",
    "Module",
    "ModuleError",
    "ModuleState",
    "SlotSpec",
    "StepResult",
    "slot_types_compatible",
]

RUN = "run"
PROCESS = "process"


class ModuleState(IntEnum):
    """Module life cycle; same order and values as ProgressiVis' ``ModuleState``."""

    CREATED = 0
    READY = 1
    RUNNING = 2
    BLOCKED = 3
    SUSPENDED = 4
    ZOMBIE = 5
    TERMINATED = 6
    INVALID = 7

    @property
    def label(self) -> str:
        """Lower-case name for JSON / the UI (``"ready"``)."""
        return self.name.lower()


#: States after which a module never runs again (until ``restart()``).
FINAL_STATES = frozenset({ModuleState.TERMINATED, ModuleState.INVALID})
#: States a module's upstream may be in for it to count as finished (no more output coming).
FINISHED_STATES = frozenset({ModuleState.ZOMBIE, ModuleState.TERMINATED})
#: States ``run_step`` may return.
STEP_STATES = frozenset(
    {ModuleState.READY, ModuleState.BLOCKED, ModuleState.ZOMBIE, ModuleState.TERMINATED}
)


@dataclass(frozen=True)
class SlotSpec:
    """A named, typed slot. Types are strings: ``"table"``, ``"dict"``, ``"dataset:<type>"``,
    ``"param:<sql type>"``, ... An input of type ``"any"`` accepts every output, and an output of type ``"any"`` fits every input.
    ``required`` only matters for inputs (an output never needs a consumer)."""

    name: str
    type: str
    required: bool = True


def slot_types_compatible(src_type: str, dst_type: str) -> bool:
    """``"any"`` on either side fits everything (e.g. a dataset slot of no fixed dataset type)."""
    return dst_type == "any" or src_type == "any" or src_type == dst_type


class StepResult(NamedTuple):
    next_state: ModuleState
    steps_done: int


@dataclass(frozen=True)
class LogLine:
    time: float  # time.time()
    level: str  # INFO | WARNING | ERROR | SUCCESS
    message: str


class ModuleError(Exception):
    """An error whose message is shown as is (no exception type prefix)."""


class ActivitySignal:
    """Thread-safe "something happened" flag the scheduler waits on.

    Set by background completions, external data, cancel and committed changes; cleared by the
    scheduler at the start of each pass, so a signal raised during a pass is never lost.
    """

    def __init__(self) -> None:
        self._event = threading.Event()

    def wake(self) -> None:
        self._event.set()

    def wait(self, timeout: float | None) -> bool:
        return self._event.wait(timeout)

    def clear(self) -> None:
        self._event.clear()

    def is_set(self) -> bool:
        return self._event.is_set()


class Module:
    """Base class of every module; subclasses implement ``run_step``.

    Thread-safety: only ``cancel()``, ``notify_scheduler()``, ``log()`` and ``cancel_requested`` may
    be used from other threads; everything else runs in the scheduler's thread.
    """

    inputs: Sequence[SlotSpec] = ()
    outputs: Sequence[SlotSpec] = ()
    default_step_size: int = 1000
    #: MAGDA aggregation module (see ``Dataflow.partition_for_mode``).
    is_aggregate: ClassVar[bool] = False

    def __init__(
        self,
        id: str,
        *,
        default_step_size: int | None = None,
        max_step_size: int | None = None,
    ) -> None:
        if not isinstance(id, str) or not id:
            raise ValueError("a module id must be a non-empty string")
        self.id = id
        if default_step_size is not None:
            self.default_step_size = default_step_size
        self.predictor = TimePredictor(self.default_step_size, max_step_size=max_step_size)
        self.state = ModuleState.CREATED
        self.error: str | None = None
        self.exception: BaseException | None = None
        self.traceback: str | None = None
        self.cancelled = False
        self.result: Any = None
        self.dataflow: Dataflow | None = None
        self._signal = ActivitySignal()
        self._signal_owned = True
        self._cancel_event = threading.Event()
        self._outputs: dict[str, Any] = {}
        self._output_versions: dict[str, int] = {}
        self._seen: dict[str, tuple[Any, ...]] = {}
        #: input slots that changed since the previous step (valid inside ``run_step``)
        self.new_inputs: set[str] = set()
        self._logs: list[LogLine] = []
        self._log_lock = threading.Lock()
        self._deadline = 0.0
        self.run_count = 0
        self.steps_total = 0
        self.duration_total = 0.0
        self.longest_step = 0.0
        self.last_run_number = 0

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.id!r} {self.state.label}>"

    # -- slots ----------------------------------------------------------------------------------
    def input_spec(self, name: str) -> SlotSpec | None:
        return next((s for s in self.inputs if s.name == name), None)

    def output_spec(self, name: str) -> SlotSpec | None:
        return next((s for s in self.outputs if s.name == name), None)

    def _bind(self, dataflow: Dataflow, signal: ActivitySignal | None) -> None:
        self.dataflow = dataflow
        if signal is not None:
            self._signal = signal
            self._signal_owned = False

    def connected_inputs(self) -> dict[str, Connection]:
        if self.dataflow is None:
            return {}
        return self.dataflow.inputs_of(self.id)

    def upstream_modules(self) -> list[Module]:
        if self.dataflow is None:
            return []
        return [self.dataflow.modules[i] for i in self.dataflow.upstream_ids(self.id)]

    def upstream_finished(self) -> bool:
        """True when every upstream module is zombie/terminated (vacuously true without inputs)."""
        return all(m.state in FINISHED_STATES for m in self.upstream_modules())

    def input_value(self, slot: str) -> Any:
        """The current value of the output connected to ``slot`` (``None`` when unconnected)."""
        if self.dataflow is None:
            return None
        conn = self.dataflow.source_of(self.id, slot)
        if conn is None:
            return None
        src = self.dataflow.modules.get(conn.src)
        return None if src is None else src.output_value(conn.src_slot)

    def input_values(self) -> dict[str, Any]:
        return {slot: self.input_value(slot) for slot in self.connected_inputs()}

    def output_value(self, slot: str) -> Any:
        return self._outputs.get(slot)

    def output_version(self, slot: str) -> int:
        return self._output_versions.get(slot, 0)

    def set_output(self, slot: str, value: Any) -> None:
        """Publish ``value`` on an output slot (downstream modules see it as new input)."""
        if self.output_spec(slot) is None:
            raise KeyError(f"module {self.id!r} has no output slot {slot!r}")
        self._outputs[slot] = value
        self._output_versions[slot] = self._output_versions.get(slot, 0) + 1

    def _input_tokens(self) -> dict[str, tuple[Any, ...]]:
        tokens: dict[str, tuple[Any, ...]] = {}
        if self.dataflow is None:
            return tokens
        for slot, conn in self.connected_inputs().items():
            src = self.dataflow.modules.get(conn.src)
            if src is None:
                continue
            value = src.output_value(conn.src_slot)
            table_version = value.version if isinstance(value, PTable) else None
            tokens[slot] = (
                conn.src,
                conn.src_slot,
                src.output_version(conn.src_slot),
                table_version,
            )
        return tokens

    def has_new_input(self) -> bool:
        """Some connected input was published (again) or its table changed since the last step."""
        return any(
            tok[2] > 0 and self._seen.get(slot) != tok for slot, tok in self._input_tokens().items()
        )

    # -- scheduling -----------------------------------------------------------------------------
    def is_ready(self) -> bool:
        if self.state == ModuleState.READY:
            return True
        if self.state in (ModuleState.CREATED, ModuleState.BLOCKED):
            if not self.connected_inputs():
                # an input-less module runs once created; if it blocks it must override is_ready
                return self.state == ModuleState.CREATED
            return self.has_new_input()
        return False

    def run(self, run_number: int, quantum: float) -> None:
        """One scheduling turn: predict a step size, call ``run_step``, trace the throughput."""
        if self.state in FINAL_STATES:
            return
        step_size = self.predictor.steps_for(quantum)
        tokens = self._input_tokens()
        self.new_inputs = {s for s, t in tokens.items() if t[2] > 0 and self._seen.get(s) != t}
        self._seen = tokens
        self.state = ModuleState.RUNNING
        start = time.perf_counter()
        self._deadline = start + quantum
        self.last_run_number = run_number
        try:
            outcome = self.run_step(run_number, step_size, quantum)
            next_state = ModuleState(outcome.next_state)
            if next_state not in STEP_STATES:
                raise ModuleError(f"run_step returned the illegal state {next_state.label!r}")
            steps_done = int(outcome.steps_done)
        except Exception as exc:
            self._trace_run(time.perf_counter() - start, 0)
            self.fail(exc)
            return
        duration = time.perf_counter() - start
        self.predictor.record(steps_done, duration)
        self._trace_run(duration, steps_done)
        if self.cancel_requested and next_state in FINISHED_STATES:
            self.cancelled = True  # it stopped because it was asked to
        self.state = next_state

    def _trace_run(self, duration: float, steps: int) -> None:
        self.run_count += 1
        self.steps_total += steps
        self.duration_total += duration
        self.longest_step = max(self.longest_step, duration)

    def run_step(self, run_number: int, step_size: int, howlong: float) -> StepResult:
        raise NotImplementedError

    def time_left(self) -> float:
        """Seconds left in the current step's quantum (negative when overrunning)."""
        return self._deadline - time.perf_counter()

    def fail(self, exc: BaseException) -> None:
        """Mark the module invalid with the error recorded."""
        msg = str(exc) if isinstance(exc, ModuleError) else f"{type(exc).__name__}: {exc}"
        self.error = msg
        self.exception = exc
        self.traceback = "".join(tb.format_exception(exc))
        self.state = ModuleState.INVALID
        self.log(msg, "ERROR")

    def progress(self) -> tuple[int, int | None]:
        """(done, total or None); the base class counts steps."""
        return self.steps_total, None

    # -- cancellation & signalling (thread-safe) ------------------------------------------------
    def cancel(self) -> None:
        """Ask the module to stop; may be called from any thread, must not block.

        Subclasses interrupt their work here (e.g. cancel a SQL backend) and call ``super()``.
        """
        self._cancel_event.set()
        self._signal.wake()

    @property
    def cancel_requested(self) -> bool:
        return self._cancel_event.is_set()

    def notify_scheduler(self) -> None:
        """Wake the scheduler if it waits (new data from another thread, background done...)."""
        self._signal.wake()

    def wait_for_activity(self, timeout: float) -> bool:
        """Wait at most ``timeout`` s for any scheduler activity (used by background steps)."""
        woke = self._signal.wait(max(0.0, timeout))
        if self._signal_owned:  # no scheduler clears it: consume the signal ourselves
            self._signal.clear()
        return woke

    def log(self, message: str, level: str = "INFO") -> None:
        with self._log_lock:
            self._logs.append(LogLine(time.time(), level, message))

    def logs(self, since: int = 0) -> list[LogLine]:
        with self._log_lock:
            return self._logs[since:]

    def restart(self) -> None:
        """Make a finished module runnable again (new run of the same dataflow)."""
        self.state = ModuleState.CREATED
        self.error = None
        self.exception = None
        self.traceback = None
        self.cancelled = False
        self.result = None
        self._cancel_event.clear()
        self._seen = {}
        self.new_inputs = set()
        for slot in list(self._outputs):
            self._outputs[slot] = None
            self._output_versions[slot] = self._output_versions.get(slot, 0) + 1
        self.run_count = 0
        self.steps_total = 0
        self.duration_total = 0.0
        self.longest_step = 0.0


@dataclass(frozen=True)
class Connection:
    src: str
    src_slot: str
    dst: str
    dst_slot: str

    def __str__(self) -> str:
        return f"{self.src}.{self.src_slot} -> {self.dst}.{self.dst_slot}"


@dataclass(frozen=True)
class DataflowError:
    code: str
    message: str
    module: str | None = None
    slot: str | None = None
    members: tuple[str, ...] = field(default=())

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.module is not None:
            out["module"] = self.module
        if self.slot is not None:
            out["slot"] = self.slot
        if self.members:
            out["members"] = list(self.members)
        return out


class InvalidDataflow(Exception):
    def __init__(self, errors: Sequence[DataflowError]) -> None:
        self.errors = list(errors)
        super().__init__("; ".join(e.message for e in self.errors) or "invalid dataflow")


def _mid(module: Module | str) -> str:
    return module if isinstance(module, str) else module.id


class Dataflow:
    """Modules + connections. Editing never validates; call ``validate()`` (the scheduler does)."""

    def __init__(
        self,
        modules: Iterable[Module] = (),
        connections: Iterable[Connection] = (),
        *,
        mode: str | None = None,
    ) -> None:
        self.modules: dict[str, Module] = {}
        self._duplicates: list[Module] = []
        self._connections: dict[Connection, None] = {}  # ordered set
        self._index: (
            tuple[dict[str, dict[str, list[Connection]]], dict[str, list[Connection]]] | None
        ) = None
        self.mode = mode
        for m in modules:
            self.add(m)
        for c in connections:
            self._connections[c] = None

    # -- editing --------------------------------------------------------------------------------
    def add(self, module: Module) -> Module:
        existing = self.modules.get(module.id)
        if existing is module:
            return module
        if existing is not None:
            self._duplicates.append(module)
        else:
            self.modules[module.id] = module
        self._index = None
        return module

    def remove(self, module: Module | str) -> None:
        """Remove a module and every connection to or from it."""
        mid = _mid(module)
        if mid not in self.modules:
            raise KeyError(f"no module {mid!r}")
        del self.modules[mid]
        self._connections = {c: None for c in self._connections if mid not in (c.src, c.dst)}
        self._index = None

    def connect(
        self, src: Module | str, src_slot: str, dst: Module | str, dst_slot: str
    ) -> Connection:
        conn = Connection(_mid(src), src_slot, _mid(dst), dst_slot)
        self._connections[conn] = None
        self._index = None
        return conn

    def disconnect(self, conn: Connection) -> None:
        self._connections.pop(conn, None)
        self._index = None

    @property
    def connections(self) -> list[Connection]:
        return list(self._connections)

    def copy(self) -> Dataflow:
        """A new dataflow sharing the module objects (what ``Scheduler.change()`` hands out)."""
        other = Dataflow(mode=self.mode)
        other.modules = dict(self.modules)
        other._duplicates = list(self._duplicates)
        other._connections = dict(self._connections)
        return other

    def bind(self, signal: ActivitySignal | None = None) -> None:
        """Make every module read its inputs through this dataflow."""
        for m in self.modules.values():
            m._bind(self, signal)

    def __contains__(self, module_id: object) -> bool:
        return module_id in self.modules

    def __iter__(self) -> Iterator[Module]:
        return iter(self.modules.values())

    def __len__(self) -> int:
        return len(self.modules)

    # -- graph queries --------------------------------------------------------------------------
    def _get_index(
        self,
    ) -> tuple[dict[str, dict[str, list[Connection]]], dict[str, list[Connection]]]:
        if self._index is None:
            ins: dict[str, dict[str, list[Connection]]] = {}
            outs: dict[str, list[Connection]] = {}
            for c in self._connections:
                ins.setdefault(c.dst, {}).setdefault(c.dst_slot, []).append(c)
                outs.setdefault(c.src, []).append(c)
            self._index = (ins, outs)
        return self._index

    def inputs_of(self, module_id: str) -> dict[str, Connection]:
        """Input slot -> its (first) connection."""
        return {slot: cs[0] for slot, cs in self._get_index()[0].get(module_id, {}).items()}

    def outputs_of(self, module_id: str) -> list[Connection]:
        return list(self._get_index()[1].get(module_id, []))

    def source_of(self, module_id: str, slot: str) -> Connection | None:
        cs = self._get_index()[0].get(module_id, {}).get(slot)
        return cs[0] if cs else None

    def upstream_ids(self, module_id: str) -> list[str]:
        srcs = {c.src for cs in self._get_index()[0].get(module_id, {}).values() for c in cs}
        return sorted(s for s in srcs if s in self.modules)

    def downstream_ids(self, module_id: str) -> list[str]:
        dsts = {c.dst for c in self._get_index()[1].get(module_id, [])}
        return sorted(d for d in dsts if d in self.modules)

    def _edges(self) -> dict[str, set[str]]:
        succ: dict[str, set[str]] = {m: set() for m in self.modules}
        for c in self._connections:
            if c.src in self.modules and c.dst in self.modules:
                succ[c.src].add(c.dst)
        return succ

    def _kahn(self) -> tuple[list[str], dict[str, set[str]]]:
        succ = self._edges()
        indeg = dict.fromkeys(succ, 0)
        for dsts in succ.values():
            for d in dsts:
                indeg[d] += 1
        heap = [m for m, d in indeg.items() if d == 0]
        heapq.heapify(heap)
        order: list[str] = []
        while heap:
            m = heapq.heappop(heap)
            order.append(m)
            for d in succ[m]:
                indeg[d] -= 1
                if indeg[d] == 0:
                    heapq.heappush(heap, d)
        return order, succ

    def topological_order(self) -> list[str]:
        """Module ids in topological order, ties broken by id (repeatable). Raises on cycles."""
        order, succ = self._kahn()
        if len(order) != len(succ):
            raise InvalidDataflow(self._cycle_errors(succ, set(order)))
        return order

    # -- validation -----------------------------------------------------------------------------
    def validate(self) -> list[DataflowError]:
        """Every problem of this dataflow (empty list when valid)."""
        errors: list[DataflowError] = []
        errors += self._check_duplicates()
        errors += self._check_connections()
        errors += self._check_required()
        order, succ = self._kahn()
        if len(order) != len(succ):
            errors += self._cycle_errors(succ, set(order))
        else:
            errors += self._check_aggregation(order)
        return errors

    def _check_duplicates(self) -> list[DataflowError]:
        return [
            DataflowError("duplicate_id", f"two modules have the id {m.id!r}", m.id)
            for m in self._duplicates
        ]

    def _check_connections(self) -> list[DataflowError]:
        errors: list[DataflowError] = []
        for c in self._connections:
            src, dst = self.modules.get(c.src), self.modules.get(c.dst)
            for mid, mod in ((c.src, src), (c.dst, dst)):
                if mod is None:
                    errors.append(
                        DataflowError(
                            "unknown_module",
                            f"connection {c} refers to unknown module {mid!r}",
                            mid,
                        )
                    )
            if src is None or dst is None:
                continue
            out_spec, in_spec = src.output_spec(c.src_slot), dst.input_spec(c.dst_slot)
            if out_spec is None:
                errors.append(
                    DataflowError(
                        "unknown_slot",
                        f"connection {c}: module {c.src!r} has no output slot {c.src_slot!r}",
                        c.src,
                        c.src_slot,
                    )
                )
            if in_spec is None:
                errors.append(
                    DataflowError(
                        "unknown_slot",
                        f"connection {c}: module {c.dst!r} has no input slot {c.dst_slot!r}",
                        c.dst,
                        c.dst_slot,
                    )
                )
            if out_spec and in_spec and not slot_types_compatible(out_spec.type, in_spec.type):
                errors.append(
                    DataflowError(
                        "incompatible_types",
                        f"connection {c}: output type {out_spec.type!r} does not fit "
                        f"input type {in_spec.type!r}",
                        c.dst,
                        c.dst_slot,
                    )
                )
        for dst_id, slots in sorted(self._get_index()[0].items()):
            for slot, conns in sorted(slots.items()):
                if len(conns) > 1:
                    srcs = ", ".join(f"{c.src}.{c.src_slot}" for c in conns)
                    errors.append(
                        DataflowError(
                            "multiple_sources",
                            f"input {dst_id}.{slot} has several sources ({srcs})",
                            dst_id,
                            slot,
                        )
                    )
        return errors

    def _check_required(self) -> list[DataflowError]:
        errors: list[DataflowError] = []
        for mid in sorted(self.modules):
            module = self.modules[mid]
            if self.mode == PROCESS and module.is_aggregate:
                continue  # in process mode an aggregate emits its state, it reads nothing
            connected = self.inputs_of(mid)
            for spec in module.inputs:
                if spec.required and spec.name not in connected:
                    errors.append(
                        DataflowError(
                            "missing_required_input",
                            f"required input {mid}.{spec.name} is not connected",
                            mid,
                            spec.name,
                        )
                    )
        return errors

    def _cycle_errors(self, succ: dict[str, set[str]], acyclic: set[str]) -> list[DataflowError]:
        errors = []
        for comp in _strongly_connected(succ, sorted(set(succ) - acyclic)):
            if len(comp) == 1 and comp[0] not in succ[comp[0]]:
                continue  # merely downstream of a cycle
            members = tuple(sorted(comp))
            errors.append(
                DataflowError(
                    "cycle",
                    "cycle between modules " + " -> ".join(members),
                    members[0],
                    members=members,
                )
            )
        return errors

    # -- aggregation (MAGDA) --------------------------------------------------------------------
    def _regions(self, order: list[str]) -> tuple[dict[str, str], list[DataflowError]]:
        """``pre`` (before any aggregate), ``agg`` (aggregates), ``post`` (after one)."""
        region: dict[str, str] = {}
        errors: list[DataflowError] = []
        for mid in order:
            sides = {"pre" if region[s] == "pre" else "post" for s in self.upstream_ids(mid)}
            if self.modules[mid].is_aggregate:
                region[mid] = "agg"
                if "post" in sides:
                    errors.append(
                        DataflowError(
                            "nested_aggregation",
                            f"aggregation module {mid!r} is fed from after another aggregation",
                            mid,
                        )
                    )
                continue
            region[mid] = "post" if "post" in sides else "pre"
            if sides == {"pre", "post"}:
                errors.append(
                    DataflowError(
                        "mixed_aggregation_input",
                        f"module {mid!r} is fed both from before and from after an aggregation",
                        mid,
                    )
                )
        return region, errors

    def _check_aggregation(self, order: list[str]) -> list[DataflowError]:
        return self._regions(order)[1]

    def partition_for_mode(self, mode: str) -> list[str]:
        """Module ids (topological order) that run in MAGDA mode ``"run"`` or ``"process"``.

        run: regular modules before any aggregation, and the aggregation modules (which add their
        input to their state). process: the aggregation modules (which emit and clear their
        state) and everything downstream of them. Without aggregates, run is everything.
        """
        if mode not in (RUN, PROCESS):
            raise ValueError(f"unknown mode {mode!r} (expected 'run' or 'process')")
        order = self.topological_order()
        region, _ = self._regions(order)
        wanted = {"pre", "agg"} if mode == RUN else {"agg", "post"}
        return [m for m in order if region[m] in wanted]

    def for_mode(self, mode: str) -> Dataflow:
        """The sub-dataflow executed in ``mode`` (its ``mode`` attribute tells aggregates)."""
        keep = set(self.partition_for_mode(mode))
        sub = Dataflow((self.modules[m] for m in sorted(keep)), mode=mode)
        for c in self._connections:
            if c.src in keep and c.dst in keep:
                sub._connections[c] = None
        return sub


def _strongly_connected(succ: dict[str, set[str]], nodes: list[str]) -> list[list[str]]:
    """Tarjan's SCCs (iterative) restricted to ``nodes``."""
    allowed = set(nodes)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    comps: list[list[str]] = []
    counter = 0
    for root in nodes:
        if root in index:
            continue
        work: list[tuple[str, Iterator[str]]] = []
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        work.append((root, iter(sorted(d for d in succ[root] if d in allowed))))
        while work:
            node, it = work[-1]
            advanced = False
            for nxt in it:
                if nxt not in index:
                    index[nxt] = low[nxt] = counter
                    counter += 1
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, iter(sorted(d for d in succ[nxt] if d in allowed))))
                    advanced = True
                    break
                if nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                comp = []
                while True:
                    w = stack.pop()
                    on_stack.discard(w)
                    comp.append(w)
                    if w == node:
                        break
                comps.append(comp)
    return comps
