"""Helpers for status tests: the demo module, and run history records written the way the runner
writes them (tests that need a real run use the Celery worker instead)."""

import io
from datetime import timedelta
from typing import Any

from django.db.models import Max
from django.utils import timezone

from apps.accounts.models import Project, User
from apps.datasets.demo import seed_demo_datasets
from apps.datasets.models import Dataset, DatasetVersion
from apps.datasets.services import dataset_create, dataset_import
from apps.datasets.workspace import workspace
from apps.engine import storage
from apps.modules.demo import seed_demo_modules
from apps.modules.models import Module
from apps.modules.services import module_create
from apps.modules.status import compute_statuses
from apps.runs.models import Run

INPUT, OUTPUT = "input_emission_factors_dataset", "output_emission_factors_dataset"
CSV = "fuel_type,pollutant,year,emission_factor,comments\nCoal,NOx,2016,0.95,x\n"


def seed_demo(project: Project, owner: User) -> Module:
    seed_demo_datasets(project=project, owner=owner)
    seed_demo_modules(project=project, owner=owner)
    return Module.objects.get(name="Emission Factors +15%")


def source() -> Dataset:
    return Dataset.objects.get(name="Emission Factors 2016")


def new_dataset(name: str, owner: User, project: Project, *, producer: Module | None = None) -> Dataset:
    dataset = dataset_create(name=name, dataset_type=source().dataset_type, project=project, creator=owner,
                             keywords={"MODULE_ID": str(producer.pk)} if producer else {})
    dataset_import(dataset=dataset, user=owner, stream=io.BytesIO(CSV.encode()))
    return dataset


def module_reading(name: str, dataset: Dataset, owner: User, project: Project, *, version: int | None = 0) -> Module:
    demo = Module.objects.get(name="Emission Factors +15%")
    return module_create(name=name, type_version=demo.type_version, project=project, creator=owner,
                         dataset_bindings={INPUT: {"dataset": dataset.pk, "version": version},
                                           OUTPUT: {"output_method": "NEW", "name_pattern": f"{name} #${{run.id}}"}},
                         parameter_bindings={"increase_factor": "2"})


def record_run(module: Module, *, result: str = "SUCCESS", read: Dataset | None = None,
               read_version: int | None = None, extra_rows: list[dict[str, Any]] | None = None) -> Run:
    """A finished run as the runner records it: started, inputs read, a NEW output published
    (keyword MODULE_ID), then ended. `result=""` leaves it running."""
    module.refresh_from_db()
    binding = module.dataset_bindings[INPUT]
    dataset = read or Dataset.objects.get(pk=binding["dataset"])
    number = read_version if read_version is not None else (
        binding["version"] if binding.get("version") is not None else
        dataset.versions.filter(pending_run__isnull=True).aggregate(m=Max("number"))["m"])
    started = timezone.now()
    run = Run.objects.create(module=module, run_number=module.runs.count() + 1, user=module.creator,
                             type_version=module.type_version, started_at=started, result="")
    rows: list[dict[str, Any]] = [{"path": "", "placeholder": INPUT, "direction": "IN", "dataset": dataset.pk,
                                   "dataset_name": dataset.name, "version": number}]
    if result == "SUCCESS":
        output = Dataset.objects.create(name=f"{module.name} #{run.pk}", dataset_type=dataset.dataset_type,
                                        project=module.project, creator=module.creator,
                                        keywords={"MODULE_ID": str(module.pk), "MODULE_PLACEHOLDER": OUTPUT})
        with workspace() as conn:
            storage.create_table(conn, output.pk, dataset.dataset_type.column_specs)
        DatasetVersion.objects.create(dataset=output, number=0, name="run", path=[0], creator=module.creator,
                                      last_modified=timezone.now())
        rows.append({"path": "", "placeholder": OUTPUT, "direction": "OUT", "dataset": output.pk,
                     "dataset_name": output.name, "version": 0, "output_method": "NEW"})
    run.datasets = rows + (extra_rows or [])
    if result:
        run.result, run.stage, run.ended_at = result, "COMPLETED", timezone.now() + timedelta(milliseconds=1)
    run.save()
    return run


def output_of(run: Run) -> Dataset:
    return Dataset.objects.get(pk=next(d["dataset"] for d in run.datasets if d["direction"] == "OUT"))


def status_of(module: Module) -> tuple[str, list[str]]:
    fresh = Module.objects.select_related("creator", "project", "type_version__module_type").get(pk=module.pk)
    status = compute_statuses([fresh]).statuses[module.pk]
    return status.status, [r.code for r in status.reasons]


def reasons_of(module: Module) -> list[dict[str, str]]:
    fresh = Module.objects.select_related("creator", "project", "type_version__module_type").get(pk=module.pk)
    return compute_statuses([fresh]).statuses[module.pk].as_dict()["reasons"]  # type: ignore[no-any-return]
