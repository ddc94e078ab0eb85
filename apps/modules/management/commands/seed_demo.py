"""Loads the demo data idempotently: running it twice changes nothing. The demo is the modules
app's (its modules scale the demo datasets), which asks each lower app for its part."""

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from apps.accounts.demo import seed_demo_accounts
from apps.accounts.models import User
from apps.datasets.demo import seed_demo_datasets, seed_demo_measurements
from apps.modules.aggregation_demo import seed_magda_example
from apps.modules.demo import seed_demo_modules, seed_demo_progressive


class Command(BaseCommand):
    help = "Create the demo users (admin/admin, modeler/modeler, viewer/viewer) and demo project."

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        project, created = seed_demo_accounts()
        owner = User.objects.get(username="modeler")
        created += seed_demo_datasets(project=project, owner=owner)
        created += seed_demo_modules(project=project, owner=owner)
        # the progressive demo (docs/progressive.md, "Demo"): a 1M-row dataset and a Histogram of it
        created += seed_demo_measurements(project=project, owner=owner)
        created += seed_demo_progressive(project=project, owner=owner)
        # the aggregation demo (docs/aggregation.md): MAGDA's example 1, run(10), run(20), process
        created += seed_magda_example(project=project, owner=owner, example=1)
        self.stdout.write(f"demo data ready (new: {', '.join(created) or 'nothing'})")
