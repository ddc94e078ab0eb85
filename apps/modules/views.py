from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from apps.accounts.permissions import (
    ProjectScopedMixin,
    invalid_reference,
    is_member,
    project_for_write,
    required_role,
)
from apps.accounts.roles import Role
from apps.api.etag import ETagMixin, etag_of
from apps.api.renderers import FastJSONRenderer
from apps.locks.services import lock_check_free
from apps.modules import selectors, services
from apps.modules import serializers as s
from apps.modules.actions import ModuleActionsMixin
from apps.modules.filters import filter_modules
from apps.modules.listing import module_rows
from apps.modules.models import Module
from apps.modules.parameter_values import (
    check_overrides,
    check_parameter_values,
    parameter_value_errors,
)
from apps.modules.status import module_status, validation_problems
from apps.moduletypes.models import ModuleTypeVersion
from apps.moduletypes.selectors import validation_errors
from apps.runs.serializers import RunSerializer, RunSummarySerializer
from apps.runs.services import run_request


class ModuleViewSet(ProjectScopedMixin, ETagMixin, ModuleActionsMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                    viewsets.GenericViewSet):
    serializer_class = s.ModuleSerializer
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self) -> QuerySet[Module]:
        return self.scope_to_visible_projects(selectors.modules_queryset())

    def get_renderers(self) -> list[BaseRenderer]:
        # The list of all modules is large (~800 KiB for 1,000); the rest keeps DRF's renderer.
        return [FastJSONRenderer()] if self.action == "list" else super().get_renderers()

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        queryset, computed = filter_modules(self.get_queryset(), request.query_params)
        return Response(module_rows(queryset, status=computed.get("status"), lock_owner=computed.get("lock_owner")))

    @extend_schema(request=s.ModuleWriteSerializer, responses={201: s.ModuleSerializer})
    def create(self, request: Request) -> Response:
        data = s.ModuleWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        project = project_for_write(user=request.user, project_id=values.pop("project"),
                                    required=required_role(self, request))
        version = self._type_version(values.pop("type_version"))
        check_parameter_values(slots=version.parameter_slots, values=values.get("parameter_bindings") or {})
        module = services.module_create(project=project, type_version=version, creator=request.user, **values)  # type: ignore[arg-type]
        return self._respond(module, status=201)

    @extend_schema(request=s.ModuleUpdateSerializer, responses=s.ModuleSerializer)
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = s.ModuleUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        if "project" in fields:
            fields["project"] = project_for_write(user=request.user, project_id=fields["project"], required=Role.MODELER)
        if "type_version" in fields:
            fields["type_version"] = self._type_version(fields["type_version"])
        with self.write_atomically():
            module: Module = self.get_object_for_write()  # type: ignore[assignment]
            lock_check_free(kind="module", object_id=module.pk, user=request.user)  # type: ignore[arg-type]
            if fields.keys() & {"parameter_bindings", "type_version"}:
                check_parameter_values(slots=fields.get("type_version", module.type_version).parameter_slots,
                                       values=fields.get("parameter_bindings", module.parameter_bindings))
            module = services.module_update(module=module, fields=fields)
        return self._respond(module)

    def _type_version(self, pk: int) -> ModuleTypeVersion:
        """One the user can see (in any of their projects); else the same 400 as a missing one."""
        version = ModuleTypeVersion.objects.select_related("module_type").filter(pk=pk).first()
        if version is None or not is_member(user=self.request.user, project_id=version.project_id):
            raise invalid_reference("type_version", "module type version")
        return version

    def _respond(self, module: Module, status: int = 200) -> Response:
        module = selectors.modules_queryset().get(pk=module.pk)
        return self.respond_with_etag(module, s.ModuleSerializer(module).data, status=status)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        module = self.get_object()
        response = Response(s.ModuleSerializer(module).data)
        response["ETag"] = etag_of(module)
        return response

    @extend_schema(responses=s.StatusSerializer)
    @action(detail=True, methods=["get"])
    def status(self, request: Request, pk: str) -> Response:
        return Response(module_status(self.get_object()).as_dict())

    @extend_schema(request=None, responses=s.ModuleValidationSerializer)
    @action(detail=True, methods=["post"])
    def validate(self, request: Request, pk: str) -> Response:
        """Checks the saved module: its bindings and parameters, and its type version's algorithm or diagram."""
        module = self.get_object()
        errors = [*validation_problems(module),
                  *parameter_value_errors(slots=module.type_version.parameter_slots, values=module.parameter_bindings),
                  *({"code": e["code"], "message": f"Module type: {e['message']}"}
                    for e in validation_errors(version=module.type_version))]
        return Response({"valid": not errors, "errors": errors})

    @extend_schema(request=s.RunRequestSerializer, responses={202: RunSerializer})
    @action(detail=True, methods=["post"])
    def run(self, request: Request, pk: str) -> Response:
        module = self.get_object()
        data = s.RunRequestSerializer(data=request.data or {})
        data.is_valid(raise_exception=True)
        parameters = data.validated_data["parameters"]
        check_overrides(slots=module.type_version.parameter_slots, values=parameters)
        run = run_request(module=module, user=request.user, mode=data.validated_data["mode"],  # type: ignore[arg-type]
                          parameters=parameters)
        return Response(RunSerializer(run).data, status=202)

    @extend_schema(responses=RunSummarySerializer(many=True))
    @action(detail=True, methods=["get"])
    def history(self, request: Request, pk: str) -> Response:
        module = self.get_object()
        return Response(RunSummarySerializer(module.runs.select_related("user"), many=True).data)
