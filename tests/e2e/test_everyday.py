"""Everyday use in a real browser (issue 14, minor items 5-16): what a new user trips over.

A modeler's day: the home page (running work, OutOfDate modules, recent runs; a skip link), a copied
module naming its outputs after itself, the Module Editor's tab in the URL (Back from a run lands on
History), run details naming the type version, the lock mark, the Module Manager at 1024 px with a
folding sidebar; dataset types (confirmation, their page, sorted pickers), exporting what the row
viewer shows, validation messages that say their place once, and the diagram (free placement, auto-layout
without connections, fit on reload). A viewer is told why Bring up to date is disabled."""

import csv
import io
import re
import uuid
from typing import Any

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.e2e.conftest import log_in, screenshot

pytestmark = pytest.mark.e2e

DEMO_TYPE = "Scale Emission Factors"
DEMO_MODULE = "Emission Factors +15%"
DEMO_DATASET = "Emission Factors 2016"
OUTPUT = "output_emission_factors_dataset"
RUN_TIMEOUT = 90_000


def _api(page: Page, method: str, path: str, data: object = None) -> Any:
    token = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    response = page.request.fetch(path, method=method, data=data, headers={"X-CSRFToken": token})
    assert response.ok, f"{method} {path}: {response.status} {response.text()}"
    return response.json() if response.status != 204 else None


def _box(locator: Locator) -> dict[str, float]:
    box = locator.bounding_box()
    assert box is not None, "not on the screen"
    return {"x": box["x"], "y": box["y"], "width": box["width"], "height": box["height"]}


def _overlap(a: dict[str, float], b: dict[str, float]) -> bool:
    return (a["x"] < b["x"] + b["width"] and b["x"] < a["x"] + a["width"]
            and a["y"] < b["y"] + b["height"] and b["y"] < a["y"] + a["height"])


def _flow_boxes(page: Page) -> dict[str, dict[str, float]]:
    """Each diagram node's box in flow coordinates (its translate and size), whatever the zoom or scroll."""
    rows = page.locator(".react-flow__node").evaluate_all(
        "ns => ns.map(n => { const m = /translate\\(([-\\d.]+)px, ([-\\d.]+)px\\)/.exec(n.style.transform);"
        " return [n.dataset.id, +m[1], +m[2], n.offsetWidth, n.offsetHeight]; })")
    return {r[0]: {"x": r[1], "y": r[2], "width": r[3], "height": r[4]} for r in rows}


def test_a_modelers_day_home_copy_tabs_run_details_lock_and_1024px(page: Page) -> None:
    name = f"E2E everyday {uuid.uuid4().hex[:8]}"
    log_in(page, "modeler")
    expect(page.get_by_test_id("user-name")).to_have_text("Mona Modeler")

    # #11: the copy's NEW output is named after the copy, not the original.
    demo = next(m for m in _api(page, "GET", "/api/modules") if m["name"] == DEMO_MODULE)
    copy = _api(page, "POST", f"/api/modules/{demo['id']}/copy", {"name": name})
    assert copy["dataset_bindings"][OUTPUT]["name_pattern"] == f"{name} #${{run.id}}"

    # #16: the home page shows the user's work: the new copy (never run) among the OutOfDate modules.
    page.goto("/")
    expect(page.get_by_role("heading", name="Home", level=1)).to_be_visible()
    expect(page.get_by_test_id("home-out-of-date").get_by_role("link", name=name)).to_be_visible()
    expect(page.get_by_test_id("home-running")).to_be_visible()
    expect(page.get_by_test_id("home-recent-runs")).to_be_visible()
    # #16: the first Tab stop is a skip link to the content.
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page.locator("#main-content")).to_be_focused()

    # #12: the Module Editor's tab is in the URL.
    page.goto(f"/modules/{copy['id']}")
    expect(page.get_by_role("heading", name=name, level=1)).to_be_visible()
    page.get_by_role("tab", name="Datasets").click()
    expect(page).to_have_url(re.compile(r"\?tab=datasets$"))
    expect(page.get_by_label(f"Name pattern for {OUTPUT}")).to_have_value(f"{name} #${{run.id}}")
    page.get_by_role("button", name="Run", exact=True).click()
    expect(page.get_by_test_id("module-status").first).to_have_attribute("data-status", "UpToDate",
                                                                           timeout=RUN_TIMEOUT)
    page.get_by_role("tab", name="History").click()
    expect(page).to_have_url(re.compile(r"\?tab=history$"))
    page.get_by_test_id("history-run-1").get_by_role("link", name="Run 1").click()
    # #6: the run names its type version by type name and number, linked.
    expect(page.get_by_role("heading", name=f"Run 1 of {name}", level=1)).to_be_visible()
    version_link = page.get_by_role("link", name=f"{DEMO_TYPE} version 0")
    expect(version_link).to_have_attribute("href", re.compile(r"^/module-type-versions/\d+$"))
    page.go_back()
    expect(page.get_by_role("tab", name="History")).to_have_attribute("aria-selected", "true")
    expect(page.get_by_test_id("history-run-1")).to_be_visible()

    # #14: the Module Manager marks the module the editor holds with a padlock icon, not an emoji.
    # Opening is not editing (issue 11): the editor takes the lock with the first change.
    expect(page.get_by_test_id("lock-banner")).to_have_count(0)
    assert not _api(page, "GET", f"/api/modules/{copy['id']}").get("lock")
    page.get_by_role("tab", name="Summary").click()
    page.get_by_label("Description").fill("Being edited")
    for _ in range(50):
        if _api(page, "GET", f"/api/modules/{copy['id']}").get("lock"):
            break
        page.wait_for_timeout(100)
    manager = page.context.new_page()
    manager.goto("/modules")
    row = manager.get_by_role("row", name=re.compile(re.escape(name)))
    expect(row.get_by_test_id("lock-icon")).to_be_visible()
    assert "🔒" not in row.inner_text()

    # #8: at 1024 px the sidebar folds away and the table fits: Remove is on the screen, no sideways scroll.
    manager.set_viewport_size({"width": 1024, "height": 768})
    expect(manager.get_by_role("navigation", name="Main")).to_be_hidden()
    remove = row.get_by_role("button", name=f"Remove {name}")
    expect(remove).to_be_visible()
    box = _box(remove)
    assert box["x"] + box["width"] <= 1024, box
    assert manager.locator(".content").evaluate("e => e.scrollWidth <= e.clientWidth")
    screenshot(manager, "modules-1024")
    menu = manager.get_by_role("button", name="Menu")
    menu.click()
    nav = manager.get_by_role("navigation", name="Main")
    expect(nav).to_be_visible()
    nav.get_by_role("link", name="History").click()
    expect(manager.get_by_role("heading", name="History", level=1)).to_be_visible()
    expect(nav).to_be_hidden()
    manager.close()


def test_dataset_types_export_validation_and_diagram(page: Page) -> None:
    uid = uuid.uuid4().hex[:8]
    log_in(page, "modeler")
    expect(page.get_by_test_id("user-name")).to_have_text("Mona Modeler")

    # #10: creating a dataset type confirms it and opens its page (columns).
    type_name = f"aa e2e type {uid}"
    page.goto("/datasets")
    page.get_by_role("button", name="New dataset type").click()
    dialog = page.get_by_role("dialog", name="New dataset type")
    dialog.get_by_label("Name", exact=True).fill(type_name)
    dialog.get_by_label("Column 1 name").fill("station")
    dialog.get_by_role("button", name="Create dataset type").click()
    expect(page).to_have_url(re.compile(r"/dataset-types/\d+$"))
    expect(page.get_by_test_id("created-banner")).to_contain_text(f"Dataset type {type_name} created")
    expect(page.get_by_test_id("dataset-type-columns")).to_contain_text("station")
    # #10: the types' page, and what uses a type.
    page.get_by_role("link", name="Dataset Types", exact=True).first.click()
    page.get_by_test_id("dataset-types-table").get_by_role("link", name="Emission Factors", exact=True).click()
    used_by = page.get_by_test_id("dataset-type-used-by")
    expect(used_by.get_by_role("link", name=DEMO_DATASET)).to_be_visible()
    expect(used_by.get_by_role("link", name=f"{DEMO_TYPE} version 0")).to_be_visible()
    # #10: pickers list the types by name.
    page.goto("/datasets")
    page.get_by_role("button", name="New dataset", exact=True).click()
    options = page.get_by_role("dialog", name="New dataset").get_by_label("Dataset type").locator("option")
    expect(options.nth(1)).to_have_text(type_name)
    names = options.all_inner_texts()[1:]
    assert names == sorted(names, key=str.lower), names
    page.keyboard.press("Escape")

    # #13: Export CSV exports what the viewer shows: the filters and the order go into the request.
    page.get_by_role("link", name=DEMO_DATASET, exact=True).click()
    page.get_by_role("tab", name="Rows").click()
    expect(page.get_by_test_id("export-scope")).to_have_text("Exports the whole version.")
    page.get_by_label("Filter operator for pollutant").select_option("eq")
    page.get_by_label("Filter value for pollutant").fill("NOx")
    page.get_by_label("Filter value for pollutant").press("Enter")
    page.get_by_test_id("rows-grid").get_by_role("button", name="emission_factor").click()
    page.get_by_test_id("rows-grid").get_by_role("button", name="emission_factor").click()  # descending
    expect(page.get_by_test_id("export-scope")).to_have_text(
        "Exports the rows matching the filters, in the order shown.")
    href = page.get_by_role("link", name="Export CSV").get_attribute("href") or ""
    assert "filter=pollutant%3Aeq%3ANOx" in href and "sort=emission_factor" in href and "order=desc" in href, href
    exported = list(csv.DictReader(io.StringIO(page.request.get(href).text())))
    assert exported and {r["pollutant"] for r in exported} == {"NOx"}
    factors = [float(r["emission_factor"]) for r in exported]
    assert factors == sorted(factors, reverse=True)

    # #15: a validation message says where it is once.
    _new_type(page, "simple", f"E2E messages {uid}")
    page.locator(".cm-content").click()
    page.keyboard.type("SELEC 1;")
    page.keyboard.press("Escape")
    errors = page.get_by_test_id("validation-errors")
    expect(errors).to_contain_text("line 1, column 1")
    expect(errors).not_to_contain_text("at line")

    # #5: submodules added from the palette never stack; auto-layout without connections puts Inputs
    # left and Outputs right; after a reload the view fits every node.
    _new_type(page, "composite", f"E2E diagram {uid}")
    add = page.get_by_role("button", name=f"Add {DEMO_TYPE} v0")
    add.click()
    add.click()
    second = page.get_by_test_id(f"node-{DEMO_TYPE} 2")
    expect(second).to_be_visible()
    boxes = _flow_boxes(page)
    assert not _overlap(boxes["s1"], boxes["s2"]), boxes
    diagram = page.get_by_test_id("diagram")
    diagram.evaluate("e => e.scrollIntoView({block: 'center'})")
    for _ in range(2):
        page.get_by_test_id(f"palette-{DEMO_TYPE}-v0").drag_to(diagram, target_position={"x": 200, "y": 120})
    expect(page.get_by_test_id(f"node-{DEMO_TYPE} 4")).to_be_visible()
    boxes = _flow_boxes(page)
    subs = [boxes[f"s{i}"] for i in range(1, 5)]
    assert not any(_overlap(a, b) for i, a in enumerate(subs) for b in subs[i + 1:]), boxes
    page.get_by_role("button", name="Auto-layout").click()
    page.wait_for_timeout(600)  # the layout, then the fit
    boxes = _flow_boxes(page)
    inputs, outputs = boxes["inputs"], boxes["outputs"]
    for i in range(1, 5):
        box = boxes[f"s{i}"]
        assert inputs["x"] + inputs["width"] <= box["x"] and box["x"] + box["width"] <= outputs["x"], boxes
    page.get_by_role("button", name="Save", exact=True).click()
    save = page.get_by_role("dialog", name="Save version")
    save.get_by_label("Revision note").fill("Four scales")
    save.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("Saved.", exact=True)).to_be_visible()
    page.reload()
    expect(page.locator(".react-flow__node")).to_have_count(6)
    page.wait_for_timeout(400)  # the fit after the nodes are measured
    diagram.evaluate("e => e.scrollIntoView({block: 'center'})")
    page.wait_for_timeout(300)
    screenshot(page, "diagram-after-reload")
    # Validation answers after the layout: the problems it draws on a node must not grow it onto its neighbour.
    boxes = _flow_boxes(page)
    subs = [boxes[f"s{i}"] for i in range(1, 5)]
    assert not any(_overlap(a, b) for i, a in enumerate(subs) for b in subs[i + 1:]), boxes
    expect(page.get_by_test_id(f"node-errors-{DEMO_TYPE} 2")).to_contain_text("2 problems")
    area = _box(diagram)
    for node in page.locator(".react-flow__node").all():
        box = _box(node)
        assert area["x"] - 1 <= box["x"] and box["x"] + box["width"] <= area["x"] + area["width"] + 1, (area, box)
        assert area["y"] - 1 <= box["y"] and box["y"] + box["height"] <= area["y"] + area["height"] + 1, (area, box)


def test_a_viewer_is_told_the_role_is_why_bring_up_to_date_is_disabled(page: Page) -> None:
    log_in(page, "viewer")
    expect(page.get_by_test_id("user-name")).to_be_visible()
    page.goto("/modules")
    button = page.get_by_role("button", name=re.compile(r"^Bring up to date"))
    expect(button).to_be_disabled()
    expect(button).to_have_attribute("title", re.compile(r"^Your role \(Viewer\) can only look at modules"))


def _new_type(page: Page, kind: str, name: str) -> None:
    page.goto("/module-types")
    page.get_by_role("button", name=f"New {kind} type").click()
    dialog = page.get_by_role("dialog", name=f"New {kind} module type")
    dialog.get_by_label("Name", exact=True).fill(name)
    dialog.get_by_label("Project").select_option(label="Demo")
    dialog.get_by_role("button", name="Create").click()
    expect(page.get_by_role("heading", name=f"{name} — version 0")).to_be_visible()
    expect(page.get_by_label("Version name")).to_be_enabled()
