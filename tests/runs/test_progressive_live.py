"""Progressive runs on a real worker (issue 12, docs/progressive.md "Progressive module types and runs"):
the seeded demo, partials through the real channel layer, steering, cancel, SQL step progress,
SQL → Scan → Max, parameter connections into progressive steps."""

import time
from typing import Any

import numpy as np
import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.core.management import call_command
from rest_framework.test import APIClient

from apps.accounts.models import Project, User
from apps.datasets.models import Dataset
from apps.datasets.workspace import workspace
from apps.modules.models import Module
from apps.moduletypes.models import ModuleType, ModuleTypeVersion
from apps.runs.models import StepRecord
from apps.runs.services import run_request
from tests.runs.builders import (
    composite,
    ds,
    module,
    numbers,
    numbers_type,
    param,
    simple,
    wait_for,
    wire,
)
from tests.ws import connect


def builtin(name: str) -> ModuleTypeVersion:
    return ModuleType.objects.get(name=name, project=None).versions.get()


def big(project: Project, owner: User, n: int, name: str = "Big numbers") -> Dataset:
    """n rows (k, v) with v in [0, 100) (and one (0, 0.0) row), final version 0."""
    dataset = numbers(name, [(0, 0.0)], project=project, owner=owner)
    version = dataset.versions.get()
    with workspace() as conn:
        conn.execute(f"INSERT INTO mb_data.ds_{dataset.pk} (mb_version, k, v) "
                     f"SELECT %s, g, (g::bigint * 7919 %% 1000) / 10.0 FROM generate_series(1, %s) g",
                     [version.number, n])
    version.row_count = n + 1
    version.save(update_fields=["row_count"])
    return dataset


def values_of(dataset: Dataset) -> np.ndarray:
    with workspace() as conn:
        return np.array([r[0] for r in conn.execute(f"SELECT v FROM mb_data.ds_{dataset.pk}").fetchall()])


class Events:
    """Every live event the recorder sends (what goes to the channel layer), in order."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        from apps.runs import recorder as rec

        self.sent: list[tuple[str, str, dict[str, Any]]] = []
        original = rec.publish_many

        def capture(events: Any) -> None:
            events = list(events)
            self.sent.extend(events)
            original(events)

        monkeypatch.setattr(rec, "publish_many", capture)

    def of(self, kind: str, path: str | None = None) -> list[dict[str, Any]]:
        return [d for _, t, d in self.sent if t == kind and (path is None or d.get("path") == path)]

    def wait(self, kind: str, count: int, path: str | None = None, timeout: float = 30) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.of(kind, path)
            if len(found) >= count:
                return found
            time.sleep(0.02)
        raise AssertionError(f"fewer than {count} {kind} events for {path!r}: {len(self.of(kind, path))}")


# ------------------------------------------------------------------------------------------ the demo

@pytest.mark.django_db(transaction=True)
def test_seed_demo_makes_the_progressive_demo_idempotently() -> None:
    began = time.monotonic()
    call_command("seed_demo")
    took = time.monotonic() - began
    call_command("seed_demo")  # nothing new
    dataset = Dataset.objects.get(name="Measurements 1M")
    assert dataset.project.name == "Demo"
    version = dataset.versions.get()
    assert version.is_final and version.row_count >= 1_000_000
    with workspace() as conn:
        row = conn.execute(f"SELECT count(*), min(x), max(x) FROM mb_data.ds_{dataset.pk}").fetchone()
    assert row is not None
    count, lo, hi = row
    assert count == version.row_count and lo < hi
    demo = Module.objects.get(name__contains="Histogram", project__name="Demo")
    assert demo.type_version == builtin("Histogram")
    assert demo.dataset_bindings == {"input": {"dataset": dataset.pk, "version": 0}}
    assert int(demo.parameter_bindings["rows_per_second"]) * 10 <= version.row_count  # a run lasts >= 10 s
    assert took < 30, took


async def _listen(user: User, topic: str) -> WebsocketCommunicator:
    communicator = await connect(user)
    await communicator.send_json_to({"action": "subscribe", "topic": topic})
    assert (await communicator.receive_json_from(timeout=3))["type"] == "subscribed"
    return communicator


async def _until(communicator: WebsocketCommunicator, wanted: Any, timeout: float = 60) -> list[dict[str, Any]]:
    """Events received until `wanted(events)` holds."""
    events: list[dict[str, Any]] = []
    deadline = time.monotonic() + timeout
    while not wanted(events):
        if time.monotonic() > deadline:
            raise AssertionError(f"not seen in {timeout} s; got {[e['type'] for e in events][-20:]}")
        events.append(await communicator.receive_json_from(timeout=max(0.1, deadline - time.monotonic())))
    return events


@pytest.mark.django_db(transaction=True)
async def test_partials_and_steering_through_the_channel_layer(worker: Any, project: Project,
                                                                users: dict[str, User]) -> None:
    """Histogram over a paced scan: at least three partials reach a WebSocket subscriber of run:<id>
    before the final one; steering the bins is announced (`steered`) and the next partials have the
    new bin count; the last partial is final and equals numpy's histogram."""
    owner = users["modeler"]
    dataset = await database_sync_to_async(big)(project, owner, 300_000)
    hist = await database_sync_to_async(builtin)("Histogram")
    target = await database_sync_to_async(module)(
        "Paced histogram", hist, project=project, owner=owner,
        datasets={"input": {"dataset": dataset.pk, "version": None}},
        parameters={"column": "v", "bins": "8", "rows_per_second": "100000"})
    run = await database_sync_to_async(run_request)(module=target, user=owner)
    listener = await _listen(users["viewer"], f"run:{run.pk}")
    seen = await _until(listener, lambda ev: sum(e["type"] == "partial" for e in ev) >= 3)
    partials = [e["data"] for e in seen if e["type"] == "partial"]
    assert all(not p["final"] and len(p["result"]["counts"]) == 8 for p in partials)
    assert [e["seq"] for e in seen] == sorted(e["seq"] for e in seen)

    client = APIClient()
    await database_sync_to_async(client.force_authenticate)(owner)
    answer = await database_sync_to_async(client.post)(
        f"/api/runs/{run.pk}/steer", {"path": "", "parameters": {"bins": "12", "rows_per_second": "1000000"}},
        format="json")
    assert answer.status_code == 202, answer.content
    rest = await _until(listener, lambda ev: any(e["type"] == "partial" and e["data"]["final"] for e in ev))
    steered = [e["data"] for e in rest if e["type"] == "steered"]
    assert len(steered) == 1 and steered[0]["parameters"] == {"bins": "12", "rows_per_second": "1000000"}
    assert steered[0]["user"] == owner.username and steered[0]["path"] == ""
    after = [e["data"] for e in rest[[e["type"] for e in rest].index("steered"):] if e["type"] == "partial"]
    assert after and all(len(p["result"]["counts"]) == 12 for p in after)
    assert after[-1]["final"] is True and all(not p["final"] for p in after[:-1])
    await listener.disconnect()

    done = await database_sync_to_async(wait_for)(run.pk, 60)
    assert done.result == "SUCCESS", done.error
    values = await database_sync_to_async(values_of)(dataset)
    counts, edges = np.histogram(values, bins=12, range=(values.min(), values.max()))
    assert done.results[""]["counts"] == counts.tolist()
    assert np.allclose(done.results[""]["edges"], edges)
    assert [(s["path"], s["parameters"]) for s in done.steering] == [("", {"bins": "12", "rows_per_second": "1000000"})]
    step = await database_sync_to_async(lambda: done.steps.get())()
    assert {p["name"]: p["input_value"] for p in step.parameters}["bins"] == "12"
    log = await database_sync_to_async(lambda: list(done.log.values_list("message", flat=True)))()
    assert any(line.startswith("Steered") for line in log), log


# ------------------------------------------------------------------------------------------ steering

@pytest.fixture
def two_consumers(project: Project, users: dict[str, User]) -> dict[str, Any]:
    """A composite: Histogram (1) and Max (2) over one input; Max's OUT feeds the module's OUT."""
    owner = users["modeler"]
    kw: dict[str, Any] = {"project": project, "owner": owner}
    num = numbers_type(owner)
    flow = composite("Hist and max", [(1, "hist", builtin("Histogram")), (2, "max", builtin("Max"))], [
        wire("dataset", (None, "data"), (1, "input")), wire("dataset", (None, "data"), (2, "input")),
        wire("parameter", (None, "column"), (1, "column")), wire("parameter", (None, "bins"), (1, "bins")),
        wire("parameter", (None, "pace"), (1, "rows_per_second")),
        wire("parameter", (None, "pace"), (2, "rows_per_second")),
        wire("parameter", (2, "max"), (None, "top"))],
        [ds("data", "IN", num)],
        [param("column", "IN", "text"), param("bins", "IN", "integer"), param("pace", "IN", "integer"),
         param("top", "OUT")], **kw)
    dataset = big(project, owner, 400_000)
    target = module("Two consumers", flow, datasets={"data": {"dataset": dataset.pk, "version": None}},
                    parameters={"column": "v", "bins": "10", "pace": "100000"}, **kw)
    return {"module": target, "dataset": dataset, "owner": owner}


def test_steering_resets_only_the_steered_submodule(worker: Any, two_consumers: dict[str, Any],
                                                    clients: dict[str, APIClient],
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    events = Events(monkeypatch)
    run = run_request(module=two_consumers["module"], user=two_consumers["owner"])
    events.wait("partial", 1, "hist")
    events.wait("partial", 1, "max")
    answer = clients["modeler"].post(f"/api/runs/{run.pk}/steer", {"path": "hist", "parameters": {"bins": "5"}},
                                     format="json")
    assert answer.status_code == 202, answer.content
    done = wait_for(run.pk, 60)
    assert done.result == "SUCCESS", done.error
    steered = events.of("steered")
    assert [(s["path"], s["parameters"]) for s in steered] == [("hist", {"bins": "5"})]
    assert [(s["path"], s["parameters"], s["user"]) for s in done.steering] == [("hist", {"bins": "5"}, "modeler")]
    assert done.log.filter(message__startswith="Steered hist").exists()

    # the steered Histogram started over (its rows done dropped); Max never did
    def dones(path: str) -> list[int]:
        return [p["done"] for p in events.of("progress", path)]

    hist, top = dones("hist"), dones("max")
    assert any(b < a for a, b in zip(hist, hist[1:], strict=False)), hist
    assert top == sorted(top), top
    # both finals exact; the Histogram's with the new bin count; Max's OUT reached the module's OUT
    values = values_of(two_consumers["dataset"])
    counts, _ = np.histogram(values, bins=5, range=(values.min(), values.max()))
    assert done.results["hist"]["counts"] == counts.tolist()
    assert done.results["max"]["values"] == {"k": 400_000.0, "v": float(values.max())}
    outs = {p["name"]: p for p in done.parameters}
    assert float(outs["top"]["output_value"]) == 400_000.0


def test_steer_refusals(worker: Any, two_consumers: dict[str, Any], clients: dict[str, APIClient]) -> None:
    run = run_request(module=two_consumers["module"], user=two_consumers["owner"])
    url = f"/api/runs/{run.pk}/steer"
    modeler = clients["modeler"]
    for _ in range(300):  # before its submodules start, a run cannot be steered (409)
        if StepRecord.objects.filter(run=run, path="hist", started_at__isnull=False).exists():
            break
        answer = modeler.post(url, {"path": "hist", "parameters": {"bins": "3"}}, format="json")
        assert answer.status_code == 409 and answer.json()["code"] == "not_started", answer.content
        time.sleep(0.05)
    bad = [{"path": "hist", "parameters": {"bins": "0"}}, {"path": "hist", "parameters": {"rows_per_second": "-1"}},
           {"path": "max", "parameters": {"max": "3"}},
           {"path": "hist", "parameters": {}}, {"path": 3, "parameters": {"bins": "3"}},
           {"path": "hist", "parameters": {"bins": 3}}, {"path": "nope", "parameters": {"bins": "3"}}]
    for body in bad:
        answer = modeler.post(url, body, format="json")
        assert answer.status_code == 400, (body, answer.content)
        assert {"code", "message"} <= set(answer.json())
    modeler.post(f"/api/runs/{run.pk}/cancel")
    wait_for(run.pk, 30)
    answer = modeler.post(url, {"path": "hist", "parameters": {"bins": "3"}}, format="json")
    assert answer.status_code == 409 and answer.json()["code"] == "run_finished"


# ------------------------------------------------------------------------------------------ cancel

def test_cancel_takes_effect_within_a_quantum(worker: Any, project: Project, users: dict[str, User],
                                              clients: dict[str, APIClient],
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    events = Events(monkeypatch)
    owner = users["modeler"]
    dataset = big(project, owner, 200_000)
    target = module("Slow max", builtin("Max"), project=project, owner=owner,
                    datasets={"input": {"dataset": dataset.pk, "version": None}},
                    parameters={"rows_per_second": "20000"})
    run = run_request(module=target, user=owner)
    events.wait("partial", 2)
    asked = time.monotonic()
    assert clients["modeler"].post(f"/api/runs/{run.pk}/cancel").status_code == 202
    done = wait_for(run.pk, 10)
    took = time.monotonic() - asked
    assert done.result == "CANCELLED", done.result
    # the worker looks for Cancel every 0.2 s, the scheduler's quantum is 0.25 s, then the run's
    # records are written: well under a second
    assert took < 1.0, took
    step = done.steps.get()
    assert step.result == "CANCELLED" and step.progressive is not None and step.progressive["final"] is False


# ------------------------------------------------------------------------------------------ SQL steps

def test_sql_step_progress_shows_elapsed_and_rows_written(worker: Any, project: Project,
                                                          users: dict[str, User],
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    events = Events(monkeypatch)
    owner = users["modeler"]
    num = numbers_type(owner)
    slow = simple("slow writer", "INSERT INTO ${dst} (k, v) SELECT g, g FROM generate_series(1, 300000) g;\n"
                  "PERFORM pg_sleep(2.5);\n"
                  "INSERT INTO ${dst} (k, v) SELECT g, g FROM generate_series(1, 10) g;",
                  [ds("dst", "OUT", num)], project=project, owner=owner)
    target = module("Slow writer", slow, project=project, owner=owner,
                    datasets={"dst": {"output_method": "NEW", "name_pattern": "slow #${run.id}"}})
    run = run_request(module=target, user=owner)
    done = wait_for(run.pk, 60)
    assert done.result == "SUCCESS", done.error
    running = [p for p in events.of("progress", "") if p["state"] == "running" and p["elapsed"] > 0]
    assert len(running) >= 2, events.of("progress")
    assert [p["elapsed"] for p in running] == sorted(p["elapsed"] for p in running)
    assert running[-1]["elapsed"] >= 1.5
    written = running[-1]["written"]
    assert set(written) == {"dst"} and 200_000 <= written["dst"] <= 450_000, written
    assert running[-1]["done"] == written["dst"]


def test_sql_then_scan_then_max_equals_the_sql_answer(worker: Any, project: Project,
                                                      users: dict[str, User]) -> None:
    owner = users["modeler"]
    kw: dict[str, Any] = {"project": project, "owner": owner}
    num = numbers_type(owner)
    square = simple("square", "INSERT INTO ${dst} (k, v) SELECT k, v * v - 50 * v FROM ${src};",
                    [ds("src", "IN", num), ds("dst", "OUT", num)], **kw)
    answer = simple("sql max", "SELECT max(v) INTO #{top} FROM ${src};", [ds("src", "IN", num)],
                    [param("top", "OUT")], **kw)
    flow = composite("SQL then scan then max", [
        (1, "square", square), (2, "scan", builtin("Scan")), (3, "max", builtin("Max")), (4, "sql", answer)], [
        wire("dataset", (None, "data"), (1, "src")), wire("dataset", (1, "dst"), (2, "input")),
        wire("dataset", (2, "output"), (3, "input")), wire("dataset", (1, "dst"), (4, "src")),
        wire("parameter", (None, "cols"), (3, "columns")),
        wire("parameter", (3, "max"), (None, "progressive")), wire("parameter", (4, "top"), (None, "exact"))],
        [ds("data", "IN", num)], [param("cols", "IN", "text"), param("progressive", "OUT"), param("exact", "OUT")],
        **kw)
    dataset = big(project, owner, 150_000)
    target = module("SQL scan max", flow, datasets={"data": {"dataset": dataset.pk, "version": None}},
                    parameters={"cols": "v"}, **kw)
    run = run_request(module=target, user=owner)
    done = wait_for(run.pk, 60)
    assert done.result == "SUCCESS", done.error
    outs = {p["name"]: p["output_value"] for p in done.parameters}
    assert outs["exact"] is not None and float(outs["progressive"]) == float(outs["exact"])
    assert done.results["max"]["values"] == {"v": float(outs["exact"])}
    assert done.results["scan"]["rows"] == 150_001


def test_a_sql_out_parameter_reaches_a_progressive_in_parameter(worker: Any, project: Project,
                                                                users: dict[str, User]) -> None:
    """A SQL submodule's OUT parameter connected to Histogram's bins and min: the Histogram waits for
    it (as a scan waits for a SQL output) and runs with its values; one it refuses fails the run."""
    owner = users["modeler"]
    kw: dict[str, Any] = {"project": project, "owner": owner}
    num = numbers_type(owner)
    choose = simple("choose bins", "PERFORM pg_sleep(0.5);\nSELECT #{wanted} INTO #{n};\nSELECT 20.0 INTO #{lo};",
                    [], [param("wanted", "IN", "integer"), param("n", "OUT", "integer"), param("lo", "OUT")], **kw)
    flow = composite("Bins from SQL", [(1, "choose", choose), (2, "hist", builtin("Histogram"))], [
        wire("dataset", (None, "data"), (2, "input")), wire("parameter", (None, "wanted"), (1, "wanted")),
        wire("parameter", (1, "n"), (2, "bins")), wire("parameter", (1, "lo"), (2, "min")),
        wire("parameter", (None, "column"), (2, "column"))],
        [ds("data", "IN", num)], [param("wanted", "IN", "integer"), param("column", "IN", "text")], **kw)
    dataset = big(project, owner, 50_000)
    target = module("Bins from SQL", flow, datasets={"data": {"dataset": dataset.pk, "version": None}},
                    parameters={"wanted": "7", "column": "v"}, **kw)
    done = wait_for(run_request(module=target, user=owner).pk, 60)
    assert done.result == "SUCCESS", done.error
    values = values_of(dataset)
    counts, edges = np.histogram(values, bins=7, range=(20.0, values.max()))
    assert done.results["hist"]["counts"] == counts.tolist()
    assert np.allclose(done.results["hist"]["edges"], edges)
    hist = done.steps.get(path="hist")
    recorded = {p["name"]: p["input_value"] for p in hist.parameters}
    assert recorded["bins"] == "7" and float(recorded["min"]) == 20.0
    chosen = done.steps.get(path="choose").ended_at
    assert hist.started_at is not None and chosen is not None
    assert hist.started_at >= chosen  # it waited for the SQL step

    target.parameter_bindings = {"wanted": "0", "column": "v"}
    target.save(update_fields=["parameter_bindings"])
    failed = wait_for(run_request(module=target, user=owner).pk, 60)
    assert failed.result == "FAILED"
    assert failed.error is not None
    assert failed.error["submodule"] == "hist" and "bins" in failed.error["message"], failed.error


def test_filter_output_read_by_a_sql_submodule_has_exactly_the_rows_sql_keeps(
        worker: Any, project: Project, users: dict[str, User]) -> None:
    """Filter's output as a dataset a SQL submodule reads (the issue's "before them"): written as an
    internal dataset in COPY chunks while the Filter runs; the SQL step reads it once the Filter is
    done; its rows are exactly those SQL's own WHERE keeps (k integer, v double precision)."""
    owner = users["modeler"]
    kw: dict[str, Any] = {"project": project, "owner": owner}
    num = numbers_type(owner)
    copy = simple("copy rows", "INSERT INTO ${dst} (k, v) SELECT k, v FROM ${src};",
                  [ds("src", "IN", num), ds("dst", "OUT", num)], **kw)
    flow = composite("Filter then SQL", [(1, "filter", builtin("Filter")), (2, "copy", copy),
                                         (3, "max", builtin("Max"))], [
        wire("dataset", (None, "data"), (1, "input")), wire("dataset", (1, "output"), (2, "src")),
        wire("dataset", (1, "output"), (3, "input")), wire("dataset", (2, "dst"), (None, "kept")),
        wire("parameter", (None, "column"), (1, "column")), wire("parameter", (None, "op"), (1, "operator")),
        wire("parameter", (None, "value"), (1, "value"))],
        [ds("data", "IN", num), ds("kept", "OUT", num)],
        [param("column", "IN", "text"), param("op", "IN", "varchar"), param("value", "IN")], **kw)
    dataset = big(project, owner, 120_000)
    with workspace() as conn:  # a NULL and a negative value: NULL never passes a comparison, in SQL as here
        conn.execute(f"INSERT INTO mb_data.ds_{dataset.pk} (mb_version, k, v) VALUES (0, -5, NULL), (0, -6, -1.25)")
    target = module(
        "Filter then SQL", flow, datasets={"data": {"dataset": dataset.pk, "version": None},
                                           "kept": {"output_method": "NEW", "name_pattern": "kept #${run.id}"}},
        parameters={"column": "v", "op": "<", "value": "37.5"}, **kw)
    done = wait_for(run_request(module=target, user=owner).pk, 90)
    assert done.result == "SUCCESS", done.error
    kept = next(d for d in done.datasets if d["placeholder"] == "kept")
    with workspace() as conn:
        got = conn.execute(f"SELECT k, v FROM mb_data.ds_{kept['dataset']} ORDER BY k, v").fetchall()
        want = conn.execute(f"SELECT k, v FROM mb_data.ds_{dataset.pk} WHERE v < 37.5 ORDER BY k, v").fetchall()
    assert len(want) > 40_000 and got == want
    assert done.results["filter"]["rows"] == len(want)
    assert done.results["max"]["values"]["v"] == max(v for _, v in want)
    recorded = done.steps.get(path="filter").datasets
    assert [(d["direction"], d["internal"]) for d in recorded] == [("IN", False), ("OUT", True)]
