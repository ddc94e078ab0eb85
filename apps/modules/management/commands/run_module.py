"""manage.py run_module <module id or name> [--wait] [--mode run|process] [--as USER] [--timeout S]"""

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.accounts.models import User
from apps.core.exceptions import ServiceError
from apps.modules.models import Module
from apps.runs.models import Run
from apps.runs.services import run_request


class Command(BaseCommand):
    help = "Run a module on the workers; with --wait, follow it and exit non-zero unless it succeeds."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("module", help="module id or name")
        parser.add_argument("--wait", action="store_true")
        parser.add_argument("--mode", choices=["run", "process"], default="run")
        parser.add_argument("--as", dest="username", default="admin")
        parser.add_argument("--timeout", type=float, default=3600.0, help="seconds to wait with --wait")

    def handle(self, *args: Any, **options: Any) -> None:
        ref = options["module"]
        module = Module.objects.filter(**({"pk": int(ref)} if ref.isdigit() else {"name": ref})).first()
        if module is None:
            raise CommandError(f"No module named or numbered {ref!r}.")
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"No user named {options['username']!r}.")
        try:
            run = run_request(module=module, user=user, mode=options["mode"])
        except ServiceError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(f"run {run.run_number} of {module.name!r} queued (run id {run.pk})")
        if options["wait"]:
            self._follow(run, options["timeout"])

    def _follow(self, run: Run, timeout: float) -> None:
        deadline, shown = time.monotonic() + timeout, 0
        while time.monotonic() < deadline:
            run.refresh_from_db()
            for line in run.log.all()[shown:]:
                self.stdout.write(f"{line.at:%H:%M:%S.%f}"[:-3] + f" [{line.level}] {line.message}")
                shown += 1
            if run.result:
                if run.result != "SUCCESS":
                    raise CommandError(f"run {run.run_number} ended {run.result}: {(run.error or {}).get('message', '')}")
                return
            time.sleep(0.2)
        raise CommandError(f"run {run.run_number} did not finish within {timeout:g} s (it goes on).")
