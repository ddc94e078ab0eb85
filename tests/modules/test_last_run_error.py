"""A failed run says why in the Module Manager (issue 14): a module's `last_run` (its row in the list
and its own resource) carries the run's error, with its line and column; a successful run has none."""

import pytest
from rest_framework.test import APIClient

from apps.accounts.models import Project, User
from apps.modules.models import Module
from tests.modules.status_helpers import record_run, seed_demo

pytestmark = pytest.mark.django_db

ERROR = {"message": "division by zero", "line": 4, "column": 12, "sqlstate": "22012"}


@pytest.fixture
def module(project: Project, users: dict[str, User]) -> Module:
    return seed_demo(project, users["modeler"])


def test_the_list_row_and_the_module_carry_the_failed_runs_error(clients: dict[str, APIClient],
                                                                 module: Module) -> None:
    run = record_run(module, result="FAILED")
    run.error = ERROR
    run.save(update_fields=["error"])
    row = next(m for m in clients["viewer"].get("/api/modules/").json() if m["id"] == module.pk)
    assert row["last_run"]["result"] == "FAILED"
    assert row["last_run"]["error"] == ERROR
    assert clients["viewer"].get(f"/api/modules/{module.pk}").json()["last_run"]["error"] == ERROR


def test_a_successful_run_has_no_error(clients: dict[str, APIClient], module: Module) -> None:
    record_run(module)
    row = next(m for m in clients["viewer"].get("/api/modules/").json() if m["id"] == module.pk)
    assert row["last_run"]["result"] == "SUCCESS" and row["last_run"]["error"] is None
