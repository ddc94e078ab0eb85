"""Live topics owned by datasets: `dataset:<id>` for the members of its project."""

from apps.accounts.permissions import register_project_topic
from apps.datasets.models import Dataset

register_project_topic("dataset", Dataset)
