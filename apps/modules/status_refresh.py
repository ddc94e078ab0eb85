"""Live status: after a change commits, recompute the modules it can affect and publish a `status`
event on `modules` and `module:<id>` for each one whose status or reasons changed.

Services call `status_refresh_on_commit(...)` with what they changed. The recomputation runs in the
committing process right after the commit (no queue in between, so the event follows the change
within milliseconds). `Module.status_cache` holds what was last published, so an unchanged status
is not published again; reads never use it (they compute the status afresh), so a change whose
hook was missed is still shown correctly on the next read and published on the next refresh."""

import logging
from collections.abc import Iterable

from django.db import transaction

from apps.modules import selectors
from apps.modules.models import Module
from apps.modules.status import compute_statuses
from apps.runs.live import publish_many

logger = logging.getLogger(__name__)


def status_refresh(*, module_ids: Iterable[int] = (), dataset_ids: Iterable[int] = (),
                   type_version_ids: Iterable[int] = ()) -> list[int]:
    """Recomputes the affected modules (and everything downstream of them); returns the ids of
    those whose status changed, after publishing it."""
    ids = selectors.affected_module_ids(module_ids=module_ids, dataset_ids=dataset_ids,
                                        type_version_ids=type_version_ids)
    if not ids:
        return []
    with transaction.atomic():
        # Locked in id order: a concurrent refresh of the same modules waits, then computes from
        # what this one committed, so events leave in the order the statuses changed.
        modules = list(selectors.modules_queryset().select_for_update(of=("self",)).filter(pk__in=ids).order_by("pk"))
        report = compute_statuses(modules)
        changed, events = [], []
        for module in modules:
            status = report.statuses[module.pk].as_dict()
            if module.status_cache != status:
                module.status_cache = status
                changed.append(module)
                events += [(topic, "status", {"module": module.pk, **status})
                           for topic in ("modules", f"module:{module.pk}")]
        Module.objects.bulk_update(changed, ["status_cache"])
        if events:  # all in one go: one Redis round trip and one event loop, not two per module
            transaction.on_commit(lambda: publish_many(events))
    return [m.pk for m in changed]


def status_refresh_on_commit(*, module_ids: Iterable[int] = (), dataset_ids: Iterable[int] = (),
                             type_version_ids: Iterable[int] = ()) -> None:
    """Schedules `status_refresh` for when the current transaction commits (at once outside one).
    A failure is logged, never raised: the change itself has already committed."""
    modules, datasets, versions = list(module_ids), list(dataset_ids), list(type_version_ids)
    transaction.on_commit(lambda: status_refresh(module_ids=modules, dataset_ids=datasets,
                                                 type_version_ids=versions), robust=True)
