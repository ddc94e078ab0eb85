import math

import pytest

from apps.engine.predictor import TimePredictor


def test_default_step_size_before_any_measurement_never_nan() -> None:
    p = TimePredictor(default_step_size=500)
    assert p.throughput is None
    for howlong in (0.5, 0.0, 1e-9, 10.0):
        assert p.steps_for(howlong) == 500


def test_zero_step_and_garbage_measurements_are_ignored() -> None:
    p = TimePredictor(default_step_size=100)
    p.record(0, 0.5)
    p.record(10, math.nan)
    p.record(10, -1.0)
    p.record(10, math.inf)
    assert p.measurements == 0
    assert p.steps_for(0.5) == 100


def test_adapts_to_measured_throughput() -> None:
    speed = 200_000.0  # steps per second of a simulated linear module
    p = TimePredictor(default_step_size=1000)
    sizes = []
    for _ in range(12):
        steps = p.steps_for(0.5)
        sizes.append(steps)
        p.record(steps, steps / speed)
    assert sizes[-1] == pytest.approx(speed * 0.5, rel=0.01)
    assert all(isinstance(s, int) and s > 0 for s in sizes)


def test_growth_is_clamped_per_step() -> None:
    p = TimePredictor(default_step_size=1000, max_growth=4.0)
    p.record(1000, 1e-6)  # one absurdly fast (cache-hot) measurement
    assert p.steps_for(0.5) == 4000
    p.record(4000, 4e-6)
    assert p.steps_for(0.5) == 16000


def test_shrinks_when_the_module_slows_down() -> None:
    p = TimePredictor(default_step_size=1000, window=3)
    for _ in range(3):
        p.record(1000, 0.1)  # 10k steps/s
    assert p.steps_for(0.5) == 4000  # capped at 4 x largest (1000)
    for _ in range(3):
        p.record(1000, 1.0)  # now 1k steps/s: the window forgets the old speed
    assert p.steps_for(0.5) == 500


def test_zero_duration_means_grow_to_the_cap() -> None:
    p = TimePredictor(default_step_size=10)
    p.record(10, 0.0)
    assert p.throughput == math.inf
    assert p.steps_for(0.5) == 40


def test_min_and_max_step_size() -> None:
    p = TimePredictor(default_step_size=50, max_step_size=64, min_step_size=8)
    assert p.steps_for(0.5) == 50
    p.record(50, 1e-3)
    assert p.steps_for(0.5) == 64
    p.reset()
    p.record(50, 100.0)
    assert p.steps_for(0.5) == 8
    with pytest.raises(ValueError):
        TimePredictor(default_step_size=0)
