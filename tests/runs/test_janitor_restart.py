"""A restarted worker's janitor ends the runs the worker started before it restarted, not the ones it
has started since (its first sweep waits a second for the other workers' pings)."""

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from apps.runs.janitor import janitor_sweep
from apps.runs.models import Run

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_restarted_worker_keeps_the_runs_it_started_since(demo: dict[str, Any], users: dict[str, Any]) -> None:
    module = demo["module"]
    ready_at = timezone.now()
    older = Run.objects.create(module=module, run_number=1, user=users["modeler"], type_version=module.type_version,
                               started_at=ready_at - timedelta(seconds=5), worker="w1@test")
    newer = Run.objects.create(module=module, run_number=2, user=users["modeler"], type_version=module.type_version,
                               started_at=ready_at + timedelta(milliseconds=200), worker="w1@test")
    janitor_sweep(restarted_worker="w1@test", restarted_at=ready_at)
    older.refresh_from_db()
    newer.refresh_from_db()
    assert older.result == "FAILED" and "janitor" in (older.error or {}).get("message", "")
    assert newer.result == ""
