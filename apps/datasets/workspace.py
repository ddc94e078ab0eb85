"""Connections to the workspace database (datasets and run sandboxes), pooled per process."""

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
from django.conf import settings
from psycopg_pool import ConnectionPool

_pools: dict[str, ConnectionPool[Any]] = {}
_pools_lock = threading.Lock()  # two threads' first use would each open a pool; one would never be closed


def _pool() -> ConnectionPool[Any]:
    dsn = settings.WORKSPACE_DATABASE_URL
    pool = _pools.get(dsn)
    if pool is None:
        with _pools_lock:
            pool = _pools.get(dsn)
            if pool is None:
                pool = _pools[dsn] = ConnectionPool(dsn, min_size=1, max_size=8, open=True, timeout=10,
                                                    name="workspace")
    return pool


@contextmanager
def workspace() -> Iterator[psycopg.Connection[Any]]:
    """A pooled connection inside one transaction (committed on success, rolled back on error)."""
    with _pool().connection() as conn, conn.transaction():
        yield conn


def close_pools() -> None:
    with _pools_lock:
        for pool in _pools.values():
            pool.close()
        _pools.clear()
