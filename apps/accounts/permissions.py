"""The permission predicates, in one place: where project membership and roles turn into 404 / 403
(views), into a yes or no for a live topic (`register_project_topic`), and who may act on an object
someone created (`owns_or_admin`).

A stranger (no role in the object's project) gets 404, as if the object did not exist.
A member whose role is too low for the action gets 403.
"""

from typing import Any

from django.db.models import Model, Q, QuerySet
from rest_framework import permissions
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.request import Request
from rest_framework.views import APIView

from apps.accounts.models import Project
from apps.accounts.roles import Role, role_at_least
from apps.accounts.selectors import project_role
from apps.core.exceptions import ServiceError
from apps.live.events import register_topic
from apps.live.presence import allow_presence


def project_id_of(obj: Model) -> int | None:
    """Every project-scoped model either is a Project or has a `project_id` (None: a built-in object
    of no project, e.g. a progressive module type: readable by everyone, writable by nobody)."""
    if obj._meta.label == "accounts.Project":
        return int(obj.pk)
    project_id = obj.project_id  # type: ignore[attr-defined]
    return None if project_id is None else int(project_id)


def owns_or_admin(*, user: Any, owner_id: int | None) -> bool:
    """The creator (or lock holder) of an object, or an Admin: who may remove it, replace it, break it."""
    return bool(owner_id == user.pk or user.is_app_admin)


def required_role(view: APIView, request: Request) -> str:
    """Reads need Viewer, writes the view's `write_role` (Modeler by default); `action_roles`
    can raise the bar for an action (e.g. purge: Admin), never lower it."""
    by_method = Role.VIEWER if request.method in permissions.SAFE_METHODS else getattr(view, "write_role", Role.MODELER)
    by_action = getattr(view, "action_roles", {}).get(getattr(view, "action", None), Role.VIEWER)
    return by_action if role_at_least(by_action, by_method) else by_method


def is_member(*, user: Any, project_id: int | None) -> bool:
    """Whether the user may see the project's objects at all (any role; an Admin everywhere). The
    objects of no project (built-ins) are everyone's."""
    return project_id is None or project_role(user=user, project_id=project_id) is not None


def check_project_access(*, user: Any, project_id: int, required: str) -> None:
    role = project_role(user=user, project_id=project_id)
    if role is None:
        raise NotFound()
    needed = required
    if not role_at_least(role, needed):
        raise PermissionDenied(f"This needs the {Role(needed).label} role in this project; you are {Role(role).label}.")


def invalid_reference(field: str, what: str) -> ServiceError:
    """The one 400 for an id in a request body that names nothing the user can see."""
    return ServiceError("invalid", "Some of the values sent are not valid.", details={field: [f"Unknown {what}."]})


def project_for_write(*, user: Any, project_id: int, required: str) -> Project:
    """A project named in a request body (where to create something, where to move it): one that does
    not exist and one the user is no member of get the same 404 (a stranger's 404 of every project
    route); a member whose role is too low 403."""
    project = Project.objects.filter(pk=project_id).first()
    if project is None or not is_member(user=user, project_id=project.pk):
        raise NotFound()
    check_project_access(user=user, project_id=project.pk, required=required)
    return project


class ProjectObjectPermission(permissions.IsAuthenticated):
    def has_object_permission(self, request: Request, view: APIView, obj: Any) -> bool:
        project_id = project_id_of(obj)
        if project_id is None:  # built-in: read-only for everyone
            if request.method in permissions.SAFE_METHODS:
                return True
            raise ServiceError("builtin_read_only", "Built-in objects (e.g. the progressive module types) are "
                               "read-only: copy nothing into them, edit nothing of them.", status=403)
        check_project_access(user=request.user, project_id=project_id, required=required_role(view, request))
        return True


class ProjectScopedMixin:
    """For viewsets over project-owned objects: lists show only visible projects' objects."""

    permission_classes: Any = [ProjectObjectPermission]
    project_lookup = "project"

    def scope_to_visible_projects(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        from apps.accounts.selectors import projects_visible_to

        if getattr(self, "swagger_fake_view", False):  # the OpenAPI schema's generation: no user
            return queryset.none()
        user = self.request.user  # type: ignore[attr-defined]
        if user.is_app_admin:
            return queryset
        visible = projects_visible_to(user=user).values("pk")
        if self.project_lookup == "self":
            return queryset.filter(pk__in=visible)
        # objects of no project (built-ins) are visible in every project
        return queryset.filter(Q(**{f"{self.project_lookup}__in": visible}) | Q(**{f"{self.project_lookup}__isnull": True}))


def register_project_topic(kind: str, model: type[Model] | None = None, *, project_field: str = "project_id",
                           presence: bool = False) -> None:
    """Registers the live topic `<kind>:<id>` for the members of a project (any role): of the object
    `model` with that id (its project found through `project_field`), or, without a model, of the
    project whose id is the key. With `presence`, `presence:<kind>:<id>` may be followed as well."""

    def authorize(user: Any, key: str | None) -> bool:
        if key is None or not key.isdigit():
            return False
        if model is None:
            project_id: int | None = int(key)
        else:
            project_id = model._default_manager.filter(pk=int(key)).values_list(project_field, flat=True).first()
        return project_id is not None and is_member(user=user, project_id=project_id)

    register_topic(kind, authorize)
    if presence:
        allow_presence(kind)
