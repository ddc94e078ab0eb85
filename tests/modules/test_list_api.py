"""GET /api/modules/: the fields of the contract, every filter, and a query count that does not grow."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from apps.accounts.models import Project, User
from apps.locks.models import EditLock
from apps.modules.models import Module
from apps.modules.services import module_update
from tests.modules.status_helpers import module_reading, output_of, record_run, seed_demo, source

pytestmark = pytest.mark.django_db


@pytest.fixture
def module(project: Project, users: dict[str, User]) -> Module:
    return seed_demo(project, users["modeler"])


def names(client: APIClient, query: str = "") -> list[str]:
    response = client.get(f"/api/modules/{query}")
    assert response.status_code == 200, response.content
    return [m["name"] for m in response.json()]


def test_a_listed_module_carries_status_last_run_type_and_lock(clients: dict[str, APIClient], module: Module,
                                                               users: dict[str, User]) -> None:
    run = record_run(module)
    EditLock.objects.create(kind="module", object_id=module.pk, user=users["modeler"], since=timezone.now(),
                            renewed_at=timezone.now())
    [row] = clients["viewer"].get("/api/modules/").json()
    assert row["status"] == "UpToDate" and row["reasons"] == []
    assert row["last_run"]["id"] == run.pk and row["last_run"]["result"] == "SUCCESS"
    assert row["last_run"]["number"] == 1
    assert (row["project_name"], row["creator"], row["creator_name"]) == ("Team Alpha", "modeler", "Mo Modeler")
    assert (row["type_id"], row["type_kind"], row["type_version_final"]) == (
        module.type_version.module_type_id, "simple", False)
    assert row["lock"]["user"] == "modeler" and row["lock"]["user_name"] == "Mo Modeler"
    assert {"keep_internal", "dataset_bindings", "parameter_bindings", "revision"} <= set(row)


def test_never_run_modules_say_so(clients: dict[str, APIClient], module: Module) -> None:
    [row] = clients["viewer"].get("/api/modules/").json()
    assert (row["status"], row["last_run"], row["lock"]) == ("OutOfDate", None, None)
    assert row["reasons"] == [{"code": "never_run", "message": "The module has never run."}]


def test_filters(clients: dict[str, APIClient], module: Module, users: dict[str, User], project: Project,
                 other_project: Project) -> None:
    record_run(module)
    other = module_reading("Other reader", source(), users["admin"], project)
    module_update(module=other, fields={"tags": ["scenario"], "description": "An ALTERNATIVE path"})
    Module.objects.filter(pk=other.pk).update(last_modified=timezone.now() - timedelta(days=10), is_final=True)
    EditLock.objects.create(kind="module", object_id=other.pk, user=users["admin"], since=timezone.now(),
                            renewed_at=timezone.now())
    c = clients["modeler"]
    both = ["Emission Factors +15%", "Other reader"]
    assert names(c) == both
    assert names(c, "?search=alternative") == ["Other reader"]
    assert names(c, "?search=+15") == ["Emission Factors +15%"]
    assert names(c, "?composite=false") == both and names(c, "?composite=true") == []
    assert names(c, "?final=true") == ["Other reader"] and names(c, "?final=false") == ["Emission Factors +15%"]
    assert names(c, "?tag=scenario") == ["Other reader"]
    assert names(c, f"?project={project.pk}") == both and names(c, f"?project={other_project.pk}") == []
    assert names(c, f"?module_type={module.type_version.module_type_id}") == both
    assert names(c, f"?type_version={module.type_version_id}&creator=admin") == ["Other reader"]
    assert names(c, "?status=UpToDate") == ["Emission Factors +15%"]
    assert names(c, "?status=OutOfDate") == ["Other reader"]
    assert names(c, "?lock_owner=admin") == ["Other reader"] and names(c, "?lock_owner=modeler") == []
    day = (timezone.now() - timedelta(days=5)).isoformat()
    assert names(c, f"?modified_before={day.replace('+', '%2B')}") == ["Other reader"]
    assert names(c, f"?modified_after={day.replace('+', '%2B')}&search=emission") == ["Emission Factors +15%"]


@pytest.mark.parametrize("query", ["status=Maybe", "modified_after=yesterday", "project=abc", "final=perhaps"])
def test_a_bad_filter_is_a_400_naming_it(clients: dict[str, APIClient], module: Module, query: str) -> None:
    response = clients["viewer"].get(f"/api/modules/?{query}")
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == "invalid_filter" and query.split("=")[0] in body["details"]


def test_strangers_see_no_modules_of_projects_they_are_not_in(clients: dict[str, APIClient], module: Module) -> None:
    assert names(clients["stranger"]) == []
    assert clients["anonymous"].get("/api/modules/").status_code == 401


def test_listing_5_or_50_modules_takes_the_same_number_of_queries(clients: dict[str, APIClient], module: Module,
                                                                  users: dict[str, User], project: Project) -> None:
    produced = output_of(record_run(module))
    upstream = module_reading("Upstream", produced, users["modeler"], project)
    feeding = output_of(record_run(upstream))

    def queries_for(n: int) -> int:
        for i in range(Module.objects.count(), n):
            reader = module_reading(f"M{i:03}", feeding if i % 2 else produced, users["modeler"], project)
            if i % 3:
                record_run(reader)
        c = clients["viewer"]
        c.get("/api/modules/")  # warm the session and user lookups alike for both sizes
        with CaptureQueriesContext(connection) as queries:
            assert len(c.get("/api/modules/").json()) == n
        return len(queries)

    five, fifty = queries_for(5), queries_for(50)
    assert five == fifty, (five, fifty)
    assert five <= 11
