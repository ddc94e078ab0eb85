"""Composite runs on a real worker: a composite holding a nested composite, internal datasets and
parameters flowing between submodules, keep flags, failures and cancel.

The network under test ("Outer"):

    x ──> inner (composite: s = scale by #{factor}, then c = copy) ──> b ─┬─> sum  (OUT #{total}) ─┐
    factor ─────────────────────────────────────────────────────────┘    │                        │ total -> offset
                                                                          └─> add (v + #{offset}) <┘ ──> y
    total (the composite's OUT parameter) <── sum.total
"""

import time
from typing import Any

import pytest
from rest_framework.test import APIClient

from apps.datasets.models import Dataset, DatasetVersion
from apps.moduletypes.selectors import validation_errors
from apps.moduletypes.services import version_update
from apps.runs.models import Run, RunLog
from tests.runs.builders import (
    composite,
    ds,
    module,
    no_leftovers,
    numbers,
    numbers_type,
    param,
    rows_of,
    run_and_wait,
    simple,
    table_exists,
    wait_for,
    wire,
)

pytestmark = pytest.mark.django_db(transaction=True)

SCALE = "INSERT INTO ${dst} (k, v) SELECT k, v * #{factor} FROM ${src};"
COPY = "INSERT INTO ${dst} (k, v) SELECT k, v FROM ${src};"
SUM = "SELECT sum(v) INTO #{total} FROM ${src};"
ADD = "INSERT INTO ${dst} (k, v)\nSELECT k, v + #{offset} FROM ${src};"


@pytest.fixture
def net(project: Any, users: dict[str, Any]) -> dict[str, Any]:
    owner = users["modeler"]
    num = numbers_type(owner)
    kw = {"project": project, "owner": owner}
    scale = simple("scale", SCALE, [ds("src", "IN", num), ds("dst", "OUT", num)], [param("factor", "IN")], **kw)
    copy = simple("copy", COPY, [ds("src", "IN", num), ds("dst", "OUT", num)], **kw)
    total = simple("sum", SUM, [ds("src", "IN", num)], [param("total", "OUT")], **kw)
    add = simple("add", ADD, [ds("src", "IN", num), ds("dst", "OUT", num)], [param("offset", "IN")], **kw)
    inner = composite("scale then copy", [(1, "s", scale), (2, "c", copy)], [
        wire("dataset", (None, "a"), (1, "src")), wire("parameter", (None, "factor"), (1, "factor")),
        wire("dataset", (1, "dst"), (2, "src")), wire("dataset", (2, "dst"), (None, "b"))],
        [ds("a", "IN", num), ds("b", "OUT", num)], [param("factor", "IN")], **kw)
    outer = composite("Outer", [(1, "inner", inner), (2, "sum", total), (3, "add", add)], [
        wire("dataset", (None, "x"), (1, "a")), wire("parameter", (None, "factor"), (1, "factor")),
        wire("dataset", (1, "b"), (2, "src")), wire("dataset", (1, "b"), (3, "src")),
        wire("parameter", (2, "total"), (3, "offset")), wire("parameter", (2, "total"), (None, "total")),
        wire("dataset", (3, "dst"), (None, "y"))],
        [ds("x", "IN", num), ds("y", "OUT", num)], [param("factor", "IN"), param("total", "OUT")], **kw)
    source = numbers("Five numbers", [(k, float(k)) for k in range(1, 6)], **kw)
    bindings = {"x": {"dataset": source.pk, "version": 0},
                "y": {"output_method": "NEW", "name_pattern": "Outer result #${run.id}"}}
    return {"outer": outer, "add": add, "source": source, "bindings": bindings, "kw": kw}


def outer_module(net: dict[str, Any], name: str = "Outer module", **extra: Any) -> Any:
    return module(name, net["outer"], datasets=net["bindings"], parameters={"factor": "2"}, **net["kw"], **extra)


def output_of(run: Run, placeholder: str) -> dict[str, Any]:
    return next(d for d in run.datasets if d["direction"] == "OUT" and d["placeholder"] == placeholder)


def drops(run: Run) -> dict[str, RunLog]:
    return {line.message.split()[2].rstrip(":"): line for line in run.log.filter(message__startswith="Internal dataset")}


def test_a_nested_composite_produces_the_expected_rows(net: dict[str, Any], users: dict[str, Any], worker: Any,
                                                      clients: dict[str, APIClient]) -> None:
    before = Dataset.objects.count()
    run = run_and_wait(outer_module(net), users["modeler"])
    assert run.result == "SUCCESS", (run.error, list(run.log.values_list("message", flat=True)))
    assert rows_of(output_of(run, "y")["dataset"]) == [(k, 2.0 * k + 30) for k in range(1, 6)]
    assert Dataset.objects.get(pk=output_of(run, "y")["dataset"]).name == f"Outer result #{run.pk}"
    assert Dataset.objects.count() == before + 1  # the internal datasets are gone
    steps = {s.path: s for s in run.steps.all()}
    assert list(steps) == ["inner/s", "inner/c", "sum", "add"]
    assert all(s.result == "SUCCESS" and "CREATE ROLE" in s.setup_script and "DROP ROLE" in s.teardown_script
               and s.seconds is not None for s in steps.values())
    assert "CAST('2' AS double precision)" in steps["inner/s"].user_script
    assert "CAST('30' AS double precision)" in steps["add"].user_script  # sum's OUT value reached add
    assert steps["sum"].parameters == [{"name": "total", "mode": "OUT", "sql_type": "double precision",
                                        "input_value": None, "output_value": "30"}]
    assert steps["add"].parameters[0]["input_value"] == "30"
    assert run.parameters == [
        {"path": "", "name": "factor", "mode": "IN", "sql_type": "double precision", "input_value": "2",
         "output_value": None},
        {"path": "", "name": "total", "mode": "OUT", "sql_type": "double precision", "input_value": None,
         "output_value": "30"}]
    assert [(d["path"], d["placeholder"], d["direction"]) for d in run.datasets] == [("", "x", "IN"), ("", "y", "OUT")]
    assert run.stage == "COMPLETED"
    detail = clients["viewer"].get(f"/api/runs/{run.pk}").json()
    assert [s["path"] for s in detail["steps"]] == ["inner/s", "inner/c", "sum", "add"]
    assert detail["steps"][0]["datasets"][0]["direction"] == "IN"
    assert not DatasetVersion.objects.filter(pending_run__isnull=False).exists()
    no_leftovers()


def test_an_internal_dataset_is_dropped_after_its_last_reader_unless_kept(
        net: dict[str, Any], users: dict[str, Any], worker: Any) -> None:
    plain = run_and_wait(outer_module(net), users["modeler"])
    assert plain.result == "SUCCESS", plain.error
    steps = {s.path: s for s in plain.steps.all()}
    ended = {path: s.ended_at for path, s in steps.items() if s.ended_at is not None}
    assert len(ended) == 4 and plain.ended_at is not None
    dropped = drops(plain)
    assert set(dropped) == {"inner/s.dst", "inner/c.dst"}
    # inner/s.dst is read only by inner/c: dropped once inner/c's sandbox is torn down (in the
    # background, while sum and add run); inner/c.dst, read by sum and add, only once both finished.
    # Which of the two drops comes first depends on how fast teardowns go against sum and add.
    assert ended["inner/c"] <= dropped["inner/s.dst"].at <= plain.ended_at
    assert max(ended["sum"], ended["add"]) <= dropped["inner/c.dst"].at <= plain.ended_at
    assert dropped["inner/s.dst"].message.endswith("(last: inner/c).")
    internal = [d for s in steps.values() for d in s.datasets if d["internal"]]
    assert internal and not any(Dataset.objects.filter(pk=d["dataset"]).exists() or table_exists(d["dataset"])
                                for d in internal)

    kept_module = outer_module(net, "Outer keeping", keep={"datasets": ["inner/s.dst", "nope.dst"],
                                                           "parameters": ["sum.total"]})
    kept = run_and_wait(kept_module, users["modeler"])
    assert kept.result == "SUCCESS", kept.error
    assert set(drops(kept)) == {"inner/c.dst"}
    row = next(d for d in kept.datasets if d.get("internal"))
    assert (row["path"], row["placeholder"]) == ("inner/s", "dst")
    dataset = Dataset.objects.get(pk=row["dataset"])
    assert dataset.name == f"Outer keeping inner/s.dst #{kept.pk}"
    assert dataset.pending_run_id is None and dataset.keywords["MODULE_PLACEHOLDER"] == "inner/s.dst"
    assert dataset.versions.get().pending_run_id is None
    assert rows_of(dataset.pk) == [(k, 2.0 * k) for k in range(1, 6)]
    assert {"path": "sum", "name": "total", "mode": "OUT", "sql_type": "double precision", "input_value": None,
            "output_value": "30"} in kept.parameters
    assert kept.log.filter(level="WARNING", message__contains="'nope.dst' matches no internal dataset").exists()
    no_leftovers()


def test_a_failing_submodule_reports_its_path_and_line_and_publishes_nothing(
        net: dict[str, Any], users: dict[str, Any], worker: Any) -> None:
    version_update(version=net["add"], fields={"algorithm": "-- ${dst} gets nothing\nINSERT INTO ${dst} (k, v) SELECT k, v / 0 FROM ${src};"},
                   note="break it", author=users["modeler"], confirm_dependents=True)
    datasets, versions = Dataset.objects.count(), DatasetVersion.objects.count()
    run = run_and_wait(outer_module(net, keep={"datasets": ["inner/s.dst"]}), users["modeler"])
    assert run.result == "FAILED"
    assert run.error is not None
    assert (run.error["submodule"], run.error["line"], run.error["message"]) == ("add", 2, "division by zero")
    assert run.log.filter(level="ERROR", message="Submodule add failed at line 2: division by zero").exists()
    assert {s.path: s.result for s in run.steps.all()} == {"inner/s": "SUCCESS", "inner/c": "SUCCESS",
                                                           "sum": "SUCCESS", "add": "FAILED"}
    assert (Dataset.objects.count(), DatasetVersion.objects.count()) == (datasets, versions)  # kept ones too
    assert [d["direction"] for d in run.datasets] == ["IN"]
    no_leftovers()


def test_cancel_stops_every_running_submodule_within_a_second(
        project: Any, users: dict[str, Any], worker: Any, clients: dict[str, APIClient]) -> None:
    owner = users["modeler"]
    num = numbers_type(owner)
    kw = {"project": project, "owner": owner}
    sleeper = simple("sleeper", "INSERT INTO ${dst} (k, v) SELECT k, v FROM ${src};\nPERFORM pg_sleep(30);",
                     [ds("src", "IN", num), ds("dst", "OUT", num)], **kw)
    net = composite("Two sleepers", [(1, "left", sleeper), (2, "right", sleeper), (3, "after", sleeper)], [
        wire("dataset", (None, "x"), (1, "src")), wire("dataset", (None, "x"), (2, "src")),
        wire("dataset", (1, "dst"), (3, "src")), wire("dataset", (3, "dst"), (None, "y"))],
        [ds("x", "IN", num), ds("y", "OUT", num)], **kw)
    source = numbers("Sleepy numbers", [(1, 1.0)], **kw)
    target = module("Sleepy", net, datasets={"x": {"dataset": source.pk, "version": 0},
                                             "y": {"output_method": "NEW", "name_pattern": "sleepy #${run.id}"}}, **kw)
    datasets = Dataset.objects.count()
    run_id = clients["modeler"].post(f"/api/modules/{target.pk}/run", {}, format="json").json()["id"]
    deadline = time.monotonic() + 20
    while Run.objects.get(pk=run_id).steps.filter(stage="USER_SCRIPT").count() < 2:
        assert time.monotonic() < deadline, "both sleepers should be running"
        time.sleep(0.05)
    asked = time.monotonic()
    assert clients["modeler"].post(f"/api/runs/{run_id}/cancel").status_code == 202
    run = wait_for(run_id)
    assert time.monotonic() - asked < 2.0
    assert run.result == "CANCELLED"
    assert {s.path: s.result for s in run.steps.all()} == {"left": "CANCELLED", "right": "CANCELLED",
                                                           "after": "CANCELLED"}
    assert run.steps.get(path="after").started_at is None
    assert Dataset.objects.count() == datasets
    assert not DatasetVersion.objects.filter(pending_run__isnull=False).exists()
    no_leftovers()


def test_a_composite_writing_its_own_input_is_refused_before_anything_runs(
        project: Any, users: dict[str, Any], worker: Any) -> None:
    owner = users["modeler"]
    num = numbers_type(owner)
    kw = {"project": project, "owner": owner}
    bump = simple("bump", "UPDATE ${data} SET v = v + 1;", [ds("data", "INOUT", num)], **kw)
    copy = simple("copier", COPY, [ds("src", "IN", num), ds("dst", "OUT", num)], **kw)
    net = composite("Writes its input", [(1, "bump", bump), (2, "copy", copy)], [
        wire("dataset", (None, "x"), (1, "data")), wire("dataset", (1, "data"), (2, "src")),
        wire("dataset", (2, "dst"), (None, "y"))], [ds("x", "IN", num), ds("y", "OUT", num)], **kw)
    source = numbers("Input only", [(1, 1.0)], **kw)
    datasets, versions = Dataset.objects.count(), DatasetVersion.objects.count()
    run = run_and_wait(module("Writer", net, datasets={"x": {"dataset": source.pk, "version": 0},
                                                       "y": {"output_method": "NEW"}}, **kw), owner)
    assert run.result == "FAILED"
    assert run.error is not None and run.error["code"] == "inout_writes_input"
    assert "a module never writes its inputs" in run.error["message"]
    assert (Dataset.objects.count(), DatasetVersion.objects.count()) == (datasets, versions)
    assert rows_of(source.pk) == [(1, 1.0)]
    # the diagram editor shows the same rule before anyone runs it
    assert [e["code"] for e in validation_errors(version=net)] == ["inout_writes_input"]
    no_leftovers()
