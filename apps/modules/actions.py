"""Module actions beyond create/read/update (issue 6): edit lock, finalize, copy, removal,
compare and bring-up-to-date. Mixed into ModuleViewSet; each validates, calls a service, serializes."""

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_serializer
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from apps.accounts.permissions import check_project_access
from apps.accounts.roles import Role
from apps.api.etag import etag_of
from apps.api.serializers import StrictSerializer
from apps.core.exceptions import ServiceError
from apps.locks.views import EditLockMixin
from apps.modules import selectors
from apps.modules.compare import compare_modules
from apps.modules.copying import module_copy
from apps.modules.finalize import finalize_plan, module_finalize
from apps.modules.models import Module
from apps.modules.removal import module_remove, removal_plan
from apps.modules.serializers import (
    BringUpToDateResultSerializer,
    ComparisonSerializer,
    ModuleFinalizePlanSerializer,
    ModuleSerializer,
    RemovalPlanSerializer,
)
from apps.modules.uptodate import bring_up_to_date

MAX_BRING_UP_TO_DATE = 200


@extend_schema_serializer(component_name="ModuleCopy")  # the body: ModuleCopyRequest
class CopyRequestSerializer(StrictSerializer):
    name = serializers.CharField(max_length=200, required=False, allow_blank=True, trim_whitespace=False)


class BringUpToDateSerializer(StrictSerializer):
    modules = serializers.ListField(child=serializers.IntegerField(min_value=1), min_length=1,
                                    max_length=MAX_BRING_UP_TO_DATE)

    def validate_modules(self, value: list[int]) -> list[int]:
        if len(set(value)) != len(value):
            raise serializers.ValidationError("A module is listed more than once.")
        return value


class FinalizeConfirmSerializer(StrictSerializer):
    """The ids of the finalize plan's non-final type versions and dataset versions the admin agreed to."""
    type_versions = serializers.ListField(child=serializers.IntegerField(min_value=1), max_length=1000, default=list)
    dataset_versions = serializers.ListField(child=serializers.IntegerField(min_value=1), max_length=10_000,
                                             default=list)


@extend_schema_serializer(component_name="ModuleFinalize")  # the body: ModuleFinalizeRequest
class FinalizeRequestSerializer(StrictSerializer):
    confirm = FinalizeConfirmSerializer(required=False)


class CompareQuerySerializer(StrictSerializer):
    first = serializers.IntegerField(min_value=1)
    second = serializers.IntegerField(min_value=1)


class RemoveQuerySerializer(StrictSerializer):
    remove_outputs = serializers.ChoiceField(choices=["true", "false"], required=False, default="false")


class ModuleActionsMixin(EditLockMixin):
    lock_kind = "module"

    def _visible_modules(self) -> QuerySet[Module]:
        return self.scope_to_visible_projects(selectors.modules_queryset())  # type: ignore[attr-defined,no-any-return]

    def _module_response(self, module: Module, status: int = 200) -> Response:
        module = selectors.modules_queryset().get(pk=module.pk)
        response = Response(ModuleSerializer(module).data, status=status)
        response["ETag"] = etag_of(module)
        return response

    @extend_schema(request=FinalizeRequestSerializer, responses=ModuleSerializer)
    @action(detail=True, methods=["post"])
    def finalize(self, request: Request, pk: str) -> Response:
        """Admin only. 409 `cannot_finalize` with details.reasons when an EMF condition fails; with
        `confirm` (the finalize plan's ids) its type versions are finalized with it, 409 `plan_changed`."""
        module: Module = self.get_object()  # type: ignore[attr-defined]
        check_project_access(user=request.user, project_id=module.project_id, required=Role.ADMIN)
        data = FinalizeRequestSerializer(data=request.data or {})
        data.is_valid(raise_exception=True)
        confirm = data.validated_data.get("confirm")
        return self._module_response(module_finalize(module=module, user=request.user,  # type: ignore[arg-type]
                                                     confirm=dict(confirm) if confirm is not None else None))

    @extend_schema(responses=ModuleFinalizePlanSerializer)
    @action(detail=True, methods=["get"], url_path="finalize-plan")
    def finalize_plan(self, request: Request, pk: str) -> Response:
        """What finalizing finalizes with the module (type versions, dataset versions) and what refuses it."""
        return Response(finalize_plan(module=self.get_object()))  # type: ignore[attr-defined]

    @extend_schema(request=CopyRequestSerializer, responses={201: ModuleSerializer})
    @action(detail=True, methods=["post"])
    def copy(self, request: Request, pk: str) -> Response:
        module: Module = self.get_object()  # type: ignore[attr-defined]
        data = CopyRequestSerializer(data=request.data or {})
        data.is_valid(raise_exception=True)
        copy = module_copy(source=module, user=request.user, name=data.validated_data.get("name"))  # type: ignore[arg-type]
        return self._module_response(copy, status=201)

    @extend_schema(responses=RemovalPlanSerializer)
    @action(detail=True, methods=["get"], url_path="removal-plan")
    def removal_plan(self, request: Request, pk: str) -> Response:
        return Response(removal_plan(module=self.get_object(), user=request.user))  # type: ignore[attr-defined,arg-type]

    @extend_schema(parameters=[OpenApiParameter("remove_outputs", bool, required=False)], responses={204: None})
    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Non-admins: their own non-final modules. The module's history goes with it."""
        module = self.get_object()  # type: ignore[attr-defined]
        query = RemoveQuerySerializer(data=request.query_params.dict())
        query.is_valid(raise_exception=True)
        module_remove(module=module, user=request.user,  # type: ignore[arg-type]
                      remove_outputs=query.validated_data["remove_outputs"] == "true")
        return Response(status=204)

    @extend_schema(parameters=[OpenApiParameter("first", int, required=True),
                               OpenApiParameter("second", int, required=True)], responses=ComparisonSerializer)
    @action(detail=False, methods=["get"])
    def compare(self, request: Request) -> Response:
        query = CompareQuerySerializer(data=request.query_params.dict())
        query.is_valid(raise_exception=True)
        found = self._visible_modules().in_bulk([query.validated_data["first"], query.validated_data["second"]])
        first, second = found.get(query.validated_data["first"]), found.get(query.validated_data["second"])
        if first is None or second is None:
            missing = "first" if first is None else "second"
            raise ServiceError("not_found", f"The {missing} module does not exist or is not visible to you.",
                               status=404, details={"module": query.validated_data[missing]})
        return Response(compare_modules(first=first, second=second))

    @extend_schema(request=BringUpToDateSerializer, responses={202: BringUpToDateResultSerializer})
    @action(detail=False, methods=["post"], url_path="bring-up-to-date")
    def bring_up_to_date(self, request: Request) -> Response:
        """Runs the selected modules in dependency order (202); each needs the Modeler role."""
        data = BringUpToDateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        wanted = data.validated_data["modules"]
        found = self._visible_modules().in_bulk(wanted)
        missing = [pk for pk in wanted if pk not in found]
        if missing:
            raise ServiceError("not_found", f"Module {missing[0]} does not exist or is not visible to you.",
                               status=404, details={"modules": missing})
        for project_id in sorted({m.project_id for m in found.values()}):
            check_project_access(user=request.user, project_id=project_id, required=Role.MODELER)
        result = bring_up_to_date(modules=[found[pk] for pk in wanted], user=request.user)  # type: ignore[arg-type]
        return Response(BringUpToDateResultSerializer(result).data, status=202)
