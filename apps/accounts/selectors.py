from django.db.models import QuerySet

from apps.accounts.models import Membership, Project, User
from apps.accounts.roles import RANK, Role


def project_role(*, user: User, project_id: int) -> str | None:
    """The user's effective role in a project, or None when the project is not theirs to see.

    Admins are admins everywhere. Everyone else needs a membership; the effective role is the
    lower of their global role and their membership role.
    """
    if not user.is_authenticated:
        return None
    if user.is_app_admin:
        return Role.ADMIN
    membership_role = (
        Membership.objects.filter(user=user, project_id=project_id).values_list("role", flat=True).first()
    )
    if membership_role is None:
        return None
    return min(membership_role, user.role, key=lambda r: RANK[Role(r)])


def projects_visible_to(*, user: User) -> QuerySet[Project]:
    if user.is_app_admin:
        return Project.objects.all()
    return Project.objects.filter(memberships__user=user)


def memberships_of(*, user: User) -> list[dict[str, object]]:
    if user.is_app_admin:
        return [{"id": p.id, "name": p.name, "role": Role.ADMIN.value} for p in Project.objects.all()]
    rows = Membership.objects.filter(user=user).select_related("project").order_by("project__name")
    return [
        {"id": m.project_id, "name": m.project.name, "role": min(m.role, user.role, key=lambda r: RANK[Role(r)])}
        for m in rows
    ]
