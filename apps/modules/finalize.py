"""Module finalization (Admin only), under the EMF document's four conditions:

1. the module type (version) is final;
2. the last run was successful;
3. the last run is up to date with the module type (and the module: no change since it started);
4. the last run is up to date with its datasets (inputs unchanged since it started, outputs since
   it ended, all still present).

Conditions 2-4, plus validity, are exactly the module's own status reasons (apps.modules.status),
so a module can be finalized when its type version is final and nothing of its own makes it
OutOfDate. Staleness of an upstream module is not one of EMF's conditions and does not block.

Finalizing marks the module and every dataset version its last run read or wrote final, in one
transaction. Neither touches a `last_modified` (EMF's bug), so the module stays UpToDate."""

from django.db import transaction

from apps.accounts.models import User
from apps.core.exceptions import ServiceError
from apps.datasets.models import DatasetVersion
from apps.datasets.services import version_finalize
from apps.live.events import publish_on_commit
from apps.live.status import status_refresh_on_commit
from apps.locks.services import lock_check_free
from apps.modules import selectors
from apps.modules.models import Module
from apps.modules.status import compute_statuses
from apps.runs.models import Run

NOT_EMF_CONDITIONS = frozenset({"upstream_out_of_date"})


def finalize_blockers(*, module: Module) -> list[dict[str, str]]:
    """Why the module cannot be finalized now, one {code, message} per failed condition."""
    if module.is_final:
        return [{"code": "module_final", "message": "The module is already final."}]
    blockers = []
    version = module.type_version
    if not version.is_final:
        blockers.append({"code": "type_version_not_final",
                         "message": f"The module type version ({version.module_type.name} version {version.number}) "
                                    "is not final."})
    status = compute_statuses([module]).statuses[module.pk]
    blockers += [r.as_dict() for r in status.reasons if r.code not in NOT_EMF_CONDITIONS]
    return blockers


def _versions_used(run: Run) -> list[DatasetVersion]:
    """The published versions the run read or wrote, whatever the datasets' state now."""
    wanted = {(row["dataset"], row["version"]) for row in run.datasets
              if isinstance(row, dict) and isinstance(row.get("dataset"), int) and isinstance(row.get("version"), int)}
    if not wanted:
        return []
    candidates = DatasetVersion.objects.filter(dataset_id__in={d for d, _ in wanted}, pending_run__isnull=True)
    return sorted((v for v in candidates if (v.dataset_id, v.number) in wanted), key=lambda v: (v.dataset_id, v.number))


@transaction.atomic
def module_finalize(*, module: Module, user: User) -> Module:
    module = selectors.modules_queryset().select_for_update(of=("self",)).get(pk=module.pk)
    lock_check_free(kind="module", object_id=module.pk, user=user)
    blockers = finalize_blockers(module=module)
    if blockers:
        raise ServiceError("cannot_finalize", f"The module cannot be finalized: {blockers[0]['message']}",
                           status=409, details={"reasons": blockers})
    run = module.runs.order_by("-run_number").first()
    assert run is not None  # finalize_blockers refuses a module that never ran
    for version in _versions_used(run):
        if not version.is_final:
            version_finalize(version=version)
    module.is_final = True
    module.revision += 1
    module.save(update_fields=["is_final", "revision"])
    publish_on_commit(f"module:{module.pk}", "module_changed", {"module": module.pk})
    status_refresh_on_commit(module_ids=[module.pk])
    return module
