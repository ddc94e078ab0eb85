"""Progressive: PgScan -> Max and PgScan -> Histogram(64 bins) under the engine's Scheduler over a
10,000,000-row numeric dataset table in the workspace database, against the one-shot PostgreSQL
equivalent (`SELECT max(x)`; one `width_bucket` GROUP BY) measured side by side in the same child
process, plus ProgressiVis 0.4.0 doing Max over the same number of values in memory.

The tables are made with SQL (generate_series + random(), primary key built after the load) as
dataset tables of version 0 (apps.engine.storage layout), outside the app's catalog: this measures the
engine (what a worker runs), not the HTTP/WebSocket path. Each measurement runs in a fresh child
process (`python -m bench.progressive_bench child ...`), so its peak RSS (VmHWM) is clean.
ProgressiVis runs from its own venv (bench/.venv-progressivis, `progressivis==0.4.0`), created when
missing; if it cannot be installed the table says why.

`python -m bench progressive` runs it and rewrites its section of docs/benchmarks.md."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import psycopg

from bench.harness import PYTHON, ROOT, Harness, Row, Section, log, median, percentile, timer

KEY = "progressive"
TITLE = "Progressive: PgScan → Max / Histogram(64) vs one-shot SQL, and ProgressiVis 0.4.0"

BIG, SMALL = 10_000_000, 1_000_000
BIG_ID, SMALL_ID = 990_010, 990_001
REPS = 3
QUANTUM = 0.5
BINS, RANGE = 64, (0.0, 1000.0)
PV_VENV = ROOT / "bench" / ".venv-progressivis"
PV_PACKAGE = "progressivis==0.4.0"
PUSHDOWN = os.environ.get("MB_BENCH_PUSHDOWN", "1") != "0"  # 0: the row path, for comparison


# --- data ----------------------------------------------------------------------------------------

def make_table(url: str, dataset_id: int, rows: int) -> float:
    """A dataset table (record_id, mb_version, mb_deleted, x double precision) of `rows` version-0
    rows; returns the seconds it took."""
    from apps.engine import storage
    from apps.engine.storage import Column

    table = storage.qualified_text(dataset_id)
    started = time.perf_counter()
    with psycopg.connect(url, autocommit=True) as conn:
        storage.drop_table(conn, dataset_id)
        with conn.transaction():
            storage.create_table(conn, dataset_id, [Column("x", "double precision")], loading_version=0)
            conn.execute(f"ALTER TABLE {table} DROP CONSTRAINT {storage.table_name(dataset_id)}_pkey")
            conn.execute(f"INSERT INTO {table} (record_id, x) SELECT g, random() * 1000 "
                         f"FROM generate_series(1, {int(rows)}) g")
            conn.execute(f"ALTER TABLE {table} ADD PRIMARY KEY (record_id)")
            conn.execute(f"SELECT setval('{table}_record_id_seq', {int(rows)})")
            storage.restore_version_default(conn, dataset_id)
        conn.execute(f"VACUUM (ANALYZE) {table}")
    return time.perf_counter() - started


# --- child: one measurement in a clean process ---------------------------------------------------

def vm_hwm() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    return 0


def child(op: str, dataset_id: int, rows: int, url: str) -> dict[str, Any]:
    from apps.engine.dataflow import Dataflow, Module
    from apps.engine.operators import Histogram, Max
    from apps.engine.pg_scan import PgScan, push_down
    from apps.engine.scheduler import ModuleEvent, Scheduler

    table = f"mb_data.ds_{dataset_id}"
    with psycopg.connect(url, autocommit=True) as conn:
        started = time.perf_counter()
        if op == "max":
            truth: Any = conn.execute(f"SELECT max(x) FROM {table} WHERE mb_version = 0").fetchone()[0]  # type: ignore[index]
        else:
            truth = dict(conn.execute(
                f"SELECT width_bucket(x, {RANGE[0]}, {RANGE[1]}, {BINS}) AS b, count(*) FROM {table} "
                "WHERE mb_version = 0 GROUP BY b").fetchall())
        one_shot = time.perf_counter() - started
    baseline_rss = vm_hwm()
    scan = PgScan("scan", connect=url, dataset_id=dataset_id, path=[0], columns=["x"], row_count=rows)
    consumer: Module = Max("op") if op == "max" else Histogram("op", "x", bins=BINS, range=RANGE)
    pushed = push_down(scan, consumer) if PUSHDOWN else False  # as a run wires it (apps/runs/progressive.py)
    flow = Dataflow([scan, consumer])
    flow.connect(scan, "table", consumer, "table")
    scheduler = Scheduler(QUANTUM)
    scheduler.install(flow)
    marks: list[float] = []
    scan_steps: list[float] = []

    def tick(module: Module, event: ModuleEvent) -> None:
        if event.kind != "run":
            return
        if module is consumer and event.progress[0] > 0:
            marks.append(time.perf_counter())
        elif module is scan:
            scan_steps.append(event.duration)

    start = time.perf_counter()
    outcome = scheduler.run(on_tick=tick)
    total = time.perf_counter() - start
    if outcome.status != "completed":
        raise RuntimeError(f"progressive run {outcome.status}: {outcome.errors}")
    if op == "max":
        exact = outcome.results["op"]["x"] == truth
    else:
        counts = outcome.results["op"]["counts"].tolist()
        exact = counts == [truth.get(b, 0) for b in range(1, BINS + 1)]
    intervals = [b - a for a, b in zip([start, *marks], marks, strict=False)]
    return {"first": marks[0] - start, "total": total, "one_shot": one_shot, "exact": bool(exact),
            "intervals": intervals, "scan_steps": scan_steps, "updates": len(marks),
            "rss": vm_hwm(), "rss_before": baseline_rss, "pushed": pushed}


def run_child(op: str, dataset_id: int, rows: int, url: str) -> dict[str, Any]:
    out = subprocess.run([str(PYTHON), "-m", "bench.progressive_bench", "child", op, str(dataset_id), str(rows), url],
                         cwd=ROOT, check=True, capture_output=True, text=True)
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


# --- ProgressiVis ----------------------------------------------------------------------------------

def progressivis_python() -> tuple[Path | None, str]:
    python = PV_VENV / "bin" / "python"
    if not python.exists():
        log(f"creating {PV_VENV.relative_to(ROOT)} ({PV_PACKAGE})")
        try:
            subprocess.run([sys.executable, "-m", "venv", str(PV_VENV)], check=True)
            subprocess.run([str(PV_VENV / "bin" / "pip"), "install", "-q", PV_PACKAGE], check=True,
                           capture_output=True, text=True)
        except subprocess.CalledProcessError as exc:
            tail = (exc.stderr or "").strip().splitlines()[-1:] or [str(exc)]
            return None, f"`pip install {PV_PACKAGE}` failed: {tail[0]}"
    return python, ""


def run_progressivis(rows: int) -> tuple[dict[str, Any] | None, str]:
    python, why = progressivis_python()
    if python is None:
        return None, why
    results = []
    for _ in range(REPS):
        out = subprocess.run([str(python), str(ROOT / "bench" / "progressivis_max.py"), str(rows)],
                             capture_output=True, text=True, cwd=ROOT / "bench")
        if out.returncode != 0:
            tail = out.stderr.strip().splitlines()[-1:] or ["(no message)"]
            return None, f"ProgressiVis failed: {tail[0]}"
        results.append(json.loads(out.stdout.strip().splitlines()[-1]))
    return {"first": median(r["first"] for r in results), "total": median(r["total"] for r in results),
            "exact": all(r["exact"] for r in results), "rss": max(r["rss"] for r in results),
            "longest_step": max(r["longest_step"] for r in results)}, ""


# --- end to end: the API queues the run, the worker runs it, the first `partial` on the channel layer ---

E2E_SETUP = r"""
import json
from django.utils import timezone
from apps.accounts.models import Project, User
from apps.datasets.models import DatasetVersion
from apps.datasets.services import dataset_create, dataset_type_create
from apps.datasets.workspace import workspace
from apps.engine.storage import qualified_text
from apps.modules.models import Module
from apps.moduletypes.models import ModuleType

user = User.objects.get(username="modeler")
project = Project.objects.get(name="Demo")
dtype = dataset_type_create(name="Bench progressive x", description="", creator=user,
                            columns=[{"name": "x", "sql_type": "double precision"}])
dataset = dataset_create(name="Bench progressive ROWS", dataset_type=dtype, project=project, creator=user)
with workspace() as conn:
    conn.execute(f"SELECT set_config('mb.v{dataset.pk}', '0', true)")
    conn.execute(f"INSERT INTO {qualified_text(dataset.pk)} (x) SELECT random() * 1000 FROM generate_series(1, ROWS)")
with workspace() as conn:
    conn.execute(f"ANALYZE {qualified_text(dataset.pk)}")
DatasetVersion.objects.create(dataset=dataset, number=0, name="Initial", path=[0], row_count=ROWS, is_final=True,
                              creator=user, last_modified=timezone.now())

def module(name, type_name, parameters):
    version = ModuleType.objects.get(name=type_name, project=None).versions.get()
    return Module.objects.create(name=name, type_version=version, project=project, creator=user,
                                 dataset_bindings={"input": {"dataset": dataset.pk, "version": 0}},
                                 parameter_bindings=parameters, last_modified=timezone.now()).pk

print(json.dumps({"max": module("Bench e2e Max", "Max", {"columns": "x"}),
                  "hist": module("Bench e2e Histogram", "Histogram", {"column": "x", "bins": "BINS", "min": "0",
                                                                       "max": "1000"})}))
"""


def e2e_child(module_id: int, web_url: str) -> dict[str, Any]:
    """In a process of its own with the app's settings: POST /api/modules/{id}/run (the run is queued
    by the API service, the Celery worker runs it), join the run's topic group on the real Redis
    channel layer as soon as the reply names the run, and time the first `partial` event and the
    `finished` one from the moment the request was sent."""
    import asyncio

    import django

    django.setup()
    from channels.layers import get_channel_layer

    from apps.live.events import group_name
    from bench.harness import Client

    client = Client(web_url)
    client.login("modeler", "modeler")

    async def main() -> dict[str, Any]:
        layer = get_channel_layer()
        channel = await layer.new_channel()
        start = time.perf_counter()
        reply = await asyncio.to_thread(client.post, f"/api/modules/{module_id}/run", {"mode": "run"})
        replied = time.perf_counter() - start
        run_id = reply.json()["id"]
        await layer.group_add(group_name(f"run:{run_id}"), channel)
        joined = time.perf_counter() - start
        first: float | None = None
        first_seq: int | None = None
        while True:
            message = await asyncio.wait_for(layer.receive(channel), timeout=300)
            event = message["event"]
            if event["type"] == "partial" and first is None:
                first, first_seq = time.perf_counter() - start, event["seq"]
            if event["type"] == "finished":
                return {"first": first, "total": time.perf_counter() - start, "replied": replied, "joined": joined,
                        "result": event["data"]["result"], "first_seq": first_seq}

    return asyncio.run(main())


def run_e2e(h: Harness, rows: int) -> dict[str, list[dict[str, Any]]]:
    code = E2E_SETUP.replace("ROWS", str(rows)).replace("BINS", str(BINS))
    with timer() as made:
        done = subprocess.run([str(PYTHON), "manage.py", "shell", "-c", code], cwd=ROOT, env=h.env,
                              capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(f"end-to-end fixtures failed:\n{done.stderr[-3000:]}")
    modules = json.loads(done.stdout.strip().splitlines()[-1])
    log(f"end to end: made {rows:,} rows as a dataset in {made['s']:.1f} s")
    measured: dict[str, list[dict[str, Any]]] = {}
    with h.app() as app:
        for rep in range(REPS):
            for op in ("max", "hist"):
                out = subprocess.run([str(PYTHON), "-m", "bench.progressive_bench", "e2e", str(modules[op]), app.url],
                                     cwd=ROOT, env=h.env, check=True, capture_output=True, text=True)
                result = json.loads(out.stdout.strip().splitlines()[-1])
                measured.setdefault(op, []).append(result)
                log(f"end to end {op} rep {rep + 1}: first partial {result['first']:.3f} s, run {result['result']} "
                    f"after {result['total']:.2f} s (reply {result['replied'] * 1000:.0f} ms)")
    return measured


# --- the section -----------------------------------------------------------------------------------

def _verdict(ok: bool) -> str:
    return "pass" if ok else "miss"


def run(h: Harness) -> Section:
    url = h.ws_url
    made = {}
    for dataset_id, rows in ((SMALL_ID, SMALL), (BIG_ID, BIG)):
        made[rows] = make_table(url, dataset_id, rows)
        log(f"made {rows:,} rows in {made[rows]:.1f} s")
    section = Section(KEY, TITLE)
    try:
        measured: dict[str, list[dict[str, Any]]] = {}
        for rep in range(REPS):
            for op in ("max", "hist"):
                result = run_child(op, BIG_ID, BIG, url)
                measured.setdefault(op, []).append(result)
                log(f"{op} rep {rep + 1}: first {result['first']:.3f} s, total {result['total']:.2f} s, "
                    f"one-shot {result['one_shot']:.2f} s, exact {result['exact']}")
        small = {op: run_child(op, SMALL_ID, SMALL, url) for op in ("max", "hist")}
        pv, pv_why = run_progressivis(BIG)
    finally:
        with psycopg.connect(url, autocommit=True) as conn:
            from apps.engine import storage

            for dataset_id in (SMALL_ID, BIG_ID):
                storage.drop_table(conn, dataset_id)
    e2e = run_e2e(h, BIG)

    names = {"max": "Max", "hist": f"Histogram({BINS})"}
    for op, results in measured.items():
        name = names[op]
        first = median(r["first"] for r in results)
        tail = [i for r in results for i in r["intervals"][3:]]
        p90 = percentile(tail, 0.9)
        scan_p90 = percentile([s for r in results for s in r["scan_steps"][3:]], 0.9)
        total = median(r["total"] for r in results)
        one_shot = median(r["one_shot"] for r in results)
        exact = all(r["exact"] for r in results)
        section.rows += [
            Row(f"{name}, 10M rows: first partial result after start", f"{first:.3f} s",
                f"ProgressiVis in memory: {pv['first']:.3f} s" if pv and op == "max" else "—", "—", "≤ 0.5 s",
                _verdict(first <= 0.5)),
            Row(f"{name}, 10M rows, end to end: first `partial` on the run's channel-layer topic after "
                "POST /api/modules/{id}/run", f"{median(r['first'] for r in e2e[op]):.3f} s",
                f"engine alone {first:.3f} s", "—", "≤ 0.5 s", _verdict(median(r["first"] for r in e2e[op]) <= 0.5)),
            Row(f"{name}: p90 step (time between partial results, after the first three), quantum {QUANTUM} s",
                f"{p90:.3f} s (scan step alone {scan_p90:.3f} s)", "—", f"{p90 / QUANTUM:.2f}× quantum",
                "≤ 1.5× quantum", _verdict(p90 <= 1.5 * QUANTUM)),
            Row(f"{name}: total, 10M rows ({'exact' if exact else 'NOT EXACT'} vs SQL)", f"{total:.2f} s",
                f"one-shot SQL {one_shot:.2f} s", f"{total / one_shot:.1f}×", "≤ 2×", _verdict(total <= 2 * one_shot)),
        ]
    for op in ("max", "hist"):
        big_rss = max(r["rss"] for r in measured[op])
        section.rows.append(Row(
            f"{names[op]}: worker peak RSS, 1M vs 10M rows", f"{small[op]['rss'] / 2**20:,.0f} MiB vs {big_rss / 2**20:,.0f} MiB",
            f"after imports: {small[op]['rss_before'] / 2**20:,.0f} MiB", f"{big_rss / small[op]['rss']:.2f}×",
            "flat in the dataset's size", _verdict(big_rss <= 1.25 * small[op]["rss"])))
    if pv is not None:
        section.rows.append(Row("ProgressiVis 0.4.0 Max, 10M float64 in memory: first partial / total",
                                f"{pv['first']:.3f} s / {pv['total']:.2f} s", f"peak RSS {pv['rss'] / 2**20:,.0f} MiB",
                                "—", "for comparison", ""))
    else:
        section.rows.append(Row("ProgressiVis 0.4.0 Max, 10M float64 in memory", f"not measured: {pv_why}"))
    section.notes += [
        f"Data: {BIG:,} and {SMALL:,} rows of `x double precision` (random() * 1000) made with generate_series "
        f"in {made[BIG]:.1f} s and {made[SMALL]:.1f} s (primary key built after the load, then VACUUM ANALYZE). "
        f"Medians of {REPS} runs, each in a fresh process; the one-shot SQL runs in the same process just before "
        "the progressive run. Times are the engine's (Scheduler.run), except the end-to-end rows.",
        "End to end: a client sends POST /api/modules/{id}/run to the web process (uvicorn), which records the run "
        "and queues it; the Celery worker (solo pool) plans and runs it; the client joins the run's topic group "
        "on the real Redis channel layer (channels_redis) as soon as the reply names the run, and the time is from "
        "sending the request to receiving the first `partial` event (what a browser subscribed to `run:<id>` "
        "gets, minus the WebSocket hop). Medians of "
        f"{REPS} runs per module (the same 10M rows, made as a dataset; Max of x, Histogram({BINS}) of x over "
        "0..1000); the worker is warm after the first run. Run results: "
        + ", ".join(f"{op} {sorted({r['result'] for r in rs})}" for op, rs in e2e.items()) + ".",
        "PgScan reads bounded keyset pages (`record_id > lo AND record_id <= hi`). Max and Histogram are each "
        "its only consumer, so they are wired as a run wires them (`push_down`, docs/progressive.md \"Pushdown\"): "
        "each page query returns the page's partial aggregate (max; per-bin counts by width_bucket over the exact "
        "edges) instead of the rows (MB_BENCH_PUSHDOWN=0 measures the row path). The one-shot SQL is a parallel "
        "sequential scan; a page is an index range scan (parallel for Max, not for the histogram's GROUP BY), "
        "which is where the remaining gap comes from.",
    ]
    return section


if __name__ == "__main__":
    if len(sys.argv) >= 2 and sys.argv[1] == "e2e-only":  # only the end-to-end part: prints its runs
        with Harness() as harness:
            runs = run_e2e(harness, int(sys.argv[2]) if len(sys.argv) > 2 else BIG)
        print(json.dumps({op: {"first_median": median(r["first"] for r in rs), "runs": rs} for op, rs in runs.items()}))
    elif len(sys.argv) >= 2 and sys.argv[1] == "e2e":
        print(json.dumps(e2e_child(int(sys.argv[2]), sys.argv[3])))
    elif len(sys.argv) >= 2 and sys.argv[1] == "child":
        os.environ.setdefault("PYTHONHASHSEED", "0")
        print(json.dumps(child(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5])))
    else:
        print(__doc__)
