"""The run sandbox of DESIGN §5 (no Django).

Each run step gets its own temporary LOGIN role and schema in the workspace database:
- inputs are views over exactly the bound dataset version (owned by the app role, so the run role
  reads them without any right on the dataset tables);
- outputs are views over the output dataset's table restricted to the run's pending version number,
  WITH CHECK OPTION, so the script writes straight into the dataset table but only into a version
  nobody can see until the orchestrator publishes it; a failed run's rows are discarded;
- the user script runs on a fresh connection logged in as that role (never SET ROLE), as one
  statement in one transaction; a watchdog cancels, then terminates, the backend at the deadline or
  on Cancel, whatever the script does with statement_timeout;
- teardown always drops the schema and the role; `janitor` removes what crashed runs left behind.
"""

from __future__ import annotations

import contextlib
import re
import secrets
import threading
import time
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

import psycopg
from psycopg import sql

from apps.engine import inout, limits, storage
from apps.engine.storage import Column

ROLE_PREFIX = "mb_run_"
KEY_RE = re.compile(r"^[a-z0-9_]{1,40}$")
CONTEXT_LINE_RE = re.compile(r"PL/pgSQL function inline_code_block line (\d+)")
CANCEL_GRACE_SECONDS = 1.0
MEASURE_SECONDS = 0.2  # how often the watchdog measures memory, output size and locks
OUTPUT_PARAMETER_TABLE = "mb_output_parameters"


@dataclass(frozen=True)
class InputBinding:
    """`dataset_id=None` is an unbound optional input: an empty view with the type's columns."""

    view: str
    columns: Sequence[Column]
    dataset_id: int | None = None
    path: Sequence[int] = ()


@dataclass(frozen=True)
class OutputBinding:
    view: str
    columns: Sequence[Column]
    dataset_id: int
    version: int


@dataclass(frozen=True)
class SandboxPlan:
    key: str
    inputs: Sequence[InputBinding] = ()
    outputs: Sequence[OutputBinding] = ()
    inouts: Sequence[inout.InoutBinding] = ()  # INOUT datasets: a view writing a new version (inout.py)
    deadline_seconds: float = 600.0
    output_parameters: bool = True  # False: the script saves no OUT/INOUT parameter, no table for them
    limits: limits.RunLimits = limits.UNLIMITED

    @property
    def written_tables(self) -> list[str]:
        """The dataset tables the script writes into (their growth counts towards the output limit)."""
        ids = sorted({o.dataset_id for o in self.outputs} | {b.dataset_id for b in self.inouts})
        return [f"{storage.SCHEMA}.{storage.table_name(i)}" for i in ids]

    @property
    def role(self) -> str:
        return f"{ROLE_PREFIX}{self.key}"

    @property
    def schema(self) -> str:
        return self.role


@dataclass
class SqlError:
    message: str
    sqlstate: str | None = None
    detail: str | None = None
    hint: str | None = None
    context: str | None = None
    position: int | None = None
    body_line: int | None = None
    limit: str | None = None  # the resource limit crossed (memory, temp, output, locks), if that was the cause

    @classmethod
    def from_exception(cls, exc: psycopg.Error) -> SqlError:
        diag = exc.diag
        position = diag.statement_position or diag.internal_position
        match = CONTEXT_LINE_RE.search(diag.context or "")
        return cls(message=(diag.message_primary or str(exc)).strip(), sqlstate=diag.sqlstate, detail=diag.message_detail,
                   hint=diag.message_hint, context=diag.context, position=int(position) if position else None,
                   body_line=int(match.group(1)) if match else None)


@dataclass
class StepResult:
    result: str  # SUCCESS | FAILED | CANCELLED | TIMEOUT
    output_parameters: dict[str, str | None] = field(default_factory=dict)
    notices: list[tuple[str, str]] = field(default_factory=list)  # (level, message)
    error: SqlError | None = None
    seconds: float = 0.0


def new_key(prefix: str) -> str:
    key = f"{prefix}_{secrets.token_hex(4)}".lower()
    if not KEY_RE.match(key):
        raise ValueError(f"bad sandbox key {key!r}")
    return key


def _ident(name: str) -> sql.Identifier:
    return sql.Identifier(name)


def _input_view_sql(plan: SandboxPlan, binding: InputBinding) -> sql.Composed:
    target = sql.SQL("{}.{}").format(_ident(plan.schema), _ident(binding.view))
    if binding.dataset_id is None:
        cols = sql.SQL(", ").join(
            sql.SQL("NULL::{} AS {}").format(sql.SQL(c.sql_type), _ident(c.name)) for c in binding.columns)
        return sql.SQL("CREATE VIEW {} WITH (security_barrier) AS SELECT NULL::bigint AS record_id, {} "
                       "WHERE false").format(target, cols)
    return sql.SQL("CREATE VIEW {} WITH (security_barrier) AS {}").format(
        target, sql.SQL(storage.visible_rows_sql(binding.dataset_id, binding.columns, binding.path)))


def _output_view_sql(plan: SandboxPlan, binding: OutputBinding) -> sql.Composed:
    cols = sql.SQL(", ").join(_ident(c.name) for c in binding.columns)
    return sql.SQL("CREATE VIEW {}.{} WITH (security_barrier) AS SELECT record_id, {} FROM {} "
                   "WHERE mb_version = {} WITH CASCADED CHECK OPTION").format(
        _ident(plan.schema), _ident(binding.view), cols, storage.qualified(binding.dataset_id),
        sql.Literal(int(binding.version)))


def setup_statements(plan: SandboxPlan, *, password: str, database: str) -> list[sql.Composed]:
    """Everything the app role does before the script runs, in order (recorded in the history).
    `password`: the role's password, or its SCRAM verifier (see `Sandbox.setup`)."""
    role, schema = _ident(plan.role), _ident(plan.schema)
    valid_until = (datetime.now(UTC) + timedelta(seconds=plan.deadline_seconds + 600)).isoformat()
    statements = [
        sql.SQL("CREATE ROLE {} LOGIN NOINHERIT NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS "
                "CONNECTION LIMIT 1 VALID UNTIL {} PASSWORD {}").format(role, sql.Literal(valid_until),
                                                                       sql.Literal(password)),
        sql.SQL("GRANT {} TO CURRENT_USER").format(role),
        sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(_ident(database), role),
        sql.SQL("CREATE SCHEMA {}").format(schema),
        sql.SQL("GRANT USAGE, CREATE ON SCHEMA {} TO {}").format(schema, role),
        sql.SQL("ALTER ROLE {} SET search_path = {}").format(role, schema),
    ]
    if plan.output_parameters:
        statements += [
            sql.SQL("CREATE TABLE {}.{} (name text PRIMARY KEY, value text)").format(
                schema, _ident(OUTPUT_PARAMETER_TABLE)),
            sql.SQL("GRANT INSERT, SELECT, UPDATE ON {}.{} TO {}").format(
                schema, _ident(OUTPUT_PARAMETER_TABLE), role),
        ]
    for binding in plan.inputs:
        statements.append(_input_view_sql(plan, binding))
        statements.append(sql.SQL("GRANT SELECT ON {}.{} TO {}").format(schema, _ident(binding.view), role))
    for out in plan.outputs:
        statements.append(_output_view_sql(plan, out))
        statements.append(sql.SQL("GRANT SELECT, INSERT, UPDATE, DELETE ON {}.{} TO {}").format(
            schema, _ident(out.view), role))
        statements.append(sql.SQL("GRANT USAGE ON SEQUENCE {} TO {}").format(
            sql.SQL(f"{storage.SCHEMA}.{storage.table_name(out.dataset_id)}_record_id_seq"), role))
    for inout_binding in plan.inouts:
        statements += inout.setup_statements(plan.schema, plan.role, inout_binding)
    return statements


def limit_statements(plan: SandboxPlan, *, may_set: Callable[[str], bool]) -> tuple[list[sql.Composed], list[str]]:
    """Role settings that cap the run (only a superuser can change them back), and a note for each
    limit the app role is not allowed to set (`may_set(parameter)`)."""
    statements, notes = [], []
    for name, value in limits.role_settings(plan.limits).items():
        if may_set(name):
            statements.append(sql.SQL("ALTER ROLE {} SET {} = {}").format(
                _ident(plan.role), _ident(name), sql.Literal(value)))
        else:
            notes.append(f"{name} is not enforced for this run: the app role may not set it "
                         f"(GRANT SET ON PARAMETER {name} TO the app role, as `make run` does).")
    return statements, notes


def teardown_statements(plan: SandboxPlan) -> list[sql.Composed]:
    role = _ident(plan.role)
    return [
        sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(_ident(plan.schema)),
        sql.SQL("DROP OWNED BY {} CASCADE").format(role),
        sql.SQL("DROP ROLE IF EXISTS {}").format(role),
    ]


def script_preamble(plan: SandboxPlan) -> str:
    """Set before the user script, in its own transaction: new output rows get the pending version."""
    return "".join(f"SELECT set_config('{storage.version_setting(o.dataset_id)}', '{int(o.version)}', true);\n"
                   for o in plan.outputs)


# GRANT CONNECT and DROP OWNED rewrite the database's ACL row; two runs doing it at once fail with
# "tuple concurrently updated", so setups and teardowns take turns (they are short). Sent as the
# first statement of their batch: the lock is held until the batch's transaction commits. It is a
# table lock in a schema run roles have no USAGE on (storage.prepare_workspace), not an advisory
# key: user SQL cannot name the table, so no run can hold the lock and stall everyone's set-up.
SERIALIZE_CATALOG_WRITES = sql.SQL("LOCK TABLE {} IN EXCLUSIVE MODE").format(storage.CATALOG_LOCK_TABLE)


def _terminate_backends_sql(role: str) -> sql.Composed:
    return sql.SQL("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = {}").format(
        sql.Literal(role))


def _script(statements: Sequence[sql.Composable]) -> str:
    return ";\n".join(s.as_string() for s in statements) + ";"


def _role_dsn(admin_dsn: str, role: str, password: str) -> str:
    parts = urlsplit(admin_dsn)
    netloc = f"{quote(role)}:{quote(password)}@{parts.hostname}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


def _database_of(dsn: str) -> str:
    return urlsplit(dsn).path.lstrip("/")


AdminConnection = Callable[[], AbstractContextManager[psycopg.Connection[Any]]]


class BackendStillThere(Exception):
    """A run role's backend did not exit in time after it was terminated (teardown retries)."""


class Sandbox:
    """One run step. Use `with Sandbox(...) as box:`; teardown runs whatever happens.

    Set-up and teardown are one transaction and one round trip each. `login()` may open the run
    role's connection ahead (e.g. while the step before runs); `run()` uses it, or logs in itself."""

    def __init__(self, admin_dsn: str, plan: SandboxPlan, *, admin: AdminConnection | None = None) -> None:
        """`admin`: where setup and teardown get their app-role connection, inside a transaction
        committed when the context exits (e.g. a pool's: a new connection costs ~10 ms, twice per
        step); by default a fresh one to `admin_dsn`."""
        self.admin_dsn = admin_dsn
        self.plan = plan
        self._admin = admin
        self._password = secrets.token_urlsafe(24)
        self._conn: psycopg.Connection[Any] | None = None
        self.setup_script = ""
        self.notes: list[str] = []  # what the set-up could not enforce, for the run's log
        self.teardown_script = _script(teardown_statements(plan))  # known up front: teardown always runs

    def __enter__(self) -> Sandbox:
        self.setup()
        return self

    def __exit__(self, *exc: object) -> None:
        self.teardown()

    def setup(self) -> None:
        with self._admin_connection() as conn:
            # The server would hash a plain password (SCRAM, 4096 rounds: ~6 ms of its time inside the
            # catalog lock); libpq computes the same verifier client-side, the way psql's \password does.
            verifier = conn.pgconn.encrypt_password(self._password.encode(), self.plan.role.encode(),
                                                    b"scram-sha-256").decode()
            statements = setup_statements(self.plan, password=verifier, database=_database_of(self.admin_dsn))
            capped, self.notes = limit_statements(self.plan, may_set=lambda name: _may_set(conn, name))
            statements += capped
            self.setup_script = _script(statements).replace(verifier, "********")
            conn.execute(sql.SQL(";\n").join([SERIALIZE_CATALOG_WRITES, *statements]))  # one round trip

    def login(self) -> bool:
        """Opens the run role's connection now (a new backend: the slowest part of a short step), so
        that `run()` starts at once. False if it failed: `run()` then tries again and reports why."""
        if self._conn is None:
            try:
                self._conn = self._connect()
            except psycopg.Error:
                return False
        return True

    TEARDOWN_ATTEMPTS = 5
    TEARDOWN_BACKOFF_SECONDS = 0.2  # doubled after each failed attempt (0.2 + 0.4 + 0.8 + 1.6 s in all)
    BACKEND_GONE_SECONDS = 5.0  # how long one attempt waits for the run role's backends to exit

    def teardown(self) -> None:
        """Drops the schema and the role, whatever became of the run's backend (killed, crashed,
        out of shared memory): its backends are terminated and waited for (a dying backend still
        holds its locks and lock-table entries), then the drops run in one transaction. A failed
        attempt (a broken admin connection, a full lock table, a backend that would not go) is
        retried with backoff; the last failure is raised (the janitor removes what is left)."""
        if self._conn is not None:  # logged in ahead but never run (the step was not reached)
            _close_quietly(self._conn)
            self._conn = None
        delay = self.TEARDOWN_BACKOFF_SECONDS
        for attempt in range(1, self.TEARDOWN_ATTEMPTS + 1):
            try:
                self._teardown_once()
                return
            except (psycopg.Error, BackendStillThere):
                if attempt == self.TEARDOWN_ATTEMPTS:
                    raise
            time.sleep(delay)
            delay *= 2

    def _teardown_once(self) -> None:
        with self._admin_connection() as conn:
            self._end_backends(conn)
            conn.execute(sql.SQL(";\n").join([SERIALIZE_CATALOG_WRITES, *teardown_statements(self.plan)]))

    def _end_backends(self, conn: psycopg.Connection[Any]) -> None:
        """Terminates the run role's backends and waits until they are gone (pg_terminate_backend
        with a timeout polls for the process); raises BackendStillThere if one outlives the wait."""
        role, wait_ms = self.plan.role, int(self.BACKEND_GONE_SECONDS * 1000)
        conn.execute("SELECT pg_terminate_backend(pid, %s) FROM pg_stat_activity WHERE usename = %s", [wait_ms, role])
        conn.execute("SELECT pg_stat_clear_snapshot()")  # pg_stat_activity is a snapshot per transaction
        row = conn.execute("SELECT array_agg(pid) FROM pg_stat_activity WHERE usename = %s", [role]).fetchone()
        if row is not None and row[0]:
            raise BackendStillThere(f"backends {row[0]} of {role} still running after {self.BACKEND_GONE_SECONDS} s")

    def _admin_connection(self) -> AbstractContextManager[psycopg.Connection[Any]]:
        if self._admin is not None:
            return self._admin()
        return psycopg.connect(self.admin_dsn)  # not autocommit: committed when the `with` exits

    def _connect(self) -> psycopg.Connection[Any]:
        return psycopg.connect(_role_dsn(self.admin_dsn, self.plan.role, self._password),
                               application_name=self.plan.role)

    def run(self, script: str, *, cancel: threading.Event | None = None,
            on_notice: Callable[[str, str], None] | None = None) -> StepResult:
        """Runs the script as the run role, as one transaction; never raises for SQL errors."""
        started = time.monotonic()
        result = StepResult(result="SUCCESS")
        cancel = cancel or threading.Event()
        conn, self._conn = self._conn or self._connect(), None
        conn.add_notice_handler(lambda d: self._notice(d, result, on_notice))
        watchdog = Watchdog(self.admin_dsn, conn.info.backend_pid, self.plan.deadline_seconds, cancel,
                            run_limits=self.plan.limits, role=self.plan.role, written_tables=self.plan.written_tables)
        watchdog.start()
        try:
            preamble = script_preamble(self.plan)
            if preamble:
                conn.execute(preamble)
            conn.execute(script, prepare=False)
            if self.plan.output_parameters:
                rows = conn.execute(sql.SQL("SELECT name, value FROM {}.{}").format(
                    _ident(self.plan.schema), _ident(OUTPUT_PARAMETER_TABLE))).fetchall()
                result.output_parameters = {str(name): value for name, value in rows}
            conn.commit()
        except psycopg.Error as exc:
            result.result = watchdog.verdict() or "FAILED"
            result.error = SqlError.from_exception(exc)
        finally:
            watchdog.stop()
            _close_quietly(conn)
            result.seconds = time.monotonic() - started
        if result.result == "SUCCESS" and watchdog.verdict():
            result.result = watchdog.verdict() or "FAILED"
        self._report_limits(result, watchdog, on_notice)
        return result

    def _report_limits(self, result: StepResult, watchdog: Watchdog,
                       on_notice: Callable[[str, str], None] | None) -> None:
        """A crossed limit is the step's error (a `resource_limit` failure naming the limit); what the
        sandbox could not enforce is a warning in the log."""
        for note in [*self.notes, *watchdog.notes]:
            result.notices.append(("WARNING", note))
            if on_notice is not None:
                on_notice("WARNING", note)
        breach = watchdog.breach
        if breach is None and result.error is not None:
            breach = limits.breach_of_error(result.error.sqlstate, result.error.message, self.plan.limits)
        if breach is not None:
            result.result = "FAILED"
            result.error = SqlError(message=breach.message, sqlstate=result.error.sqlstate if result.error else None,
                                    body_line=result.error.body_line if result.error else None, limit=breach.limit)

    @staticmethod
    def _notice(diag: psycopg.errors.Diagnostic, result: StepResult,
                on_notice: Callable[[str, str], None] | None) -> None:
        level = (diag.severity_nonlocalized or diag.severity or "NOTICE").upper()
        message = diag.message_primary or ""
        result.notices.append((level, message))
        if on_notice is not None:
            on_notice(level, message)


def _may_set(conn: psycopg.Connection[Any], parameter: str) -> bool:
    row = conn.execute("SELECT has_parameter_privilege(%s, 'SET') OR "
                       "(SELECT rolsuper FROM pg_roles WHERE rolname = current_user)", [parameter]).fetchone()
    return bool(row and row[0])


def _close_quietly(conn: psycopg.Connection[Any]) -> None:
    with contextlib.suppress(psycopg.Error):
        conn.close()


class Watchdog(threading.Thread):
    """Cancels the backend at the deadline, on Cancel, or when it crosses a resource limit
    (limits.py); terminates it if cancelling is not enough (a script can trap query_canceled in an
    EXCEPTION block, or `SET statement_timeout = 0`). Measuring keeps one admin connection open for
    the whole step, so a run that exhausts the server cannot lock its own watchdog out."""

    def __init__(self, admin_dsn: str, backend_pid: int, deadline_seconds: float, cancel: threading.Event, *,
                 run_limits: limits.RunLimits = limits.UNLIMITED, role: str = "",
                 written_tables: Sequence[str] = ()) -> None:
        super().__init__(name=f"watchdog-{backend_pid}", daemon=True)
        self.admin_dsn, self.pid, self.cancel = admin_dsn, backend_pid, cancel
        self.deadline = time.monotonic() + deadline_seconds
        self.limits, self.role, self.written_tables = run_limits, role, list(written_tables)
        self.breach: limits.Breach | None = None
        self.notes: list[str] = []
        self._measures = any(v is not None for v in (run_limits.memory_mb, run_limits.output_mb, run_limits.locks))
        self._admin: psycopg.Connection[Any] | None = None
        self._done = threading.Event()
        self._verdict: str | None = None

    def verdict(self) -> str | None:
        return self._verdict

    def stop(self) -> None:
        self._done.set()
        self.join(timeout=5)

    def run(self) -> None:
        try:
            meter = self._meter() if self._measures else None
            next_measure = time.monotonic()
            while not self._done.is_set():
                if self.cancel.is_set():
                    self._stop_backend("CANCELLED")
                    return
                if time.monotonic() >= self.deadline:
                    self._stop_backend("TIMEOUT")
                    return
                if meter is not None and time.monotonic() >= next_measure:
                    self.breach = self._measure(meter)
                    if self.breach is not None:
                        self._stop_backend("FAILED")
                        return
                    next_measure = time.monotonic() + MEASURE_SECONDS
                self._done.wait(0.05)
        finally:
            if self._admin is not None:
                _close_quietly(self._admin)

    def _meter(self) -> limits.Meter | None:
        try:
            self._admin = psycopg.connect(self.admin_dsn, autocommit=True)
            meter = limits.Meter(self._admin, self.pid, self.role, self.written_tables)
        except psycopg.Error as exc:
            self.notes.append(f"Resource limits are not enforced for this run: the watchdog could not connect ({exc}).")
            return None
        self.notes += meter.notes
        return meter

    def _measure(self, meter: limits.Meter) -> limits.Breach | None:
        try:
            return limits.breach_of(self.limits, meter.usage())
        except psycopg.Error:
            return None  # the backend is finishing (or gone): nothing to measure this time

    def _stop_backend(self, verdict: str) -> None:
        self._verdict = verdict
        if self._admin is None or self._admin.closed:
            self._admin = psycopg.connect(self.admin_dsn, autocommit=True)
        self._admin.execute("SELECT pg_cancel_backend(%s)", [self.pid])
        if self._done.wait(CANCEL_GRACE_SECONDS):
            return
        self._admin.execute("SELECT pg_terminate_backend(%s)", [self.pid])


def terminate_backends(conn: psycopg.Connection[Any], role: str) -> None:
    conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = %s", [role])


def discard_pending_rows(conn: psycopg.Connection[Any], outputs: Sequence[OutputBinding]) -> None:
    """A failed run's output rows go; the version numbers they used were never published."""
    for out in outputs:
        conn.execute(sql.SQL("DELETE FROM {} WHERE mb_version = %s").format(storage.qualified(out.dataset_id)),
                     [out.version])


def leftovers(conn: psycopg.Connection[Any]) -> tuple[list[str], list[str]]:
    """Run roles and schemas of this workspace database. Roles are cluster-wide, so only those granted
    CONNECT on this database count: another workspace's (or test session's) live runs are not ours."""
    roles = [r[0] for r in conn.execute(
        "SELECT r.rolname FROM pg_roles r WHERE r.rolname LIKE %s AND EXISTS ("
        " SELECT 1 FROM pg_database d, aclexplode(d.datacl) a"
        " WHERE d.datname = current_database() AND a.grantee = r.oid) ORDER BY 1",
        [ROLE_PREFIX.replace("_", r"\_") + "%"]).fetchall()]
    schemas = [r[0] for r in conn.execute("SELECT nspname FROM pg_namespace WHERE nspname LIKE %s ORDER BY 1",
                                          [ROLE_PREFIX.replace("_", r"\_") + "%"]).fetchall()]
    return roles, schemas


def janitor(admin_dsn: str, *, keep: Callable[[str], bool] = lambda name: False) -> list[str]:
    """Drops run roles and schemas that no live run owns (`keep(name)` says which are live)."""
    removed: list[str] = []
    with psycopg.connect(admin_dsn, autocommit=True) as conn:
        roles, schemas = leftovers(conn)
        for name in sorted(set(roles) | set(schemas)):
            if keep(name):
                continue
            key = name[len(ROLE_PREFIX):]
            if not KEY_RE.match(key):
                continue
            plan = SandboxPlan(key=key)
            terminate_backends(conn, plan.role)
            conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(_ident(plan.schema)))
            if name in roles:
                conn.execute(sql.SQL("DROP OWNED BY {} CASCADE").format(_ident(plan.role)))
                conn.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(_ident(plan.role)))
            removed.append(name)
    return removed
