"""Import progress events and the export's thread-to-event-loop bridge."""

import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from asgiref.sync import async_to_sync

from apps.datasets.services import progress_reporter, published_in_background
from apps.engine.storage import iterate_in_thread


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def _reporter(total: int | None) -> tuple[FakeClock, list[dict[str, Any]], Any]:
    clock, events = FakeClock(), []
    report = progress_reporter(dataset_id=7, total=total, clock=clock,
                               publish=lambda topic, kind, data: events.append({"topic": topic, "kind": kind, **data}))
    return clock, events, report


def test_progress_is_published_every_percent_but_not_more_than_every_50_ms() -> None:
    clock, events, report = _reporter(total=10_000)
    clock.now += 0.06
    report(99)  # less than 1%
    assert events == []
    report(100)  # 1%
    clock.now += 0.01
    report(300)  # 2% more, but only 10 ms later
    clock.now += 0.05
    report(301)
    assert [(e["bytes_done"], e["bytes_total"]) for e in events] == [(100, 10_000), (301, 10_000)]
    assert {(e["topic"], e["kind"]) for e in events} == {("dataset:7", "import_progress")}


def test_progress_is_published_at_least_every_half_second() -> None:
    clock, events, report = _reporter(total=10_000_000)
    clock.now += 0.49
    report(10)
    clock.now += 0.01
    report(20)  # far below 1%, but half a second has passed
    assert [e["bytes_done"] for e in events] == [20]


def test_progress_of_a_stream_of_unknown_size_uses_megabyte_steps() -> None:
    clock, events, report = _reporter(total=None)
    clock.now += 0.1
    report(1024 * 1024 - 1)
    report(1024 * 1024)
    assert [e["bytes_done"] for e in events] == [1024 * 1024]


def test_iterate_in_thread_hands_over_items_in_order() -> None:
    async def collect() -> list[bytes]:
        return [item async for item in iterate_in_thread(lambda: iter([b"a", b"b", b"c"]))]

    assert async_to_sync(collect)() == [b"a", b"b", b"c"]


def test_iterate_in_thread_raises_the_producers_error() -> None:
    def produce() -> Iterator[bytes]:
        yield b"a"
        raise RuntimeError("COPY failed")

    async def collect() -> list[bytes]:
        return [item async for item in iterate_in_thread(produce)]

    with pytest.raises(RuntimeError, match="COPY failed"):
        async_to_sync(collect)()


def test_a_consumer_that_stops_early_stops_the_producer() -> None:
    produced, closed = [], threading.Event()

    def produce() -> Iterator[bytes]:
        try:
            for n in range(10_000):
                produced.append(n)
                yield b"x"
        finally:
            closed.set()

    async def take_two() -> None:
        stream = iterate_in_thread(produce, read_ahead=4)
        assert [await anext(stream), await anext(stream)] == [b"x", b"x"]
        await stream.aclose()  # what the ASGI handler does when the client goes away

    async_to_sync(take_two)()
    assert closed.wait(timeout=5)
    time.sleep(0.1)
    assert len(produced) <= 2 + 4 + 1  # it never read far ahead of the consumer


def test_background_publishing_sends_the_latest_event_and_never_blocks() -> None:
    sent: list[int] = []
    gate = threading.Event()

    def slow_publish(topic: str, kind: str, data: dict[str, Any]) -> None:
        gate.wait(timeout=5)
        sent.append(data["n"])

    with published_in_background(slow_publish) as publish:
        started = time.monotonic()
        for n in range(1, 101):
            publish("dataset:1", "import_progress", {"n": n})
        assert time.monotonic() - started < 0.5  # the publisher is stuck, the importer is not
        gate.set()
    assert sent[-1] == 100  # the last one always goes out before the import commits
    assert len(sent) < 100  # stale ones were dropped


def test_a_failing_publisher_does_not_fail_the_import() -> None:
    def broken(topic: str, kind: str, data: dict[str, Any]) -> None:
        raise ConnectionError("redis is down")

    with published_in_background(broken) as publish:
        publish("dataset:1", "import_progress", {"n": 1})
