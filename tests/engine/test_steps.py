import threading
import time
from typing import Any

import numpy as np
import pytest

from apps.engine.dataflow import Dataflow, ModuleState, SlotSpec
from apps.engine.operators import Max
from apps.engine.scheduler import ModuleEvent, RunOutcome, Scheduler, run_dataflow
from apps.engine.steps import (
    Aggregate,
    BackgroundStep,
    Feed,
    Function,
    Source,
    StepContext,
    Value,
)


def run_in_thread(scheduler: Scheduler, **kwargs: Any) -> tuple[threading.Thread, dict[str, Any]]:
    box: dict[str, Any] = {}

    def target() -> None:
        box["outcome"] = scheduler.run(**kwargs)
        box["returned_at"] = time.perf_counter()

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    return thread, box


# -- BackgroundStep ------------------------------------------------------------------------------


def test_background_step_keeps_the_scheduler_ticking_then_publishes() -> None:
    release = threading.Event()

    def slow(ctx: StepContext) -> int:
        ctx.log("connecting")
        ctx.progress(1, 3)
        assert release.wait(10)
        ctx.progress(3, 3)
        return ctx.inputs["n"] * 2

    step = BackgroundStep(
        "sql",
        slow,
        inputs=(SlotSpec("n", "param:integer"),),
        outputs=(SlotSpec("result", "param:integer", required=False),),
    )
    df = Dataflow([Value("n", 21, type="param:integer"), step, Function("after", lambda x: x + 1)])
    df.connect("n", "value", "sql", "n")
    df.connect("sql", "result", "after", "x")
    ticks: list[ModuleEvent] = []

    def on_tick(module: Any, event: ModuleEvent) -> None:
        ticks.append(event)
        running = [e for e in ticks if e.module_id == "sql" and e.state == ModuleState.READY]
        if len(running) >= 3:  # the scheduler ticked three times while the callable ran
            release.set()

    scheduler = Scheduler(quantum=0.02)
    scheduler.install(df)
    outcome = scheduler.run(on_tick=on_tick)
    assert outcome.status == "completed"
    assert outcome.results["sql"] == 42 and outcome.results["after"] == 43
    sql_ticks = [e for e in ticks if e.module_id == "sql"]
    assert sql_ticks[0].progress == (1, 3)
    assert [ln.message for e in sql_ticks for ln in e.logs][:2] == ["started", "connecting"]
    assert sql_ticks[-1].state == ModuleState.TERMINATED and sql_ticks[-1].progress == (3, 3)
    assert outcome.order == ["n", "sql", "after"]


def test_cancel_stops_a_running_background_step_within_200ms() -> None:
    started, backend_cancelled = threading.Event(), threading.Event()

    def query(ctx: StepContext) -> None:
        started.set()
        backend_cancelled.wait(10)  # like a SQL statement until pg_cancel_backend

    step = BackgroundStep("sql", query, on_cancel=backend_cancelled.set)
    scheduler = Scheduler(quantum=0.5)  # a step waits up to 0.5 s: cancel must cut it short
    scheduler.install(Dataflow([step]))
    thread, box = run_in_thread(scheduler)
    assert started.wait(5)
    cancelled_at = time.perf_counter()
    scheduler.cancel()
    thread.join(2)
    assert not thread.is_alive()
    assert box["returned_at"] - cancelled_at < 0.2
    outcome: RunOutcome = box["outcome"]
    assert outcome.status == "cancelled"
    assert backend_cancelled.is_set()  # on_cancel was called
    assert step.cancelled and step.state == ModuleState.TERMINATED


def test_cancel_abandons_a_callable_that_ignores_it() -> None:
    started, release = threading.Event(), threading.Event()

    def stubborn(ctx: StepContext) -> None:
        started.set()
        release.wait(10)

    step = BackgroundStep("sql", stubborn)
    scheduler = Scheduler(quantum=0.5)
    scheduler.install(Dataflow([step]))
    thread, box = run_in_thread(scheduler)
    assert started.wait(5)
    t0 = time.perf_counter()
    scheduler.cancel()
    thread.join(2)
    assert box["returned_at"] - t0 < 0.2 and box["outcome"].status == "cancelled"
    release.set()


def test_background_exception_makes_the_step_invalid() -> None:
    def broken(ctx: StepContext) -> None:
        raise ValueError('relation "emissions" does not exist')

    step = BackgroundStep("sql", broken)
    outcome = run_dataflow(Dataflow([step]), quantum=0.05)
    assert outcome.status == "failed"
    assert outcome.errors == {"sql": 'ValueError: relation "emissions" does not exist'}
    assert step.state == ModuleState.INVALID and isinstance(step.exception, ValueError)


def test_background_step_with_several_outputs_needs_a_mapping() -> None:
    outs = (SlotSpec("a", "any", required=False), SlotSpec("b", "any", required=False))
    good = BackgroundStep("good", lambda ctx: {"a": 1, "b": 2}, outputs=outs)
    bad = BackgroundStep("bad", lambda ctx: 3, outputs=outs)
    assert run_dataflow(Dataflow([good]), quantum=0.05).status == "completed"
    assert (good.output_value("a"), good.output_value("b")) == (1, 2)
    outcome = run_dataflow(Dataflow([bad]), quantum=0.05)
    assert "must return a mapping" in outcome.errors["bad"]


# -- Source / Feed -------------------------------------------------------------------------------


def test_source_emits_step_size_rows_per_step() -> None:
    src = Source("src", np.arange(25.0), step_size=10)
    src.run(1, 0.5)
    assert (src.table.next_id, src.state) == (10, ModuleState.READY)
    assert src.progress() == (10, 25)
    src.run(2, 0.5)
    src.run(3, 0.5)
    assert (src.table.next_id, src.state) == (25, ModuleState.TERMINATED)
    assert src.table.column("value").tolist() == list(np.arange(25.0))


def test_source_from_an_iterator_of_chunks() -> None:
    chunks = [np.ones((4, 2)), np.zeros((0, 2)), 2 * np.ones((3, 2))]
    src = Source("src", iter(chunks), step_size=5, columns=["a", "b"])
    sizes = []
    while src.state not in (ModuleState.TERMINATED, ModuleState.INVALID):
        before = src.table.next_id
        src.run(1, 0.5)
        sizes.append(src.table.next_id - before)
    assert sizes == [5, 2]
    assert src.table.column("b").tolist() == [1, 1, 1, 1, 2, 2, 2]
    assert src.progress() == (7, 7)
    with pytest.raises(RuntimeError):
        src.restart()


def test_feed_wakes_the_scheduler_without_polling() -> None:
    feed, mx = Feed("feed", column="x"), Max("max")
    df = Dataflow([feed, mx])
    df.connect(feed, "table", mx, "table")
    seen: list[Any] = []
    got = threading.Event()

    def on_tick(module: Any, event: ModuleEvent) -> None:
        if module is mx and event.result:
            seen.append((time.perf_counter(), event.result["x"]))
            got.set()

    scheduler = Scheduler(quantum=0.05, idle_timeout=30.0)  # the safety net would be far too slow
    scheduler.install(df)
    thread, box = run_in_thread(scheduler, on_tick=on_tick)
    for value in (3.0, 7.0):
        got.clear()
        pushed = time.perf_counter()
        feed.push(np.array([value, 1.0]))
        assert got.wait(5)
        assert seen[-1][0] - pushed < 1.0 and seen[-1][1] == value
    passes = scheduler._passes
    time.sleep(0.05)
    assert scheduler._passes - passes <= 1  # idle: waiting, not spinning
    feed.close()
    thread.join(5)
    assert box["outcome"].status == "completed" and box["outcome"].results["max"] == {"x": 7.0}


# -- MAGDA aggregation ---------------------------------------------------------------------------


class Pipeline:
    """MAGDA's documented example: reg_mod (val=11) * request -> agg_mod."""

    def __init__(self) -> None:
        self.request = Value("request", None)
        self.flow = Dataflow(
            [self.request, Function("reg_mod", lambda x: 11 * x), Aggregate("agg_mod")]
        )
        self.flow.connect("request", "value", "reg_mod", "x")
        self.flow.connect("reg_mod", "result", "agg_mod", "data")

    def run(self, request: int) -> dict[str, Any]:
        self.request.value = request
        outcome = run_dataflow(self.flow, mode="run", restart=True, quantum=0.05)
        assert outcome.status == "completed"
        return {"reg_mod": outcome.results["reg_mod"]}

    def process(self) -> dict[str, Any]:
        outcome = run_dataflow(self.flow, mode="process", restart=True, quantum=0.05)
        assert outcome.status == "completed" and outcome.order[0] == "agg_mod"
        return {"agg_mod": outcome.results["agg_mod"]}


def test_magda_documented_example() -> None:
    pipeline = Pipeline()
    assert pipeline.run(10) == {"reg_mod": 110}
    assert pipeline.run(20) == {"reg_mod": 220}
    assert pipeline.process() == {"agg_mod": [110, 220]}
    assert pipeline.run(40) == {"reg_mod": 440}
    assert pipeline.process() == {"agg_mod": [440]}
    assert pipeline.process() == {"agg_mod": []}


def test_modules_after_an_aggregation_run_only_in_process_mode() -> None:
    pipeline = Pipeline()
    total = Function("total", lambda x: sum(x))
    pipeline.flow.add(total)
    pipeline.flow.connect("agg_mod", "result", "total", "x")
    pipeline.run(1)
    assert total.run_count == 0 and total.state == ModuleState.CREATED
    pipeline.run(2)
    pipeline.process()
    assert total.result == 33


def test_reducing_aggregate_and_persisted_state() -> None:
    class Summing(Aggregate):
        def process(self) -> Any:
            out = sum(self.collected)
            self.clear_state()
            return out

    pipeline = Pipeline()
    pipeline.flow.remove("agg_mod")
    pipeline.flow.add(Summing("agg_mod", state=[1000]))  # e.g. reloaded from the database
    pipeline.flow.connect("reg_mod", "result", "agg_mod", "data")
    pipeline.run(10)
    pipeline.run(20)
    assert pipeline.process() == {"agg_mod": 1330}
