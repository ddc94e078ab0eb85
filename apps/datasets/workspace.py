"""Connections to the workspace database (datasets and run sandboxes), pooled per process."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
from django.conf import settings
from psycopg_pool import ConnectionPool

_pools: dict[str, ConnectionPool[Any]] = {}


def _pool() -> ConnectionPool[Any]:
    dsn = settings.WORKSPACE_DATABASE_URL
    if dsn not in _pools:
        _pools[dsn] = ConnectionPool(dsn, min_size=1, max_size=8, open=True, timeout=10, name="workspace")
    return _pools[dsn]


@contextmanager
def workspace() -> Iterator[psycopg.Connection[Any]]:
    """A pooled connection inside one transaction (committed on success, rolled back on error)."""
    with _pool().connection() as conn, conn.transaction():
        yield conn


def close_pools() -> None:
    for pool in _pools.values():
        pool.close()
    _pools.clear()
