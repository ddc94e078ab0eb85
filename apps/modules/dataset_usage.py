"""Which modules use which datasets: registered with apps.datasets (removal refusal, related
modules) and used by module removal. Each question is one query, however many datasets."""

from collections.abc import Iterable
from typing import Any

from django.db import connection

from apps.datasets.models import Dataset
from apps.modules.models import Module
from apps.runs.models import Result, Run

_BINDINGS = f"""
    SELECT (b.binding ->> 'dataset')::bigint, m.id, m.name,
           CASE WHEN b.binding ->> 'output_method' = 'REPLACE' THEN 'replace' ELSE 'input' END
    FROM {Module._meta.db_table} m,
         jsonb_each(CASE WHEN jsonb_typeof(m.dataset_bindings) = 'object' THEN m.dataset_bindings
                    ELSE '{{}}'::jsonb END) AS b(placeholder, binding)
    WHERE m.id <> %(excluding)s AND jsonb_typeof(b.binding) = 'object'
      AND b.binding ->> 'dataset' = ANY(%(datasets)s::text[])
      AND EXISTS (SELECT 1 FROM {Dataset._meta.db_table} d
                  WHERE d.id::text = b.binding ->> 'dataset' AND d.project_id = m.project_id)"""

# Outputs of each module's latest successful run (latest_only) or of any of its runs.
_OUTPUTS = f"""
    SELECT DISTINCT (e.row ->> 'dataset')::bigint, m.id, m.name, 'output'
    FROM (SELECT {{distinct}} module_id, datasets FROM {Run._meta.db_table}
          WHERE result = %(success)s AND module_id <> %(excluding)s ORDER BY module_id, run_number DESC) r
    JOIN {Module._meta.db_table} m ON m.id = r.module_id,
         jsonb_array_elements(CASE WHEN jsonb_typeof(r.datasets) = 'array' THEN r.datasets
                              ELSE '[]'::jsonb END) AS e(row)
    WHERE jsonb_typeof(e.row) = 'object' AND e.row ->> 'direction' = 'OUT' AND e.row ->> 'mode' IS DISTINCT FROM 'INOUT'
      AND e.row ->> 'dataset' = ANY(%(datasets)s::text[])
      AND EXISTS (SELECT 1 FROM {Dataset._meta.db_table} d
                  WHERE d.id::text = e.row ->> 'dataset' AND d.project_id = m.project_id)"""


def modules_using(*, dataset_ids: Iterable[int], latest_outputs_only: bool = True,
                  excluding: int = 0) -> dict[int, list[dict[str, Any]]]:
    """{dataset id: [{module_id, module_name, relation: input|replace|output}]}: the modules binding
    each dataset, and those whose latest successful run (or any successful run) produced it. Only
    modules of the dataset's own project: another project's module (a binding that predates a change
    of project, which its run refuses) is not named to the dataset's users."""
    ids = list(dataset_ids)
    found: dict[int, list[dict[str, Any]]] = {i: [] for i in ids}
    if not ids:
        return found
    params: dict[str, Any] = {"datasets": [str(i) for i in ids], "excluding": excluding, "success": Result.SUCCESS}
    outputs = _OUTPUTS.format(distinct="DISTINCT ON (module_id)" if latest_outputs_only else "")
    with connection.cursor() as cursor:
        for sql in (_BINDINGS, outputs):
            cursor.execute(sql, params)
            for dataset_id, module_id, name, relation in cursor.fetchall():
                use = {"module_id": module_id, "module_name": name, "relation": relation}
                if use not in found[dataset_id]:
                    found[dataset_id].append(use)
    return found


def uses_forbidding_removal(dataset: Dataset) -> list[dict[str, Any]]:
    return modules_using(dataset_ids=[dataset.pk])[dataset.pk]


def related_modules(dataset: Dataset) -> list[dict[str, Any]]:
    return modules_using(dataset_ids=[dataset.pk], latest_outputs_only=False)[dataset.pk]
