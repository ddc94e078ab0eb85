"""The shape of a module's `aggregation` (apps.runs.aggregation.summary, docs/aggregation.md §2), for
the OpenAPI schema and the serializers that embed it."""

from rest_framework import serializers


class AggregationSubmoduleSerializer(serializers.Serializer):
    path = serializers.CharField(allow_blank=True, help_text='The aggregation submodule\'s path; "" for the module.')
    name = serializers.CharField(allow_blank=True)
    runs = serializers.IntegerField(help_text="Successful run-mode runs aggregated since the last process.")
    rows = serializers.IntegerField(help_text="Rows in the state now.")
    dataset = serializers.IntegerField(allow_null=True, help_text="The state's (hidden) dataset; null before a run.")
    state_version = serializers.IntegerField(allow_null=True, help_text="The state version now.")
    updated_at = serializers.DateTimeField()
    last_run = serializers.IntegerField(allow_null=True, help_text="The last run (id) that aggregated.")
    last_process = serializers.IntegerField(allow_null=True, help_text="The last process (run id).")


class AggregationSummarySerializer(serializers.Serializer):
    pending = serializers.BooleanField(help_text="A process is pending.")
    runs = serializers.IntegerField()
    rows = serializers.IntegerField()
    submodules = AggregationSubmoduleSerializer(many=True)
