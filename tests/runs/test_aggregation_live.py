"""Aggregation modules on the live layer (docs/aggregation.md §5): a WebSocket subscriber of module:<id>
and modules:<project>, over the real Redis channel layer, sees `aggregation_changed` {module,
aggregation} after a run (process pending, the runs and rows) and after a process (nothing pending)."""

import time
from typing import Any

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator

from apps.accounts.models import Project, User
from apps.modules.aggregation_demo import module_name, seed_magda_example
from apps.modules.models import Module
from apps.runs.services import run_request
from tests.runs.builders import wait_for
from tests.ws import listen

pytestmark = pytest.mark.django_db(transaction=True)


async def _changes(communicator: WebsocketCommunicator, count: int, timeout: float = 60) -> list[dict[str, Any]]:
    """The next `count` aggregation_changed events (with their topic), other events skipped."""
    found: list[dict[str, Any]] = []
    deadline = time.monotonic() + timeout
    while len(found) < count:
        if time.monotonic() > deadline:
            raise AssertionError(f"{len(found)} aggregation_changed events in {timeout} s, wanted {count}")
        event = await communicator.receive_json_from(timeout=max(0.1, deadline - time.monotonic()))
        if event["type"] == "aggregation_changed":
            found.append(event)
    return found


def _magda(project: Project, owner: User) -> Module:
    seed_magda_example(project=project, owner=owner, example=1)
    return Module.objects.get(name=module_name(1))


def _go(module: Module, user: User, mode: str, parameters: dict[str, str] | None = None) -> str:
    run = wait_for(run_request(module=module, user=user, mode=mode, parameters=parameters).pk)
    return str(run.result)


async def test_aggregation_changed_after_a_run_and_after_a_process(worker: Any, project: Project,
                                                                   users: dict[str, User]) -> None:
    owner = users["modeler"]
    target = await database_sync_to_async(_magda)(project, owner)
    listener = await listen(users["viewer"], f"module:{target.pk}", f"modules:{project.pk}")

    assert await database_sync_to_async(_go)(target, owner, "run", {"request": "10"}) == "SUCCESS"
    after_run = await _changes(listener, 2)  # once on each topic
    assert sorted(e["topic"] for e in after_run) == sorted([f"module:{target.pk}", f"modules:{project.pk}"])
    for event in after_run:
        data = event["data"]
        assert data["module"] == target.pk
        summary = data["aggregation"]
        assert (summary["pending"], summary["runs"], summary["rows"]) == (True, 1, 1)
        [sub] = summary["submodules"]
        assert (sub["path"], sub["runs"], sub["rows"], sub["state_version"]) == ("agg_mod", 1, 1, 1)
        assert sub["last_process"] is None and sub["last_run"] is not None

    assert await database_sync_to_async(_go)(target, owner, "process") == "SUCCESS"
    after_process = await _changes(listener, 2)
    for event in after_process:
        summary = event["data"]["aggregation"]
        assert event["data"]["module"] == target.pk
        assert (summary["pending"], summary["runs"], summary["rows"]) == (False, 0, 0)
        [sub] = summary["submodules"]
        assert sub["state_version"] == 2 and sub["last_process"] is not None
    await listener.disconnect()
