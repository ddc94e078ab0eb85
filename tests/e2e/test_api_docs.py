"""Interactive API docs in a real browser, offline (issue 14): /api/docs/ must render Swagger UI and the
operations from assets the app serves itself; every request to another host is refused, as in a
locked-down deployment."""

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, Route, expect

from tests.e2e.conftest import log_in, screenshot

pytestmark = pytest.mark.e2e


def test_api_docs_render_the_operations_without_reaching_another_host(page: Page, live_url: str) -> None:
    own_host = urlsplit(live_url).netloc
    refused: list[str] = []

    def offline(route: Route) -> None:
        if urlsplit(route.request.url).netloc == own_host:
            route.continue_()
        else:
            refused.append(route.request.url)
            route.abort()

    page.route("**/*", offline)
    log_in(page, "modeler")
    expect(page).not_to_have_url(re.compile(r"/login"))
    page.goto("/api/docs/")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("ModuleBench API", timeout=20_000)
    expect(page.get_by_role("button", name="POST /api/modules/{id}/run/", exact=True)).to_be_visible()
    expect(page.locator(".opblock").first).to_be_visible()
    assert page.locator(".opblock").count() > 20
    assert refused == [], f"the docs page reached other hosts: {refused}"
    screenshot(page, "api-docs")
