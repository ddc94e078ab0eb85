"""Live topics owned by moduletypes: `module-type:<id>` (lock and version events), with presence."""

from typing import Any

from apps.accounts.selectors import project_role
from apps.live.events import register_topic
from apps.live.presence import allow_presence
from apps.moduletypes.models import ModuleType


def _may_follow_module_type(user: Any, key: str | None) -> bool:
    if key is None or not key.isdigit():
        return False
    project_id = ModuleType.objects.filter(pk=int(key)).values_list("project_id", flat=True).first()
    return project_id is not None and project_role(user=user, project_id=project_id) is not None


register_topic("module-type", _may_follow_module_type)
allow_presence("module-type")
