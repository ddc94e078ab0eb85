from typing import Any

from django.db.models import QuerySet
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from apps.accounts.models import Project
from apps.api.errors import ServiceError
from apps.api.etag import ETagMixin
from apps.api.permissions import ProjectScopedMixin, check_project_access, required_role
from apps.moduletypes import serializers as s
from apps.moduletypes import services
from apps.moduletypes.models import ModuleType, ModuleTypeVersion


class ModuleTypeViewSet(ProjectScopedMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = s.ModuleTypeSerializer

    def get_queryset(self) -> QuerySet[ModuleType]:
        return self.scope_to_visible_projects(ModuleType.objects.select_related("creator").prefetch_related("versions"))

    def create(self, request: Request) -> Response:
        data = s.ModuleTypeCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        project = Project.objects.filter(pk=values.pop("project")).first()
        if project is None:
            raise ServiceError("invalid", "Some of the values sent are not valid.", details={"project": ["Unknown project."]})
        check_project_access(user=request.user, project_id=project.pk, required=required_role(self, request))
        module_type = services.module_type_create(project=project, creator=request.user, **values)  # type: ignore[arg-type]
        return Response(s.ModuleTypeSerializer(module_type).data, status=201)

    @action(detail=True, methods=["post"])
    def versions(self, request: Request, pk: str) -> Response:
        module_type = self.get_object()
        source_id = request.data.get("source") if isinstance(request.data, dict) else None
        source = module_type.versions.filter(pk=source_id).first() if source_id else \
            module_type.versions.order_by("-number").first()
        if source is None:
            raise ServiceError("no_such_version", "The version to copy does not exist.", status=404)
        copy = services.version_copy(source=source, author=request.user)  # type: ignore[arg-type]
        return Response(s.VersionSerializer(copy).data, status=201)


class ModuleTypeVersionViewSet(ProjectScopedMixin, ETagMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = s.VersionSerializer
    project_lookup = "module_type__project"
    http_method_names = ["get", "patch", "post", "head", "options"]

    def get_queryset(self) -> QuerySet[ModuleTypeVersion]:
        return self.scope_to_visible_projects(
            ModuleTypeVersion.objects.select_related("module_type", "creator").prefetch_related("revision_notes__author"))

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = s.VersionUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        note = fields.pop("revision_note")
        with self.write_atomically():
            version = services.version_update(version=self.get_object_for_write(), fields=fields, note=note,  # type: ignore[arg-type]
                                              author=request.user)  # type: ignore[arg-type]
        return self.respond_with_etag(version, s.VersionSerializer(version).data)
