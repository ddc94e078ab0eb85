"""Presence and lock events over the real channels_redis layer, with two WebSocket clients."""

from typing import Any

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator

from apps.accounts.models import User
from apps.live import presence
from apps.live.presence import viewers
from apps.locks.selectors import active_lock
from apps.locks.services import lock_release, lock_take
from tests.ws import connect

pytestmark = pytest.mark.django_db(transaction=True)
async def _send(communicator: WebsocketCommunicator, action: str, topic: str) -> dict[str, Any]:
    await communicator.send_json_to({"action": action, "topic": topic})
    return await communicator.receive_json_from(timeout=3)  # type: ignore[no-any-return]


async def _next_presence(communicator: WebsocketCommunicator) -> list[str]:
    event = await communicator.receive_json_from(timeout=3)
    assert event["type"] == "presence", event
    return [viewer["user"] for viewer in event["data"]["viewers"]]


@pytest.mark.parametrize("kind", ["module", "module-type"])
async def test_two_viewers_see_each_other_arrive_and_leave(users: dict[str, User], demo: dict[str, Any],
                                                           kind: str) -> None:
    obj = demo["module" if kind == "module" else "module_type"]
    topic = f"presence:{kind}:{obj.pk}"
    modeler, viewer = await connect(users["modeler"]), await connect(users["viewer"])

    assert (await _send(modeler, "subscribe", topic))["type"] == "subscribed"
    assert await _next_presence(modeler) == ["modeler"]

    assert (await _send(viewer, "subscribe", topic))["type"] == "subscribed"
    assert await _next_presence(viewer) == ["modeler", "viewer"]
    assert await _next_presence(modeler) == ["modeler", "viewer"]
    first = (await database_sync_to_async(viewers)(topic=topic))[0]
    assert (first["user"], first["user_name"]) == ("modeler", "Mo Modeler") and first["since"]

    assert (await _send(viewer, "unsubscribe", topic))["type"] == "unsubscribed"
    assert await _next_presence(modeler) == ["modeler"]

    await _send(viewer, "subscribe", topic)
    assert await _next_presence(modeler) == ["modeler", "viewer"]
    await viewer.disconnect()
    assert await _next_presence(modeler) == ["modeler"]
    await modeler.disconnect()
    assert await database_sync_to_async(viewers)(topic=topic) == []


async def test_presence_follows_the_objects_authorization(users: dict[str, User], demo: dict[str, Any]) -> None:
    stranger = await connect(users["stranger"])
    for topic in (f"presence:module:{demo['module'].pk}", f"presence:module-type:{demo['module_type'].pk}",
                  f"module-type:{demo['module_type'].pk}"):
        reply = await _send(stranger, "subscribe", topic)
        assert (reply["type"], reply["code"]) == ("subscribe_error", "forbidden"), topic
    for topic in ("presence:run:1", "presence:module:999999", "presence:modules", "presence"):
        reply = await _send(stranger, "subscribe", topic)
        assert reply["type"] == "subscribe_error", topic
    await stranger.disconnect()
    assert await database_sync_to_async(viewers)(topic=f"presence:module:{demo['module'].pk}") == []


async def test_one_user_in_two_tabs_counts_once(users: dict[str, User], demo: dict[str, Any]) -> None:
    topic = f"presence:module:{demo['module'].pk}"
    tab1, tab2 = await connect(users["modeler"]), await connect(users["modeler"])
    await _send(tab1, "subscribe", topic)
    assert await _next_presence(tab1) == ["modeler"]
    await _send(tab2, "subscribe", topic)
    assert await _next_presence(tab2) == ["modeler"]
    await tab1.disconnect()
    assert await _next_presence(tab2) == ["modeler"]  # still there in the other tab
    await tab2.disconnect()


@pytest.mark.parametrize("kind", ["module", "module-type"])
async def test_lock_taken_and_broken_reach_followers_of_the_object(users: dict[str, User], demo: dict[str, Any],
                                                                   kind: str) -> None:
    obj = demo["module" if kind == "module" else "module_type"]
    key = "module" if kind == "module" else "module_type"
    watcher = await connect(users["viewer"])
    assert (await _send(watcher, "subscribe", f"{kind}:{obj.pk}"))["type"] == "subscribed"

    await database_sync_to_async(lock_take)(kind=kind, object_id=obj.pk, user=users["modeler"])
    event = await watcher.receive_json_from(timeout=3)
    assert (event["type"], event["data"][key], event["data"]["lock"]["user"]) == ("lock", obj.pk, "modeler")

    await database_sync_to_async(lock_take)(kind=kind, object_id=obj.pk, user=users["modeler"])  # a renewal
    assert await watcher.receive_nothing(timeout=0.3)

    await database_sync_to_async(lock_release)(kind=kind, object_id=obj.pk, user=users["admin"])
    event = await watcher.receive_json_from(timeout=3)
    assert (event["type"], event["data"]) == ("lock", {key: obj.pk, "lock": None})
    await watcher.disconnect()


@pytest.mark.parametrize("kind", ["module", "module-type"])
async def test_leaving_or_closing_the_socket_releases_the_users_lock(users: dict[str, User], demo: dict[str, Any],
                                                                     kind: str) -> None:
    """Opening is not editing; but a lock taken while looking at an object goes when the user's last
    connection stops looking at it (page left, socket closed), not five minutes later."""
    obj = demo["module" if kind == "module" else "module_type"]
    key = "module" if kind == "module" else "module_type"
    presence_topic = f"presence:{kind}:{obj.pk}"
    watcher = await connect(users["viewer"])
    assert (await _send(watcher, "subscribe", f"{kind}:{obj.pk}"))["type"] == "subscribed"
    tab1, tab2 = await connect(users["modeler"]), await connect(users["modeler"])
    for tab in (tab1, tab2):
        await _send(tab, "subscribe", presence_topic)
        await _next_presence(tab)
    await database_sync_to_async(lock_take)(kind=kind, object_id=obj.pk, user=users["modeler"])
    assert (await watcher.receive_json_from(timeout=3))["data"]["lock"]["user"] == "modeler"

    await tab1.disconnect()  # the other tab still has it open: the lock stays
    assert await watcher.receive_nothing(timeout=0.3)
    assert await database_sync_to_async(active_lock)(kind=kind, object_id=obj.pk) is not None

    await tab2.disconnect()
    event = await watcher.receive_json_from(timeout=3)
    assert (event["type"], event["data"]) == ("lock", {key: obj.pk, "lock": None})
    assert await database_sync_to_async(active_lock)(kind=kind, object_id=obj.pk) is None
    assert await database_sync_to_async(viewers)(topic=presence_topic) == []

    # Someone else's lock is not theirs to release: the viewer leaving changes nothing.
    await database_sync_to_async(lock_take)(kind=kind, object_id=obj.pk, user=users["modeler"])
    await watcher.receive_json_from(timeout=3)
    await _send(watcher, "subscribe", presence_topic)
    await _next_presence(watcher)
    assert (await _send(watcher, "unsubscribe", presence_topic))["type"] == "unsubscribed"
    assert await database_sync_to_async(active_lock)(kind=kind, object_id=obj.pk) is not None
    await watcher.disconnect()


async def test_viewers_of_a_dead_web_process_are_cleared_by_the_live_ones(
        users: dict[str, User], demo: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    """A web process that dies runs no disconnect: its connections stop beating, and a live viewer's
    heartbeat clears them out (and the lock of a user who is gone with them) within seconds."""
    monkeypatch.setattr(presence, "PRESENCE_HEARTBEAT_SECONDS", 0.1)
    monkeypatch.setattr(presence, "PRESENCE_STALE_SECONDS", 0.6)
    module = demo["module"]
    topic = f"presence:module:{module.pk}"
    live = await connect(users["modeler"])
    await _send(live, "subscribe", topic)
    assert await _next_presence(live) == ["modeler"]

    # The admin's tab on a process that then died: present, holding the lock, never beating again.
    await database_sync_to_async(presence.presence_join)(topic=topic, channel="specific.dead!1", user=users["admin"])
    assert await _next_presence(live) == ["modeler", "admin"]
    await database_sync_to_async(lock_take)(kind="module", object_id=module.pk, user=users["admin"])

    assert await _next_presence(live) == ["modeler"]  # within PRESENCE_STALE_SECONDS and a beat
    assert await database_sync_to_async(active_lock)(kind="module", object_id=module.pk) is None
    assert [v["user"] for v in await database_sync_to_async(viewers)(topic=topic)] == ["modeler"]
    await live.disconnect()
