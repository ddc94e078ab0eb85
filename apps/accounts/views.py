from typing import Any

from django.contrib.auth import authenticate, login, logout
from django.db.models import QuerySet
from django.utils.decorators import method_decorator
from django.views.decorators.csrf import ensure_csrf_cookie
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts import services
from apps.accounts.models import Project, User
from apps.accounts.permissions import ProjectScopedMixin
from apps.accounts.roles import Role
from apps.accounts.serializers import (
    CredentialsSerializer,
    MeSerializer,
    ProjectSerializer,
    TokenSerializer,
)
from apps.api.etag import ETagMixin
from apps.core.exceptions import ServiceError


def _authenticate(request: Request) -> User:
    credentials = CredentialsSerializer(data=request.data)
    credentials.is_valid(raise_exception=True)
    user = authenticate(request._request, **credentials.validated_data)
    if user is None:
        raise ServiceError("invalid_credentials", "Wrong username or password.")
    return user  # type: ignore[return-value]


class LoginView(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list[type] = []

    @extend_schema(request=CredentialsSerializer, responses=MeSerializer)
    def post(self, request: Request) -> Response:
        user = _authenticate(request)
        login(request._request, user)
        return Response(MeSerializer(user).data)


class LogoutView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(request=None, responses={204: None})
    def post(self, request: Request) -> Response:
        logout(request._request)
        return Response(status=status.HTTP_204_NO_CONTENT)


class TokenView(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list[type] = []

    @extend_schema(request=CredentialsSerializer, responses=TokenSerializer)
    def post(self, request: Request) -> Response:
        user = _authenticate(request)
        token, _ = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})


@method_decorator(ensure_csrf_cookie, name="dispatch")
class MeView(APIView):
    """Also hands out the CSRF cookie (even on 401), for clients not served by Django's index."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=MeSerializer)
    def get(self, request: Request) -> Response:
        return Response(MeSerializer(request.user).data)


class ProjectViewSet(
    ProjectScopedMixin,
    ETagMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Projects (teams). Everyone sees their own; only admins create or change them."""

    serializer_class = ProjectSerializer
    project_lookup = "self"
    write_role = Role.ADMIN
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[Project]:
        return self.scope_to_visible_projects(Project.objects.all())

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        if not request.user.is_app_admin:  # type: ignore[union-attr]
            raise ServiceError("forbidden", "Only admins create projects.", status=403)
        serializer = ProjectSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        project = services.project_create(**serializer.validated_data)
        return self.respond_with_etag(project, ProjectSerializer(project).data, status=201)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = ProjectSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        with self.write_atomically():
            project = self.get_object_for_write()
            project = services.project_update(project=project, fields=serializer.validated_data)  # type: ignore[arg-type]
        return self.respond_with_etag(project, ProjectSerializer(project).data)
