"""The built-in progressive module types (issue 12, docs/progressive.md "Progressive module types and
runs"): kind `progressive`, one final version 0 each, no project (visible in every project), no
creator, read-only. Made idempotently after every `migrate` (post_migrate) and by seed_demo."""

from typing import Any

from django.db import transaction
from django.utils import timezone

from apps.moduletypes.models import ModuleType, ModuleTypeVersion

BUILTIN_TAG = "built-in"


def _input() -> dict[str, Any]:
    return {"placeholder": "input", "mode": "IN", "dataset_type": None, "is_optional": False,
            "description": "The dataset version to read (any dataset type; numeric columns are read)."}


def _output(description: str) -> dict[str, Any]:
    return {"placeholder": "output", "mode": "OUT", "dataset_type": None, "is_optional": True,
            "description": description}


def _p(name: str, sql_type: str, mode: str = "IN", *, optional: bool = False, description: str = "") -> dict[str, Any]:
    return {"name": name, "sql_type": sql_type, "mode": mode, "is_optional": optional, "description": description}


_PACE = _p("rows_per_second", "integer", optional=True,
            description="Paces the scan of the input (rows per second; unset: as fast as possible).")
_COLUMNS = _p("columns", "text", optional=True, description="Comma-separated columns (default: every numeric column).")

# name -> (description, dataset slots, parameter slots)
BUILTINS: dict[str, tuple[str, list[dict[str, Any]], list[dict[str, Any]]]] = {
    "Scan": ("Reads a dataset version in chunks, in record_id order.",
             [_input(), _output("The rows read.")], [_COLUMNS]),
    "Filter": ("Keeps the rows where a column compares to a value.",
               [_input(), _output("The input's columns, the rows that pass.")],
               [_p("column", "text"), _p("operator", "varchar", description="<, <=, =, >=, > or <>"),
                _p("value", "double precision")]),
    "Min": ("The minimum of each numeric column.", [_input()],
            [_COLUMNS, _p("min", "double precision", "OUT", optional=True, description="Of the first column.")]),
    "Max": ("The maximum of each numeric column.", [_input()],
            [_COLUMNS, _p("max", "double precision", "OUT", optional=True, description="Of the first column.")]),
    "Stats": ("Count, mean, variance, min and max of each numeric column.", [_input()],
              [_COLUMNS, _p("count", "bigint", "OUT", optional=True), _p("mean", "double precision", "OUT", optional=True)]),
    "Histogram": ("A histogram of one column (bins over a range, automatic when unset).",
                  [_input(), _output("The final histogram as rows (bin, lower_edge, upper_edge, count), one per bin, "
                                     "for a SQL submodule (e.g. an aggregation merging histograms across runs).")],
                  [_p("column", "text"), _p("bins", "integer", optional=True, description="Default 64."),
                   _p("min", "double precision", optional=True), _p("max", "double precision", optional=True)]),
    "Quantiles": ("Quantiles of one column (exact up to 100,000 values, then within the bound it reports).",
                  [_input()], [_p("column", "text"), _p("q", "text", description="e.g. 0.1,0.5,0.9")]),
}


@transaction.atomic
def ensure_builtins() -> list[ModuleType]:
    """Creates (or brings up to date) every built-in type and its final version 0; idempotent."""
    made = []
    now = timezone.now()
    for name, (description, dataset_slots, own_slots) in BUILTINS.items():
        parameter_slots = [*own_slots, _PACE]  # every built-in has a dataset input
        module_type, _ = ModuleType.objects.update_or_create(
            name=name, project=None, kind=ModuleType.Kind.PROGRESSIVE,
            defaults={"description": description, "tags": ["progressive", BUILTIN_TAG], "creator": None})
        version = module_type.versions.filter(number=0).first()
        if version is None:
            ModuleTypeVersion.objects.create(module_type=module_type, number=0, name=name, description=description,
                                             is_final=True, dataset_slots=dataset_slots,
                                             parameter_slots=parameter_slots, creator=None, last_modified=now)
        elif version.dataset_slots != dataset_slots or version.parameter_slots != parameter_slots:
            version.dataset_slots, version.parameter_slots, version.last_modified = dataset_slots, parameter_slots, now
            version.save(update_fields=["dataset_slots", "parameter_slots", "last_modified"])
        made.append(module_type)
    return made


def builtin_version(name: str) -> ModuleTypeVersion:
    """The final version 0 of the built-in type `name` (e.g. "Histogram")."""
    return ModuleTypeVersion.objects.select_related("module_type").get(
        module_type__name=name, module_type__project=None, module_type__kind=ModuleType.Kind.PROGRESSIVE, number=0)


def on_post_migrate(sender: Any, **kwargs: Any) -> None:
    try:
        ensure_builtins()
    except Exception:  # a partially migrated database (e.g. migrating backwards): next migrate makes them
        import logging

        logging.getLogger(__name__).warning("built-in module types not made", exc_info=True)
