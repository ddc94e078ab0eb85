"""Side-by-side comparison of two modules (EMF Module Manager → Compare).

Each module is flattened into {(section, key): value}; the union of keys, in a stable order,
gives the rows, each MATCH, DIFFERENT, FIRST ONLY or SECOND ONLY. A key exists for a module when
the attribute applies to it (a placeholder of its type, a Name Pattern of a NEW output…); a key
that applies but has no value is the empty string. Values are text, as the report shows them."""

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from apps.datasets.models import Dataset, DatasetType
from apps.modules.models import Module
from apps.modules.status import compute_statuses
from apps.runs.models import Result, Run

MATCH, DIFFERENT, FIRST_ONLY, SECOND_ONLY = "MATCH", "DIFFERENT", "FIRST ONLY", "SECOND ONLY"
SECTIONS = ("summary", "datasets", "parameters", "internal datasets", "internal parameters", "aggregation")

Flat = dict[tuple[str, str], str]


@dataclass
class Names:
    datasets: dict[int, tuple[str, bool]]  # id -> (name, still there)
    types: dict[int, str]  # dataset type id -> name

    def dataset(self, pk: Any) -> str:
        return self.datasets[pk][0] if pk in self.datasets else f"dataset {pk}"

    def exists(self, pk: Any) -> bool:
        return pk in self.datasets and self.datasets[pk][1]


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, list | tuple):
        return ", ".join(sorted(str(v) for v in value))
    return str(value)


def _summary(module: Module, status: str, last_run: Run | None) -> Iterator[tuple[str, Any]]:
    version = module.type_version
    yield "Module Type", version.module_type.name
    yield "Module Type Version", f"{version.number} ({version.name})"
    yield "Module Type Version Final", version.is_final
    yield "Composite", version.module_type.kind == "composite"
    yield "Description", module.description
    yield "Tags", module.tags if isinstance(module.tags, list) else []
    yield "Project", module.project.name
    yield "Creator", module.creator.username
    yield "Final", module.is_final
    yield "Status", status
    yield "Last Run Result", last_run.result if last_run else "never run"


def _last_outputs(run: Run | None) -> dict[str, dict[str, Any]]:
    rows = run.datasets if run is not None and run.result == Result.SUCCESS and isinstance(run.datasets, list) else []
    return {row["placeholder"]: row for row in rows
            if isinstance(row, dict) and not row.get("path") and row.get("direction") == "OUT"}


def _dataset_rows(module: Module, names: Names, last_run: Run | None
                  ) -> Iterator[tuple[str, Any]]:
    bindings = module.dataset_bindings if isinstance(module.dataset_bindings, dict) else {}
    outputs = _last_outputs(last_run)
    for slot in sorted(module.type_version.dataset_slots, key=lambda s: s["placeholder"]):
        ph, binding = slot["placeholder"], bindings.get(slot["placeholder"])
        binding = binding if isinstance(binding, dict) else {}
        yield f"{ph} / Mode", slot["mode"]
        yield f"{ph} / Optional", bool(slot.get("is_optional"))
        dataset_type = slot["dataset_type"]
        yield f"{ph} / Dataset Type", "any" if dataset_type is None else names.types.get(int(dataset_type), "")
        yield f"{ph} / Description", slot.get("description", "")
        if slot["mode"] == "OUT":
            method = binding.get("output_method")
            yield f"{ph} / Output Method", method
            if method == "NEW":
                yield f"{ph} / Name Pattern", binding.get("name_pattern")
            produced = outputs.get(ph)
            target = binding.get("dataset") if method == "REPLACE" else (produced or {}).get("dataset")
            if target is not None:
                yield f"{ph} / Dataset Name", names.dataset(target)
                yield f"{ph} / Exists", names.exists(target)
            if produced is not None:
                yield f"{ph} / Last Output Version", produced.get("version")
        elif binding.get("dataset") is not None:
            target = binding["dataset"]
            yield f"{ph} / Dataset Name", names.dataset(target)
            latest = "latest final" if slot["mode"] == "INOUT" else "latest"
            yield f"{ph} / Version", latest if binding.get("version") is None else binding["version"]
            yield f"{ph} / Exists", names.exists(target)


def _output_values(run: Run | None, *, internal: bool) -> dict[str, Any]:
    """Output parameter values of the last run, shown only when it succeeded (as in EMF)."""
    rows = run.parameters if run is not None and run.result == Result.SUCCESS and isinstance(run.parameters, list) else []
    return {(f"{row.get('path')}.{row['name']}" if internal else row["name"]): row.get("output_value")
            for row in rows if isinstance(row, dict) and bool(row.get("path")) == internal and "name" in row}


def _parameter_rows(module: Module, last_run: Run | None) -> Iterator[tuple[str, Any]]:
    values = module.parameter_bindings if isinstance(module.parameter_bindings, dict) else {}
    outputs = _output_values(last_run, internal=False)
    for slot in sorted(module.type_version.parameter_slots, key=lambda s: s["name"]):
        name = slot["name"]
        yield f"{name} / Mode", slot["mode"]
        yield f"{name} / Optional", bool(slot.get("is_optional"))
        yield f"{name} / SQL Type", slot["sql_type"]
        yield f"{name} / Description", slot.get("description", "")
        if slot["mode"] != "OUT":
            yield f"{name} / Input Value", values.get(name)
        if slot["mode"] != "IN":
            yield f"{name} / Output Value", outputs.get(name)


def _keep(module: Module, what: str) -> set[str]:
    keep = module.keep_internal if isinstance(module.keep_internal, dict) else {}
    return {n for n in keep.get(what) or [] if isinstance(n, str)}


def _internal_dataset_rows(module: Module, names: Names, last_run: Run | None
                           ) -> Iterator[tuple[str, Any]]:
    produced = {f"{row['path']}.{row.get('placeholder')}": row
                for row in (last_run.datasets if last_run is not None and isinstance(last_run.datasets, list) else [])
                if isinstance(row, dict) and row.get("path") and row.get("direction") == "OUT"}
    for name in sorted(_keep(module, "datasets") | set(produced)):
        yield f"{name} / Kept", name in _keep(module, "datasets")
        if name in produced:
            target = produced[name].get("dataset")
            yield f"{name} / Dataset Name", names.dataset(target)
            yield f"{name} / Version", produced[name].get("version")


def _internal_parameter_rows(module: Module, last_run: Run | None) -> Iterator[tuple[str, Any]]:
    outputs = _output_values(last_run, internal=True)
    for name in sorted(_keep(module, "parameters") | set(outputs)):
        yield f"{name} / Kept", name in _keep(module, "parameters")
        if name in outputs:
            yield f"{name} / Output Value", outputs[name]


def _names(modules: list[Module], runs: list[Run | None]) -> Names:
    """The datasets and dataset types the two modules mention, in two queries."""
    ids: set[int] = set()
    for module in modules:
        bindings = module.dataset_bindings if isinstance(module.dataset_bindings, dict) else {}
        ids.update(b["dataset"] for b in bindings.values() if isinstance(b, dict) and isinstance(b.get("dataset"), int))
    for run in runs:
        rows = run.datasets if run is not None and isinstance(run.datasets, list) else []
        ids.update(r["dataset"] for r in rows if isinstance(r, dict) and isinstance(r.get("dataset"), int))
    # Only datasets of the two modules' projects (both visible to the user) are named; any other (a
    # binding that predates a change of project) shows as "dataset <id>", like one that does not exist.
    projects = {m.project_id for m in modules}
    datasets = {pk: (name, removed is None and pending is None)
                for pk, name, removed, pending in Dataset.objects.filter(pk__in=ids, project_id__in=projects).values_list(
                    "pk", "name", "removed_at", "pending_run_id")}
    type_ids = {int(s["dataset_type"]) for m in modules for s in m.type_version.dataset_slots
                if s["dataset_type"] is not None}
    return Names(datasets, dict(DatasetType.objects.filter(pk__in=type_ids).values_list("pk", "name")))


def _aggregation_rows(summary: dict[str, Any] | None) -> Iterator[tuple[str, Any]]:
    """What waits for a process in each aggregation submodule (docs/aggregation.md §4)."""
    if summary is None:
        return
    yield "Process Pending", summary["pending"]
    for state in summary["submodules"]:
        where = state["path"] or "(module)"
        yield f"{where} / Runs Pending", state["runs"]
        yield f"{where} / Rows", state["rows"]
        yield f"{where} / State Version", state["state_version"]


def _flatten(module: Module, status: str, last_run: Run | None, names: Names,
             aggregation: dict[str, Any] | None = None) -> Flat:
    parts = {
        "summary": _summary(module, status, last_run),
        "datasets": _dataset_rows(module, names, last_run),
        "parameters": _parameter_rows(module, last_run),
        "internal datasets": _internal_dataset_rows(module, names, last_run),
        "internal parameters": _internal_parameter_rows(module, last_run),
        "aggregation": _aggregation_rows(aggregation),
    }
    return {(section, key): _text(value) for section, rows in parts.items() for key, value in rows}


def _result(first: Flat, second: Flat, key: tuple[str, str]) -> str:
    if key not in second:
        return FIRST_ONLY
    if key not in first:
        return SECOND_ONLY
    return MATCH if first[key] == second[key] else DIFFERENT


def _ordered_keys(first: Flat, second: Flat) -> list[tuple[str, str]]:
    """Sections in their fixed order; the summary in its own order, other keys sorted."""
    summary_order = {key: i for i, key in enumerate([k for k in first if k[0] == "summary"])}
    keys = set(first) | set(second)
    return sorted(keys, key=lambda k: (SECTIONS.index(k[0]), summary_order.get(k, 0), k[1] if k[0] != "summary" else ""))


def compare_modules(*, first: Module, second: Module) -> dict[str, Any]:
    report = compute_statuses([first, second] if first.pk != second.pk else [first])
    runs = [Run.objects.filter(module=m).order_by("-run_number").first() for m in (first, second)]
    names = _names([first, second], runs)
    flat = [_flatten(m, report.statuses[m.pk].status, run, names, report.aggregations.get(m.pk))
            for m, run in zip((first, second), runs, strict=True)]
    rows = [{"section": key[0], "key": key[1], "first": flat[0].get(key), "second": flat[1].get(key),
             "result": _result(flat[0], flat[1], key)} for key in _ordered_keys(*flat)]
    return {"first": {"id": first.pk, "name": first.name}, "second": {"id": second.pk, "name": second.name},
            "rows": rows}
