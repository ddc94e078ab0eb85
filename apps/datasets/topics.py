from typing import Any

from apps.accounts.selectors import project_role
from apps.datasets.models import Dataset
from apps.live.events import register_topic


def _may_follow_dataset(user: Any, key: str | None) -> bool:
    if key is None or not key.isdigit():
        return False
    project_id = Dataset.objects.filter(pk=int(key)).values_list("project_id", flat=True).first()
    return project_id is not None and project_role(user=user, project_id=project_id) is not None


register_topic("dataset", _may_follow_dataset)
