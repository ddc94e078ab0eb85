"""Live topics owned by modules: `module:<id>` (with presence) and `modules:<project id>`
(apps.live.events.modules_topic, the module list of a project), both for the project's members."""

from apps.accounts.permissions import register_project_topic
from apps.modules.models import Module

register_project_topic("module", Module, presence=True)
register_project_topic("modules")
