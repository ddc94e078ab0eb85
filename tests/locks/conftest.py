from typing import Any

import pytest
from rest_framework.test import APIClient

from apps.accounts.models import Project, User
from apps.accounts.roles import Role
from apps.accounts.services import membership_set, user_create
from apps.datasets.demo import seed_demo_datasets
from apps.modules.demo import seed_demo_modules
from apps.modules.models import Module
from apps.moduletypes.models import ModuleType


@pytest.fixture
def demo(project: Project, users: dict[str, User]) -> dict[str, Any]:
    seed_demo_datasets(project=project, owner=users["modeler"])
    seed_demo_modules(project=project, owner=users["modeler"])
    return {"module": Module.objects.get(name="Emission Factors +15%"),
            "module_type": ModuleType.objects.get(name="Scale Emission Factors")}


@pytest.fixture
def second_modeler(project: Project, users: dict[str, User]) -> APIClient:
    user = user_create(username="modeler2", password="pw", full_name="Max Modeler", role=Role.MODELER)
    membership_set(project=project, user=user, role=Role.MODELER)
    client = APIClient()
    client.force_login(user)
    return client
