"""apps/modules/listing.py: the list's fast rows say exactly what the module resource says."""

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from apps.accounts.models import Project, User
from apps.datasets.models import Dataset
from apps.locks.models import EditLock
from apps.modules.models import Module
from apps.modules.services import module_update
from tests.modules.status_helpers import module_reading, output_of, record_run, seed_demo

pytestmark = pytest.mark.django_db


@pytest.fixture
def module(project: Project, users: dict[str, User]) -> Module:
    return seed_demo(project, users["modeler"])


def _listed(client: APIClient) -> dict[int, dict[str, Any]]:
    response = client.get("/api/modules/")
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/json"
    return {row["id"]: row for row in response.json()}


def _detail(client: APIClient, pk: int) -> dict[str, Any]:
    response = client.get(f"/api/modules/{pk}")
    assert response.status_code == 200, response.content
    return response.json()  # type: ignore[no-any-return]


def _varied_modules(module: Module, users: dict[str, User], project: Project) -> list[Module]:
    """A module that ran, one reading its output that is OutOfDate through it, one never run and
    edit-locked, one whose run is still going."""
    produced = output_of(record_run(module))
    reader = module_reading("Reader", produced, users["admin"], project)
    record_run(reader)
    module_update(module=module, fields={"parameter_bindings": {"increase_factor": "3"}})
    module_update(module=reader, fields={"tags": ["scenario", "ü"], "description": "Zeile mit Umlaut"})
    locked = module_reading("Locked", produced, users["modeler"], project)
    EditLock.objects.create(kind="module", object_id=locked.pk, user=users["modeler"], since=timezone.now(),
                            renewed_at=timezone.now())
    running = module_reading("Running", produced, users["modeler"], project)
    record_run(running, result="")
    return [module, reader, locked, running]


def test_each_listed_row_is_the_module_resource(clients: dict[str, APIClient], module: Module,
                                                users: dict[str, User], project: Project) -> None:
    modules = _varied_modules(module, users, project)
    listed = _listed(clients["viewer"])
    assert set(listed) == {m.pk for m in modules}
    for m in modules:
        assert listed[m.pk] == _detail(clients["viewer"], m.pk), m.name
    assert [r["code"] for r in listed[modules[1].pk]["reasons"]] == ["upstream_out_of_date"]
    assert listed[modules[2].pk]["lock"]["user"] == "modeler"
    assert listed[modules[3].pk]["last_run"]["result"] is None
    assert listed[module.pk]["last_modified"].endswith("Z")


def test_rows_follow_the_time_zone_as_the_module_resource_does(clients: dict[str, APIClient], module: Module,
                                                               users: dict[str, User], project: Project,
                                                               settings: Any) -> None:
    modules = _varied_modules(module, users, project)
    settings.TIME_ZONE = "Asia/Kolkata"
    listed = _listed(clients["viewer"])
    for m in modules:
        assert listed[m.pk] == _detail(clients["viewer"], m.pk), m.name
    assert listed[module.pk]["created_at"].endswith("+05:30")
    assert listed[module.pk]["last_run"]["started_at"].endswith("+05:30")


def test_a_lapsed_lock_or_one_on_an_unlisted_module_is_not_shown(clients: dict[str, APIClient], module: Module,
                                                                 users: dict[str, User],
                                                                 other_project: Project) -> None:
    produced = output_of(record_run(module))
    Dataset.objects.filter(pk=produced.pk).update(project=other_project)  # a module binds its project's datasets
    hidden = module_reading("Elsewhere", produced, users["admin"], other_project)
    long_ago = timezone.now() - timedelta(hours=1)
    EditLock.objects.create(kind="module", object_id=module.pk, user=users["modeler"], since=long_ago,
                            renewed_at=long_ago)
    EditLock.objects.create(kind="module", object_id=hidden.pk, user=users["admin"], since=timezone.now(),
                            renewed_at=timezone.now())
    listed = _listed(clients["viewer"])
    assert set(listed) == {module.pk}
    assert listed[module.pk]["lock"] is None


def test_json_values_orjson_cannot_read_are_still_listed(clients: dict[str, APIClient], module: Module) -> None:
    Module.objects.filter(pk=module.pk).update(keep_internal={"datasets": [], "parameters": [], "n": 2**70 + 1})
    row = _listed(clients["viewer"])[module.pk]
    assert row["keep_internal"]["n"] == 2**70 + 1
