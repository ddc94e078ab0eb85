"""Who is looking at a module or module type: one Redis hash per `presence:<object>` topic,
field = the WebSocket's channel name, so every web process sees the same viewers.

`presence:<object topic>` may be followed by whoever may follow the object's own topic; the apps
that own an object topic say whether it has presence (`allow_presence`)."""

import json
import logging
import time
from collections.abc import Callable
from functools import lru_cache
from typing import Any

import redis
from django.conf import settings
from django.utils import timezone

from apps.live import events
from apps.live.events import publish_now

# A web process that dies cannot clean up its viewers: its connections stop beating, and the other
# viewers' connections clear them out after PRESENCE_STALE_SECONDS (the whole set fades after a day).
PRESENCE_TTL_SECONDS = 24 * 3600
PRESENCE_HEARTBEAT_SECONDS = 10.0
PRESENCE_STALE_SECONDS = 35.0


logger = logging.getLogger(__name__)

# The object topic kinds that have presence (`module`, `module-type`), filled by their apps.
PRESENCE_OBJECT_KINDS: set[str] = set()


def allow_presence(kind: str) -> None:
    PRESENCE_OBJECT_KINDS.add(kind)


# Called as hook(kind, object_id, user_id) when a user's last connection stops looking at an object
# (unsubscribe or socket closed): apps.locks releases that user's edit lock on it.
PresenceGoneHook = Callable[[str, int, int], None]
_gone_hooks: list[PresenceGoneHook] = []


def register_presence_gone(hook: PresenceGoneHook) -> None:
    if hook not in _gone_hooks:
        _gone_hooks.append(hook)


def is_presence_topic(topic: str) -> bool:
    return topic.startswith("presence:")


def _may_follow_presence(user: Any, key: str | None) -> bool:
    """Whoever may follow the object's own topic may see who else is looking at it."""
    if key is None or key.split(":", 1)[0] not in PRESENCE_OBJECT_KINDS:
        return False
    try:
        return events.may_subscribe(user, key)
    except events.BadTopic:
        return False


events.register_topic("presence", _may_follow_presence)


@lru_cache(maxsize=1)
def _redis() -> redis.Redis:
    return redis.Redis.from_url(settings.REDIS_URL)


def _key(topic: str) -> str:
    return f"{settings.REDIS_PREFIX}:presence:{topic}"


def _seen_key(topic: str) -> str:
    """A sorted set beside the hash: channel → when its connection last said it is alive."""
    return f"{settings.REDIS_PREFIX}:presence-seen:{topic}"


def _fresh_channels(topic: str) -> set[str]:
    cutoff = time.time() - PRESENCE_STALE_SECONDS
    members: list[Any] = _redis().zrangebyscore(_seen_key(topic), cutoff, "+inf")  # type: ignore[assignment]
    return {c.decode() if isinstance(c, bytes) else str(c) for c in members}


def viewers(*, topic: str) -> list[dict[str, Any]]:
    """One entry per user (several tabs count once, since their first), oldest first; connections
    that stopped beating (a web process that died) are not listed."""
    fresh = _fresh_channels(topic)
    by_user: dict[str, dict[str, Any]] = {}
    for channel, raw in _redis().hgetall(_key(topic)).items():
        if (channel.decode() if isinstance(channel, bytes) else channel) not in fresh:
            continue
        entry = json.loads(raw)
        known = by_user.get(entry["user"])
        if known is None or entry["since"] < known["since"]:
            by_user[entry["user"]] = entry
    shown = ({k: v for k, v in e.items() if k != "user_id"} for e in by_user.values())
    return sorted(shown, key=lambda e: (e["since"], e["user"]))


def presence_join(*, topic: str, channel: str, user: Any) -> None:
    entry = {"user": user.username, "user_id": user.pk, "user_name": user.display_name, "since": timezone.now().isoformat()}
    key, seen = _key(topic), _seen_key(topic)
    pipe = _redis().pipeline()
    pipe.hsetnx(key, channel, json.dumps(entry))  # a repeated subscribe keeps its first `since`
    pipe.zadd(seen, {channel: time.time()})
    pipe.expire(key, PRESENCE_TTL_SECONDS)
    pipe.expire(seen, PRESENCE_TTL_SECONDS)
    pipe.execute()
    publish_now(topic, "presence", {"viewers": viewers(topic=topic)})


def presence_leave(*, topic: str, channel: str) -> None:
    _drop(topic, [channel])


def presence_beat(*, topics: list[str], channel: str) -> None:
    """A live connection says it still looks at `topics` (every PRESENCE_HEARTBEAT_SECONDS), and
    clears out the viewers whose connections stopped saying so (their web process died)."""
    now = time.time()
    for topic in topics:
        _redis().zadd(_seen_key(topic), {channel: now}, xx=True)  # never brings back one that left
        stale = _redis().zrangebyscore(_seen_key(topic), "-inf", now - PRESENCE_STALE_SECONDS)
        unlisted = set(_redis().hkeys(_key(topic))) - set(_redis().zrange(_seen_key(topic), 0, -1))
        gone = [c.decode() if isinstance(c, bytes) else c for c in [*stale, *unlisted]]
        if gone:
            _drop(topic, gone)


def _drop(topic: str, channels: list[str]) -> None:
    """The connections stopped looking: the others are told; a user whose last connection this was
    is gone from the object (the registered hooks run: apps.locks releases their edit lock)."""
    key = _key(topic)
    entries = [json.loads(raw) for raw in _redis().hmget(key, channels) if raw]
    pipe = _redis().pipeline()
    pipe.hdel(key, *channels)
    pipe.zrem(_seen_key(topic), *channels)
    removed = pipe.execute()[0]
    if not removed:
        return
    publish_now(topic, "presence", {"viewers": viewers(topic=topic)})
    remaining = {json.loads(raw).get("user") for raw in _redis().hvals(key)}
    _, _, obj = topic.partition(":")
    kind, _, object_id = obj.partition(":")
    for entry in {e["user"]: e for e in entries}.values():
        if entry.get("user_id") is None or entry["user"] in remaining:
            continue  # still there in another tab
        for hook in list(_gone_hooks):
            try:
                hook(kind, int(object_id), int(entry["user_id"]))
            except Exception:  # a hook's failure must not break the socket's clean-up
                logger.exception("presence-gone hook failed for %s", topic)
