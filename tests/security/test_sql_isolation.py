"""Issue 10, the run's SQL against the workspace database (DESIGN §5): a run reads only what it is
bound to (leak-proof views, even for a user function of tiny cost in a WHERE clause), expanded
values stay literals whatever the algorithm sets before them (`standard_conforming_strings = off`),
and a run can neither hoard advisory locks nor take the app's own catalog lock."""

import threading
import time
from collections.abc import Callable
from typing import Any

import psycopg
import pytest

from apps.engine import inout, storage
from apps.engine.placeholders import GeneralInfo, ParameterBinding, ParameterSlot, expand
from apps.engine.sandbox import (
    InputBinding,
    OutputBinding,
    Sandbox,
    SandboxPlan,
    StepResult,
    new_key,
)
from apps.engine.script import build_user_script
from tests.engine.conftest import FACTOR_COLUMNS

# A function the planner prefers to run first (it is the cheapest qual) and that tells the run
# every row it is shown; a view that is not a security barrier shows it the rows it filters out.
LEAK = ("CREATE FUNCTION leak(t text) RETURNS boolean LANGUAGE plpgsql COST 0.0000001 AS "
        "$f$ BEGIN RAISE NOTICE 'leaked: %', t; RETURN true; END $f$;\n")


def _insert(ws: psycopg.Connection[Any], dataset_id: int, version: int, comments: str,
            deleted: list[int] | None = None) -> None:
    ws.execute(f"INSERT INTO {storage.qualified_text(dataset_id)} (mb_version, mb_deleted, fuel_type, comments) "
               "VALUES (%s, %s, 'Coal', %s)", [version, deleted or [], comments])


def _leaked(result: StepResult) -> list[str]:
    return [message.removeprefix("leaked: ") for level, message in result.notices if message.startswith("leaked: ")]


def _run(workspace_database: str, plan: SandboxPlan, script: str) -> StepResult:
    with Sandbox(workspace_database, plan) as box:
        return box.run(script)


# ------------------------------------------------------------------------------ reading only what is bound
def test_an_input_view_shows_a_cheap_user_function_only_the_bound_versions_rows(
    workspace_database: str, make_table: Callable[..., int], ws: psycopg.Connection[Any]
) -> None:
    source = make_table([])
    _insert(ws, source, 1, "bound")
    _insert(ws, source, 1, "deleted in version 2", deleted=[2])
    _insert(ws, source, 2, "version 2")
    _insert(ws, source, 3, "version 3, another branch")
    plan = SandboxPlan(key=new_key("leak"), inputs=[InputBinding("in_iv", FACTOR_COLUMNS, source, [1, 2])])
    result = _run(workspace_database, plan, LEAK + "SELECT count(*) FROM in_iv WHERE leak(comments)")
    assert result.result == "SUCCESS", result.error
    assert sorted(_leaked(result)) == ["bound", "version 2"]


def test_an_output_view_shows_a_cheap_user_function_only_the_runs_own_rows(
    workspace_database: str, make_table: Callable[..., int], ws: psycopg.Connection[Any]
) -> None:
    """A REPLACE target holds the published version and, while they run, other runs' pending rows."""
    target = make_table([])
    _insert(ws, target, 1, "published")
    _insert(ws, target, 7, "another run's pending row")
    plan = SandboxPlan(key=new_key("leak"), outputs=[OutputBinding("out_ov", FACTOR_COLUMNS, target, 8)])
    script = (LEAK + "INSERT INTO out_ov (fuel_type, comments) VALUES ('Gas', 'mine');\n"
              "SELECT count(*) FROM out_ov WHERE leak(comments);\n"
              "UPDATE out_ov SET year = 1 WHERE leak(comments);\n"
              "DELETE FROM out_ov WHERE leak(comments) AND year = 0")
    result = _run(workspace_database, plan, script)
    assert result.result == "SUCCESS", result.error
    assert set(_leaked(result)) == {"mine"}
    assert ws.execute(f"SELECT comments, year FROM {storage.qualified_text(target)} ORDER BY record_id").fetchall() == [
        ("published", None), ("another run's pending row", None), ("mine", 1)]


def test_an_inout_view_shows_a_cheap_user_function_only_its_new_versions_rows(
    workspace_database: str, make_table: Callable[..., int], ws: psycopg.Connection[Any]
) -> None:
    shared = make_table([])
    _insert(ws, shared, 1, "base")
    _insert(ws, shared, 1, "deleted by another run's pending version", deleted=[5])
    _insert(ws, shared, 5, "another run's pending row")
    binding = inout.InoutBinding("io_iov", FACTOR_COLUMNS, shared, 6, [1, 6])
    plan = SandboxPlan(key=new_key("leak"), inouts=[binding])
    result = _run(workspace_database, plan, LEAK + "SELECT count(*) FROM io_iov WHERE leak(comments);\n"
                                                   "UPDATE io_iov SET year = 2 WHERE leak(comments)")
    assert result.result == "SUCCESS", result.error
    assert set(_leaked(result)) == {"base", "deleted by another run's pending version"}


# ------------------------------------------------------------------ expansion under any session setting
BREAKOUT = "\\' || (SELECT 'injected') || ''"  # ends a '...' literal early when backslashes escape


def _general(module_name: str) -> GeneralInfo:
    return GeneralInfo(user_full_name=module_name, user_id=1, user_account_name="u", module_name=module_name,
                       module_id=1, module_final=False, module_project_name=None, run_id=1, run_date="01/01/2024",
                       run_time="10:00:00.000")


@pytest.mark.parametrize("value", [BREAKOUT, "\\", "a\\", "\\'", "'\\''", "O'Brien \\n \\\\' x", "\\x27; --"])
def test_expanded_values_stay_literals_with_standard_conforming_strings_off(workspace_database: str,
                                                                            value: str) -> None:
    """The algorithm switches the setting off, then uses a parameter value in code
    (#{label.input_value}), ${module.name} as a '...' literal of its own and ${user.full_name}
    inside a longer one; each must arrive as exactly the value, whatever it holds."""
    label = ParameterSlot("label", "text", "IN")
    parameter = ParameterBinding(label, True, value, "p_label")
    algorithm = ("SET standard_conforming_strings = off;\n"
                 "RAISE NOTICE 'value=%', #{label.input_value};\n"
                 "RAISE NOTICE 'value=%', '${module.name}';\n"
                 "RAISE NOTICE 'value=%', 'name: ${user.full_name}.';\n"
                 "EXECUTE 'SELECT ' || quote_literal(#{label.input_value}) INTO p_label;\n"
                 "RAISE NOTICE 'value=%', p_label;\n")
    expansion = expand(algorithm, [], [parameter], _general(value))
    script = build_user_script(expansion, [parameter], output_parameter_table="mb_output_parameters",
                               dollar_tag="mb_q")
    result = _run(workspace_database, SandboxPlan(key=new_key("scs")), script.text)
    assert result.result == "SUCCESS", (result.error, script.text)
    values = [message.removeprefix("value=") for _, message in result.notices if message.startswith("value=")]
    assert values == [value, value, f"name: {value}.", value], script.text


# ----------------------------------------------------------------------------------------------- locks
OLD_CATALOG_LOCK_KEY = 0x6D62_5F72_756E  # the advisory key set-ups and teardowns used to take turns on


@pytest.fixture
def hardened(ws: psycopg.Connection[Any]) -> None:
    """storage.harden_workspace needs a superuser once per workspace database (tests/conftest.py
    applies it as `postgres`, `make run` through scripts/devenv.py)."""
    row = ws.execute("SELECT has_function_privilege('public', 'pg_catalog.pg_advisory_lock(bigint)', 'EXECUTE')"
                     ).fetchone()
    if row is None or row[0]:
        pytest.skip("the workspace database is not hardened (no superuser access): run roles may still call "
                    "advisory-lock functions")


@pytest.mark.parametrize("call", ["pg_advisory_lock(1)", "pg_advisory_lock(1, 2)", "pg_advisory_xact_lock(1)",
                                  "pg_advisory_lock_shared(1)", "pg_try_advisory_lock(1)",
                                  "pg_try_advisory_xact_lock_shared(1, 2)", "pg_advisory_unlock_all()"])
def test_a_run_cannot_call_advisory_lock_functions(workspace_database: str, hardened: None, call: str) -> None:
    result = _run(workspace_database, SandboxPlan(key=new_key("lock")), f"SELECT {call}")
    assert result.result == "FAILED"
    assert result.error is not None and "permission denied" in result.error.message, result.error


def test_a_run_cannot_hoard_advisory_locks_inside_an_exception_block(workspace_database: str, hardened: None,
                                                                     ws: psycopg.Connection[Any]) -> None:
    script = """DO $$ BEGIN
      FOR i IN 1..1000 LOOP
        BEGIN PERFORM pg_advisory_lock(i); EXCEPTION WHEN OTHERS THEN NULL; END;
      END LOOP;
      RAISE NOTICE 'held %', (SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid());
    END $$"""
    result = _run(workspace_database, SandboxPlan(key=new_key("lock")), script)
    assert result.result == "SUCCESS", result.error
    assert ("NOTICE", "held 0") in result.notices


def test_a_run_cannot_take_the_apps_catalog_lock_nor_stall_other_runs_setup(workspace_database: str,
                                                                            hardened: None) -> None:
    """The run tries every way it knows to hold the lock set-ups and teardowns take turns on, then
    sleeps; another run's set-up must not wait for it."""
    script = f"""DO $$ BEGIN
      BEGIN PERFORM pg_advisory_xact_lock({OLD_CATALOG_LOCK_KEY}); EXCEPTION WHEN OTHERS THEN RAISE NOTICE 'refused: %', SQLERRM; END;
      BEGIN LOCK TABLE mb_meta.catalog_writes IN EXCLUSIVE MODE; EXCEPTION WHEN OTHERS THEN RAISE NOTICE 'refused: %', SQLERRM; END;
      PERFORM pg_sleep(3);
    END $$"""
    holder = SandboxPlan(key=new_key("lock"), deadline_seconds=10)
    outcome: dict[str, StepResult] = {}
    with Sandbox(workspace_database, holder) as box:
        thread = threading.Thread(target=lambda: outcome.setdefault("holder", box.run(script)))
        thread.start()
        time.sleep(1)
        started = time.monotonic()
        with Sandbox(workspace_database, SandboxPlan(key=new_key("next"))):
            setup_seconds = time.monotonic() - started
        thread.join()
    refusals = [m for _, m in outcome["holder"].notices if m.startswith("refused: ")]
    assert len(refusals) == 2 and all("permission denied" in m for m in refusals), refusals
    assert setup_seconds < 1.5, f"another run's set-up waited {setup_seconds:.1f}s for the lock a run held"
