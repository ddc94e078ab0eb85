"""Live topics owned by accounts: `project:<id>` for members, `me` for oneself."""

from typing import Any

from apps.accounts.selectors import project_role
from apps.live.events import register_topic


def _may_follow_project(user: Any, key: str | None) -> bool:
    return key is not None and key.isdigit() and project_role(user=user, project_id=int(key)) is not None


register_topic("project", _may_follow_project)
register_topic("me", lambda user, key: key is None)
