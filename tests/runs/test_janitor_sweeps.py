"""The worker's janitor sweeps, each in a new thread (issue 10): each must give its database
connections back, or after a few hours every sweep fails with PoolTimeout. Fifty sweeps on pools of
three (app) and two (workspace) connections all succeed, and no connection stays taken."""

import threading
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from psycopg_pool import ConnectionPool

from apps.datasets import workspace
from apps.runs import janitor, tasks

pytestmark = pytest.mark.django_db(transaction=True)
SWEEPS = 50


@pytest.fixture
def small_pools() -> Iterator[tuple[Any, ConnectionPool[Any]]]:
    """The app database's pool at 3 connections, the workspace's at 2, both failing fast when empty."""
    db: Any = connection  # the PostgreSQL backend's wrapper, with its pool
    options = db.settings_dict["OPTIONS"]
    original = options["pool"]
    db.close()
    db.close_pool()
    options["pool"] = {"min_size": 1, "max_size": 3, "timeout": 2}
    dsn = settings.WORKSPACE_DATABASE_URL
    previous = workspace._pools.pop(dsn, None)
    small = ConnectionPool(dsn, min_size=1, max_size=2, open=True, timeout=2, name="workspace-small")
    workspace._pools[dsn] = small
    try:
        yield db.pool, small
    finally:
        workspace._pools.pop(dsn, None)
        small.close()
        if previous is not None:
            workspace._pools[dsn] = previous
        db.close()
        db.close_pool()
        options["pool"] = original


def _backends(dsn_database: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = %s", [dsn_database])
        return int(cursor.fetchone()[0])


def test_fifty_sweeps_on_small_pools_all_succeed_and_give_their_connections_back(
        small_pools: tuple[Any, ConnectionPool[Any]], monkeypatch: pytest.MonkeyPatch) -> None:
    app_pool, workspace_pool = small_pools
    app_database = connection.settings_dict["NAME"]
    workspace_database = settings.WORKSPACE_DATABASE_URL.rsplit("/", 1)[-1]
    with workspace.workspace() as conn:  # both pools opened, as after the worker's first sweep
        conn.execute("SELECT 1")
    backends_before = (_backends(app_database), _backends(workspace_database))

    outcomes: list[str] = []
    done = threading.Event()
    real_sweep = janitor.janitor_sweep

    threads: list[threading.Thread] = []

    def counted(**kwargs: Any) -> list[str]:
        try:
            return real_sweep(**kwargs)
        except Exception as exc:
            outcomes.append(repr(exc))
            done.set()
            raise
        finally:
            if not done.is_set():
                outcomes.append("ok")
                if len(outcomes) >= SWEEPS:
                    done.set()

    def timer(interval: float, function: Any, args: Any = ()) -> Any:
        """The worker's timer, minus the wait; none once the sweeps are counted (ends the chain)."""
        if done.is_set():
            return SimpleNamespace(daemon=True, start=lambda: None, cancel=lambda: None)
        started = threading.Timer(0, function, args=args)
        threads.append(started)
        return started

    def thread(*args: Any, **kwargs: Any) -> threading.Thread:
        started = threading.Thread(*args, **kwargs)
        threads.append(started)
        return started

    monkeypatch.setattr(janitor, "janitor_sweep", counted)
    monkeypatch.setattr(janitor, "_alive_workers", set)  # no 1 s ping per sweep
    monkeypatch.setattr(tasks, "threading", SimpleNamespace(Timer=timer, Thread=thread))
    tasks.start_janitor(SimpleNamespace(hostname="janitor-test@host"))
    assert done.wait(120), f"{len(outcomes)} sweeps in 120 s"
    for started in threads:
        started.join(timeout=5)
    assert outcomes == ["ok"] * SWEEPS, outcomes[-3:]
    connection.close()  # this thread's, back to the pool: now nobody should hold one
    for pool in (app_pool, workspace_pool):  # every connection of both pools can be taken
        taken = [pool.getconn(timeout=2) for _ in range(pool.max_size)]
        for conn in taken:
            pool.putconn(conn)
    # and no connection outside the pools stayed open (the sweeps' own ones are closed)
    assert _backends(app_database) <= app_pool.max_size
    assert _backends(workspace_database) <= max(backends_before[1], workspace_pool.max_size) + 1
