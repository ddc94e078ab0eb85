"""What a modeler sees in the Module Editor and the Module Manager (issue 14): a parameter value that
is not of its SQL type is refused at Save with its field marked; a run that fails says so live, with
the error and its line, in the editor, the Module Manager's row and a toast, linked to the run."""

import re
import uuid
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import log_in, screenshot
from tests.e2e.test_modules import DEMO_DATASET, INPUT, OUTPUT, RUN_TIMEOUT, _api, _create_module

pytestmark = pytest.mark.e2e

FAILING_ALGORITHM = "-- divides by zero on line 3\nPERFORM 1;\nPERFORM 1 / 0;\n"


def test_a_parameter_value_not_of_its_sql_type_is_refused_with_its_field_marked(page: Page) -> None:
    name = f"E2E bad value {uuid.uuid4().hex[:8]}"
    log_in(page, "modeler")
    expect(page.get_by_test_id("user-name")).to_be_visible()
    _create_module(page, name)
    page.get_by_role("tab", name="Datasets").click()
    page.get_by_label(f"Dataset for {INPUT}").select_option(label=DEMO_DATASET)
    page.get_by_test_id(f"binding-{OUTPUT}").get_by_label("NEW").check()
    page.get_by_role("tab", name="Parameters").click()
    page.get_by_label("increase_factor is set").check()
    value = page.get_by_label("Value of increase_factor")
    value.fill("abc")
    page.get_by_role("button", name="Save", exact=True).click()

    expect(page.get_by_text(re.compile(r"Parameter increase_factor: 'abc' is not a valid double precision value"))).to_be_visible()
    expect(value).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_test_id("parameter-increase_factor")).to_contain_text(
        "'abc' is not a valid double precision value.")
    expect(page.get_by_text("Saved.", exact=True)).to_have_count(0)

    value.fill("1.2")
    expect(value).not_to_have_attribute("aria-invalid", "true")  # the sentence was about 'abc'
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("Saved.", exact=True)).to_be_visible()
    expect(value).not_to_have_attribute("aria-invalid", "true")


def _failing_module(page: Page, name: str, algorithm: str = FAILING_ALGORITHM) -> dict[str, Any]:
    project = next(p["id"] for p in _api(page, "GET", "/api/me")["projects"] if p["name"] == "Demo")
    module_type = _api(page, "POST", "/api/module-types", {
        "name": f"{name} type", "kind": "simple", "project": project,
        "version": {"dataset_slots": [], "algorithm": algorithm}})
    version = module_type["versions"][0]["id"]
    return _api(page, "POST", "/api/modules/", {  # type: ignore[no-any-return]
        "name": name, "type_version": version, "project": project})


def test_a_failed_run_shows_live_in_the_editor_the_module_manager_and_a_toast(page: Page) -> None:
    name = f"E2E failing {uuid.uuid4().hex[:8]}"
    log_in(page, "modeler")
    expect(page.get_by_test_id("user-name")).to_be_visible()
    module = _failing_module(page, name)

    # The Module Editor: Run, then the result replaces "started" by itself, with the error and its line.
    page.goto(f"/modules/{module['id']}")
    expect(page.get_by_role("heading", name=name, level=1)).to_be_visible()
    page.get_by_role("button", name="Run", exact=True).click()
    result = page.get_by_test_id("run-result")
    expect(result).to_contain_text("Run 1 FAILED", timeout=RUN_TIMEOUT)
    expect(result).to_contain_text("division by zero")
    expect(result).to_contain_text("line 3")
    expect(page.get_by_text("Run 1 started.")).to_have_count(0)
    expect(page.get_by_text(re.compile(r"Run 1 is going"))).to_have_count(0)
    toast = page.get_by_test_id("toast").filter(has_text=f"{name}: Run 1 FAILED")
    expect(toast).to_contain_text("division by zero (line 3")
    screenshot(page, "module-editor-failed-run")
    result.get_by_role("link", name="Open the run").click()
    expect(page).to_have_url(re.compile(r"/runs/\d+$"))
    expect(page.get_by_role("heading", name=f"Run 1 of {name}", level=1)).to_be_visible()

    # The Module Manager: the row says FAILED and why; a run started there fails live, with a toast.
    page.get_by_role("link", name="Modules", exact=True).first.click()
    row = page.get_by_role("row", name=re.compile(re.escape(name)))
    expect(row).to_contain_text("#1 FAILED")
    expect(row.get_by_test_id("last-run-error")).to_contain_text("division by zero (line 3")
    row.get_by_role("button", name=f"Run {name}").click()
    expect(row).to_contain_text("#2 FAILED", timeout=RUN_TIMEOUT)
    expect(row.get_by_test_id("last-run-error")).to_contain_text("division by zero (line 3")
    expect(page.get_by_test_id("toast").filter(has_text=f"{name}: Run 2 FAILED")).to_contain_text("division by zero")
    screenshot(page, "module-manager-failed-run")


def test_cancel_asks_first_keep_running_keeps_it_and_cancel_run_stops_it(page: Page) -> None:
    name = f"E2E cancel {uuid.uuid4().hex[:8]}"
    log_in(page, "modeler")
    expect(page.get_by_test_id("user-name")).to_be_visible()
    module = _failing_module(page, name, algorithm="PERFORM pg_sleep(60);\n")
    page.goto(f"/modules/{module['id']}")
    page.get_by_role("button", name="Run", exact=True).click()
    cancel = page.get_by_role("button", name="Cancel run")
    expect(cancel).to_be_visible(timeout=RUN_TIMEOUT)

    cancel.click()
    dialog = page.get_by_role("dialog", name="Cancel run")
    expect(dialog).to_contain_text(f"Cancel run 1 of {name}?")
    dialog.get_by_role("button", name="Keep running").click()
    expect(dialog).to_have_count(0)
    page.wait_for_timeout(1000)
    run = _api(page, "GET", f"/api/modules/{module['id']}/history")[0]
    assert run["result"] in (None, ""), run  # still going: nothing was cancelled

    cancel.click()
    page.get_by_role("dialog", name="Cancel run").get_by_role("button", name="Cancel run").click()
    expect(page.get_by_test_id("run-result")).to_contain_text("Run 1 CANCELLED", timeout=RUN_TIMEOUT)


COPY_ALGORITHM = ("INSERT INTO ${dst} (Fuel_Type, Pollutant, Year, Emission_Factor, Comments)\n"
                  "SELECT Fuel_Type, Pollutant, Year, Emission_Factor, Comments FROM ${src};\n")


def test_the_finalize_dialog_lists_the_type_and_dataset_versions_finalized_with_the_module(page: Page) -> None:
    name = f"E2E finalize plan {uuid.uuid4().hex[:8]}"
    log_in(page, "admin")
    expect(page.get_by_test_id("user-role")).to_have_text("Admin")
    project = next(p["id"] for p in _api(page, "GET", "/api/me")["projects"] if p["name"] == "Demo")
    dtype = next(t["id"] for t in _api(page, "GET", "/api/dataset-types") if t["name"] == "Emission Factors")
    source = next(d["id"] for d in _api(page, "GET", "/api/datasets/") if d["name"] == DEMO_DATASET)
    module_type = _api(page, "POST", "/api/module-types", {
        "name": f"{name} type", "kind": "simple", "project": project,
        "version": {"dataset_slots": [{"placeholder": "src", "mode": "IN", "dataset_type": dtype},
                                      {"placeholder": "dst", "mode": "OUT", "dataset_type": dtype}],
                    "algorithm": COPY_ALGORITHM}})
    version = module_type["versions"][0]
    module = _api(page, "POST", "/api/modules/", {
        "name": name, "type_version": version["id"], "project": project,
        "dataset_bindings": {"src": {"dataset": source, "version": None},
                             "dst": {"output_method": "NEW", "name_pattern": f"{name} out"}}})

    page.goto(f"/modules/{module['id']}")
    page.get_by_role("button", name="Run", exact=True).click()
    expect(page.get_by_test_id("module-status").first).to_have_attribute("data-status", "UpToDate",
                                                                          timeout=RUN_TIMEOUT)

    # The dialog says what is finalized with the module before the admin agrees.
    page.get_by_role("button", name="Finalize…").click()
    dialog = page.get_by_role("dialog", name="Finalize module")
    expect(dialog.get_by_test_id("finalize-type-versions")).to_contain_text(f"{name} type v0")
    datasets = dialog.get_by_test_id("finalize-dataset-versions")
    expect(datasets).to_contain_text(re.compile(rf"{re.escape(DEMO_DATASET)} version \d+.*\(input\)"))
    expect(datasets).to_contain_text(f"{name} out version 0")
    expect(datasets).to_contain_text("(output)")
    expect(dialog.get_by_test_id("finalize-blockers")).to_have_count(0)
    screenshot(page, "module-finalize-dialog")
    dialog.get_by_role("button", name="Finalize", exact=True).click()
    expect(dialog).to_be_hidden()
    expect(page.get_by_test_id("final-badge")).to_be_visible()
    expect(page.get_by_text("The module is final.", exact=True)).to_be_visible()

    # Finalized with it: the type version and the output's version.
    assert _api(page, "GET", f"/api/module-type-versions/{version['id']}")["is_final"] is True
    output = next(d for d in _api(page, "GET", "/api/datasets/") if d["name"] == f"{name} out")
    assert all(v["is_final"] for v in _api(page, "GET", f"/api/datasets/{output['id']}/versions/"))
