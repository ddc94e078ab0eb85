"""ProgressiVis 0.4.0 doing Max over N in-memory float64 values; run by bench/progressive_bench.py in
its own venv (bench/.venv-progressivis), never in the app's. Prints one JSON line: seconds to the first
partial result and in total (scheduler start .. end), the step count and the peak RSS."""

import asyncio
import json
import resource
import sys
import time
from typing import Any

import numpy as np
from progressivis import Scheduler
from progressivis.core.sink import Sink
from progressivis.stats.max import Max
from progressivis.table.constant import Constant
from progressivis.table.table import PTable


def main(n: int) -> None:
    x = np.random.default_rng(1).random(n) * 1000
    scheduler = Scheduler()
    with scheduler:
        table = PTable("t", data={"x": x}, create=True)
        const = Constant(table, scheduler=scheduler)
        mx = Max(scheduler=scheduler)
        mx.input.table = const.output.result
        sink = Sink(scheduler=scheduler)
        sink.input.inp = mx.output.result
    marks: dict[str, Any] = {"first": None, "steps": []}

    async def after(module: Any, run_number: int) -> None:
        now = time.perf_counter()
        if marks["first"] is None and module.result is not None:
            marks["first"] = now - marks["start"]
        marks["steps"].append(now)

    mx.on_after_run(after)
    marks["start"] = time.perf_counter()
    asyncio.run(scheduler.start())
    total = time.perf_counter() - marks["start"]
    steps = np.diff([marks["start"], *marks["steps"]])
    print(json.dumps({
        "first": marks["first"], "total": total, "exact": float(mx.result["x"]) == float(x.max()),
        "steps": int(len(steps)), "longest_step": float(steps.max()) if len(steps) else None,
        "rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
    }))


if __name__ == "__main__":
    main(int(sys.argv[1]))
