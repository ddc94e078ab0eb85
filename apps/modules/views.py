from typing import Any

from django.db.models import QuerySet
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from apps.accounts.models import Project
from apps.accounts.roles import Role
from apps.api.errors import ServiceError
from apps.api.etag import ETagMixin
from apps.api.permissions import ProjectScopedMixin, check_project_access, required_role
from apps.modules import serializers as s
from apps.modules import services
from apps.modules.actions import ModuleActionsMixin
from apps.modules.models import Module
from apps.moduletypes.models import ModuleTypeVersion
from apps.runs.serializers import RunSerializer, RunSummarySerializer
from apps.runs.services import run_request


class ModuleViewSet(ProjectScopedMixin, ETagMixin, ModuleActionsMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                    viewsets.GenericViewSet):
    serializer_class = s.ModuleSerializer
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self) -> QuerySet[Module]:
        return self.scope_to_visible_projects(
            Module.objects.select_related("creator", "type_version__module_type"))

    def create(self, request: Request) -> Response:
        data = s.ModuleWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        project = Project.objects.filter(pk=values.pop("project")).first()
        version = ModuleTypeVersion.objects.filter(pk=values.pop("type_version")).first()
        if project is None or version is None:
            raise ServiceError("invalid", "Some of the values sent are not valid.",
                               details={"project" if project is None else "type_version": ["Unknown."]})
        check_project_access(user=request.user, project_id=project.pk, required=required_role(self, request))
        check_project_access(user=request.user, project_id=version.project_id, required=Role.VIEWER)
        module = services.module_create(project=project, type_version=version, creator=request.user, **values)  # type: ignore[arg-type]
        return self.respond_with_etag(module, s.ModuleSerializer(module).data, status=201)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = s.ModuleUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        with self.write_atomically():
            module = services.module_update(module=self.get_object_for_write(), fields=data.validated_data)  # type: ignore[arg-type]
        return self.respond_with_etag(module, s.ModuleSerializer(module).data)

    @action(detail=True, methods=["post"])
    def run(self, request: Request, pk: str) -> Response:
        module = self.get_object()
        data = s.RunRequestSerializer(data=request.data or {})
        data.is_valid(raise_exception=True)
        run = run_request(module=module, user=request.user, mode=data.validated_data["mode"])  # type: ignore[arg-type]
        return Response(RunSerializer(run).data, status=202)

    @action(detail=True, methods=["get"])
    def history(self, request: Request, pk: str) -> Response:
        module = self.get_object()
        return Response(RunSummarySerializer(module.runs.select_related("user"), many=True).data)
