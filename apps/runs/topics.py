"""Live topics owned by runs: `run:<id>` for the members of its module's project."""

from apps.accounts.permissions import register_project_topic
from apps.runs.models import Run

register_project_topic("run", Run, project_field="module__project_id")
