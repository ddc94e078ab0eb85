"""Modules in a real browser: a modeler creates a module from the demo type, binds the demo dataset,
runs it and sees it turn UpToDate live; another user imports (and finalizes) a new version of its input and the first
browser sees it turn OutOfDate with the reason, without reloading; the Module Manager brings it up to
date; two modules are compared side by side; an admin finalizes an UpToDate module (refused, with the reasons,
while it has never run)."""

import re
import uuid
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from tests.e2e.conftest import log_in

pytestmark = pytest.mark.e2e

DEMO_TYPE = "Scale Emission Factors"
DEMO_MODULE = "Emission Factors +15%"
DEMO_DATASET = "Emission Factors 2016"
INPUT = "input_emission_factors_dataset"
OUTPUT = "output_emission_factors_dataset"
RUN_TIMEOUT = 90_000


def _status(page: Page) -> Locator:
    return page.get_by_test_id("module-status").first


def _create_module(page: Page, name: str) -> None:
    page.goto("/modules")
    expect(page.get_by_role("heading", name="Modules", level=1)).to_be_visible()
    page.get_by_role("button", name="New module").click()
    dialog = page.get_by_role("dialog", name="New module")
    dialog.get_by_label("Name", exact=True).fill(name)
    dialog.get_by_label("Project").select_option(label="Demo")
    picker = dialog.get_by_label("Module type version")
    option = picker.locator("option", has_text=f"{DEMO_TYPE} — v0")
    expect(option).to_have_count(1)
    picker.select_option(value=option.get_attribute("value"))
    dialog.get_by_role("button", name="Create module").click()
    expect(page).to_have_url(re.compile(r"/modules/\d+$"))
    expect(page.get_by_role("heading", name=name, level=1)).to_be_visible()


def _bind_and_save(page: Page) -> None:
    page.get_by_role("tab", name="Datasets").click()
    page.get_by_label(f"Dataset for {INPUT}").select_option(label=DEMO_DATASET)
    expect(page.get_by_label(f"Version for {INPUT}")).to_have_value("")  # "Latest version"
    row = page.get_by_test_id(f"binding-{OUTPUT}")
    row.get_by_label("NEW").check()
    expect(page.get_by_label(f"Name pattern for {OUTPUT}")).to_have_value(re.compile(r"\$\{run\.id\}"))
    page.get_by_role("tab", name="Parameters").click()
    page.get_by_label("increase_factor is set").check()
    page.get_by_label("Value of increase_factor").fill("1.2")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("Saved.", exact=True)).to_be_visible()


def _api(page: Page, method: str, path: str, data: object = None) -> Any:
    """The app's API with the logged-in browser's session (the set-up a test does not click through)."""
    token = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    response = page.request.fetch(path, method=method, data=data, headers={"X-CSRFToken": token})
    assert response.ok, f"{method} {path}: {response.status} {response.text()}"
    return response.json() if response.status != 204 else None


def _finalize_demo_type_version(page: Page) -> None:
    """EMF's first finalize condition: the module type version is final (the admin finalizes it, once)."""
    demo_type = next(t for t in _api(page, "GET", "/api/module-types") if t["name"] == DEMO_TYPE)
    version = next(v for v in demo_type["versions"] if v["number"] == 0)
    plan = _api(page, "GET", f"/api/module-type-versions/{version['id']}/finalize-plan")["versions"]
    if plan:  # empty once final
        _api(page, "POST", f"/api/module-type-versions/{version['id']}/finalize", {"confirm": [v["id"] for v in plan]})


def _import_final_version(page: Page, csv: Path) -> None:
    page.goto("/datasets")
    page.get_by_role("link", name=DEMO_DATASET, exact=True).click()
    expect(page.get_by_role("heading", name=DEMO_DATASET, level=1)).to_be_visible()
    page.get_by_role("tab", name="Import").click()
    page.get_by_label("CSV file").set_input_files(csv)
    page.get_by_role("button", name="Import", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Imported version 1", timeout=30_000)
    # A binding without version reads the new version (final or not) from now on; finalized here too.
    page.get_by_role("tab", name="Versions").click()
    page.get_by_test_id("version-1").get_by_role("button", name="Finalize").click()
    page.get_by_role("dialog", name="Finalize version").get_by_role("button", name="Finalize").click()
    expect(page.get_by_test_id("version-1").get_by_label("final")).to_be_visible()


def test_module_runs_turns_out_of_date_live_and_is_brought_up_to_date(page: Page, browser: Browser, live_url: str,
                                                                     tmp_path: Path) -> None:
    name = f"E2E module {uuid.uuid4().hex[:8]}"
    log_in(page, "modeler")
    expect(page.get_by_test_id("user-name")).to_have_text("Mona Modeler")

    # Create from the demo type, bind the demo dataset (latest version), set the parameter, save.
    _create_module(page, name)
    expect(_status(page)).to_have_attribute("data-status", "OutOfDate")
    expect(page.get_by_test_id("lock-banner")).to_have_count(0)  # nobody else holds the edit lock
    _bind_and_save(page)

    # Status explains itself: never run.
    page.get_by_role("button", name="Status", exact=True).click()
    dialog = page.get_by_role("dialog", name="Module status")
    expect(dialog.get_by_test_id("status-reasons")).to_contain_text("never run")
    dialog.get_by_role("button", name="OK").click()

    # Run: the badge turns UpToDate by itself (live), the run is in the history with its log.
    page.get_by_role("button", name="Run", exact=True).click()
    expect(_status(page)).to_have_attribute("data-status", "UpToDate", timeout=RUN_TIMEOUT)
    page.get_by_role("tab", name="History").click()
    history_row = page.get_by_test_id("history-run-1")
    expect(history_row).to_contain_text("SUCCESS")
    expect(history_row).to_contain_text("modeler")
    module_url = page.url

    # History Details: the log with levels, the exact scripts, the datasets read and written (links).
    history_row.get_by_role("link", name="Run 1").click()
    expect(page.get_by_role("heading", name=f"Run 1 of {name}", level=1)).to_be_visible()
    expect(page.get_by_test_id("run-result")).to_have_text("SUCCESS")
    expect(page.get_by_test_id("run-log")).to_contain_text("Run finished: SUCCESS.")
    expect(page.get_by_test_id("run-datasets").get_by_role("link", name=DEMO_DATASET)).to_be_visible()
    expect(page.get_by_test_id("run-parameters")).to_contain_text("1.2")
    page.get_by_text("User script").first.click()
    expect(page.get_by_test_id("run-steps")).to_contain_text("INSERT INTO")
    page.go_back()
    expect(page.get_by_role("heading", name=name, level=1)).to_be_visible()
    expect(page.get_by_test_id("lock-banner")).to_have_count(0)

    # Another browser (another user) imports a new version of the input: OutOfDate with the reason, no reload.
    csv = tmp_path / "factors.csv"
    csv.write_text("fuel_type,pollutant,year,emission_factor,comments\nCoal,NOx,2017,0.9,new\n", encoding="utf-8")
    other = browser.new_context(base_url=live_url, viewport={"width": 1400, "height": 900})
    other.set_default_timeout(15_000)
    try:
        admin_page = other.new_page()
        log_in(admin_page, "admin")
        expect(admin_page.get_by_test_id("user-name")).to_be_visible()
        # The admin opening the module shows up in the modeler's editor; the modeler saved and is only
        # looking, so nothing is locked (opening is not editing, issue 11).
        admin_page.goto(module_url)
        expect(page.get_by_test_id("presence")).to_contain_text("Ada")
        expect(admin_page.get_by_test_id("lock-banner")).to_have_count(0)
        _import_final_version(admin_page, csv)
    finally:
        other.close()

    expect(_status(page)).to_have_attribute("data-status", "OutOfDate", timeout=15_000)
    assert page.url == module_url  # no navigation, no reload
    page.get_by_role("button", name="Status", exact=True).click()
    dialog = page.get_by_role("dialog", name="Module status")
    expect(dialog.get_by_test_id("status-reasons")).to_contain_text(
        re.compile(rf'Input {INPUT}: a newer (final )?version \(1\) of "{DEMO_DATASET}" is available; '
                   r'the last run read version 0'))
    dialog.get_by_role("button", name="OK").click()

    # Module Manager: select it (OutOfDate) and bring it up to date; the badge turns green live.
    page.get_by_role("link", name="Modules", exact=True).first.click()
    expect(page.get_by_role("heading", name="Modules", level=1)).to_be_visible()
    row = page.get_by_role("row", name=re.compile(re.escape(name)))
    expect(row.get_by_test_id("module-status")).to_have_attribute("data-status", "OutOfDate")
    row.get_by_label(f"Select {name}").check()
    page.get_by_role("button", name="Bring up to date (1)").click()
    expect(page.get_by_role("status")).to_contain_text("Bringing 1 module up to date")
    expect(row).to_contain_text("#2 SUCCESS", timeout=RUN_TIMEOUT)
    expect(row.get_by_test_id("module-status")).to_have_attribute("data-status", "UpToDate")


def test_compare_two_modules_side_by_side(page: Page) -> None:
    name = f"E2E compare {uuid.uuid4().hex[:8]}"
    log_in(page, "modeler")
    expect(page.get_by_test_id("user-name")).to_be_visible()
    page.goto("/modules")
    demo_row = page.get_by_role("row", name=re.compile(re.escape(DEMO_MODULE)))
    demo_row.get_by_role("button", name=f"Copy {DEMO_MODULE}").click()
    dialog = page.get_by_role("dialog", name="Copy module")
    expect(dialog.get_by_label("Name of the copy")).to_have_value(f"Copy of {DEMO_MODULE}")
    dialog.get_by_label("Name of the copy").fill(name)
    dialog.get_by_role("button", name="Copy").click()
    expect(page.get_by_role("heading", name=name, level=1)).to_be_visible()

    # Change the copy's parameter, then compare it with the demo module.
    page.get_by_role("tab", name="Parameters").click()
    page.get_by_label("Value of increase_factor").fill("2.5")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("Saved.", exact=True)).to_be_visible()

    page.goto("/modules")
    page.get_by_label(f"Select {DEMO_MODULE}").check()
    page.get_by_label(f"Select {name}").check()
    page.get_by_role("button", name="Compare", exact=True).click()
    expect(page).to_have_url(re.compile(r"/modules/compare\?first=\d+&second=\d+$"))
    table = page.get_by_test_id("compare-table")
    parameter = table.get_by_test_id("compare-row-parameters-increase_factor / Input Value")
    expect(parameter).to_contain_text("DIFFERENT")
    expect(parameter).to_contain_text("1.15")
    expect(parameter).to_contain_text("2.5")
    expect(table).to_contain_text("MATCH")
    headers = table.locator("thead th")
    first_before = headers.nth(1).text_content() or ""

    page.get_by_label("Show only differences").check()
    expect(table.get_by_text("MATCH", exact=True)).to_have_count(0)
    expect(parameter).to_be_visible()

    page.get_by_role("button", name="Swap", exact=True).click()
    expect(headers.nth(2)).to_have_text(first_before)
    expect(parameter).to_contain_text("DIFFERENT")


def test_admin_finalizes_an_up_to_date_module_after_a_refusal_that_says_why(page: Page) -> None:
    name = f"E2E final module {uuid.uuid4().hex[:8]}"
    log_in(page, "admin")
    expect(page.get_by_test_id("user-role")).to_have_text("Admin")
    _finalize_demo_type_version(page)
    _create_module(page, name)
    _bind_and_save(page)

    # Never run: the server refuses and the dialog lists the failed condition.
    page.get_by_role("button", name="Finalize…").click()
    dialog = page.get_by_role("dialog", name="Finalize module")
    dialog.get_by_role("button", name="Finalize", exact=True).click()
    expect(dialog.get_by_role("alert")).to_contain_text("The module cannot be finalized")
    expect(dialog.get_by_test_id("finalize-reasons")).to_contain_text("The module has never run.")
    dialog.get_by_role("button", name="Cancel").click()
    expect(page.get_by_test_id("final-badge")).to_have_count(0)

    # Run it (UpToDate), then finalize: final, read-only, and still UpToDate.
    page.get_by_role("button", name="Run", exact=True).click()
    expect(_status(page)).to_have_attribute("data-status", "UpToDate", timeout=RUN_TIMEOUT)
    page.get_by_role("button", name="Finalize…").click()
    dialog = page.get_by_role("dialog", name="Finalize module")
    dialog.get_by_role("button", name="Finalize", exact=True).click()
    expect(dialog).to_be_hidden()
    expect(page.get_by_text("The module is final.", exact=True)).to_be_visible()
    for reloaded in (False, True):
        if reloaded:
            page.reload()
        expect(page.get_by_test_id("final-badge")).to_be_visible()
        expect(page.get_by_test_id("read-only-note")).to_contain_text("This module is final")
        expect(_status(page)).to_have_attribute("data-status", "UpToDate")
        expect(page.get_by_role("button", name="Finalize…")).to_have_count(0)
        expect(page.get_by_role("button", name="Save", exact=True)).to_have_count(0)
        page.get_by_role("tab", name="Summary").click()
        expect(page.get_by_label("Name", exact=True)).to_be_disabled()
    page.get_by_role("button", name="Status", exact=True).click()
    expect(page.get_by_role("dialog", name="Module status")).to_contain_text("Every condition of the UpToDate status holds.")
