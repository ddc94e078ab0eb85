"""Bring modules up to date: run the selected modules in dependency order.

Module B depends on module A (both selected) when one of B's IN datasets is A's output: the
target A REPLACEs, the dataset A updates through an INOUT slot (A adds a version to it), or a NEW
dataset A's latest successful run created. An INOUT slot reads a final version, which no run writes,
so it makes its module depend on nobody. A runs before B; a cycle is
refused. Every selected module runs, UpToDate or not (the answer says which already were). The runs
are recorded at once and executed one after another by a single Celery task; a run whose upstream
run did not succeed is not executed and ends CANCELLED, saying which upstream run failed."""

import graphlib
from collections.abc import Sequence
from typing import Any

from django.db import transaction

from apps.accounts.models import User
from apps.core.exceptions import ServiceError
from apps.modules.models import Module
from apps.modules.status import compute_statuses
from apps.modules.status_refresh import status_refresh
from apps.runs.models import Result, Run
from apps.runs.recorder import RunRecorder
from apps.runs.services import run_record


def _bound_datasets(module: Module, mode: str) -> set[int]:
    """The datasets bound to the module's `mode` slots (REPLACE targets for OUT)."""
    bindings = module.dataset_bindings if isinstance(module.dataset_bindings, dict) else {}
    placeholders = {s["placeholder"] for s in module.type_version.dataset_slots if s["mode"] == mode}
    return {b["dataset"] for p, b in bindings.items()
            if p in placeholders and isinstance(b, dict) and isinstance(b.get("dataset"), int)
            and (mode != "OUT" or b.get("output_method") == "REPLACE")}


def _input_datasets(module: Module) -> set[int]:
    return _bound_datasets(module, "IN")


def _produced_datasets(module: Module, last_success: Run | None) -> set[int]:
    produced = _bound_datasets(module, "OUT") | _bound_datasets(module, "INOUT")
    rows = last_success.datasets if last_success is not None and isinstance(last_success.datasets, list) else []
    produced |= {r["dataset"] for r in rows if isinstance(r, dict) and not r.get("path")
                 and r.get("direction") == "OUT" and r.get("output_method") == "NEW" and isinstance(r.get("dataset"), int)}
    return produced


def _last_successful_runs(module_ids: list[int]) -> dict[int, Run]:
    runs = (Run.objects.filter(module_id__in=module_ids, result=Result.SUCCESS).order_by("module_id", "-run_number")
            .distinct("module_id").only("id", "module_id", "run_number", "datasets"))
    return {run.module_id: run for run in runs}


def dependencies(modules: Sequence[Module]) -> dict[int, set[int]]:
    """{module id: ids of the selected modules whose outputs it reads}. One query."""
    last = _last_successful_runs([m.pk for m in modules])
    produced = {m.pk: _produced_datasets(m, last.get(m.pk)) for m in modules}
    return {b.pk: {a.pk for a in modules if a.pk != b.pk and produced[a.pk] & _input_datasets(b)} for b in modules}


def dependency_order(modules: Sequence[Module]) -> tuple[list[Module], dict[int, set[int]]]:
    """The modules, upstream first (ties in the order given), and their dependencies; 409 on a cycle."""
    by_id = {m.pk: m for m in modules}
    position = {m.pk: i for i, m in enumerate(modules)}
    deps = dependencies(modules)
    sorter = graphlib.TopologicalSorter(deps)
    try:
        sorter.prepare()
    except graphlib.CycleError as exc:
        cycle = [by_id[pk] for pk in exc.args[1]]
        raise ServiceError("dependency_cycle", "These modules read each other's outputs in a cycle, so no order "
                           "runs them all: " + " → ".join(m.name for m in cycle) + ".", status=409,
                           details={"cycle": [{"id": m.pk, "name": m.name} for m in cycle]}) from None
    order: list[Module] = []
    while sorter.is_active():
        ready = sorted(sorter.get_ready(), key=position.__getitem__)
        order += [by_id[pk] for pk in ready]
        sorter.done(*ready)
    return order, deps


@transaction.atomic
def bring_up_to_date(*, modules: Sequence[Module], user: User) -> dict[str, Any]:
    """Records one run per module, in dependency order, and enqueues their sequential execution.
    All or nothing: a module already running or a cycle refuses the whole request."""
    from apps.modules.tasks import bring_up_to_date_task

    locked = {m.pk: m for m in Module.objects.select_for_update().filter(pk__in=[m.pk for m in modules]).order_by("pk")
              .select_related("type_version__module_type", "project", "creator")}
    selected = [locked[m.pk] for m in modules]
    order, deps = dependency_order(selected)
    statuses = compute_statuses(selected).statuses
    runs = [run_record(module=module, user=user, mode=Run.Mode.RUN) for module in order]
    run_of = {run.module_id: run.pk for run in runs}
    plan = [(run.pk, sorted(run_of[up] for up in deps[run.module_id])) for run in runs]
    transaction.on_commit(lambda: bring_up_to_date_task.delay(plan))
    return {"runs": runs, "already_up_to_date": [m.pk for m in order if statuses[m.pk].status == "UpToDate"]}


def execute_in_order(plan: list[tuple[int, list[int]]], *, worker: str) -> dict[int, str]:
    """Runs each (run id, upstream run ids) in turn; returns {run id: result}. Safe to repeat after a
    crash: finished runs keep their result."""
    from apps.runs.runner import execute_run

    results: dict[int, str] = {}
    for run_id, upstream in plan:
        run = Run.objects.select_related("module").get(pk=run_id)
        failed = [up for up in upstream if results.get(up) != Result.SUCCESS]
        if not run.result and failed:
            _cancel_for_upstream(run, Run.objects.select_related("module").get(pk=failed[0]))
        elif not run.result:
            run = execute_run(run_id, worker=worker)
        run.refresh_from_db(fields=["result"])
        results[run_id] = run.result
    return results


def _cancel_for_upstream(run: Run, upstream: Run) -> None:
    message = (f"Not run: module {upstream.module.name!r}, whose output this module reads, did not succeed "
               f"(run {upstream.run_number} ended {upstream.result or 'unfinished'}).")
    RunRecorder(run).finished(Result.CANCELLED, {"message": message, "code": "upstream_failed",
                                                 "upstream_run": upstream.pk})
    status_refresh(module_ids=[run.module_id])
