"""The Dataset Manager in a real browser: create a type and a dataset, import a CSV with progress, page,
sort and export its rows, see a bad CSV's row/column/reason; a viewer reads but cannot change."""

import csv
import re
import uuid
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import log_in

pytestmark = pytest.mark.e2e

ROWS = 2500
COLUMNS = [("code", "varchar"), ("amount", "integer"), ("ratio", "double precision"), ("note", "text")]


def _rows(count: int) -> list[list[str]]:
    """Values as PostgreSQL's CSV export writes them: `ratio` needs no rounding, every 7th note is NULL."""
    return [[f"r{i:04d}", str((i * 37) % 1000), f"{i / 4:g}", "" if i % 7 == 0 else f"note, {i}"]
            for i in range(1, count + 1)]


def _write_csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow([name for name, _ in COLUMNS])
        writer.writerows(rows)
    return path


def _first_row_cells(page: Page) -> list[str]:
    return page.get_by_test_id("rows-grid").locator("tbody tr").first.locator("td").all_inner_texts()


def test_modeler_creates_imports_pages_sorts_and_exports_a_dataset(page: Page, tmp_path: Path) -> None:
    suffix = uuid.uuid4().hex[:8]
    type_name, dataset_name = f"E2E type {suffix}", f"E2E dataset {suffix}"
    rows = _rows(ROWS)
    good = _write_csv(tmp_path / "good.csv", rows)
    bad = tmp_path / "bad.csv"
    bad.write_text("code,amount,ratio,note\nr1,1,0.5,fine\nr2,abc,0.5,broken\n", encoding="utf-8")

    log_in(page, "modeler")
    expect(page.get_by_test_id("user-name")).to_have_text("Mona Modeler")
    page.goto("/datasets")
    expect(page.get_by_role("heading", name="Datasets", level=1)).to_be_visible()

    # New dataset type: name + columns editor.
    page.get_by_role("button", name="New dataset type").click()
    dialog = page.get_by_role("dialog", name="New dataset type")
    dialog.get_by_label("Name", exact=True).fill(type_name)
    for index, (name, sql_type) in enumerate(COLUMNS, start=1):
        if index > 1:
            dialog.get_by_role("button", name="Add column").click()
        dialog.get_by_label(f"Column {index} name").fill(name)
        dialog.get_by_label(f"Column {index} type").select_option(sql_type)
    dialog.get_by_role("button", name="Create dataset type").click()
    expect(dialog).to_be_hidden()
    # The new type's page confirms it (issue 14 #10); back to the Dataset Manager.
    expect(page.get_by_test_id("created-banner")).to_contain_text(f"Dataset type {type_name} created")
    page.goto("/datasets")

    # New dataset of that type in project Demo; the app opens it.
    page.get_by_role("button", name="New dataset", exact=True).click()
    dialog = page.get_by_role("dialog", name="New dataset")
    dialog.get_by_label("Name", exact=True).fill(dataset_name)
    dialog.get_by_label("Dataset type").select_option(label=type_name)
    dialog.get_by_label("Project").select_option(label="Demo")
    dialog.get_by_label("Description", exact=True).fill("made by the browser test")
    dialog.get_by_role("button", name="Create dataset").click()
    expect(page).to_have_url(re.compile(r"/datasets/\d+$"))
    expect(page.get_by_role("heading", name=dataset_name, level=1)).to_be_visible()

    # Import the CSV through the file input: the upload bar reaches 100% and the version appears.
    page.get_by_role("tab", name="Import").click()
    page.get_by_label("CSV file").set_input_files(good)
    page.get_by_role("button", name="Import", exact=True).click()
    expect(page.get_by_role("status")).to_have_text(
        f"Imported version 0 (Initial Version): {ROWS:,} rows.", timeout=30_000)
    expect(page.get_by_role("progressbar", name="Upload progress")).to_have_attribute("aria-valuenow", "100")
    page.get_by_role("tab", name="Versions").click()
    version_row = page.get_by_test_id("version-0")
    expect(version_row).to_contain_text("Initial Version")
    expect(version_row).to_contain_text(f"{ROWS:,}")

    # Rows: keyset paging.
    page.get_by_role("tab", name="Rows").click()
    expect(page.get_by_test_id("rows-range")).to_have_text(f"rows 1–100 of {ROWS:,}")
    assert _first_row_cells(page)[1:] == ["r0001", "37", "0.25", "note, 1"]
    page.get_by_role("button", name="Next page").click()
    expect(page.get_by_test_id("rows-range")).to_have_text(f"rows 101–200 of {ROWS:,}")
    expect(page.get_by_test_id("rows-grid").locator("tbody tr").first).to_contain_text("r0101")
    expect(page.get_by_test_id("rows-grid").locator("tbody tr")).to_have_count(100)
    page.get_by_role("button", name="Previous page").click()
    expect(page.get_by_test_id("rows-range")).to_have_text(f"rows 1–100 of {ROWS:,}")

    # Sort by a column: ascending, then descending.
    amounts = sorted(int(r[1]) for r in rows)
    header = page.get_by_role("columnheader", name="amount")
    page.get_by_role("button", name="amount", exact=True).click()
    expect(header).to_have_attribute("aria-sort", "ascending")
    expect(page.get_by_test_id("rows-grid").locator("tbody tr").first.locator("td").nth(2)).to_have_text(
        str(amounts[0]))
    page.get_by_role("button", name="amount", exact=True).click()
    expect(header).to_have_attribute("aria-sort", "descending")
    expect(page.get_by_test_id("rows-grid").locator("tbody tr").first.locator("td").nth(2)).to_have_text(
        str(amounts[-1]))
    # NULL shows as a muted NULL.
    page.get_by_role("button", name="amount", exact=True).click()
    expect(header).to_have_attribute("aria-sort", "none")
    page.get_by_label("Filter operator for note").select_option("is_null")
    expect(page.get_by_test_id("rows-range")).to_contain_text("matching the filters")
    expect(page.get_by_test_id("rows-grid").locator("tbody tr").first.locator(".ds-null")).to_have_text("NULL")
    page.get_by_role("button", name="Clear filters").click()
    expect(page.get_by_test_id("rows-range")).to_have_text(f"rows 1–100 of {ROWS:,}")

    # Export: the downloaded CSV holds exactly the imported values.
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Export CSV").click()
    exported = Path(download_info.value.path()).read_text(encoding="utf-8")
    parsed = list(csv.reader(exported.splitlines()))
    assert parsed[0] == [name for name, _ in COLUMNS]
    assert parsed[1:] == rows

    # A bad CSV: the row, column and reason are shown, nothing is imported.
    page.get_by_role("tab", name="Import").click()
    page.get_by_label("CSV file").set_input_files(bad)
    page.get_by_role("button", name="Import", exact=True).click()
    alert = page.get_by_test_id("import-error")
    expect(alert).to_have_attribute("role", "alert")
    expect(alert).to_contain_text("nothing was imported")
    problem = alert.get_by_test_id("csv-problems").locator("tbody tr").first
    expect(problem.locator("td").nth(0)).to_have_text("2")
    expect(problem.locator("td").nth(1)).to_have_text("amount")
    expect(problem.locator("td").nth(2)).to_contain_text("invalid input syntax for type integer")
    page.get_by_role("tab", name="Versions").click()
    expect(page.get_by_test_id("versions-table").locator("tbody tr")).to_have_count(1)


def test_viewer_reads_the_demo_dataset_but_cannot_change_it(page: Page) -> None:
    log_in(page, "viewer")
    expect(page.get_by_test_id("user-role")).to_have_text("Viewer")
    page.goto("/datasets")
    expect(page.get_by_role("button", name="New dataset", exact=True)).to_have_count(0)
    page.get_by_role("link", name="Emission Factors 2016").click()
    expect(page.get_by_role("heading", name="Emission Factors 2016", level=1)).to_be_visible()
    expect(page.get_by_test_id("read-only-note")).to_be_visible()
    page.get_by_role("tab", name="Rows").click()
    # Other browser tests may add versions to the demo dataset: read the seeded one.
    page.get_by_label("Version", exact=True).select_option("0")
    expect(page.get_by_test_id("rows-range")).to_have_text("rows 1–8 of 8")
    grid = page.get_by_test_id("rows-grid")
    expect(grid.locator("tbody tr")).to_have_count(8)
    expect(grid.locator("tbody tr").first).to_contain_text("Coal")
    expect(grid.locator("tbody tr").first).to_contain_text("bituminous")
    expect(grid.locator("tbody tr").nth(2).locator(".ds-null")).to_have_text("NULL")  # Natural Gas: no comment
    expect(page.get_by_role("tab", name="Import")).to_have_count(0)
    expect(page.get_by_role("button", name="Remove")).to_have_count(0)
    expect(page.get_by_role("button", name="Edit")).to_have_count(0)
    page.get_by_role("tab", name="Versions").click()
    expect(page.get_by_test_id("version-0")).to_contain_text("✓")
    expect(page.get_by_role("button", name="Finalize")).to_have_count(0)
    expect(page.get_by_role("button", name="New version")).to_have_count(0)
