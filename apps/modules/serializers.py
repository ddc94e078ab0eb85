from typing import Any

from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema_serializer
from rest_framework import serializers

from apps.api.serializers import OutputModelSerializer, StrictSerializer, described_json
from apps.locks.selectors import active_lock
from apps.locks.serializers import EditLockSerializer
from apps.modules.listing import current_zone, module_fields, run_summary
from apps.modules.models import Module
from apps.modules.status import OUT_OF_DATE, UP_TO_DATE, compute_statuses
from apps.moduletypes.models import ModuleType
from apps.runs.aggregation_serializers import AggregationSummarySerializer
from apps.runs.models import Result
from apps.runs.serializers import RunErrorSerializer, RunSerializer

STATUSES = [UP_TO_DATE, OUT_OF_DATE]


class ReasonSerializer(serializers.Serializer):
    """One failed UpToDate condition (DESIGN §4), or one refusal."""

    code = serializers.CharField()
    message = serializers.CharField()


@extend_schema_serializer(component_name="ModuleStatus")
class StatusSerializer(serializers.Serializer):
    """GET /api/modules/{id}/status (apps.modules.status.ModuleStatus.as_dict)."""

    status = serializers.ChoiceField(choices=STATUSES)
    reasons = ReasonSerializer(many=True)


class LastRunSerializer(serializers.Serializer):
    """A module's last run as the module resource embeds it (apps.modules.listing.run_summary)."""

    id = serializers.IntegerField()
    number = serializers.IntegerField()
    result = serializers.ChoiceField(choices=Result.choices, allow_null=True, help_text="null while it goes.")
    started_at = serializers.DateTimeField(allow_null=True)
    ended_at = serializers.DateTimeField(allow_null=True)
    error = RunErrorSerializer(allow_null=True, help_text="Why a FAILED, CANCELLED or TIMEOUT run ended.")


class InputBindingSerializer(serializers.Serializer):
    """IN/INOUT: a dataset and a version (null: the latest version for IN, the latest final one for INOUT)."""

    dataset = serializers.IntegerField()
    version = serializers.IntegerField(allow_null=True, required=False)


class OutputBindingSerializer(serializers.Serializer):
    """OUT: NEW (a new dataset named by `name_pattern`) or REPLACE (a new version of `dataset`)."""

    output_method = serializers.ChoiceField(choices=["NEW", "REPLACE"])
    name_pattern = serializers.CharField(required=False, help_text="NEW: the name, with general placeholders.")
    dataset = serializers.IntegerField(required=False, help_text="REPLACE: the target dataset.")


DATASET_BINDING = PolymorphicProxySerializer(component_name="DatasetBinding", resource_type_field_name=None,
                                             serializers=[InputBindingSerializer, OutputBindingSerializer])


class KeepInternalSerializer(StrictSerializer):
    datasets = serializers.ListField(child=serializers.CharField(max_length=200), required=False, default=list,
                                     max_length=1000)
    parameters = serializers.ListField(child=serializers.CharField(max_length=200), required=False, default=list,
                                       max_length=1000)


class ModuleSerializer(OutputModelSerializer):
    """One module with its status, last run and lock, as a row of the list (apps.modules.listing)."""

    project_name = serializers.CharField(source="project.name", read_only=True)
    creator = serializers.CharField(source="creator.username", read_only=True)
    creator_name = serializers.CharField(source="creator.display_name", read_only=True)
    type_id = serializers.IntegerField(source="type_version.module_type_id", read_only=True)
    type_name = serializers.CharField(source="type_version.module_type.name", read_only=True)
    type_kind = serializers.ChoiceField(source="type_version.module_type.kind", choices=ModuleType.Kind.choices,
                                        read_only=True)
    type_version_number = serializers.IntegerField(source="type_version.number", read_only=True)
    type_version_final = serializers.BooleanField(source="type_version.is_final", read_only=True)
    tags = described_json(serializers.ListField(child=serializers.CharField()))
    dataset_bindings = described_json(serializers.DictField(child=DATASET_BINDING))
    parameter_bindings = described_json(serializers.DictField(child=serializers.CharField(allow_null=True)),
                                        help_text='{name: value as text}; absent: not set, "" is a value.')
    keep_internal = described_json(KeepInternalSerializer)
    status = serializers.ChoiceField(choices=STATUSES, read_only=True)
    reasons = ReasonSerializer(many=True, read_only=True)
    last_run = LastRunSerializer(read_only=True, allow_null=True)
    lock = EditLockSerializer(read_only=True, allow_null=True, help_text="Who is editing it; null: nobody.")
    aggregation = AggregationSummarySerializer(read_only=True, allow_null=True,
                                               help_text="Its aggregation state (docs/aggregation.md); null: none.")

    class Meta:
        model = Module
        fields = ["id", "name", "description", "project", "project_name", "creator", "creator_name", "tags",
                  "type_version", "type_id", "type_name", "type_version_number", "type_kind", "type_version_final",
                  "dataset_bindings", "parameter_bindings", "keep_internal", "deadline_seconds", "is_final", "created_at",
                  "last_modified", "revision", "status", "reasons", "last_run", "lock", "aggregation"]

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


@extend_schema_serializer(component_name="ModuleRun")  # the body of POST {id}/run: ModuleRunRequest
class RunRequestSerializer(StrictSerializer):
    mode = serializers.ChoiceField(choices=["run", "process"], required=False, default="run")
    # this run's own values of IN parameters, as text (docs/aggregation.md §3)
    parameters = serializers.DictField(child=serializers.CharField(allow_blank=True, trim_whitespace=False,
                                                                   max_length=10_000),
                                       required=False, default=dict)


class ModuleValidationErrorSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    slot = serializers.CharField(required=False, allow_null=True, help_text="The binding or parameter at fault.")


class ModuleValidationSerializer(serializers.Serializer):
    """POST /api/modules/{id}/validate."""

    valid = serializers.BooleanField()
    errors = ModuleValidationErrorSerializer(many=True)  # type: ignore[assignment]  # the API's field name


class FinalizePlanTypeVersionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    module_type = serializers.IntegerField()
    module_type_name = serializers.CharField()
    number = serializers.IntegerField()
    name = serializers.CharField(allow_blank=True)


class FinalizePlanDatasetVersionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    dataset = serializers.IntegerField()
    dataset_name = serializers.CharField(allow_blank=True)
    number = serializers.IntegerField()
    name = serializers.CharField(allow_blank=True)
    is_final = serializers.BooleanField()
    direction = serializers.ChoiceField(choices=["IN", "OUT", "INOUT"])


class ModuleFinalizePlanSerializer(serializers.Serializer):
    """GET /api/modules/{id}/finalize-plan (apps.modules.finalize.finalize_plan)."""

    type_versions = FinalizePlanTypeVersionSerializer(
        many=True, help_text="Non-final type versions: the module's, then those it uses (composite), recursively.")
    dataset_versions = FinalizePlanDatasetVersionSerializer(
        many=True, help_text="The dataset versions of the last run; `is_final` ones are final already.")
    blockers = ReasonSerializer(many=True, help_text="EMF conditions that still refuse it.")


class RemovalPlanOutputSerializer(serializers.Serializer):
    dataset = serializers.IntegerField()
    name = serializers.CharField()
    removable = serializers.BooleanField()
    used_by = serializers.ListField(child=serializers.CharField(), help_text="Other modules that use it.")
    reason = serializers.CharField(required=False, help_text="Why it stays, when it is not removable.")


class RemovalPlanSerializer(serializers.Serializer):
    """GET /api/modules/{id}/removal-plan (apps.modules.removal.removal_plan): what DELETE would do."""

    allowed = serializers.BooleanField()
    reason = serializers.CharField(required=False, help_text="Why not, when it is not allowed.")
    outputs = RemovalPlanOutputSerializer(many=True)


class ComparedModuleSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class CompareRowSerializer(serializers.Serializer):
    section = serializers.CharField()
    key = serializers.CharField()
    first = serializers.CharField(allow_null=True)
    second = serializers.CharField(allow_null=True)
    result = serializers.ChoiceField(choices=["MATCH", "DIFFERENT", "FIRST ONLY", "SECOND ONLY"])


class ComparisonSerializer(serializers.Serializer):
    """GET /api/modules/compare (apps.modules.compare.compare_modules)."""

    first = ComparedModuleSerializer()
    second = ComparedModuleSerializer()
    rows = CompareRowSerializer(many=True)


class BringUpToDateResultSerializer(serializers.Serializer):
    runs = RunSerializer(many=True, help_text="In execution order.")
    already_up_to_date = serializers.ListField(child=serializers.IntegerField(),
                                               help_text="Modules that were UpToDate when asked (they run anyway).")
