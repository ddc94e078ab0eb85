"""Module types in a real browser: a modeler writes a simple type's algorithm in CodeMirror with
placeholder completion and inline errors, builds a composite in the diagram editor (palette, drag to
connect, a refused connection, save and reload), and an admin finalizes a version."""

import re
import uuid

import pytest
from playwright.sync_api import Locator, Page, expect

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
    diagnostic = page.locator(".cm-mb-diagnostic")
    expect(diagnostic).to_have_text("${nope}")
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
