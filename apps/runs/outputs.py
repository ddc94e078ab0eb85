"""Output datasets of a run: reserved as pending before the script runs, published only when the
whole run succeeds, discarded otherwise (DESIGN §5: nothing half-written, nothing lost)."""

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from apps.accounts.models import User
from apps.datasets.models import Dataset, DatasetType, DatasetVersion
from apps.datasets.workspace import workspace
from apps.engine import sandbox, storage
from apps.modules.models import Module
from apps.runs.errors import RunRefused
from apps.runs.models import Run


@dataclass
class PendingOutput:
    placeholder: str
    dataset: Dataset
    version: DatasetVersion
    created_dataset: bool
    output_method: str

    def binding(self, view: str) -> sandbox.OutputBinding:
        return sandbox.OutputBinding(view=view, columns=self.dataset.dataset_type.column_specs,
                                     dataset_id=self.dataset.pk, version=self.version.number)


def _reserve_version(dataset: Dataset, run: Run, user: User) -> DatasetVersion:
    locked = Dataset.objects.select_for_update().get(pk=dataset.pk)
    current = locked.versions.aggregate(m=Max("number"))["m"]
    number = 0 if current is None else current + 1
    return DatasetVersion.objects.create(
        dataset=locked, number=number, name=f"{run.module.name} run {run.run_number}", base=None, path=[number],
        creator=user, last_modified=timezone.now(), pending_run=run)


@transaction.atomic
def reserve_new(*, run: Run, placeholder: str, name: str, dataset_type: DatasetType) -> PendingOutput:
    if Dataset.objects.filter(name=name, removed_at__isnull=True).exists():
        raise RunRefused("output_name_taken", f"Output {placeholder}: a dataset named {name!r} already exists; "
                         "add ${run.id} to the name pattern to make names unique.")
    module: Module = run.module
    dataset = Dataset.objects.create(name=name, dataset_type=dataset_type, project=module.project, creator=run.user,
                                     description=f"Produced by module {module.name}", pending_run=run)
    with workspace() as conn:
        storage.create_table(conn, dataset.pk, dataset_type.column_specs)
    version = _reserve_version(dataset, run, run.user)
    return PendingOutput(placeholder, dataset, version, created_dataset=True, output_method="NEW")


@transaction.atomic
def reserve_replace(*, run: Run, placeholder: str, dataset: Dataset) -> PendingOutput:
    """EMF's replacement rules, except that REPLACE adds a version instead of truncating history."""
    user = run.user
    if dataset.versions.filter(is_final=True, pending_run__isnull=True).exists():
        raise RunRefused("replace_final", f"Output {placeholder}: {dataset.name!r} has a final version and "
                         "cannot be replaced.")
    if dataset.creator_id != user.pk and not user.is_app_admin:
        raise RunRefused("replace_forbidden", f"Output {placeholder}: only the creator of {dataset.name!r} or an "
                         "admin may replace it.")
    version = _reserve_version(dataset, run, user)
    return PendingOutput(placeholder, dataset, version, created_dataset=False, output_method="REPLACE")


def publish(outputs: list[PendingOutput], run: Run) -> None:
    """The run succeeded: its versions (and new datasets) become visible, with EMF's keywords."""
    now = timezone.now()
    with transaction.atomic(), workspace() as conn:
        for out in outputs:
            version = out.version
            version.row_count = storage.count_rows(conn, out.dataset.pk, version.path)
            version.pending_run = None
            version.last_modified = now
            version.save(update_fields=["row_count", "pending_run", "last_modified"])
            dataset = Dataset.objects.select_for_update().get(pk=out.dataset.pk)
            dataset.pending_run = None
            dataset.keywords = {**dataset.keywords, "MODULE_NAME": run.module.name,
                                "MODULE_ID": str(run.module_id), "MODULE_PLACEHOLDER": out.placeholder}
            dataset.revision += 1
            dataset.save()


def discard(outputs: list[PendingOutput]) -> None:
    """The run failed: its rows, versions and new datasets go; published versions are untouched."""
    with transaction.atomic(), workspace() as conn:
        sandbox.discard_pending_rows(conn, [out.binding("") for out in outputs])
        for out in outputs:
            DatasetVersion.objects.filter(pk=out.version.pk).delete()
            if out.created_dataset:
                storage.drop_table(conn, out.dataset.pk)
                Dataset.objects.filter(pk=out.dataset.pk).delete()


def discard_all_of(run: Run) -> None:
    """For the janitor: whatever a dead run reserved."""
    outputs = [PendingOutput("", v.dataset, v, created_dataset=v.dataset.pending_run_id == run.pk, output_method="")
               for v in DatasetVersion.objects.filter(pending_run=run).select_related("dataset")]
    discard(outputs)
    for dataset in Dataset.objects.filter(pending_run=run):
        with workspace() as conn:
            storage.drop_table(conn, dataset.pk)
        dataset.delete()
