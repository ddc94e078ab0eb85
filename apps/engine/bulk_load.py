"""Loading a large CSV into a dataset's table (no Django).

A large import is not COPYed into the dataset table itself: its rows go into new tables made for the
load ("segments", `ds_<id>_s<epoch>_<hex>`), each with its own primary key built once after COPY (one
sorted build instead of an index entry per row), then attached to the dataset table as inheritance
children (ALTER TABLE … INHERIT), so every query on the dataset table sees them. A file big enough is
cut in two at a record boundary and both halves are loaded at once on two connections: COPY parses on
one core per connection. Record ids stay unique across the table and its segments and follow the
file's order: one half alone takes them from the dataset table's sequence; two halves take them from a
block reserved on that sequence (as many ids as the file has lines), the second half from past the
first half's lines.

The half loaded on the second connection commits on its own before the import's transaction attaches
it; should the import fail, that segment is dropped, and should the process die first, the janitor
drops segments that were never attached (`drop_orphan_segments`). A small file is COPYed into the
dataset table directly (storage.copy_data)."""

from __future__ import annotations

import os
import re
import secrets
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, BinaryIO

import numpy as np
import psycopg
from psycopg import sql

from apps.engine import storage
from apps.engine.storage import CHUNK, COPY_DATA_ERRORS, SCHEMA, Column

SEGMENT_MIN_BYTES = 8 * 1024 * 1024  # smaller files go straight into the dataset table
PARALLEL_MIN_BYTES = 24 * 1024 * 1024  # from this size on, two halves are loaded at once
# An unattached segment older than this belongs to a load that died. Its name's time is when its load
# began, and a live load's finished half waits unattached for the other half: hence hours, not minutes.
ORPHAN_SECONDS = 6 * 3600
SEGMENT_RE = re.compile(r"^ds_\d+_s(?P<epoch>\d+)_[0-9a-f]+$")
SCAN_CHUNK = 1024 * 1024  # counting reads in pieces this size, so memory does not grow with the file
SEARCH_CHUNK = 64 * 1024  # a record boundary is usually within a line or two of where it is looked for
RESERVE_GAP = 1_000_000  # record ids skipped before a block reserved for a two-half load (see _reserve_ids)

OpenConnection = Callable[[], AbstractContextManager[psycopg.Connection[Any]]]


def load_csv(conn: psycopg.Connection[Any], dataset_id: int, columns: list[Column], version: int, stream: BinaryIO,
             *, on_progress: Callable[[int], None] | None = None,
             open_connection: OpenConnection | None = None) -> int:
    """Loads a CSV (header checked first) as rows of `version`: a small file straight into the table
    (storage.copy_data, whose refusals apply to both), a large one as segments. `open_connection`
    gives another connection to the workspace, in a transaction of its own, for the second half."""
    names, rest = storage.read_header(stream)
    storage.check_header(names, columns)
    data_start = storage.header_length(rest, stream)
    end = _size(stream)
    if end is None or end - data_start < SEGMENT_MIN_BYTES:
        return storage.copy_data(conn, dataset_id, columns, version, rest, stream, on_progress=on_progress)
    storage.begin_version_write(conn, dataset_id, version)
    fd = stream.fileno()
    ranges = _ranges(fd, data_start, end, parallel=open_connection is not None and end - data_start >= PARALLEL_MIN_BYTES)
    progress = _Progress(on_progress, data_start)
    first_ids = _reserve_ids(conn, dataset_id, ranges) if len(ranges) > 1 else [None]
    segments = _load_ranges(conn, dataset_id, columns, version, list(zip(ranges, first_ids, strict=True)), progress,
                            open_connection)
    if segments is None:
        raise storage.CsvRejected(storage.problems_from_start(conn, columns, stream, data_start))
    for name, _ in segments:
        conn.execute(sql.SQL("ALTER TABLE {} INHERIT {}").format(sql.Identifier(SCHEMA, name),
                                                                  storage.qualified(dataset_id)))
    return sum(rows for _, rows in segments)


def _size(stream: BinaryIO) -> int | None:
    """The stream's size when it is a file that can be read at any offset."""
    try:
        return os.fstat(stream.fileno()).st_size
    except (AttributeError, OSError, ValueError):
        return None


@dataclass(frozen=True)
class _Range:
    fd: int
    start: int
    end: int

    def lines(self) -> int:
        return _count(self.fd, self.start, self.end, b"\n")

    def chunks(self) -> Iterator[bytes]:
        return _chunks(self.fd, self.start, self.end, CHUNK)


def _chunks(fd: int, start: int, end: int, size: int) -> Iterator[bytes]:
    """os.pread: two threads read their halves of one file without sharing a file position."""
    position = start
    while position < end:
        chunk = os.pread(fd, min(size, end - position), position)
        if not chunk:
            return
        position += len(chunk)
        yield chunk


def _count(fd: int, start: int, end: int, byte: bytes) -> int:
    """How many times `byte` occurs (numpy: about twice as fast as bytes.count on 1 MB pieces)."""
    value = byte[0]
    return sum(int(np.count_nonzero(np.frombuffer(chunk, dtype=np.uint8) == value))
               for chunk in _chunks(fd, start, end, SCAN_CHUNK))


def _ranges(fd: int, start: int, end: int, *, parallel: bool) -> list[_Range]:
    middle = record_boundary_after(fd, start, start + (end - start) // 2, end) if parallel else None
    if middle is None or middle >= end:
        return [_Range(fd, start, end)]
    return [_Range(fd, start, middle), _Range(fd, middle, end)]


def record_boundary_after(fd: int, start: int, target: int, end: int) -> int | None:
    """The offset just past the first newline at or after `target` that ends a record (data begins
    at `start`): one outside double quotes, which is how COPY reads CSV (a doubled quote inside a
    value toggles twice). None when no record ends there."""
    quotes, position = _count(fd, start, target, b'"'), target
    for chunk in _chunks(fd, target, end, SEARCH_CHUNK):
        offset = 0
        while (newline := chunk.find(b"\n", offset)) >= 0:
            quotes += chunk.count(b'"', offset, newline)
            if quotes % 2 == 0:
                return position + newline + 1
            offset = newline + 1
        quotes += chunk.count(b'"', offset)
        position += len(chunk)
    return None


def _reserve_ids(conn: psycopg.Connection[Any], dataset_id: int, ranges: list[_Range]) -> list[int | None]:
    """The first record id of each range, from a block as large as the file's lines (records never
    outnumber lines) that the dataset table's sequence then skips. The block starts RESERVE_GAP past
    the sequence's last value, which covers every id already handed out or cached by a session (a
    session caches by moving last_value), and those a few other sessions could cache between the
    read and the setval below (nextval takes no lock that would make the two one step)."""
    lines = [part.lines() for part in ranges]
    sequence = sql.Identifier(SCHEMA, f"{storage.table_name(dataset_id)}_record_id_seq")
    row = conn.execute(sql.SQL("SELECT last_value FROM {}").format(sequence)).fetchone()
    assert row is not None
    first = int(row[0]) + RESERVE_GAP
    conn.execute(sql.SQL("SELECT pg_catalog.setval(%s::regclass, %s)"),
                 [f"{SCHEMA}.{storage.table_name(dataset_id)}_record_id_seq", first + sum(lines)])
    return [first + sum(lines[:i]) for i in range(len(ranges))]


class _Progress:
    """Bytes of the file read so far, by all the loading threads together."""

    def __init__(self, report: Callable[[int], None] | None, done: int) -> None:
        self.report, self.done, self.lock = report, done, threading.Lock()

    def add(self, count: int) -> None:
        with self.lock:
            self.done += count
            if self.report:
                self.report(self.done)


class _BadData(Exception):
    pass


def _load_ranges(conn: psycopg.Connection[Any], dataset_id: int, columns: list[Column], version: int,
                 ranges: list[tuple[_Range, int | None]], progress: _Progress,
                 open_connection: OpenConnection | None) -> list[tuple[str, int]] | None:
    """(segment, rows) per range, or None when the data does not fit the type (nothing left behind)."""
    helper = _HelperLoad(open_connection, dataset_id, columns, version, ranges[1], progress) if len(ranges) > 1 else None
    try:
        first = _load_segment(conn, dataset_id, columns, version, ranges[0], progress)
    except BaseException as exc:
        if helper is not None:
            helper.abandon()
        if isinstance(exc, COPY_DATA_ERRORS):
            return None
        raise
    if helper is None:
        return [first]
    second = helper.result()
    return None if second is None else [first, second]


def _load_segment(conn: psycopg.Connection[Any], dataset_id: int, columns: list[Column], version: int,
                  range_and_first_id: tuple[_Range, int | None], progress: _Progress) -> tuple[str, int]:
    """Creates a segment and loads a range into it, in one (sub)transaction, which is what lets COPY
    write the rows already frozen (no hint-bit writes at their first reading). Record ids come from
    the first id on when one is given (a sequence of the segment's own), else from the dataset's."""
    part, first_id = range_and_first_id
    name = f"ds_{int(dataset_id)}_s{int(time.time())}_{secrets.token_hex(3)}"
    table = sql.Identifier(SCHEMA, name)
    with conn.transaction():
        conn.execute(sql.SQL("CREATE TABLE {} (LIKE {} INCLUDING DEFAULTS)").format(table, storage.qualified(dataset_id)))
        conn.execute(sql.SQL("ALTER TABLE {} ALTER COLUMN mb_version SET DEFAULT {}").format(
            table, sql.Literal(int(version))))
        if first_id is not None:
            ids = sql.Identifier(SCHEMA, f"{name}_ids")
            conn.execute(sql.SQL("CREATE SEQUENCE {} START {} CACHE {} OWNED BY {}.record_id").format(
                ids, sql.Literal(first_id), sql.Literal(storage.SEQUENCE_CACHE), table))
            conn.execute(sql.SQL("ALTER TABLE {} ALTER COLUMN record_id SET DEFAULT pg_catalog.nextval({})").format(
                table, sql.Literal(f"{SCHEMA}.{name}_ids")))
        with conn.cursor() as cur:
            with cur.copy(storage.copy_statement(table, columns, freeze=True)) as copy:
                for chunk in part.chunks():
                    copy.write(chunk)
                    progress.add(len(chunk))
            rows = int(cur.rowcount)
        conn.execute(sql.SQL("ALTER TABLE {} ADD PRIMARY KEY (record_id)").format(table))
    return name, rows


class _HelperLoad:
    """The second half, loaded on a connection of its own in a thread; committed when done."""

    def __init__(self, open_connection: OpenConnection | None, dataset_id: int, columns: list[Column], version: int,
                 part: tuple[_Range, int | None], progress: _Progress) -> None:
        assert open_connection is not None
        self.open_connection = open_connection
        self.conn: psycopg.Connection[Any] | None = None
        self.outcome: tuple[str, int] | None = None
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, args=(dataset_id, columns, version, part, progress),
                                       name="mb-import-half", daemon=True)
        self.thread.start()

    def _run(self, dataset_id: int, columns: list[Column], version: int, part: tuple[_Range, int | None],
             progress: _Progress) -> None:
        try:
            with self.open_connection() as conn:
                self.conn = conn
                self.outcome = _load_segment(conn, dataset_id, columns, version, part, progress)
        except BaseException as exc:  # handed to the importing thread
            self.error = exc

    def result(self) -> tuple[str, int] | None:
        self.thread.join()
        if isinstance(self.error, COPY_DATA_ERRORS):
            return None
        if self.error is not None:
            raise self.error
        return self.outcome

    def abandon(self) -> None:
        """The other half failed: stop this one, and drop its segment if it was already committed."""
        if self.conn is not None and self.thread.is_alive():
            self.conn.cancel()
        self.thread.join()
        if self.outcome is not None:
            with self.open_connection() as conn:
                conn.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(sql.Identifier(SCHEMA, self.outcome[0])))


def drop_orphan_segments(conn: psycopg.Connection[Any], *, older_than: float = ORPHAN_SECONDS) -> list[str]:
    """Drops the segments of loads that died before attaching them (older than `older_than` s)."""
    rows = conn.execute(
        "SELECT c.relname FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = %s AND c.relkind = 'r' AND c.relname ~ '^ds_[0-9]+_s[0-9]+_[0-9a-f]+$' "
        "AND NOT EXISTS (SELECT FROM pg_catalog.pg_inherits i WHERE i.inhrelid = c.oid)", [SCHEMA]).fetchall()
    now = time.time()
    dropped = []
    for (name,) in rows:
        match = SEGMENT_RE.match(name)
        if match and now - int(match["epoch"]) > older_than:
            conn.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(sql.Identifier(SCHEMA, name)))
            dropped.append(name)
    return dropped
