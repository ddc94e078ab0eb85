"""The live layer's project boundaries (issue 10): module list events (status reasons name datasets
and types) reach only the members of the module's project, on `modules:<project id>`; a version's
save is announced on its module type's topic, without its dependents (other projects' modules)."""

import asyncio
from typing import Any

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator

from apps.accounts.models import Project, User
from apps.modules.models import Module
from apps.modules.status_refresh import status_refresh
from apps.moduletypes.services import version_update
from tests.modules.status_helpers import seed_demo
from tests.ws import connect

pytestmark = pytest.mark.django_db(transaction=True)


def modules_topic(project_id: int) -> str:
    return f"modules:{project_id}"


async def _subscribe(communicator: WebsocketCommunicator, topic: str) -> dict[str, Any]:
    await communicator.send_json_to({"action": "subscribe", "topic": topic})
    return await communicator.receive_json_from(timeout=3)  # type: ignore[no-any-return]


async def _drain(communicator: WebsocketCommunicator, seconds: float = 1.0) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = []
    deadline = asyncio.get_running_loop().time() + seconds
    while True:
        left = deadline - asyncio.get_running_loop().time()
        if left <= 0 or await communicator.receive_nothing(timeout=min(left, 0.2)):
            if left <= 0:
                return events
            continue
        events.append(await communicator.receive_json_from())


def _never_run_status(module: Module) -> None:
    Module.objects.filter(pk=module.pk).update(status_cache={})
    status_refresh(module_ids=[module.pk])


async def test_the_global_modules_topic_is_gone_and_a_project_topic_is_for_members(
        users: dict[str, User], project: Project, other_project: Project) -> None:
    stranger = await connect(users["stranger"])
    assert (await _subscribe(stranger, "modules"))["type"] == "subscribe_error"
    refused = await _subscribe(stranger, modules_topic(project.pk))
    assert (refused["type"], refused["code"]) == ("subscribe_error", "forbidden")
    assert (await _subscribe(stranger, modules_topic(other_project.pk)))["type"] == "subscribed"
    viewer = await connect(users["viewer"])
    assert (await _subscribe(viewer, modules_topic(project.pk)))["type"] == "subscribed"
    await stranger.disconnect()
    await viewer.disconnect()


async def test_status_events_reach_only_the_modules_project(users: dict[str, User], project: Project,
                                                            other_project: Project) -> None:
    module = await database_sync_to_async(seed_demo)(project, users["modeler"])
    stranger = await connect(users["stranger"])
    await _subscribe(stranger, "modules")  # refused now; before, any logged-in user could follow it
    await _subscribe(stranger, modules_topic(other_project.pk))
    viewer = await connect(users["viewer"])
    await _subscribe(viewer, modules_topic(project.pk))
    await database_sync_to_async(_never_run_status)(module)
    seen = await _drain(viewer)
    assert any(e["type"] == "status" and e["data"]["module"] == module.pk for e in seen), seen
    assert await _drain(stranger) == []
    await stranger.disconnect()
    await viewer.disconnect()


async def test_a_version_save_is_announced_to_the_types_project_only(users: dict[str, User], project: Project,
                                                                     other_project: Project) -> None:
    module = await database_sync_to_async(seed_demo)(project, users["modeler"])
    version = await database_sync_to_async(lambda: module.type_version)()
    stranger = await connect(users["stranger"])
    await _subscribe(stranger, "modules")
    await _subscribe(stranger, modules_topic(other_project.pk))
    viewer = await connect(users["viewer"])
    await _subscribe(viewer, f"module-type:{version.module_type_id}")
    await database_sync_to_async(version_update)(version=version, fields={"description": "new"}, note="n",
                                                 author=users["modeler"], confirm_dependents=True)
    seen = await _drain(viewer)
    changed = [e for e in seen if e["type"] == "type_version_changed"]
    assert [e["data"] for e in changed] == [{"version": version.pk}], seen
    assert await _drain(stranger) == []
    await stranger.disconnect()
    await viewer.disconnect()
