"""Bad input always gets a 400 in the error format, never a 500, and changes nothing."""

import pytest
from rest_framework.test import APIClient

from apps.accounts.models import Project

pytestmark = pytest.mark.django_db


def _is_error(response: object, status: int, code: str) -> dict[str, object]:
    assert response.status_code == status, response.content  # type: ignore[attr-defined]
    body = response.json()  # type: ignore[attr-defined]
    assert set(body) == {"code", "message", "details"}
    assert body["code"] == code
    return body  # type: ignore[no-any-return]


def test_malformed_json(clients: dict[str, APIClient], project: Project) -> None:
    response = clients["admin"].generic("PATCH", f"/api/projects/{project.pk}", "{not json",
                                        content_type="application/json")
    body = _is_error(response, 400, "malformed_request")
    assert "JSON" in str(body["message"])


def test_unknown_fields_are_refused(clients: dict[str, APIClient], project: Project) -> None:
    response = clients["admin"].patch(f"/api/projects/{project.pk}", {"descripton": "typo"}, format="json")
    body = _is_error(response, 400, "invalid")
    assert body["details"] == {"descripton": ["Unknown field."]}
    project.refresh_from_db()
    assert project.revision == 1


def test_wrong_types_are_refused(clients: dict[str, APIClient], project: Project) -> None:
    response = clients["admin"].patch(f"/api/projects/{project.pk}", {"name": ["a", "list"]}, format="json")
    body = _is_error(response, 400, "invalid")
    assert "name" in body["details"]  # type: ignore[operator]


def test_login_with_missing_or_wrong_typed_fields() -> None:
    client = APIClient()
    body = _is_error(client.post("/api/auth/login", {"username": "x"}, format="json"), 400, "invalid")
    assert "password" in body["details"]  # type: ignore[operator]
    _is_error(client.post("/api/auth/login", {"username": {"a": 1}, "password": "p"}, format="json"), 400, "invalid")
    _is_error(client.post("/api/auth/login", [1, 2], format="json"), 400, "invalid")


def test_json_body_that_is_not_an_object(clients: dict[str, APIClient], project: Project) -> None:
    _is_error(clients["admin"].patch(f"/api/projects/{project.pk}", [1], format="json"), 400, "invalid")


def test_wrong_media_type(clients: dict[str, APIClient], project: Project) -> None:
    response = clients["admin"].generic("PATCH", f"/api/projects/{project.pk}", "a=b", content_type="text/plain")
    _is_error(response, 415, "unsupported_media_type")


def test_unknown_api_path_is_a_json_404(clients: dict[str, APIClient]) -> None:
    _is_error(clients["modeler"].get("/api/no-such-thing"), 404, "not_found")


def test_non_numeric_id_is_404_not_500(clients: dict[str, APIClient]) -> None:
    _is_error(clients["admin"].get("/api/projects/abc"), 404, "not_found")


def test_api_responses_carry_server_timing(clients: dict[str, APIClient]) -> None:
    timing = clients["viewer"].get("/api/me")["Server-Timing"]
    assert timing.startswith("app;dur=")
    assert float(timing.split("=")[1]) >= 0
