from django.conf import settings
from django.db import models
from django.db.models import Q

from apps.engine.storage import Column


class DatasetType(models.Model):
    """Columns shared by every dataset of this type: [{"name", "sql_type"}, ...]."""

    name = models.CharField(max_length=120, unique=True)
    description = models.TextField(blank=True)
    columns = models.JSONField()
    creator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    revision = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def column_specs(self) -> list[Column]:
        return [Column(c["name"], c["sql_type"]) for c in self.columns]


class Dataset(models.Model):
    name = models.CharField(max_length=200)
    dataset_type = models.ForeignKey(DatasetType, on_delete=models.PROTECT, related_name="datasets")
    project = models.ForeignKey("accounts.Project", on_delete=models.PROTECT, related_name="datasets")
    creator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    description = models.TextField(blank=True)
    keywords = models.JSONField(default=dict, blank=True)
    revision = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    last_modified = models.DateTimeField(auto_now=True)
    removed_at = models.DateTimeField(null=True, blank=True)
    # Created by a run that has not finished yet (a NEW output): invisible until published.
    pending_run = models.ForeignKey("runs.Run", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    # The state of a module's aggregation submodule (apps.runs.aggregation): never listed, bound or
    # written through the datasets API; its versions are readable by the project's members.
    is_aggregation_state = models.BooleanField(default=False)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["name"], condition=Q(removed_at__isnull=True),
                                    name="unique_live_dataset_name")
        ]

    def __str__(self) -> str:
        return self.name


class DatasetVersion(models.Model):
    """A version is read through its path (DESIGN §3, apps/engine/storage.py)."""

    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    base = models.PositiveIntegerField(null=True, blank=True)
    path = models.JSONField()
    is_final = models.BooleanField(default=False)
    row_count = models.BigIntegerField(default=0)
    creator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    last_modified = models.DateTimeField()
    # Written by a run that has not finished yet: invisible until the whole run succeeds.
    pending_run = models.ForeignKey("runs.Run", null=True, blank=True, on_delete=models.CASCADE, related_name="+")

    class Meta:
        ordering = ["dataset_id", "number"]
        constraints = [models.UniqueConstraint(fields=["dataset", "number"], name="unique_version_number")]

    def __str__(self) -> str:
        return f"{self.dataset.name} v{self.number}"

    @property
    def project_id(self) -> int:
        return self.dataset.project_id
