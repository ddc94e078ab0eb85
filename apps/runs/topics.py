from typing import Any

from apps.accounts.selectors import project_role
from apps.live.events import register_topic
from apps.runs.models import Run


def _may_follow_run(user: Any, key: str | None) -> bool:
    if key is None or not key.isdigit():
        return False
    project_id = Run.objects.filter(pk=int(key)).values_list("module__project_id", flat=True).first()
    return project_id is not None and project_role(user=user, project_id=project_id) is not None


register_topic("run", _may_follow_run)
