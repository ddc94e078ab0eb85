from typing import Any

from django.db.models import Count, QuerySet
from django.db.models.functions import Lower
from django.http import StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from apps.accounts.permissions import (
    ProjectScopedMixin,
    invalid_reference,
    owns_or_admin,
    project_for_write,
    required_role,
)
from apps.accounts.roles import Role, role_at_least
from apps.api.etag import ETagMixin
from apps.api.uploads import CsvBodyParser, body_file, body_has_media_type, body_length
from apps.core.exceptions import ServiceError
from apps.datasets import selectors, services
from apps.datasets import serializers as s
from apps.datasets.models import Dataset, DatasetType
from apps.datasets.workspace import workspace
from apps.engine import storage


class DatasetTypeViewSet(ETagMixin, viewsets.ModelViewSet):
    """Dataset types are shared by all projects: everyone reads, modelers create, admins change."""

    permission_classes = [IsAuthenticated]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    serializer_class = s.DatasetTypeSerializer

    def get_queryset(self) -> QuerySet[DatasetType]:
        # Sorted by name (case aside) for every picker; Meta.ordering does not survive the aggregate.
        return (DatasetType.objects.select_related("creator").annotate(dataset_count=Count("datasets"))
                .order_by(Lower("name"), "pk"))

    def _require(self, role: str) -> None:
        if not role_at_least(self.request.user.role, role) and not self.request.user.is_app_admin:  # type: ignore[union-attr]
            raise PermissionDenied(f"This needs the {Role(role).label} role.")

    @extend_schema(request=s.DatasetTypeWriteSerializer, responses={201: s.DatasetTypeSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        self._require(Role.MODELER)
        data = s.DatasetTypeWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        created = services.dataset_type_create(creator=request.user, **data.validated_data)  # type: ignore[arg-type]
        return self.respond_with_etag(created, s.DatasetTypeSerializer(created).data, status=201)

    @extend_schema(request=s.DatasetTypeUpdateSerializer, responses=s.DatasetTypeSerializer)
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        self.get_object()
        self._require(Role.ADMIN)
        data = s.DatasetTypeUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        with self.write_atomically():
            updated = services.dataset_type_update(dataset_type=self.get_object_for_write(),  # type: ignore[arg-type]
                                                   fields=data.validated_data)
        return self.respond_with_etag(updated, s.DatasetTypeSerializer(updated).data)

    @extend_schema(responses={204: None})
    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        dataset_type = self.get_object()
        self._require(Role.ADMIN)
        services.dataset_type_delete(dataset_type=dataset_type)
        return Response(status=204)

    @extend_schema(responses=s.DatasetTypeUsageSerializer)
    @action(detail=True, methods=["get"])
    def usage(self, request: Request, pk: str) -> Response:
        """What uses the type among the caller's projects: datasets and module type versions (slots)."""
        return Response(selectors.dataset_type_usage(dataset_type=self.get_object(), user=request.user))  # type: ignore[arg-type]


# What the datasets API does with a module's aggregation state (docs/aggregation.md): read it, nothing more.
STATE_READS = ("retrieve", "rows", "export", "versions")


class DatasetViewSet(ProjectScopedMixin, ETagMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                     viewsets.GenericViewSet):
    serializer_class = s.DatasetSerializer
    action_roles = {"purge": Role.ADMIN}
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self) -> QuerySet[Dataset]:
        base = Dataset.objects.select_related("dataset_type", "project", "creator")
        if self.action == "list":
            base = selectors.datasets_for(queryset=base, user=self.request.user,  # type: ignore[arg-type]
                                          params=self.request.query_params.dict())
        elif self.action != "purge":
            base = base.filter(removed_at__isnull=True, pending_run__isnull=True)
        if self.action not in STATE_READS or self.request.method not in ("GET", "HEAD"):
            base = base.filter(is_aggregation_state=False)  # a module's state: read-only, here
        if self.action in ("list", "retrieve"):  # the only actions that serialize every version
            base = selectors.with_published_versions(base)
        return self.scope_to_visible_projects(base)

    @extend_schema(request=s.DatasetCreateSerializer, responses={201: s.DatasetSerializer})
    def create(self, request: Request) -> Response:
        data = s.DatasetCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        project = project_for_write(user=request.user, project_id=values.pop("project"),
                                    required=required_role(self, request))
        dataset_type = DatasetType.objects.filter(pk=values.pop("dataset_type")).first()
        if dataset_type is None:
            raise invalid_reference("dataset_type", "dataset type")
        dataset = services.dataset_create(project=project, dataset_type=dataset_type, creator=request.user,  # type: ignore[arg-type]
                                          **values)
        return self.respond_with_etag(dataset, s.DatasetSerializer(dataset).data, status=201)

    @extend_schema(request=s.DatasetUpdateSerializer, responses=s.DatasetSerializer)
    def partial_update(self, request: Request, pk: str) -> Response:
        data = s.DatasetUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        with self.write_atomically():
            dataset = services.dataset_update(dataset=self.get_object_for_write(), fields=data.validated_data)  # type: ignore[arg-type]
        return self.respond_with_etag(dataset, s.DatasetSerializer(dataset).data)

    @extend_schema(responses={204: None})
    def destroy(self, request: Request, pk: str) -> Response:
        dataset = self.get_object()
        self._require_creator_or_admin(dataset)
        services.dataset_remove(dataset=dataset)
        return Response(status=204)

    def _require_creator_or_admin(self, dataset: Dataset) -> None:
        user = self.request.user
        if not owns_or_admin(user=user, owner_id=dataset.creator_id):
            raise PermissionDenied("Only its creator or an admin can remove this dataset.")

    @extend_schema(request=None, responses={204: None})
    @action(detail=True, methods=["post"])
    def purge(self, request: Request, pk: str) -> Response:
        services.dataset_purge(dataset=self.get_object())
        return Response(status=204)

    @extend_schema(request={"text/csv": OpenApiTypes.BINARY, "multipart/form-data": s.ImportSerializer},
                   parameters=[s.ImportOptionsSerializer], responses={201: s.VersionSerializer})
    @action(detail=True, methods=["post"], url_path="import", parser_classes=[MultiPartParser, CsvBodyParser])
    def import_csv(self, request: Request, pk: str) -> Response:
        """The CSV is the body (`Content-Type: text/csv`, options in the query string), or the
        `file` part of a multipart form (options as form fields)."""
        dataset = self.get_object()
        if body_has_media_type(request, CsvBodyParser.media_type):
            options = s.ImportOptionsSerializer(data=request.query_params.dict())
            options.is_valid(raise_exception=True)
            stream, size = body_file(request._request), body_length(request)
        else:
            options = s.ImportSerializer(data=request.data)
            options.is_valid(raise_exception=True)
            stream, size = options.validated_data["file"], options.validated_data["file"].size
        try:
            version = services.dataset_import(
                dataset=dataset, user=request.user, stream=stream, size=size,  # type: ignore[arg-type]
                version_number=options.validated_data.get("version"), mode=options.validated_data["mode"],
                version_name=options.validated_data["version_name"])
        except storage.CsvRejected as exc:
            raise ServiceError("bad_csv", f"The CSV does not fit the dataset type ({exc}); nothing was imported.",
                               details={"errors": [p.as_dict() for p in exc.problems]}) from None
        return Response(s.VersionSerializer(version).data, status=201)

    @extend_schema(methods=["GET"], responses=s.VersionSerializer(many=True))
    @extend_schema(methods=["POST"], request=s.VersionCreateSerializer, responses={201: s.VersionSerializer})
    @action(detail=True, methods=["get", "post"])
    def versions(self, request: Request, pk: str) -> Response:
        dataset = self.get_object()
        if request.method == "GET":
            return Response(s.VersionSerializer(selectors.published_versions(dataset), many=True).data)
        data = s.VersionCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        version = services.version_create(dataset=dataset, base_number=data.validated_data["base"],
                                          user=request.user, name=data.validated_data["name"],  # type: ignore[arg-type]
                                          description=data.validated_data["description"])
        return Response(s.VersionSerializer(version).data, status=201)

    @extend_schema(request=None, responses=s.VersionSerializer)
    @action(detail=True, methods=["post"], url_path=r"versions/(?P<number>\d+)/finalize")
    def finalize(self, request: Request, pk: str, number: str) -> Response:
        dataset = self.get_object()
        version = selectors.version_of(dataset=dataset, number=int(number))
        if version is None:
            raise ServiceError("no_such_version", f"Dataset {dataset.name!r} has no version {number}.", status=404)
        return Response(s.VersionSerializer(services.version_finalize(version=version)).data)

    @extend_schema(request=s.DeleteRowsSerializer, responses=s.VersionSerializer)
    @action(detail=True, methods=["post"], url_path=r"versions/(?P<number>\d+)/delete-rows")
    def delete_rows(self, request: Request, pk: str, number: str) -> Response:
        dataset = self.get_object()
        data = s.DeleteRowsSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        version = services.version_delete_rows(dataset=dataset, number=int(number),
                                               record_ids=data.validated_data["record_ids"])
        return Response(s.VersionSerializer(version).data)

    def _version_or_404(self, dataset: Dataset, number: Any) -> Any:
        version = selectors.version_of(dataset=dataset, number=number)
        if version is None:
            raise ServiceError("no_such_version", f"Dataset {dataset.name!r} has no version "
                               f"{'at all' if number is None else number}.", status=404)
        return version

    @extend_schema(parameters=[s.RowsQuerySerializer], responses=s.RowsPageSerializer)
    @action(detail=True, methods=["get"])
    def rows(self, request: Request, pk: str) -> Response:
        dataset = self.get_object()
        query = s.RowsQuerySerializer(data=_query_dict(request))
        query.is_valid(raise_exception=True)
        q = query.validated_data
        version = self._version_or_404(dataset, q.get("version"))
        columns = dataset.dataset_type.column_specs  # select_related: no query
        try:
            filters = [_parse_filter(text) for text in q["filter"]]
            with workspace() as conn:
                page = storage.read_page(conn, dataset.pk, columns, version.path, limit=q["limit"],
                                         after=q.get("after"), sort=q["sort"], descending=q["order"] == "desc",
                                         filters=filters)
        except storage.BadQuery as exc:
            raise ServiceError("bad_query", str(exc)) from None
        return Response({"version": version.number, "columns": dataset.dataset_type.columns,
                         "rows": page.rows, "next": page.next_cursor, "row_count": version.row_count})

    @extend_schema(parameters=[s.ExportQuerySerializer],
                   responses={(200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="The rows as CSV.")})
    @action(detail=True, methods=["get"])
    def export(self, request: Request, pk: str) -> StreamingHttpResponse:
        """The version as CSV; with the row viewer's `filter`s and `sort`/`order`, the rows it shows."""
        dataset = self.get_object()
        query = s.ExportQuerySerializer(data=_query_dict(request))
        query.is_valid(raise_exception=True)
        q = query.validated_data
        version = self._version_or_404(dataset, q.get("version"))
        try:
            filters = [_parse_filter(text) for text in q["filter"]]
        except storage.BadQuery as exc:
            raise ServiceError("bad_query", str(exc)) from None
        chunks = selectors.version_csv(dataset=dataset, version=version, sort=q["sort"],
                                       descending=q["order"] == "desc", filters=filters)
        # Under ASGI Django would list() a sync iterator; COPY runs in a thread feeding the response.
        response = StreamingHttpResponse(storage.iterate_in_thread(chunks), content_type="text/csv; charset=utf-8")
        filename = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in dataset.name)
        response["Content-Disposition"] = f'attachment; filename="{filename}_v{version.number}.csv"'
        return response

    @extend_schema(responses=s.RelatedModuleSerializer(many=True))
    @action(detail=True, methods=["get"], url_path="related-modules")
    def related_modules(self, request: Request, pk: str) -> Response:
        return Response(selectors.related_modules(dataset=self.get_object()))


def _query_dict(request: Request) -> dict[str, Any]:
    data: dict[str, Any] = {k: v for k, v in request.query_params.items() if k != "filter"}
    data["filter"] = request.query_params.getlist("filter")
    return data


def _parse_filter(text: str) -> storage.RowFilter:
    """`column:op[:value]`, e.g. `year:ge:2020`, `comments:contains:coal`, `fuel:is_null`."""
    column, _, rest = text.partition(":")
    op, _, value = rest.partition(":")
    if not column or not op:
        raise storage.BadQuery(f"Filter {text!r} should look like column:op:value.")
    return storage.RowFilter(column=column, op=op, value=value if value or op not in ("is_null", "not_null") else None)
