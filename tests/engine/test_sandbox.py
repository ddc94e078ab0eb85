"""The run sandbox against the real workspace database."""

import threading
import time
from collections.abc import Callable
from typing import Any

import psycopg
import pytest

from apps.engine import storage
from apps.engine.sandbox import (
    InputBinding,
    OutputBinding,
    Sandbox,
    SandboxPlan,
    discard_pending_rows,
    janitor,
    leftovers,
    new_key,
)
from tests.engine.conftest import FACTOR_COLUMNS

ROWS = [("Coal", "NOx", 2016, 1.0, "a"), ("Gas", "CO", 2016, 2.0, None)]


def _plan(source: int, target: int, **kwargs: Any) -> SandboxPlan:
    return SandboxPlan(key=new_key("t"), inputs=[InputBinding("factors_iv", FACTOR_COLUMNS, source, [0])],
                       outputs=[OutputBinding("result_ov", FACTOR_COLUMNS, target, 1)], **kwargs)


def test_script_reads_its_input_and_writes_a_pending_version(
    workspace_database: str, make_table: Callable[..., int], ws: psycopg.Connection[Any]
) -> None:
    source, target = make_table(ROWS), make_table([])
    plan = _plan(source, target)
    with Sandbox(workspace_database, plan) as box:
        result = box.run("""DO $$ BEGIN
            INSERT INTO result_ov (fuel_type, pollutant, year, emission_factor, comments)
            SELECT fuel_type, pollutant, year, emission_factor * 1.5, comments FROM factors_iv;
            INSERT INTO mb_output_parameters VALUES ('n', (SELECT count(*) FROM result_ov)::text);
            RAISE NOTICE 'done';
        END $$""")
    assert result.result == "SUCCESS", result.error
    assert result.output_parameters == {"n": "2"}
    assert ("NOTICE", "done") in result.notices
    rows = ws.execute(f"SELECT fuel_type, emission_factor, mb_version FROM {storage.qualified_text(target)} "
                      "ORDER BY record_id").fetchall()
    assert rows == [("Coal", 1.5, 1), ("Gas", 3.0, 1)]
    assert "CREATE ROLE" in box.setup_script and "********" in box.setup_script
    assert "DROP ROLE" in box.teardown_script
    assert leftovers(ws) == ([], [])


def test_output_rows_cannot_claim_another_version(workspace_database: str, make_table: Callable[..., int]) -> None:
    target = make_table(ROWS)
    plan = SandboxPlan(key=new_key("t"), outputs=[OutputBinding("result_ov", FACTOR_COLUMNS, target, 3)])
    with Sandbox(workspace_database, plan) as box:
        result = box.run(f"SELECT set_config('{storage.version_setting(target)}', '0', false); "
                         "INSERT INTO result_ov (fuel_type) VALUES ('forged')")
    assert result.result == "FAILED"
    assert "check option" in result.error.message  # type: ignore[union-attr]


def test_a_failed_script_changes_nothing_and_pending_rows_can_be_discarded(
    workspace_database: str, make_table: Callable[..., int], ws: psycopg.Connection[Any]
) -> None:
    target = make_table([])
    plan = SandboxPlan(key=new_key("t"), outputs=[OutputBinding("result_ov", FACTOR_COLUMNS, target, 1)])
    with Sandbox(workspace_database, plan) as box:
        result = box.run("DO $$ BEGIN INSERT INTO result_ov (fuel_type) VALUES ('x');\n"
                         "PERFORM 1/0; END $$")
    assert result.result == "FAILED"
    assert result.error is not None and result.error.message == "division by zero"
    assert result.error.body_line == 2
    assert ws.execute(f"SELECT count(*) FROM {storage.qualified_text(target)}").fetchone() == (0,)
    discard_pending_rows(ws, plan.outputs)


def test_unbound_optional_input_is_an_empty_view(workspace_database: str) -> None:
    plan = SandboxPlan(key=new_key("t"), inputs=[InputBinding("opt_iv", FACTOR_COLUMNS)])
    with Sandbox(workspace_database, plan) as box:
        result = box.run("INSERT INTO mb_output_parameters SELECT 'n', count(*)::text FROM opt_iv")
    assert result.output_parameters == {"n": "0"}


def test_cancel_stops_a_running_script_within_a_second(workspace_database: str) -> None:
    cancel = threading.Event()
    plan = SandboxPlan(key=new_key("t"), deadline_seconds=60)
    with Sandbox(workspace_database, plan) as box:
        threading.Timer(0.3, cancel.set).start()
        started = time.monotonic()
        result = box.run("SELECT pg_sleep(30)", cancel=cancel)
    assert result.result == "CANCELLED"
    assert time.monotonic() - started < 1.5


def test_janitor_removes_what_a_crashed_run_left(workspace_database: str, ws: psycopg.Connection[Any]) -> None:
    box = Sandbox(workspace_database, SandboxPlan(key=new_key("crash")))
    box.setup()  # ... and the worker dies before teardown
    assert leftovers(ws) == ([box.plan.role], [box.plan.schema])
    assert janitor(workspace_database, keep=lambda name: False) == [box.plan.role]
    assert leftovers(ws) == ([], [])


def test_janitor_spares_live_runs(workspace_database: str, ws: psycopg.Connection[Any]) -> None:
    with Sandbox(workspace_database, SandboxPlan(key=new_key("live"))) as box:
        assert janitor(workspace_database, keep=lambda name: name == box.plan.role) == []
        assert leftovers(ws)[0] == [box.plan.role]
    assert leftovers(ws) == ([], [])


@pytest.fixture(autouse=True)
def _no_leftovers_after_each_test(ws: psycopg.Connection[Any]) -> Any:
    yield
    assert leftovers(ws) == ([], []), "a test left a run role or schema behind"


def _backends(ws: psycopg.Connection[Any], role: str) -> int:
    row = ws.execute("SELECT count(*) FROM pg_stat_activity WHERE usename = %s", [role]).fetchone()
    return int(row[0]) if row else 0


def test_a_role_logged_in_ahead_runs_the_script_on_that_connection(
    workspace_database: str, ws: psycopg.Connection[Any]
) -> None:
    with Sandbox(workspace_database, SandboxPlan(key=new_key("t"))) as box:
        assert box.login()
        assert _backends(ws, box.plan.role) == 1
        result = box.run("INSERT INTO mb_output_parameters VALUES ('me', current_user)")
        assert result.result == "SUCCESS", result.error
        assert result.output_parameters == {"me": box.plan.role}
        assert _backends(ws, box.plan.role) <= 1  # the same (CONNECTION LIMIT 1) backend, now closing
    assert leftovers(ws) == ([], [])


def test_a_sandbox_logged_in_but_never_run_is_torn_down_with_its_backend(
    workspace_database: str, ws: psycopg.Connection[Any]
) -> None:
    box = Sandbox(workspace_database, SandboxPlan(key=new_key("t")))
    box.setup()
    assert box.login()
    box.teardown()
    assert leftovers(ws) == ([], [])
    deadline = time.monotonic() + 5
    while _backends(ws, box.plan.role) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _backends(ws, box.plan.role) == 0


def test_a_login_that_fails_is_reported_by_run(workspace_database: str) -> None:
    box = Sandbox(workspace_database, SandboxPlan(key=new_key("t")))
    assert not box.login()  # not set up: the role does not exist
    with pytest.raises(psycopg.OperationalError):
        box.run("NULL")


def test_without_output_parameters_there_is_no_table_for_them(
    workspace_database: str, ws: psycopg.Connection[Any]
) -> None:
    with Sandbox(workspace_database, SandboxPlan(key=new_key("t"), output_parameters=False)) as box:
        assert "mb_output_parameters" not in box.setup_script
        found = ws.execute("SELECT to_regclass(%s)", [f'"{box.plan.schema}".mb_output_parameters']).fetchone()
        assert found == (None,)
        result = box.run("DO $$ BEGIN NULL; END $$")
    assert (result.result, result.output_parameters) == ("SUCCESS", {})


def test_the_recorded_setup_shows_neither_the_password_nor_its_verifier(workspace_database: str) -> None:
    with Sandbox(workspace_database, SandboxPlan(key=new_key("t"))) as box:
        assert "PASSWORD '********'" in box.setup_script
        assert "SCRAM-SHA-256" not in box.setup_script and box._password not in box.setup_script
