"""The demo's users (admin/admin, modeler/modeler, viewer/viewer) and its project, idempotently."""

from apps.accounts.models import Project, User
from apps.accounts.roles import Role
from apps.accounts.services import membership_set

DEMO_USERS = [
    ("admin", "Ada Admin", Role.ADMIN),
    ("modeler", "Mona Modeler", Role.MODELER),
    ("viewer", "Victor Viewer", Role.VIEWER),
]
DEMO_PROJECT = ("Demo", "Emission factors and the modules that scale them (EMF example).")


def seed_demo_accounts() -> tuple[Project, list[str]]:
    """The demo project, with the demo users as members; returns it and the usernames created."""
    project, _ = Project.objects.get_or_create(name=DEMO_PROJECT[0], defaults={"description": DEMO_PROJECT[1]})
    created = []
    for username, full_name, role in DEMO_USERS:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(username=username, full_name=full_name, role=role, is_staff=role == Role.ADMIN,
                        is_superuser=role == Role.ADMIN)
            user.set_password(username)
            user.save()
            created.append(username)
        membership_set(project=project, user=user, role=role)
    return project, created
