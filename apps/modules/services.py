from typing import Any

from django.db import transaction
from django.utils import timezone

from apps.accounts.models import Project, User
from apps.core.exceptions import ServiceError
from apps.datasets.selectors import bindable_datasets
from apps.live.events import modules_topic, publish_on_commit
from apps.live.status import status_refresh_on_commit
from apps.modules.models import Module
from apps.moduletypes.models import ModuleTypeVersion


def _binding_problems(version: ModuleTypeVersion, datasets: dict[str, Any], parameters: dict[str, Any], *,
                      project_id: int) -> list[str]:
    """Datasets are looked up among those the module's project may bind (bindable_datasets): a
    dataset of another project is refused with the very words of one that does not exist."""
    problems: list[str] = []
    slots = {s["placeholder"]: s for s in version.dataset_slots}
    for placeholder, binding in datasets.items():
        slot = slots.get(placeholder)
        if slot is None:
            problems.append(f"{placeholder}: the module type has no such dataset placeholder.")
        elif not isinstance(binding, dict):
            problems.append(f"{placeholder}: a binding is an object.")
        elif slot["mode"] in ("IN", "INOUT"):
            problems += _input_problems(placeholder, slot, binding, project_id)
        elif binding.get("output_method") not in ("NEW", "REPLACE"):
            problems.append(f"{placeholder}: output_method must be NEW or REPLACE.")
        elif binding["output_method"] == "REPLACE" and not bindable_datasets(project_id=project_id).filter(
                pk=_int_or_zero(binding.get("dataset")), dataset_type_id=slot["dataset_type"]).exists():
            problems.append(f"{placeholder}: REPLACE needs a target dataset of the slot's type.")
    names = {p["name"]: p for p in version.parameter_slots}
    for name, value in parameters.items():
        if name not in names:
            problems.append(f"{name}: the module type has no such parameter.")
        elif names[name]["mode"] == "OUT":
            problems.append(f"{name}: output parameters take no value.")
        elif value is not None and not isinstance(value, str):
            problems.append(f"{name}: give the value as text (e.g. \"1.15\").")
    return problems


def _input_problems(placeholder: str, slot: dict[str, Any], binding: dict[str, Any], project_id: int) -> list[str]:
    """IN and INOUT: a dataset of the slot's type and a published version, or null (IN: the latest
    version at run time; INOUT: the latest final one). An INOUT run writes a new version derived from
    the one it reads, and new versions come only from a final base."""
    dataset = bindable_datasets(project_id=project_id).filter(pk=_int_or_zero(binding.get("dataset"))).first()
    if dataset is None:
        return [f"{placeholder}: unknown dataset {binding.get('dataset')!r}."]
    if slot["dataset_type"] is not None and dataset.dataset_type_id != slot["dataset_type"]:  # null: any type
        return [f"{placeholder}: {dataset.name!r} is not of the placeholder's dataset type."]
    version = binding.get("version")
    if version is not None and (not isinstance(version, int) or isinstance(version, bool)):
        latest = "the latest final version" if slot["mode"] == "INOUT" else "the latest version"
        return [f"{placeholder}: version must be a version number, or null for {latest}."]
    if version is None:
        return []
    found = dataset.versions.filter(number=version, pending_run__isnull=True).first()
    if found is None:
        return [f"{placeholder}: {dataset.name!r} has no version {version}."]
    if slot["mode"] == "INOUT" and not found.is_final:
        return [f"{placeholder}: version {version} of {dataset.name!r} is not final; an INOUT dataset is updated "
                "from a final version (finalize it, bind a final version, or null for the latest final one)."]
    return []


def _int_or_zero(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def check_bindings(*, version: ModuleTypeVersion, datasets: dict[str, Any], parameters: dict[str, Any],
                   project_id: int) -> None:
    """400 `invalid_bindings` unless every binding fits the type version and names a dataset of the
    module's project. On create, edit (a new project included) and copy."""
    problems = _binding_problems(version, datasets, parameters, project_id=project_id)
    if problems:
        raise ServiceError("invalid_bindings", problems[0], details={"bindings": problems})


def _check_keep_internal(version: ModuleTypeVersion, keep: dict[str, Any]) -> None:
    """Only composite modules have internal datasets and parameters: `submodule.slot` names."""
    names = [*keep.get("datasets", []), *keep.get("parameters", [])]
    if names and version.kind != "composite":
        raise ServiceError("invalid_keep_internal", "Only composite modules have internal datasets and parameters "
                           "to keep.", details={"keep_internal": names})
    bad = [name for name in names if "." not in name.strip(".")]
    if bad:
        raise ServiceError("invalid_keep_internal", f"{bad[0]!r}: name an internal dataset or parameter as "
                           "'submodule.slot'.", details={"keep_internal": bad})


def _keep_internal(keep: dict[str, Any] | None) -> dict[str, list[str]]:
    keep = keep or {}
    return {"datasets": sorted(set(keep.get("datasets", []))), "parameters": sorted(set(keep.get("parameters", [])))}


# Changing these can change what a run produces, so they make the module OutOfDate; a new
# description, tags or project do not (EMF would: it compares last_modified only).
RESULT_FIELDS = frozenset({"name", "type_version", "dataset_bindings", "parameter_bindings", "keep_internal"})


@transaction.atomic
def module_create(*, name: str, type_version: ModuleTypeVersion, project: Project, creator: User,
                  description: str = "", tags: list[str] | None = None, dataset_bindings: dict[str, Any] | None = None,
                  parameter_bindings: dict[str, Any] | None = None,
                  keep_internal: dict[str, Any] | None = None, deadline_seconds: int | None = None) -> Module:
    if Module.objects.filter(name=name).exists():
        raise ServiceError("duplicate_name", f"A module named {name!r} already exists.", status=409)
    check_bindings(version=type_version, datasets=dataset_bindings or {}, parameters=parameter_bindings or {},
                   project_id=project.pk)
    _check_keep_internal(type_version, keep_internal or {})
    module = Module.objects.create(name=name, type_version=type_version, project=project, creator=creator,
                                   description=description, tags=tags or [], dataset_bindings=dataset_bindings or {},
                                   parameter_bindings=parameter_bindings or {},
                                   keep_internal=_keep_internal(keep_internal), deadline_seconds=deadline_seconds,
                                   last_modified=timezone.now())
    publish_on_commit(modules_topic(project.pk), "module_created", {"module": module.pk})
    status_refresh_on_commit(module_ids=[module.pk])
    return module


@transaction.atomic
def module_update(*, module: Module, fields: dict[str, Any]) -> Module:
    if module.is_final:
        raise ServiceError("module_final", "This module is final and cannot change.", status=409)
    if "name" in fields and Module.objects.exclude(pk=module.pk).filter(name=fields["name"]).exists():
        raise ServiceError("duplicate_name", f"A module named {fields['name']!r} already exists.", status=409)
    version = fields.get("type_version", module.type_version)
    project = fields.get("project", module.project)
    check_bindings(version=version, datasets=fields.get("dataset_bindings", module.dataset_bindings),
                   parameters=fields.get("parameter_bindings", module.parameter_bindings), project_id=project.pk)
    _check_keep_internal(version, fields.get("keep_internal", module.keep_internal))
    if "keep_internal" in fields:
        fields = {**fields, "keep_internal": _keep_internal(fields["keep_internal"])}
    changes_result = any(getattr(module, _attname(key)) != _id_of(value) for key, value in fields.items()
                         if key in RESULT_FIELDS)
    for key, value in fields.items():
        setattr(module, key, value)
    module.revision += 1
    if changes_result:
        module.last_modified = timezone.now()
    module.save()
    publish_on_commit(f"module:{module.pk}", "module_changed", {"module": module.pk})
    status_refresh_on_commit(module_ids=[module.pk])
    return module


def _attname(field: str) -> str:
    return "type_version_id" if field == "type_version" else field


def _id_of(value: Any) -> Any:
    return value.pk if isinstance(value, ModuleTypeVersion) else value
