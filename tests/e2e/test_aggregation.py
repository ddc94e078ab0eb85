"""Aggregation modules in a real browser (issue 13, docs/aggregation.md): the demo MAGDA example 1
(reg_mod: request × val, val = 11, feeding the aggregation agg_mod) shows its phases in the diagram
(yellow before, purple "(Agg)"); a bad run-time value is refused on its field; run with request = 10,
run with request = 20 (a Process pending badge in the editor and the Module Manager), process: the
processed output's rows hold 110 and 220 and the badge goes; process again: the output is empty."""

import re
from typing import Any

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.e2e.conftest import log_in, screenshot

pytestmark = pytest.mark.e2e

DEMO_MODULE = "MAGDA example 1"
YELLOW = "rgb(242, 194, 48)"  # flow.ts PHASE_COLORS.before
PURPLE = "rgb(107, 63, 160)"  # PHASE_COLORS.aggregation


def _background(locator: Locator) -> str:
    return str(locator.evaluate("e => getComputedStyle(e).backgroundColor"))


def _open_module(page: Page) -> None:
    page.goto("/modules")
    page.get_by_role("link", name=DEMO_MODULE, exact=True).click()
    expect(page.get_by_role("heading", name=DEMO_MODULE, level=1)).to_be_visible()


def _run_with_request(page: Page, request: str) -> None:
    page.get_by_role("button", name="Run with parameters…").click()
    dialog = page.get_by_role("dialog", name="Run with parameters")
    dialog.get_by_label("request for this run").fill(request)
    dialog.get_by_role("button", name="Run", exact=True).click()
    expect(dialog).to_have_count(0)
    # Only values other than the module's are sent (and named): its own request is 10.
    named = "" if request == "10" else rf" \(request = {request}\)"
    expect(page.get_by_test_id("run-result")).to_contain_text(
        re.compile(rf"^Run \d+{named} finished: SUCCESS"), timeout=60_000)


def _process(page: Page) -> None:
    page.get_by_role("button", name="Process", exact=True).click()
    expect(page.get_by_test_id("run-result")).to_contain_text(re.compile(r"^Process \d+ finished: SUCCESS"),
                                                              timeout=60_000)


def _open_output_rows(page: Page) -> None:
    """From the editor's run-result notice: the run, its output dataset, its Rows tab."""
    page.get_by_test_id("run-result").get_by_role("link").click()
    expect(page).to_have_url(re.compile(r"/runs/\d+$"))
    page.get_by_test_id("run-datasets").get_by_role("link", name=re.compile(r"processed")).click()
    expect(page.get_by_role("heading", name=re.compile("processed"), level=1)).to_be_visible()
    page.get_by_role("tab", name="Rows").click()


def _manager_badge(page: Page) -> Locator:
    page.goto("/modules")
    row = page.locator("[data-testid^='module-row-']").filter(has=page.get_by_role("link", name=DEMO_MODULE, exact=True))
    expect(row).to_have_count(1)
    return row.get_by_test_id("process-pending")


def test_magda_run_run_process_in_the_browser(page: Page) -> None:
    log_in(page, "modeler")
    expect(page.get_by_test_id("user-name")).to_be_visible()
    _open_module(page)
    expect(page.get_by_test_id("process-pending")).to_have_count(0)

    # The diagram: reg_mod before the aggregation (yellow), agg_mod the aggregation (purple, "(Agg)").
    page.get_by_role("tab", name="Diagram").click()
    reg, agg = page.get_by_test_id("node-header-reg_mod"), page.get_by_test_id("node-header-agg_mod")
    expect(agg).to_contain_text("agg_mod (Agg)")
    expect(reg).not_to_contain_text("(Agg)")
    expect(page.get_by_test_id("node-reg_mod")).to_have_attribute("data-phase", "before")
    expect(page.get_by_test_id("node-agg_mod")).to_have_attribute("data-phase", "aggregation")
    assert _background(reg) == YELLOW
    assert _background(agg) == PURPLE
    expect(page.get_by_test_id("phase-legend")).to_contain_text("before aggregation")
    screenshot(page, "aggregation-diagram")

    # A value that is not a bigint is refused on its field; nothing runs.
    page.get_by_role("button", name="Run with parameters…").click()
    dialog = page.get_by_role("dialog", name="Run with parameters")
    dialog.get_by_label("request for this run").fill("ten")
    dialog.get_by_role("button", name="Run", exact=True).click()
    expect(dialog.get_by_role("alert")).to_contain_text("ten")
    expect(dialog.get_by_label("request for this run")).to_have_attribute("aria-invalid", "true")
    dialog.get_by_role("button", name="Cancel").click()
    expect(page.get_by_test_id("run-result")).to_have_count(0)

    # run(10), run(20): a process is pending, 2 runs (2 rows) in agg_mod's state.
    _run_with_request(page, "10")
    expect(page.get_by_test_id("process-pending")).to_have_text("Process pending")
    _run_with_request(page, "20")
    page.get_by_role("tab", name="Aggregation").click()
    panel = page.get_by_test_id("aggregation-panel")
    expect(panel.get_by_test_id("aggregation-pending")).to_contain_text("2 runs (2 rows) aggregated since the last process.")
    expect(panel.get_by_test_id("aggregation-agg_mod").get_by_test_id("state-rows-link")).to_be_visible()
    screenshot(page, "aggregation-pending")
    # The status says why it is OutOfDate, as any reason does.
    page.get_by_role("button", name="Status", exact=True).click()
    expect(page.get_by_test_id("status-reasons").locator("[data-code='process_pending']")).to_have_text(
        "A process is pending: 2 runs (2 rows) aggregated since the last process.")
    page.get_by_role("button", name="OK").click()
    # The module keeps its own request (10): the runs used theirs.
    page.get_by_role("tab", name="Parameters").click()
    expect(page.get_by_label("Value of request")).to_have_value("10")
    # The state's rows, read in the browser: 110 and 220.
    page.get_by_role("tab", name="Aggregation").click()
    panel.get_by_test_id("state-rows-link").click()
    expect(page.get_by_test_id("rows-grid").locator("tbody tr td:nth-child(2)")).to_have_text(["110", "220"])
    expect(_manager_badge(page)).to_have_text("Process pending")

    # process: the output holds 110 and 220; nothing is pending any more.
    _open_module(page)
    _process(page)
    expect(page.get_by_test_id("process-pending")).to_have_count(0)
    page.get_by_role("tab", name="Aggregation").click()
    expect(page.get_by_test_id("aggregation-pending")).to_have_text("No")
    screenshot(page, "aggregation-after-process")
    # The history records each run's mode.
    page.get_by_role("tab", name="History").click()
    expect(page.get_by_test_id("history-table").locator("tbody tr td:nth-child(2)")).to_have_text(
        ["process", "run", "run"])
    _open_output_rows(page)
    # Column `value`, in the order the state collected them (record_id).
    expect(page.get_by_test_id("rows-grid").locator("tbody tr td:nth-child(2)")).to_have_text(["110", "220"])
    screenshot(page, "aggregation-processed-output")
    expect(_manager_badge(page)).to_have_count(0)

    # process again: the state was cleared, the output is empty.
    _open_module(page)
    _process(page)
    _open_output_rows(page)
    expect(page.get_by_text("This version has no rows.")).to_be_visible()
    expect(page.get_by_test_id("rows-grid").locator("tbody tr")).to_have_count(0)


def test_aggregation_type_sql_fields_in_the_version_editor(page: Page) -> None:
    """MAGDA Collect (the demo's aggregation type): its three SQL fields, empty, show the defaults for
    its slots; an unknown placeholder typed into Process is marked on the Process field."""
    log_in(page, "modeler")
    expect(page.get_by_test_id("user-name")).to_be_visible()
    versions = page.request.get("/api/module-type-versions").json()
    collect = next(v for v in versions if v["module_type_name"] == "MAGDA Collect")
    assert collect["is_aggregation"] is True
    page.goto(f"/module-type-versions/{collect['id']}")
    expect(page.get_by_test_id("aggregation-sql")).to_be_visible()
    expect(page.get_by_test_id("aggregation-checkbox")).to_be_checked()
    expect(page.get_by_test_id("algorithm-editor")).to_have_count(0)
    expect(page.get_by_test_id("agg-field-aggregate_sql")).to_contain_text(
        "-- Default: INSERT INTO ${state} (value) SELECT value FROM ${data};")
    expect(page.get_by_test_id("agg-field-process_sql")).to_contain_text(
        "-- Default: INSERT INTO ${result} (value) SELECT value FROM ${state} ORDER BY record_id;")
    expect(page.get_by_test_id("validation-status")).to_have_text("valid", timeout=15_000)

    page.get_by_test_id("process_sql-editor").click()
    page.keyboard.type("INSERT INTO ${result} (value) SELECT value FROM ${nope};")
    page.keyboard.press("Escape")  # closes the completion popup
    expect(page.get_by_test_id("process_sql-errors")).to_contain_text("nope", timeout=15_000)
    expect(page.get_by_test_id("aggregate_sql-errors")).to_have_count(0)
    expect(page.get_by_test_id("validation-errors")).to_contain_text("Process: line 1")
    screenshot(page, "aggregation-version-editor")


def _api(page: Page, method: str, path: str, data: object = None) -> Any:
    token = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    response = page.request.fetch(path, method=method, data=data, headers={"X-CSRFToken": token})
    assert response.ok, f"{method} {path}: {response.status} {response.text()}"
    return response.json()


def test_mixed_phase_inputs_shown_on_the_node_and_port(page: Page) -> None:
    """A composite whose `mix` is fed from before (reg's product) and from after (agg's result) the
    aggregation: the Version Editor colours reg yellow, agg purple "(Agg)", mix purple (after), and
    shows the refusal on mix and on its port `a`."""
    log_in(page, "modeler")
    expect(page.get_by_test_id("user-name")).to_be_visible()
    project = _api(page, "GET", "/api/me")["projects"][0]["id"]
    value = next(t["id"] for t in _api(page, "GET", "/api/dataset-types") if t["name"] == "MAGDA Value")
    versions = {v["module_type_name"]: v["id"] for v in _api(page, "GET", "/api/module-type-versions")}

    def slot(name: str, mode: str) -> dict[str, object]:
        return {"placeholder": name, "mode": mode, "dataset_type": value, "is_optional": False, "description": ""}

    def wire(kind: str, source: tuple[int | None, str], target: tuple[int | None, str]) -> dict[str, object]:
        return {"kind": kind, "source": {"submodule": source[0], "slot": source[1]},
                "target": {"submodule": target[0], "slot": target[1]}}

    two = _api(page, "POST", "/api/module-types/", {
        "name": "E2E Two Inputs", "kind": "simple", "project": project,
        "version": {"dataset_slots": [slot("a", "IN"), slot("b", "IN"), slot("c", "OUT")], "parameter_slots": [],
                    "algorithm": "INSERT INTO ${c} (value) SELECT value FROM ${a};"}})["versions"][0]["id"]
    params = [{"name": n, "sql_type": "bigint", "mode": "IN", "is_optional": False, "description": ""}
              for n in ("request", "val")]
    graph = {"submodules": [{"id": 1, "name": "reg", "version": versions["MAGDA Multiply"], "position": {"x": 0, "y": 0}},
                            {"id": 2, "name": "agg", "version": versions["MAGDA Collect"], "position": {"x": 320, "y": 0}},
                            {"id": 3, "name": "mix", "version": two, "position": {"x": 640, "y": 0}}],
             "connections": [wire("parameter", (None, "request"), (1, "request")), wire("parameter", (None, "val"), (1, "val")),
                             wire("dataset", (1, "product"), (2, "data")), wire("dataset", (2, "result"), (3, "a")),
                             wire("dataset", (1, "product"), (3, "b"))]}
    mixed = _api(page, "POST", "/api/module-types/", {
        "name": "E2E Mixed Phases", "kind": "composite", "project": project,
        "version": {"dataset_slots": [], "parameter_slots": params, "graph": graph}})
    page.goto(f"/module-type-versions/{mixed['versions'][0]['id']}")

    expect(page.get_by_test_id("node-mix")).to_have_attribute("data-phase", "after", timeout=15_000)
    expect(page.get_by_test_id("node-reg")).to_have_attribute("data-phase", "before")
    expect(page.get_by_test_id("node-header-agg")).to_contain_text("agg (Agg)")
    assert _background(page.get_by_test_id("node-header-reg")) == YELLOW
    assert _background(page.get_by_test_id("node-header-agg")) == PURPLE
    assert _background(page.get_by_test_id("node-header-mix")) == "rgb(155, 114, 200)"  # PHASE_COLORS.after
    expect(page.get_by_test_id("node-errors-mix").locator("summary")).to_have_text("1 problem")
    expect(page.get_by_test_id("node-errors-mix")).to_contain_text("fed both from before an aggregation (b)")
    expect(page.get_by_test_id("port-mix-in-a")).to_have_class(re.compile(r"\bmt-port-error\b"))
    expect(page.get_by_test_id("port-mix-in-b")).not_to_have_class(re.compile(r"\bmt-port-error\b"))
    expect(page.get_by_test_id("validation-errors")).to_contain_text("mix")
    page.get_by_test_id("diagram").scroll_into_view_if_needed()
    screenshot(page, "aggregation-mixed-phases")
