"""/api/docs/ (issue 14): Swagger UI comes from the app's own static files, never from a CDN, so an
offline or locked-down deployment shows its docs. The browser test is tests/e2e/test_api_docs.py."""

import re

import pytest
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


def test_docs_page_loads_swagger_ui_from_the_app(clients: dict[str, APIClient]) -> None:
    response = clients["modeler"].get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assets = [s for s in sources if "swagger-ui" in s]
    assert assets, html
    assert all(s.startswith("/static/") for s in assets), assets
    for asset in assets:
        served = clients["modeler"].get(asset)
        assert served.status_code == 200, asset
        assert b"".join(served.streaming_content if served.streaming else [served.content])  # type: ignore[attr-defined]
