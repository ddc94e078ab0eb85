"""The one WebSocket endpoint, /ws/: subscribe and unsubscribe to topics, receive their events."""

import asyncio
import logging
from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from apps.live import events as live
from apps.live import presence

logger = logging.getLogger(__name__)

CLOSE_UNAUTHENTICATED = 4401
MAX_TOPICS = 200


class LiveConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self) -> None:
        self.topics: set[str] = set()
        self.heartbeat: asyncio.Task[None] | None = None
        await self.accept()
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        self.heartbeat = asyncio.create_task(self.beat())

    async def beat(self) -> None:
        """Says every few seconds which objects this connection still looks at (presence), so the
        viewers of a web process that died are cleared out by the others."""
        while True:
            await asyncio.sleep(presence.PRESENCE_HEARTBEAT_SECONDS)
            watched = [t for t in self.topics if presence.is_presence_topic(t)]
            if watched:
                try:
                    await database_sync_to_async(presence.presence_beat)(topics=watched, channel=self.channel_name)
                except Exception:  # the next beat tries again
                    logger.exception("presence heartbeat failed")

    async def disconnect(self, code: int) -> None:
        heartbeat = getattr(self, "heartbeat", None)
        if heartbeat is not None:
            heartbeat.cancel()
        for topic in list(getattr(self, "topics", ())):
            await self.channel_layer.group_discard(live.group_name(topic), self.channel_name)
            await self.left(topic)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        action = content.get("action") if isinstance(content, dict) else None
        topic = content.get("topic") if isinstance(content, dict) else None
        if action == "subscribe" and isinstance(topic, str):
            await self.subscribe(topic)
        elif action == "unsubscribe" and isinstance(topic, str):
            await self.unsubscribe(topic)
        else:
            await self.send_json({"type": "subscribe_error", "topic": topic, "code": "bad_request",
                                  "message": 'Send {"action": "subscribe"|"unsubscribe", "topic": "..."}.'})

    async def subscribe(self, topic: str) -> None:
        try:
            allowed = await database_sync_to_async(live.may_subscribe)(self.scope["user"], topic)
        except live.BadTopic as exc:
            await self.refuse(topic, "bad_topic", str(exc))
            return
        if not allowed:
            await self.refuse(topic, "forbidden", f"You may not follow {topic!r}.")
            return
        if len(self.topics) >= MAX_TOPICS and topic not in self.topics:
            await self.refuse(topic, "too_many_topics", f"At most {MAX_TOPICS} topics per connection.")
            return
        await self.channel_layer.group_add(live.group_name(topic), self.channel_name)
        self.topics.add(topic)
        seq = await database_sync_to_async(live.current_seq)(topic)
        await self.send_json({"type": "subscribed", "topic": topic, "seq": seq})
        if presence.is_presence_topic(topic):
            await database_sync_to_async(presence.presence_join)(topic=topic, channel=self.channel_name,
                                                                 user=self.scope["user"])

    async def unsubscribe(self, topic: str) -> None:
        if topic in self.topics:
            await self.channel_layer.group_discard(live.group_name(topic), self.channel_name)
            self.topics.discard(topic)
            await self.left(topic)
        await self.send_json({"type": "unsubscribed", "topic": topic})

    async def left(self, topic: str) -> None:
        if presence.is_presence_topic(topic):
            await database_sync_to_async(presence.presence_leave)(topic=topic, channel=self.channel_name)

    async def refuse(self, topic: str, code: str, message: str) -> None:
        await self.send_json({"type": "subscribe_error", "topic": topic, "code": code, "message": message})

    async def live_event(self, message: dict[str, Any]) -> None:
        event = message["event"]
        if event["topic"] in self.topics:
            await self.send_json(event)
