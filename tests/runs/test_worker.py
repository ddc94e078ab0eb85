"""A real Celery worker on the real Redis broker answers a task that writes a row."""

from collections.abc import Iterator
from typing import Any

import pytest
from celery.contrib.testing.worker import start_worker
from rest_framework.test import APIClient

from apps.runs.models import HealthPing
from apps.runs.tasks import health_ping
from project.celery import app

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def worker() -> Iterator[Any]:
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10) as running:
        yield running


def test_worker_answers_a_health_ping(worker: Any) -> None:
    ping = HealthPing.objects.create()
    answered_by = health_ping.delay(ping.pk).get(timeout=15)
    ping.refresh_from_db()
    assert ping.answered_at is not None
    assert ping.worker == answered_by


def test_health_reports_every_service_when_all_are_up(worker: Any) -> None:
    response = APIClient().get("/api/health")
    body = response.json()
    assert response.status_code == 200, body
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"app_db", "workspace_db", "redis", "worker"}
    assert all(check["ok"] for check in body["checks"].values())


def test_health_is_503_and_names_the_missing_worker_when_none_runs() -> None:
    response = APIClient().get("/api/health")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "degraded"
    assert body["checks"]["worker"] == {"ok": False, "detail": "RuntimeError: no Celery worker answered within 1 s"}
    assert body["checks"]["app_db"]["ok"] and body["checks"]["redis"]["ok"]


def test_health_names_an_unreachable_workspace(settings: Any) -> None:
    settings.WORKSPACE_DATABASE_URL = "postgres://nobody@127.0.0.1:1/nowhere"
    body = APIClient().get("/api/health").json()
    assert body["checks"]["workspace_db"]["ok"] is False
    assert "OperationalError" in body["checks"]["workspace_db"]["detail"]
