"""Live status over a real WebSocket (channels_redis) with a real Celery worker running the module."""

import io
import time
from typing import Any

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from rest_framework.test import APIClient

from apps.accounts.models import Project, User
from apps.modules.models import Module
from apps.modules.services import module_update
from apps.modules.status_refresh import status_refresh
from tests.modules.status_helpers import CSV, INPUT, seed_demo, source
from tests.runs.conftest import worker  # noqa: F401  (a real Celery worker thread)
from tests.ws import connect, listen

pytestmark = pytest.mark.django_db(transaction=True)
async def _status_event(communicator: WebsocketCommunicator, topic: str, status: str,
                        timeout: float = 30) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        event = await communicator.receive_json_from(timeout=max(0.1, deadline - time.monotonic()))
        if event["topic"] == topic and event["type"] == "status" and event["data"]["status"] == status:
            return event  # type: ignore[no-any-return]
    raise AssertionError(f"no {status} status event on {topic}")


def _module_bound_to_latest(project: Project, owner: User) -> Module:
    module = seed_demo(project, owner)
    bindings = {**module.dataset_bindings, INPUT: {"dataset": source().pk, "version": None}}
    return module_update(module=module, fields={"dataset_bindings": bindings})


def _client(user: User) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


@pytest.mark.usefixtures("worker")
async def test_a_run_then_a_new_input_version_push_status_events(users: dict[str, User], project: Project) -> None:
    module = await database_sync_to_async(_module_bound_to_latest)(project, users["modeler"])
    listener = await listen(users["viewer"], f"modules:{project.pk}", f"module:{module.pk}")
    modeler = await database_sync_to_async(_client)(users["modeler"])
    response = await database_sync_to_async(modeler.post)(f"/api/modules/{module.pk}/run", {"mode": "run"},
                                                          format="json")
    assert response.status_code == 202, response.content

    running = await _status_event(listener, f"modules:{project.pk}", "OutOfDate")
    assert running["data"]["reasons"][0]["code"] == "running"
    up = await _status_event(listener, f"modules:{project.pk}", "UpToDate")
    assert up["data"] == {"module": module.pk, "status": "UpToDate", "reasons": []}
    assert (await _status_event(listener, f"module:{module.pk}", "UpToDate"))["data"]["module"] == module.pk

    csv = io.BytesIO(CSV.encode())
    csv.name = "new.csv"
    dataset = await database_sync_to_async(source)()
    response = await database_sync_to_async(modeler.post)(f"/api/datasets/{dataset.pk}/import", {"file": csv},
                                                          format="multipart")
    assert response.status_code == 201, response.content
    # A new version, final or not, is what a binding without version reads next: OutOfDate at once.
    stale = await _status_event(listener, f"modules:{project.pk}", "OutOfDate", timeout=5)
    assert stale["data"]["reasons"] == [{"code": "input_modified", "message":
                                         f'Input {INPUT}: a newer version (1) of "Emission Factors 2016" '
                                         "is available; the last run read version 0."}]
    assert (await _status_event(listener, f"module:{module.pk}", "OutOfDate", timeout=5))["data"] == stale["data"]
    response = await database_sync_to_async(modeler.post)(f"/api/datasets/{dataset.pk}/versions/1/finalize")
    assert response.status_code == 200, response.content
    assert await listener.receive_nothing(timeout=0.5)  # finalizing changes no data, nor the status
    fetched = (await database_sync_to_async(modeler.get)(f"/api/modules/{module.pk}/status")).json()
    assert fetched == {"status": stale["data"]["status"], "reasons": stale["data"]["reasons"]}
    await listener.disconnect()


async def test_an_unchanged_status_is_not_published_again(users: dict[str, User], project: Project) -> None:
    module = await database_sync_to_async(seed_demo)(project, users["modeler"])
    listener = await listen(users["viewer"], f"modules:{project.pk}")
    assert await database_sync_to_async(status_refresh)(module_ids=[module.pk]) == []  # published at creation
    module_update_sync = database_sync_to_async(module_update)
    await module_update_sync(module=module, fields={"description": "still never run"})
    assert await listener.receive_nothing(timeout=0.5)
    await listener.disconnect()


async def test_strangers_cannot_follow_a_module(users: dict[str, User], project: Project) -> None:
    module = await database_sync_to_async(seed_demo)(project, users["modeler"])
    communicator = await connect(users["stranger"])
    await communicator.send_json_to({"action": "subscribe", "topic": f"module:{module.pk}"})
    reply = await communicator.receive_json_from(timeout=3)
    assert (reply["type"], reply["code"]) == ("subscribe_error", "forbidden")
    await communicator.disconnect()
