from django.conf import settings
from django.db import models


class ModuleType(models.Model):
    class Kind(models.TextChoices):
        SIMPLE = "simple", "Simple"
        COMPOSITE = "composite", "Composite"
        PROGRESSIVE = "progressive", "Progressive"

    name = models.CharField(max_length=200, unique=True)
    description = models.TextField(blank=True)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    tags = models.JSONField(default=list, blank=True)
    # null: a built-in type (kind progressive), read-only, visible in every project, made by nobody
    project = models.ForeignKey("accounts.Project", on_delete=models.PROTECT, related_name="module_types",
                                null=True, blank=True)
    creator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True,
                                blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    revision = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_builtin(self) -> bool:
        return self.project_id is None


class ModuleTypeVersion(models.Model):
    """Slots are JSON lists:
    dataset_slots: [{"placeholder", "mode": IN|INOUT|OUT, "dataset_type": <id>, "is_optional", "description"}]
    parameter_slots: [{"name", "sql_type", "mode": IN|INOUT|OUT, "is_optional", "description"}]
    graph (composite): {"submodules": [{"id", "name", "version": <ModuleTypeVersion id>, "position"}],
                        "connections": [{"kind": "dataset"|"parameter", "source": {"submodule": id|null,
                        "slot"}, "target": {"submodule": id|null, "slot"}}]}"""

    module_type = models.ForeignKey(ModuleType, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    is_final = models.BooleanField(default=False)
    is_aggregation = models.BooleanField(default=False)
    dataset_slots = models.JSONField(default=list, blank=True)
    parameter_slots = models.JSONField(default=list, blank=True)
    algorithm = models.TextField(blank=True)
    # An aggregation version's own SQL (docs/aggregation.md); empty: MAGDA's default behaviour.
    aggregate_sql = models.TextField(blank=True)
    process_sql = models.TextField(blank=True)
    clear_sql = models.TextField(blank=True)
    graph = models.JSONField(default=dict, blank=True)
    creator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True,
                                blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_modified = models.DateTimeField()
    revision = models.PositiveIntegerField(default=1)
    uses = models.ManyToManyField("self", symmetrical=False, related_name="used_by", blank=True)

    class Meta:
        ordering = ["module_type_id", "number"]
        constraints = [models.UniqueConstraint(fields=["module_type", "number"], name="unique_type_version")]

    def __str__(self) -> str:
        return f"{self.module_type.name} v{self.number}"

    @property
    def project_id(self) -> int | None:
        return self.module_type.project_id

    @property
    def kind(self) -> str:
        return self.module_type.kind


class RevisionNote(models.Model):
    version = models.ForeignKey(ModuleTypeVersion, on_delete=models.CASCADE, related_name="revision_notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    note = models.TextField()

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.note[:60]
