"""Progressive module types and runs (issue 12): built-ins, a Histogram run on a real worker, steering."""

from typing import Any

import numpy as np
import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from apps.accounts.models import Project, User
from apps.datasets.workspace import workspace
from apps.moduletypes.models import ModuleType
from apps.runs.models import Run
from tests.runs.builders import module, numbers, run_and_wait

BUILTINS = ["Filter", "Histogram", "Max", "Min", "Quantiles", "Scan", "Stats"]


@pytest.mark.django_db
def test_builtins_are_listed_everywhere_and_read_only(clients: dict[str, APIClient]) -> None:
    for who in ("viewer", "modeler", "stranger"):
        listed = clients[who].get("/api/module-types?kind=progressive").json()
        assert sorted(t["name"] for t in listed) == BUILTINS
        assert all(t["project"] is None and t["kind"] == "progressive" for t in listed)
    hist = ModuleType.objects.get(name="Histogram")
    version = hist.versions.get()
    assert version.is_final and version.dataset_slots[0]["dataset_type"] is None
    modeler = clients["modeler"]
    assert modeler.get(f"/api/module-types/{hist.pk}").status_code == 200
    assert modeler.patch(f"/api/module-types/{hist.pk}", {"name": "Mine"}, format="json").status_code == 403
    assert clients["admin"].delete(f"/api/module-types/{hist.pk}").status_code == 403
    assert modeler.patch(f"/api/module-type-versions/{version.pk}", {"name": "x", "revision_note": "x"},
                         format="json").status_code == 403
    assert modeler.post(f"/api/module-types/{hist.pk}/versions", {"name": "copy"}, format="json").status_code == 403


def _big(project: Project, owner: User, n: int) -> Any:
    dataset = numbers("Big numbers", [(0, 0.0)], project=project, owner=owner)
    version = dataset.versions.get()
    with workspace() as conn:
        conn.execute(f"INSERT INTO mb_data.ds_{dataset.pk} (mb_version, k, v) "
                     f"SELECT %s, g, (g::bigint * 7919 %% 1000) / 10.0 FROM generate_series(1, %s) g", [version.number, n])
    version.row_count = n + 1
    version.save(update_fields=["row_count"])
    return dataset


def test_histogram_run_end_to_end(worker: Any, project: Project, users: dict[str, User],
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    from apps.runs import recorder as rec

    sent: list[tuple[str, str, dict[str, Any]]] = []
    original = rec.publish_many

    def capture(events: Any) -> None:
        sent.extend(events)
        original(events)

    monkeypatch.setattr(rec, "publish_many", capture)
    dataset = _big(project, users["modeler"], 600_000)
    version = ModuleType.objects.get(name="Histogram").versions.get()
    target = module("Histogram of v", version, project=project, owner=users["modeler"],
                    datasets={"input": {"dataset": dataset.pk, "version": None}},
                    parameters={"column": "v", "bins": "16"})
    run = run_and_wait(target, users["modeler"], timeout=120)
    assert run.result == "SUCCESS", run.error
    partials = [d for _, t, d in sent if t == "partial"]
    assert len(partials) >= 2 and partials[-1]["final"] is True
    with workspace() as conn:
        values = np.array([r[0] for r in conn.execute(f"SELECT v FROM mb_data.ds_{dataset.pk}").fetchall()])
    counts, edges = np.histogram(values, bins=16, range=(values.min(), values.max()))
    final = Run.objects.get(pk=run.pk).results[""]
    assert final["counts"] == counts.tolist()
    assert np.allclose(final["edges"], edges)
    step = run.steps.get()
    assert step.progressive is not None and step.progressive["final"] is True
    progress = [d for _, t, d in sent if t == "progress"]
    assert progress and {"rate", "elapsed", "written"} <= set(progress[-1])


@pytest.mark.django_db
def test_bad_steer_inputs_are_4xx(clients: dict[str, APIClient], project: Project, users: dict[str, User]) -> None:
    from apps.runs.services import run_record

    version = ModuleType.objects.get(name="Histogram").versions.get()
    target = module("H", version, project=project, owner=users["modeler"], parameters={"column": "v"})
    run = run_record(module=target, user=users["modeler"])
    run.steps.create(path="", name="H", type_version=version, started_at=timezone.now(),
                     parameters=[{"name": "column", "mode": "IN", "sql_type": "text", "input_value": "v"}])
    url = f"/api/runs/{run.pk}/steer"
    modeler = clients["modeler"]
    assert modeler.post(url, {"path": "nope", "parameters": {"bins": "8"}}, format="json").status_code == 400
    assert modeler.post(url, {"path": "", "parameters": {"nope": "8"}}, format="json").status_code == 400
    assert modeler.post(url, {"path": "", "parameters": {"bins": "eight"}}, format="json").status_code == 400
    assert clients["viewer"].post(url, {"path": "", "parameters": {"bins": "8"}}, format="json").status_code == 403
    assert clients["stranger"].post(url, {"path": "", "parameters": {"bins": "8"}}, format="json").status_code == 404
    assert modeler.post(url, {"path": "", "parameters": {"bins": "8"}}, format="json").status_code == 202
    assert Run.objects.get(pk=run.pk).steer_requests[0]["parameters"] == {"bins": "8"}


@pytest.mark.django_db
def test_steering_a_bad_value_is_refused_naming_the_field_and_changes_nothing(
        clients: dict[str, APIClient], project: Project, users: dict[str, User]) -> None:
    """An unknown column, parameter or a value that does not parse: 400 with the field, nothing queued
    (the worker would otherwise drop it with a log line: accepted, then ignored)."""
    from apps.runs.services import run_record

    owner = users["modeler"]
    source = numbers("Steer source", [(1, 1.0)], project=project, owner=owner)
    version = ModuleType.objects.get(name="Histogram").versions.get()
    target = module("H", version, project=project, owner=owner, parameters={"column": "v", "bins": "32"})
    run = run_record(module=target, user=owner)
    step = run.steps.create(path="", name="H", type_version=version)
    url = f"/api/runs/{run.pk}/steer"
    modeler = clients["modeler"]
    early = modeler.post(url, {"path": "", "parameters": {"bins": "8"}}, format="json")
    assert early.status_code == 409 and early.json()["code"] == "not_started", early.content
    step.started_at = timezone.now()
    step.parameters = [{"name": n, "mode": "IN", "sql_type": t, "input_value": v, "output_value": None}
                       for n, t, v in [("column", "text", "v"), ("bins", "integer", "32"),
                                       ("min", "double precision", None), ("max", "double precision", None)]]
    step.datasets = [{"placeholder": "input", "mode": "IN", "direction": "IN", "dataset": source.pk,
                      "dataset_name": source.name, "version": 0, "internal": False}]
    step.save()
    for parameters, field in [({"column": "nope"}, "column"), ({"column": "k, v"}, "column"),
                              ({"bins": "0"}, "bins"), ({"bins": "abc"}, "bins"), ({"bins": "8.5"}, "bins"),
                              ({"min": "abc"}, "min"), ({"min": "inf"}, "min"), ({"min": "5", "max": "1"}, "min"),
                              ({"colour": "red"}, "colour"), ({"rows_per_second": "0"}, "rows_per_second")]:
        answer = modeler.post(url, {"path": "", "parameters": parameters}, format="json")
        assert answer.status_code == 400, (parameters, answer.content)
        body = answer.json()
        assert body["details"]["field"] == field and field in body["message"], (parameters, body)
    assert Run.objects.get(pk=run.pk).steer_requests == []
    # a numeric column of the input, and the bin count, are accepted
    for parameters in ({"column": "k"}, {"bins": "8"}):
        assert modeler.post(url, {"path": "", "parameters": parameters}, format="json").status_code == 202
    assert [r["parameters"] for r in Run.objects.get(pk=run.pk).steer_requests] == [{"column": "k"}, {"bins": "8"}]
