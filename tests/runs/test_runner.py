"""Running real modules: the EMF example end to end, failures, history, cancel."""

import time
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from rest_framework.test import APIClient

from apps.datasets.models import Dataset, DatasetVersion
from apps.datasets.workspace import workspace
from apps.engine import sandbox
from apps.engine.storage import qualified_text
from apps.modules.models import Module
from apps.moduletypes.services import version_update
from apps.runs.models import Run

pytestmark = pytest.mark.django_db(transaction=True)


def wait_for(run_id: int, timeout: float = 30) -> Run:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run = Run.objects.get(pk=run_id)
        if run.result:
            return run
        time.sleep(0.1)
    raise AssertionError(f"run {run_id} did not finish in {timeout} s")


def start(client: APIClient, module: Module) -> int:
    response = client.post(f"/api/modules/{module.pk}/run", {"mode": "run"}, format="json")
    assert response.status_code == 202, response.content
    return int(response.json()["id"])


def no_leftovers() -> None:
    with workspace() as conn:
        assert sandbox.leftovers(conn) == ([], [])


def test_the_emf_example_runs_and_produces_the_expected_rows(
    clients: dict[str, APIClient], demo: dict[str, Any], worker: Any
) -> None:
    run = wait_for(start(clients["modeler"], demo["module"]))
    assert run.result == "SUCCESS", run.error
    outputs = [d for d in run.datasets if d["direction"] == "OUT"]
    assert len(outputs) == 1
    produced = Dataset.objects.get(pk=outputs[0]["dataset"])
    assert produced.name == f"Emission Factors +15% #{run.pk}"
    assert produced.keywords["MODULE_NAME"] == "Emission Factors +15%"
    assert produced.keywords["MODULE_PLACEHOLDER"] == "output_emission_factors_dataset"
    with workspace() as conn:
        rows = conn.execute(f"SELECT fuel_type, pollutant, emission_factor FROM {qualified_text(produced.pk)} "
                            "ORDER BY record_id").fetchall()
        source = conn.execute(f"SELECT fuel_type, pollutant, emission_factor FROM "
                              f"{qualified_text(demo['source'].pk)} ORDER BY record_id").fetchall()
    assert [(f, p) for f, p, _ in rows] == [(f, p) for f, p, _ in source]
    assert [round(v, 6) for _, _, v in rows] == [round(v * 1.15, 6) for _, _, v in source]
    detail = clients["viewer"].get(f"/api/runs/{run.pk}").json()
    step = detail["steps"][0]
    assert "CREATE ROLE" in step["setup_script"] and "DROP ROLE" in step["teardown_script"]
    assert "CAST('1.15' AS double precision)" in step["user_script"]
    assert detail["parameters"] == [{"path": "", "name": "increase_factor", "mode": "IN",
                                     "sql_type": "double precision", "input_value": "1.15", "output_value": None}]
    assert any(line["level"] == "SUCCESS" for line in detail["log"])
    assert [d["direction"] for d in detail["datasets"]] == ["IN", "OUT"]
    no_leftovers()


def test_a_failing_algorithm_reports_its_line_and_publishes_nothing(
    clients: dict[str, APIClient], demo: dict[str, Any], users: dict[str, Any], worker: Any
) -> None:
    version = demo["module"].type_version
    version_update(version=version, fields={"algorithm": "INSERT INTO ${output_emission_factors_dataset} (year)\n"
                                            "SELECT 1/0 FROM ${input_emission_factors_dataset};"},
                   note="break it", author=users["modeler"], confirm_dependents=True)
    before = Dataset.objects.count()
    run = wait_for(start(clients["modeler"], demo["module"]))
    assert run.result == "FAILED"
    assert run.error is not None
    assert run.error["message"] == "division by zero"
    assert run.error["line"] == 1
    assert Dataset.objects.count() == before  # the NEW output was discarded
    assert not DatasetVersion.objects.filter(pending_run__isnull=False).exists()
    no_leftovers()


def test_cancel_stops_a_running_module_within_a_second(
    clients: dict[str, APIClient], demo: dict[str, Any], users: dict[str, Any], worker: Any
) -> None:
    version_update(version=demo["module"].type_version, fields={"algorithm": "PERFORM pg_sleep(30);"},
                   note="slow", author=users["modeler"], confirm_dependents=True)
    run_id = start(clients["modeler"], demo["module"])
    deadline = time.monotonic() + 15
    while not Run.objects.filter(pk=run_id, stage="USER_SCRIPT").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    asked = time.monotonic()
    assert clients["modeler"].post(f"/api/runs/{run_id}/cancel").status_code == 202
    run = wait_for(run_id)
    assert run.result == "CANCELLED"
    assert time.monotonic() - asked < 2.0
    assert clients["modeler"].post(f"/api/runs/{run_id}/cancel").status_code == 409
    no_leftovers()


def test_missing_required_parameter_fails_with_a_clear_message(
    clients: dict[str, APIClient], demo: dict[str, Any], worker: Any
) -> None:
    Module.objects.filter(pk=demo["module"].pk).update(parameter_bindings={})
    run = wait_for(start(clients["modeler"], demo["module"]))
    assert run.result == "FAILED"
    assert run.error is not None
    assert run.error["message"] == "Parameter increase_factor is required but has no value."


def test_run_permissions_and_one_run_at_a_time(clients: dict[str, APIClient], demo: dict[str, Any]) -> None:
    url = f"/api/modules/{demo['module'].pk}/run"
    assert clients["viewer"].post(url, {}, format="json").status_code == 403
    assert clients["stranger"].post(url, {}, format="json").status_code == 404
    assert clients["modeler"].post(url, {"mode": "sideways"}, format="json").status_code == 400
    assert clients["modeler"].post(url, {}, format="json").status_code == 202  # no worker: stays queued
    second = clients["modeler"].post(url, {}, format="json")
    assert (second.status_code, second.json()["code"]) == (409, "already_running")


def test_run_module_command_waits_and_reports(demo: dict[str, Any], worker: Any, capsys: Any) -> None:
    call_command("run_module", str(demo["module"].pk), "--wait", "--as", "modeler")
    output = capsys.readouterr().out
    assert "[SUCCESS] Run finished: SUCCESS." in output
    with pytest.raises(CommandError, match="No module named"):
        call_command("run_module", "nope")


def test_a_run_whose_outputs_cannot_be_published_fails_and_leaves_nothing(
    demo: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from apps.runs import runner

    def broken_publish(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("the database went away")

    monkeypatch.setattr(runner.out, "publish", broken_publish)
    module = demo["module"]
    run = Run.objects.create(module=module, run_number=1, user=module.creator, type_version=module.type_version)
    datasets_before = set(Dataset.objects.values_list("pk", flat=True))
    runner.execute_run(run.pk, worker="test")
    run.refresh_from_db()
    assert run.result == "FAILED" and run.error is not None
    assert run.error["code"] == "worker_error"
    assert "the database went away" in run.error["message"]
    assert set(Dataset.objects.values_list("pk", flat=True)) == datasets_before
    assert not DatasetVersion.objects.filter(pending_run=run).exists()
    assert run.log.last().message.startswith("Run finished: FAILED.")  # type: ignore[union-attr]
    no_leftovers()
