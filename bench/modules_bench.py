"""Modules: `GET /api/modules/` of 1,000 modules with their status (server time and SQL queries), and
the latency from the commit of a change that makes a module OutOfDate to the `status` event arriving
at 50 WebSocket clients subscribed to `modules`.

The app side runs in subprocesses of this same file (`python -m bench.modules_bench <command>`, with
the bench app's environment and Django set up): seeding in bulk through the ORM, counting queries with
Django's test client, and making changes through the real services while noting each commit's time
(an on_commit callback registered before the change's own, so it runs first, right at the commit).
The WebSocket clients are autobahn (installed with daphne) on one asyncio loop in the bench process."""

from __future__ import annotations

import asyncio
import json
import os
import re
import subprocess
import sys
import time
from typing import Any
from urllib.parse import urlsplit

from bench.harness import PYTHON, ROOT, App, Harness, Row, Section, log, median, percentile

KEY = "modules"
TITLE = "Modules: list with status, live status latency"

N_MODULES = 1000
LIST_REQUESTS = 20
CLIENTS = 50
CHANGES = 30
GAP_SECONDS = 0.3
LIST_TARGET_MS = 200.0
LATENCY_TARGET_MS = 200.0
NEWER = re.compile(r"has a newer (?:final )?version \((\d+)\)")  # IN bindings say "newer version", INOUT "newer final version"


# --- the app side (run in a subprocess with the bench app's environment) -------------------------------

def _django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")
    import django

    django.setup()


def _demo_run(demo: Any) -> Any:
    """The demo module's run record as the runner writes it (input read, NEW output published with
    its MODULE_ID keyword), without running it: the bench measures status, not the runner."""
    from django.utils import timezone

    from apps.datasets.models import Dataset, DatasetVersion
    from apps.runs.models import Run

    placeholder_in, placeholder_out = sorted(demo.dataset_bindings, key=lambda p: "output" in p)
    source = Dataset.objects.get(pk=demo.dataset_bindings[placeholder_in]["dataset"])
    run = Run.objects.create(module=demo, run_number=1, user=demo.creator, type_version=demo.type_version,
                             started_at=timezone.now())
    output = Dataset.objects.create(name=f"{demo.name} #{run.pk}", dataset_type=source.dataset_type,
                                    project=demo.project, creator=demo.creator,
                                    keywords={"MODULE_ID": str(demo.pk), "MODULE_PLACEHOLDER": placeholder_out})
    DatasetVersion.objects.create(dataset=output, number=0, name="run 1", path=[0], creator=demo.creator,
                                  last_modified=timezone.now())
    run.datasets = [
        {"path": "", "placeholder": placeholder_in, "direction": "IN", "dataset": source.pk,
         "dataset_name": source.name, "version": demo.dataset_bindings[placeholder_in]["version"]},
        {"path": "", "placeholder": placeholder_out, "direction": "OUT", "dataset": output.pk,
         "dataset_name": output.name, "version": 0, "output_method": "NEW"}]
    run.result, run.stage, run.ended_at = "SUCCESS", "COMPLETED", timezone.now()
    run.save()
    return run


def app_seed(n_modules: int) -> dict[str, Any]:
    """n_modules modules of the demo type (the demo module included). Three in four have a finished
    SUCCESS run like the demo module's real one; one in ten reads the demo module's output (so status
    follows upstream modules too). Plus a probe dataset read through a version-less binding by a probe
    module that is UpToDate. Returns ids and a session cookie for the WebSocket clients."""
    import io
    from datetime import timedelta

    from django.conf import settings
    from django.test import Client
    from django.utils import timezone

    from apps.accounts.models import User
    from apps.datasets.models import Dataset
    from apps.datasets.services import dataset_create, dataset_import, version_finalize
    from apps.modules.models import Module
    from apps.runs.models import Run

    demo = Module.objects.get(name="Emission Factors +15%")
    before = timezone.now() - timedelta(minutes=1)
    Module.objects.filter(pk=demo.pk).update(last_modified=before)
    real = _demo_run(demo)
    source_row = next(d for d in real.datasets if d["direction"] == "IN")
    output_row = next(d for d in real.datasets if d["direction"] == "OUT")
    now = timezone.now()
    modules = []
    for i in range(n_modules - 2):
        row = output_row if i % 10 == 0 else source_row
        bindings = {**demo.dataset_bindings,
                    source_row["placeholder"]: {"dataset": row["dataset"], "version": row["version"]}}
        modules.append(Module(name=f"Bench module {i:04}", description="bench", project=demo.project,
                              creator=demo.creator, type_version=demo.type_version, dataset_bindings=bindings,
                              parameter_bindings=demo.parameter_bindings, tags=["bench"], last_modified=before))
    Module.objects.bulk_create(modules, batch_size=500)
    runs = []
    for i, module in enumerate(modules):
        if i % 4 == 3:
            continue
        read = {**source_row, **({"dataset": output_row["dataset"], "dataset_name": output_row["dataset_name"],
                                  "version": output_row["version"]} if i % 10 == 0 else {})}
        runs.append(Run(module=module, run_number=1, user=demo.creator, type_version=demo.type_version,
                        stage="COMPLETED", result="SUCCESS", started_at=now, ended_at=now,
                        datasets=[read, output_row], parameters=real.parameters))
    Run.objects.bulk_create(runs, batch_size=500)
    owner = demo.creator
    probe_data = dataset_create(name="Bench probe input", dataset_type=Dataset.objects.get(pk=source_row["dataset"])
                                .dataset_type, project=demo.project, creator=owner)
    version_finalize(version=dataset_import(dataset=probe_data, user=owner, stream=io.BytesIO(
        b"fuel_type,pollutant,year,emission_factor,comments\nCoal,NOx,2016,1,x\n")))
    probe = Module.objects.create(
        name="Bench probe", project=demo.project, creator=owner, type_version=demo.type_version,
        dataset_bindings={**demo.dataset_bindings, source_row["placeholder"]: {"dataset": probe_data.pk,
                                                                                "version": None}},
        parameter_bindings=demo.parameter_bindings, last_modified=before)
    started = timezone.now()
    Run.objects.create(module=probe, run_number=1, user=owner, type_version=demo.type_version, stage="COMPLETED",
                       result="SUCCESS", started_at=started, ended_at=started,
                       datasets=[{**source_row, "dataset": probe_data.pk, "dataset_name": probe_data.name,
                                  "version": 0}])
    from apps.modules.status_refresh import status_refresh

    status_refresh(module_ids=[probe.pk])
    client = Client()
    client.force_login(User.objects.get(username="viewer"))
    return {"modules": Module.objects.count(), "probe": probe.pk, "probe_dataset": probe_data.pk,
            "cookie": f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"}


def app_queries() -> dict[str, Any]:
    """SQL queries of the list endpoint for 10 modules and for all of them (same request otherwise)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from apps.accounts.models import User

    client = Client()
    client.force_login(User.objects.get(username="admin"))
    counts = {}
    for label, query in (("10", "?search=Bench module 000"), ("all", "")):
        client.get(f"/api/modules/{query}")
        with CaptureQueriesContext(connection) as queries:
            rows = client.get(f"/api/modules/{query}").json()
        counts[label] = {"modules": len(rows), "queries": len(queries)}
    return counts


def app_changes(dataset_id: int, count: int, gap: float) -> None:
    """Imports and finalizes `count` new versions of the probe dataset, one per transaction; prints each
    commit's time."""
    import io

    from django.db import transaction

    from apps.accounts.models import User
    from apps.datasets.models import Dataset
    from apps.datasets.services import dataset_import, version_finalize

    user = User.objects.get(username="modeler")
    for _ in range(count):
        committed: list[float] = []
        with transaction.atomic():
            transaction.on_commit(lambda stamps=committed: stamps.append(time.time()))  # type: ignore[misc]
            version = version_finalize(version=dataset_import(
                dataset=Dataset.objects.get(pk=dataset_id), user=user, stream=io.BytesIO(
                    b"fuel_type,pollutant,year,emission_factor,comments\nCoal,NOx,2016,2,y\n")))
        print(json.dumps({"version": version.number, "committed": committed[0]}), flush=True)
        time.sleep(gap)


def app_main(argv: list[str]) -> None:
    _django()
    command = argv[0]
    if command == "seed":
        print(json.dumps(app_seed(int(argv[1]))))
    elif command == "queries":
        print(json.dumps(app_queries()))
    elif command == "changes":
        app_changes(int(argv[1]), int(argv[2]), float(argv[3]))
    else:
        raise SystemExit(f"unknown command {command!r}")


# --- the bench side ------------------------------------------------------------------------------------

def _app_command(h: Harness, *args: Any) -> Any:
    done = subprocess.run([str(PYTHON), "-m", "bench.modules_bench", *map(str, args)], cwd=ROOT, env=h.env,
                          check=True, capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def measure_list(app: App) -> dict[str, Any]:
    client = app.client("admin")
    client.get("/api/modules/")
    replies = [client.get("/api/modules/") for _ in range(LIST_REQUESTS)]
    rows = replies[-1].json()
    server = [r.server_ms or float("nan") for r in replies]
    return {"server": server, "wall": [r.seconds * 1000 for r in replies], "rows": len(rows),
            "bytes": len(replies[-1].body), "out_of_date": sum(r["status"] == "OutOfDate" for r in rows),
            "upstream": sum(any(x["code"] == "upstream_out_of_date" for x in r["reasons"]) for r in rows)}


async def _listen(url: str, cookie: str, probe: int, arrivals: dict[int, list[float]],
                  ready: asyncio.Event, counter: list[int]) -> Any:
    from autobahn.asyncio.websocket import WebSocketClientFactory, WebSocketClientProtocol

    parts = urlsplit(url)

    class Listener(WebSocketClientProtocol):  # type: ignore[misc]
        def onOpen(self) -> None:  # noqa: N802 (autobahn's name)
            self.sendMessage(json.dumps({"action": "subscribe", "topic": "modules"}).encode())

        def onMessage(self, payload: bytes, is_binary: bool) -> None:  # noqa: N802
            now = time.time()
            event = json.loads(payload)
            if event.get("type") == "subscribed":
                counter[0] += 1
                if counter[0] == CLIENTS:
                    ready.set()
            elif event.get("type") == "status" and event["data"]["module"] == probe:
                for reason in event["data"]["reasons"]:
                    found = NEWER.search(reason["message"])
                    if found:
                        arrivals.setdefault(int(found[1]), []).append(now)

    factory = WebSocketClientFactory(f"ws://{parts.hostname}:{parts.port}/ws/",
                                     headers={"Cookie": cookie, "Origin": f"http://{parts.hostname}:{parts.port}"})
    factory.protocol = Listener
    loop = asyncio.get_running_loop()
    transport, _ = await loop.create_connection(factory, parts.hostname, parts.port)
    return transport


async def measure_latency(h: Harness, app: App, seeded: dict[str, Any]) -> dict[str, Any]:
    arrivals: dict[int, list[float]] = {}
    ready, counter = asyncio.Event(), [0]
    transports = [await _listen(app.url, seeded["cookie"], seeded["probe"], arrivals, ready, counter)
                  for _ in range(CLIENTS)]
    await asyncio.wait_for(ready.wait(), 30)
    process = await asyncio.create_subprocess_exec(
        str(PYTHON), "-m", "bench.modules_bench", "changes", str(seeded["probe_dataset"]), str(CHANGES),
        str(GAP_SECONDS), cwd=ROOT, env=h.env, stdout=asyncio.subprocess.PIPE)
    commits: dict[int, float] = {}
    assert process.stdout is not None
    cpu_before, wall_before = time.process_time(), time.monotonic()
    while line := await process.stdout.readline():
        change = json.loads(line)
        commits[change["version"]] = change["committed"]
    await process.wait()
    await asyncio.sleep(1.0)
    client_cpu = (time.process_time() - cpu_before) / (time.monotonic() - wall_before)
    for transport in transports:
        transport.close()
    latencies = [(t - commits[v]) * 1000 for v, times in arrivals.items() if v in commits for t in times]
    # Per change: the first client's latency (server side only, nearly) and the spread to the last
    # client (the web process sending 50 frames + these 50 clients sharing one thread).
    firsts = [(min(times) - commits[v]) * 1000 for v, times in arrivals.items() if v in commits]
    spreads = [(max(times) - min(times)) * 1000 for v, times in arrivals.items() if v in commits]
    return {"latencies": latencies, "expected": CHANGES * CLIENTS, "changes": len(commits), "firsts": firsts,
            "spreads": spreads, "client_cpu": client_cpu}


def run(h: Harness) -> Section:
    with h.app() as app:
        log(f"seeding {N_MODULES} modules")
        seeded = _app_command(h, "seed", N_MODULES)
        log("list: server time")
        listed = measure_list(app)
        log("list: SQL queries")
        queries = _app_command(h, "queries")
        log(f"live: {CLIENTS} WebSocket clients, {CHANGES} changes")
        live = asyncio.run(measure_latency(h, app, seeded))
    return build_section(listed, queries, live, seeded)


def build_section(listed: dict[str, Any], queries: dict[str, Any], live: dict[str, Any],
                  seeded: dict[str, Any]) -> Section:
    server_median = median(listed["server"])
    lat = live["latencies"]
    p95 = percentile(lat, 0.95) if lat else float("nan")
    q10, qall = queries["10"], queries["all"]
    rows = [
        Row(f"`GET /api/modules/` of {listed['rows']:,} modules with status, server time (Server-Timing), median of "
            f"{LIST_REQUESTS}", f"{server_median:.1f} ms (p90 {percentile(listed['server'], 0.9):.1f}, max "
            f"{max(listed['server']):.1f})", target=f"≤ {LIST_TARGET_MS:.0f} ms",
            verdict="pass" if server_median <= LIST_TARGET_MS else "miss"),
        Row("SQL queries of that request: 10 modules → all modules",
            f"{q10['queries']} ({q10['modules']} modules) → {qall['queries']} ({qall['modules']} modules)",
            target="does not grow", verdict="pass" if q10["queries"] == qall["queries"] else "miss"),
        Row(f"Commit → `status` event at {CLIENTS} WebSocket clients (topic `modules`), p95 over "
            f"{len(lat):,} deliveries ({live['changes']} changes)",
            f"{p95:.1f} ms (median {median(lat) if lat else float('nan'):.1f}, max {max(lat) if lat else float('nan'):.1f})",
            target=f"≤ {LATENCY_TARGET_MS:.0f} ms", verdict="pass" if p95 <= LATENCY_TARGET_MS else "miss"),
        Row("Deliveries received / expected", f"{len(lat):,} / {live['expected']:,}", target="all",
            verdict="pass" if len(lat) == live["expected"] else "miss"),
        Row("Of that: commit → the first client's event, median (p95); first → last client, median (p95); "
            "the 50 clients' thread busy",
            f"{median(live['firsts']):.1f} ms ({percentile(live['firsts'], 0.95):.1f}); "
            f"{median(live['spreads']):.1f} ms ({percentile(live['spreads'], 0.95):.1f}); "
            f"{live['client_cpu']:.0%} of the time"),
        Row("List: client wall time median; response size", f"{median(listed['wall']):.1f} ms; "
            f"{listed['bytes'] / 1024:,.0f} KiB"),
        Row("List: OutOfDate modules (of them with an upstream reason)",
            f"{listed['out_of_date']:,} ({listed['upstream']:,})"),
    ]
    notes = [
        "How the numbers are taken:",
        "",
        f"- {seeded['modules']:,} modules of the demo type, bulk-created through the ORM with run records "
        "written the way the runner writes them (inputs read, a NEW output with its MODULE_ID keyword), not "
        "executed: the demo module, three in four of the others with a SUCCESS run, one in ten reading the "
        "demo module's output (so status follows upstream modules), and a probe module. Status is computed "
        "afresh on every request (no cache), in a fixed number of queries. The list reads columns with "
        "`values_list` (JSON and timestamps as text, decoded by orjson / `datetime.fromisoformat`), builds "
        "its rows directly and renders them with orjson (apps/modules/listing.py, apps/api/renderers.py).",
        "- List: `GET /api/modules/` as the admin over HTTP with a token (the harness's web server, loopback), after one warm-up "
        "request. Query counts come from Django's test client with `CaptureQueriesContext` in a separate "
        "process against the same databases (the same request with `search` narrowing it to 10 modules).",
        f"- Live: {CLIENTS} autobahn WebSocket clients (one viewer session) subscribe to `modules`; a separate "
        f"process imports and finalizes {CHANGES} new versions of the probe module's input (bound without "
        f"version, i.e. the latest one), each in one transaction, through the real services, {GAP_SECONDS} s apart. The commit time is taken by an on_commit callback "
        "registered before the service's own hooks; the arrival time when a client's `onMessage` runs. "
        "Both clocks are the same machine's `time.time()`. The latency therefore includes the status "
        "recomputation of the affected modules, Redis INCR + channels_redis group_send, the web server and the "
        "clients' event loop (all 50 on one Python thread, so the last client's delivery waits for the others').",
    ]
    return Section(KEY, TITLE, rows=rows, notes=notes)


if __name__ == "__main__":
    app_main(sys.argv[1:])
