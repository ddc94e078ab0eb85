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

from apps.engine import inout, storage
from apps.engine.storage import Column

ROLE_PREFIX = "mb_run_"
KEY_RE = re.compile(r"^[a-z0-9_]{1,40}$")
CONTEXT_LINE_RE = re.compile(r"PL/pgSQL function inline_code_block line (\d+)")
CANCEL_GRACE_SECONDS = 1.0
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
        return sql.SQL("CREATE VIEW {} AS SELECT NULL::bigint AS record_id, {} WHERE false").format(target, cols)
    return sql.SQL("CREATE VIEW {} AS {}").format(
        target, sql.SQL(storage.visible_rows_sql(binding.dataset_id, binding.columns, binding.path)))


def _output_view_sql(plan: SandboxPlan, binding: OutputBinding) -> sql.Composed:
    cols = sql.SQL(", ").join(_ident(c.name) for c in binding.columns)
    return sql.SQL("CREATE VIEW {}.{} AS SELECT record_id, {} FROM {} WHERE mb_version = {} "
                   "WITH CASCADED CHECK OPTION").format(
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


CATALOG_LOCK_KEY = 0x6D62_5F72_756E  # any constant; shared by every worker's setup and teardown

# GRANT CONNECT and DROP OWNED rewrite the database's ACL row; two runs doing it at once fail with
# "tuple concurrently updated", so setups and teardowns take turns (they are short). Sent as the
# first statement of their batch: the lock is held until the batch's transaction commits.
SERIALIZE_CATALOG_WRITES = sql.SQL("SELECT pg_advisory_xact_lock({})").format(sql.Literal(CATALOG_LOCK_KEY))


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

    def teardown(self) -> None:
        if self._conn is not None:  # logged in ahead but never run (the step was not reached)
            _close_quietly(self._conn)
            self._conn = None
        statements = [_terminate_backends_sql(self.plan.role), SERIALIZE_CATALOG_WRITES,
                      *teardown_statements(self.plan)]
        with self._admin_connection() as conn:
            conn.execute(sql.SQL(";\n").join(statements))  # one round trip, one transaction

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
        watchdog = Watchdog(self.admin_dsn, conn.info.backend_pid, self.plan.deadline_seconds, cancel)
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
        return result

    @staticmethod
    def _notice(diag: psycopg.errors.Diagnostic, result: StepResult,
                on_notice: Callable[[str, str], None] | None) -> None:
        level = (diag.severity_nonlocalized or diag.severity or "NOTICE").upper()
        message = diag.message_primary or ""
        result.notices.append((level, message))
        if on_notice is not None:
            on_notice(level, message)


def _close_quietly(conn: psycopg.Connection[Any]) -> None:
    with contextlib.suppress(psycopg.Error):
        conn.close()


class Watchdog(threading.Thread):
    """Cancels the backend at the deadline or on Cancel; terminates it if cancelling is not enough
    (a script can trap query_canceled in an EXCEPTION block, or `SET statement_timeout = 0`)."""

    def __init__(self, admin_dsn: str, backend_pid: int, deadline_seconds: float, cancel: threading.Event) -> None:
        super().__init__(name=f"watchdog-{backend_pid}", daemon=True)
        self.admin_dsn, self.pid, self.cancel = admin_dsn, backend_pid, cancel
        self.deadline = time.monotonic() + deadline_seconds
        self._done = threading.Event()
        self._verdict: str | None = None

    def verdict(self) -> str | None:
        return self._verdict

    def stop(self) -> None:
        self._done.set()
        self.join(timeout=5)

    def run(self) -> None:
        while not self._done.is_set():
            if self.cancel.is_set():
                self._stop_backend("CANCELLED")
                return
            if time.monotonic() >= self.deadline:
                self._stop_backend("TIMEOUT")
                return
            self._done.wait(0.05)

    def _stop_backend(self, verdict: str) -> None:
        self._verdict = verdict
        with psycopg.connect(self.admin_dsn, autocommit=True) as admin:
            admin.execute("SELECT pg_cancel_backend(%s)", [self.pid])
            if self._done.wait(CANCEL_GRACE_SECONDS):
                return
            admin.execute("SELECT pg_terminate_backend(%s)", [self.pid])


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
