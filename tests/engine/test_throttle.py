"""The partial-result throttle (apps.engine.throttle): at most N events/s per run, the last one of
every module always delivered, thread-safe, with an injected clock."""

import threading
from collections.abc import Hashable
from typing import Any

import pytest

from apps.engine.throttle import Throttle


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _throttle(rate: float = 10.0) -> tuple[Throttle, list[tuple[Hashable, Any, float]], Clock]:
    clock = Clock()
    sent: list[tuple[Hashable, Any, float]] = []
    throttle = Throttle(lambda key, event: sent.append((key, event, clock.now)), rate=rate, clock=clock)
    return throttle, sent, clock


def test_at_most_rate_events_in_any_second_and_the_last_is_delivered_on_flush() -> None:
    throttle, sent, clock = _throttle(10)
    for i in range(1000):  # one event every 7 ms for 7 s, from one module
        throttle.offer("max", i)
        clock.now += 0.007
    times = [t for _, _, t in sent]
    assert 60 <= len(times) <= 71
    for start in times:
        assert sum(1 for t in times if start <= t < start + 1.0) <= 10
    assert sent[0][1] == 0  # the first is sent at once
    assert sent[-1][1] != 999
    assert throttle.flush() == 1
    assert sent[-1][1] == 999  # the last always delivered
    assert throttle.flush() == 0


def test_newest_event_of_a_key_replaces_its_pending_one_and_keys_take_turns() -> None:
    throttle, sent, clock = _throttle(2)
    assert throttle.offer("a", "a1") is True
    assert throttle.offer("a", "a2") is False
    assert throttle.offer("b", "b1") is False
    assert throttle.offer("a", "a3") is False  # replaces a2 and queues behind b
    assert throttle.pending == 2 and throttle.dropped == 1
    assert throttle.due_in() == pytest.approx(0.5)
    clock.now += 0.5
    assert throttle.poll() == 1 and sent[-1][:2] == ("b", "b1")
    assert throttle.poll() == 0
    clock.now += 0.5
    assert throttle.poll() == 1 and sent[-1][:2] == ("a", "a3")
    assert throttle.due_in() is None


def test_flush_sends_every_pending_module_once_and_close_refuses_more() -> None:
    throttle, sent, clock = _throttle(1)
    throttle.offer("scan", 1)
    for key in ("max", "hist", "scan"):
        throttle.offer(key, f"{key}-final")
    assert throttle.close() == 3
    assert [k for k, _, _ in sent] == ["scan", "max", "hist", "scan"]
    assert sent[-1][1] == "scan-final"
    clock.now += 10
    assert throttle.offer("max", "late") is False and throttle.poll() == 0
    assert len(sent) == 4


def test_thread_safe_under_concurrent_offers() -> None:
    throttle, sent, clock = _throttle(10)
    lock = threading.Lock()

    def producer(key: str) -> None:
        for i in range(2000):
            with lock:
                clock.now += 0.001
            throttle.offer(key, i)

    threads = [threading.Thread(target=producer, args=(f"m{n}",)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    throttle.flush()
    last = {}
    for key, event, _ in sent:
        last[key] = event
    assert last == {f"m{n}": 1999 for n in range(4)}
    times = sorted(t for _, _, t in sent[:-4])
    for start in times:
        assert sum(1 for t in times if start <= t < start + 1.0) <= 10
    assert throttle.sent == len(sent)


def test_rate_must_be_positive() -> None:
    with pytest.raises(ValueError):
        Throttle(lambda k, e: None, rate=0)
