"""Time predictor: turns a time budget (the quantum) into a step size.

ProgressiVis' ``LinearTimePredictor`` assumes a module's cost is linear in the number of steps and
estimates the throughput over the last 7 traced steps. Its known weaknesses, fixed here:

- it returned NaN for the first rows (and fell back to the default step size for 7 runs): here the
  default step size is returned only until the first real measurement, and never NaN/inf;
- a single lucky (cache-hot, tiny) measurement could make the next step huge and overrun the quantum
  badly: here growth is clamped (at most ``max_growth`` x the largest step measured in the window,
  or x the default step size, whichever is larger);
- steps that did no work (``steps == 0``) carry no throughput information and are ignored.
"""

from __future__ import annotations

import math
from collections import deque

__all__ = ["TimePredictor"]


class TimePredictor:
    """Linear time predictor over a sliding window of measured steps.

    ``record(steps, duration)`` after each step; ``steps_for(howlong)`` before the next one.
    """

    def __init__(
        self,
        default_step_size: int = 1000,
        *,
        window: int = 7,
        max_growth: float = 4.0,
        min_step_size: int = 1,
        max_step_size: int | None = None,
    ) -> None:
        if default_step_size < 1:
            raise ValueError("default_step_size must be >= 1")
        if window < 1:
            raise ValueError("window must be >= 1")
        if max_growth < 1.0:
            raise ValueError("max_growth must be >= 1")
        self.default_step_size = default_step_size
        self.window = window
        self.max_growth = max_growth
        self.min_step_size = max(1, min_step_size)
        self.max_step_size = max_step_size
        self._trace: deque[tuple[int, float]] = deque(maxlen=window)

    # -- measurements -------------------------------------------------------------------------
    def record(self, steps: int, duration: float) -> None:
        """Record that ``steps`` steps took ``duration`` seconds. Zero-step runs are ignored."""
        if steps <= 0 or not math.isfinite(duration) or duration < 0:
            return
        self._trace.append((int(steps), float(duration)))

    def reset(self) -> None:
        self._trace.clear()

    @property
    def measurements(self) -> int:
        return len(self._trace)

    @property
    def throughput(self) -> float | None:
        """Measured steps per second over the window, ``None`` before any measurement.

        ``math.inf`` when the measured durations are all zero (too fast for the clock).
        """
        if not self._trace:
            return None
        steps = sum(s for s, _ in self._trace)
        duration = sum(d for _, d in self._trace)
        if duration <= 0.0:
            return math.inf
        return steps / duration

    # -- prediction ---------------------------------------------------------------------------
    def _cap(self) -> int:
        largest = max((s for s, _ in self._trace), default=0)
        cap = int(self.max_growth * max(largest, self.default_step_size))
        if self.max_step_size is not None:
            cap = min(cap, self.max_step_size)
        return max(cap, self.min_step_size)

    def _clamp(self, steps: int) -> int:
        lo = self.min_step_size
        hi = self.max_step_size
        steps = max(lo, steps)
        if hi is not None:
            steps = min(hi, steps)
        return steps

    def steps_for(self, howlong: float) -> int:
        """Number of steps that should fit in ``howlong`` seconds (always a positive int)."""
        speed = self.throughput
        if speed is None:
            return self._clamp(self.default_step_size)
        if not math.isfinite(howlong) or howlong <= 0:
            return self.min_step_size
        if math.isinf(speed):
            return self._cap()
        predicted = math.ceil(speed * howlong)
        return self._clamp(min(predicted, self._cap()))

    def __repr__(self) -> str:
        return (
            f"TimePredictor(default={self.default_step_size}, throughput={self.throughput}, "
            f"measurements={self.measurements})"
        )
