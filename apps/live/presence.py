"""Who is looking at a module or module type: one Redis hash per `presence:<object>` topic,
field = the WebSocket's channel name, so every web process sees the same viewers."""

import json
from functools import lru_cache
from typing import Any

import redis
from django.conf import settings
from django.utils import timezone

from apps.runs.live import publish_now

# A web process that dies cannot clean up its viewers; the whole set then fades after a day.
PRESENCE_TTL_SECONDS = 24 * 3600


def is_presence_topic(topic: str) -> bool:
    return topic.startswith("presence:")


@lru_cache(maxsize=1)
def _redis() -> redis.Redis:
    return redis.Redis.from_url(settings.REDIS_URL)


def _key(topic: str) -> str:
    return f"{settings.REDIS_PREFIX}:presence:{topic}"


def viewers(*, topic: str) -> list[dict[str, Any]]:
    """One entry per user (several tabs count once, since their first), oldest first."""
    by_user: dict[str, dict[str, Any]] = {}
    for raw in _redis().hvals(_key(topic)):
        entry = json.loads(raw)
        known = by_user.get(entry["user"])
        if known is None or entry["since"] < known["since"]:
            by_user[entry["user"]] = entry
    return sorted(by_user.values(), key=lambda e: (e["since"], e["user"]))


def presence_join(*, topic: str, channel: str, user: Any) -> None:
    entry = {"user": user.username, "user_name": user.display_name, "since": timezone.now().isoformat()}
    key = _key(topic)
    pipe = _redis().pipeline()
    pipe.hsetnx(key, channel, json.dumps(entry))  # a repeated subscribe keeps its first `since`
    pipe.expire(key, PRESENCE_TTL_SECONDS)
    pipe.execute()
    publish_now(topic, "presence", {"viewers": viewers(topic=topic)})


def presence_leave(*, topic: str, channel: str) -> None:
    if _redis().hdel(_key(topic), channel):
        publish_now(topic, "presence", {"viewers": viewers(topic=topic)})
