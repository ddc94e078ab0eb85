from collections.abc import Iterable
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet, TextField
from django.db.models.functions import Cast

from apps.engine import aggregation, composite
from apps.engine import placeholders as ph
from apps.engine.plpgsql_check import check_plpgsql
from apps.locks.models import EditLock
from apps.locks.selectors import active_locks
from apps.moduletypes.models import ModuleType, ModuleTypeVersion

LOCK_KIND: str = EditLock.Kind.MODULE_TYPE


def filter_module_types(queryset: QuerySet[ModuleType], *, search: str = "", kind: str = "", final: str = "",
                        tag: str = "") -> QuerySet[ModuleType]:
    """The Module Type Manager's filters: `search` in name, description and tags; `kind`; `final`
    (true: has a final version, false: has none); `tag` (exactly). Unknown values filter nothing."""
    if search.strip():
        text = search.strip()
        queryset = queryset.annotate(tags_text=Cast("tags", TextField())).filter(
            Q(name__icontains=text) | Q(description__icontains=text) | Q(tags_text__icontains=text))
    if kind in ModuleType.Kind.values:
        queryset = queryset.filter(kind=kind)
    if final in ("true", "false"):
        has_final = Exists(ModuleTypeVersion.objects.filter(module_type=OuterRef("pk"), is_final=True))
        queryset = queryset.filter(has_final if final == "true" else ~has_final)
    if tag.strip():
        queryset = queryset.filter(tags__contains=[tag.strip()])
    return queryset


def module_type_locks(ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    """{module type id: {user, user_name, since, expires_at}} for the edit locks in force; one query."""
    return active_locks(kind=LOCK_KIND, ids=ids)


def dependents_of(*, version: ModuleTypeVersion) -> dict[str, list[dict[str, Any]]]:
    """Modules and composite versions that use this version (what an update or removal affects)."""
    return {
        "modules": [{"id": m.pk, "name": m.name} for m in version.modules.order_by("name")],
        "composites": [{"id": v.pk, "module_type_name": v.module_type.name, "number": v.number}
                       for v in version.used_by.select_related("module_type").order_by("module_type__name", "number")],
    }


def has_dependents(deps: dict[str, list[dict[str, Any]]]) -> bool:
    return bool(deps["modules"] or deps["composites"])


def _slot_specs(dataset_slots: list[dict[str, Any]], parameter_slots: list[dict[str, Any]]) -> tuple[list[ph.DatasetSlot], list[ph.ParameterSlot]]:
    datasets = [ph.DatasetSlot(s["placeholder"], s["mode"], str(s["dataset_type"]), bool(s.get("is_optional")))
                for s in dataset_slots]
    parameters = [ph.ParameterSlot(s["name"], s["sql_type"], s["mode"], bool(s.get("is_optional")))
                  for s in parameter_slots]
    return datasets, parameters


def _aggregation_errors(fields: dict[str, Any]) -> list[dict[str, Any]]:
    """A simple aggregation version: its slots, then each of its own SQL fields (docs/aggregation.md)."""
    dataset_slots, parameter_slots = fields["dataset_slots"], fields["parameter_slots"]
    slot_errors = aggregation.aggregation_slot_errors(dataset_slots, parameter_slots,
                                                      custom_process=bool(fields["process_sql"].strip()))
    if slot_errors:
        return [{"code": code, "message": message} for code, message in slot_errors]
    errors = []
    for field, mode in (("aggregate_sql", aggregation.RUN), ("process_sql", aggregation.PROCESS),
                        ("clear_sql", aggregation.PROCESS)):
        if not fields[field].strip():
            continue  # MAGDA's default, written by the engine
        slots = aggregation.phase_slots(dataset_slots, mode)
        if field == "clear_sql":
            slots = [s for s in slots if s["placeholder"] == aggregation.STATE]
        datasets, parameters = _slot_specs(slots, parameter_slots)
        errors += [{"code": e.code, "message": e.message, "line": e.line, "column": e.column, "field": field}
                   for e in check_plpgsql(fields[field], datasets, parameters)]
    return errors


def validation_errors(*, version: ModuleTypeVersion, draft: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """`draft` (unsaved fields) is validated instead of the saved ones where given."""
    fields = {"algorithm": version.algorithm, "dataset_slots": version.dataset_slots,
              "parameter_slots": version.parameter_slots, "graph": version.graph,
              "is_aggregation": version.is_aggregation, "aggregate_sql": version.aggregate_sql,
              "process_sql": version.process_sql, "clear_sql": version.clear_sql, **(draft or {})}
    from apps.moduletypes.services import slot_problems

    problems = slot_problems(fields["dataset_slots"], fields["parameter_slots"])
    if problems:
        return [{"code": "invalid_slots", "message": p} for p in problems]
    if version.module_type.kind == "progressive":
        return []  # built-in: valid by construction
    if fields["is_aggregation"] and version.module_type.kind != "simple":
        return [{"code": "aggregation_not_simple", "message": "Only a simple module type version can be an "
                 "aggregation (a composite contains aggregation submodules instead)."}]
    if version.module_type.kind == "simple" and fields["is_aggregation"]:
        return _aggregation_errors(fields)
    if version.module_type.kind == "simple":
        datasets, parameters = _slot_specs(fields["dataset_slots"], fields["parameter_slots"])
        return [{"code": e.code, "message": e.message, "line": e.line, "column": e.column}
                for e in check_plpgsql(fields["algorithm"], datasets, parameters)]
    return [e.as_dict() for e in graph_errors(version=version, graph=fields["graph"],
                                              dataset_slots=fields["dataset_slots"],
                                              parameter_slots=fields["parameter_slots"])]


def submodule_versions(*, project_id: int | None) -> QuerySet[ModuleTypeVersion]:
    """The versions a composite type of project `project_id` may contain: its own project's and the
    built-ins (no project). One rule for saving (the `uses` relation), validating and planning; a
    version of another project is looked up exactly like one that does not exist."""
    return ModuleTypeVersion.objects.filter(Q(module_type__project_id=project_id) | Q(module_type__project__isnull=True))


def graph_errors(*, version: ModuleTypeVersion, graph: dict[str, Any], dataset_slots: list[dict[str, Any]],
                 parameter_slots: list[dict[str, Any]]) -> list[composite.GraphError]:
    ids = [s.get("version") for s in graph.get("submodules") or [] if isinstance(s.get("version"), int)]
    used = {v.pk: v for v in submodule_versions(project_id=version.module_type.project_id).filter(pk__in=ids)
            .select_related("module_type")}
    errors = [composite.GraphError("recursive_composite", f"Submodule {s.get('name')!r} contains this composite.",
                                   s.get("id"))
              for s in graph.get("submodules") or [] if s.get("version") in used and
              _contains(used[s["version"]], version.pk)]
    slots = {pk: composite.Slots(v.dataset_slots, v.parameter_slots) for pk, v in used.items()}
    errors += composite.validate_graph(graph, composite.Slots(dataset_slots, parameter_slots), slots)
    return errors + _aggregation_graph_errors(graph, used)


def _aggregation_graph_errors(graph: dict[str, Any], used: dict[int, ModuleTypeVersion]) -> list[composite.GraphError]:
    """The phases' rules (apps.engine.aggregation.phases), and no aggregation inside a nested composite."""
    errors = [composite.GraphError("nested_aggregation", f"Submodule {s.get('name')!r} is a composite that contains "
                                   "an aggregation submodule; aggregation submodules belong in the top composite.",
                                   s.get("id"))
              for s in graph.get("submodules") or [] if s.get("version") in used
              and used[s["version"]].kind == "composite" and contains_aggregation(used[s["version"]])]
    _, phase_errors = aggregation.graph_phases(graph, {pk for pk, v in used.items() if v.is_aggregation})
    return errors + [composite.GraphError(e.code, e.message, int(e.node), e.slot)  # type: ignore[call-overload]
                     for e in phase_errors]


def contains_aggregation(version: ModuleTypeVersion, seen: set[int] | None = None) -> bool:
    """Is `version` an aggregation, or does it (recursively) use one?"""
    seen = seen if seen is not None else set()
    if version.is_aggregation:
        return True
    if version.pk in seen:
        return False
    seen.add(version.pk)
    return any(contains_aggregation(child, seen) for child in version.uses.all())


def graph_phases(*, version: ModuleTypeVersion, graph: dict[str, Any]) -> dict[str, str]:
    """{submodule id (as text): phase} for the diagram; {} without an aggregation submodule."""
    ids = [s.get("version") for s in graph.get("submodules") or [] if isinstance(s.get("version"), int)]
    if version.kind != "composite" or not ids:
        return {}
    aggregations = set(submodule_versions(project_id=version.module_type.project_id)
                       .filter(pk__in=ids, is_aggregation=True).values_list("pk", flat=True))
    found, _ = aggregation.graph_phases(graph, aggregations)
    return {str(k): v for k, v in found.items()}


def _contains(version: ModuleTypeVersion, target_id: int, seen: set[int] | None = None) -> bool:
    """Does `version` (recursively) use the version `target_id`?"""
    seen = seen if seen is not None else set()
    if version.pk == target_id:
        return True
    if version.pk in seen:
        return False
    seen.add(version.pk)
    return any(_contains(child, target_id, seen) for child in version.uses.all())


def finalize_plan(*, version: ModuleTypeVersion) -> list[ModuleTypeVersion]:
    """This version, then every non-final version it uses, recursively (each once)."""
    plan: list[ModuleTypeVersion] = []
    pending, seen = [version], set()
    while pending:
        current = pending.pop(0)
        if current.pk in seen or current.is_final:
            continue
        seen.add(current.pk)
        plan.append(current)
        pending.extend(current.uses.select_related("module_type").order_by("pk"))
    return plan


def versions_using_dataset_type(dataset_type: Any, projects: QuerySet[Any]) -> list[dict[str, Any]]:
    """The module type versions of `projects` with a dataset slot of `dataset_type` (and which slots);
    registered with apps.datasets.selectors.type_usage_providers."""
    versions = (ModuleTypeVersion.objects
                .filter(dataset_slots__contains=[{"dataset_type": dataset_type.pk}],
                        module_type__project__in=projects.values("pk"))
                .select_related("module_type"))
    return [{"id": v.pk, "module_type": v.module_type_id, "module_type_name": v.module_type.name,
             "number": v.number, "name": v.name, "is_final": v.is_final,
             "slots": [{"placeholder": slot.get("placeholder"), "mode": slot.get("mode")}
                       for slot in v.dataset_slots if isinstance(slot, dict) and slot.get("dataset_type") == dataset_type.pk]}
            for v in versions]
