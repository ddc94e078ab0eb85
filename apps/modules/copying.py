"""Copy a module: same type version, bindings, parameters and keep flags; not final, no history."""

import copy

from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.accounts.models import User
from apps.core.exceptions import ServiceError
from apps.live.events import modules_topic, publish_on_commit
from apps.live.status import status_refresh_on_commit
from apps.modules.models import Module
from apps.modules.services import check_bindings

NAME_MAX = Module._meta.get_field("name").max_length or 200


def copy_name(source_name: str) -> str:
    """"Copy of X", or "Copy of X (2)", "(3)"… when taken; cut to fit the name field."""
    base = f"Copy of {source_name}"
    taken = set(Module.objects.filter(name__startswith=base[: NAME_MAX - 8]).values_list("name", flat=True))
    number = 1
    while True:
        suffix = "" if number == 1 else f" ({number})"
        candidate = base[: NAME_MAX - len(suffix)] + suffix
        if candidate not in taken:
            return candidate
        number += 1


@transaction.atomic
def module_copy(*, source: Module, user: User, name: str | None = None) -> Module:
    if name is not None and not name.strip():
        raise ServiceError("invalid", "Give the copy a name, or leave the name out for \"Copy of …\".",
                           details={"name": ["This field may not be blank."]})
    name = name.strip() if name is not None else copy_name(source.name)
    if Module.objects.filter(name=name).exists():
        raise ServiceError("duplicate_name", f"A module named {name!r} already exists.", status=409)
    # Bindings may predate a change of project or of the datasets' projects: the copy checks them anew.
    check_bindings(version=source.type_version, datasets=source.dataset_bindings,
                   parameters=source.parameter_bindings, project_id=source.project_id)
    try:
        with transaction.atomic():
            module = _create(source, user, name)
    except IntegrityError:  # the name was taken meanwhile
        raise ServiceError("duplicate_name", f"A module named {name!r} already exists.", status=409) from None
    publish_on_commit(modules_topic(module.project_id), "module_created", {"module": module.pk})
    status_refresh_on_commit(module_ids=[module.pk])
    return module


def copied_bindings(bindings: object, source_name: str, name: str) -> object:
    """The source's dataset bindings, with each NEW output's name pattern naming the copy: the source's
    name in a pattern becomes the copy's (a pattern with ${module.name} names the copy by itself)."""
    copied = copy.deepcopy(bindings)
    if not isinstance(copied, dict) or not source_name:
        return copied
    for binding in copied.values():
        pattern = binding.get("name_pattern") if isinstance(binding, dict) else None
        if binding.get("output_method") == "NEW" and isinstance(pattern, str) and source_name in pattern:  # type: ignore[union-attr]
            binding["name_pattern"] = pattern.replace(source_name, name)  # type: ignore[index]
    return copied


def _create(source: Module, user: User, name: str) -> Module:
    return Module.objects.create(
        name=name, description=source.description, project_id=source.project_id, creator=user,
        tags=copy.deepcopy(source.tags), type_version_id=source.type_version_id,
        dataset_bindings=copied_bindings(source.dataset_bindings, source.name, name),
        parameter_bindings=copy.deepcopy(source.parameter_bindings),
        keep_internal=copy.deepcopy(source.keep_internal), deadline_seconds=source.deadline_seconds, is_final=False,
        last_modified=timezone.now())
