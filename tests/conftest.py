"""Shared fixtures: a real workspace database, users in roles, and API clients acting as them."""

import os
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
from django.conf import settings
from psycopg import sql
from rest_framework.test import APIClient

from apps.accounts.models import Project, User
from apps.accounts.roles import Role
from apps.accounts.services import membership_set, project_create, user_create
from apps.engine.storage import harden_workspace, prepare_workspace

ACTORS = ("anonymous", "stranger", "viewer", "modeler", "admin")


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def _admin_connection(url: str) -> psycopg.Connection[Any]:
    return psycopg.connect(_with_database(url, "postgres"), autocommit=True)


def harden_as_superuser(url: str) -> None:
    """As `make run` does for its workspace (scripts/devenv.py): the superuser-only part of run
    isolation (DESIGN §5). The test server's superuser is `postgres` (TEST_SUPERUSER to change)."""
    parts = urlsplit(url)
    superuser = urlunsplit(parts._replace(netloc=f"{os.environ.get('TEST_SUPERUSER', 'postgres')}@{parts.netloc.rpartition('@')[2]}"))
    with psycopg.connect(superuser, autocommit=True) as conn:
        harden_workspace(conn, app_role=parts.username or "modulebench")


@pytest.fixture(scope="session", autouse=True)
def workspace_database() -> Iterator[str]:
    """A fresh workspace DB for this test session, dropped at the end."""
    name = f"test_{urlsplit(settings.WORKSPACE_DATABASE_URL).path.lstrip('/')}_{os.getpid()}"
    with _admin_connection(settings.WORKSPACE_DATABASE_URL) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    url = _with_database(settings.WORKSPACE_DATABASE_URL, name)
    with psycopg.connect(url, autocommit=True) as conn:
        prepare_workspace(conn)
    harden_as_superuser(url)
    original = settings.WORKSPACE_DATABASE_URL
    settings.WORKSPACE_DATABASE_URL = url
    yield url
    settings.WORKSPACE_DATABASE_URL = original
    with _admin_connection(original) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    """Like production, run roles may never connect to the app database (DESIGN §2). At the end,
    connections left open by worker threads (channels, Celery) are closed so the DB can be dropped."""
    from django.db import connection

    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(sql.SQL("REVOKE CONNECT ON DATABASE {} FROM PUBLIC")
                       .format(sql.Identifier(connection.settings_dict["NAME"])).as_string())
    yield
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                       "WHERE datname = current_database() AND pid <> pg_backend_pid()")


@pytest.fixture
def project(db: None) -> Project:
    return project_create(name="Team Alpha", description="the project under test")


@pytest.fixture
def other_project(db: None) -> Project:
    return project_create(name="Team Beta")


@pytest.fixture
def users(project: Project, other_project: Project) -> dict[str, User]:
    """One user per actor. The stranger is a modeler, but only in another project."""
    people = {
        "stranger": user_create(username="stranger", password="pw", role=Role.MODELER),
        "viewer": user_create(username="viewer", password="pw", full_name="Vic Viewer", role=Role.VIEWER),
        "modeler": user_create(username="modeler", password="pw", full_name="Mo Modeler", role=Role.MODELER),
        "admin": user_create(username="admin", password="pw", full_name="Ad Admin", role=Role.ADMIN),
    }
    membership_set(project=other_project, user=people["stranger"], role=Role.MODELER)
    membership_set(project=project, user=people["viewer"], role=Role.VIEWER)
    membership_set(project=project, user=people["modeler"], role=Role.MODELER)
    return people


@pytest.fixture
def clients(users: dict[str, User]) -> dict[str, APIClient]:
    result = {"anonymous": APIClient()}
    for name, user in users.items():
        client = APIClient()
        client.force_login(user)
        result[name] = client
    return result


DENIAL = {"anonymous": 401, "stranger": 404, "viewer": 403, "modeler": 403, "admin": 403}


def assert_permission_matrix(
    clients: dict[str, APIClient],
    method: str,
    url: str,
    *,
    allowed: set[str],
    data: Any = None,
    ok_status: int = 200,
    headers: dict[str, str] | None = None,
) -> Any:
    """Every actor not in `allowed` is refused with the right status (anonymous 401, stranger 404,
    too-low role 403), then the least-privileged allowed actor succeeds. Denials run first, so a
    write that succeeds cannot hide a later denial. Returns the successful response."""
    for actor in ACTORS:
        if actor in allowed:
            continue
        response = clients[actor].generic(method, url, data=_json(data), content_type="application/json",
                                          headers=headers)
        assert response.status_code == DENIAL[actor], (actor, method, url, response.status_code, response.content)
        body = response.json()
        assert set(body) == {"code", "message", "details"}, body
    first_allowed = next(actor for actor in ACTORS if actor in allowed)
    response = clients[first_allowed].generic(method, url, data=_json(data), content_type="application/json",
                                              headers=headers)
    assert response.status_code == ok_status, (first_allowed, method, url, response.status_code, response.content)
    return response


def _json(data: Any) -> str:
    import json

    return "" if data is None else json.dumps(data)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def fresh_channel_layer() -> Iterator[None]:
    """Each test gets its own channels_redis layer instance: the layer keeps asyncio locks that bind
    to the first event loop using them, and pytest-asyncio gives every test a new loop (a layer
    shared across tests failed now and then with "Lock … is bound to a different event loop")."""
    from channels.layers import channel_layers

    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()
