"""Writes for dataset types, datasets and versions. Django rows and workspace tables change together:
the workspace transaction commits inside the Django one, so a failure on either side leaves nothing."""

import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, BinaryIO

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from apps.accounts.models import Project, User
from apps.core.exceptions import ServiceError
from apps.datasets.models import Dataset, DatasetType, DatasetVersion
from apps.datasets.selectors import dataset_usage, published_versions
from apps.datasets.tasks import analyze_on_commit
from apps.datasets.workspace import workspace
from apps.engine import bulk_load, storage
from apps.live.events import publish_now, publish_on_commit
from apps.live.status import status_refresh_on_commit

RESERVED_COLUMNS = set(storage.SYSTEM_COLUMNS)
# Import progress events: one per ~1% of the file, at least every 0.5 s, at most every 50 ms.
PROGRESS_STEP = 0.01
PROGRESS_MAX_SECONDS = 0.5
PROGRESS_MIN_SECONDS = 0.05
PROGRESS_STEP_UNKNOWN_SIZE = 1024 * 1024

Publish = Callable[[str, str, dict[str, Any]], Any]
logger = logging.getLogger(__name__)


def _column_problems(columns: Any) -> list[str]:
    if not isinstance(columns, list) or not columns:
        return ["Give at least one column as {name, sql_type}."]
    problems, seen = [], set()
    for index, column in enumerate(columns, start=1):
        if not isinstance(column, dict) or set(column) != {"name", "sql_type"}:
            problems.append(f"Column {index}: give exactly name and sql_type.")
            continue
        name, sql_type = str(column["name"]), str(column["sql_type"])
        if not storage.COLUMN_NAME_RE.match(name):
            problems.append(f"Column {index}: {name!r} must be lower-case letters, digits and _, "
                            "starting with a letter or _, at most 63 characters.")
        elif name in RESERVED_COLUMNS or name.startswith("mb_"):
            problems.append(f"Column {index}: {name!r} is reserved by ModuleBench.")
        elif name in seen:
            problems.append(f"Column {index}: {name!r} appears twice.")
        if sql_type not in settings.SQL_TYPES:
            problems.append(f"Column {index}: {sql_type!r} is not an allowed type ({', '.join(settings.SQL_TYPES)}).")
        seen.add(name)
    return problems


def dataset_type_create(*, name: str, description: str, columns: list[dict[str, str]], creator: User) -> DatasetType:
    problems = _column_problems(columns)
    if problems:
        raise ServiceError("invalid_columns", problems[0], details={"columns": problems})
    if DatasetType.objects.filter(name=name).exists():
        raise ServiceError("duplicate_name", f"A dataset type named {name!r} already exists.", status=409)
    return DatasetType.objects.create(name=name, description=description, columns=columns, creator=creator)


def dataset_type_update(*, dataset_type: DatasetType, fields: dict[str, Any]) -> DatasetType:
    if "columns" in fields and fields["columns"] != dataset_type.columns:
        if dataset_type.datasets.exists():
            raise ServiceError("type_in_use", "The columns of a type that datasets use cannot change.", status=409)
        problems = _column_problems(fields["columns"])
        if problems:
            raise ServiceError("invalid_columns", problems[0], details={"columns": problems})
    for field, value in fields.items():
        setattr(dataset_type, field, value)
    dataset_type.revision += 1
    dataset_type.save()
    return dataset_type


def dataset_type_delete(*, dataset_type: DatasetType) -> None:
    names = list(dataset_type.datasets.values_list("name", flat=True)[:20])
    if names:
        raise ServiceError("type_in_use", f"Datasets use this type: {', '.join(names)}.", status=409,
                           details={"datasets": names})
    dataset_type.delete()


def _check_keywords(keywords: Any) -> None:
    if not isinstance(keywords, dict) or not all(
        isinstance(k, str) and isinstance(v, str) and 0 < len(k) <= 100 and len(v) <= 1000 for k, v in keywords.items()
    ):
        raise ServiceError("invalid_keywords", "Keywords are a map of names (1-100 characters) to text values.")


def _check_name_free(name: str, *, exclude: int | None = None) -> None:
    clash = Dataset.objects.filter(name=name, removed_at__isnull=True)
    if exclude is not None:
        clash = clash.exclude(pk=exclude)
    if clash.exists():
        raise ServiceError("duplicate_name", f"A dataset named {name!r} already exists.", status=409)


@transaction.atomic
def dataset_create(*, name: str, dataset_type: DatasetType, project: Project, creator: User,
                   description: str = "", keywords: dict[str, str] | None = None) -> Dataset:
    _check_name_free(name)
    _check_keywords(keywords or {})
    dataset = Dataset.objects.create(name=name, dataset_type=dataset_type, project=project, creator=creator,
                                     description=description, keywords=keywords or {})
    with workspace() as conn:
        storage.create_table(conn, dataset.pk, dataset_type.column_specs)
    publish_on_commit(f"project:{project.pk}", "dataset_created", {"id": dataset.pk, "name": name})
    return dataset


@transaction.atomic
def dataset_update(*, dataset: Dataset, fields: dict[str, Any]) -> Dataset:
    if "name" in fields:
        _check_name_free(fields["name"], exclude=dataset.pk)
    if "keywords" in fields:
        _check_keywords(fields["keywords"])
    for field, value in fields.items():
        setattr(dataset, field, value)
    dataset.revision += 1
    dataset.save()
    publish_on_commit(f"dataset:{dataset.pk}", "dataset_changed", {"id": dataset.pk})
    return dataset


def next_version_number(dataset: Dataset) -> int:
    """One past the highest version the app database knows or the workspace has held rows of (see
    storage.VERSION_MARKS). The caller holds the dataset's row lock."""
    current = dataset.versions.aggregate(m=Max("number"))["m"]
    with workspace() as conn:
        written = storage.highest_version_written(conn, dataset.pk)
    highest = max((n for n in (current, written) if n is not None), default=-1)
    return highest + 1


def _latest_final(dataset: Dataset) -> DatasetVersion | None:
    return published_versions(dataset).filter(is_final=True).order_by("-number").first()


def _writable_version(dataset: Dataset, number: int) -> DatasetVersion:
    version = published_versions(dataset).filter(number=number).first()
    if version is None:
        raise ServiceError("no_such_version", f"Dataset {dataset.name!r} has no version {number}.", status=404)
    if version.is_final:
        raise ServiceError("version_final", f"Version {number} is final: final versions never change. "
                           "Create a new version from it.", status=409)
    return version


def progress_reporter(*, dataset_id: int, total: int | None, clock: Callable[[], float] = time.monotonic,
                      publish: Publish = publish_now) -> Callable[[int], None]:
    """Publishes `import_progress` every ~1% of the file or 0.5 s, whichever comes first (but not
    more often than every 50 ms), so a progress bar moves smoothly without flooding the live layer."""
    step = max(1, int(total * PROGRESS_STEP)) if total else PROGRESS_STEP_UNKNOWN_SIZE
    last = {"bytes": 0.0, "at": clock()}

    def report(done: int) -> None:
        now = clock()
        waited = now - last["at"]
        if waited >= PROGRESS_MAX_SECONDS or (done - last["bytes"] >= step and waited >= PROGRESS_MIN_SECONDS):
            last.update(bytes=done, at=now)
            publish(f"dataset:{dataset_id}", "import_progress", {"bytes_done": done, "bytes_total": total})

    return report


@contextmanager
def published_in_background(publish: Publish) -> Iterator[Publish]:
    """A `publish` that returns at once: a thread of its own sends the latest event offered (older
    ones not yet sent are dropped), so an import never waits on the live layer. On exit the
    latest event is sent, then the thread ends."""
    pending: list[tuple[str, str, dict[str, Any]]] = []
    changed, closed = threading.Condition(), threading.Event()

    def offer(topic: str, kind: str, data: dict[str, Any]) -> None:
        with changed:
            pending[:] = [(topic, kind, data)]
            changed.notify()

    def run() -> None:
        while True:
            with changed:
                changed.wait_for(lambda: bool(pending) or closed.is_set())
                if not pending:
                    return
                event = pending.pop()
            try:
                publish(*event)
            except Exception:  # progress is a nicety: never fail or stall an import over it
                logger.warning("import progress event not sent", exc_info=True)

    thread = threading.Thread(target=run, name="mb-progress", daemon=True)
    thread.start()
    try:
        yield offer
    finally:
        with changed:
            closed.set()
            changed.notify()
        thread.join(timeout=5)


@transaction.atomic
def dataset_import(*, dataset: Dataset, user: User, stream: BinaryIO, size: int | None = None,
                   version_number: int | None = None, mode: str = "replace", version_name: str = "") -> DatasetVersion:
    """Imports a CSV as a new version (mode `replace`: exactly the file's rows; `append`: the latest
    final version's rows plus the file's) or adds its rows to an existing non-final version.
    A CSV that does not fit the type raises storage.CsvRejected and leaves no version behind."""
    dataset = Dataset.objects.select_for_update().get(pk=dataset.pk)
    now = timezone.now()
    if version_number is not None:
        version = _writable_version(dataset, version_number)
    else:
        version = _new_version_for_import(dataset, user, mode, version_name, now)
    with published_in_background(publish_now) as publish, workspace() as conn:
        added = bulk_load.load_csv(conn, dataset.pk, dataset.dataset_type.column_specs, version.number, stream,
                                   on_progress=progress_reporter(dataset_id=dataset.pk, total=size, publish=publish),
                                   open_connection=workspace)
        version.row_count = storage.count_rows(conn, dataset.pk, version.path) if mode == "append" or \
            version_number is not None else added
    version.last_modified = now
    version.save()
    dataset.save(update_fields=["last_modified"])
    publish_on_commit(f"dataset:{dataset.pk}", "version_changed",
                      {"number": version.number, "row_count": version.row_count})
    status_refresh_on_commit(dataset_ids=[dataset.pk])
    analyze_on_commit(dataset.pk)
    return version


def _new_version_for_import(dataset: Dataset, user: User, mode: str, name: str, now: Any) -> DatasetVersion:
    number = next_version_number(dataset)
    if mode == "replace" or number == 0:
        base, path = (None, [number])
    elif mode == "append":
        final = _latest_final(dataset)
        if final is None:
            raise ServiceError("no_final_base", "Appending needs a final version to build on; finalize one first.",
                               status=409)
        base, path = final.number, [*final.path, number]
    else:
        raise ServiceError("invalid_mode", "mode must be 'replace' or 'append'.")
    default_name = "Initial Version" if number == 0 else f"Imported {now:%Y-%m-%d %H:%M}"
    return DatasetVersion.objects.create(dataset=dataset, number=number, name=name or default_name, base=base,
                                         path=path, creator=user, last_modified=now)


@transaction.atomic
def version_create(*, dataset: Dataset, base_number: int, user: User, name: str = "",
                   description: str = "") -> DatasetVersion:
    dataset = Dataset.objects.select_for_update().get(pk=dataset.pk)
    base = published_versions(dataset).filter(number=base_number).first()
    if base is None:
        raise ServiceError("no_such_version", f"Dataset {dataset.name!r} has no version {base_number}.", status=404)
    if not base.is_final:
        raise ServiceError("base_not_final", f"Version {base_number} is not final: new versions come only from a "
                           "final base.", status=409)
    number = next_version_number(dataset)
    version = DatasetVersion.objects.create(
        dataset=dataset, number=number, name=name or f"Version {number}", description=description,
        base=base.number, path=[*base.path, number], row_count=base.row_count, creator=user,
        last_modified=timezone.now())
    publish_on_commit(f"dataset:{dataset.pk}", "version_changed", {"number": number, "row_count": version.row_count})
    status_refresh_on_commit(dataset_ids=[dataset.pk])
    return version


@transaction.atomic
def version_finalize(*, version: DatasetVersion) -> DatasetVersion:
    """Marks a version final without touching last_modified: its data did not change (EMF's bug)."""
    version = DatasetVersion.objects.select_for_update().get(pk=version.pk)
    if version.is_final:
        raise ServiceError("version_final", f"Version {version.number} is already final.", status=409)
    version.is_final = True
    version.save(update_fields=["is_final"])
    publish_on_commit(f"dataset:{version.dataset_id}", "version_changed",
                      {"number": version.number, "is_final": True})
    status_refresh_on_commit(dataset_ids=[version.dataset_id])
    return version


@transaction.atomic
def version_delete_rows(*, dataset: Dataset, number: int, record_ids: list[int]) -> DatasetVersion:
    dataset = Dataset.objects.select_for_update().get(pk=dataset.pk)
    version = _writable_version(dataset, number)
    with workspace() as conn:
        storage.delete_rows(conn, dataset.pk, version.number, version.path, record_ids)
        version.row_count = storage.count_rows(conn, dataset.pk, version.path)
    version.last_modified = timezone.now()
    version.save()
    publish_on_commit(f"dataset:{dataset.pk}", "version_changed",
                      {"number": version.number, "row_count": version.row_count})
    status_refresh_on_commit(dataset_ids=[dataset.pk])
    return version


@transaction.atomic
def dataset_remove(*, dataset: Dataset) -> Dataset:
    usage = dataset_usage(dataset=dataset)
    if usage:
        names = ", ".join(sorted({u["module_name"] for u in usage}))
        raise ServiceError("dataset_in_use", f"Modules use {dataset.name!r}: {names}.", status=409,
                           details={"modules": usage})
    dataset.removed_at = timezone.now()
    dataset.revision += 1
    dataset.save()
    publish_on_commit(f"project:{dataset.project_id}", "dataset_removed", {"id": dataset.pk})
    status_refresh_on_commit(dataset_ids=[dataset.pk])
    return dataset


@transaction.atomic
def dataset_purge(*, dataset: Dataset) -> None:
    if dataset.removed_at is None:
        raise ServiceError("not_removed", "Remove the dataset before purging it.", status=409)
    dataset_id = dataset.pk
    dataset.delete()
    status_refresh_on_commit(dataset_ids=[dataset_id])
    with workspace() as conn:
        storage.drop_table(conn, dataset_id)
