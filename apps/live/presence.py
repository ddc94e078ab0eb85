"""Who is looking at a module or module type: one Redis hash per `presence:<object>` topic,
field = the WebSocket's channel name, so every web process sees the same viewers.

`presence:<object topic>` may be followed by whoever may follow the object's own topic; the apps
that own an object topic say whether it has presence (`allow_presence`)."""

import json
import logging
from collections.abc import Callable
from functools import lru_cache
from typing import Any

import redis
from django.conf import settings
from django.utils import timezone

from apps.live import events
from apps.live.events import publish_now

# A web process that dies cannot clean up its viewers; the whole set then fades after a day.
PRESENCE_TTL_SECONDS = 24 * 3600


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


def viewers(*, topic: str) -> list[dict[str, Any]]:
    """One entry per user (several tabs count once, since their first), oldest first."""
    by_user: dict[str, dict[str, Any]] = {}
    for raw in _redis().hvals(_key(topic)):
        entry = json.loads(raw)
        known = by_user.get(entry["user"])
        if known is None or entry["since"] < known["since"]:
            by_user[entry["user"]] = entry
    shown = ({k: v for k, v in e.items() if k != "user_id"} for e in by_user.values())
    return sorted(shown, key=lambda e: (e["since"], e["user"]))


def presence_join(*, topic: str, channel: str, user: Any) -> None:
    entry = {"user": user.username, "user_id": user.pk, "user_name": user.display_name, "since": timezone.now().isoformat()}
    key = _key(topic)
    pipe = _redis().pipeline()
    pipe.hsetnx(key, channel, json.dumps(entry))  # a repeated subscribe keeps its first `since`
    pipe.expire(key, PRESENCE_TTL_SECONDS)
    pipe.execute()
    publish_now(topic, "presence", {"viewers": viewers(topic=topic)})


def presence_leave(*, topic: str, channel: str) -> None:
    key = _key(topic)
    raw = _redis().hget(key, channel)
    if not _redis().hdel(key, channel):
        return
    publish_now(topic, "presence", {"viewers": viewers(topic=topic)})
    entry = json.loads(raw) if raw else {}
    if entry.get("user_id") is None or any(json.loads(other).get("user") == entry["user"]
                                           for other in _redis().hvals(key)):
        return  # still there in another tab
    _, _, obj = topic.partition(":")
    kind, _, object_id = obj.partition(":")
    for hook in list(_gone_hooks):
        try:
            hook(kind, int(object_id), int(entry["user_id"]))
        except Exception:  # a hook's failure must not break the socket's clean-up
            logger.exception("presence-gone hook failed for %s", topic)
