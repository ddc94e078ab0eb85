"""Live status: after a change commits, recompute the modules it can affect and publish a `status`
event on `modules:<project id>` and `module:<id>` for each one whose status or reasons changed.

Services of any app call `apps.live.status.status_refresh_on_commit(...)` with what they changed;
`status_refresh` below is the refresher this app registers there (ModulesConfig.ready). The recomputation runs in the
committing process right after the commit (no queue in between, so the event follows the change
within milliseconds). `Module.status_cache` holds what was last published, so an unchanged status
is not published again; reads never use it (they compute the status afresh), so a change whose
hook was missed is still shown correctly on the next read and published on the next refresh.

Refreshes take turns on one advisory lock: a refresh that follows a change waits for the refresh
going on, then computes from everything committed, so events leave in the order the statuses
changed. Apart from that lock a refresh holds nothing: it locks no module row, and outside a
transaction each of its reads and its one UPDATE is a statement of its own, so it never keeps the
locks of one statement while waiting for those of the next. (It used to lock the affected module
rows FOR UPDATE in a transaction that then read six more tables: a module write — an ETag PATCH, a
run request, finalize, removal — waited for whole refreshes, and a refresh deadlocked with anything
taking tables one by one, such as the TRUNCATE that ends a transactional test.)"""

import logging
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from django.db import connection, transaction

from apps.live.events import modules_topic, publish_many
from apps.modules import selectors
from apps.modules.models import Module
from apps.modules.status import compute_statuses

logger = logging.getLogger(__name__)
REFRESH_LOCK_KEY = 0x6D62_5F73_7461_7475  # any constant; every process's refreshes share it


@contextmanager
def _refreshes_take_turns() -> Iterator[None]:
    """Holds the refresh lock: for the session (released at once after), or, when called inside a
    transaction, until that transaction ends (its events are published when it commits)."""
    for_the_session = not connection.in_atomic_block
    with connection.cursor() as cursor:
        lock = "pg_advisory_lock" if for_the_session else "pg_advisory_xact_lock"
        cursor.execute(f"SELECT {lock}(%s)", [REFRESH_LOCK_KEY])
    try:
        yield
    finally:
        if for_the_session:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [REFRESH_LOCK_KEY])


def status_refresh(*, module_ids: Iterable[int] = (), dataset_ids: Iterable[int] = (),
                   type_version_ids: Iterable[int] = ()) -> list[int]:
    """Recomputes the affected modules (and everything downstream of them); returns the ids of
    those whose status changed, after publishing it."""
    ids = selectors.affected_module_ids(module_ids=module_ids, dataset_ids=dataset_ids,
                                        type_version_ids=type_version_ids)
    if not ids:
        return []
    with _refreshes_take_turns():
        modules = list(selectors.modules_queryset().filter(pk__in=ids).order_by("pk"))
        report = compute_statuses(modules)
        changed, events = [], []
        for module in modules:
            status = report.statuses[module.pk].as_dict()
            if module.status_cache != status:
                module.status_cache = status
                changed.append(module)
                events += [(topic, "status", {"module": module.pk, **status})
                           for topic in (modules_topic(module.project_id), f"module:{module.pk}")]
        Module.objects.bulk_update(changed, ["status_cache"])  # one UPDATE (a module removed meanwhile: none)
        if events:  # all in one go: one Redis round trip and one event loop, not two per module
            transaction.on_commit(lambda: publish_many(events))  # at once outside a transaction
    return [m.pk for m in changed]
