from typing import Any

from apps.accounts.selectors import project_role
from apps.modules.models import Module
from apps.runs.live import register_topic


def _may_follow_module(user: Any, key: str | None) -> bool:
    if key is None or not key.isdigit():
        return False
    project_id = Module.objects.filter(pk=int(key)).values_list("project_id", flat=True).first()
    return project_id is not None and project_role(user=user, project_id=project_id) is not None


register_topic("module", _may_follow_module)
register_topic("modules", lambda user, key: key is None)
