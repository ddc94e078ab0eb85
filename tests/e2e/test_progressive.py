"""Progressive runs in a real browser (issue 12, docs/progressive.md "Demo and the browser test"): a
modeler runs the demo Histogram on the large demo dataset, watches at least three successive
partial charts (provisional) before the final one, steers the bin count and sees the chart drawn
again with the new number of bars, then final."""

import os
import re
import time

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.e2e.conftest import log_in

pytestmark = pytest.mark.e2e

DEMO_MODULE = "Histogram of Measurements 1M"


def _shot(page: Page, name: str) -> None:
    if os.environ.get("E2E_SCREENSHOTS"):
        page.screenshot(path=f"{os.environ['E2E_SCREENSHOTS']}/{name}.png", full_page=True)


def _chart_state(chart: Locator) -> tuple[str | None, str | None, str | None]:
    """(bars, rows, final) of the histogram chart now (None while it is not drawn)."""
    return chart.evaluate(
        """e => [e.getAttribute('data-bars'), e.getAttribute('data-rows'),
                 e.closest('[data-final]') ? e.closest('[data-final]').getAttribute('data-final') : null]""")


def _distinct_provisional(page: Page, chart: Locator, wanted: int, bars: str, timeout: float) -> list[str]:
    """Polls the chart until it has shown `wanted` different provisional partial results with
    `bars` bars (told apart by their rows counted); returns their rows in order of appearance."""
    seen: list[str] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if chart.count():
            got_bars, rows, final = _chart_state(chart.first)
            assert final != "true" or len(seen) >= wanted, f"final before {wanted} partial charts: {seen}"
            if final == "false" and got_bars == bars and rows is not None and (not seen or seen[-1] != rows):
                seen.append(rows)
                if len(seen) >= wanted:
                    return seen
        page.wait_for_timeout(40)
    raise AssertionError(f"saw only {seen} provisional charts with {bars} bars within {timeout} s")


def test_histogram_partials_then_steer_the_bins(page: Page) -> None:
    log_in(page, "modeler")
    expect(page.get_by_test_id("user-name")).to_be_visible()
    page.goto("/modules")
    page.get_by_role("link", name=DEMO_MODULE, exact=True).click()
    expect(page.get_by_role("heading", name=DEMO_MODULE, level=1)).to_be_visible()
    page.get_by_role("button", name="Run", exact=True).click()
    page.get_by_test_id("run-in-progress").get_by_role("link", name="Watch it live").click()
    expect(page).to_have_url(re.compile(r"/runs/\d+$"))
    expect(page.get_by_role("heading", name=re.compile(rf"^Run \d+ of {re.escape(DEMO_MODULE)}$"), level=1)).to_be_visible()

    panel = page.get_by_test_id("partial-module")
    chart = panel.get_by_test_id("histogram-chart")
    expect(panel).to_have_attribute("data-kind", "histogram", timeout=30_000)
    expect(panel.get_by_test_id("partial-mark")).to_have_text("provisional")
    # At least three successive partial charts of 32 bars, each with more rows, before the final one.
    rows = _distinct_provisional(page, chart, 3, "32", timeout=30)
    assert [int(r) for r in rows] == sorted(int(r) for r in rows) and len(set(rows)) == 3, rows
    expect(chart).to_have_attribute("data-drawn", "32")
    expect(page.get_by_test_id("progress-module").get_by_test_id("scheduler-state")).to_have_text(
        re.compile("ready|running|blocked"))
    _shot(page, "progressive-partials")

    # Steer the bin count: the form holds the running value, 8 is sent and applied.
    form = page.get_by_test_id("steer-module")
    bins = form.get_by_label(re.compile(r"^bins"))
    expect(bins).to_have_value("32")
    # A value that does not parse is refused beside the form, naming the field; the run goes on.
    bins.fill("abc")
    form.get_by_role("button", name="Apply").click()
    expect(form.get_by_test_id("steer-error")).to_contain_text("bins: 'abc' is not an integer")
    expect(page.get_by_test_id("run-steering")).to_have_count(0)
    bins.fill("8")
    form.get_by_role("button", name="Apply").click()
    expect(form.get_by_test_id("steer-status")).to_contain_text("Applied: bins = 8", timeout=15_000)
    expect(page.get_by_test_id("run-steering")).to_contain_text("bins = 8")
    # The chart is drawn again with 8 bars (still provisional: the Histogram started over), then final.
    _distinct_provisional(page, chart, 1, "8", timeout=20)
    _shot(page, "progressive-steered")
    # The ECharts instance itself holds 8 bars (data-drawn: its first series' data, read back from it).
    expect(chart).to_have_attribute("data-drawn", "8")
    expect(panel).to_have_attribute("data-final", "true", timeout=60_000)
    expect(panel.get_by_test_id("partial-mark")).to_have_text("final")
    expect(chart).to_have_attribute("data-bars", "8")
    expect(panel.get_by_test_id("histogram-bins")).to_have_text("8 bins")
    expect(page.get_by_test_id("run-result")).to_have_text(re.compile("SUCCESS"))
    _shot(page, "progressive-final")
