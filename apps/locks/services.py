"""Edit locks (DESIGN §3 "lock"): one editor at a time per module or module type.

Taking and renewing are the same call; a lock not renewed within LOCK_TIMEOUT lapses and anyone
may take it. Only the holder releases a live lock, except an Admin, who may break it."""

from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.accounts.models import User
from apps.accounts.permissions import owns_or_admin
from apps.core.exceptions import ServiceError
from apps.live.events import publish_on_commit
from apps.locks.models import EditLock
from apps.locks.selectors import LOCK_TIMEOUT, lock_data

KIND_LABELS = {EditLock.Kind.MODULE: "module", EditLock.Kind.MODULE_TYPE: "module type"}


def lock_topic(kind: str, object_id: int) -> str:
    return f"{kind}:{object_id}"


def _event_data(kind: str, object_id: int, lock: dict[str, Any] | None) -> dict[str, Any]:
    key = "module" if kind == EditLock.Kind.MODULE else "module_type"
    return {key: object_id, "lock": _jsonable(lock)}


def _jsonable(lock: dict[str, Any] | None) -> dict[str, Any] | None:
    if lock is None:
        return None
    return {**lock, "since": lock["since"].isoformat(), "expires_at": lock["expires_at"].isoformat()}


def _is_live(lock: EditLock) -> bool:
    return lock.renewed_at > timezone.now() - LOCK_TIMEOUT


def _locked_row(kind: str, object_id: int, user: User) -> EditLock:
    """The lock row, locked; created (held by `user`, already lapsed) if there was none."""
    lock = EditLock.objects.select_for_update().filter(kind=kind, object_id=object_id).first()
    if lock is not None:
        return lock
    lapsed = timezone.now() - LOCK_TIMEOUT * 2
    try:
        with transaction.atomic():
            return EditLock.objects.create(kind=kind, object_id=object_id, user=user, since=lapsed, renewed_at=lapsed)
    except IntegrityError:  # someone created it meanwhile
        return EditLock.objects.select_for_update().get(kind=kind, object_id=object_id)


def _refuse_locked(kind: str, lock: EditLock) -> None:
    data = lock_data(lock)
    since = timezone.localtime(data["since"]).strftime("%H:%M")
    raise ServiceError("locked", f"This {KIND_LABELS[EditLock.Kind(kind)]} is being edited by {data['user_name']} "
                       f"since {since}.", status=409, details={"lock": _jsonable(data)})


@transaction.atomic
def lock_take(*, kind: str, object_id: int, user: User) -> dict[str, Any]:
    """Takes the lock, or renews it when the caller already holds it. 409 `locked` otherwise."""
    lock = _locked_row(kind, object_id, user)
    now = timezone.now()
    held_by_caller = lock.user_id == user.pk and _is_live(lock)
    if not held_by_caller and _is_live(lock):
        _refuse_locked(kind, lock)
    if not held_by_caller:
        lock.user, lock.since = user, now
    lock.renewed_at = now
    lock.save()
    data = lock_data(lock)
    if not held_by_caller:
        publish_on_commit(lock_topic(kind, object_id), "lock", _event_data(kind, object_id, data))
    return data


@transaction.atomic
def lock_release(*, kind: str, object_id: int, user: User) -> None:
    """Releases the caller's lock; an Admin may break anyone's. Nothing to release is no error."""
    lock = EditLock.objects.select_for_update().filter(kind=kind, object_id=object_id).first()
    if lock is None:
        return
    live = _is_live(lock)
    if live and not owns_or_admin(user=user, owner_id=lock.user_id):
        raise ServiceError("not_lock_owner", f"{lock.user.display_name} holds this lock; only they or an Admin may "
                           "release it.", status=403, details={"lock": _jsonable(lock_data(lock))})
    lock.delete()
    if live:
        publish_on_commit(lock_topic(kind, object_id), "lock", _event_data(kind, object_id, None))


@transaction.atomic
def lock_release_when_gone(kind: str, object_id: int, user_id: int) -> None:
    """The user's last connection stopped looking at the object (left the page, socket closed): their
    lock on it, if they hold one, goes, so it is free again within seconds (apps.live.presence hook)."""
    if kind not in EditLock.Kind.values:
        return
    lock = EditLock.objects.select_for_update().filter(kind=kind, object_id=object_id, user_id=user_id).first()
    if lock is None:
        return
    live = _is_live(lock)
    lock.delete()
    if live:
        publish_on_commit(lock_topic(kind, object_id), "lock", _event_data(kind, object_id, None))


def lock_check_free(*, kind: str, object_id: int, user: User) -> None:
    """For writes that must not happen under someone else's live lock: 409 `locked` if they would."""
    lock = EditLock.objects.filter(kind=kind, object_id=object_id).select_related("user").first()
    if lock is not None and lock.user_id != user.pk and _is_live(lock):
        _refuse_locked(kind, lock)


def locks_drop(*, kind: str, object_id: int) -> None:
    """The object is gone: so is its lock."""
    EditLock.objects.filter(kind=kind, object_id=object_id).delete()
