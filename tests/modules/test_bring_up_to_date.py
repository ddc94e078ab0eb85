"""Bring up to date: the selected modules run in dependency order; a failed upstream cancels its
downstream runs. Ordering and refusals are checked without a worker, execution with a real one."""

import time
from collections.abc import Iterator
from typing import Any

import pytest
from celery.contrib.testing.worker import start_worker
from rest_framework.test import APIClient

from apps.accounts.models import Project, User
from apps.datasets.models import Dataset
from apps.modules.models import Module
from apps.modules.services import module_create
from apps.modules.tasks import bring_up_to_date_task
from apps.modules.uptodate import dependency_order
from apps.runs.models import Run
from project.celery import app
from tests.conftest import DENIAL
from tests.modules.status_helpers import (
    INPUT,
    OUTPUT,
    new_dataset,
    output_of,
    record_run,
    seed_demo,
    source,
)
from tests.runs.conftest import tasks_finish

URL = "/api/modules/bring-up-to-date"


def _module(name: str, *, reads: Dataset, writes: Dataset | None, owner: User, project: Project,
            factor: str = "2") -> Module:
    demo = Module.objects.get(name="Emission Factors +15%")
    output = {"output_method": "REPLACE", "dataset": writes.pk} if writes else \
        {"output_method": "NEW", "name_pattern": f"{name} #${{run.id}}"}
    return module_create(name=name, type_version=demo.type_version, project=project, creator=owner,
                         dataset_bindings={INPUT: {"dataset": reads.pk, "version": None}, OUTPUT: output},
                         parameter_bindings={"increase_factor": factor})


@pytest.fixture
def chain(project: Project, users: dict[str, User]) -> dict[str, Any]:
    """upstream: 2016 factors -> REPLACE middle; downstream: middle -> NEW output; loner: unrelated."""
    owner = users["modeler"]
    seed_demo(project, owner)
    middle = new_dataset("Middle", owner, project)
    upstream = _module("Upstream", reads=source(), writes=middle, owner=owner, project=project)
    downstream = _module("Downstream", reads=middle, writes=None, owner=owner, project=project)
    loner = _module("Loner", reads=source(), writes=None, owner=owner, project=project)
    return {"upstream": upstream, "downstream": downstream, "loner": loner, "middle": middle}


def _ids(*modules: Module) -> list[int]:
    return [m.pk for m in modules]


@pytest.mark.django_db
class TestOrderAndRefusals:
    def test_order_follows_replace_targets_whatever_the_selection_order(self, chain: dict[str, Any]) -> None:
        order, deps = dependency_order([chain["downstream"], chain["loner"], chain["upstream"]])
        assert [m.name for m in order] == ["Loner", "Upstream", "Downstream"]
        assert deps[chain["downstream"].pk] == {chain["upstream"].pk}

    def test_order_follows_the_new_output_of_the_last_successful_run(self, chain: dict[str, Any],
                                                                      users: dict[str, User], project: Project) -> None:
        produced = output_of(record_run(chain["loner"]))
        reader = _module("Reader", reads=produced, writes=None, owner=users["modeler"], project=project)
        order, _ = dependency_order([reader, chain["loner"]])
        assert [m.name for m in order] == ["Loner", "Reader"]

    def test_post_records_runs_in_order_and_says_which_were_up_to_date(self, clients: dict[str, APIClient],
                                                                        chain: dict[str, Any]) -> None:
        record_run(chain["loner"])
        response = clients["modeler"].post(URL, {"modules": _ids(chain["downstream"], chain["loner"],
                                                                 chain["upstream"])}, format="json")
        assert response.status_code == 202, response.content
        body = response.json()
        assert [run["module"] for run in body["runs"]] == _ids(chain["loner"], chain["upstream"], chain["downstream"])
        assert body["already_up_to_date"] == [chain["loner"].pk]
        assert {run["result"] for run in body["runs"]} == {""}
        assert Run.objects.filter(result="").count() == 3

    def test_a_cycle_is_409_and_records_nothing(self, clients: dict[str, APIClient], chain: dict[str, Any]) -> None:
        Module.objects.filter(pk=chain["upstream"].pk).update(
            dataset_bindings={INPUT: {"dataset": chain["middle"].pk, "version": None},
                              OUTPUT: {"output_method": "REPLACE", "dataset": chain["middle"].pk}})
        a_dataset = new_dataset("Back", chain["upstream"].creator, chain["upstream"].project)
        Module.objects.filter(pk=chain["downstream"].pk).update(
            dataset_bindings={INPUT: {"dataset": chain["middle"].pk, "version": None},
                              OUTPUT: {"output_method": "REPLACE", "dataset": a_dataset.pk}})
        Module.objects.filter(pk=chain["upstream"].pk).update(
            dataset_bindings={INPUT: {"dataset": a_dataset.pk, "version": None},
                              OUTPUT: {"output_method": "REPLACE", "dataset": chain["middle"].pk}})
        response = clients["modeler"].post(URL, {"modules": _ids(chain["upstream"], chain["downstream"])},
                                           format="json")
        assert response.status_code == 409
        body = response.json()
        assert body["code"] == "dependency_cycle"
        assert {m["name"] for m in body["details"]["cycle"]} == {"Upstream", "Downstream"}
        assert "Upstream" in body["message"] and "Downstream" in body["message"]
        assert not Run.objects.exists()

    def test_queued_runs_refresh_the_status_as_the_run_button_does(
            self, clients: dict[str, APIClient], chain: dict[str, Any], monkeypatch: pytest.MonkeyPatch,
            django_capture_on_commit_callbacks: Any) -> None:
        """One run-recording service (issue 11): a module is `running` as soon as its run is queued,
        whichever way it was queued (bring_up_to_date used to skip the status refresh)."""
        monkeypatch.setattr(bring_up_to_date_task, "delay", lambda plan: None)  # recorded, not executed
        selected = _ids(chain["upstream"], chain["downstream"])
        with django_capture_on_commit_callbacks(execute=True):
            response = clients["modeler"].post(URL, {"modules": selected}, format="json")
        assert response.status_code == 202, response.content
        for module in Module.objects.filter(pk__in=selected):
            assert module.status_cache["status"] == "OutOfDate", module.name
            assert module.status_cache["reasons"][0]["code"] == "running", module.name

    def test_a_module_already_running_refuses_the_whole_request(self, clients: dict[str, APIClient],
                                                                 chain: dict[str, Any]) -> None:
        record_run(chain["downstream"], result="")
        response = clients["modeler"].post(URL, {"modules": _ids(chain["upstream"], chain["downstream"])},
                                           format="json")
        assert (response.status_code, response.json()["code"]) == (409, "already_running")
        assert Run.objects.count() == 1

    @pytest.mark.parametrize("payload", [{}, {"modules": []}, {"modules": "1"}, {"modules": [0]}, {"modules": ["x"]},
                                         {"modules": [1, 1]}, {"modules": [1], "extra": 1}, {"modules": list(range(1, 300))}])
    def test_bad_input_is_400_and_records_nothing(self, clients: dict[str, APIClient], chain: dict[str, Any],
                                                  payload: dict[str, Any]) -> None:
        response = clients["modeler"].post(URL, payload, format="json")
        assert (response.status_code, response.json()["code"]) == (400, "invalid")
        assert not Run.objects.exists()

    def test_permissions(self, clients: dict[str, APIClient], chain: dict[str, Any]) -> None:
        payload = {"modules": _ids(chain["upstream"])}
        for actor in ("anonymous", "stranger", "viewer"):
            response = clients[actor].post(URL, payload, format="json")
            assert response.status_code == DENIAL[actor], actor
        assert clients["modeler"].post(URL, {"modules": [999999]}, format="json").status_code == 404
        assert clients["modeler"].get(URL).status_code == 405
        assert not Run.objects.exists()
        assert clients["modeler"].post(URL, payload, format="json").status_code == 202


@pytest.fixture
def worker(transactional_db: None) -> Iterator[Any]:
    with start_worker(app, pool="threads", concurrency=2, perform_ping_check=False, shutdown_timeout=30) as running:
        yield running
        tasks_finish()


def _wait_until_finished(run_ids: list[int], timeout: float = 120) -> list[Run]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        runs = list(Run.objects.filter(pk__in=run_ids).order_by("pk"))
        if all(run.result for run in runs):
            return runs
        time.sleep(0.2)
    raise AssertionError(f"runs {run_ids} did not finish")


def _bring_up_to_date(client: APIClient, *modules: Module) -> list[Run]:
    response = client.post(URL, {"modules": _ids(*modules)}, format="json")
    assert response.status_code == 202, response.content
    return _wait_until_finished([run["id"] for run in response.json()["runs"]])


@pytest.mark.django_db(transaction=True)
def test_downstream_starts_only_after_upstream_ended(worker: Any, clients: dict[str, APIClient],
                                                     chain: dict[str, Any]) -> None:
    up, down = _bring_up_to_date(clients["modeler"], chain["downstream"], chain["upstream"])
    assert [up.module_id, down.module_id] == _ids(chain["upstream"], chain["downstream"])
    assert up.result == "SUCCESS", up.error
    assert up.ended_at is not None and down.started_at is not None and up.ended_at <= down.started_at


@pytest.mark.django_db(transaction=True)
def test_downstream_reads_the_version_upstream_just_wrote(worker: Any, clients: dict[str, APIClient],
                                                          chain: dict[str, Any]) -> None:
    up, down = _bring_up_to_date(clients["modeler"], chain["downstream"], chain["upstream"])
    assert (up.result, down.result) == ("SUCCESS", "SUCCESS"), (up.error, down.error)
    written = next(d for d in up.datasets if d["direction"] == "OUT")
    read = next(d for d in down.datasets if d["direction"] == "IN")
    assert (read["dataset"], read["version"]) == (chain["middle"].pk, written["version"]) == (chain["middle"].pk, 1)
    status = clients["modeler"].get(f"/api/modules/{chain['downstream'].pk}/status").json()
    assert status == {"status": "UpToDate", "reasons": []}


@pytest.mark.django_db(transaction=True)
def test_a_failed_upstream_cancels_its_downstream_but_not_the_others(worker: Any, clients: dict[str, APIClient],
                                                                     chain: dict[str, Any]) -> None:
    Module.objects.filter(pk=chain["upstream"].pk).update(parameter_bindings={"increase_factor": "not a number"})
    finished = _bring_up_to_date(clients["modeler"], chain["upstream"], chain["downstream"], chain["loner"])
    runs = {run.module_id: run for run in finished}
    up, down, loner = (runs[m.pk] for m in (chain["upstream"], chain["downstream"], chain["loner"]))
    assert (up.result, down.result, loner.result) == ("FAILED", "CANCELLED", "SUCCESS")
    error = down.error or {}
    assert error["code"] == "upstream_failed"
    assert "Upstream" in error["message"] and "FAILED" in error["message"]
    assert down.started_at is None
    assert Dataset.objects.get(pk=chain["middle"].pk).versions.count() == 1  # nothing half-written
