"""Status refreshes next to writes, each thread on its own connection: a refresh holds no lock that
a writer or a table-by-table locker (the TRUNCATE ending a transactional test) waits for while it
waits for them, so nothing deadlocks; module writes do not wait for refreshes; refreshes still
take turns, so their events leave in order."""

import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.db import connection, transaction
from django.db.models import F

from apps.accounts.models import Project, User
from apps.modules import selectors
from apps.modules.models import Module
from apps.modules.services import module_update
from apps.modules.status import compute_statuses
from apps.modules.status_refresh import status_refresh
from apps.runs.models import Run
from tests.modules.status_helpers import module_reading, record_run, seed_demo, source

pytestmark = pytest.mark.django_db(transaction=True)
WAIT = 10.0


class Thread(threading.Thread):
    """Runs `target` on its own DB connection; keeps what it raised."""

    def __init__(self, target: Callable[[], Any]) -> None:
        super().__init__(daemon=True)
        self._call = target
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            self._call()
        except BaseException as exc:  # reported by the test
            self.error = exc
        finally:
            connection.close()

    def finish(self) -> None:
        self.join(WAIT)
        assert not self.is_alive(), "the thread is stuck"
        if self.error is not None:
            raise self.error


@pytest.fixture
def modules(project: Project, users: dict[str, User]) -> list[Module]:
    demo = seed_demo(project, users["modeler"])
    readers = [module_reading(f"Reader {i}", source(), users["modeler"], project) for i in range(3)]
    for module in [demo, *readers]:
        record_run(module)
    return [demo, *readers]


@pytest.fixture
def paused_refresh(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[threading.Event, threading.Event]]:
    """The next refresh stops in the middle of its computation (after reading the modules, before
    reading their runs) until `go` is set; `inside` is set when it gets there."""
    inside, go = threading.Event(), threading.Event()
    real = selectors.upstream_modules

    def pausing(**kwargs: Any) -> list[Module]:
        if not inside.is_set():
            inside.set()
            assert go.wait(WAIT)
        return real(**kwargs)

    monkeypatch.setattr(selectors, "upstream_modules", pausing)
    yield inside, go
    go.set()


def _refresh(modules: list[Module]) -> Callable[[], Any]:
    return lambda: status_refresh(module_ids=[m.pk for m in modules])


def test_a_refresh_does_not_deadlock_with_a_table_by_table_locker(
        modules: list[Module], paused_refresh: tuple[threading.Event, threading.Event]) -> None:
    """What the test suite's flush does: TRUNCATE takes each table's ACCESS EXCLUSIVE lock in turn."""
    inside, go = paused_refresh

    def lock_tables() -> None:
        assert inside.wait(WAIT)  # the refresh has read the modules
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {Run._meta.db_table} IN ACCESS EXCLUSIVE MODE")
            go.set()  # the refresh goes on to read the runs: it waits for this transaction
            cursor.execute(f"LOCK TABLE {Module._meta.db_table} IN ACCESS EXCLUSIVE MODE")

    refresh, locker = Thread(_refresh(modules)), Thread(lock_tables)
    refresh.start()
    locker.start()
    locker.finish()  # before: "deadlock detected" in one of the two (the refresh held the modules table)
    refresh.finish()


def test_module_writes_do_not_wait_for_a_refresh_and_refreshes_take_turns(
        modules: list[Module], paused_refresh: tuple[threading.Event, threading.Event]) -> None:
    inside, go = paused_refresh
    first = Thread(_refresh(modules))
    first.start()
    assert inside.wait(WAIT)
    # An ETag write locks the module's row (apps.api.etag); a refresh no longer holds it.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL lock_timeout = '2s'")
        Module.objects.select_for_update().get(pk=modules[0].pk)
        Module.objects.filter(pk=modules[0].pk).update(revision=F("revision") + 1)
    second = Thread(_refresh(modules))
    second.start()
    second.join(0.5)
    assert second.is_alive()  # waits for the first refresh: events leave in order
    go.set()
    first.finish()
    second.finish()


def test_many_refreshes_and_writes_at_once(modules: list[Module]) -> None:
    def refreshes() -> None:
        for _ in range(15):
            status_refresh(module_ids=[m.pk for m in modules], dataset_ids=[source().pk])

    def edits(module: Module) -> Callable[[], None]:
        def edit() -> None:
            for i in range(15):
                with transaction.atomic():
                    locked = Module.objects.select_for_update().get(pk=module.pk)
                    module_update(module=locked, fields={"parameter_bindings": {"increase_factor": f"1.{i}"}})
        return edit

    def runs() -> None:
        for module in modules[:2]:
            for _ in range(5):
                record_run(module)

    threads = [Thread(refreshes), Thread(refreshes), *(Thread(edits(m)) for m in modules[:2]), Thread(runs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
        assert not thread.is_alive()
        if thread.error is not None:
            raise thread.error
    status_refresh(module_ids=[m.pk for m in modules])
    cached = {m.pk: m.status_cache for m in Module.objects.filter(pk__in=[m.pk for m in modules])}
    fresh = compute_statuses(list(selectors.modules_queryset().filter(pk__in=cached)))
    assert cached == {pk: s.as_dict() for pk, s in fresh.statuses.items()}  # the last refresh saw it all
