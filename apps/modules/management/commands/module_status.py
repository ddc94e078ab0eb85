"""manage.py module_status <module id or name> | --all [--refresh]"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.modules import selectors
from apps.modules.status import compute_statuses
from apps.modules.status_refresh import status_refresh


class Command(BaseCommand):
    help = ("Print whether modules are UpToDate or OutOfDate, and why. Exits 1 when a named module is OutOfDate. "
            "--refresh also publishes the statuses that changed since they were last published live.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("module", nargs="?", help="module id or name")
        parser.add_argument("--all", action="store_true", help="every module")
        parser.add_argument("--refresh", action="store_true", help="publish changed statuses to live clients")

    def handle(self, *args: Any, **options: Any) -> None:
        ref, everything = options["module"], options["all"]
        if bool(ref) == everything:
            raise CommandError("Name one module (id or name) or give --all.")
        queryset = selectors.modules_queryset()
        if not everything:
            queryset = queryset.filter(**({"pk": int(ref)} if ref.isdigit() else {"name": ref}))
        modules = list(queryset)
        if not modules and not everything:
            raise CommandError(f"No module named or numbered {ref!r}.")
        report = compute_statuses(modules)
        for module in modules:
            status = report.statuses[module.pk]
            self.stdout.write(f"{module.pk}\t{module.name}\t{status.status}")
            for reason in status.reasons:
                self.stdout.write(f"\t- [{reason.code}] {reason.message}")
        if options["refresh"]:
            changed = status_refresh(module_ids=[m.pk for m in modules])
            self.stdout.write(f"published {len(changed)} changed status(es)")
        if not everything and report.statuses[modules[0].pk].reasons:
            raise SystemExit(1)
