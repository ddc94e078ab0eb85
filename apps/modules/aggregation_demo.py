"""The MAGDA document's aggregation examples (docs/aggregation.md) as module types and modules.

A regular submodule `reg_mod` (MAGDA Multiply) writes one row, `#{request} * #{val}`; an aggregation
submodule `agg_mod` collects it across runs and, in process mode, writes what it collected to the
module's output `processed`. The three examples differ only in the aggregation type:
1. MAGDA Collect: MAGDA's default (append; process passes every row on and clears);
2. MAGDA Sum: its own process SQL (the sum of the collected rows);
3. MAGDA Running Sum: its own aggregate SQL (the state is one running sum) and process SQL.
Run with `{"mode": "run", "parameters": {"request": "10"}}`, then process with `{"mode": "process"}`."""

from typing import Any

from apps.accounts.models import Project, User
from apps.datasets.models import DatasetType
from apps.datasets.services import dataset_type_create
from apps.modules.models import Module
from apps.modules.services import module_create
from apps.moduletypes.builtins import builtin_version
from apps.moduletypes.models import ModuleType, ModuleTypeVersion
from apps.moduletypes.services import module_type_create

VALUE_TYPE = "MAGDA Value"
MULTIPLY = "INSERT INTO ${product} (value) VALUES (#{request} * #{val});"
SUM_PROCESS = "INSERT INTO ${result} (value) SELECT sum(value) FROM ${state};"
RUNNING_SUM_AGGREGATE = """INSERT INTO ${state} (value) SELECT 0 WHERE NOT EXISTS (SELECT 1 FROM ${state});
UPDATE ${state} SET value = value + (SELECT coalesce(sum(value), 0) FROM ${data});"""
RUNNING_SUM_PROCESS = "INSERT INTO ${result} (value) SELECT value FROM ${state};"
# example -> (aggregation type, its own SQL, description)
EXAMPLES: dict[int, tuple[str, dict[str, str], str]] = {
    1: ("MAGDA Collect", {}, "MAGDA's default aggregation: collects the rows; process passes them all on."),
    2: ("MAGDA Sum", {"process_sql": SUM_PROCESS}, "Collects the rows; process passes on their sum."),
    3: ("MAGDA Running Sum", {"aggregate_sql": RUNNING_SUM_AGGREGATE, "process_sql": RUNNING_SUM_PROCESS},
        "Keeps a running sum as its state; process passes it on."),
}


def module_name(example: int) -> str:
    return f"MAGDA example {example}"


def _slot(placeholder: str, mode: str, dataset_type: DatasetType) -> dict[str, Any]:
    return {"placeholder": placeholder, "mode": mode, "dataset_type": dataset_type.pk, "is_optional": False,
            "description": ""}


def _param(name: str) -> dict[str, Any]:
    return {"name": name, "sql_type": "bigint", "mode": "IN", "is_optional": False, "description": ""}


def _version(name: str, project: Project, owner: User, kind: str, description: str,
             version: dict[str, Any]) -> ModuleTypeVersion:
    found = ModuleType.objects.filter(name=name).first()
    if found is None:
        found = module_type_create(name=name, kind=kind, project=project, creator=owner, description=description,
                                   version={"name": "Initial Version", **version})
    return found.versions.order_by("number").first()  # type: ignore[return-value]


def _wire(kind: str, source: tuple[int | None, str], target: tuple[int | None, str]) -> dict[str, Any]:
    return {"kind": kind, "source": {"submodule": source[0], "slot": source[1]},
            "target": {"submodule": target[0], "slot": target[1]}}


def seed_magda_example(*, project: Project, owner: User, example: int = 1) -> list[str]:
    """The types and module of one example (idempotent); the names it created."""
    if Module.objects.filter(name=module_name(example)).exists():
        return []
    value = DatasetType.objects.filter(name=VALUE_TYPE).first() or dataset_type_create(
        name=VALUE_TYPE, description="One value per row (the MAGDA examples)",
        columns=[{"name": "value", "sql_type": "bigint"}], creator=owner)
    multiply = _version("MAGDA Multiply", project, owner, "simple", "A regular module: request × val.", {
        "algorithm": MULTIPLY, "dataset_slots": [_slot("product", "OUT", value)],
        "parameter_slots": [_param("request"), _param("val")]})
    agg_name, own_sql, description = EXAMPLES[example]
    aggregate = _version(agg_name, project, owner, "simple", description, {
        "is_aggregation": True, "dataset_slots": [_slot("data", "IN", value), _slot("result", "OUT", value)],
        **own_sql})
    graph = {"submodules": [{"id": 1, "name": "reg_mod", "version": multiply.pk, "position": {"x": 0, "y": 0}},
                            {"id": 2, "name": "agg_mod", "version": aggregate.pk, "position": {"x": 260, "y": 0}}],
             "connections": [_wire("parameter", (None, "request"), (1, "request")),
                             _wire("parameter", (None, "val"), (1, "val")),
                             _wire("dataset", (1, "product"), (2, "data")),
                             _wire("dataset", (2, "result"), (None, "processed"))]}
    pipeline = _version(f"MAGDA Example {example}", project, owner, "composite",
                        f"MAGDA's example {example}: reg_mod (request × val) feeding agg_mod ({agg_name}).",
                        {"graph": graph, "dataset_slots": [_slot("processed", "OUT", value)],
                         "parameter_slots": [_param("request"), _param("val")]})
    module_create(name=module_name(example), type_version=pipeline, project=project, creator=owner,
                  description="Run it with request = 10, then 20 (run mode), then process: the output holds 110 and "
                              "220 (docs/aggregation.md).",
                  dataset_bindings={"processed": {"output_method": "NEW",
                                                  "name_pattern": f"MAGDA example {example} processed #${{run.id}}"}},
                  parameter_bindings={"request": "10", "val": "11"})
    return [module_name(example)]


# ------------------------------------------------------------- a histogram merged across runs

HISTOGRAM_BINS_TYPE = "Histogram Bins"
HISTOGRAM_BINS_COLUMNS = [{"name": "bin", "sql_type": "integer"}, {"name": "lower_edge", "sql_type": "double precision"},
                          {"name": "upper_edge", "sql_type": "double precision"}, {"name": "count", "sql_type": "bigint"}]
# Run mode: the run's histogram (its final bins, written as rows by the Histogram submodule) is added
# to the state, counts summed per bin; bins other than those already aggregated fail the run (it
# then adds nothing: the state keeps what it had).
HISTOGRAM_MERGE_AGGREGATE = """IF EXISTS (SELECT 1 FROM ${state}) AND EXISTS (
    (SELECT bin, lower_edge, upper_edge FROM ${data} EXCEPT SELECT bin, lower_edge, upper_edge FROM ${state})
    UNION ALL
    (SELECT bin, lower_edge, upper_edge FROM ${state} EXCEPT SELECT bin, lower_edge, upper_edge FROM ${data})) THEN
  RAISE EXCEPTION 'This histogram''s bins differ from those aggregated since the last process (other bins, min or max): process the state first, or run with the same bins';
END IF;
UPDATE ${state} AS s SET count = s.count + d.count FROM ${data} AS d WHERE d.bin = s.bin;
INSERT INTO ${state} (bin, lower_edge, upper_edge, count)
  SELECT d.bin, d.lower_edge, d.upper_edge, d.count FROM ${data} AS d
  WHERE NOT EXISTS (SELECT 1 FROM ${state} AS s WHERE s.bin = d.bin);"""
HISTOGRAM_MERGE_PROCESS = """INSERT INTO ${result} (bin, lower_edge, upper_edge, count)
  SELECT bin, lower_edge, upper_edge, count FROM ${state} ORDER BY bin;"""
HISTOGRAM_MERGE = "Histogram Merge"
HISTOGRAM_OVER_RUNS = "Histogram over runs"


def histogram_merge_types(*, project: Project, owner: User, data_type: DatasetType) -> ModuleTypeVersion:
    """The aggregation type `Histogram Merge` (state: the merged bins) and the composite
    `Histogram over runs` (data → Scan → Histogram → Histogram Merge → output `merged`, parameters
    column, bins, min, max); returns the composite's version (idempotent)."""
    bins_type = DatasetType.objects.filter(name=HISTOGRAM_BINS_TYPE).first() or dataset_type_create(
        name=HISTOGRAM_BINS_TYPE, description="A histogram: one row per bin",
        columns=HISTOGRAM_BINS_COLUMNS, creator=owner)
    merge = _version(HISTOGRAM_MERGE, project, owner, "simple",
                     "Aggregation: sums the histograms of the runs per bin; process passes the merged histogram on.",
                     {"is_aggregation": True, "aggregate_sql": HISTOGRAM_MERGE_AGGREGATE,
                      "process_sql": HISTOGRAM_MERGE_PROCESS,
                      "dataset_slots": [_slot("data", "IN", bins_type), _slot("result", "OUT", bins_type)]})
    params = [{"name": "column", "sql_type": "text", "mode": "IN", "is_optional": False, "description": ""},
              {"name": "bins", "sql_type": "integer", "mode": "IN", "is_optional": False, "description": ""},
              {"name": "min", "sql_type": "double precision", "mode": "IN", "is_optional": False, "description": ""},
              {"name": "max", "sql_type": "double precision", "mode": "IN", "is_optional": False, "description": ""}]
    graph = {"submodules": [{"id": 1, "name": "scan", "version": builtin_version("Scan").pk, "position": {"x": 0, "y": 0}},
                            {"id": 2, "name": "hist", "version": builtin_version("Histogram").pk,
                             "position": {"x": 240, "y": 0}},
                            {"id": 3, "name": "merge", "version": merge.pk, "position": {"x": 480, "y": 0}}],
             "connections": [_wire("dataset", (None, "data"), (1, "input")),
                             _wire("dataset", (1, "output"), (2, "input")),
                             _wire("dataset", (2, "output"), (3, "data")),
                             _wire("dataset", (3, "result"), (None, "merged")),
                             *(_wire("parameter", (None, name), (2, name)) for name in ("column", "bins", "min", "max"))]}
    return _version(HISTOGRAM_OVER_RUNS, project, owner, "composite",
                    "A histogram of a column kept across runs: run adds the run's histogram, process passes the "
                    "merged histogram on (docs/aggregation.md).",
                    {"graph": graph, "dataset_slots": [_slot("data", "IN", data_type),
                                                       _slot("merged", "OUT", bins_type)],
                     "parameter_slots": params})
