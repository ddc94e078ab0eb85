from rest_framework import serializers

from apps.runs.models import Run, RunLog, StepRecord


class RunLogSerializer(serializers.ModelSerializer):
    class Meta:
        model = RunLog
        fields = ["path", "at", "level", "message"]


class StepRecordSerializer(serializers.ModelSerializer):
    class Meta:
        model = StepRecord
        fields = ["path", "name", "type_version", "setup_script", "user_script", "teardown_script", "stage", "result",
                  "started_at", "ended_at", "seconds", "error", "datasets", "parameters", "progressive"]


class RunSummarySerializer(serializers.ModelSerializer):
    user = serializers.CharField(source="user.username")

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

    class Meta(RunSummarySerializer.Meta):
        fields = [*RunSummarySerializer.Meta.fields, "type_version", "module_type", "module_type_name",
                  "type_version_number", "type_version_name", "worker", "cancel_requested", "datasets",
                  "parameters", "results", "steering", "steps", "log"]
