from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.permissions import ProjectScopedMixin, project_for_write, required_role
from apps.accounts.roles import Role
from apps.api.etag import ETagMixin
from apps.core.exceptions import ServiceError
from apps.locks.views import EditLockMixin
from apps.moduletypes import selectors, services
from apps.moduletypes import serializers as s
from apps.moduletypes.models import ModuleType, ModuleTypeVersion


class ModuleTypeViewSet(ProjectScopedMixin, ETagMixin, EditLockMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                        viewsets.GenericViewSet):
    serializer_class = s.ModuleTypeSerializer
    lock_kind = selectors.LOCK_KIND
    action_roles = {"destroy": Role.ADMIN}
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self) -> QuerySet[ModuleType]:
        queryset = ModuleType.objects.select_related("creator").prefetch_related("versions")
        if self.action == "list":
            params = self.request.query_params
            queryset = selectors.filter_module_types(queryset, search=params.get("search", ""),
                                                     kind=params.get("kind", ""), final=params.get("final", ""),
                                                     tag=params.get("tag", ""))
        return self.scope_to_visible_projects(queryset)

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        types = list(self.filter_queryset(self.get_queryset()))
        locks = selectors.module_type_locks(t.pk for t in types)
        return Response(s.ModuleTypeSerializer(types, many=True, context={"locks": locks}).data)

    @extend_schema(request=s.ModuleTypeCreateSerializer, responses={201: s.ModuleTypeSerializer})
    def create(self, request: Request) -> Response:
        data = s.ModuleTypeCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        project = project_for_write(user=request.user, project_id=values.pop("project"),
                                    required=required_role(self, request))
        module_type = services.module_type_create(project=project, creator=request.user, **values)  # type: ignore[arg-type]
        return Response(s.ModuleTypeSerializer(module_type).data, status=201)

    @extend_schema(request=s.ModuleTypeUpdateSerializer, responses=s.ModuleTypeSerializer)
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = s.ModuleTypeUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        with self.write_atomically():
            module_type = services.module_type_update(module_type=self.get_object_for_write(),  # type: ignore[arg-type]
                                                      fields=data.validated_data, user=request.user)  # type: ignore[arg-type]
        return self.respond_with_etag(module_type, s.ModuleTypeSerializer(module_type).data)

    @extend_schema(responses={204: None})
    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        services.module_type_delete(module_type=self.get_object(), user=request.user)  # type: ignore[arg-type]
        return Response(status=204)

    @extend_schema(request=s.CopyVersionSerializer, responses={201: s.VersionSerializer})
    @action(detail=True, methods=["post"])
    def versions(self, request: Request, pk: str) -> Response:
        module_type = self.get_object()
        data = s.CopyVersionSerializer(data=request.data or {})
        data.is_valid(raise_exception=True)
        source_id = data.validated_data.get("source")
        source = module_type.versions.filter(pk=source_id).first() if source_id else \
            module_type.versions.order_by("-number").first()
        if source is None:
            raise ServiceError("no_such_version", "The version to copy does not exist in this module type.", status=404)
        copy = services.version_copy(source=source, author=request.user, name=data.validated_data["name"])  # type: ignore[arg-type]
        return Response(s.VersionSerializer(copy).data, status=201)


class ModuleTypeVersionViewSet(ProjectScopedMixin, ETagMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                               viewsets.GenericViewSet):
    serializer_class = s.VersionSerializer
    project_lookup = "module_type__project"
    action_roles = {"finalize": Role.ADMIN}
    http_method_names = ["get", "patch", "post", "delete", "head", "options"]

    def get_serializer_class(self) -> Any:
        return s.PaletteVersionSerializer if self.action == "list" else s.VersionSerializer

    def get_queryset(self) -> QuerySet[ModuleTypeVersion]:
        queryset = ModuleTypeVersion.objects.select_related("module_type", "creator")
        if self.action == "list":
            params = self.request.query_params
            if params.get("kind") in ("simple", "composite", "progressive"):
                queryset = queryset.filter(module_type__kind=params["kind"])
            if params.get("final") in ("true", "false"):
                queryset = queryset.filter(is_final=params["final"] == "true")
            queryset = queryset.order_by("module_type__name", "number")
        else:
            queryset = queryset.prefetch_related("revision_notes__author")
        return self.scope_to_visible_projects(queryset)

    @extend_schema(request=s.VersionUpdateSerializer, responses=s.VersionSerializer)
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = s.VersionUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        note, confirm = fields.pop("revision_note"), fields.pop("confirm_dependents")
        with self.write_atomically():
            version = services.version_update(version=self.get_object_for_write(), fields=fields, note=note,  # type: ignore[arg-type]
                                              author=request.user, confirm_dependents=confirm)  # type: ignore[arg-type]
        return self.respond_with_etag(version, s.VersionSerializer(version).data)

    @extend_schema(responses={204: None})
    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        services.version_delete(version=self.get_object(), user=request.user)  # type: ignore[arg-type]
        return Response(status=204)

    @extend_schema(request=s.DraftSerializer, responses=s.TypeValidationSerializer)
    @action(detail=True, methods=["post"])
    def validate(self, request: Request, pk: str) -> Response:
        version = self.get_object()
        draft = s.DraftSerializer(data=request.data or {})
        draft.is_valid(raise_exception=True)
        fields = dict(draft.validated_data)
        errors = selectors.validation_errors(version=version, draft=fields)
        phases = selectors.graph_phases(version=version, graph=fields.get("graph", version.graph or {}))
        return Response({"valid": not errors, "errors": errors, "phases": phases})

    @extend_schema(responses=s.FinalizePlanSerializer)
    @action(detail=True, methods=["get"], url_path="finalize-plan")
    def finalize_plan(self, request: Request, pk: str) -> Response:
        return Response(s.FinalizePlanSerializer({"versions": selectors.finalize_plan(version=self.get_object())}).data)

    @extend_schema(request=s.FinalizeSerializer, responses=s.VersionSerializer)
    @action(detail=True, methods=["post"])
    def finalize(self, request: Request, pk: str) -> Response:
        data = s.FinalizeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        version = services.version_finalize(version=self.get_object(), confirm=data.validated_data["confirm"],
                                            author=request.user)  # type: ignore[arg-type]
        return Response(s.VersionSerializer(version).data)

    @extend_schema(request=s.NewTypeSerializer, responses={201: s.ModuleTypeSerializer})
    @action(detail=True, methods=["post"], url_path="new-type")
    def new_type(self, request: Request, pk: str) -> Response:
        data = s.NewTypeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        module_type = services.module_type_from_version(source=self.get_object(), name=data.validated_data["name"],
                                                        author=request.user)  # type: ignore[arg-type]
        return Response(s.ModuleTypeSerializer(module_type).data, status=201)


class SqlTypesView(APIView):
    @extend_schema(responses={200: list[str]})
    def get(self, request: Request) -> Response:
        return Response(list(settings.SQL_TYPES))
