"""Removing modules: who may, the removal plan, outputs nothing else uses, history removed too."""

import asyncio
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from channels.layers import DEFAULT_CHANNEL_LAYER, channel_layers
from rest_framework.test import APIClient

from apps.accounts.models import Project, User
from apps.accounts.roles import Role
from apps.accounts.services import membership_set, user_create
from apps.datasets.models import Dataset
from apps.live import events as live
from apps.locks.models import EditLock
from apps.locks.services import lock_take
from apps.modules.models import Module
from apps.modules.services import module_create
from apps.runs.models import Run, RunLog
from tests.conftest import assert_permission_matrix
from tests.modules.status_helpers import (
    INPUT,
    OUTPUT,
    module_reading,
    output_of,
    record_run,
    seed_demo,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(project: Project, users: dict[str, User]) -> dict[str, Any]:
    """The demo module with two runs (outputs old and new); "Reader" reads the old output."""
    module = seed_demo(project, users["modeler"])
    old, new = output_of(record_run(module)), output_of(record_run(module))
    reader = module_reading("Reader", old, users["modeler"], project)
    return {"module": module, "old": old, "new": new, "reader": reader}


def _url(module: Module, query: str = "") -> str:
    return f"/api/modules/{module.pk}{query}"


def _plan(client: APIClient, module: Module) -> dict[str, Any]:
    response = client.get(f"/api/modules/{module.pk}/removal-plan")
    assert response.status_code == 200, response.content
    return response.json()  # type: ignore[no-any-return]


def test_removal_plan_lists_outputs_and_who_uses_them(clients: dict[str, APIClient], setup: dict[str, Any]) -> None:
    response = assert_permission_matrix(clients, "GET", f"/api/modules/{setup['module'].pk}/removal-plan",
                                        allowed={"viewer", "modeler", "admin"})
    plan = response.json()
    assert plan["allowed"] is False  # a viewer may look, not remove
    plan = _plan(clients["modeler"], setup["module"])
    assert plan["allowed"] is True and "reason" not in plan
    by_name = {o["name"]: o for o in plan["outputs"]}
    assert by_name[setup["old"].name] == {"dataset": setup["old"].pk, "name": setup["old"].name,
                                          "removable": False, "used_by": ["Reader"], "reason": "Used by Reader."}
    assert by_name[setup["new"].name] == {"dataset": setup["new"].pk, "name": setup["new"].name,
                                          "removable": True, "used_by": []}


def test_remove_with_outputs_removes_only_unused_ones_and_the_history(
        clients: dict[str, APIClient], setup: dict[str, Any]) -> None:
    module = setup["module"]
    response = assert_permission_matrix(clients, "DELETE", _url(module, "?remove_outputs=true"),
                                        allowed={"modeler", "admin"}, ok_status=204)
    assert response.content == b""
    assert not Module.objects.filter(pk=module.pk).exists()
    assert not Run.objects.filter(module_id=module.pk).exists()
    assert not RunLog.objects.filter(run__module_id=module.pk).exists()
    assert Dataset.objects.get(pk=setup["new"].pk).removed_at is not None
    assert Dataset.objects.get(pk=setup["old"].pk).removed_at is None
    assert clients["modeler"].get(_url(module)).status_code == 404


@pytest.mark.parametrize("query", ["", "?remove_outputs=false"])
def test_remove_without_outputs_keeps_them(clients: dict[str, APIClient], setup: dict[str, Any], query: str) -> None:
    assert clients["modeler"].delete(_url(setup["module"], query)).status_code == 204
    assert Dataset.objects.filter(pk__in=[setup["old"].pk, setup["new"].pk], removed_at__isnull=True).count() == 2


@pytest.mark.parametrize("query", ["?remove_outputs=yes", "?remove_outputs=", "?remove_output=true"])
def test_a_bad_query_removes_nothing(clients: dict[str, APIClient], setup: dict[str, Any], query: str) -> None:
    response = clients["modeler"].delete(_url(setup["module"], query))
    assert (response.status_code, response.json()["code"]) == (400, "invalid")
    assert Module.objects.filter(pk=setup["module"].pk).exists()
    assert not Dataset.objects.filter(removed_at__isnull=False).exists()


def test_another_modeler_may_not_remove_it_but_an_admin_may(clients: dict[str, APIClient], setup: dict[str, Any],
                                                            project: Project) -> None:
    other = user_create(username="modeler2", password="pw", role=Role.MODELER)
    membership_set(project=project, user=other, role=Role.MODELER)
    client = APIClient()
    client.force_login(other)
    plan = _plan(client, setup["module"])
    assert (plan["allowed"], plan["reason"]) == (False, "Only its creator or an Admin may remove this module.")
    refused = client.delete(_url(setup["module"], "?remove_outputs=true"))
    assert (refused.status_code, refused.json()["code"]) == (403, "forbidden")
    assert Module.objects.filter(pk=setup["module"].pk).exists()
    assert clients["admin"].delete(_url(setup["module"])).status_code == 204


def test_a_final_module_only_an_admin_removes(clients: dict[str, APIClient], setup: dict[str, Any]) -> None:
    Module.objects.filter(pk=setup["module"].pk).update(is_final=True)
    assert clients["modeler"].delete(_url(setup["module"])).status_code == 403
    assert _plan(clients["admin"], setup["module"])["allowed"] is True
    assert clients["admin"].delete(_url(setup["module"], "?remove_outputs=true")).status_code == 204
    assert Dataset.objects.get(pk=setup["new"].pk).removed_at is not None


def test_outputs_another_module_replaces_are_kept(clients: dict[str, APIClient], setup: dict[str, Any],
                                                  users: dict[str, User], project: Project) -> None:
    demo = setup["module"]
    module_create(name="Replacer", type_version=demo.type_version, project=project, creator=users["modeler"],
                  dataset_bindings={INPUT: {"dataset": setup["old"].pk, "version": 0},
                                    OUTPUT: {"output_method": "REPLACE", "dataset": setup["new"].pk}},
                  parameter_bindings={"increase_factor": "1"})
    Module.objects.filter(name="Reader").delete()
    outputs = {o["dataset"]: o for o in _plan(clients["modeler"], demo)["outputs"]}
    assert outputs[setup["new"].pk]["used_by"] == ["Replacer"]
    assert outputs[setup["old"].pk]["used_by"] == ["Replacer"]  # its input
    assert clients["modeler"].delete(_url(demo, "?remove_outputs=true")).status_code == 204
    assert not Dataset.objects.filter(removed_at__isnull=False).exists()


def test_a_modeler_does_not_remove_outputs_someone_else_created(clients: dict[str, APIClient], setup: dict[str, Any],
                                                                users: dict[str, User]) -> None:
    Dataset.objects.filter(pk=setup["new"].pk).update(creator=users["admin"])
    outputs = {o["dataset"]: o for o in _plan(clients["modeler"], setup["module"])["outputs"]}
    assert outputs[setup["new"].pk]["removable"] is False
    assert clients["modeler"].delete(_url(setup["module"], "?remove_outputs=true")).status_code == 204
    assert Dataset.objects.get(pk=setup["new"].pk).removed_at is None


def test_a_running_module_cannot_be_removed(clients: dict[str, APIClient], setup: dict[str, Any]) -> None:
    record_run(setup["module"], result="")
    assert _plan(clients["admin"], setup["module"])["allowed"] is False
    response = clients["admin"].delete(_url(setup["module"]))
    assert (response.status_code, response.json()["code"]) == (409, "module_running")
    assert Module.objects.filter(pk=setup["module"].pk).exists()


def test_someone_elses_lock_stops_a_modeler_not_an_admin(clients: dict[str, APIClient], setup: dict[str, Any],
                                                         users: dict[str, User]) -> None:
    lock_take(kind="module", object_id=setup["module"].pk, user=users["admin"])
    response = clients["modeler"].delete(_url(setup["module"]))
    assert (response.status_code, response.json()["code"]) == (409, "locked")
    lock_take(kind="module", object_id=setup["module"].pk, user=users["admin"])
    assert clients["admin"].delete(_url(setup["module"])).status_code == 204
    assert not EditLock.objects.exists()


def test_wrong_methods_are_405(clients: dict[str, APIClient], setup: dict[str, Any]) -> None:
    assert clients["modeler"].put(_url(setup["module"]), {}, format="json").status_code == 405
    assert clients["modeler"].post(f"/api/modules/{setup['module'].pk}/removal-plan").status_code == 405


@pytest.mark.django_db(transaction=True)
def test_removal_is_announced_on_modules(clients: dict[str, APIClient], setup: dict[str, Any]) -> None:
    layer = channel_layers.make_backend(DEFAULT_CHANNEL_LAYER)  # its own instance: the shared one stays clean

    async def subscribe() -> str:
        channel: str = await layer.new_channel()
        await layer.group_add(live.group_name(live.modules_topic(setup["module"].project_id)), channel)
        return channel

    async def until_removed(channel: str) -> dict[str, Any]:
        while True:
            message = await asyncio.wait_for(layer.receive(channel), timeout=5)
            if message["event"]["type"] == "module_removed":
                return message["event"]  # type: ignore[no-any-return]

    channel = async_to_sync(subscribe)()
    assert clients["modeler"].delete(_url(setup["module"])).status_code == 204
    event = async_to_sync(until_removed)(channel)
    assert (event["topic"], event["data"]) == (f"modules:{setup['module'].project_id}", {"module": setup["module"].pk})


def test_a_dataset_the_module_updated_in_place_inout_is_never_offered_for_removal(
        clients: dict[str, APIClient], setup: dict[str, Any]) -> None:
    module, updated = setup["module"], setup["new"]
    run = module.runs.order_by("-pk").first()
    run.datasets = [{**row, "mode": "INOUT"} if row.get("dataset") == updated.pk else row for row in run.datasets]
    run.save(update_fields=["datasets"])
    assert updated.name not in {o["name"] for o in _plan(clients["modeler"], module)["outputs"]}
    assert clients["modeler"].delete(_url(module, "?remove_outputs=true")).status_code == 204
    assert Dataset.objects.get(pk=updated.pk).removed_at is None
