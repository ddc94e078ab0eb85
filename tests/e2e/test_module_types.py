"""Module types in a real browser: a modeler writes a simple type's algorithm in CodeMirror with
placeholder completion and inline errors, builds a composite in the diagram editor (palette, drag to
connect, a refused connection, save and reload), and an admin finalizes a version."""

import re
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from tests.e2e.conftest import log_in

pytestmark = pytest.mark.e2e

DEMO_TYPE = "Scale Emission Factors"


def _new_type(page: Page, kind: str, name: str) -> None:
    """Creates a module type from the Module Type Manager and waits for its version 0 in the editor."""
    page.goto("/module-types")
    expect(page.get_by_role("heading", name="Module Types", level=1)).to_be_visible()
    page.get_by_role("button", name=f"New {kind} type").click()
    dialog = page.get_by_role("dialog", name=f"New {kind} module type")
    dialog.get_by_label("Name", exact=True).fill(name)
    dialog.get_by_label("Project").select_option(label="Demo")
    dialog.get_by_label("Description").fill(f"A {kind} type made by the browser tests.")
    dialog.get_by_role("button", name="Create").click()
    expect(page).to_have_url(re.compile(r"/module-type-versions/\d+$"))
    expect(page.get_by_role("heading", name=f"{name} — version 0")).to_be_visible()
    expect(page.get_by_label("Version name")).to_be_enabled()


def _save(page: Page, note: str) -> None:
    page.get_by_role("button", name="Save", exact=True).click()
    dialog = page.get_by_role("dialog", name="Save version")
    dialog.get_by_label("Revision note").fill(note)
    dialog.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("Saved.", exact=True)).to_be_visible()


def _center(locator: Locator) -> tuple[float, float]:
    box = locator.bounding_box()
    assert box is not None, "the element is not on the screen"
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


def _drag(page: Page, source: Locator, target: Locator) -> None:
    """A pointer drag from one port handle to another, as a user connects them."""
    page.get_by_test_id("diagram").evaluate("e => e.scrollIntoView({block: 'center'})")
    sx, sy = _center(source)
    tx, ty = _center(target)
    page.mouse.move(sx, sy)
    page.mouse.down()
    page.mouse.move((sx + tx) / 2, (sy + ty) / 2, steps=8)
    page.mouse.move(tx, ty, steps=8)
    page.mouse.up()


def test_modeler_writes_a_simple_type_with_completion_and_inline_errors(page: Page) -> None:
    name = f"E2E simple {uuid.uuid4().hex[:8]}"
    log_in(page, "modeler")
    expect(page.get_by_test_id("user-name")).to_have_text("Mona Modeler")
    _new_type(page, "simple", name)

    # An IN dataset slot of type Emission Factors and a double precision parameter.
    page.get_by_role("button", name="Add dataset").click()
    page.get_by_label("Dataset 1 placeholder").fill("factors_in")
    page.get_by_label("Dataset 1 mode").select_option("IN")
    page.get_by_label("Dataset 1 type").select_option(label="Emission Factors")
    page.get_by_role("button", name="Add parameter").click()
    page.get_by_label("Parameter 1 name").fill("scale")
    page.get_by_label("Parameter 1 SQL type").select_option("double precision")

    # Type the algorithm; `${` offers the placeholders of the (unsaved) slot table.
    editor = page.locator(".cm-content")
    editor.click()
    page.keyboard.type("PERFORM count(*) FROM ${")
    completions = page.locator(".cm-tooltip-autocomplete")
    expect(completions).to_be_visible()
    expect(completions.get_by_role("option", name=re.compile(r"^run\."))).to_be_visible()
    completions.get_by_role("option", name=re.compile(r"^factors_in")).click()
    expect(editor).to_contain_text("PERFORM count(*) FROM ${factors_in}")
    page.keyboard.type(";")
    page.keyboard.press("Escape")
    page.keyboard.press("Enter")

    # An unknown placeholder is underlined where it is, and listed under the editor.
    page.keyboard.type("PERFORM ${nope};")
    page.keyboard.press("Escape")
    diagnostic = page.locator(".cm-lintRange-error")
    expect(diagnostic).to_have_text("${nope}")
    diagnostic.hover()
    expect(page.locator(".cm-tooltip-lint")).to_contain_text("nope")
    expect(page.get_by_test_id("validation-errors")).to_contain_text("line 2, column 9")
    expect(page.get_by_test_id("validation-errors")).to_contain_text("nope")

    # Fix it: the parameter instead, completed from `#{`.
    for _ in range(len("${nope};")):
        page.keyboard.press("Backspace")
    page.keyboard.type("#{")
    expect(completions.get_by_role("option", name=re.compile(r"^scale"))).to_be_visible()
    page.wait_for_timeout(150)  # CodeMirror ignores Enter just after the list opens (its interactionDelay)
    page.keyboard.press("Enter")
    page.keyboard.type(";")
    page.keyboard.press("Escape")
    expect(editor).to_contain_text("PERFORM #{scale};")
    expect(page.get_by_test_id("validation-status")).to_have_text("valid")
    expect(diagnostic).to_have_count(0)

    # A syntax error (PostgreSQL's own parser, through pglast) is shown where it is too.
    page.keyboard.press("Enter")
    page.keyboard.type("SELEC 1;")
    page.keyboard.press("Escape")
    expect(page.get_by_test_id("validation-errors")).to_contain_text("line 3, column 1")
    expect(diagnostic).to_have_text("SELEC")
    for _ in range(len("SELEC 1;") + 1):
        page.keyboard.press("Backspace")
    expect(page.get_by_test_id("validation-status")).to_have_text("valid")

    _save(page, "Counts the scaled factors")
    page.reload()
    expect(page.get_by_test_id("revision-notes")).to_contain_text("Counts the scaled factors")
    expect(page.locator(".cm-content")).to_contain_text("PERFORM count(*) FROM ${factors_in};")
    expect(page.locator(".cm-content")).to_contain_text("PERFORM #{scale};")
    expect(page.get_by_label("Dataset 1 placeholder")).to_have_value("factors_in")
    expect(page.get_by_label("Parameter 1 SQL type")).to_have_value("double precision")


def test_modeler_builds_a_composite_in_the_diagram_editor(page: Page) -> None:
    name = f"E2E composite {uuid.uuid4().hex[:8]}"
    first, second = DEMO_TYPE, f"{DEMO_TYPE} 2"
    log_in(page, "modeler")
    expect(page.get_by_test_id("user-name")).to_have_text("Mona Modeler")
    _new_type(page, "composite", name)

    # Two submodules from the palette, auto-named and distinct.
    add = page.get_by_role("button", name=f"Add {DEMO_TYPE} v0")
    add.click()
    add.click()
    expect(page.get_by_test_id(f"node-{first}")).to_be_visible()
    expect(page.get_by_test_id(f"node-{second}")).to_be_visible()
    page.get_by_role("button", name="Auto-layout").click()
    page.wait_for_timeout(500)  # the layout, then the fit, animate into place

    # Rename the second one (double-click its title).
    page.get_by_test_id(f"node-{second}").locator(".mt-node-header").dblclick()
    rename = page.get_by_label("Submodule name")
    rename.fill("Scale again")
    rename.press("Enter")
    second = "Scale again"
    expect(page.get_by_test_id(f"node-{second}")).to_be_visible()

    # Drag from the first one's output port to the second one's input port.
    out_port = page.get_by_test_id(f"handle-{first}-out-output_emission_factors_dataset")
    in_port = page.get_by_test_id(f"handle-{second}-in-input_emission_factors_dataset")
    _drag(page, out_port, in_port)
    edges = page.locator(".react-flow__edge")
    expect(edges).to_have_count(1)

    # A dataset output onto a parameter input is refused, with the reason.
    _drag(page, page.get_by_test_id(f"handle-{second}-out-output_emission_factors_dataset"),
          page.get_by_test_id(f"handle-{first}-in-increase_factor"))
    expect(page.get_by_test_id("diagram-message")).to_contain_text("a dataset connects only to a dataset")
    expect(edges).to_have_count(1)

    # Undo removes the connection, redo brings it back.
    page.get_by_role("button", name="Undo").click()
    expect(edges).to_have_count(0)
    page.get_by_role("button", name="Redo").click()
    expect(edges).to_have_count(1)

    _save(page, "Two scales in a row")
    page.reload()
    expect(page.get_by_test_id("revision-notes")).to_contain_text("Two scales in a row")
    expect(page.get_by_test_id(f"node-{first}")).to_be_visible()
    expect(page.get_by_test_id(f"node-{second}")).to_be_visible()
    expect(page.locator(".react-flow__node")).to_have_count(4)  # Inputs, Outputs and the two submodules
    expect(edges).to_have_count(1)
    expect(page.locator(".react-flow__edge.mt-edge-dataset")).to_have_count(1)
    edge_id = page.locator(".react-flow__edge").get_attribute("data-testid") or ""
    assert re.search(r"s1:output_emission_factors_dataset->s2:input_emission_factors_dataset$", edge_id), edge_id


def test_admin_finalizes_a_version_and_sees_it_read_only(page: Page) -> None:
    name = f"E2E final {uuid.uuid4().hex[:8]}"
    log_in(page, "admin")
    expect(page.get_by_test_id("user-role")).to_have_text("Admin")
    _new_type(page, "simple", name)

    page.get_by_role("button", name="Finalize…").click()
    dialog = page.get_by_role("dialog", name="Finalize version")
    expect(dialog.get_by_test_id("finalize-plan")).to_contain_text(f"{name} v0")
    dialog.get_by_role("button", name="Finalize", exact=True).click()
    expect(dialog).to_be_hidden()

    expect(page.get_by_test_id("final-badge")).to_be_visible()
    expect(page.get_by_test_id("read-only-note")).to_contain_text("final")
    expect(page.get_by_role("button", name="Save", exact=True)).to_have_count(0)
    expect(page.get_by_role("button", name="Finalize…")).to_have_count(0)
    expect(page.get_by_label("Version name")).to_be_disabled()
    expect(page.locator(".cm-content")).to_have_attribute("contenteditable", "false")
    page.reload()
    expect(page.get_by_test_id("final-badge")).to_be_visible()
    expect(page.get_by_test_id("revision-notes")).to_contain_text("Finalized")


# ------------------------------------------------------------------------------------------ API set-up

def _api(page: Page, method: str, path: str, data: object = None) -> Any:
    """The app's API with the logged-in browser's session (the set-up a test does not click through)."""
    token = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    response = page.request.fetch(path, method=method, data=data, headers={"X-CSRFToken": token})
    assert response.ok, f"{method} {path}: {response.status} {response.text()}"
    return response.json() if response.status != 204 else None


def _demo_ids(page: Page) -> tuple[int, int]:
    """(the Demo project, the Emission Factors dataset type)."""
    project = next(p["id"] for p in _api(page, "GET", "/api/me")["projects"] if p["name"] == "Demo")
    dtype = next(t["id"] for t in _api(page, "GET", "/api/dataset-types") if t["name"] == "Emission Factors")
    return project, dtype


def _simple_type(page: Page, name: str, description: str = "") -> dict[str, Any]:
    project, dtype = _demo_ids(page)
    return _api(page, "POST", "/api/module-types", {  # type: ignore[no-any-return]
        "name": name, "kind": "simple", "project": project, "description": description,
        "version": {"dataset_slots": [{"placeholder": "src", "mode": "IN", "dataset_type": dtype},
                                      {"placeholder": "dst", "mode": "OUT", "dataset_type": dtype}],
                    "algorithm": "INSERT INTO ${dst} SELECT * FROM ${src};"}})


def _composite_using(page: Page, name: str, version_id: int) -> dict[str, Any]:
    project, _ = _demo_ids(page)
    return _api(page, "POST", "/api/module-types", {  # type: ignore[no-any-return]
        "name": name, "kind": "composite", "project": project,
        "version": {"graph": {"submodules": [{"id": 1, "name": "step", "version": version_id,
                                              "position": {"x": 0, "y": 0}}], "connections": []}}})


def _open_version(page: Page, version_id: int) -> None:
    page.goto(f"/module-type-versions/{version_id}")
    expect(page.get_by_label("Version name")).to_be_visible()


def _logged_in_page(browser: Browser, live_url: str, username: str) -> Page:
    context = browser.new_context(base_url=live_url, viewport={"width": 1400, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    log_in(page, username)
    expect(page.get_by_test_id("user-name")).to_be_visible()
    return page


@pytest.fixture
def admin_page(browser: Browser, live_url: str) -> Iterator[Page]:
    """A second browser (its own cookies) where the admin works."""
    page = _logged_in_page(browser, live_url, "admin")
    yield page
    page.context.close()


@pytest.fixture
def second_modeler_page(browser: Browser, live_url: str) -> Iterator[Page]:
    """The same modeler on another machine (a second browser context)."""
    page = _logged_in_page(browser, live_url, "modeler")
    yield page
    page.context.close()


# ------------------------------------------------------------------------------------------ flows

def test_manager_search_new_versions_new_type_and_removal(page: Page) -> None:
    uid = uuid.uuid4().hex[:8]
    log_in(page, "modeler")
    expect(page.get_by_test_id("user-name")).to_have_text("Mona Modeler")
    alpha = _simple_type(page, f"E2E alpha {uid}", description=f"first of {uid}")
    _simple_type(page, f"E2E beta {uid}")

    page.goto("/module-types")
    search = page.get_by_label("Search module types")
    search.fill(uid)
    table = page.get_by_test_id("module-types-table")
    expect(table.get_by_role("link", name=re.compile(uid))).to_have_count(2)
    search.fill(f"alpha {uid}")
    expect(table.get_by_role("link", name=re.compile(uid))).to_have_count(1)
    page.get_by_label("Kind").select_option("composite")
    expect(page.get_by_text("No module type matches these filters.")).to_be_visible()
    page.get_by_label("Kind").select_option("")

    # Version Manager: a new version from the latest, then one from version 0.
    page.get_by_test_id(f"module-type-E2E alpha {uid}").get_by_role("button", name="Versions").click()
    expect(page.get_by_role("heading", name=f"E2E alpha {uid}", level=1)).to_be_visible()
    page.get_by_role("button", name="New version").click()
    expect(page.get_by_role("heading", name=f"E2E alpha {uid} — version 1")).to_be_visible()
    page.goto(f"/module-types/{alpha['id']}")
    page.get_by_label("Select version 0").check()
    page.get_by_role("button", name="New version").click()
    expect(page.get_by_role("heading", name=f"E2E alpha {uid} — version 2")).to_be_visible()
    expect(page.get_by_test_id("revision-notes")).to_contain_text("Copied from version 0")

    # A new module type from version 1.
    page.goto(f"/module-types/{alpha['id']}")
    page.get_by_label("Select version 1").check()
    page.get_by_role("button", name="New type from version").click()
    dialog = page.get_by_role("dialog", name="New type from version")
    dialog.get_by_label("Name of the new module type").fill(f"E2E gamma {uid}")
    dialog.get_by_role("button", name="Create type").click()
    expect(page.get_by_role("heading", name=f"E2E gamma {uid}", level=1)).to_be_visible()
    expect(page.get_by_test_id("version-row-0")).to_be_visible()

    # Remove version 2 after the confirmation.
    page.goto(f"/module-types/{alpha['id']}")
    page.get_by_label("Select version 2").check()
    page.get_by_role("button", name="Remove version").click()
    dialog = page.get_by_role("dialog", name="Remove version")
    expect(dialog).to_contain_text("version 2")
    dialog.get_by_role("button", name="Remove").click()
    expect(page.get_by_test_id("version-row-2")).to_have_count(0)
    expect(page.get_by_test_id("version-row-1")).to_be_visible()


def _node_transforms(page: Page) -> dict[str, str]:
    """Each diagram node's place in flow coordinates (React Flow's translate, whatever the zoom)."""
    return page.locator(".react-flow__node").evaluate_all(
        "nodes => Object.fromEntries(nodes.map(n => [n.dataset.id, n.style.transform]))")  # type: ignore[no-any-return]


def test_composite_palette_drop_refusals_copy_paste_errors_and_exact_reload(page: Page) -> None:
    uid = uuid.uuid4().hex[:8]
    name = f"E2E drop {uid}"
    log_in(page, "modeler")
    expect(page.get_by_test_id("user-name")).to_have_text("Mona Modeler")
    other_type = _api(page, "POST", "/api/dataset-types", {
        "name": f"Other {uid}", "description": "", "columns": [{"name": "x", "sql_type": "integer"}]})
    _new_type(page, "composite", name)

    # The composite's own inputs: an optional one of the right type, a required one of another type.
    page.get_by_role("button", name="Add dataset").click()
    page.get_by_label("Dataset 1 placeholder").fill("maybe")
    page.get_by_label("Dataset 1 type").select_option(label="Emission Factors")
    page.get_by_label("Dataset 1 optional").check()
    page.get_by_role("button", name="Add dataset").click()
    page.get_by_label("Dataset 2 placeholder").fill("other")
    page.get_by_label("Dataset 2 type").select_option(label=other_type["name"])

    # A submodule dropped from the palette onto the diagram.
    page.get_by_test_id(f"palette-{DEMO_TYPE}-v0").drag_to(page.get_by_test_id("diagram"),
                                                            target_position={"x": 120, "y": 60})
    node = page.get_by_test_id(f"node-{DEMO_TYPE}")
    expect(node).to_be_visible()
    expect(node.locator(".mt-node-header")).to_have_css("background-color", "rgb(59, 111, 182)")  # submodule 1's
    expect(page.get_by_test_id("node-Inputs")).to_have_css("background-color", "rgb(255, 255, 255)")
    expect(node.locator(".mt-handle-dataset").first).to_be_visible()
    expect(node.locator(".mt-handle-parameter").first).to_be_visible()

    # Validation draws its errors on the node and on the port they concern.
    expect(page.get_by_test_id(f"node-errors-{DEMO_TYPE}")).to_contain_text("input_emission_factors_dataset")
    expect(page.get_by_test_id(f"port-{DEMO_TYPE}-in-input_emission_factors_dataset")).to_have_class(
        re.compile("mt-port-error"))

    # Refused connections say why.
    target = page.get_by_test_id(f"handle-{DEMO_TYPE}-in-input_emission_factors_dataset")
    _drag(page, page.get_by_test_id("handle-Inputs-out-maybe"), target)
    expect(page.get_by_test_id("diagram-message")).to_contain_text("Cannot connect the optional")
    _drag(page, page.get_by_test_id("handle-Inputs-out-other"), target)
    expect(page.get_by_test_id("diagram-message")).to_contain_text("their dataset types differ")
    expect(page.locator(".react-flow__edge")).to_have_count(0)

    # Copy and paste the submodule, then delete the copy.
    node.locator(".mt-node-header").click()
    page.get_by_role("button", name="Copy", exact=True).click()
    page.get_by_role("button", name="Paste", exact=True).click()
    copy = page.get_by_test_id(f"node-{DEMO_TYPE} 2")
    expect(copy).to_be_visible()
    page.get_by_role("button", name=f"Delete {DEMO_TYPE} 2").click()
    expect(copy).to_have_count(0)

    # Move the composite's own Inputs node, zoom to fit, save, reload: everything where it was.
    header = page.get_by_test_id("node-Inputs").locator(".mt-node-header")
    page.get_by_test_id("diagram").evaluate("e => e.scrollIntoView({block: 'center'})")
    x, y = _center(header)
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x - 60, y + 90, steps=6)
    page.mouse.up()
    page.get_by_role("button", name="Zoom to fit").click()
    before = _node_transforms(page)
    _save(page, "Dropped from the palette")
    page.reload()
    expect(page.get_by_test_id(f"node-{DEMO_TYPE}")).to_be_visible()
    expect(page.locator(".react-flow__node")).to_have_count(3)
    assert _node_transforms(page) == before
    expect(page.get_by_text("Unsaved changes")).to_have_count(0)


def test_updating_a_used_version_asks_to_confirm_and_lists_its_users(page: Page) -> None:
    uid = uuid.uuid4().hex[:8]
    log_in(page, "modeler")
    expect(page.get_by_test_id("user-name")).to_have_text("Mona Modeler")
    step = _simple_type(page, f"E2E used {uid}")
    _composite_using(page, f"E2E user {uid}", step["versions"][0]["id"])

    _open_version(page, step["versions"][0]["id"])
    page.get_by_label("Version description").fill("now documented")
    page.get_by_role("button", name="Save", exact=True).click()
    dialog = page.get_by_role("dialog", name="Save version")
    dialog.get_by_label("Revision note").fill("Document it")
    dialog.get_by_role("button", name="Save", exact=True).click()
    confirm = page.get_by_role("dialog", name="Update a version in use?")
    expect(confirm.get_by_test_id("dependents-list")).to_contain_text(f"E2E user {uid} v0")
    confirm.get_by_role("button", name="Save anyway").click()
    expect(page.get_by_text("Saved.", exact=True)).to_be_visible()
    expect(page.get_by_test_id("revision-notes")).to_contain_text("Document it")


def test_admin_finalizes_a_composite_with_its_submodule_and_removes_types(page: Page) -> None:
    uid = uuid.uuid4().hex[:8]
    log_in(page, "admin")
    expect(page.get_by_test_id("user-role")).to_have_text("Admin")
    step = _simple_type(page, f"E2E sub {uid}")
    whole = _composite_using(page, f"E2E whole {uid}", step["versions"][0]["id"])
    lonely = _simple_type(page, f"E2E lonely {uid}")

    # Removing a used type is refused, after a confirmation that listed who uses it.
    page.goto("/module-types")
    page.get_by_label("Search module types").fill(f"E2E sub {uid}")
    page.get_by_test_id(f"module-type-E2E sub {uid}").get_by_role("button", name="Remove").click()
    dialog = page.get_by_role("dialog", name="Remove module type")
    expect(dialog.get_by_test_id("usage-list")).to_contain_text(f"E2E whole {uid} v0")
    dialog.get_by_role("button", name="Remove").click()
    expect(dialog.get_by_role("alert")).to_contain_text("used by")
    dialog.get_by_role("button", name="Cancel").click()

    # An unused one goes.
    page.get_by_label("Search module types").fill(f"E2E lonely {uid}")
    page.get_by_test_id(f"module-type-E2E lonely {uid}").get_by_role("button", name="Remove").click()
    dialog = page.get_by_role("dialog", name="Remove module type")
    expect(dialog).to_contain_text("No module or composite module type uses it.")
    dialog.get_by_role("button", name="Remove").click()
    expect(page.get_by_test_id(f"module-type-E2E lonely {uid}")).to_have_count(0)
    assert lonely["id"] not in [t["id"] for t in _api(page, "GET", "/api/module-types")]

    # Finalizing the composite lists and finalizes its submodule's version too.
    _open_version(page, whole["versions"][0]["id"])
    page.get_by_role("button", name="Finalize…").click()
    dialog = page.get_by_role("dialog", name="Finalize version")
    plan = dialog.get_by_test_id("finalize-plan")
    expect(plan).to_contain_text(f"E2E whole {uid} v0")
    expect(plan).to_contain_text(f"E2E sub {uid} v0")
    dialog.get_by_role("button", name="Finalize 2 versions").click()
    expect(page.get_by_test_id("final-badge")).to_be_visible()
    _open_version(page, step["versions"][0]["id"])
    expect(page.get_by_test_id("final-badge")).to_be_visible()
    expect(page.get_by_test_id("revision-notes")).to_contain_text(f"Finalized while finalizing E2E whole {uid} version 0")
    expect(page.get_by_label("Version name")).to_be_disabled()


def test_a_stale_save_shows_the_conflict_and_keeps_the_edits(page: Page, second_modeler_page: Page) -> None:
    uid = uuid.uuid4().hex[:8]
    log_in(page, "modeler")
    expect(page.get_by_test_id("user-name")).to_have_text("Mona Modeler")
    version_id = _simple_type(page, f"E2E race {uid}")["versions"][0]["id"]
    other = second_modeler_page
    for p in (page, other):
        _open_version(p, version_id)
        expect(p.get_by_label("Version name")).to_be_enabled()

    page.get_by_label("Version name").fill("Mine")
    other.get_by_label("Version description").fill("Theirs")
    _save(other, "their change")

    page.get_by_role("button", name="Save", exact=True).click()
    dialog = page.get_by_role("dialog", name="Save version")
    dialog.get_by_label("Revision note").fill("my change")
    dialog.get_by_role("button", name="Save", exact=True).click()
    conflict = page.get_by_test_id("conflict")
    expect(conflict).to_contain_text("your save was refused and your edits are kept")
    expect(page.get_by_label("Version name")).to_have_value("Mine")

    conflict.get_by_role("button", name="Keep my edits on their version").click()
    expect(page.get_by_label("Version description")).to_have_value("Theirs")
    expect(page.get_by_label("Version name")).to_have_value("Mine")
    _save(page, "my change, again")
    page.reload()
    expect(page.get_by_label("Version name")).to_have_value("Mine")
    expect(page.get_by_label("Version description")).to_have_value("Theirs")
    expect(page.get_by_test_id("revision-notes")).to_contain_text("their change")


def test_the_edit_lock_between_a_modeler_and_an_admin(page: Page, admin_page: Page) -> None:
    uid = uuid.uuid4().hex[:8]
    log_in(page, "modeler")
    expect(page.get_by_test_id("user-name")).to_have_text("Mona Modeler")
    version_id = _simple_type(page, f"E2E lock {uid}")["versions"][0]["id"]
    _open_version(page, version_id)
    expect(page.get_by_label("Version name")).to_be_enabled()
    page.get_by_label("Version name").fill("Unsaved by Mona")

    _open_version(admin_page, version_id)
    banner = admin_page.get_by_test_id("lock-banner")
    expect(banner).to_contain_text(re.compile(r"Being edited by Mona Modeler since \d\d:\d\d"))
    expect(admin_page.get_by_label("Version name")).to_be_disabled()
    expect(page.get_by_test_id("presence")).to_contain_text("Ada Admin")

    banner.get_by_role("button", name="Break lock").click()
    expect(admin_page.get_by_label("Version name")).to_be_enabled()
    expect(page.get_by_test_id("lock-banner")).to_contain_text("Being edited by Ada Admin")
    expect(page.get_by_label("Version name")).to_be_disabled()
    expect(page.get_by_label("Version name")).to_have_value("Unsaved by Mona")
    expect(page.get_by_test_id("lock-lost-edits")).to_be_visible()
