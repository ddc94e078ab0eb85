"""GET /api/health: can this deployment reach everything it needs?"""

from typing import Any

import psycopg
import redis
from django.conf import settings
from django.db import connection
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView


def _check(probe: Any) -> dict[str, Any]:
    try:
        return {"ok": True, "detail": probe()}
    except Exception as exc:  # a health check reports every failure, whatever it is
        return {"ok": False, "detail": f"{type(exc).__name__}: {exc}".strip()[:300]}


def _app_db() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        return str(cursor.fetchone()[0]).split(" on ")[0]  # type: ignore[index]


def _workspace_db() -> str:
    with psycopg.connect(settings.WORKSPACE_DATABASE_URL, connect_timeout=2) as conn:
        row = conn.execute("SELECT current_database()").fetchone()
        return f"database {row[0]}" if row else "connected"


def _redis() -> str:
    client = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2)
    client.ping()
    return "PONG"


def _worker() -> str:
    from project.celery import app

    replies = app.control.ping(timeout=1.0)
    if not replies:
        raise RuntimeError("no Celery worker answered within 1 s")
    return ", ".join(sorted(name for reply in replies for name in reply))


def health_report() -> dict[str, Any]:
    checks = {
        "app_db": _check(_app_db),
        "workspace_db": _check(_workspace_db),
        "redis": _check(_redis),
        "worker": _check(_worker),
    }
    return {"status": "ok" if all(c["ok"] for c in checks.values()) else "degraded", "checks": checks}


class HealthCheckSerializer(serializers.Serializer):
    ok = serializers.BooleanField()
    detail = serializers.CharField(allow_blank=True)


class HealthSerializer(serializers.Serializer):
    """GET /api/health (`health_report`): 200 when every check is ok, else 503."""

    status = serializers.ChoiceField(choices=["ok", "degraded"])
    checks = serializers.DictField(child=HealthCheckSerializer(),
                                   help_text="By name: app_db, workspace_db, redis, worker.")


class HealthView(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list[type] = []

    @extend_schema(responses={200: HealthSerializer, 503: HealthSerializer})
    def get(self, request: Request) -> Response:
        report = health_report()
        return Response(report, status=200 if report["status"] == "ok" else 503)
