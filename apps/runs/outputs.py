"""Datasets a run writes: reserved as pending versions before any script runs, published only when
the whole run succeeds, discarded otherwise (DESIGN §5: nothing half-written, nothing lost).

Three kinds: the module's outputs (NEW dataset, REPLACE = a new version of the target, INOUT = a new
version of the bound dataset derived from the version read), and a composite's internal datasets
(pending datasets of their own, dropped after their last reader unless kept, then published like a
NEW output named after the module and the submodule path).

A composite adds two things done at publish time, in the publishing transaction: a module output
wired straight to a module input, or fed by a submodule output that already writes another module
output, gets a copy of the rows of the version it is fed (`copy_from`); and an INOUT chain inside a
composite (a submodule's INOUT updating what another submodule wrote or updated) writes one
pending version per step, each derived from the one before, of which only the first is published:
it absorbs the later ones' changes (`absorbs`), which are then discarded (see planning.py)."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import psycopg
from django.db import transaction
from django.utils import timezone

from apps.accounts.models import User
from apps.accounts.permissions import owns_or_admin
from apps.datasets.models import Dataset, DatasetType, DatasetVersion
from apps.datasets.services import next_version_number
from apps.datasets.workspace import workspace
from apps.engine import inout, sandbox, storage
from apps.runs.errors import RunRefused
from apps.runs.models import Run


@dataclass
class PendingOutput:
    placeholder: str
    dataset: Dataset
    version: DatasetVersion
    created_dataset: bool
    output_method: str  # NEW | REPLACE | INOUT | INTERNAL
    internal_key: str | None = None  # "<step path>.<placeholder>" of an internal dataset
    scratch: bool = False  # a version an INOUT chain passes through: never published
    copy_from: tuple[int, tuple[int, ...]] | None = None  # (dataset id, path) whose rows it gets at publish
    absorbs: tuple[int, ...] = field(default_factory=tuple)  # later versions of its INOUT chain, in order

    def binding(self, view: str) -> sandbox.OutputBinding:
        return sandbox.OutputBinding(view=view, columns=self.dataset.dataset_type.column_specs,
                                     dataset_id=self.dataset.pk, version=self.version.number)

    def inout_binding(self, view: str) -> inout.InoutBinding:
        return inout.InoutBinding(view=view, columns=self.dataset.dataset_type.column_specs,
                                  dataset_id=self.dataset.pk, version=self.version.number, path=self.version.path)


def _reserve_version(dataset: Dataset, run: Run, user: User, base: DatasetVersion | None = None) -> DatasetVersion:
    """The next version number; a derived version (`base`) sees the base's rows through its path."""
    locked = Dataset.objects.select_for_update().get(pk=dataset.pk)
    number = next_version_number(locked)
    path = [*base.path, number] if base is not None else [number]
    return DatasetVersion.objects.create(
        dataset=locked, number=number, name=f"{run.module.name} run {run.run_number}",
        base=base.number if base is not None else None, path=path, row_count=base.row_count if base else 0,
        creator=user, last_modified=timezone.now(), pending_run=run)


@transaction.atomic
def reserve_new(*, run: Run, placeholder: str, name: str, dataset_type: DatasetType) -> PendingOutput:
    if Dataset.objects.filter(name=name, removed_at__isnull=True).exists():
        raise RunRefused("output_name_taken", f"Output {placeholder}: a dataset named {name!r} already exists; "
                         "add ${run.id} to the name pattern to make names unique.")
    module = run.module
    dataset = Dataset.objects.create(name=name, dataset_type=dataset_type, project=module.project, creator=run.user,
                                     description=f"Produced by module {module.name}", pending_run=run)
    version = _reserve_version(dataset, run, run.user)
    with workspace() as conn:
        storage.create_table(conn, dataset.pk, dataset_type.column_specs, loading_version=version.number)
    return PendingOutput(placeholder, dataset, version, created_dataset=True, output_method="NEW")


@transaction.atomic
def reserve_replace(*, run: Run, placeholder: str, dataset: Dataset) -> PendingOutput:
    """EMF's replacement rules, except that REPLACE adds a version instead of truncating history."""
    user = run.user
    if dataset.versions.filter(is_final=True, pending_run__isnull=True).exists():
        raise RunRefused("replace_final", f"Output {placeholder}: {dataset.name!r} has a final version and "
                         "cannot be replaced.")
    if not owns_or_admin(user=user, owner_id=dataset.creator_id):
        raise RunRefused("replace_forbidden", f"Output {placeholder}: only the creator of {dataset.name!r} or an "
                         "admin may replace it.")
    version = _reserve_version(dataset, run, user)
    return PendingOutput(placeholder, dataset, version, created_dataset=False, output_method="REPLACE")


@transaction.atomic
def reserve_derived(*, run: Run, placeholder: str, dataset: Dataset, base: DatasetVersion,
                    internal_key: str | None = None) -> PendingOutput:
    """INOUT: a new version of `dataset` derived from `base` (the version the step reads). A
    published base must be final, as for every new version (DESIGN §3); an internal dataset's
    pending versions are the run's own."""
    if base.pending_run_id is None and not base.is_final:
        raise RunRefused("inout_base_not_final", f"{placeholder}: version {base.number} of {dataset.name!r} is not "
                         "final; new versions come only from a final base (finalize it, or bind a final version).")
    version = _reserve_version(dataset, run, run.user, base=base)
    method = "INTERNAL" if internal_key else "INOUT"
    return PendingOutput(placeholder, dataset, version, created_dataset=False, output_method=method,
                         internal_key=internal_key)


@transaction.atomic
def reserve_whole_version(*, run: Run, placeholder: str, dataset: Dataset) -> PendingOutput:
    """A composite's INOUT dataset written by a submodule's OUT slot: a new version holding only
    what the submodule writes (path [n], like an import replacing the data)."""
    version = _reserve_version(dataset, run, run.user)
    return PendingOutput(placeholder, dataset, version, created_dataset=False, output_method="INOUT")


@transaction.atomic
def reserve_state_version(*, run: Run, dataset: Dataset, base: DatasetVersion) -> PendingOutput:
    """An aggregation state's next version, derived from the current one (apps.runs.aggregation):
    written like an INOUT version, published with the run's outputs."""
    version = _reserve_version(dataset, run, run.user, base=base)
    return PendingOutput("state", dataset, version, created_dataset=False, output_method="INOUT")


def internal_name(run: Run, key: str) -> str:
    suffix = f" {key} #{run.pk}"
    return run.module.name[: 200 - len(suffix)] + suffix


@transaction.atomic
def reserve_internals(*, run: Run, wanted: Sequence[tuple[str, DatasetType]]) -> dict[str, PendingOutput]:
    """A composite run's internal datasets (`wanted`: key "<step path>.<placeholder>" and type), each
    named after the module, the path and the run; reserved together (a 20-step chain has 19)."""
    module = run.module
    names = {key: internal_name(run, key) for key, _ in wanted}
    taken = list(Dataset.objects.filter(name__in=names.values(), removed_at__isnull=True).values_list("name", flat=True))
    if taken:
        raise RunRefused("output_name_taken", f"A dataset named {taken[0]!r} already exists; it would be overwritten "
                         "by an internal dataset of this run.")
    datasets = Dataset.objects.bulk_create([
        Dataset(name=names[key], dataset_type=dtype, project=module.project, creator=run.user, pending_run=run,
                description=f"Internal dataset {key} of module {module.name}") for key, dtype in wanted])
    with workspace() as conn:
        for dataset, (_, dtype) in zip(datasets, wanted, strict=True):
            storage.create_table(conn, dataset.pk, dtype.column_specs, loading_version=0)
    now = timezone.now()
    versions = DatasetVersion.objects.bulk_create([  # version 0 of datasets nobody else can see yet
        DatasetVersion(dataset=dataset, number=0, name=f"{module.name} run {run.run_number}", path=[0],
                       creator=run.user, last_modified=now, pending_run=run) for dataset in datasets])
    return {key: PendingOutput(key.rpartition(".")[2], dataset, version, created_dataset=True,
                               output_method="INTERNAL", internal_key=key)
            for (key, _), dataset, version in zip(wanted, datasets, versions, strict=True)}


def publish(outputs: Sequence[PendingOutput], run: Run) -> None:
    """The run succeeded: its versions (and new datasets) become visible, with EMF's keywords
    (an INOUT dataset keeps its own: the module only added a version to it)."""
    if not outputs:
        return
    now = timezone.now()
    with transaction.atomic(), workspace() as conn:
        _fill_composite_outputs(conn, outputs)
        locked = Dataset.objects.select_for_update().in_bulk([out.dataset.pk for out in outputs])
        for out in outputs:
            if out.created_dataset:  # made with a constant version default for this run's rows
                storage.restore_version_default(conn, out.dataset.pk)
            version = out.version
            version.row_count = storage.count_rows(conn, out.dataset.pk, version.path)
            version.pending_run = None
            version.last_modified = now
            version.save(update_fields=["row_count", "pending_run", "last_modified"])
            dataset = locked[out.dataset.pk]
            dataset.pending_run = None
            if out.output_method != "INOUT":
                dataset.keywords = {**dataset.keywords, "MODULE_NAME": run.module.name, "MODULE_ID": str(run.module_id),
                                    "MODULE_PLACEHOLDER": out.internal_key or out.placeholder}
            dataset.revision += 1
            dataset.save()


def _fill_composite_outputs(conn: psycopg.Connection[Any], outputs: Sequence[PendingOutput]) -> None:
    """Copies first: a copy may read the first version of a chain before it absorbs the rest."""
    for out in outputs:
        if out.copy_from is not None:
            source_id, source_path = out.copy_from
            inout.copy_version_rows(conn, source_id=source_id, source_path=source_path, target_id=out.dataset.pk,
                                    target_version=out.version.number, columns=out.dataset.dataset_type.column_specs)
    for out in outputs:
        if out.absorbs:
            inout.absorb_versions(conn, dataset_id=out.dataset.pk, root=out.version.number,
                                  root_path=out.version.path, later=out.absorbs)


def discard(outputs: Sequence[PendingOutput]) -> None:
    """The run failed (or an internal dataset is no longer needed): its rows, versions and new
    datasets go; published versions are untouched."""
    if not outputs:
        return
    with transaction.atomic(), workspace() as conn:
        dropped: set[int] = set()
        for out in outputs:
            if out.created_dataset:
                if out.dataset.pk not in dropped:
                    storage.drop_table(conn, out.dataset.pk)
                    dropped.add(out.dataset.pk)
            elif out.dataset.pk not in dropped:
                inout.discard_version_rows(conn, out.dataset.pk, out.version.number)
            DatasetVersion.objects.filter(pk=out.version.pk).delete()
        Dataset.objects.filter(pk__in=dropped).delete()


def discard_all_of(run: Run) -> None:
    """For the janitor: whatever a dead run reserved."""
    outputs = [PendingOutput("", v.dataset, v, created_dataset=v.dataset.pending_run_id == run.pk, output_method="")
               for v in DatasetVersion.objects.filter(pending_run=run).select_related("dataset")]
    discard(outputs)
    leftover = list(Dataset.objects.filter(pending_run=run))
    if leftover:
        with workspace() as conn:
            for dataset in leftover:
                storage.drop_table(conn, dataset.pk)
        Dataset.objects.filter(pk__in=[d.pk for d in leftover]).delete()
