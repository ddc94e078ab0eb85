"""manage.py import_dataset <dataset name or id> <file.csv> [--as USER] [--into-version N] [--mode replace|append]"""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.accounts.models import User
from apps.core.exceptions import ServiceError
from apps.datasets.models import Dataset
from apps.datasets.services import dataset_import
from apps.engine.storage import CsvRejected


def find_dataset(ref: str) -> Dataset:
    live = Dataset.objects.filter(removed_at__isnull=True)
    dataset = live.filter(pk=int(ref)).first() if ref.isdigit() else live.filter(name=ref).first()
    if dataset is None:
        raise CommandError(f"No dataset named or numbered {ref!r}.")
    return dataset


def find_user(username: str) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        raise CommandError(f"No user named {username!r}.")
    return user


class Command(BaseCommand):
    help = "Import a CSV file into a dataset as a new version (or into a non-final version)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("dataset", help="dataset name or id")
        parser.add_argument("file", type=Path)
        parser.add_argument("--as", dest="username", default="admin", help="user recorded as the creator")
        parser.add_argument("--into-version", dest="into_version", type=int, default=None,
                            help="add rows to this non-final version")
        parser.add_argument("--mode", choices=["replace", "append"], default="replace")
        parser.add_argument("--name", default="", help="name of the new version")

    def handle(self, *args: Any, **options: Any) -> None:
        dataset, user, path = find_dataset(options["dataset"]), find_user(options["username"]), options["file"]
        if not path.is_file():
            raise CommandError(f"{path} is not a readable file.")
        try:
            with path.open("rb") as stream:
                version = dataset_import(dataset=dataset, user=user, stream=stream, size=path.stat().st_size,
                                         version_number=options["into_version"], mode=options["mode"],
                                         version_name=options["name"])
        except CsvRejected as exc:
            listed = "".join(f"\n  {problem.describe()}" for problem in exc.problems) if len(exc.problems) > 1 else ""
            raise CommandError(f"{path} does not fit {dataset.name!r} ({exc}); nothing was imported.{listed}") from None
        except ServiceError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(f"imported {version.row_count} rows into {dataset.name!r} version {version.number}")
