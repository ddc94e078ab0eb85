"""Composite wirings to the module's own outputs, run for real (apps/runs/planning.py, outputs.py):
an output wired straight to an input, one submodule output feeding several module outputs, an INOUT
chain on the module's INOUT dataset, and an INOUT updating what becomes a module output. Each module
output gets exactly one published version with the expected rows; a failed run leaves nothing."""

from typing import Any

import pytest

from apps.datasets.models import Dataset, DatasetVersion
from apps.datasets.workspace import workspace
from apps.engine.storage import qualified_text
from apps.modules.models import Module
from apps.modules.status import module_status
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
    wire,
)

pytestmark = pytest.mark.django_db(transaction=True)

COPY = "INSERT INTO ${dst} (k, v) SELECT k, v FROM ${src};"
BUMP = "UPDATE ${data} SET v = v + 10 WHERE k <= 2;"  # A of the chains
TRIM = "DELETE FROM ${data} WHERE k = 5;\nUPDATE ${data} SET v = v * 2 WHERE k = 1;\nINSERT INTO ${data} (k, v) VALUES (6, 6);"
FIVE = [(k, float(k)) for k in range(1, 6)]
BUMPED = [(1, 11.0), (2, 12.0), (3, 3.0), (4, 4.0), (5, 5.0)]
BUMPED_THEN_TRIMMED = [(1, 22.0), (2, 12.0), (3, 3.0), (4, 4.0), (6, 6.0)]  # TRIM saw BUMP's rows


@pytest.fixture
def kit(project: Any, users: dict[str, Any]) -> dict[str, Any]:
    owner = users["modeler"]
    num = numbers_type(owner)
    kw = {"project": project, "owner": owner}
    return {"kw": kw, "owner": owner, "num": num,
            "copy": simple("copy", COPY, [ds("src", "IN", num), ds("dst", "OUT", num)], **kw),
            "bump": simple("bump", BUMP, [ds("data", "INOUT", num)], **kw),
            "trim": simple("trim", TRIM, [ds("data", "INOUT", num)], **kw),
            "five": numbers("Five", FIVE, **kw)}


def succeeded(run: Run) -> Run:
    assert run.result == "SUCCESS", (run.error, list(run.log.values_list("message", flat=True)))
    return run


def written(run: Run, placeholder: str) -> dict[str, Any]:
    return next(d for d in run.datasets if d["direction"] == "OUT" and d["placeholder"] == placeholder)


def published(row: dict[str, Any]) -> DatasetVersion:
    version = DatasetVersion.objects.get(dataset_id=row["dataset"], number=row["version"])
    assert version.pending_run_id is None
    return version


def rows_in(row: dict[str, Any]) -> list[tuple[int, float]]:
    version = published(row)
    assert version.row_count == len(rows_of(row["dataset"], version.path))
    return rows_of(row["dataset"], version.path)


def physical_rows(dataset_id: int) -> list[tuple[int, float, int, list[int]]]:
    with workspace() as conn:
        return [(int(k), float(v), int(n), list(d)) for k, v, n, d in conn.execute(
            f"SELECT k, v, mb_version, mb_deleted FROM {qualified_text(dataset_id)} ORDER BY record_id").fetchall()]


def nothing_pending() -> None:
    assert not DatasetVersion.objects.filter(pending_run__isnull=False).exists()
    assert not Dataset.objects.filter(pending_run__isnull=False).exists()
    no_leftovers()


def test_outputs_wired_straight_to_inputs_get_a_copy_of_the_bound_version(kit: dict[str, Any], worker: Any) -> None:
    num, kw = kit["num"], kit["kw"]
    net = composite("Pass through", [(1, "copy", kit["copy"])], [
        wire("dataset", (None, "x"), (None, "y")), wire("dataset", (None, "x"), (None, "r")),
        wire("dataset", (None, "d"), (None, "d")), wire("dataset", (None, "x"), (1, "src")),
        wire("dataset", (1, "dst"), (None, "z")), wire("parameter", (None, "q"), (None, "p"))],
        [ds("x", "IN", num), ds("d", "INOUT", num), ds("y", "OUT", num), ds("r", "OUT", num), ds("z", "OUT", num)],
        [param("q", "IN"), param("p", "OUT")], **kw)
    target = numbers("Replace me", [(9, 9.0)], final=False, **kw)
    data = numbers("Kept as is", [(7, 7.0)], **kw)
    runs = module("Passer", net, parameters={"q": "2.5"}, datasets={
        "x": {"dataset": kit["five"].pk, "version": 0}, "d": {"dataset": data.pk, "version": 0},
        "y": {"output_method": "NEW", "name_pattern": "straight #${run.id}"},
        "r": {"output_method": "REPLACE", "dataset": target.pk}, "z": {"output_method": "NEW"}}, **kw)
    run = succeeded(run_and_wait(runs, kit["owner"]))
    assert rows_in(written(run, "y")) == FIVE
    assert Dataset.objects.get(pk=written(run, "y")["dataset"]).name == f"straight #{run.pk}"
    assert (written(run, "r")["dataset"], written(run, "r")["version"]) == (target.pk, 1)
    assert rows_in(written(run, "r")) == FIVE and published(written(run, "r")).path == [1]
    assert rows_of(target.pk, [0]) == [(9, 9.0)]  # the replaced version stays readable
    assert rows_in(written(run, "z")) == FIVE  # the submodule's output beside them
    inout = published(written(run, "d"))  # an INOUT slot wired to itself: a new version, no change
    assert (inout.dataset_id, inout.number, inout.base, inout.path) == (data.pk, 1, 0, [0, 1])
    assert rows_in(written(run, "d")) == [(7, 7.0)]
    assert [(d["placeholder"], d["direction"], d["version"]) for d in run.datasets] == [
        ("x", "IN", 0), ("d", "IN", 0), ("d", "OUT", 1), ("y", "OUT", 0), ("r", "OUT", 1), ("z", "OUT", 0)]
    assert [(p["name"], p["input_value"], p["output_value"]) for p in run.parameters] == [
        ("q", "2.5", None), ("p", None, "2.5")]
    assert physical_rows(kit["five"].pk) == [(k, v, 0, []) for k, v in FIVE]  # the input is untouched
    nothing_pending()


def test_one_submodule_output_feeds_several_module_outputs(kit: dict[str, Any], worker: Any) -> None:
    num, kw = kit["num"], kit["kw"]
    net = composite("Fan out", [(1, "copy", kit["copy"]), (2, "again", kit["copy"])], [
        wire("dataset", (None, "x"), (1, "src")), wire("dataset", (1, "dst"), (None, "y1")),
        wire("dataset", (1, "dst"), (None, "y2")), wire("dataset", (1, "dst"), (None, "y3")),
        wire("dataset", (1, "dst"), (2, "src")), wire("dataset", (2, "dst"), (None, "w"))],
        [ds("x", "IN", num), ds("y1", "OUT", num), ds("y2", "OUT", num), ds("y3", "OUT", num, optional=True),
         ds("w", "OUT", num)], **kw)
    target = numbers("Fan target", [(9, 9.0)], final=False, **kw)
    before = Dataset.objects.count()
    runs = module("Fanner", net, datasets={
        "x": {"dataset": kit["five"].pk, "version": 0}, "y1": {"output_method": "NEW"},
        "y2": {"output_method": "REPLACE", "dataset": target.pk}, "w": {"output_method": "NEW"}}, **kw)
    run = succeeded(run_and_wait(runs, kit["owner"]))
    ones, twos = written(run, "y1"), written(run, "y2")
    assert ones["dataset"] != twos["dataset"] and twos["dataset"] == target.pk
    assert rows_in(ones) == FIVE and rows_in(twos) == FIVE and rows_in(written(run, "w")) == FIVE
    assert "y3" not in [d["placeholder"] for d in run.datasets]  # optional and unbound: nothing
    assert Dataset.objects.count() == before + 2  # y1 and w; no internal dataset left
    nothing_pending()


def chain_net(kit: dict[str, Any], name: str, trim: Any = None) -> Any:
    """d (INOUT) -> bump -> trim -> d, with a side reader copying bump's result to `side`."""
    num, kw = kit["num"], kit["kw"]
    return composite(name, [(1, "bump", kit["bump"]), (2, "trim", trim or kit["trim"]), (3, "side", kit["copy"])], [
        wire("dataset", (None, "d"), (1, "data")), wire("dataset", (1, "data"), (2, "data")),
        wire("dataset", (2, "data"), (None, "d")), wire("dataset", (1, "data"), (3, "src")),
        wire("dataset", (3, "dst"), (None, "side"))],
        [ds("d", "INOUT", num), ds("side", "OUT", num)], **kw)


def test_an_inout_chain_publishes_one_version_with_every_change_in_order(kit: dict[str, Any], worker: Any) -> None:
    data = numbers("Chained", FIVE, **kit["kw"])
    runs = module("Chain", chain_net(kit, "Chain"), datasets={
        "d": {"dataset": data.pk, "version": 0}, "side": {"output_method": "NEW"}}, **kit["kw"])
    run = succeeded(run_and_wait(runs, kit["owner"]))
    assert list(data.versions.order_by("number").values_list("number", "base", "path")) == [(0, None, [0]), (1, 0, [0, 1])]
    assert rows_in(written(run, "d")) == BUMPED_THEN_TRIMMED
    assert rows_of(data.pk, [0]) == FIVE  # the bound version is unchanged
    assert rows_in(written(run, "side")) == BUMPED  # the side reader saw bump's result, not trim's
    # only version 1's own rows and marks are left: nothing of the intermediate version
    assert {n for *_, n, _ in physical_rows(data.pk)} == {0, 1}
    assert all(marks in ([], [1]) for *_, marks in physical_rows(data.pk))
    assert [(d["placeholder"], d["direction"], d["version"]) for d in run.datasets] == [
        ("d", "IN", 0), ("d", "OUT", 1), ("side", "OUT", 0)]
    steps = {s.path: s.datasets for s in run.steps.all()}
    assert [(d["direction"], d["version"]) for d in steps["trim"]] == [("IN", 1), ("OUT", 2)]
    assert steps["trim"][1]["internal"] and not steps["bump"][1]["internal"]  # version 2 is gone, 1 is d's

    again = succeeded(run_and_wait(runs, kit["owner"]))  # from version 0 again: version 2 this time
    assert written(again, "d")["version"] == 2 and rows_in(written(again, "d")) == BUMPED_THEN_TRIMMED
    assert rows_of(data.pk, [0, 1]) == BUMPED_THEN_TRIMMED
    status = module_status(Module.objects.get(pk=runs.pk))
    assert (status.status, [r.code for r in status.reasons]) == ("UpToDate", [])
    nothing_pending()


def test_a_failing_inout_chain_leaves_the_dataset_as_it_was(kit: dict[str, Any], worker: Any) -> None:
    data = numbers("Chain that fails", FIVE, **kit["kw"])
    broken = simple("trim then fail", TRIM + "\nSELECT 1/0;", [ds("data", "INOUT", kit["num"])], **kit["kw"])
    runs = module("Broken chain", chain_net(kit, "Broken chain", broken), datasets={
        "d": {"dataset": data.pk, "version": 0}, "side": {"output_method": "NEW"}}, **kit["kw"])
    before, datasets = physical_rows(data.pk), Dataset.objects.count()
    run = run_and_wait(runs, kit["owner"])
    assert run.result == "FAILED", (run.error, list(RunLog.objects.filter(run=run).values_list("message", flat=True)))
    assert run.error is not None and run.error["submodule"] == "trim"
    assert list(data.versions.values_list("number", flat=True)) == [0]
    assert physical_rows(data.pk) == before
    assert Dataset.objects.count() == datasets
    nothing_pending()


def test_an_inout_updating_what_becomes_a_module_output_publishes_the_updated_rows(
        kit: dict[str, Any], worker: Any) -> None:
    """copy writes (OUT) what bump then trim update into y; raw is copy's output as written."""
    num, kw = kit["num"], kit["kw"]
    net = composite("Update an output", [(1, "copy", kit["copy"]), (2, "bump", kit["bump"]),
                                         (3, "trim", kit["trim"])], [
        wire("dataset", (None, "x"), (1, "src")), wire("dataset", (1, "dst"), (2, "data")),
        wire("dataset", (2, "data"), (3, "data")), wire("dataset", (3, "data"), (None, "y")),
        wire("dataset", (1, "dst"), (None, "raw"))],
        [ds("x", "IN", num), ds("y", "OUT", num), ds("raw", "OUT", num)], **kw)
    before = Dataset.objects.count()
    runs = module("Updater", net, datasets={"x": {"dataset": kit["five"].pk, "version": 0},
                                            "y": {"output_method": "NEW"}, "raw": {"output_method": "NEW"}}, **kw)
    run = succeeded(run_and_wait(runs, kit["owner"]))
    y = written(run, "y")
    assert list(DatasetVersion.objects.filter(dataset_id=y["dataset"]).values_list("number", "path")) == [(0, [0])]
    assert rows_in(y) == BUMPED_THEN_TRIMMED
    assert {n for *_, n, _ in physical_rows(y["dataset"])} == {0}
    assert rows_in(written(run, "raw")) == FIVE  # copied before y absorbed its chain
    assert Dataset.objects.count() == before + 2
    assert module_status(Module.objects.get(pk=runs.pk)).status == "UpToDate"
    nothing_pending()

    broken = simple("trim then fail", TRIM + "\nSELECT 1/0;", [ds("data", "INOUT", num)], **kw)
    net.graph["submodules"][2]["version"] = broken.pk
    net.save(update_fields=["graph"])
    datasets, versions = Dataset.objects.count(), DatasetVersion.objects.count()
    failed = run_and_wait(runs, kit["owner"])
    assert failed.result == "FAILED"
    assert (Dataset.objects.count(), DatasetVersion.objects.count()) == (datasets, versions)
    nothing_pending()


def test_a_composite_without_submodules_copies_its_input(kit: dict[str, Any], worker: Any) -> None:
    net = composite("Only wires", [], [wire("dataset", (None, "x"), (None, "y"))],
                    [ds("x", "IN", kit["num"]), ds("y", "OUT", kit["num"])], **kit["kw"])
    runs = module("Wires only", net, datasets={"x": {"dataset": kit["five"].pk, "version": 0},
                                               "y": {"output_method": "NEW"}}, **kit["kw"])
    run = succeeded(run_and_wait(runs, kit["owner"]))
    assert rows_in(written(run, "y")) == FIVE
    nothing_pending()


def test_a_required_output_fed_by_an_unbound_optional_input_is_refused(kit: dict[str, Any], worker: Any) -> None:
    net = composite("Optional feed", [], [wire("dataset", (None, "x"), (None, "y"))],
                    [ds("x", "IN", kit["num"], optional=True), ds("y", "OUT", kit["num"])], **kit["kw"])
    datasets, versions = Dataset.objects.count(), DatasetVersion.objects.count()
    run = run_and_wait(module("Nothing to copy", net, datasets={"y": {"output_method": "NEW"}}, **kit["kw"]),
                       kit["owner"])
    assert run.result == "FAILED" and run.error is not None
    assert (run.error["code"], run.error["message"]) == (
        "output_not_fed", "Output y is required but what feeds it (x) has no dataset in this run (an optional "
        "input left unbound).")
    assert (Dataset.objects.count(), DatasetVersion.objects.count()) == (datasets, versions)
    nothing_pending()


def test_an_inout_chain_with_a_branch_inside_a_nested_composite(kit: dict[str, Any], worker: Any) -> None:
    """d -> inner(bump -> trim) -> d, and bump's result also updated by `zero` into the OUT o."""
    num, kw = kit["num"], kit["kw"]
    zero = simple("zero", "UPDATE ${data} SET v = 0 WHERE k = 3;", [ds("data", "INOUT", num)], **kw)
    inner = composite("Bump and trim", [(1, "bump", kit["bump"]), (2, "trim", kit["trim"])], [
        wire("dataset", (None, "e"), (1, "data")), wire("dataset", (1, "data"), (2, "data")),
        wire("dataset", (2, "data"), (None, "e")), wire("dataset", (1, "data"), (None, "bumped"))],
        [ds("e", "INOUT", num), ds("bumped", "OUT", num)], **kw)
    outer = composite("Branches", [(1, "inner", inner), (2, "zero", zero)], [
        wire("dataset", (None, "d"), (1, "e")), wire("dataset", (1, "e"), (None, "d")),
        wire("dataset", (1, "bumped"), (2, "data")), wire("dataset", (2, "data"), (None, "o"))],
        [ds("d", "INOUT", num), ds("o", "OUT", num)], **kw)
    data = numbers("Branched", FIVE, **kw)
    runs = module("Branched", outer, datasets={"d": {"dataset": data.pk, "version": 0},
                                               "o": {"output_method": "NEW"}}, **kw)
    run = succeeded(run_and_wait(runs, kit["owner"]))
    assert rows_in(written(run, "d")) == BUMPED_THEN_TRIMMED and written(run, "d")["version"] == 1
    assert rows_in(written(run, "o")) == [(1, 11.0), (2, 12.0), (3, 0.0), (4, 4.0), (5, 5.0)]
    assert list(data.versions.values_list("number", flat=True)) == [0, 1]
    assert {n for *_, n, _ in physical_rows(data.pk)} == {0, 1}
    assert all(marks in ([], [1]) for *_, marks in physical_rows(data.pk))
    nothing_pending()
