"""Removing a module (EMF Module Manager rules).

- Non-admins remove only modules they created that are not final; admins remove anything.
- A module with a run still going cannot be removed (its worker is writing its history).
- Its history goes with it, as in EMF: runs, step records and logs are deleted with the module.
- With `remove_outputs`, the datasets its runs wrote are removed too (soft-removed, as the Dataset
  Manager's Remove; an Admin can purge them), except those another module uses: as an input, as a
  REPLACE target, or as the NEW output of its latest successful run (the Dataset Manager's usage
  rules), and, for a non-admin, those someone else created."""

from typing import Any

from django.db import transaction

from apps.accounts.models import User
from apps.accounts.permissions import owns_or_admin
from apps.core.exceptions import ServiceError
from apps.datasets.models import Dataset
from apps.datasets.services import dataset_remove
from apps.live.events import modules_topic, publish_on_commit
from apps.live.status import status_refresh_on_commit
from apps.locks.services import lock_check_free, locks_drop
from apps.modules.dataset_usage import modules_using
from apps.modules.models import Module
from apps.runs.aggregation import drop_states


def _refusal(module: Module, user: User) -> tuple[str, str, int] | None:
    """(code, reason, HTTP status) when the user may not remove the module, else None."""
    busy = module.runs.filter(result="").order_by("run_number").first()
    if busy is not None:
        return "module_running", f"Run {busy.run_number} of this module has not finished yet.", 409
    if not owns_or_admin(user=user, owner_id=module.creator_id):
        return "forbidden", "Only its creator or an Admin may remove this module.", 403
    if module.is_final and not user.is_app_admin:
        return "forbidden", "The module is final; only an Admin may remove it.", 403
    return None


def _output_datasets(module: Module) -> list[Dataset]:
    """The datasets, still there, that the module's runs wrote (outputs and kept internal ones).
    An INOUT dataset is the module's input too, which it updated rather than produced: never offered."""
    ids = {row["dataset"] for datasets in module.runs.values_list("datasets", flat=True)
           for row in (datasets if isinstance(datasets, list) else [])
           if isinstance(row, dict) and row.get("direction") == "OUT" and row.get("mode") != "INOUT"
           and isinstance(row.get("dataset"), int)}
    return list(Dataset.objects.filter(pk__in=ids, removed_at__isnull=True, pending_run__isnull=True).order_by("name"))


def _used_by_others(module: Module, datasets: list[Dataset]) -> dict[int, set[str]]:
    """{dataset id: names of the other modules that keep it from being removed}."""
    uses = modules_using(dataset_ids=[d.pk for d in datasets], excluding=module.pk)
    return {pk: {u["module_name"] for u in found} for pk, found in uses.items()}


def removal_plan(*, module: Module, user: User) -> dict[str, Any]:
    """What DELETE would do: {allowed, reason?, outputs: [{dataset, name, removable, used_by, reason?}]}."""
    refusal = _refusal(module, user)
    datasets = _output_datasets(module)
    used = _used_by_others(module, datasets)
    outputs = []
    for dataset in datasets:
        item: dict[str, Any] = {"dataset": dataset.pk, "name": dataset.name, "used_by": sorted(used[dataset.pk])}
        if used[dataset.pk]:
            item["reason"] = "Used by " + ", ".join(item["used_by"]) + "."
        elif not owns_or_admin(user=user, owner_id=dataset.creator_id):
            item["reason"] = "Created by someone else; only they or an Admin may remove it."
        item["removable"] = "reason" not in item
        outputs.append(item)
    plan: dict[str, Any] = {"allowed": refusal is None, "outputs": outputs}
    if refusal is not None:
        plan["reason"] = refusal[1]
    return plan


@transaction.atomic
def module_remove(*, module: Module, user: User, remove_outputs: bool) -> list[int]:
    """Removes the module and its history (and its unused outputs); returns the removed dataset ids."""
    module = Module.objects.select_for_update().get(pk=module.pk)
    refusal = _refusal(module, user)
    if refusal is not None:
        code, reason, status = refusal
        raise ServiceError(code, reason, status=status)
    if not user.is_app_admin:
        lock_check_free(kind="module", object_id=module.pk, user=user)
    plan = removal_plan(module=module, user=user)
    module_id, project_id = module.pk, module.project_id
    drop_states(module=module)
    module.delete()
    locks_drop(kind="module", object_id=module_id)
    removed = [item["dataset"] for item in plan["outputs"] if item["removable"]] if remove_outputs else []
    for dataset in Dataset.objects.filter(pk__in=removed).order_by("pk"):
        dataset_remove(dataset=dataset)
    publish_on_commit(modules_topic(project_id), "module_removed", {"module": module_id})
    publish_on_commit(f"module:{module_id}", "module_removed", {"module": module_id})
    status_refresh_on_commit(dataset_ids=[item["dataset"] for item in plan["outputs"]])
    return removed
