import json
import threading
from typing import Any

import numpy as np
import pytest

from apps.engine.dataflow import (
    Dataflow,
    InvalidDataflow,
    Module,
    ModuleState,
    SlotSpec,
    StepResult,
)
from apps.engine.operators import Max, Min
from apps.engine.scheduler import ModuleEvent, RunOutcome, Scheduler
from apps.engine.steps import BackgroundStep, Source, StepContext

S = ModuleState


class Counter(Module):
    """Input-less: publishes 1..n, one per step, then terminates."""

    outputs = (SlotSpec("out", "dict", required=False),)

    def __init__(self, id: str, n: int = 3) -> None:
        super().__init__(id)
        self.n, self.i = n, 0

    def run_step(self, run_number: int, step_size: int, howlong: float) -> StepResult:
        self.i += 1
        self.result = self.i
        self.set_output("out", {"i": self.i})
        return StepResult(S.READY if self.i < self.n else S.TERMINATED, 1)


class Silent(Counter):
    """Terminates without ever publishing anything."""

    def run_step(self, run_number: int, step_size: int, howlong: float) -> StepResult:
        return StepResult(S.TERMINATED, 0)


class Boom(Module):
    inputs = (SlotSpec("table", "table"),)

    def run_step(self, run_number: int, step_size: int, howlong: float) -> StepResult:
        raise RuntimeError("boom")


class Liar(Counter):
    def run_step(self, run_number: int, step_size: int, howlong: float) -> StepResult:
        return StepResult(S.RUNNING, 1)


class Sink(Module):
    inputs = (SlotSpec("in", "dict"),)

    def run_step(self, run_number: int, step_size: int, howlong: float) -> StepResult:
        return StepResult(S.BLOCKED, 1)


def progressive(n: int = 1_000_000, step: int = 100_000) -> tuple[Dataflow, np.ndarray]:
    x = np.random.default_rng(7).normal(size=n)
    src, mx = Source("src", {"x": x}, step_size=step), Max("max")
    df = Dataflow([src, mx])
    df.connect(src, "table", mx, "table")
    return df, x


def run(df: Dataflow, **kwargs: Any) -> tuple[RunOutcome, list[ModuleEvent]]:
    events: list[ModuleEvent] = []
    scheduler = Scheduler(quantum=0.05)
    scheduler.install(df)
    outcome = scheduler.run(on_tick=lambda m, e: events.append(e), **kwargs)
    return outcome, events


def states(events: list[ModuleEvent], module_id: str) -> list[ModuleState]:
    out: list[ModuleState] = []
    for e in events:
        if e.module_id == module_id and (not out or out[-1] != e.state):
            out.append(e.state)
    return out


def test_progressive_pipeline_states_and_outcome() -> None:
    df, x = progressive()
    outcome, events = run(df)
    assert outcome.status == "completed" and outcome.errors == {}
    assert outcome.order == ["src", "max"]
    assert set(outcome.durations) == {"src", "max"} and all(
        d > 0 for d in outcome.durations.values()
    )
    assert outcome.results["max"] == {"x": x.max()}
    assert outcome.states == {"src": S.TERMINATED, "max": S.TERMINATED}
    assert states(events, "src") == [S.READY, S.TERMINATED]
    max_states = states(events, "max")
    assert set(max_states[:-2]) == {S.READY, S.BLOCKED}  # catching up, waiting for data
    assert max_states[-2:] == [S.ZOMBIE, S.TERMINATED]
    first = events[0]
    assert (first.kind, first.module_id, first.progress) == ("run", "src", (100_000, 1_000_000))
    json.dumps([e.as_dict() for e in events])  # ready for the live layer


def test_run_list_order_ties_broken_by_id_every_pass() -> None:
    outcome, events = run(Dataflow([Counter("c"), Counter("a"), Counter("b")]))
    assert outcome.order == ["a", "b", "c"]
    assert [e.module_id for e in events if e.kind == "run"] == ["a", "b", "c"] * 3
    assert outcome.results == {"a": 3, "b": 3, "c": 3}


def test_module_without_input_data_retires_without_running() -> None:
    df = Dataflow([Silent("quiet"), Sink("sink")])
    df.connect("quiet", "out", "sink", "in")
    outcome, events = run(df)
    assert outcome.status == "completed"
    sink = df.modules["sink"]
    assert sink.run_count == 0 and states(events, "sink") == [S.ZOMBIE, S.TERMINATED]


def test_fail_fast_cancels_the_other_modules() -> None:
    df, _ = progressive()
    release = threading.Event()
    step = BackgroundStep("bg", lambda ctx: release.wait(10), on_cancel=release.set)
    df.add(Boom("boom"))
    df.add(step)
    df.connect("src", "table", "boom", "table")
    outcome, events = run(df)
    assert outcome.status == "failed"
    assert outcome.errors == {"boom": "RuntimeError: boom"}
    assert df.modules["boom"].state == S.INVALID
    assert "Traceback" in (df.modules["boom"].traceback or "")
    assert release.is_set() and step.cancelled  # the background work was cancelled
    assert outcome.states["src"] == S.TERMINATED and df.modules["src"].cancelled


def test_illegal_state_and_failing_is_ready_make_a_module_invalid() -> None:
    outcome, _ = run(Dataflow([Liar("liar")]))
    assert outcome.errors == {"liar": "run_step returned the illegal state 'running'"}

    class BadReady(Counter):
        def is_ready(self) -> bool:
            raise KeyError("nope")

    outcome, _ = run(Dataflow([BadReady("bad")]))
    assert outcome.status == "failed" and outcome.errors == {"bad": "KeyError: 'nope'"}


def test_until_stops_and_run_resumes() -> None:
    df, x = progressive()
    scheduler = Scheduler(quantum=0.05)
    scheduler.install(df)
    src, mx = df.modules["src"], df.modules["max"]
    assert isinstance(mx, Max)
    outcome = scheduler.run(until=lambda: mx.progress()[0] >= 300_000)
    assert outcome.status == "stopped" and src.state == S.READY
    assert 300_000 <= mx.watermark < 1_000_000
    assert outcome.results["max"] == {"x": x[: mx.watermark].max()}
    outcome = scheduler.run()
    assert outcome.status == "completed" and outcome.results["max"] == {"x": x.max()}


def test_install_refuses_an_invalid_dataflow() -> None:
    scheduler = Scheduler()
    with pytest.raises(RuntimeError):
        scheduler.run()
    with pytest.raises(InvalidDataflow) as info:
        scheduler.install(Dataflow([Sink("sink")]))
    assert [e.code for e in info.value.errors] == ["missing_required_input"]
    assert scheduler.dataflow is None


def test_valid_change_is_swapped_in_between_module_runs() -> None:
    df, x = progressive()
    scheduler = Scheduler(quantum=0.05)
    scheduler.install(df)
    seen: dict[str, Any] = {}

    def on_tick(module: Module, event: ModuleEvent) -> None:
        if module.id == "src" and event.progress[0] == 300_000:
            with scheduler.change() as staged:
                staged.add(Min("min"))
                staged.connect("src", "table", "min", "table")
            seen["pending"] = scheduler.dataflow is df and "min" not in scheduler.run_list

    outcome = scheduler.run(on_tick=on_tick)
    assert seen["pending"]  # committed, but swapped in only after this module run
    assert outcome.status == "completed"
    assert outcome.order == ["src", "max", "min"]
    assert outcome.results["min"] == {"x": x.min()}  # the new module replayed the table
    assert scheduler.dataflow is not df and "min" not in df


class Gate(Module):
    """Holds its single step until the test lets it go."""

    def __init__(self, id: str, scheduler: Scheduler) -> None:
        super().__init__(id)
        self.scheduler = scheduler
        self.inside, self.proceed = threading.Event(), threading.Event()
        self.unchanged_during_step: bool | None = None

    def run_step(self, run_number: int, step_size: int, howlong: float) -> StepResult:
        before = self.scheduler.dataflow
        self.inside.set()
        assert self.proceed.wait(5)
        self.unchanged_during_step = self.scheduler.dataflow is before
        return StepResult(S.TERMINATED, 1)


def test_a_change_from_another_thread_never_lands_mid_step() -> None:
    scheduler = Scheduler(quantum=0.05)
    gate = Gate("gate", scheduler)
    original = Dataflow([gate])
    scheduler.install(original)
    box: dict[str, RunOutcome] = {}
    thread = threading.Thread(target=lambda: box.setdefault("o", scheduler.run()), daemon=True)
    thread.start()
    assert gate.inside.wait(5)
    with scheduler.change() as staged:
        staged.add(Counter("late", n=1))
    assert scheduler.dataflow is original
    gate.proceed.set()
    thread.join(5)
    assert gate.unchanged_during_step is True
    assert box["o"].status == "completed" and box["o"].order == ["gate", "late"]


def test_invalid_change_is_refused_and_the_old_dataflow_keeps_running() -> None:
    df, x = progressive()
    scheduler = Scheduler(quantum=0.05)
    scheduler.install(df)
    refused: list[InvalidDataflow] = []

    def on_tick(module: Module, event: ModuleEvent) -> None:
        if module.id == "src" and not refused:
            try:
                with scheduler.change() as staged:
                    staged.add(Sink("orphan"))  # its required input is not connected
                    staged.remove("max")
            except InvalidDataflow as exc:
                refused.append(exc)

    outcome = scheduler.run(on_tick=on_tick)
    assert [e.code for e in refused[0].errors] == ["missing_required_input"]
    assert scheduler.dataflow is df and set(df.modules) == {"src", "max"}
    assert outcome.status == "completed" and outcome.results["max"] == {"x": x.max()}


def test_exception_in_the_change_block_discards_it_and_concurrent_changes_conflict() -> None:
    scheduler = Scheduler()
    original = Dataflow([Counter("a")])
    scheduler.install(original)
    with pytest.raises(ZeroDivisionError), scheduler.change() as staged:
        staged.add(Counter("b"))
        _ = 1 / 0
    assert scheduler.dataflow is original
    with pytest.raises(InvalidDataflow) as info, scheduler.change() as outer:
        outer.add(Counter("outer"))
        with scheduler.change() as inner:
            inner.add(Counter("inner"))
    assert [e.code for e in info.value.errors] == ["concurrent_change"]
    assert scheduler.dataflow is not None and set(scheduler.dataflow.modules) == {"a", "inner"}


def test_removing_a_live_module_cancels_it() -> None:
    started, release = threading.Event(), threading.Event()

    def work(ctx: StepContext) -> None:
        started.set()
        release.wait(10)

    step = BackgroundStep("bg", work, on_cancel=release.set)
    scheduler = Scheduler(quantum=0.02)
    scheduler.install(Dataflow([step, Counter("c", n=50)]))

    def on_tick(module: Module, event: ModuleEvent) -> None:
        if module.id == "c" and event.progress[0] == 5 and started.is_set():
            with scheduler.change() as staged:
                staged.remove("bg")

    outcome = scheduler.run(on_tick=on_tick)
    assert outcome.status == "completed"
    assert release.is_set() and step.cancelled and step.state == S.TERMINATED


def test_cancel_from_a_callback_keeps_partial_results() -> None:
    df, x = progressive()
    scheduler = Scheduler(quantum=0.05)
    scheduler.install(df)

    def on_tick(module: Module, event: ModuleEvent) -> None:
        if module.id == "max" and event.progress[0] >= 200_000:
            scheduler.cancel()

    outcome = scheduler.run(on_tick=on_tick)
    assert outcome.status == "cancelled"
    mx = df.modules["max"]
    assert mx.cancelled and mx.state == S.TERMINATED
    assert outcome.results["max"] == {"x": x[:200_000].max()}
    assert scheduler.run().status == "cancelled"  # cancel is sticky


def test_cancel_before_run() -> None:
    scheduler = Scheduler()
    df = Dataflow([Counter("a")])
    scheduler.install(df)
    scheduler.cancel()
    outcome = scheduler.run()
    assert outcome.status == "cancelled" and outcome.order == []
    assert df.modules["a"].cancelled and df.modules["a"].state == S.TERMINATED


def test_an_exception_in_the_callback_propagates_and_cancels_live_work() -> None:
    release = threading.Event()
    step = BackgroundStep("bg", lambda ctx: release.wait(10), on_cancel=release.set)
    scheduler = Scheduler(quantum=0.02)
    scheduler.install(Dataflow([step]))

    def on_tick(module: Module, event: ModuleEvent) -> None:
        raise LookupError("ui is down")

    with pytest.raises(LookupError):
        scheduler.run(on_tick=on_tick)
    assert release.is_set() and step.cancelled and not scheduler.is_running
