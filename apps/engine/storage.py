"""Versioned dataset tables in the workspace database (no Django).

One table per dataset, `mb_data.ds_<id>` (so names never approach PostgreSQL's 63-character limit):
`record_id bigserial`, `mb_version` (the version that added the row), `mb_deleted` (versions that
deleted it), then the dataset type's columns. A version is read through its **path**, the list of
versions whose rows it sees: a row is visible in a version whose path is P when
`mb_version = ANY(P) AND NOT (mb_deleted && P)`. A version derived from a base has path
`base.path + [n]`, so it costs nothing until rows are added or deleted; a version imported as a
full replacement has path `[n]`. Rows are never rewritten for a new version, and older versions
stay readable until the dataset is purged.

A version never marks its own rows deleted: it deletes them (delete_rows here, the INOUT triggers
in inout.py). So for a one-version path `[n]` visibility is just `mb_version = n`, which reads and
exports of replacement imports use (the array test costs ~10% of an export).
"""

from __future__ import annotations

import asyncio
import base64
import csv
import json
import re
import selectors
import threading
from collections.abc import AsyncGenerator, Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, BinaryIO

import psycopg
from psycopg import pq, sql

SCHEMA = "mb_data"
SYSTEM_COLUMNS = ("record_id", "mb_version", "mb_deleted")
COLUMN_NAME_RE = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
COPY_CONTEXT_RE = re.compile(r"line (?P<line>\d+)(?:, column (?P<column>[^:]+))?")
CHUNK = 256 * 1024  # read size of an import: small enough for smooth progress, big enough for COPY
EXPORT_CHUNK = 256 * 1024  # an export's pieces: COPY sends one message per row, the client gets these
EXPORT_QUEUE = 8  # pieces an export may read ahead of a slow client
MAX_PROBLEMS = 20  # a refused CSV reports at most this many problems
SEQUENCE_CACHE = 1000  # record_ids a session takes at once: a bulk load calls nextval() per row
FILTER_OPS = {"eq": "=", "ne": "<>", "lt": "<", "le": "<=", "gt": ">", "ge": ">="}


@dataclass(frozen=True)
class Column:
    name: str
    sql_type: str


@dataclass(frozen=True)
class CsvProblem:
    row: int | None
    column: str | None
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "reason": self.reason}

    def describe(self) -> str:
        """`row 3, column year: <reason>` (the parts that are known)."""
        where = ", ".join(part for part in (f"row {self.row}" if self.row else "",
                                            f"column {self.column}" if self.column else "") if part)
        return f"{where}: {self.reason}" if where else self.reason


class CsvRejected(ValueError):
    """The CSV does not fit the dataset type; nothing was written. `problems` holds the first ones
    (at most MAX_PROBLEMS), in file order; the message names the first."""

    def __init__(self, problems: list[CsvProblem]) -> None:
        message = problems[0].describe()
        if len(problems) > 1:
            message += f"; {len(problems) - 1} more problem{'s' if len(problems) > 2 else ''} listed"
        super().__init__(message)
        self.problems = problems


class BadQuery(ValueError):
    """A row-viewer request that names an unknown column or a value of the wrong type."""


# The highest version number each dataset's table has held rows of, written in the transaction that
# writes them: a version number the app database never saw committed (a crash between the two
# commits) is never handed out again, so its orphan rows cannot show up in a later version.
VERSION_MARKS = sql.Identifier(SCHEMA, "mb_version_marks")

# What run sandboxes' set-ups and teardowns lock to take turns (sandbox.SERIALIZE_CATALOG_WRITES): a
# table in a schema of the app role's that run roles have no USAGE on, so user SQL cannot name it,
# let alone lock it (an advisory key would be anyone's to take).
META_SCHEMA = "mb_meta"
CATALOG_LOCK_TABLE = sql.Identifier(META_SCHEMA, "catalog_writes")


def table_name(dataset_id: int) -> str:
    return f"ds_{int(dataset_id)}"


def version_setting(dataset_id: int) -> str:
    """The session setting a new row's `mb_version` defaults to: one per dataset, so that a run
    writing several outputs can give each its own version."""
    return f"mb.v{int(dataset_id)}"


def qualified(dataset_id: int) -> sql.Composed:
    return sql.SQL("{}.{}").format(sql.Identifier(SCHEMA), sql.Identifier(table_name(dataset_id)))


def qualified_text(dataset_id: int) -> str:
    return f"{SCHEMA}.{table_name(dataset_id)}"


def visible_condition(path_param: str = "path") -> sql.Composed:
    p = sql.Placeholder(path_param)
    return sql.SQL("mb_version = ANY({p}::integer[]) AND NOT (mb_deleted && {p}::integer[])").format(p=p)


def path_condition(path: Sequence[int]) -> tuple[sql.Composable, dict[str, Any]]:
    """The visibility test for `path` and its parameters (simplest form for a one-version path)."""
    if len(path) == 1:
        return sql.SQL("mb_version = %(version)s"), {"version": int(path[0])}
    return visible_condition(), {"path": list(path)}


def visible_rows_sql(dataset_id: int, columns: Sequence[Column], path: Sequence[int]) -> str:
    """A SELECT with the path inlined as literals, for views built in run sandboxes."""
    path_literal = "ARRAY[" + ",".join(str(int(v)) for v in path) + "]::integer[]"
    cols = ", ".join(sql.Identifier(c.name).as_string(None) for c in columns)
    return (f"SELECT record_id, {cols} FROM {qualified_text(dataset_id)} "
            f"WHERE mb_version = ANY({path_literal}) AND NOT (mb_deleted && {path_literal})")


def ensure_schema(conn: psycopg.Connection[Any]) -> None:
    conn.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(SCHEMA)))


def prepare_workspace(conn: psycopg.Connection[Any]) -> None:
    """Run roles get nothing by default: no CONNECT unless granted, no CREATE in public, and the
    dataset schema and the schema of the sandboxes' catalog lock are private to the app role.
    Idempotent; the app role must own the database."""
    database = conn.info.dbname
    ensure_schema(conn)
    conn.execute(sql.SQL("CREATE TABLE IF NOT EXISTS {} (dataset_id integer PRIMARY KEY, "
                         "highest integer NOT NULL)").format(VERSION_MARKS))
    conn.execute(sql.SQL("REVOKE ALL ON DATABASE {} FROM PUBLIC").format(sql.Identifier(database)))
    conn.execute("REVOKE CREATE ON SCHEMA public FROM PUBLIC")
    conn.execute(sql.SQL("REVOKE ALL ON SCHEMA {} FROM PUBLIC").format(sql.Identifier(SCHEMA)))
    conn.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(META_SCHEMA)))
    conn.execute(sql.SQL("REVOKE ALL ON SCHEMA {} FROM PUBLIC").format(sql.Identifier(META_SCHEMA)))
    conn.execute(sql.SQL("CREATE TABLE IF NOT EXISTS {} ()").format(CATALOG_LOCK_TABLE))


# Functions run roles must not call: advisory locks live in the cluster's shared lock table, which a
# loop of them fills for everyone (new connections refused); the app keeps them for itself.
ADVISORY_LOCK_FUNCTIONS_SQL = ("SELECT p.oid::regprocedure::text FROM pg_proc p "
                               "WHERE p.pronamespace = 'pg_catalog'::regnamespace "
                               "AND (p.proname LIKE 'pg\\_advisory\\_%' OR p.proname LIKE 'pg\\_try\\_advisory\\_%') ORDER BY 1")


def harden_workspace(conn: psycopg.Connection[Any], *, app_role: str) -> None:
    """What only a superuser may do, once per workspace database (DESIGN §5), on a superuser's
    connection to it: advisory-lock functions are taken from PUBLIC (run roles) and given to the app
    role; the app role may cap a run's temporary files (`temp_file_limit` on its role, which the run
    cannot lift) and size the files of the tables a run is creating (`pg_stat_file`). Idempotent."""
    role = sql.Identifier(app_role)
    for (function,) in conn.execute(ADVISORY_LOCK_FUNCTIONS_SQL).fetchall():
        conn.execute(sql.SQL("REVOKE EXECUTE ON FUNCTION {} FROM PUBLIC").format(sql.SQL(function)))
        conn.execute(sql.SQL("GRANT EXECUTE ON FUNCTION {} TO {}").format(sql.SQL(function), role))
    conn.execute(sql.SQL("GRANT EXECUTE ON FUNCTION pg_catalog.pg_stat_file(text, boolean) TO {}").format(role))
    conn.execute(sql.SQL("GRANT SET ON PARAMETER temp_file_limit TO {}").format(role))


def create_table(conn: psycopg.Connection[Any], dataset_id: int, columns: Sequence[Column], *,
                 loading_version: int | None = None) -> None:
    """`loading_version`: for a table only one writer fills before anyone else sees it (a run's new
    output): new rows get that version as a constant rather than from current_setting() per row
    (≈5% of an INSERT … SELECT); the writer calls restore_version_default before publishing."""
    ensure_schema(conn)
    column_sql = sql.SQL(", ").join(
        sql.SQL("{} {}").format(sql.Identifier(c.name), sql.SQL(c.sql_type)) for c in columns
    )
    conn.execute(sql.SQL(
        "CREATE TABLE {} (record_id bigserial PRIMARY KEY, mb_version integer NOT NULL DEFAULT {}, "
        "mb_deleted integer[] NOT NULL DEFAULT '{{}}', {})"
    ).format(qualified(dataset_id), _version_default(dataset_id) if loading_version is None
             else sql.Literal(int(loading_version)), column_sql))
    conn.execute(sql.SQL("ALTER SEQUENCE {} CACHE {}").format(
        sql.Identifier(SCHEMA, f"{table_name(dataset_id)}_record_id_seq"), sql.Literal(SEQUENCE_CACHE)))


def _version_default(dataset_id: int) -> sql.Composed:
    """New rows belong to the version the session is loading (set_config before COPY or INSERT)."""
    return sql.SQL("current_setting({})::integer").format(sql.Literal(version_setting(dataset_id)))


def restore_version_default(conn: psycopg.Connection[Any], dataset_id: int) -> None:
    conn.execute(sql.SQL("ALTER TABLE {} ALTER COLUMN mb_version SET DEFAULT {}").format(
        qualified(dataset_id), _version_default(dataset_id)))


def drop_table(conn: psycopg.Connection[Any], dataset_id: int) -> None:
    conn.execute(sql.SQL("DROP TABLE IF EXISTS {} CASCADE").format(qualified(dataset_id)))  # and its segments
    conn.execute(sql.SQL("DELETE FROM {} WHERE dataset_id = %s").format(VERSION_MARKS), [int(dataset_id)])


def mark_version_written(conn: psycopg.Connection[Any], dataset_id: int, version: int) -> None:
    conn.execute(sql.SQL("INSERT INTO {0} VALUES (%s, %s) ON CONFLICT (dataset_id) DO UPDATE "
                         "SET highest = greatest({0}.highest, EXCLUDED.highest)").format(VERSION_MARKS),
                 [int(dataset_id), int(version)])


def highest_version_written(conn: psycopg.Connection[Any], dataset_id: int) -> int | None:
    row = conn.execute(sql.SQL("SELECT highest FROM {} WHERE dataset_id = %s").format(VERSION_MARKS),
                       [int(dataset_id)]).fetchone()
    return None if row is None else int(row[0])


def read_header(stream: BinaryIO) -> tuple[list[str], bytes]:
    """The CSV header's names and the bytes already read past it."""
    buffer = b""
    while b"\n" not in buffer:
        chunk = stream.read(64 * 1024)
        if not chunk:
            break
        buffer += chunk
    if not buffer.strip():
        raise CsvRejected([CsvProblem(None, None, "The file is empty: a header line with the column names is needed.")])
    line, _, rest = buffer.partition(b"\n")
    try:
        text = line.decode("utf-8-sig").rstrip("\r")
    except UnicodeDecodeError:
        raise CsvRejected([CsvProblem(None, None, "The file is not UTF-8 text.")]) from None
    names = next(csv.reader([text]), [])
    return [n.strip().lower() for n in names], rest


def check_header(names: list[str], columns: Sequence[Column]) -> None:
    expected = [c.name for c in columns]
    if names == expected:
        return
    missing = [n for n in expected if n not in names]
    extra = [n for n in names if n not in expected]
    parts = []
    if missing:
        parts.append(f"missing column(s) {', '.join(missing)}")
    if extra:
        parts.append(f"unknown column(s) {', '.join(extra)}")
    if not parts:
        parts.append(f"columns are out of order; expected {', '.join(expected)}")
    raise CsvRejected([CsvProblem(None, None, f"The header does not match the dataset type: {'; '.join(parts)}.")])


COPY_DATA_ERRORS = (psycopg.errors.DataError, psycopg.errors.BadCopyFileFormat,
                    psycopg.errors.CharacterNotInRepertoire, psycopg.errors.InvalidTextRepresentation,
                    psycopg.errors.UntranslatableCharacter)


def _problem_from_copy_error(exc: psycopg.Error, lines_before: int = 0) -> CsvProblem:
    """The problem as COPY's context tells it: `line N` counts lines from the first after the header
    (a quoted newline starts a new line, not a new record), so the row is a line number here."""
    diag = exc.diag
    reason = (diag.message_primary or str(exc)).strip()
    match = COPY_CONTEXT_RE.search(diag.context or "")
    if match is None:
        return CsvProblem(None, None, reason)
    return CsvProblem(lines_before + int(match["line"]), match["column"], reason)


def copy_statement(table: sql.Composable, columns: Sequence[Column], *, freeze: bool = False) -> sql.Composed:
    """COPY of CSV data (no header) into `columns` of `table`; `freeze` for a table made in the same
    (sub)transaction."""
    return sql.SQL("COPY {} ({}) FROM STDIN WITH (FORMAT csv{})").format(
        table, sql.SQL(", ").join(sql.Identifier(c.name) for c in columns), sql.SQL(", FREEZE" if freeze else ""))


def _copy_stream(conn: psycopg.Connection[Any], statement: sql.Composed, head: bytes, stream: BinaryIO,
                 on_progress: Callable[[int], None] | None = None, *, done_before: int = 0) -> int:
    """COPY of `head` then the rest of `stream`; returns the rows written. Runs in a savepoint, so
    that after a bad value the transaction can go on (to look for more problems). `on_progress`
    gets the bytes of the file read so far (`done_before` of them before `head`)."""
    done = done_before + len(head)
    with conn.transaction(), conn.cursor() as cur:
        with cur.copy(statement) as copy:
            if head:
                copy.write(head)
            for chunk in iter(lambda: stream.read(CHUNK), b""):
                copy.write(chunk)
                done += len(chunk)
                if on_progress:
                    on_progress(done)
        return int(cur.rowcount)


def begin_version_write(conn: psycopg.Connection[Any], dataset_id: int, version: int) -> None:
    """Before writing rows of `version` in this transaction: the rows' default version, and the
    high-water mark (VERSION_MARKS)."""
    conn.execute("SELECT set_config(%s, %s, true)", [version_setting(dataset_id), str(int(version))])
    mark_version_written(conn, dataset_id, version)


def copy_data(conn: psycopg.Connection[Any], dataset_id: int, columns: Sequence[Column], version: int, rest: bytes,
              stream: BinaryIO, *, on_progress: Callable[[int], None] | None = None) -> int:
    """Streams a CSV's data (after its header: `rest` is what read_header read past it) into the table
    as rows of `version`. Must run inside the caller's transaction; on bad values raises CsvRejected
    (with up to MAX_PROBLEMS problems when the stream can seek) and the caller rolls back. The entry
    point is bulk_load.load_csv, which checks the header and loads large files its own way."""
    header_bytes = header_length(rest, stream)
    data_start = header_bytes if stream.seekable() else None
    begin_version_write(conn, dataset_id, version)
    try:
        return _copy_stream(conn, copy_statement(qualified(dataset_id), columns), rest, stream, on_progress,
                            done_before=header_bytes)
    except COPY_DATA_ERRORS as exc:
        first = _problem_from_copy_error(exc)
    if data_start is None or first.row is None:
        raise CsvRejected([first])
    raise CsvRejected(_more_problems(conn, columns, stream, data_start, first))


def header_length(rest: bytes, stream: BinaryIO) -> int:
    """Bytes of the header line (with a BOM), known from where the stream is, or 0 if it cannot say."""
    return stream.tell() - len(rest) if stream.seekable() else 0


def problems_from_start(conn: psycopg.Connection[Any], columns: Sequence[Column], stream: BinaryIO,
                        data_start: int) -> list[CsvProblem]:
    """The first problems of data known not to fit (a load that failed in parts), found again by
    reading it from the start."""
    statement = _check_statement(conn, columns)
    stream.seek(data_start)
    try:
        _copy_stream(conn, statement, b"", stream)
    except COPY_DATA_ERRORS as exc:
        first = _problem_from_copy_error(exc)
    else:
        return [CsvProblem(None, None, "The file's data does not fit the dataset type.")]
    if first.row is None:
        return [first]
    return _more_problems(conn, columns, stream, data_start, first)


def _check_statement(conn: psycopg.Connection[Any], columns: Sequence[Column]) -> sql.Composed:
    """COPY into a scratch table of the dataset's columns: checking values, keeping nothing."""
    conn.execute(sql.SQL("CREATE TEMP TABLE IF NOT EXISTS mb_csv_check ({}) ON COMMIT DROP").format(
        sql.SQL(", ").join(sql.SQL("{} {}").format(sql.Identifier(c.name), sql.SQL(c.sql_type)) for c in columns)))
    return copy_statement(sql.Identifier("mb_csv_check"), columns)


def _more_problems(conn: psycopg.Connection[Any], columns: Sequence[Column], stream: BinaryIO,
                   data_start: int, first: CsvProblem) -> list[CsvProblem]:
    """The first problem again, numbered by record, and those after it: COPY stops at the first
    bad record, so resume it after each bad one (into a scratch table: this is only a check)
    until MAX_PROBLEMS are found or the file ends. Costs about one more pass over the file. Should
    the file's lines not be what COPY counted (lone CR line ends), the rest keep line numbers."""
    statement = _check_statement(conn, columns)
    records = RecordScanner(stream, data_start)
    problems: list[CsvProblem] = []
    problem: CsvProblem | None = first
    while problem is not None and problem.row is not None and len(problems) < MAX_PROBLEMS:
        record = records.skip_past_line(problem.row)
        if record is None:
            break
        problems.append(CsvProblem(record, problem.column, problem.reason))
        problem = None
        try:
            _copy_stream(conn, statement, b"", stream)
        except COPY_DATA_ERRORS as exc:
            problem = _problem_from_copy_error(exc, lines_before=records.lines)
    if problem is not None and len(problems) < MAX_PROBLEMS:
        problems.append(problem)
    return problems


class RecordScanner:
    """Walks a CSV's data from a record boundary, counting lines and records: a record ends at a
    newline outside double quotes (a doubled quote toggles twice, so counting quotes is enough).
    Records and lines are numbered from 1, the first after the header."""

    def __init__(self, stream: BinaryIO, data_start: int) -> None:
        self.stream = stream
        self.offset, self.lines, self.records = data_start, 0, 0

    def skip_past_line(self, line: int) -> int | None:
        """Seeks to just after the record that holds `line` and returns that record's number
        (None when the data ends before that line)."""
        self.stream.seek(self.offset)
        in_quotes, lines, chunk_start = False, self.lines, self.offset
        while chunk := self.stream.read(CHUNK):
            position = 0
            while (newline := chunk.find(b"\n", position)) >= 0:
                in_quotes ^= chunk.count(b'"', position, newline) % 2 == 1
                position, lines = newline + 1, lines + 1
                if not in_quotes:
                    self.offset, self.lines, self.records = chunk_start + position, lines, self.records + 1
                    if lines >= line:
                        self.stream.seek(self.offset)
                        return self.records
            in_quotes ^= chunk.count(b'"', position) % 2 == 1
            chunk_start += len(chunk)
        if chunk_start > self.offset and lines + 1 >= line:  # the last record has no final newline
            self.offset, self.lines, self.records = chunk_start, lines + 1, self.records + 1
            return self.records
        return None


def delete_rows(conn: psycopg.Connection[Any], dataset_id: int, version: int, path: Sequence[int],
                record_ids: Iterable[int]) -> int:
    """Deletes rows from a (non-final) version: its own rows go, inherited rows are marked."""
    ids = list(record_ids)
    table = qualified(dataset_id)
    own = conn.execute(sql.SQL("DELETE FROM {} WHERE record_id = ANY(%s) AND mb_version = %s").format(table),
                       [ids, version]).rowcount
    marked = conn.execute(
        sql.SQL("UPDATE {} SET mb_deleted = array_append(mb_deleted, %(version)s) "
                "WHERE record_id = ANY(%(ids)s) AND ").format(table) + visible_condition(),
        {"version": version, "ids": ids, "path": list(path)}).rowcount
    return int(own + marked)


def analyze_table(conn: psycopg.Connection[Any], dataset_id: int) -> None:
    """Statistics of the table, of it with its segments (bulk_load), and of each segment: the planner
    estimates a segment's rows from its own (without them, an ordered read of a version becomes a
    sort instead of merging the segments' primary keys)."""
    segments = conn.execute("SELECT inhrelid::regclass::text FROM pg_catalog.pg_inherits WHERE inhparent = %s::regclass",
                            [qualified_text(dataset_id)]).fetchall()
    tables = [qualified(dataset_id), *(sql.SQL(name) for (name,) in segments)]
    conn.execute(sql.SQL("ANALYZE {}").format(sql.SQL(", ").join(tables)))


def count_rows(conn: psycopg.Connection[Any], dataset_id: int, path: Sequence[int]) -> int:
    condition, params = path_condition(path)
    row = conn.execute(sql.SQL("SELECT count(*) FROM {} WHERE ").format(qualified(dataset_id)) + condition,
                       params).fetchone()
    return int(row[0]) if row else 0


def encode_cursor(values: list[Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(values, default=str).encode()).decode().rstrip("=")


def decode_cursor(token: str) -> list[Any]:
    try:
        padded = token + "=" * (-len(token) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, json.JSONDecodeError):
        raise BadQuery("The 'after' cursor is not one this server produced.") from None
    if not isinstance(values, list) or len(values) != 2 or not isinstance(values[1], int):
        raise BadQuery("The 'after' cursor is not one this server produced.")
    return values


@dataclass(frozen=True)
class RowFilter:
    column: str
    op: str
    value: str | None


@dataclass(frozen=True)
class Page:
    rows: list[list[Any]]
    next_cursor: str | None


def _column(columns: Sequence[Column], name: str) -> Column:
    for column in columns:
        if column.name == name:
            return column
    if name == "record_id":
        return Column("record_id", "bigint")
    raise BadQuery(f"There is no column {name!r}.")


def _filter_sql(columns: Sequence[Column], f: RowFilter, index: int,
                inline: bool = False) -> tuple[sql.Composable, dict[str, Any]]:
    """The filter's condition with a %(fN)s placeholder, or (inline) with its value as a quoted literal."""
    column = _column(columns, f.column)
    ident, key = sql.Identifier(column.name), f"f{index}"

    def value(v: str) -> sql.Composable:
        return sql.Literal(v) if inline else sql.Placeholder(key)
    if f.op == "is_null":
        return sql.SQL("{} IS NULL").format(ident), {}
    if f.op == "not_null":
        return sql.SQL("{} IS NOT NULL").format(ident), {}
    if f.value is None:
        raise BadQuery(f"The filter on {f.column} needs a value.")
    if f.op == "contains":
        return sql.SQL("{}::text ILIKE {}").format(ident, value(f"%{f.value}%")), {} if inline else {key: f"%{f.value}%"}
    if f.op not in FILTER_OPS:
        raise BadQuery(f"Unknown filter operator {f.op!r}; use one of "
                       f"{', '.join([*FILTER_OPS, 'contains', 'is_null', 'not_null'])}.")
    return (sql.SQL("{} {} {}::{}").format(ident, sql.SQL(FILTER_OPS[f.op]), value(f.value),
                                           sql.SQL(column.sql_type)), {} if inline else {key: f.value})


def _keyset_sql(sort: Column, descending: bool, after: list[Any]) -> tuple[sql.Composable, dict[str, Any]]:
    """Rows after (value, record_id) in `ORDER BY sort [DESC] NULLS LAST, record_id [DESC]`."""
    value, last_id = after
    ident, cmp = sql.Identifier(sort.name), sql.SQL("<" if descending else ">")
    params = {"after_id": last_id, "after_value": value}
    if sort.name == "record_id":
        return sql.SQL("record_id {} %(after_id)s").format(cmp), params
    if value is None:
        return sql.SQL("({} IS NULL AND record_id {} %(after_id)s)").format(ident, cmp), params
    typed = sql.SQL("%(after_value)s::{}").format(sql.SQL(sort.sql_type))
    return (sql.SQL("({c} {cmp} {v} OR ({c} = {v} AND record_id {cmp} %(after_id)s) OR {c} IS NULL)")
            .format(c=ident, cmp=cmp, v=typed), params)


def read_page(
    conn: psycopg.Connection[Any],
    dataset_id: int,
    columns: Sequence[Column],
    path: Sequence[int],
    *,
    limit: int,
    after: str | None = None,
    sort: str = "record_id",
    descending: bool = False,
    filters: Sequence[RowFilter] = (),
) -> Page:
    """One page in keyset order: fast at any depth because it never skips rows with OFFSET."""
    sort_column = _column(columns, sort)
    visible, params = path_condition(path)
    conditions: list[sql.Composable] = [visible]
    params["limit"] = limit
    for index, row_filter in enumerate(filters):
        clause, values = _filter_sql(columns, row_filter, index)
        conditions.append(clause)
        params.update(values)
    if after:
        clause, values = _keyset_sql(sort_column, descending, decode_cursor(after))
        conditions.append(clause)
        params.update(values)
    direction = sql.SQL("DESC" if descending else "ASC")
    order = (sql.SQL("record_id {}").format(direction) if sort_column.name == "record_id" else
             sql.SQL("{} {} NULLS LAST, record_id {}").format(sql.Identifier(sort_column.name), direction, direction))
    select_list = sql.SQL(", ").join([sql.Identifier("record_id"), *(sql.Identifier(c.name) for c in columns)])
    query = sql.SQL("SELECT {} FROM {} WHERE {} ORDER BY {} LIMIT %(limit)s").format(
        select_list, qualified(dataset_id), sql.SQL(" AND ").join(conditions), order)
    try:
        rows = [list(r) for r in conn.execute(query, params).fetchall()]
    except (psycopg.errors.InvalidTextRepresentation, psycopg.errors.InvalidDatetimeFormat,
            psycopg.errors.DatetimeFieldOverflow, psycopg.errors.NumericValueOutOfRange) as exc:
        raise BadQuery(f"A filter or cursor value does not fit its column: {exc.diag.message_primary}") from None
    next_cursor = None
    if len(rows) == limit:
        last = rows[-1]
        sort_value = last[0] if sort_column.name == "record_id" else last[1 + [c.name for c in columns].index(sort)]
        next_cursor = encode_cursor([None if sort_value is None else str(sort_value), last[0]])
    return Page(rows=rows, next_cursor=next_cursor)


def export_select(dataset_id: int, columns: Sequence[Column], path: Sequence[int], *, sort: str = "record_id",
                  descending: bool = False, filters: Sequence[RowFilter] = ()) -> sql.Composed:
    """The version's rows (its type's columns) as one SELECT with every value inlined (COPY takes no
    parameters): the rows matching `filters`, in the row viewer's order (`sort`, then record_id)."""
    sort_column = _column(columns, sort)
    select_list = sql.SQL(", ").join(sql.Identifier(c.name) for c in columns)
    if len(path) == 1:
        visible = sql.SQL("mb_version = {}").format(sql.Literal(int(path[0])))
    else:
        path_literal = sql.SQL("ARRAY[{}]::integer[]").format(sql.SQL(",").join(sql.Literal(int(v)) for v in path))
        visible = sql.SQL("mb_version = ANY({p}) AND NOT (mb_deleted && {p})").format(p=path_literal)
    conditions: list[sql.Composable] = [visible]
    conditions += [_filter_sql(columns, f, i, inline=True)[0] for i, f in enumerate(filters)]
    direction = sql.SQL("DESC" if descending else "ASC")
    order = (sql.SQL("record_id {}").format(direction) if sort_column.name == "record_id" else
             sql.SQL("{} {} NULLS LAST, record_id {}").format(sql.Identifier(sort_column.name), direction, direction))
    return sql.SQL("SELECT {} FROM {} WHERE {} ORDER BY {}").format(
        select_list, qualified(dataset_id), sql.SQL(" AND ").join(conditions), order)


def export_sql(dataset_id: int, columns: Sequence[Column], path: Sequence[int], *, sort: str = "record_id",
               descending: bool = False, filters: Sequence[RowFilter] = ()) -> sql.Composed:
    select = export_select(dataset_id, columns, path, sort=sort, descending=descending, filters=filters)
    return sql.SQL("COPY ({}) TO STDOUT WITH (FORMAT csv, HEADER)").format(select)


def check_export(conn: psycopg.Connection[Any], dataset_id: int, columns: Sequence[Column], path: Sequence[int], *,
                 sort: str = "record_id", descending: bool = False, filters: Sequence[RowFilter] = ()) -> None:
    """Raises BadQuery for a sort column or filter the export cannot use (before any byte is streamed)."""
    select = export_select(dataset_id, columns, path, sort=sort, descending=descending, filters=filters)
    try:
        conn.execute(sql.SQL("SELECT 1 FROM ({}) AS q LIMIT 0").format(select)).fetchall()
    except (psycopg.errors.InvalidTextRepresentation, psycopg.errors.InvalidDatetimeFormat,
            psycopg.errors.DatetimeFieldOverflow, psycopg.errors.NumericValueOutOfRange) as exc:
        raise BadQuery(f"A filter value does not fit its column: {exc.diag.message_primary}") from None


def export_csv(conn: psycopg.Connection[Any], dataset_id: int, columns: Sequence[Column], path: Sequence[int], *,
               sort: str = "record_id", descending: bool = False, filters: Sequence[RowFilter] = ()) -> Iterator[bytes]:
    """The version (or its rows matching `filters`, in `sort` order) as CSV (header first) in pieces of
    about EXPORT_CHUNK bytes."""
    return copy_out(conn, export_sql(dataset_id, columns, path, sort=sort, descending=descending, filters=filters))


def copy_out(conn: psycopg.Connection[Any], statement: sql.Composable) -> Iterator[bytes]:
    """The output of a `COPY ... TO STDOUT`, in pieces of about EXPORT_CHUNK bytes, read from libpq
    directly: PostgreSQL sends one message per row, and psycopg's Copy.read() spends twice the CPU
    per row (a generator and a wait per call), which on a million-row export is the web process's
    largest cost. Closing the iterator early cancels the COPY (the transaction is then aborted)."""
    pgconn = conn.pgconn
    with conn.lock, selectors.DefaultSelector() as selector:
        selector.register(pgconn.socket, selectors.EVENT_READ)

        def wait_readable() -> None:
            selector.select()
            pgconn.consume_input()

        pgconn.send_query(statement.as_bytes(conn))
        while pgconn.is_busy():
            wait_readable()
        started = pgconn.get_result()
        if started is None or started.status != pq.ExecStatus.COPY_OUT:
            _finish_results(pgconn, wait_readable)
            raise _result_error(conn, started)
        finished = False
        try:
            piece = bytearray()
            while True:
                size, data = pgconn.get_copy_data(1)
                if size > 0:
                    piece += data
                    if len(piece) >= EXPORT_CHUNK:
                        yield bytes(piece)
                        piece.clear()
                elif size == 0:
                    wait_readable()
                else:
                    break
            finished = True
            _finish_results(pgconn, wait_readable, expect=pq.ExecStatus.COMMAND_OK, conn=conn)
            if piece:
                yield bytes(piece)
        finally:
            if not finished:  # the consumer left (or failed): stop the server, then drain what it sent
                conn.cancel_safe()
                while (size := pgconn.get_copy_data(1)[0]) != -1:
                    if size == 0:
                        wait_readable()
                _finish_results(pgconn, wait_readable)


def _finish_results(pgconn: pq.abc.PGconn, wait_readable: Callable[[], None], *,
                    expect: pq.ExecStatus | None = None, conn: psycopg.Connection[Any] | None = None) -> None:
    """Reads the remaining results of a query (the connection is idle afterwards); raises the
    first one whose status is not `expect`, when given."""
    failed: pq.abc.PGresult | None = None
    while True:
        while pgconn.is_busy():
            wait_readable()
        result = pgconn.get_result()
        if result is None:
            break
        if expect is not None and result.status != expect and failed is None:
            failed = result
    if failed is not None and conn is not None:
        raise _result_error(conn, failed)


def _result_error(conn: psycopg.Connection[Any], result: pq.abc.PGresult | None) -> psycopg.Error:
    if result is None:
        return psycopg.OperationalError("COPY returned no result")
    return psycopg.errors.error_from_result(result, encoding=conn.info.encoding)


_END = object()


async def iterate_in_thread(produce: Callable[[], Iterator[bytes]], *, read_ahead: int = EXPORT_QUEUE
                            ) -> AsyncGenerator[bytes, None]:
    """Runs a blocking iterator (e.g. export_csv on a sync connection, several times faster than
    psycopg's async COPY) in a thread of its own and hands its items to the event loop, at most
    `read_ahead` ahead of the consumer. Stopping early (client gone) stops the thread."""
    loop = asyncio.get_running_loop()
    ready: asyncio.Queue[Any] = asyncio.Queue()
    slots = threading.Semaphore(read_ahead)
    stop = threading.Event()

    def offer(item: Any) -> bool:
        while not slots.acquire(timeout=0.5):
            if stop.is_set():
                return False
        if stop.is_set():
            return False
        try:
            loop.call_soon_threadsafe(ready.put_nowait, item)
        except RuntimeError:  # the loop is closed
            return False
        return True

    def run() -> None:
        try:
            items = produce()
            try:
                for item in items:
                    if not offer(item):
                        return
            finally:
                close = getattr(items, "close", None)  # a generator: end its COPY here, in its thread
                if close is not None:
                    close()
            offer(_END)
        except BaseException as exc:  # noqa: BLE001 - re-raised in the consumer
            offer(exc)

    threading.Thread(target=run, name="mb-export", daemon=True).start()
    try:
        while True:
            item = await ready.get()
            slots.release()
            if item is _END:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
