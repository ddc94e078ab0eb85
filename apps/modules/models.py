from django.conf import settings
from django.db import models


class Module(models.Model):
    """A module type version bound to concrete datasets and parameter values.

    dataset_bindings: {placeholder: {"dataset": id, "version": n}                       (IN, INOUT)
                                    {"output_method": "NEW", "name_pattern": "..."}      (OUT)
                                    {"output_method": "REPLACE", "dataset": id}}         (OUT)
    parameter_bindings: {name: "value as text"}   (absent = not set; "" is a value)"""

    name = models.CharField(max_length=200, unique=True)
    description = models.TextField(blank=True)
    project = models.ForeignKey("accounts.Project", on_delete=models.PROTECT, related_name="modules")
    creator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    tags = models.JSONField(default=list, blank=True)
    type_version = models.ForeignKey("moduletypes.ModuleTypeVersion", on_delete=models.PROTECT, related_name="modules")
    dataset_bindings = models.JSONField(default=dict, blank=True)
    parameter_bindings = models.JSONField(default=dict, blank=True)
    keep_internal = models.JSONField(default=dict, blank=True)
    # A shorter deadline than the deployment's RUN_DEADLINE_SECONDS for each step of this module's runs.
    deadline_seconds = models.PositiveIntegerField(null=True, blank=True)
    is_final = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_modified = models.DateTimeField()
    revision = models.PositiveIntegerField(default=1)
    # The status last published live ({"status", "reasons"}); only used to publish changes once.
    # Reads compute the status afresh (apps.modules.status), so a missed refresh never shows.
    status_cache = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
