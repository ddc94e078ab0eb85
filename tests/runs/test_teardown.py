"""Clean-up that always happens (issue 10): a run whose backend died, or whose teardown fails the
first time, leaves no run role, schema or reserved version behind."""

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
import pytest
from rest_framework.test import APIClient

from apps.datasets.models import Dataset, DatasetVersion
from apps.datasets.workspace import workspace
from apps.moduletypes.services import version_update
from apps.runs import sandboxes
from apps.runs.models import Run
from tests.runs.test_runner import no_leftovers, start, wait_for

pytestmark = pytest.mark.django_db(transaction=True)


def _slow(demo: dict[str, Any], users: dict[str, Any]) -> None:
    version_update(version=demo["module"].type_version, note="slow", author=users["modeler"], confirm_dependents=True,
                   fields={"algorithm": "INSERT INTO ${output_emission_factors_dataset} (fuel_type) VALUES ('partial');\n"
                                        "PERFORM pg_sleep(60);"})


def _run_backend(timeout: float = 30) -> int:
    """The pid of the run role's backend once it runs the script."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with workspace() as conn:
            row = conn.execute("SELECT pid FROM pg_stat_activity WHERE usename LIKE 'mb\\_run\\_%%' "
                               "AND datname = current_database() AND query LIKE '%%pg_sleep%%'").fetchone()
        if row is not None:
            return int(row[0])
        time.sleep(0.05)
    raise AssertionError("the run's backend never started the script")


def _nothing_reserved(run: Run, datasets_before: int) -> None:
    no_leftovers()
    assert not DatasetVersion.objects.filter(pending_run=run).exists()
    assert not Dataset.objects.filter(pending_run=run).exists()
    assert Dataset.objects.count() == datasets_before


def test_a_run_whose_backend_is_killed_mid_script_leaves_nothing_behind(
        clients: dict[str, APIClient], demo: dict[str, Any], users: dict[str, Any], worker: Any) -> None:
    _slow(demo, users)
    before = Dataset.objects.count()
    run_id = start(clients["modeler"], demo["module"])
    pid = _run_backend()
    with workspace() as conn:
        assert conn.execute("SELECT pg_terminate_backend(%s)", [pid]).fetchone() == (True,)
    run = wait_for(run_id)
    assert run.result == "FAILED", run.error
    _nothing_reserved(run, before)


def test_a_teardown_that_fails_the_first_time_is_retried(
        clients: dict[str, APIClient], demo: dict[str, Any], users: dict[str, Any], worker: Any,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The step's set-up gets the first admin connection, its teardown the second: that one dies
    (as after a server restart or when shared memory ran out)."""
    calls: list[int] = []

    @contextmanager
    def flaky() -> Iterator[psycopg.Connection[Any]]:
        calls.append(1)
        with workspace() as conn:
            if len(calls) == 2:
                conn.execute("SELECT pg_terminate_backend(pg_backend_pid())")
            yield conn

    monkeypatch.setattr(sandboxes, "workspace", flaky)
    before = Dataset.objects.count()
    run = wait_for(start(clients["modeler"], demo["module"]))
    assert len(calls) >= 3, calls  # the teardown came back for a new connection
    assert run.result == "SUCCESS", run.error
    no_leftovers()
    assert not DatasetVersion.objects.filter(pending_run=run).exists()
    assert Dataset.objects.count() == before + 1


def test_a_failed_run_whose_teardown_fails_the_first_time_leaves_nothing_behind(
        clients: dict[str, APIClient], demo: dict[str, Any], users: dict[str, Any], worker: Any,
        monkeypatch: pytest.MonkeyPatch) -> None:
    version_update(version=demo["module"].type_version, note="fail", author=users["modeler"], confirm_dependents=True,
                   fields={"algorithm": "INSERT INTO ${output_emission_factors_dataset} (fuel_type) VALUES ('x');\n"
                                        "PERFORM 1/0;"})
    calls: list[int] = []

    @contextmanager
    def flaky() -> Iterator[psycopg.Connection[Any]]:
        calls.append(1)
        with workspace() as conn:
            if len(calls) == 2:
                raise psycopg.OperationalError("out of shared memory (injected)")
            yield conn

    monkeypatch.setattr(sandboxes, "workspace", flaky)
    before = Dataset.objects.count()
    run = wait_for(start(clients["modeler"], demo["module"]))
    assert run.result == "FAILED"
    _nothing_reserved(run, before)
