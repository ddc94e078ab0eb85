"""Writes for module types and their versions. Every save of a version records a revision note."""

import re
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from apps.accounts.models import Project, User
from apps.api.errors import ServiceError
from apps.datasets.models import DatasetType
from apps.moduletypes.models import ModuleType, ModuleTypeVersion, RevisionNote

NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,57}$")
MODES = ("IN", "INOUT", "OUT")
RESERVED = {"user", "module", "run"}


def _slot_problems(dataset_slots: list[dict[str, Any]], parameter_slots: list[dict[str, Any]]) -> list[str]:
    problems: list[str] = []
    seen: set[str] = set()
    known_types = set(DatasetType.objects.filter(pk__in=[s.get("dataset_type") for s in dataset_slots])
                      .values_list("pk", flat=True))
    for slot in dataset_slots:
        name = str(slot.get("placeholder", ""))
        problems += _name_problems(name, seen, "Dataset placeholder")
        if slot.get("mode") not in MODES:
            problems.append(f"Dataset placeholder {name}: mode must be IN, INOUT or OUT.")
        if slot.get("dataset_type") not in known_types:
            problems.append(f"Dataset placeholder {name}: unknown dataset type {slot.get('dataset_type')!r}.")
    for slot in parameter_slots:
        name = str(slot.get("name", ""))
        problems += _name_problems(name, seen, "Parameter")
        if slot.get("mode") not in MODES:
            problems.append(f"Parameter {name}: mode must be IN, INOUT or OUT.")
        if slot.get("sql_type") not in settings.SQL_TYPES:
            problems.append(f"Parameter {name}: {slot.get('sql_type')!r} is not an allowed SQL type.")
    return problems


def _name_problems(name: str, seen: set[str], what: str) -> list[str]:
    if not NAME_RE.match(name):
        return [f"{what} {name!r}: use letters, digits and _ (not starting with a digit), at most 58 characters."]
    if name.lower() in RESERVED:
        return [f"{what} {name!r}: user, module and run are reserved for general placeholders."]
    if name.lower() in seen:
        return [f"{what} {name!r} appears twice."]
    seen.add(name.lower())
    return []


def _check_slots(dataset_slots: list[dict[str, Any]], parameter_slots: list[dict[str, Any]]) -> None:
    problems = _slot_problems(dataset_slots, parameter_slots)
    if problems:
        raise ServiceError("invalid_slots", problems[0], details={"slots": problems})


@transaction.atomic
def module_type_create(*, name: str, kind: str, project: Project, creator: User, description: str = "",
                       tags: list[str] | None = None, version: dict[str, Any] | None = None) -> ModuleType:
    if ModuleType.objects.filter(name=name).exists():
        raise ServiceError("duplicate_name", f"A module type named {name!r} already exists.", status=409)
    module_type = ModuleType.objects.create(name=name, kind=kind, project=project, creator=creator,
                                            description=description, tags=tags or [])
    fields = version or {}
    _check_slots(fields.get("dataset_slots", []), fields.get("parameter_slots", []))
    first = ModuleTypeVersion.objects.create(
        module_type=module_type, number=0, name=fields.get("name") or "Initial Version",
        description=fields.get("description", ""), dataset_slots=fields.get("dataset_slots", []),
        parameter_slots=fields.get("parameter_slots", []), algorithm=fields.get("algorithm", ""),
        graph=fields.get("graph", {}), is_aggregation=fields.get("is_aggregation", False), creator=creator,
        last_modified=timezone.now())
    RevisionNote.objects.create(version=first, author=creator, note="Created")
    return module_type


@transaction.atomic
def version_update(*, version: ModuleTypeVersion, fields: dict[str, Any], note: str, author: User) -> ModuleTypeVersion:
    if version.is_final:
        raise ServiceError("version_final", "This version is final and cannot change; create a new version.",
                           status=409)
    if not note.strip():
        raise ServiceError("revision_note_required", "Say what changed: every save needs a revision note.")
    _check_slots(fields.get("dataset_slots", version.dataset_slots), fields.get("parameter_slots", version.parameter_slots))
    for key, value in fields.items():
        setattr(version, key, value)
    version.revision += 1
    version.last_modified = timezone.now()
    version.save()
    RevisionNote.objects.create(version=version, author=author, note=note.strip())
    return version


@transaction.atomic
def version_copy(*, source: ModuleTypeVersion, author: User, name: str = "") -> ModuleTypeVersion:
    module_type = ModuleType.objects.select_for_update().get(pk=source.module_type_id)
    number = (module_type.versions.aggregate(m=Max("number"))["m"] or 0) + 1
    copy = ModuleTypeVersion.objects.create(
        module_type=module_type, number=number, name=name or f"Version {number}", description=source.description,
        dataset_slots=source.dataset_slots, parameter_slots=source.parameter_slots, algorithm=source.algorithm,
        graph=source.graph, is_aggregation=source.is_aggregation, creator=author, last_modified=timezone.now())
    RevisionNote.objects.create(version=copy, author=author, note=f"Copied from version {source.number}")
    return copy
