from collections.abc import Callable, Iterator, Sequence
from typing import Any

from django.db.models import Prefetch, QuerySet

from apps.accounts.models import User
from apps.core.exceptions import ServiceError
from apps.datasets.models import Dataset, DatasetType, DatasetVersion
from apps.datasets.workspace import workspace
from apps.engine import storage

# Apps that bind datasets (modules) register here; each returns
# [{"module_id", "module_name", "relation": "input"|"output"|"replace"}] for a dataset.
UsageProvider = Callable[[Dataset], list[dict[str, Any]]]
usage_providers: list[UsageProvider] = []
related_providers: list[UsageProvider] = []
# Apps whose objects name dataset types (module type versions' slots) register here; each returns
# rows of the given projects that use the type.
TypeUsageProvider = Callable[[DatasetType, QuerySet[Any]], list[dict[str, Any]]]
type_usage_providers: list[TypeUsageProvider] = []


def dataset_usage(*, dataset: Dataset) -> list[dict[str, Any]]:
    """Uses that forbid removal: an input of a module, or the latest successful output of one."""
    return [use for provider in usage_providers for use in provider(dataset)]


def related_modules(*, dataset: Dataset) -> list[dict[str, Any]]:
    """Every module that reads the dataset or ever produced it."""
    return [use for provider in related_providers for use in provider(dataset)]


def bindable_datasets(*, project_id: int) -> QuerySet[Dataset]:
    """The datasets a module of project `project_id` may bind (IN, INOUT, REPLACE target): its own
    project's, not removed, not a running module's unpublished output. The one rule of DESIGN §5
    (every binding names an object of the module's own project), used when a module is saved or
    copied and again when its run is planned. A dataset of another project is then looked up
    exactly like one that does not exist, so no answer can tell the two apart. A module's aggregation
    state is its own (docs/aggregation.md): no module binds it."""
    return Dataset.objects.filter(project_id=project_id, removed_at__isnull=True, pending_run__isnull=True,
                                  is_aggregation_state=False)


def published_versions(dataset: Dataset) -> QuerySet[DatasetVersion]:
    """Versions a running module is still writing are nobody's business until it succeeds."""
    return dataset.versions.filter(pending_run__isnull=True)


PUBLISHED_VERSIONS_ATTR = "prefetched_published_versions"


def with_published_versions(queryset: QuerySet[Dataset]) -> QuerySet[Dataset]:
    """Prefetches each dataset's published versions (and their creators) in one query, for
    serializers that list them (see published_versions_of)."""
    versions = DatasetVersion.objects.filter(pending_run__isnull=True).select_related("creator").order_by("number")
    return queryset.prefetch_related(Prefetch("versions", queryset=versions, to_attr=PUBLISHED_VERSIONS_ATTR))


def published_versions_of(dataset: Dataset) -> list[DatasetVersion]:
    """The prefetched published versions when there are any, else one query."""
    prefetched: list[DatasetVersion] | None = getattr(dataset, PUBLISHED_VERSIONS_ATTR, None)
    if prefetched is not None:
        return prefetched
    return list(published_versions(dataset).select_related("creator").order_by("number"))


def version_of(*, dataset: Dataset, number: int | None) -> DatasetVersion | None:
    versions = published_versions(dataset)
    if number is None:
        return versions.order_by("-number").first()
    return versions.filter(number=number).first()


def datasets_for(*, queryset: QuerySet[Dataset], user: User, params: dict[str, str]) -> QuerySet[Dataset]:
    queryset = queryset.filter(pending_run__isnull=True, is_aggregation_state=False)
    if params.get("removed") == "true" and user.is_app_admin:
        queryset = queryset.filter(removed_at__isnull=False)
    else:
        queryset = queryset.filter(removed_at__isnull=True)
    if params.get("project", "").isdigit():
        queryset = queryset.filter(project_id=int(params["project"]))
    if params.get("type", "").isdigit():
        queryset = queryset.filter(dataset_type_id=int(params["type"]))
    if params.get("search"):
        queryset = queryset.filter(name__icontains=params["search"])
    return queryset.select_related("dataset_type", "project", "creator")


def version_csv(*, dataset: Dataset, version: DatasetVersion, sort: str = "record_id", descending: bool = False,
                filters: Sequence[storage.RowFilter] = ()) -> Callable[[], Iterator[bytes]]:
    """The CSV export of a version: its rows matching `filters` in `sort` order (as the row viewer shows
    them), or the whole version in record order. A bad column or value is a 400 before anything streams."""
    columns = dataset.dataset_type.column_specs
    try:
        with workspace() as conn:
            storage.check_export(conn, dataset.pk, columns, version.path, sort=sort, descending=descending,
                                 filters=filters)
    except storage.BadQuery as exc:
        raise ServiceError("bad_query", str(exc)) from None

    def chunks() -> Iterator[bytes]:
        with workspace() as conn:
            yield from storage.export_csv(conn, dataset.pk, columns, version.path, sort=sort, descending=descending,
                                          filters=filters)
    return chunks


def dataset_type_usage(*, dataset_type: DatasetType, user: User) -> dict[str, list[dict[str, Any]]]:
    """What uses a dataset type, among the objects of the user's projects: its datasets, and (from the
    registered providers) the module type versions with a slot of that type. Sorted by name."""
    from apps.accounts.selectors import projects_visible_to

    projects = projects_visible_to(user=user)
    datasets = (Dataset.objects.filter(dataset_type=dataset_type, removed_at__isnull=True, pending_run__isnull=True,
                                       is_aggregation_state=False, project__in=projects.values("pk"))
                .select_related("project").order_by("name", "pk"))
    rows = [row for provider in type_usage_providers for row in provider(dataset_type, projects)]
    return {"datasets": [{"id": d.pk, "name": d.name, "project": d.project_id, "project_name": d.project.name}
                         for d in datasets],
            "module_type_versions": sorted(rows, key=lambda r: (str(r.get("module_type_name", "")).lower(),
                                                                 r.get("number", 0)))}
