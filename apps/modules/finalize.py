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
transaction. Neither touches a `last_modified` (EMF's bug), so the module stays UpToDate.

The plan (GET finalize-plan, issue 14): what finalizing will finalize with the module, listed for the
admin to agree to, as a composite type's finalize lists its submodule versions: the dataset versions
of the last run (those already final marked so) and the module's type version with every non-final
version it uses. A POST that confirms the plan (`confirm`) finalizes those type versions in the same
transaction (each needs the Admin role in its project), which meets condition 1; a POST without
`confirm` keeps condition 1 a refusal. A plan that changed since it was shown is a 409 `plan_changed`."""

from typing import Any

from django.db import transaction

from apps.accounts.models import User
from apps.accounts.roles import Role, role_at_least
from apps.accounts.selectors import project_role
from apps.core.exceptions import ServiceError
from apps.datasets.models import DatasetVersion
from apps.datasets.services import version_finalize
from apps.live.events import publish_on_commit
from apps.live.status import status_refresh_on_commit
from apps.locks.services import lock_check_free
from apps.modules import selectors
from apps.modules.models import Module
from apps.modules.status import compute_statuses
from apps.moduletypes.models import ModuleTypeVersion
from apps.moduletypes.selectors import finalize_plan as type_finalize_plan
from apps.moduletypes.services import version_finalize as type_version_finalize
from apps.runs.models import Run

NOT_EMF_CONDITIONS = frozenset({"upstream_out_of_date"})


def finalize_blockers(*, module: Module, with_type_versions: bool = False) -> list[dict[str, str]]:
    """Why the module cannot be finalized now, one {code, message} per failed condition.
    `with_type_versions`: its non-final type version is finalized with it (the plan), not a refusal."""
    if module.is_final:
        return [{"code": "module_final", "message": "The module is already final."}]
    blockers = []
    version = module.type_version
    if not version.is_final and not with_type_versions:
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


def _directions(run: Run) -> dict[tuple[int, int], str]:
    """(dataset, version) -> how the run used it: IN, OUT or INOUT (read and written)."""
    found: dict[tuple[int, int], set[str]] = {}
    for row in run.datasets:
        if isinstance(row, dict) and isinstance(row.get("dataset"), int) and isinstance(row.get("version"), int):
            found.setdefault((row["dataset"], row["version"]), set()).add(str(row.get("direction") or "IN"))
    return {key: "INOUT" if len(ways) > 1 or "INOUT" in ways else next(iter(ways)) for key, ways in found.items()}


def finalize_plan(*, module: Module) -> dict[str, Any]:
    """What finalizing the module finalizes with it, and what still refuses it (`blockers`)."""
    type_versions = [] if module.is_final else type_finalize_plan(version=module.type_version)
    run = module.runs.order_by("-run_number").first()
    used = _versions_used(run) if run is not None else []
    directions = _directions(run) if run is not None else {}
    names = dict(DatasetVersion.objects.filter(pk__in=[v.pk for v in used]).values_list("pk", "dataset__name"))
    return {
        "type_versions": [{"id": v.pk, "module_type": v.module_type_id, "module_type_name": v.module_type.name,
                           "number": v.number, "name": v.name} for v in type_versions],
        "dataset_versions": [{"id": v.pk, "dataset": v.dataset_id, "dataset_name": names.get(v.pk, ""),
                              "number": v.number, "name": v.name, "is_final": v.is_final,
                              "direction": directions.get((v.dataset_id, v.number), "IN")} for v in used],
        "blockers": finalize_blockers(module=module, with_type_versions=True),
    }


def _check_confirmed(module: Module, user: User, confirm: dict[str, list[int]]) -> list[ModuleTypeVersion]:
    """The plan the admin agreed to is the plan now; returns the type versions to finalize."""
    plan = finalize_plan(module=module)
    type_ids = sorted(v["id"] for v in plan["type_versions"])
    dataset_ids = sorted(v["id"] for v in plan["dataset_versions"] if not v["is_final"])
    if sorted(confirm.get("type_versions", [])) != type_ids or sorted(confirm.get("dataset_versions", [])) != dataset_ids:
        raise ServiceError("plan_changed", "What finalizing involves changed since you looked; review the list again.",
                           status=409, details={"type_versions": type_ids, "dataset_versions": dataset_ids})
    versions = list(ModuleTypeVersion.objects.select_related("module_type").filter(pk__in=type_ids).order_by("pk"))
    for version in versions:
        if version.project_id is not None and \
                not role_at_least(project_role(user=user, project_id=version.project_id), Role.ADMIN):
            raise ServiceError("forbidden", f"Finalizing {version.module_type.name} version {version.number} needs the "
                               "Admin role in its project.", status=403)
    return versions


@transaction.atomic
def module_finalize(*, module: Module, user: User, confirm: dict[str, list[int]] | None = None) -> Module:
    """`confirm` ({type_versions, dataset_versions}: the ids of the plan's non-final ones) finalizes the
    type versions of the plan with the module; without it a non-final type version refuses."""
    module = selectors.modules_queryset().select_for_update(of=("self",)).get(pk=module.pk)
    lock_check_free(kind="module", object_id=module.pk, user=user)
    blockers = finalize_blockers(module=module, with_type_versions=confirm is not None)
    if blockers:
        raise ServiceError("cannot_finalize", f"The module cannot be finalized: {blockers[0]['message']}",
                           status=409, details={"reasons": blockers})
    if confirm is not None:
        type_versions = _check_confirmed(module, user, confirm)
        if type_versions:
            type_version_finalize(version=module.type_version, confirm=[v.pk for v in type_versions], author=user)
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
