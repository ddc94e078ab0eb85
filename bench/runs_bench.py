"""Runs: the runner's overhead for a no-op module, a 1,000,000-row INSERT … SELECT module against the same
statement in psql, and a 20-submodule chain composite against `dbt run` of 20 chained models.

Everything goes through the real path: `POST /api/modules/{id}/run` on the web process, the Celery
worker (solo pool) runs it, the client polls the run's row (every 5 ms) until it has a result, then reads
`GET /api/runs/{id}`.
dbt runs from its own venv (bench/.venv-dbt: dbt-core 1.10.*, dbt-postgres 1.9.*), created when
missing, against the same workspace database.

`python -m bench runs` runs all of it and rewrites its section of docs/benchmarks.md. To iterate on
the runner, `python -m bench.runs_bench [--reps N]` runs only the no-op part (same harness, no 1M-row
fixture, no dbt) and prints its rows without touching the docs."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import psycopg

from bench.harness import (
    PYTHON,
    ROOT,
    Client,
    Harness,
    Row,
    Section,
    log,
    median,
    psql,
    sql_value,
    timer,
)

KEY = "runs"
TITLE = "Runs: runner overhead, INSERT … SELECT, composite chain vs dbt"

USER = "modeler"
NOOP_REPS = 30
BIG_ROWS = 1_000_000
BIG_REPS = 5
CHAIN = 20
CHAIN_ROWS = 1_000
CHAIN_REPS = 5
DBT_VENV = ROOT / "bench" / ".venv-dbt"
DBT_PACKAGES = ["dbt-core==1.10.*", "dbt-postgres==1.9.*"]
POLL_SECONDS = 0.005

SETUP = r"""
import json
from django.utils import timezone
from apps.accounts.models import Project, User
from apps.datasets.models import DatasetVersion
from apps.datasets.services import dataset_create, dataset_type_create
from apps.datasets.workspace import workspace
from apps.engine.storage import qualified_text
from apps.modules.models import Module
from apps.moduletypes.services import module_type_create

user = User.objects.get(username="modeler")
project = Project.objects.filter(memberships__user=user).first() or Project.objects.first()
dtype = dataset_type_create(name="Bench run rows", description="", creator=user, columns=[
    {"name": "k", "sql_type": "integer"}, {"name": "v", "sql_type": "double precision"},
    {"name": "label", "sql_type": "text"}])

def rows(name, n):
    dataset = dataset_create(name=name, dataset_type=dtype, project=project, creator=user)
    with workspace() as conn:
        conn.execute(f"SELECT set_config('mb.v{dataset.pk}', '0', true)")
        conn.execute(f"INSERT INTO {qualified_text(dataset.pk)} (k, v, label) "
                     "SELECT g, g * 0.5, 'row ' || g FROM generate_series(1, %s) g", [n])
    with workspace() as conn:
        conn.execute(f"ANALYZE {qualified_text(dataset.pk)}")
    DatasetVersion.objects.create(dataset=dataset, number=0, name="Initial", path=[0], row_count=n, is_final=True,
                                  creator=user, last_modified=timezone.now())
    return dataset

def slot(ph, mode):
    return {"placeholder": ph, "mode": mode, "dataset_type": dtype.pk, "is_optional": False, "description": ""}

def simple(name, algorithm, slots):
    return module_type_create(name=name, kind="simple", project=project, creator=user, version={
        "algorithm": algorithm, "dataset_slots": slots, "parameter_slots": []}).versions.get()

def module(name, version, bindings):
    return Module.objects.create(name=name, type_version=version, project=project, creator=user,
                                 dataset_bindings=bindings, last_modified=timezone.now()).pk

big, small = rows("Bench 1M rows", BIG_ROWS), rows("Bench chain rows", CHAIN_ROWS)
noop = simple("Bench no-op", "NULL;", [])
copy = simple("Bench copy", "INSERT INTO ${dst} (k, v, label) SELECT k, v, label FROM ${src};",
              [slot("src", "IN"), slot("dst", "OUT")])
step = simple("Bench plus one", "INSERT INTO ${dst} (k, v, label) SELECT k, v + 1, label FROM ${src};",
              [slot("src", "IN"), slot("dst", "OUT")])
names = [f"m{i:02d}" for i in range(1, CHAIN + 1)]
wires = [{"kind": "dataset", "source": {"submodule": None, "slot": "x"}, "target": {"submodule": 1, "slot": "src"}}]
wires += [{"kind": "dataset", "source": {"submodule": i, "slot": "dst"}, "target": {"submodule": i + 1, "slot": "src"}}
          for i in range(1, CHAIN)]
wires += [{"kind": "dataset", "source": {"submodule": CHAIN, "slot": "dst"}, "target": {"submodule": None, "slot": "y"}}]
chain = module_type_create(name="Bench chain", kind="composite", project=project, creator=user, version={
    "graph": {"submodules": [{"id": i + 1, "name": n, "version": step.pk} for i, n in enumerate(names)],
              "connections": wires},
    "dataset_slots": [slot("x", "IN"), slot("y", "OUT")], "parameter_slots": []}).versions.get()
new = lambda p: {"output_method": "NEW", "name_pattern": p + " #${run.id}"}
print(json.dumps({
    "noop": module("Bench no-op", noop, {}),
    "copy": module("Bench copy 1M", copy, {"src": {"dataset": big.pk, "version": 0}, "dst": new("copy 1M")}),
    "chain": module("Bench chain 20", chain, {"x": {"dataset": small.pk, "version": 0}, "y": new("chain")}),
    "big_table": qualified_text(big.pk), "small_table": qualified_text(small.pk)}))
"""


def setup_fixtures(h: Harness, big_rows: int = BIG_ROWS) -> dict[str, Any]:
    code = SETUP.replace("BIG_ROWS", str(big_rows)).replace("CHAIN_ROWS", str(CHAIN_ROWS)).replace(
        "CHAIN", str(CHAIN))
    done = subprocess.run([str(PYTHON), "manage.py", "shell", "-c", code], cwd=ROOT, env=h.env, check=True,
                          capture_output=True, text=True)
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def when(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


class Runner:
    """Starts runs over HTTP and waits for their result by polling the run's row in the app database
    every 5 ms (a 1 ms query; polling `GET /api/runs/{id}` as often would load the 2 cores with the web
    process's work and slow the run being measured), then reads the record once over HTTP."""

    def __init__(self, client: Client, app_db_url: str) -> None:
        self.client = client
        self.db = psycopg.connect(app_db_url, autocommit=True)

    def close(self) -> None:
        self.db.close()

    def run(self, module_id: int) -> dict[str, Any]:
        started = time.perf_counter()
        run_id = self.client.post(f"/api/modules/{module_id}/run", {"mode": "run"}).json()["id"]
        while not (row := self.db.execute("SELECT result FROM runs_run WHERE id = %s", [run_id]).fetchone()) or \
                not row[0]:
            time.sleep(POLL_SECONDS)
        client_s = time.perf_counter() - started
        record: dict[str, Any] = self.client.get(f"/api/runs/{run_id}").json()
        record["client_s"] = client_s
        if record["result"] != "SUCCESS":
            raise RuntimeError(f"run {run_id} of module {module_id}: {record['result']} {record['error']}")
        record["worker_s"] = (when(record["ended_at"]) - when(record["started_at"])).total_seconds()
        record["queue_s"] = (when(record["started_at"]) - when(record["created_at"])).total_seconds()
        return record


def noop_overhead(runner: Runner, ids: dict[str, Any], reps: int = NOOP_REPS) -> dict[str, float]:
    runner.run(ids["noop"])  # warm-up: connections, imports, caches
    records = [runner.run(ids["noop"]) for _ in range(reps)]
    step = [r["steps"][0] for r in records]
    sandbox = [(when(s["ended_at"]) - when(s["started_at"])).total_seconds() for s in step]
    return {"worker": median(r["worker_s"] for r in records), "client": median(r["client_s"] for r in records),
            "queue": median(r["queue_s"] for r in records), "script": median(s["seconds"] for s in step),
            "sandbox": median(sandbox),
            "bookkeeping": median(r["worker_s"] - b for r, b in zip(records, sandbox, strict=True)),
            "p90_worker": sorted(r["worker_s"] for r in records)[int(0.9 * (reps - 1))], "reps": reps}


def insert_select(h: Harness, runner: Runner, ids: dict[str, Any]) -> dict[str, float]:
    shaped = ("CREATE TABLE bench_runs_out (record_id bigserial PRIMARY KEY, mb_version integer NOT NULL DEFAULT 0, "
              "mb_deleted integer[] NOT NULL DEFAULT '{}', k integer, v double precision, label text)")
    source = (f"SELECT k, v, label FROM {ids['big_table']} "
              "WHERE mb_version = ANY(ARRAY[0]::integer[]) AND NOT (mb_deleted && ARRAY[0]::integer[])")
    ours, worker, script, baseline = [], [], [], []
    for round_number in range(BIG_REPS):
        psql(h.ws_url, "DROP TABLE IF EXISTS bench_runs_out; " + shaped)
        if round_number % 2:  # alternate who goes first: a checkpoint or autovacuum hits either side
            record = runner.run(ids["copy"])
            baseline.append(psql(h.ws_url, f"INSERT INTO bench_runs_out (k, v, label) {source}"))
        else:
            baseline.append(psql(h.ws_url, f"INSERT INTO bench_runs_out (k, v, label) {source}"))
            record = runner.run(ids["copy"])
        ours.append(record["client_s"])
        worker.append(record["worker_s"])
        script.append(record["steps"][0]["seconds"])
        rows = sql_value(h.ws_url, "SELECT count(*) FROM bench_runs_out")
        if rows != BIG_ROWS:
            raise RuntimeError(f"psql baseline wrote {rows} rows")
        produced = next(d for d in record["datasets"] if d["direction"] == "OUT")
        psql(h.ws_url, f"DROP TABLE mb_data.ds_{int(produced['dataset'])}")  # keep the disk use flat
    psql(h.ws_url, "DROP TABLE IF EXISTS bench_runs_out")
    return {"ours": median(ours), "worker": median(worker), "script": median(script), "psql": median(baseline)}


def dbt_venv() -> Path:
    dbt = DBT_VENV / "bin" / "dbt"
    if not dbt.exists():
        log(f"creating {DBT_VENV.relative_to(ROOT)} ({', '.join(DBT_PACKAGES)})")
        subprocess.run([sys.executable, "-m", "venv", str(DBT_VENV)], check=True)
        subprocess.run([str(DBT_VENV / "bin" / "pip"), "install", "-q", *DBT_PACKAGES], check=True)
    return dbt


def dbt_project(h: Harness, source_table: str) -> Path:
    from urllib.parse import urlsplit

    url = urlsplit(h.ws_url)
    project = h.work / "dbt_chain"
    (project / "models").mkdir(parents=True, exist_ok=True)
    (project / "dbt_project.yml").write_text(
        "name: chain\nversion: '1.0'\nconfig-version: 2\nprofile: chain\nmodel-paths: ['models']\n"
        "models:\n  chain:\n    +materialized: table\n")
    (project / "profiles.yml").write_text(
        "chain:\n  target: bench\n  outputs:\n    bench:\n      type: postgres\n"
        f"      host: {url.hostname}\n      port: {url.port or 5432}\n      user: {url.username or 'postgres'}\n"
        f"      password: '{url.password or ''}'\n      dbname: {url.path.lstrip('/')}\n"
        "      schema: dbt_chain\n      threads: 4\n")
    previous = f"(SELECT k, v, label FROM {source_table} WHERE mb_version = 0)"
    for i in range(1, CHAIN + 1):
        (project / "models" / f"m{i:02d}.sql").write_text(f"select k, v + 1 as v, label from {previous} as src\n")
        previous = f"{{{{ ref('m{i:02d}') }}}}"
    return project


def dbt_run(dbt: Path, project: Path) -> float:
    with timer() as t:
        subprocess.run([str(dbt), "run", "--project-dir", str(project), "--profiles-dir", str(project), "--quiet"],
                       check=True, cwd=project, stdout=subprocess.DEVNULL)
    return t["s"]


def chain_vs_dbt(h: Harness, runner: Runner, ids: dict[str, Any]) -> dict[str, Any]:
    dbt = dbt_venv()
    version = subprocess.run([str(dbt), "--version"], capture_output=True, text=True).stdout.split("\n")
    project = dbt_project(h, ids["small_table"])
    dbt_run(dbt, project)  # warm-up: the first run parses the project
    runner.run(ids["chain"])
    ours, worker, steps, theirs = [], [], [], []
    for round_number in range(CHAIN_REPS):
        if round_number % 2:
            record = runner.run(ids["chain"])
            theirs.append(dbt_run(dbt, project))
        else:
            theirs.append(dbt_run(dbt, project))
            record = runner.run(ids["chain"])
        ours.append(record["client_s"])
        worker.append(record["worker_s"])
        steps.append(sum(s["seconds"] for s in record["steps"]))
        if len(record["steps"]) != CHAIN:
            raise RuntimeError(f"expected {CHAIN} steps, got {len(record['steps'])}")
    check = sql_value(h.ws_url, f"SELECT sum(v) FROM dbt_chain.m{CHAIN:02d}")
    psql(h.ws_url, "DROP SCHEMA IF EXISTS dbt_chain CASCADE")
    return {"ours": median(ours), "worker": median(worker), "scripts": median(steps), "dbt": median(theirs),
            "dbt_version": " ".join(line.strip() for line in version if "installed" in line or "postgres" in line),
            "dbt_sum": check}


def run(h: Harness) -> Section:
    log("fixtures: a 1M-row and a 1k-row dataset, a no-op module, a copy module, a 20-step chain")
    ids = setup_fixtures(h)
    with h.app() as app:
        runner = Runner(app.client(USER), h.app_url)
        try:
            log(f"no-op module: {NOOP_REPS} runs")
            noop = noop_overhead(runner, ids)
            log(f"INSERT … SELECT of {BIG_ROWS:,} rows vs psql: {BIG_REPS} rounds")
            big = insert_select(h, runner, ids)
            log(f"{CHAIN}-submodule chain vs dbt: {CHAIN_REPS} rounds")
            chain = chain_vs_dbt(h, runner, ids)
        finally:
            runner.close()
    return section(noop, big, chain)


def verdict(ok: bool) -> str:
    return "pass" if ok else "miss"


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def noop_rows(noop: dict[str, float]) -> list[Row]:
    return [
        Row("No-op module: engine overhead = worker time from run start to result recorded (median of "
            f"{noop['reps']:.0f})", f"{ms(noop['worker'])} (p90 {ms(noop['p90_worker'])})", target="≤ 50 ms",
            verdict=verdict(noop["worker"] <= 0.050)),
        Row("… of which the step (from its start: its sandbox's set-up and login, begun ahead, finishing; the "
            "script)", ms(noop["sandbox"]), target="(info)"),
        Row("… of which the no-op script itself (`NULL;`, on the connection logged in ahead)", ms(noop["script"]),
            target="(info)"),
        Row("… the rest (plan, step row, set-up until the step starts, history rows, teardown, result)",
            ms(noop["bookkeeping"]), target="(info)"),
        Row("No-op module: POST run → SUCCESS seen by the client (run row polled every 5 ms)", ms(noop["client"]),
            target="(info)"),
        Row("… of which queueing (request committed → worker starts)", ms(noop["queue"]), target="(info)"),
    ]


def section(noop: dict[str, float], big: dict[str, float], chain: dict[str, Any]) -> Section:
    big_ratio, chain_speedup = big["ours"] / big["psql"], chain["dbt"] / chain["ours"]
    rows = [
        *noop_rows(noop),
        Row(f"INSERT … SELECT of {BIG_ROWS:,} rows: POST → SUCCESS vs the same statement in psql (median of "
            f"{BIG_REPS})", f"{big['ours']:.2f} s", f"{big['psql']:.2f} s", f"{big_ratio:.2f}×", "≤ 1.10×",
            verdict(big_ratio <= 1.10)),
        Row("… worker time / script time of ours", f"{big['worker']:.2f} s / {big['script']:.2f} s", target="(info)"),
        Row(f"{CHAIN}-submodule chain ({CHAIN_ROWS:,} rows each): POST → SUCCESS vs `dbt run` of {CHAIN} chained "
            f"models (median of {CHAIN_REPS})", f"{chain['ours']:.2f} s", f"{chain['dbt']:.2f} s",
            f"{chain_speedup:.1f}× faster", "≥ 3× faster", verdict(chain_speedup >= 3.0)),
        Row("… chain: worker time / sum of the 20 scripts (SQL on connections logged in ahead)",
            f"{chain['worker']:.2f} s / {chain['scripts']:.2f} s", target="(info)"),
    ]
    notes = [
        "How the numbers are taken:",
        "",
        "- **Engine overhead (no-op)**: a simple module whose algorithm is `NULL;` (no datasets, no parameters). "
        "The worker time is `ended_at − started_at` of the run record: planning, the step's sandbox (CREATE ROLE, "
        "schema, grants; a fresh connection logged in as the role; the DO block; DROP SCHEMA/OWNED/ROLE) and the "
        "history rows, up to the UPDATE that records the result (`ended_at` is stamped right before it). "
        "Queueing (Celery/Redis) and the client's polling are reported apart: "
        "they are not the engine's.",
        f"- **INSERT … SELECT**: ours is a module `INSERT INTO ${{dst}} (k, v, label) SELECT k, v, label FROM "
        f"${{src}}` over a {BIG_ROWS:,}-row version (NEW output each run), timed from POST to the client seeing "
        "SUCCESS. The baseline is `psql -c` running the same INSERT … SELECT (same source table and version "
        "filter) into a table shaped like a dataset table (bigserial PK, mb_version, mb_deleted), as the "
        "application's role, psql start-up included; rounds alternate which of the two goes first.",
        f"- **Chain vs dbt**: a composite of {CHAIN} submodules, each `INSERT INTO ${{dst}} SELECT k, v + 1, "
        f"label FROM ${{src}}` on {CHAIN_ROWS:,} rows, the output of one feeding the next (19 internal datasets, "
        "each dropped once its reader is done). dbt: the same 20 chained models (`select k, v + 1 as v, label "
        "from {{ ref(...) }}`, materialized as tables), `dbt run --quiet` after a warm-up run (partial parsing "
        f"on), {chain['dbt_version'] or 'dbt'}, from `bench/.venv-dbt`. Both produce the same sum at the end "
        f"(dbt: {chain['dbt_sum']}).",
    ]
    notes += [
        "",
        "What dominates the time:",
        "",
        f"- **No-op**: of {ms(noop['worker'])}, {ms(noop['sandbox'])} are the step from its start: waiting for its "
        "sandbox — set up in one catalog transaction and one round trip (the role's SCRAM verifier computed by "
        "libpq in the worker, not by the server inside the catalog lock), then its run role logged in (a new "
        "backend), both begun as soon as the step's row is written, while the dataflow is built — then "
        f"{ms(noop['script'])} for `NULL;` on that connection. The rest: the run's start (one UPDATE), planning, "
        "the step rows (one INSERT, before any sandbox exists, so that the janitor spares it), and at the end "
        "the teardown (terminate, DROP SCHEMA / DROP OWNED / DROP ROLE: one round trip, waited for, since a "
        "finished run leaves nothing behind) while the step's history is written (log lines in one INSERT, "
        "one UPDATE per row), then the result. Log lines, stage changes, live events and module-status "
        "refreshes are queued, and written and sent by a background thread in batches at most 0.1 s apart "
        "(live updates are throttled, DESIGN §6.3): for a run this short, once, the rows before the result and "
        "the events after it. The module's `running` status is refreshed by the request that starts the run, "
        "before the run is enqueued, so it counts in the queueing row, not here. Set-up and teardown serialize "
        "on one advisory lock (concurrent GRANT CONNECT / DROP OWNED fail otherwise), so they also wait for "
        "other runs' catalog work.",
        f"- **INSERT … SELECT**: the script itself takes {big['script']:.2f} s of our {big['worker']:.2f} s "
        f"(psql: {big['psql']:.2f} s for the statement, connection included); the script writes through the "
        "output view (WITH CHECK OPTION; a new output table gets its version number as a constant column "
        "default, set back to the session setting at publish) as the run role; after it "
        "the run counts the new version's rows for its row count (one scan of the new rows) before publishing.",
        f"- **Chain**: {chain['scripts']:.2f} s of the {chain['worker']:.2f} s are the 20 scripts; a step's "
        "sandbox is set up and its role logged in while the step before it runs, and torn down while the next "
        "one runs, and each internal dataset is dropped after its reader's teardown, so what remains per step "
        "is the script and the scheduler hand-over (its history rows are written in the background batches). dbt spends most of its time starting up, "
        "parsing/compiling the project and issuing its own per-model DDL (create as, rename, drop backup).",
    ]
    return Section(KEY, TITLE, rows, notes)


def noop_only(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.runs_bench", description=(
        "Only the no-op part of the runs benchmark, on the same harness; prints its rows and leaves "
        "docs/benchmarks.md alone (`python -m bench runs` runs everything and writes it)."))
    parser.add_argument("--reps", type=int, default=NOOP_REPS, help=f"measured runs (default {NOOP_REPS})")
    args = parser.parse_args(argv)
    with Harness() as h:
        log("fixtures (no 1M-row dataset)")
        ids = setup_fixtures(h, big_rows=0)
        load = os.getloadavg()[0]
        with h.app() as app:
            runner = Runner(app.client(USER), h.app_url)
            try:
                log(f"no-op module: {args.reps} runs")
                noop = noop_overhead(runner, ids, args.reps)
            finally:
                runner.close()
    part = Section(KEY, TITLE + " (no-op part only)", noop_rows(noop), load=(load, os.getloadavg()[0]))
    print(part.markdown(), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(noop_only(sys.argv[1:]))
