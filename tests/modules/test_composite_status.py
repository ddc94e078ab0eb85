"""A composite module's status follows the type versions of its submodules, at any depth."""

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.accounts.models import Project, User
from apps.modules.models import Module
from apps.modules.selectors import affected_module_ids
from apps.moduletypes.models import ModuleTypeVersion
from apps.moduletypes.services import version_update
from apps.runs.models import Run
from tests.modules.status_helpers import status_of
from tests.runs.builders import composite, module, simple

pytestmark = pytest.mark.django_db


def _nested(project: Project, owner: User) -> tuple[ModuleTypeVersion, Module]:
    """outer ⊃ inner ⊃ leaf; a module of outer that has just run successfully."""
    leaf = simple("Leaf", "NULL;", [], project=project, owner=owner)
    inner = composite("Inner", [(1, "leaf", leaf)], [], [], project=project, owner=owner)
    outer = composite("Outer", [(1, "inner", inner)], [], [], project=project, owner=owner)
    target = module("Nested", outer, project=project, owner=owner)
    started = timezone.now()
    Run.objects.create(module=target, run_number=1, user=owner, type_version=outer, started_at=started,
                       ended_at=started + timedelta(milliseconds=5), result="SUCCESS", stage="COMPLETED", datasets=[])
    return leaf, target


def test_saving_a_nested_submodule_version_makes_the_composite_module_out_of_date(
        project: Project, users: dict[str, User]) -> None:
    leaf, target = _nested(project, users["modeler"])
    assert status_of(target) == ("UpToDate", [])
    version_update(version=leaf, fields={"algorithm": "PERFORM 1;"}, note="changed", author=users["modeler"],
                   confirm_dependents=True)
    status, codes = status_of(target)
    assert (status, codes) == ("OutOfDate", ["type_version_modified"])
    assert target.pk in affected_module_ids(type_version_ids=[leaf.pk])  # so the change is pushed live
