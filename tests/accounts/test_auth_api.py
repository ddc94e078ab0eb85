import pytest
from rest_framework.test import APIClient

from apps.accounts.models import User

pytestmark = pytest.mark.django_db


def test_login_starts_a_session_and_me_describes_the_user(users: dict[str, User], project: object) -> None:
    client = APIClient()
    response = client.post("/api/auth/login", {"username": "modeler", "password": "pw"}, format="json")
    assert response.status_code == 200
    assert response.json()["username"] == "modeler"
    me = client.get("/api/me").json()
    assert me["full_name"] == "Mo Modeler"
    assert me["role"] == "modeler"
    assert me["projects"] == [{"id": project.pk, "name": "Team Alpha", "role": "modeler"}]  # type: ignore[attr-defined]


def test_wrong_password_is_a_clear_400(users: dict[str, User]) -> None:
    response = APIClient().post("/api/auth/login", {"username": "modeler", "password": "nope"}, format="json")
    assert response.status_code == 400
    assert response.json() == {"code": "invalid_credentials", "message": "Wrong username or password.",
                               "details": None}


def test_logout_ends_the_session(users: dict[str, User]) -> None:
    client = APIClient()
    client.post("/api/auth/login", {"username": "viewer", "password": "pw"}, format="json")
    assert client.post("/api/auth/logout").status_code == 204
    response = client.get("/api/me")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_token_auth_works_for_scripts(users: dict[str, User]) -> None:
    token = APIClient().post("/api/auth/token", {"username": "admin", "password": "pw"}, format="json").json()["token"]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/api/me").json()["role"] == "admin"


def test_token_with_wrong_password_is_refused(users: dict[str, User]) -> None:
    response = APIClient().post("/api/auth/token", {"username": "admin", "password": "x"}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_credentials"


def test_bogus_token_is_401() -> None:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    assert client.get("/api/me").status_code == 401


def test_session_writes_need_the_csrf_token(users: dict[str, User], project: object) -> None:
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(users["admin"])
    response = client.patch(f"/api/projects/{project.pk}", {"description": "x"}, format="json")  # type: ignore[attr-defined]
    assert response.status_code == 403
    assert response.json()["code"] == "csrf_failed"
    client.get("/")  # the SPA index hands out the CSRF cookie
    token = client.cookies["csrftoken"].value
    response = client.patch(f"/api/projects/{project.pk}", {"description": "x"}, format="json",  # type: ignore[attr-defined]
                            HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 200


def test_wrong_method_is_405(clients: dict[str, APIClient]) -> None:
    response = clients["modeler"].delete("/api/me")
    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"
    assert clients["anonymous"].get("/api/auth/login").status_code == 405
