"""Live topics owned by this app: `module-type:<id>` (lock events) and
`presence:<object topic>` (who is looking at a module or module type)."""

from typing import Any

from apps.accounts.selectors import project_role
from apps.moduletypes.models import ModuleType
from apps.runs import live

PRESENCE_OBJECT_KINDS = ("module", "module-type")


def _may_follow_module_type(user: Any, key: str | None) -> bool:
    if key is None or not key.isdigit():
        return False
    project_id = ModuleType.objects.filter(pk=int(key)).values_list("project_id", flat=True).first()
    return project_id is not None and project_role(user=user, project_id=project_id) is not None


def _may_follow_presence(user: Any, key: str | None) -> bool:
    """Whoever may follow the object's own topic may see who else is looking at it."""
    if key is None or key.split(":", 1)[0] not in PRESENCE_OBJECT_KINDS:
        return False
    try:
        return live.may_subscribe(user, key)
    except live.BadTopic:
        return False


live.register_topic("module-type", _may_follow_module_type)
live.register_topic("presence", _may_follow_presence)
