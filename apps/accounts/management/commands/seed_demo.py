"""Loads the demo data idempotently: running it twice changes nothing."""

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from apps.accounts.models import Project, User
from apps.accounts.roles import Role
from apps.accounts.services import membership_set

DEMO_USERS = [
    ("admin", "Ada Admin", Role.ADMIN),
    ("modeler", "Mona Modeler", Role.MODELER),
    ("viewer", "Victor Viewer", Role.VIEWER),
]
DEMO_PROJECT = ("Demo", "Emission factors and the modules that scale them (EMF example).")


class Command(BaseCommand):
    help = "Create the demo users (admin/admin, modeler/modeler, viewer/viewer) and demo project."

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
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
        from apps.datasets.demo import seed_demo_datasets
        from apps.modules.demo import seed_demo_modules

        owner = User.objects.get(username="modeler")
        created += seed_demo_datasets(project=project, owner=owner)
        created += seed_demo_modules(project=project, owner=owner)
        self.stdout.write(f"demo data ready (new: {', '.join(created) or 'nothing'})")
