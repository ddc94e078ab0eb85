from rest_framework import serializers

from apps.api.serializers import StrictSerializer
from apps.modules.models import Module


class ModuleSerializer(serializers.ModelSerializer):
    creator = serializers.CharField(source="creator.username", read_only=True)
    type_name = serializers.CharField(source="type_version.module_type.name", read_only=True)
    type_version_number = serializers.IntegerField(source="type_version.number", read_only=True)

    class Meta:
        model = Module
        fields = ["id", "name", "description", "project", "creator", "tags", "type_version", "type_name",
                  "type_version_number", "dataset_bindings", "parameter_bindings", "keep_internal", "is_final",
                  "created_at", "last_modified", "revision"]


class ModuleWriteSerializer(StrictSerializer):
    name = serializers.CharField(max_length=200)
    type_version = serializers.IntegerField()
    project = serializers.IntegerField()
    description = serializers.CharField(allow_blank=True, required=False, default="")
    tags = serializers.ListField(child=serializers.CharField(max_length=60), required=False, default=list)
    dataset_bindings = serializers.DictField(child=serializers.DictField(), required=False, default=dict)
    parameter_bindings = serializers.DictField(child=serializers.CharField(allow_blank=True, trim_whitespace=False,
                                                                           allow_null=True, max_length=10_000),
                                               required=False, default=dict)


class ModuleUpdateSerializer(StrictSerializer):
    name = serializers.CharField(max_length=200, required=False)
    description = serializers.CharField(allow_blank=True, required=False)
    tags = serializers.ListField(child=serializers.CharField(max_length=60), required=False)
    dataset_bindings = serializers.DictField(child=serializers.DictField(), required=False)
    parameter_bindings = serializers.DictField(child=serializers.CharField(allow_blank=True, trim_whitespace=False,
                                                                           allow_null=True, max_length=10_000),
                                               required=False)


class RunRequestSerializer(StrictSerializer):
    mode = serializers.ChoiceField(choices=["run", "process"], required=False, default="run")
