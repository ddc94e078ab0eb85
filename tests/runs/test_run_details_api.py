"""GET /api/runs/{id} names the module type version by its type's name and number (issue 14 #6), not
only by its database id."""

import pytest
from rest_framework.test import APIClient

from apps.accounts.models import Project, User
from tests.modules.status_helpers import record_run, seed_demo

pytestmark = pytest.mark.django_db


def test_the_run_names_its_type_version(clients: dict[str, APIClient], project: Project,
                                        users: dict[str, User]) -> None:
    module = seed_demo(project, users["modeler"])
    run = record_run(module)
    body = clients["viewer"].get(f"/api/runs/{run.pk}").json()
    version = module.type_version
    assert body["type_version"] == version.pk
    assert body["module_type"] == version.module_type_id
    assert body["module_type_name"] == "Scale Emission Factors"
    assert body["type_version_number"] == version.number == 0
    assert body["type_version_name"] == version.name
    assert clients["stranger"].get(f"/api/runs/{run.pk}").status_code == 404
