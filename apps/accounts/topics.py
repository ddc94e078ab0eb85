"""Live topics owned by accounts: `project:<id>` for members, `me` for oneself."""

from apps.accounts.permissions import register_project_topic
from apps.live.events import register_topic

register_project_topic("project")
register_topic("me", lambda user, key: key is None)
