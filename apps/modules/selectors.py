"""Reads for modules: the list's queryset, and the bulk facts that module status is computed from.

Every function here runs a fixed number of queries whatever the number of modules it is given,
so listing 1,000 modules costs as many queries as listing 5."""

from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import connection
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL

from apps.datasets.models import Dataset, DatasetVersion
from apps.modules.models import Module
from apps.moduletypes.models import ModuleTypeVersion
from apps.runs.models import Run

# What a list or a status computation needs of a module's neighbours. Type versions are prefetched
# (one query for the distinct ones) rather than joined: a thousand modules share a few versions,
# whose slots and algorithm would otherwise be sent and decoded once per module.
RUN_FIELDS = ("id", "module_id", "run_number", "mode", "result", "type_version_id", "created_at", "started_at",
              "ended_at", "datasets", "error", "parameter_overrides")


def modules_queryset() -> QuerySet[Module]:
    return Module.objects.select_related("creator", "project").prefetch_related("type_version__module_type")


# A JSON value that jsonb_each / jsonb_array_elements can take apart whatever was stored.
_OBJECT = "CASE WHEN jsonb_typeof({0}) = 'object' THEN {0} ELSE '{{}}'::jsonb END"
_ARRAY = "CASE WHEN jsonb_typeof({0}) = 'array' THEN {0} ELSE '[]'::jsonb END"
# An IN binding's dataset id as text (NULL for outputs and anything malformed).
_INPUT_DATASET = ("CASE WHEN jsonb_typeof({0}) = 'object' AND NOT {0} ? 'output_method' "
                  "AND jsonb_typeof({0} -> 'dataset') = 'number' THEN {0} ->> 'dataset' END")


_USES_TABLE = ModuleTypeVersion.uses.through._meta.db_table


def _tables() -> dict[str, str]:
    return {"module": Module._meta.db_table, "dataset": Dataset._meta.db_table, "run": Run._meta.db_table}


def _upstream_sql() -> str:
    """Ids of the modules that produce (keyword MODULE_ID, set when a run publishes its outputs) the
    inputs of the given modules, recursively; UNION stops at cycles."""
    t = _tables()
    return f"""
        WITH RECURSIVE closure(id) AS (
            SELECT unnest(%s::bigint[])
          UNION
            SELECT (d.keywords ->> 'MODULE_ID')::bigint
            FROM closure c
            JOIN {t["module"]} m ON m.id = c.id
            CROSS JOIN LATERAL jsonb_each({_OBJECT.format("m.dataset_bindings")}) AS b(placeholder, binding)
            JOIN {t["dataset"]} d ON d.id::text = {_INPUT_DATASET.format("b.binding")}
            WHERE d.keywords ->> 'MODULE_ID' ~ '^[0-9]{{1,18}}$'
        )
        SELECT id FROM closure WHERE NOT (id = ANY(%s::bigint[]))"""


def upstream_modules(*, module_ids: list[int]) -> list[Module]:
    """The modules (not among `module_ids`) whose outputs feed them, directly or not. One query."""
    # Joined, not prefetched: always exactly one query, whether or not there are any.
    joined = Module.objects.select_related("creator", "project", "type_version__module_type")
    return list(joined.filter(pk__in=RawSQL(_upstream_sql(), [module_ids, module_ids])))


def affected_module_ids(*, module_ids: Iterable[int] = (), dataset_ids: Iterable[int] = (),
                        type_version_ids: Iterable[int] = ()) -> list[int]:
    """The modules whose status a change to these modules, datasets or type versions can change:
    the modules themselves, those binding or having read or written the datasets, those of the type
    versions, and everything downstream of them (modules reading their outputs). One query."""
    t = _tables()
    sql = f"""
        WITH RECURSIVE users_of(id) AS (
            SELECT unnest(%(versions)s::bigint[])
          UNION
            SELECT u.from_moduletypeversion_id FROM {_USES_TABLE} u JOIN users_of ON u.to_moduletypeversion_id = users_of.id
        ), direct(id) AS (
            SELECT unnest(%(modules)s::bigint[])
          UNION
            SELECT m.id FROM {t["module"]} m WHERE m.type_version_id IN (SELECT id FROM users_of)
          UNION
            SELECT m.id FROM {t["module"]} m,
                   jsonb_each({_OBJECT.format("m.dataset_bindings")}) AS b(placeholder, binding)
            WHERE jsonb_typeof(b.binding) = 'object' AND b.binding ->> 'dataset' = ANY(%(datasets)s::text[])
          UNION
            SELECT r.module_id FROM {t["run"]} r, jsonb_array_elements({_ARRAY.format("r.datasets")}) AS e(row)
            WHERE jsonb_typeof(e.row) = 'object' AND e.row ->> 'dataset' = ANY(%(datasets)s::text[])
        ), closure(id) AS (
            SELECT id FROM direct
          UNION
            SELECT m.id FROM closure c
            JOIN {t["dataset"]} d ON d.keywords ->> 'MODULE_ID' = c.id::text
            JOIN {t["module"]} m ON EXISTS (
                SELECT 1 FROM jsonb_each({_OBJECT.format("m.dataset_bindings")}) AS b(placeholder, binding)
                WHERE {_INPUT_DATASET.format("b.binding")} = d.id::text)
        )
        SELECT id FROM closure WHERE id IS NOT NULL ORDER BY id"""
    params: dict[str, Any] = {"modules": list(module_ids), "versions": list(type_version_ids),
                              "datasets": [str(i) for i in dataset_ids]}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


@dataclass(frozen=True)
class SubmoduleVersion:
    type_name: str
    number: int
    last_modified: datetime
    is_aggregation: bool = False


def submodule_versions(*, type_version_ids: Collection[int]) -> dict[int, list[SubmoduleVersion]]:
    """For each composite type version, every version it uses, at any depth. One query."""
    if not type_version_ids:
        return {}
    sql = f"""
        WITH RECURSIVE used(root, id) AS (
            SELECT u.from_moduletypeversion_id, u.to_moduletypeversion_id FROM {_USES_TABLE} u
            WHERE u.from_moduletypeversion_id = ANY(%s::bigint[])
          UNION
            SELECT used.root, u.to_moduletypeversion_id FROM used JOIN {_USES_TABLE} u ON u.from_moduletypeversion_id = used.id
        )
        SELECT used.root, t.name, v.number, v.last_modified, v.is_aggregation FROM used
        JOIN {ModuleTypeVersion._meta.db_table} v ON v.id = used.id
        JOIN {ModuleTypeVersion._meta.get_field("module_type").related_model._meta.db_table} t ON t.id = v.module_type_id
        ORDER BY used.root, t.name, v.number"""
    found: dict[int, list[SubmoduleVersion]] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, [list(type_version_ids)])
        for root, name, number, last_modified, is_aggregation in cursor.fetchall():
            found.setdefault(root, []).append(SubmoduleVersion(name, number, last_modified, is_aggregation))
    return found


def last_runs(*, module_ids: list[int]) -> dict[int, Run]:
    """Each module's latest run (finished or not), without its bulky results. One query."""
    runs = (Run.objects.filter(module_id__in=module_ids).order_by("module_id", "-run_number")
            .distinct("module_id").only(*RUN_FIELDS))
    return {run.module_id: run for run in runs}


@dataclass(frozen=True)
class VersionFacts:
    number: int
    is_final: bool
    last_modified: datetime


@dataclass
class DatasetFacts:
    """What status needs to know of a dataset: is it there, of which type, which versions, who made it."""

    id: int
    name: str
    dataset_type_id: int
    project_id: int
    present: bool  # not removed, not a run's unpublished output
    producer: int | None  # the module whose run published it last (keyword MODULE_ID)
    versions: dict[int, VersionFacts] = field(default_factory=dict)

    def version_a_run_reads(self, mode: str, *, ignoring: Collection[int] = ()) -> int | None:
        """For a binding without a version, the version a run would read now, as apps.runs.planning
        resolves it (they must agree, or a module that has just run would look OutOfDate): for an IN
        slot the latest published version, final or not; for an INOUT slot the latest final one.
        None when there is none (the runner then refuses to run). `ignoring`: versions to leave out
        (those the module's last run wrote itself). Pending versions are never among `versions`."""
        readable = [n for n, v in self.versions.items() if (mode != "INOUT" or v.is_final) and n not in ignoring]
        return max(readable) if readable else None


def _producer(keywords: Any) -> int | None:
    value = keywords.get("MODULE_ID") if isinstance(keywords, dict) else None
    return int(value) if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 18 else None


def dataset_facts(*, dataset_ids: Iterable[int]) -> dict[int, DatasetFacts]:
    """Datasets with their published versions. Two queries."""
    wanted = sorted(set(dataset_ids))
    facts = {
        row["id"]: DatasetFacts(id=row["id"], name=row["name"], dataset_type_id=row["dataset_type_id"],
                                project_id=row["project_id"], present=row["removed_at"] is None and row["pending_run_id"] is None,
                                producer=_producer(row["keywords"]))
        for row in Dataset.objects.filter(pk__in=wanted).values(
            "id", "name", "dataset_type_id", "project_id", "removed_at", "pending_run_id", "keywords")
    }
    versions = (DatasetVersion.objects.filter(dataset_id__in=wanted, pending_run__isnull=True)
                .values_list("dataset_id", "number", "is_final", "last_modified"))
    for dataset_id, number, is_final, last_modified in versions:
        facts[dataset_id].versions[number] = VersionFacts(number, is_final, last_modified)
    return facts
