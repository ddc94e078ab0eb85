"""Live topics owned by moduletypes: `module-type:<id>` (lock and version events), with presence."""

from apps.accounts.permissions import register_project_topic
from apps.moduletypes.models import ModuleType

register_project_topic("module-type", ModuleType, presence=True)
