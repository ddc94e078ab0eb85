from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from apps.api.serializers import OutputModelSerializer, described_json
from apps.runs.models import Run, RunLog, StepRecord

_SLOT_MODES = ["IN", "INOUT", "OUT"]


class RunErrorSerializer(serializers.Serializer):
    """Why a run (or a step) failed: the message, where in the algorithm, PostgreSQL's diagnostics."""

    message = serializers.CharField()
    line = serializers.IntegerField(required=False, allow_null=True)
    column = serializers.IntegerField(required=False, allow_null=True)
    submodule = serializers.CharField(required=False, allow_null=True)
    sqlstate = serializers.CharField(required=False, allow_null=True)
    detail = serializers.CharField(required=False, allow_null=True)
    hint = serializers.CharField(required=False, allow_null=True)


class StepDatasetRecordSerializer(serializers.Serializer):
    placeholder = serializers.CharField()
    mode = serializers.ChoiceField(choices=_SLOT_MODES)
    direction = serializers.ChoiceField(choices=["IN", "OUT"])
    dataset = serializers.IntegerField()
    dataset_name = serializers.CharField()
    version = serializers.IntegerField(allow_null=True)
    internal = serializers.BooleanField(required=False)


class RunDatasetRecordSerializer(StepDatasetRecordSerializer):
    """A dataset the run read or wrote: the module's own (path "") or a kept internal one."""

    path = serializers.CharField(allow_blank=True)


class StepParameterRecordSerializer(serializers.Serializer):
    name = serializers.CharField()
    mode = serializers.ChoiceField(choices=_SLOT_MODES)
    sql_type = serializers.CharField()
    input_value = serializers.CharField(allow_null=True)
    output_value = serializers.CharField(required=False, allow_null=True)


class RunParameterRecordSerializer(StepParameterRecordSerializer):
    path = serializers.CharField(allow_blank=True)


class SteeringRecordSerializer(serializers.Serializer):
    """A steering change applied to a running progressive submodule (POST /api/runs/{id}/steer)."""

    path = serializers.CharField()
    parameters = serializers.DictField(child=serializers.CharField(allow_blank=True))
    at = serializers.DateTimeField()
    user = serializers.CharField(help_text="Username.")


@extend_schema_serializer(component_name="Steer")  # the body: SteerRequest
class SteerRequestSerializer(serializers.Serializer):
    """The body of POST /api/runs/{id}/steer (checked by runs.services.run_steer)."""

    path = serializers.CharField()
    parameters = serializers.DictField(child=serializers.CharField(allow_blank=True), help_text="Values as text.")


class RunLogSerializer(OutputModelSerializer):
    class Meta:
        model = RunLog
        fields = ["path", "at", "level", "message"]


class StepRecordSerializer(OutputModelSerializer):
    error = described_json(RunErrorSerializer(allow_null=True))
    datasets = described_json(StepDatasetRecordSerializer(many=True))
    parameters = described_json(StepParameterRecordSerializer(many=True))
    progressive = described_json(
        {"type": "object", "nullable": True, "additionalProperties": True,
         "description": "A progressive step's latest result: {kind, result, final, state, done, total} "
                        "(docs/progressive.md); null for other steps."})

    class Meta:
        model = StepRecord
        fields = ["path", "name", "type_version", "setup_script", "user_script", "teardown_script", "stage", "result",
                  "started_at", "ended_at", "seconds", "error", "datasets", "parameters", "progressive"]


class RunSummarySerializer(OutputModelSerializer):
    user = serializers.CharField(source="user.username")
    error = described_json(RunErrorSerializer(allow_null=True))

    class Meta:
        model = Run
        fields = ["id", "module", "run_number", "mode", "user", "stage", "result", "created_at", "started_at",
                  "ended_at", "error"]


class RunSerializer(RunSummarySerializer):
    steps = StepRecordSerializer(many=True)
    log = RunLogSerializer(many=True)
    module_type = serializers.IntegerField(source="type_version.module_type_id", read_only=True)
    module_type_name = serializers.CharField(source="type_version.module_type.name", read_only=True)
    type_version_number = serializers.IntegerField(source="type_version.number", read_only=True)
    type_version_name = serializers.CharField(source="type_version.name", read_only=True)
    datasets = described_json(RunDatasetRecordSerializer(many=True))
    parameters = described_json(RunParameterRecordSerializer(many=True))
    results = described_json({"type": "object", "additionalProperties": True,
                              "description": "{path: a progressive submodule's final result} (docs/progressive.md)."})
    steering = described_json(SteeringRecordSerializer(many=True))
    parameter_overrides = described_json(
        {"type": "object", "additionalProperties": {"type": "string"},
         "description": "This run's own IN parameter values ({name: value as text}, POST run's `parameters`); "
                        "{} when the run used the module's (docs/aggregation.md §3)."})

    class Meta(RunSummarySerializer.Meta):
        fields = [*RunSummarySerializer.Meta.fields, "type_version", "module_type", "module_type_name",
                  "type_version_number", "type_version_name", "worker", "cancel_requested", "datasets",
                  "parameters", "parameter_overrides", "results", "steering", "steps", "log"]
