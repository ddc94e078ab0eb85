"""storage.copy_out: COPY TO STDOUT read from libpq directly, against the real workspace database."""

from collections.abc import Iterator

import psycopg
import pytest
from django.conf import settings
from psycopg import sql

from apps.engine.storage import EXPORT_CHUNK, copy_out

ROWS = 30_000
QUERY = sql.SQL("COPY (SELECT n, repeat('x', 20) || n, CASE WHEN n % 7 = 0 THEN NULL ELSE 'a,\"b\"' END "
                "FROM generate_series(1, {}) AS n) TO STDOUT WITH (FORMAT csv)").format(sql.Literal(ROWS))


@pytest.fixture
def conn() -> Iterator[psycopg.Connection]:  # type: ignore[type-arg]
    with psycopg.connect(settings.WORKSPACE_DATABASE_URL) as connection:
        yield connection


def _psycopg_copy(conn: psycopg.Connection) -> bytes:  # type: ignore[type-arg]
    with conn.cursor() as cur, cur.copy(QUERY) as copy:
        return b"".join(bytes(block) for block in copy)


def test_copy_out_gives_what_psycopg_gives_in_big_pieces(conn: psycopg.Connection) -> None:  # type: ignore[type-arg]
    pieces = list(copy_out(conn, QUERY))
    assert b"".join(pieces) == _psycopg_copy(conn)
    assert len(pieces) > 1 and all(len(p) >= EXPORT_CHUNK for p in pieces[:-1])
    assert conn.execute("SELECT 1").fetchone() == (1,)  # the connection is ready for more


def test_a_bad_statement_raises_the_servers_error(conn: psycopg.Connection) -> None:  # type: ignore[type-arg]
    with pytest.raises(psycopg.errors.UndefinedColumn):
        list(copy_out(conn, sql.SQL("COPY (SELECT nope FROM pg_class) TO STDOUT")))
    conn.rollback()
    assert conn.execute("SELECT 1").fetchone() == (1,)


def test_leaving_early_cancels_the_copy_and_leaves_the_connection_usable(
        conn: psycopg.Connection) -> None:  # type: ignore[type-arg]
    big = sql.SQL("COPY (SELECT n, repeat('y', 50) FROM generate_series(1, 5000000) AS n) TO STDOUT")
    conn.execute("SELECT 1")  # inside a transaction, as the app's exports are
    pieces = copy_out(conn, big)
    assert len(next(pieces)) >= EXPORT_CHUNK
    pieces.close()  # type: ignore[attr-defined]
    assert conn.info.transaction_status == psycopg.pq.TransactionStatus.INERROR  # cancelled, not drained
    conn.rollback()
    assert conn.execute("SELECT 1").fetchone() == (1,)
    assert _psycopg_copy(conn).count(b"\n") == ROWS
