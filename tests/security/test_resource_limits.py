"""Per-run resource limits (issue 10, DESIGN §5): a run that crosses its memory, temporary disk,
output size or lock limit fails within seconds with a `resource_limit` error naming the limit, and
nothing else is affected (its role, schema and pending rows are gone; the cluster still answers)."""

from collections.abc import Callable
from typing import Any

import psycopg
import pytest

from apps.engine import storage
from apps.engine.limits import RunLimits
from apps.engine.sandbox import OutputBinding, Sandbox, SandboxPlan, StepResult, leftovers, new_key
from apps.moduletypes.services import version_update
from apps.runs.models import Run
from tests.engine.conftest import FACTOR_COLUMNS
from tests.runs.conftest import demo, worker  # noqa: F401  (fixtures)
from tests.runs.test_runner import start, wait_for

LIMITS = RunLimits(memory_mb=200, temp_mb=20, output_mb=30, locks=400)


def run_capped(workspace_database: str, output: int, script: str, limits: RunLimits = LIMITS) -> StepResult:
    plan = SandboxPlan(key=new_key("cap"), deadline_seconds=60, limits=limits,
                       outputs=[OutputBinding("out_ov", FACTOR_COLUMNS, output, 1)])
    with Sandbox(workspace_database, plan) as box:
        return box.run(script)


def assert_limit(result: StepResult, limit: str, fragment: str) -> None:
    assert result.result == "FAILED", result
    assert result.error is not None and result.error.limit == limit, result.error
    assert fragment in result.error.message
    assert result.seconds < 15, f"stopped only after {result.seconds:.1f} s"


@pytest.fixture
def output(make_table: Callable[..., int]) -> int:
    return make_table([])


@pytest.fixture(autouse=True)
def nothing_left(ws: psycopg.Connection[Any], output: int) -> Any:
    yield
    assert leftovers(ws) == ([], [])
    assert ws.execute(f"SELECT count(*) FROM {storage.qualified_text(output)}").fetchone() == (0,)


def test_memory_limit_stops_a_backend_that_grows_past_it(workspace_database: str, output: int) -> None:
    result = run_capped(workspace_database, output,
                        "SET work_mem = '2000GB'; SELECT count(*) FROM (SELECT g % 5000000 AS k, "
                        "array_agg(repeat('x', 100)) FROM generate_series(1, 50000000) g GROUP BY 1) s")
    assert_limit(result, "memory", "RUN_MEMORY_MB")


def test_memory_limit_catches_huge_arrays(workspace_database: str, output: int) -> None:
    result = run_capped(workspace_database, output,
                        "SELECT cardinality(array_agg(repeat('x', 1000))) FROM (SELECT generate_series(1, 3000000)) g")
    assert_limit(result, "memory", "200 MB")


def test_temporary_disk_limit_is_enforced_and_cannot_be_lifted(workspace_database: str, output: int) -> None:
    result = run_capped(workspace_database, output,
                        "SET temp_file_limit = -1;")
    assert result.result == "FAILED" and result.error is not None
    assert "permission denied" in result.error.message
    result = run_capped(workspace_database, output,
                        "SET work_mem = '64kB'; SELECT count(*) FROM "
                        "(SELECT g, md5(g::text) FROM generate_series(1, 3000000) g ORDER BY 2) s")
    assert_limit(result, "temp", "RUN_TEMP_MB")


def test_output_limit_counts_rows_written_to_outputs(workspace_database: str, output: int) -> None:
    result = run_capped(workspace_database, output,
                        "INSERT INTO out_ov (fuel_type, pollutant, year, emission_factor, comments) "
                        "SELECT 'f', 'p', 2020, g, repeat('x', 200) FROM (SELECT generate_series(1, 3000000) AS g) s")
    assert_limit(result, "output", "RUN_OUTPUT_MB")


def test_output_limit_counts_scratch_tables(workspace_database: str, output: int) -> None:
    result = run_capped(workspace_database, output,
                        "CREATE TABLE scratch AS SELECT g, repeat('x', 200) AS pad "
                        "FROM (SELECT generate_series(1, 3000000) AS g) s")
    assert_limit(result, "output", "scratch")


def test_lock_limit_stops_a_run_creating_thousands_of_tables(workspace_database: str, output: int) -> None:
    result = run_capped(workspace_database, output,
                        "DO $$ BEGIN FOR i IN 1..20000 LOOP "
                        "EXECUTE format('CREATE TABLE t%s (x int)', i); END LOOP; END $$")
    assert_limit(result, "locks", "RUN_LOCKS")


def test_a_run_within_its_limits_is_not_disturbed(workspace_database: str, output: int) -> None:
    result = run_capped(workspace_database, output,
                        "CREATE TABLE s AS SELECT g FROM generate_series(1, 1000) g; "
                        "SELECT count(*) FROM (SELECT g FROM s ORDER BY g DESC) x")
    assert result.result == "SUCCESS", result


def run_module_with(algorithm: str, clients: dict[str, Any], demo: dict[str, Any], users: dict[str, Any]) -> Run:  # noqa: F811
    """Gives the demo module's type this algorithm, runs the module on the real worker and waits;
    the run must end within 20 s."""
    version_update(version=demo["module"].type_version, fields={"algorithm": algorithm}, note="limits",
                   author=users["modeler"], confirm_dependents=True)
    run = wait_for(start(clients["modeler"], demo["module"]), timeout=60)
    assert run.ended_at is not None and run.started_at is not None
    assert (run.ended_at - run.started_at).total_seconds() < 20
    return run


@pytest.mark.django_db(transaction=True)
def test_a_module_run_over_its_memory_limit_fails_with_resource_limit(
        settings: Any, clients: dict[str, Any], demo: dict[str, Any], users: dict[str, Any],  # noqa: F811
        worker: Any) -> None:  # noqa: F811
    settings.RUN_MEMORY_MB = 100
    run = run_module_with("DECLARE _n bigint; BEGIN\nSET work_mem = '2000GB';\n"
                          "SELECT count(*) INTO _n FROM (SELECT g % 5000000, array_agg(repeat('x', 100)) "
                          "FROM generate_series(1, 50000000) g GROUP BY 1) s;\nEND;", clients, demo, users)
    assert run.result == "FAILED"
    assert run.error is not None and run.error["code"] == "resource_limit" and run.error["limit"] == "memory"
    assert "RUN_MEMORY_MB" in run.error["message"]


@pytest.mark.django_db(transaction=True)
def test_a_module_deadline_shorter_than_the_deployments_times_the_run_out(
        clients: dict[str, Any], demo: dict[str, Any], users: dict[str, Any], worker: Any) -> None:  # noqa: F811
    response = clients["modeler"].patch(f"/api/modules/{demo['module'].pk}", {"deadline_seconds": 1}, format="json")
    assert response.status_code == 200, response.content
    run = run_module_with("BEGIN\nPERFORM pg_sleep(60);\nEND;", clients, demo, users)
    assert run.result == "TIMEOUT"
    assert (run.ended_at - run.started_at).total_seconds() < 10  # type: ignore[operator]
