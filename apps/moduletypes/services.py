"""Writes for module types and their versions. Every save of a version records a revision note."""

from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from apps.accounts.models import Project, User
from apps.core.exceptions import ServiceError
from apps.datasets.models import DatasetType
from apps.engine import placeholders as ph
from apps.live.events import publish_on_commit
from apps.live.status import status_refresh_on_commit
from apps.locks.services import lock_check_free, locks_drop
from apps.moduletypes.models import ModuleType, ModuleTypeVersion, RevisionNote
from apps.moduletypes.selectors import LOCK_KIND, submodule_versions

MODES = ("IN", "INOUT", "OUT")
AGGREGATION_SQL_FIELDS = ("aggregate_sql", "process_sql", "clear_sql")  # an aggregation version's own SQL


def _refuse_if_locked(module_type_id: int, user: User) -> None:
    """Someone else's live edit lock on the module type refuses its edits (409 `locked`)."""
    lock_check_free(kind=LOCK_KIND, object_id=module_type_id, user=user)


def slot_problems(dataset_slots: list[dict[str, Any]], parameter_slots: list[dict[str, Any]]) -> list[str]:
    """The engine's slot-name rules (apps.engine.placeholders.slot_name_errors, the one source), then
    what only this app knows: modes, the configured SQL types and the dataset types that exist."""
    problems = [e.message for e in ph.slot_name_errors([str(s.get("placeholder", "")) for s in dataset_slots],
                                                        [str(s.get("name", "")) for s in parameter_slots])]
    known_types = set(DatasetType.objects.filter(pk__in=[s.get("dataset_type") for s in dataset_slots])
                      .values_list("pk", flat=True))
    for slot in dataset_slots:
        name = str(slot.get("placeholder", ""))
        if slot.get("mode") not in MODES:
            problems.append(f"Dataset placeholder {name}: mode must be IN, INOUT or OUT.")
        if slot.get("dataset_type") not in known_types:
            problems.append(f"Dataset placeholder {name}: unknown dataset type {slot.get('dataset_type')!r}.")
    for slot in parameter_slots:
        name = str(slot.get("name", ""))
        if slot.get("mode") not in MODES:
            problems.append(f"Parameter {name}: mode must be IN, INOUT or OUT.")
        if slot.get("sql_type") not in settings.SQL_TYPES:
            problems.append(f"Parameter {name}: {slot.get('sql_type')!r} is not an allowed SQL type.")
    return problems


def _check_kind_fields(kind: str, fields: dict[str, Any]) -> None:
    """A simple type has an algorithm and no network: a graph there would make it "use" other versions."""
    graph = fields.get("graph") or {}
    if kind == ModuleType.Kind.SIMPLE and (graph.get("submodules") or graph.get("connections")):
        raise ServiceError("invalid", "A simple module type has an algorithm, not submodules.",
                           details={"graph": ["Only composite module types have submodules and connections."]})


def _check_slots(dataset_slots: list[dict[str, Any]], parameter_slots: list[dict[str, Any]]) -> None:
    problems = slot_problems(dataset_slots, parameter_slots)
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
    _check_kind_fields(kind, fields)
    _check_slots(fields.get("dataset_slots", []), fields.get("parameter_slots", []))
    first = ModuleTypeVersion.objects.create(
        module_type=module_type, number=0, name=fields.get("name") or "Initial Version",
        description=fields.get("description", ""), dataset_slots=fields.get("dataset_slots", []),
        parameter_slots=fields.get("parameter_slots", []), algorithm=fields.get("algorithm", ""),
        graph=fields.get("graph", {}), is_aggregation=fields.get("is_aggregation", False), creator=creator,
        last_modified=timezone.now(), **{f: fields.get(f, "") for f in AGGREGATION_SQL_FIELDS})
    _sync_uses(first)
    RevisionNote.objects.create(version=first, author=creator, note="Created")
    return module_type


def _refuse_if_final(version: ModuleTypeVersion) -> None:
    if version.is_final:
        raise ServiceError("version_final", "This version is final and cannot change; create a new version.",
                           status=409)


def _sync_uses(version: ModuleTypeVersion) -> None:
    """Keeps the `uses` relation (which versions a composite contains) equal to its graph."""
    ids = {s.get("version") for s in (version.graph or {}).get("submodules") or [] if isinstance(s.get("version"), int)}
    version.uses.set(submodule_versions(project_id=version.module_type.project_id).filter(pk__in=ids))


@transaction.atomic
def version_update(*, version: ModuleTypeVersion, fields: dict[str, Any], note: str, author: User,
                   confirm_dependents: bool = False) -> ModuleTypeVersion:
    """A save of a version that modules or composites use needs their list confirmed; they then
    become OutOfDate through the version's new last_modified."""
    from apps.moduletypes.selectors import dependents_of, has_dependents

    _refuse_if_final(version)
    _refuse_if_locked(version.module_type_id, author)
    if not note.strip():
        raise ServiceError("revision_note_required", "Say what changed: every save needs a revision note.")
    _check_kind_fields(version.module_type.kind, fields)
    _check_slots(fields.get("dataset_slots", version.dataset_slots), fields.get("parameter_slots", version.parameter_slots))
    deps = dependents_of(version=version)
    if has_dependents(deps) and not confirm_dependents:
        raise ServiceError("has_dependents", "Modules or composite types use this version; confirm to update them "
                           "(they will become OutOfDate).", status=409, details=deps)
    for key, value in fields.items():
        setattr(version, key, value)
    version.revision += 1
    version.last_modified = timezone.now()
    version.save()
    _sync_uses(version)
    RevisionNote.objects.create(version=version, author=author, note=note.strip())
    # On the type's own topic (its project's members): dependents may be other projects' modules.
    publish_on_commit(f"module-type:{version.module_type_id}", "type_version_changed", {"version": version.pk})
    status_refresh_on_commit(type_version_ids=[version.pk])
    return version


@transaction.atomic
def version_finalize(*, version: ModuleTypeVersion, confirm: list[int], author: User) -> ModuleTypeVersion:
    """Finalizes the version and every non-final version it uses, recursively, all or nothing;
    `confirm` must list exactly the plan the user was shown."""
    from apps.moduletypes.selectors import finalize_plan

    plan = finalize_plan(version=ModuleTypeVersion.objects.select_for_update().get(pk=version.pk))
    if not plan:
        raise ServiceError("version_final", "This version is already final.", status=409)
    _refuse_if_locked(version.module_type_id, author)
    if sorted(confirm) != sorted(v.pk for v in plan):
        raise ServiceError("plan_changed", "The versions to finalize changed since you looked; review the list "
                           "again.", status=409, details={"versions": [v.pk for v in plan]})
    for item in plan:
        item.is_final = True
        item.save(update_fields=["is_final"])
        note = "Finalized" if item.pk == version.pk else \
            f"Finalized while finalizing {version.module_type.name} version {version.number}"
        RevisionNote.objects.create(version=item, author=author, note=note)
    version.refresh_from_db()
    return version


def _refuse_if_used(version: ModuleTypeVersion, what: str) -> None:
    from apps.moduletypes.selectors import dependents_of, has_dependents

    deps = dependents_of(version=version)
    if has_dependents(deps):
        raise ServiceError("type_in_use", f"{what} is used by modules or composite types.", status=409, details=deps)


@transaction.atomic
def version_delete(*, version: ModuleTypeVersion, user: User) -> None:
    if version.is_final and not user.is_app_admin:
        raise ServiceError("forbidden", "Only admins remove final versions.", status=403)
    _refuse_if_locked(version.module_type_id, user)
    _refuse_if_used(version, f"Version {version.number}")
    if version.module_type.versions.count() == 1:
        raise ServiceError("last_version", "A module type keeps at least one version; remove the type instead.",
                           status=409)
    version.delete()


@transaction.atomic
def module_type_delete(*, module_type: ModuleType, user: User) -> None:
    _refuse_if_locked(module_type.pk, user)
    if module_type.versions.filter(is_final=True).exists():
        raise ServiceError("type_has_final", "A module type with a final version cannot be removed.", status=409)
    for version in module_type.versions.all():
        _refuse_if_used(version, f"{module_type.name} version {version.number}")
    type_id = module_type.pk
    module_type.delete()
    locks_drop(kind=LOCK_KIND, object_id=type_id)


@transaction.atomic
def module_type_from_version(*, source: ModuleTypeVersion, name: str, author: User) -> ModuleType:
    if source.module_type.project is None:
        raise ServiceError("builtin_read_only", "A built-in module type cannot be copied into a new type.", status=403)
    return module_type_create(
        name=name, kind=source.module_type.kind, project=source.module_type.project, creator=author,
        description=source.module_type.description, tags=list(source.module_type.tags),
        version={"name": "Initial Version", "description": source.description, "dataset_slots": source.dataset_slots,
                 "parameter_slots": source.parameter_slots, "algorithm": source.algorithm, "graph": source.graph,
                 "is_aggregation": source.is_aggregation,
                 **{f: getattr(source, f) for f in AGGREGATION_SQL_FIELDS}})


@transaction.atomic
def module_type_update(*, module_type: ModuleType, fields: dict[str, Any], user: User) -> ModuleType:
    _refuse_if_locked(module_type.pk, user)
    if "name" in fields and ModuleType.objects.exclude(pk=module_type.pk).filter(name=fields["name"]).exists():
        raise ServiceError("duplicate_name", f"A module type named {fields['name']!r} already exists.", status=409)
    for key, value in fields.items():
        setattr(module_type, key, value)
    module_type.revision += 1
    module_type.save()
    return module_type


@transaction.atomic
def version_copy(*, source: ModuleTypeVersion, author: User, name: str = "") -> ModuleTypeVersion:
    module_type = ModuleType.objects.select_for_update().get(pk=source.module_type_id)
    number = (module_type.versions.aggregate(m=Max("number"))["m"] or 0) + 1
    copy = ModuleTypeVersion.objects.create(
        module_type=module_type, number=number, name=name or f"Version {number}", description=source.description,
        dataset_slots=source.dataset_slots, parameter_slots=source.parameter_slots, algorithm=source.algorithm,
        graph=source.graph, is_aggregation=source.is_aggregation, creator=author, last_modified=timezone.now(),
        **{f: getattr(source, f) for f in AGGREGATION_SQL_FIELDS})
    _sync_uses(copy)
    RevisionNote.objects.create(version=copy, author=author, note=f"Copied from version {source.number}")
    return copy
