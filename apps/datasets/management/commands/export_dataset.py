"""manage.py export_dataset <dataset name or id> [--dataset-version N] [-o file.csv]  (stdout by default)"""

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.datasets.management.commands.import_dataset import find_dataset
from apps.datasets.selectors import version_of
from apps.datasets.workspace import workspace
from apps.engine.storage import export_csv


class Command(BaseCommand):
    help = "Export one version of a dataset as CSV."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("dataset", help="dataset name or id")
        parser.add_argument("--dataset-version", dest="dataset_version", type=int, default=None,
                            help="default: the latest version")
        parser.add_argument("-o", "--output", type=Path, default=None)

    def handle(self, *args: Any, **options: Any) -> None:
        dataset = find_dataset(options["dataset"])
        version = version_of(dataset=dataset, number=options["dataset_version"])
        if version is None:
            wanted = options["dataset_version"]
            raise CommandError(f"{dataset.name!r} has no version {'yet' if wanted is None else wanted}.")
        out = options["output"].open("wb") if options["output"] else sys.stdout.buffer
        try:
            with workspace() as conn:
                for chunk in export_csv(conn, dataset.pk, dataset.dataset_type.column_specs, version.path):
                    out.write(chunk)
        finally:
            if options["output"]:
                out.close()
