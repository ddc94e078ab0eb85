"""Loads the demo data idempotently: running it twice changes nothing. The demo is the modules
app's (its modules scale the demo datasets), which asks each lower app for its part."""

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from apps.accounts.demo import seed_demo_accounts
from apps.accounts.models import User
from apps.datasets.demo import seed_demo_datasets
from apps.modules.demo import seed_demo_modules


class Command(BaseCommand):
    help = "Create the demo users (admin/admin, modeler/modeler, viewer/viewer) and demo project."

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        project, created = seed_demo_accounts()
        owner = User.objects.get(username="modeler")
        created += seed_demo_datasets(project=project, owner=owner)
        created += seed_demo_modules(project=project, owner=owner)
        self.stdout.write(f"demo data ready (new: {', '.join(created) or 'nothing'})")
