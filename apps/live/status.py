"""The status hook: a change that can alter modules' UpToDate/OutOfDate status announces it here, and
the app that computes statuses (apps.modules) registers the refresh that recomputes and publishes
them. So datasets, moduletypes and runs announce their changes without importing modules.

`status_refresh_on_commit(...)` schedules the refresh for when the current transaction commits (at
once outside one); `status_refresh(...)` runs it now. Without a registered refresher both do nothing."""

from collections.abc import Iterable
from typing import Protocol

from django.db import transaction


class StatusRefresher(Protocol):
    def __call__(self, *, module_ids: Iterable[int] = (), dataset_ids: Iterable[int] = (),
                 type_version_ids: Iterable[int] = ()) -> list[int]: ...


_refresher: StatusRefresher | None = None


def register_status_refresher(refresher: StatusRefresher) -> None:
    global _refresher
    _refresher = refresher


def status_refresh(*, module_ids: Iterable[int] = (), dataset_ids: Iterable[int] = (),
                   type_version_ids: Iterable[int] = ()) -> list[int]:
    """Recomputes the modules the change can affect now; returns the ids of those whose status changed."""
    if _refresher is None:
        return []
    return _refresher(module_ids=module_ids, dataset_ids=dataset_ids, type_version_ids=type_version_ids)


def status_refresh_on_commit(*, module_ids: Iterable[int] = (), dataset_ids: Iterable[int] = (),
                             type_version_ids: Iterable[int] = ()) -> None:
    """Schedules the refresh for when the current transaction commits (at once outside one).
    A failure is logged, never raised: the change itself has already committed."""
    modules, datasets, versions = list(module_ids), list(dataset_ids), list(type_version_ids)
    transaction.on_commit(lambda: status_refresh(module_ids=modules, dataset_ids=datasets,
                                                 type_version_ids=versions), robust=True)
