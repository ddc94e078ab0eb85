"""Engine tests that need PostgreSQL use the session's workspace database directly (no Django)."""

import itertools
from collections.abc import Callable, Iterator
from typing import Any

import psycopg
import pytest

from apps.engine import storage
from apps.engine.storage import Column

_ids = itertools.count(900_000)

FACTOR_COLUMNS = [Column("fuel_type", "varchar"), Column("pollutant", "varchar"), Column("year", "integer"),
                  Column("emission_factor", "double precision"), Column("comments", "text")]


@pytest.fixture
def ws(workspace_database: str) -> Iterator[psycopg.Connection[Any]]:
    with psycopg.connect(workspace_database, autocommit=True) as conn:
        yield conn


@pytest.fixture
def make_table(ws: psycopg.Connection[Any]) -> Iterator[Callable[..., int]]:
    """Creates a dataset table with version 0 rows; drops it after the test."""
    created: list[int] = []

    def make(rows: list[tuple[Any, ...]], columns: list[Column] = FACTOR_COLUMNS) -> int:
        dataset_id = next(_ids)
        with ws.transaction():
            storage.create_table(ws, dataset_id, columns)
            ws.execute("SELECT set_config(%s, '0', true)", [storage.version_setting(dataset_id)])
            names = ", ".join(c.name for c in columns)
            marks = ", ".join(["%s"] * len(columns))
            for row in rows:
                ws.execute(f"INSERT INTO {storage.qualified_text(dataset_id)} ({names}) VALUES ({marks})", row)
        created.append(dataset_id)
        return dataset_id

    yield make
    for dataset_id in created:
        storage.drop_table(ws, dataset_id)
