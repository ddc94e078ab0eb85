import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import log_in

pytestmark = pytest.mark.e2e


def test_log_in_see_the_shell_and_log_out(page: Page) -> None:
    page.goto("/modules")
    expect(page).to_have_url(re.compile(r"/login"))
    log_in(page, "modeler")
    expect(page).to_have_url(re.compile(r"/modules$"))  # back where the user was going
    expect(page.get_by_test_id("user-name")).to_have_text("Mona Modeler")
    expect(page.get_by_test_id("user-role")).to_have_text("Modeler")
    nav = page.get_by_role("navigation")
    for section in ("Datasets", "Module Types", "Modules", "History"):
        expect(nav.get_by_role("link", name=section, exact=True)).to_be_visible()
    expect(page.get_by_test_id("live-status")).to_have_text("live")
    nav.get_by_role("link", name="Datasets", exact=True).click()
    expect(page.get_by_role("heading", name="Datasets", level=1)).to_be_visible()
    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(re.compile(r"/login"))
    page.goto("/datasets")
    expect(page).to_have_url(re.compile(r"/login"))


def test_home_shows_projects_and_system_health(page: Page) -> None:
    log_in(page, "admin")
    expect(page.get_by_test_id("user-role")).to_have_text("Admin")
    expect(page.get_by_text("Demo").first).to_be_visible()
    health = page.get_by_test_id("health-worker")
    expect(health).to_contain_text("ok", timeout=20_000)


def test_wrong_password_shows_an_error(page: Page) -> None:
    log_in(page, "viewer", "not-the-password")
    expect(page.get_by_role("alert")).to_have_text("Wrong username or password.")
    expect(page).to_have_url(re.compile(r"/login"))
