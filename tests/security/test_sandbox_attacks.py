"""Hostile algorithms (DESIGN §5): each attack runs as a run role in the real sandbox and must fail
safely, leaving the app's data, roles and databases as they were."""

import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import psycopg
import pytest
from django.conf import settings

from apps.engine import storage
from apps.engine.sandbox import (
    InputBinding,
    OutputBinding,
    Sandbox,
    SandboxPlan,
    StepResult,
    leftovers,
    new_key,
)
from tests.engine.conftest import FACTOR_COLUMNS

SECRET = [("Secret", "NOx", 2016, 42.0, "do not read")]
PUBLIC = [("Coal", "NOx", 2016, 1.0, "ok")]


@pytest.fixture
def tables(make_table: Callable[..., int]) -> dict[str, int]:
    return {"input": make_table(PUBLIC), "secret": make_table(SECRET), "output": make_table([])}


def attack(workspace_database: str, tables: dict[str, int], script: str, *, deadline: float = 20,
           cancel: threading.Event | None = None) -> tuple[StepResult, Sandbox]:
    plan = SandboxPlan(key=new_key("atk"), deadline_seconds=deadline,
                       inputs=[InputBinding("in_iv", FACTOR_COLUMNS, tables["input"], [0])],
                       outputs=[OutputBinding("out_ov", FACTOR_COLUMNS, tables["output"], 1)])
    with Sandbox(workspace_database, plan) as box:
        return box.run(script, cancel=cancel), box


def assert_refused(result: StepResult, *fragments: str) -> None:
    assert result.result == "FAILED", result
    assert result.error is not None
    assert any(f in result.error.message for f in fragments), result.error.message


@pytest.fixture(autouse=True)
def app_is_unaffected(ws: psycopg.Connection[Any], tables: dict[str, int]) -> Iterator[None]:
    yield
    assert leftovers(ws) == ([], []), "a run role or schema survived"
    secret = ws.execute(f"SELECT fuel_type, comments FROM {storage.qualified_text(tables['secret'])}").fetchall()
    assert secret == [("Secret", "do not read")]
    source = ws.execute(f"SELECT count(*) FROM {storage.qualified_text(tables['input'])}").fetchone()
    assert source == (1,)
    assert ws.execute("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' "
                      "AND database = (SELECT oid FROM pg_database WHERE datname = current_database())").fetchone() == (0,)


def test_read_another_datasets_table(workspace_database: str, tables: dict[str, int]) -> None:
    result, _ = attack(workspace_database, tables,
                       f"SELECT * FROM {storage.qualified_text(tables['secret'])}")
    assert_refused(result, "permission denied")


def test_list_and_read_through_the_catalog(workspace_database: str, tables: dict[str, int]) -> None:
    result, _ = attack(workspace_database, tables,
                       f"INSERT INTO out_ov (comments) SELECT comments FROM {storage.qualified_text(tables['secret'])}")
    assert_refused(result, "permission denied")


def test_read_djangos_tables(workspace_database: str, tables: dict[str, int]) -> None:
    result, _ = attack(workspace_database, tables, "SELECT * FROM accounts_user")
    assert_refused(result, "does not exist")


def test_run_role_cannot_connect_to_the_app_database(workspace_database: str, tables: dict[str, int]) -> None:
    app_db = settings.DATABASES["default"]["NAME"]
    from django.db import connection

    test_app_db = connection.settings_dict["NAME"] or app_db
    plan = SandboxPlan(key=new_key("atk"))
    with Sandbox(workspace_database, plan) as box:
        dsn = psycopg.conninfo.make_conninfo(workspace_database, user=plan.role, password=box._password,
                                             dbname=test_app_db)
        with pytest.raises(psycopg.OperationalError, match="permission denied for database"):
            psycopg.connect(dsn)


def test_reset_role_and_set_role(workspace_database: str, tables: dict[str, int]) -> None:
    app_role = psycopg.conninfo.conninfo_to_dict(workspace_database).get("user") or "modulebench"
    result, _ = attack(workspace_database, tables, f'SET ROLE "{app_role}"')
    assert_refused(result, "permission denied to set role")
    result, _ = attack(workspace_database, tables,
                       f"RESET ROLE; SELECT * FROM {storage.qualified_text(tables['secret'])}")
    assert_refused(result, "permission denied")
    result, _ = attack(workspace_database, tables, 'SET SESSION AUTHORIZATION "postgres"')
    assert_refused(result, "permission denied")


@pytest.mark.parametrize("statement", ["CREATE ROLE evil LOGIN SUPERUSER", "CREATE ROLE evil",
                                       "CREATE DATABASE evil", "CREATE EXTENSION dblink",
                                       "CREATE EXTENSION plpython3u", "ALTER ROLE CURRENT_USER SUPERUSER"])
def test_create_role_database_extension(workspace_database: str, tables: dict[str, int], statement: str) -> None:
    result, _ = attack(workspace_database, tables, statement)
    assert_refused(result, "permission denied", "must be", "not available", "could not open extension",
                   "cannot run inside a transaction block")


def test_the_run_role_has_no_powers(workspace_database: str, ws: psycopg.Connection[Any]) -> None:
    with Sandbox(workspace_database, SandboxPlan(key=new_key("atk"), deadline_seconds=5)) as box:
        row = ws.execute("SELECT rolsuper, rolcreatedb, rolcreaterole, rolinherit, rolreplication, rolbypassrls, "
                         "rolconnlimit, rolvaliduntil IS NOT NULL FROM pg_roles WHERE rolname = %s",
                         [box.plan.role]).fetchone()
    assert row == (False, False, False, False, False, False, 1, True)


def test_copy_program(workspace_database: str, tables: dict[str, int]) -> None:
    result, _ = attack(workspace_database, tables, "COPY out_ov (comments) FROM PROGRAM 'id'")
    assert_refused(result, "permission denied", "must be superuser")
    result, _ = attack(workspace_database, tables, "COPY (SELECT 1) TO '/tmp/mb_pwned'")
    assert_refused(result, "permission denied", "must be superuser")


@pytest.mark.parametrize("call", ["pg_read_file('/etc/passwd')", "pg_ls_dir('.')", "pg_read_binary_file('PG_VERSION')",
                                  "lo_import('/etc/passwd')"])
def test_server_file_access(workspace_database: str, tables: dict[str, int], call: str) -> None:
    result, _ = attack(workspace_database, tables, f"SELECT {call}")
    assert_refused(result, "permission denied")


def test_write_to_an_input(workspace_database: str, tables: dict[str, int]) -> None:
    for statement in ("INSERT INTO in_iv (fuel_type) VALUES ('x')", "DELETE FROM in_iv", "UPDATE in_iv SET year = 0",
                      f"TRUNCATE {storage.qualified_text(tables['input'])}", "DROP VIEW in_iv"):
        result, _ = attack(workspace_database, tables, statement)
        assert_refused(result, "permission denied", "must be owner")


def test_pg_sleep_past_the_deadline(workspace_database: str, tables: dict[str, int]) -> None:
    started = time.monotonic()
    result, _ = attack(workspace_database, tables, "SELECT pg_sleep(60)", deadline=1)
    assert result.result == "TIMEOUT"
    assert time.monotonic() - started < 5


def test_infinite_loop_that_traps_query_canceled(workspace_database: str, tables: dict[str, int]) -> None:
    script = """DO $$ BEGIN
      LOOP
        BEGIN PERFORM pg_sleep(0.05); EXCEPTION WHEN query_canceled THEN NULL; END;
      END LOOP;
    END $$"""
    started = time.monotonic()
    result, _ = attack(workspace_database, tables, script, deadline=1)
    assert result.result == "TIMEOUT"
    assert time.monotonic() - started < 6


def test_statement_timeout_zero_does_not_escape_the_watchdog(workspace_database: str, tables: dict[str, int]) -> None:
    result, _ = attack(workspace_database, tables, "SET statement_timeout = 0; SELECT pg_sleep(60)", deadline=1)
    assert result.result == "TIMEOUT"


def test_huge_allocation(workspace_database: str, tables: dict[str, int]) -> None:
    result, _ = attack(workspace_database, tables,
                       "SELECT length(string_agg(repeat('x', 100000000), '')) FROM generate_series(1, 20)", deadline=10)
    assert result.result in {"FAILED", "TIMEOUT"}
    assert result.error is not None


def test_advisory_lock_hoarding(workspace_database: str, tables: dict[str, int]) -> None:
    result, _ = attack(workspace_database, tables,
                       "SELECT pg_advisory_lock(g) FROM generate_series(1, 1000) g")
    assert_refused(result, "permission denied")  # revoked from run roles (storage.harden_workspace)


def test_trigger_or_view_meant_to_run_later_with_app_privileges(workspace_database: str, tables: dict[str, int]) -> None:
    make_function = ("CREATE FUNCTION steal() RETURNS trigger LANGUAGE plpgsql AS "
                     "$f$ BEGIN RAISE NOTICE 'stolen'; RETURN NEW; END $f$")
    output = storage.qualified_text(tables["output"])
    for statement in (f"{make_function}; CREATE TRIGGER t BEFORE INSERT ON {output} FOR EACH ROW EXECUTE FUNCTION steal()",
                      f"{make_function}; CREATE TRIGGER t INSTEAD OF INSERT ON out_ov FOR EACH ROW EXECUTE FUNCTION steal()",
                      "CREATE VIEW public.accounts_user AS SELECT 1",
                      "CREATE FUNCTION public.lower(text) RETURNS text LANGUAGE sql AS 'SELECT 1::text'",
                      "CREATE EVENT TRIGGER e ON ddl_command_start EXECUTE FUNCTION steal()",
                      "ALTER DEFAULT PRIVILEGES GRANT ALL ON TABLES TO PUBLIC; CREATE TABLE keep_me (x int)"):
        result, _ = attack(workspace_database, tables, statement)
        if result.result == "SUCCESS":  # only harmless objects in its own schema, dropped at teardown
            continue
        assert_refused(result, "permission denied", "must be owner", "must be superuser")


def test_objects_created_in_the_run_schema_die_with_it(workspace_database: str, tables: dict[str, int],
                                                       ws: psycopg.Connection[Any]) -> None:
    result, box = attack(workspace_database, tables, "CREATE TABLE keep_me (x int); CREATE VIEW peek AS SELECT 1")
    assert result.result == "SUCCESS"
    assert ws.execute("SELECT count(*) FROM pg_class WHERE relname IN ('keep_me', 'peek')").fetchone() == (0,)
