from typing import Any

from rest_framework import serializers

from apps.api.serializers import StrictSerializer
from apps.locks.selectors import active_lock
from apps.modules.listing import current_zone, module_fields, run_summary
from apps.modules.models import Module
from apps.modules.status import compute_statuses
from apps.runs.aggregation_serializers import AggregationSummarySerializer


class ModuleSerializer(serializers.ModelSerializer):
    """One module with its status, last run and lock, as a row of the list (apps.modules.listing)."""

    project_name = serializers.CharField(source="project.name", read_only=True)
    creator = serializers.CharField(source="creator.username", read_only=True)
    creator_name = serializers.CharField(source="creator.display_name", read_only=True)
    type_id = serializers.IntegerField(source="type_version.module_type_id", read_only=True)
    type_name = serializers.CharField(source="type_version.module_type.name", read_only=True)
    type_kind = serializers.CharField(source="type_version.module_type.kind", read_only=True)
    type_version_number = serializers.IntegerField(source="type_version.number", read_only=True)
    type_version_final = serializers.BooleanField(source="type_version.is_final", read_only=True)
    aggregation = AggregationSummarySerializer(read_only=True, allow_null=True,
                                               help_text="Its aggregation state (docs/aggregation.md); null: none.")

    class Meta:
        model = Module
        fields = ["id", "name", "description", "project", "project_name", "creator", "creator_name", "tags",
                  "type_version", "type_id", "type_name", "type_version_number", "type_kind", "type_version_final",
                  "dataset_bindings", "parameter_bindings", "keep_internal", "deadline_seconds", "is_final", "created_at",
                  "last_modified", "revision", "aggregation"]

    def to_representation(self, instance: Module) -> dict[str, Any]:
        """Built by the list's row builder, so a module reads the same on its own as in the list (the
        fields above stay for the schema)."""
        zone = current_zone()
        data = module_fields(instance, project_name=instance.project.name, zone=zone)
        report = compute_statuses([instance])
        data.update(report.statuses[instance.pk].as_dict())
        data["last_run"] = run_summary(report.last_runs.get(instance.pk), zone)
        data["lock"] = active_lock(kind="module", object_id=instance.pk)
        data["aggregation"] = report.aggregations.get(instance.pk)
        return data


class KeepInternalSerializer(StrictSerializer):
    datasets = serializers.ListField(child=serializers.CharField(max_length=200), required=False, default=list,
                                     max_length=1000)
    parameters = serializers.ListField(child=serializers.CharField(max_length=200), required=False, default=list,
                                       max_length=1000)


def _parameter_values(**kwargs: Any) -> serializers.DictField:
    """{name: "value as text" | null}; "" is a value, null (or absent) is not set."""
    return serializers.DictField(child=serializers.CharField(allow_blank=True, trim_whitespace=False, allow_null=True,
                                                             max_length=10_000), **kwargs)


def _deadline() -> serializers.IntegerField:
    """Seconds; shorter than the deployment's RUN_DEADLINE_SECONDS to matter; null: the deployment's."""
    return serializers.IntegerField(min_value=1, max_value=10 * 365 * 86400, required=False, allow_null=True)


class ModuleWriteSerializer(StrictSerializer):
    name = serializers.CharField(max_length=200)
    type_version = serializers.IntegerField()
    project = serializers.IntegerField()
    description = serializers.CharField(allow_blank=True, required=False, default="")
    tags = serializers.ListField(child=serializers.CharField(max_length=60), required=False, default=list)
    dataset_bindings = serializers.DictField(child=serializers.DictField(), required=False, default=dict)
    parameter_bindings = _parameter_values(required=False, default=dict)
    keep_internal = KeepInternalSerializer(required=False)
    deadline_seconds = _deadline()


class ModuleUpdateSerializer(StrictSerializer):
    name = serializers.CharField(max_length=200, required=False)
    description = serializers.CharField(allow_blank=True, required=False)
    tags = serializers.ListField(child=serializers.CharField(max_length=60), required=False)
    project = serializers.IntegerField(required=False)
    type_version = serializers.IntegerField(required=False)
    dataset_bindings = serializers.DictField(child=serializers.DictField(), required=False)
    parameter_bindings = _parameter_values(required=False)
    keep_internal = KeepInternalSerializer(required=False)
    deadline_seconds = _deadline()


class RunRequestSerializer(StrictSerializer):
    mode = serializers.ChoiceField(choices=["run", "process"], required=False, default="run")
    # this run's own values of IN parameters, as text (docs/aggregation.md §3)
    parameters = serializers.DictField(child=serializers.CharField(allow_blank=True, trim_whitespace=False,
                                                                   max_length=10_000),
                                       required=False, default=dict)


class StatusSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=["UpToDate", "OutOfDate"])
    reasons = serializers.ListField(child=serializers.DictField())


class ValidationSerializer(serializers.Serializer):
    valid = serializers.BooleanField()
    errors = serializers.ListField(child=serializers.DictField())  # type: ignore[assignment]
