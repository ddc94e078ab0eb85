from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from apps.accounts.permissions import ProjectScopedMixin
from apps.runs.models import Run
from apps.runs.serializers import RunSerializer, SteerRequestSerializer
from apps.runs.services import run_cancel, run_steer


class RunViewSet(ProjectScopedMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = RunSerializer
    project_lookup = "module__project"

    def get_queryset(self) -> QuerySet[Run]:
        return self.scope_to_visible_projects(
            Run.objects.select_related("user", "module", "type_version__module_type").prefetch_related("steps", "log"))

    @extend_schema(request=None, responses={202: RunSerializer})
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str) -> Response:
        return Response(RunSerializer(run_cancel(run=self.get_object())).data, status=202)

    @extend_schema(request=SteerRequestSerializer, responses={202: RunSerializer})
    @action(detail=True, methods=["post"])
    def steer(self, request: Request, pk: str) -> Response:
        data = request.data if isinstance(request.data, dict) else {}
        run = run_steer(run=self.get_object(), user=request.user, path=data.get("path"),  # type: ignore[arg-type]
                        parameters=data.get("parameters"))
        return Response(RunSerializer(run).data, status=202)
