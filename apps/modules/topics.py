from typing import Any

from apps.accounts.selectors import project_role
from apps.live.events import register_topic
from apps.live.presence import allow_presence
from apps.modules.models import Module


def _may_follow_module(user: Any, key: str | None) -> bool:
    if key is None or not key.isdigit():
        return False
    project_id = Module.objects.filter(pk=int(key)).values_list("project_id", flat=True).first()
    return project_id is not None and project_role(user=user, project_id=project_id) is not None


register_topic("module", _may_follow_module)
allow_presence("module")
def _may_follow_project_modules(user: Any, key: str | None) -> bool:
    """`modules:<project id>` (apps.live.events.modules_topic): the project's members."""
    return key is not None and key.isdigit() and project_role(user=user, project_id=int(key)) is not None


register_topic("modules", _may_follow_project_modules)
