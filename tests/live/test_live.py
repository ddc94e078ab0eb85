"""The /ws/ endpoint over the real channels_redis layer (no in-memory layer)."""

import asyncio
import threading
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.db import transaction

from apps.accounts.models import Project, User
from apps.live import events as live
from tests.ws import connect

pytestmark = pytest.mark.django_db(transaction=True)


async def _subscribe(communicator: WebsocketCommunicator, topic: str) -> dict[str, Any]:
    await communicator.send_json_to({"action": "subscribe", "topic": topic})
    return await communicator.receive_json_from(timeout=3)  # type: ignore[no-any-return]


async def test_anonymous_connection_is_closed_with_4401() -> None:
    communicator = await connect(None)
    message = await communicator.receive_output(timeout=3)
    assert message == {"type": "websocket.close", "code": 4401}


async def test_subscribing_to_a_project_one_cannot_see_is_refused(users: dict[str, User], project: Project) -> None:
    communicator = await connect(users["stranger"])
    reply = await _subscribe(communicator, f"project:{project.pk}")
    assert reply["type"] == "subscribe_error"
    assert reply["code"] == "forbidden"
    await communicator.disconnect()


async def test_unknown_topic_kind_is_refused(users: dict[str, User]) -> None:
    communicator = await connect(users["viewer"])
    reply = await _subscribe(communicator, "secrets:1")
    assert (reply["type"], reply["code"]) == ("subscribe_error", "bad_topic")
    reply = await _subscribe(communicator, "project:1 OR 1=1")
    assert reply["code"] == "bad_topic"
    await communicator.send_json_to({"hello": "world"})
    reply = await communicator.receive_json_from(timeout=3)
    assert reply["code"] == "bad_request"
    await communicator.disconnect()


async def test_member_receives_events_with_increasing_seq(users: dict[str, User], project: Project) -> None:
    topic = f"project:{project.pk}"
    communicator = await connect(users["viewer"])
    reply = await _subscribe(communicator, topic)
    assert reply["type"] == "subscribed"
    start = reply["seq"]
    await database_sync_to_async(live.publish_now)(topic, "changed", {"n": 1})
    await database_sync_to_async(live.publish_now)(topic, "changed", {"n": 2})
    first = await communicator.receive_json_from(timeout=3)
    second = await communicator.receive_json_from(timeout=3)
    assert first == {"topic": topic, "seq": start + 1, "type": "changed", "data": {"n": 1}}
    assert second["seq"] == start + 2
    await communicator.disconnect()


async def test_a_batch_of_events_arrives_in_order_each_with_its_topics_next_seq(
    users: dict[str, User], project: Project
) -> None:
    topic = f"project:{project.pk}"
    communicator = await connect(users["viewer"])
    start = (await _subscribe(communicator, topic))["seq"]
    other = f"module:{project.pk}"  # not subscribed: numbered apart, never delivered here
    sent = await database_sync_to_async(live.publish_many)(
        [(topic, "changed", {"n": 1}), (other, "changed", {}), (topic, "changed", {"n": 2})])
    assert [e["seq"] for e in sent if e["topic"] == topic] == [start + 1, start + 2]
    first = await communicator.receive_json_from(timeout=3)
    second = await communicator.receive_json_from(timeout=3)
    assert [(e["seq"], e["data"]) for e in (first, second)] == [(start + 1, {"n": 1}), (start + 2, {"n": 2})]
    assert await communicator.receive_nothing(timeout=0.3)
    await communicator.disconnect()


def test_a_batch_with_a_control_type_sends_nothing(project: Project) -> None:
    topic = f"project:{project.pk}"
    before = live.current_seq(topic)
    with pytest.raises(ValueError, match="reserved"):
        live.publish_many([(topic, "changed", {}), (topic, "subscribed", {})])
    assert live.current_seq(topic) == before


async def test_event_inside_a_transaction_arrives_only_after_commit(users: dict[str, User], project: Project) -> None:
    topic = f"project:{project.pk}"
    communicator = await connect(users["modeler"])
    await _subscribe(communicator, topic)

    def publish_then_wait_then_commit() -> bool:
        with transaction.atomic():
            live.publish_on_commit(topic, "saved", {"ok": True})
            nothing_before_commit = async_to_sync(communicator.receive_nothing)(timeout=0.5)
        return bool(nothing_before_commit)

    assert await database_sync_to_async(publish_then_wait_then_commit)()
    event = await communicator.receive_json_from(timeout=3)
    assert (event["type"], event["data"]) == ("saved", {"ok": True})
    await communicator.disconnect()


async def test_event_of_a_rolled_back_transaction_is_never_sent(users: dict[str, User], project: Project) -> None:
    topic = f"project:{project.pk}"
    communicator = await connect(users["modeler"])
    await _subscribe(communicator, topic)

    def publish_then_roll_back() -> None:
        with pytest.raises(RuntimeError), transaction.atomic():
            live.publish_on_commit(topic, "saved", {})
            raise RuntimeError("roll back")

    await database_sync_to_async(publish_then_roll_back)()
    assert await communicator.receive_nothing(timeout=0.5)
    await communicator.disconnect()


async def test_unsubscribed_clients_hear_nothing(users: dict[str, User], project: Project) -> None:
    topic = f"project:{project.pk}"
    communicator = await connect(users["viewer"])
    await _subscribe(communicator, topic)
    await communicator.send_json_to({"action": "unsubscribe", "topic": topic})
    assert (await communicator.receive_json_from(timeout=3))["type"] == "unsubscribed"
    await database_sync_to_async(live.publish_now)(topic, "changed", {})
    assert await communicator.receive_nothing(timeout=0.5)
    await communicator.disconnect()


def test_control_types_cannot_be_published_as_events(project: Project) -> None:
    with pytest.raises(ValueError, match="reserved"):
        live.publish_now(f"project:{project.pk}", "subscribed", {})


async def test_events_published_from_a_thread_without_event_loop_arrive_in_order(users: dict[str, User],
                                                                                 project: Project) -> None:
    """As a Celery task or a command publishes: on the process's one sender loop, reused."""
    topic = f"project:{project.pk}"
    communicator = await connect(users["viewer"])
    start = (await _subscribe(communicator, topic))["seq"]
    loops = []

    def publish_from_plain_thread() -> None:
        for n in range(3):
            live.publish_now(topic, "changed", {"n": n})
            loops.append(live._sender_loop())
        live.publish_many([(topic, "changed", {"n": 3}), (topic, "changed", {"n": 4})])

    worker = threading.Thread(target=publish_from_plain_thread)
    worker.start()
    await asyncio.get_running_loop().run_in_executor(None, worker.join)
    received = [await communicator.receive_json_from(timeout=3) for _ in range(5)]
    assert [(e["seq"] - start, e["data"]["n"]) for e in received] == [(1, 0), (2, 1), (3, 2), (4, 3), (5, 4)]
    assert len(set(map(id, loops))) == 1 and loops[0].is_running()
    await communicator.disconnect()
