from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from django.utils import timezone

from apps.locks.models import EditLock

LOCK_TIMEOUT = timedelta(minutes=5)


def lock_data(lock: EditLock) -> dict[str, Any]:
    return {"user": lock.user.username, "user_name": lock.user.display_name, "since": lock.since,
            "expires_at": lock.renewed_at + LOCK_TIMEOUT}


def active_locks(*, kind: str, ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    """{object id: {user, user_name, since, expires_at}} for the locks still in force; one query."""
    wanted = list(ids)
    if not wanted:
        return {}
    rows = EditLock.objects.filter(kind=kind, object_id__in=wanted,
                                   renewed_at__gt=timezone.now() - LOCK_TIMEOUT).select_related("user")
    return {int(lock.object_id): lock_data(lock) for lock in rows}


def active_locks_of_kind(*, kind: str) -> dict[int, dict[str, Any]]:
    """Every lock of this kind still in force (the few objects being edited right now), for lists
    of many objects, which would otherwise send all their ids; one query, by (kind, renewed_at)."""
    rows = EditLock.objects.filter(kind=kind, renewed_at__gt=timezone.now() - LOCK_TIMEOUT).select_related("user")
    return {int(lock.object_id): lock_data(lock) for lock in rows}


def active_lock(*, kind: str, object_id: int) -> dict[str, Any] | None:
    return active_locks(kind=kind, ids=[object_id]).get(object_id)
