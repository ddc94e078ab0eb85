"""``Throttle``: at most ``rate`` partial-result events per second for one run, the last always sent.

One ``Throttle`` per run, shared by all its modules (thread-safe). Wiring (runs / live layer)::

    throttle = Throttle(send=lambda key, event: publish(run_topic, event), rate=10)
    scheduler.run(on_tick=lambda module, ev: throttle.offer(module.id, partial_event(module, ev)))
    ...
    throttle.flush()   # when the run ends (whatever its outcome): every pending event is sent now

Events are keyed (a module id): an event offered while the rate does not allow a send replaces the
pending event of the same key (only the newest partial result of a module matters). Sends are
spaced at least ``1 / rate`` s apart, so any one-second window holds at most ``rate`` of them; when
several keys are pending, the one waiting longest goes first. Pending events are sent by a later
``offer``/``poll`` once their time has come (call ``poll()`` from a timer or a scheduler tick; the
scheduler ticks after every step) and by ``flush()``, which sends all of them at once regardless of
the rate: the last event of every key is always delivered. After ``close()`` (which flushes),
``offer`` sends nothing. ``clock`` is injectable for tests (default ``time.monotonic``).

``send`` is called outside the throttle's state lock but under a send lock, so events reach it one
at a time and in the order they were decided. An exception from ``send`` propagates to the caller of
``offer``/``poll``/``flush``; the event is then dropped (not retried).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from typing import Any

__all__ = ["Throttle"]


class Throttle:
    def __init__(
        self,
        send: Callable[[Hashable, Any], None],
        *,
        rate: float = 10.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not rate > 0:
            raise ValueError("rate must be > 0 events per second")
        self._send = send
        self.rate = float(rate)
        self.interval = 1.0 / self.rate
        self._clock = clock
        self._lock = threading.Lock()
        self._send_lock = threading.Lock()
        self._pending: dict[Hashable, Any] = {}  # insertion order = waiting order
        self._last_sent: float | None = None
        self._closed = False
        self.sent = 0
        self.dropped = 0  # events replaced by a newer one of the same key before being sent

    # -- public ---------------------------------------------------------------------------------
    def offer(self, key: Hashable, event: Any) -> bool:
        """Offer ``key``'s newest event; returns True when it was sent now."""
        with self._send_lock:
            with self._lock:
                if self._closed:
                    return False
                if key in self._pending:
                    self.dropped += 1
                    del self._pending[key]  # re-queued at the end with the newer event
                self._pending[key] = event
                batch = self._due_locked()
            for k, e in batch:
                self._deliver(k, e)
            return any(k == key and e is event for k, e in batch)

    def poll(self) -> int:
        """Send the pending event whose time has come (if any); returns how many were sent."""
        with self._send_lock:
            with self._lock:
                batch = self._due_locked()
            for k, e in batch:
                self._deliver(k, e)
            return len(batch)

    def flush(self) -> int:
        """Send every pending event now (the run ended); returns how many were sent."""
        with self._send_lock:
            with self._lock:
                batch = list(self._pending.items())
                self._pending.clear()
                if batch:
                    self._last_sent = self._clock()
            for k, e in batch:
                self._deliver(k, e)
            return len(batch)

    def close(self) -> int:
        """Flush, then refuse further events."""
        sent = self.flush()
        with self._lock:
            self._closed = True
        return sent

    def due_in(self) -> float | None:
        """Seconds until a pending event may be sent (0 when now), ``None`` when nothing pends."""
        with self._lock:
            if not self._pending:
                return None
            if self._last_sent is None:
                return 0.0
            return max(0.0, self._last_sent + self.interval - self._clock())

    @property
    def pending(self) -> int:
        with self._lock:
            return len(self._pending)

    # -- internals ------------------------------------------------------------------------------
    def _due_locked(self) -> list[tuple[Hashable, Any]]:
        if not self._pending:
            return []
        now = self._clock()
        if self._last_sent is not None and now < self._last_sent + self.interval:
            return []
        key = next(iter(self._pending))
        event = self._pending.pop(key)
        self._last_sent = now
        return [(key, event)]

    def _deliver(self, key: Hashable, event: Any) -> None:
        self.sent += 1
        self._send(key, event)
