from rest_framework import serializers

from apps.api.serializers import StrictSerializer
from apps.moduletypes.models import ModuleType, ModuleTypeVersion, RevisionNote


class RevisionNoteSerializer(serializers.ModelSerializer):
    author = serializers.CharField(source="author.username")

    class Meta:
        model = RevisionNote
        fields = ["author", "created_at", "note"]


class VersionSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = ModuleTypeVersion
        fields = ["id", "number", "name", "is_final", "last_modified"]


class ModuleTypeSerializer(serializers.ModelSerializer):
    creator = serializers.CharField(source="creator.username", read_only=True)
    versions = VersionSummarySerializer(many=True, read_only=True)

    class Meta:
        model = ModuleType
        fields = ["id", "name", "description", "kind", "tags", "project", "creator", "created_at", "versions"]


class DatasetSlotSerializer(StrictSerializer):
    placeholder = serializers.CharField(max_length=58)
    mode = serializers.ChoiceField(choices=["IN", "INOUT", "OUT"])
    dataset_type = serializers.IntegerField()
    is_optional = serializers.BooleanField(default=False)
    description = serializers.CharField(allow_blank=True, required=False, default="")


class ParameterSlotSerializer(StrictSerializer):
    name = serializers.CharField(max_length=58)
    sql_type = serializers.CharField(max_length=40)
    mode = serializers.ChoiceField(choices=["IN", "INOUT", "OUT"])
    is_optional = serializers.BooleanField(default=False)
    description = serializers.CharField(allow_blank=True, required=False, default="")


class VersionFieldsSerializer(StrictSerializer):
    name = serializers.CharField(max_length=200, required=False)
    description = serializers.CharField(allow_blank=True, required=False)
    dataset_slots = DatasetSlotSerializer(many=True, required=False)
    parameter_slots = ParameterSlotSerializer(many=True, required=False)
    algorithm = serializers.CharField(allow_blank=True, required=False, trim_whitespace=False, max_length=1_000_000)
    graph = serializers.JSONField(required=False)
    is_aggregation = serializers.BooleanField(required=False)


class VersionUpdateSerializer(VersionFieldsSerializer):
    revision_note = serializers.CharField(max_length=2000, allow_blank=True)
    confirm_dependents = serializers.BooleanField(required=False, default=False)


class ModuleTypeCreateSerializer(StrictSerializer):
    name = serializers.CharField(max_length=200)
    kind = serializers.ChoiceField(choices=["simple", "composite"])
    project = serializers.IntegerField()
    description = serializers.CharField(allow_blank=True, required=False, default="")
    tags = serializers.ListField(child=serializers.CharField(max_length=60), required=False, default=list)
    version = VersionFieldsSerializer(required=False)


class PaletteVersionSerializer(serializers.ModelSerializer):
    module_type_name = serializers.CharField(source="module_type.name")
    kind = serializers.CharField(source="module_type.kind")

    class Meta:
        model = ModuleTypeVersion
        fields = ["id", "module_type", "module_type_name", "kind", "number", "name", "is_final", "is_aggregation",
                  "dataset_slots", "parameter_slots", "last_modified"]


class VersionSerializer(PaletteVersionSerializer):
    creator = serializers.CharField(source="creator.username")
    revision_notes = RevisionNoteSerializer(many=True)
    used_by = serializers.SerializerMethodField()

    class Meta(PaletteVersionSerializer.Meta):
        fields = [*PaletteVersionSerializer.Meta.fields, "description", "algorithm", "graph", "creator",
                  "created_at", "revision", "revision_notes", "used_by"]

    def get_used_by(self, version: ModuleTypeVersion) -> dict[str, list[dict[str, object]]]:
        from apps.moduletypes.selectors import dependents_of

        return dependents_of(version=version)


class ModuleTypeUpdateSerializer(StrictSerializer):
    name = serializers.CharField(max_length=200, required=False)
    description = serializers.CharField(allow_blank=True, required=False)
    tags = serializers.ListField(child=serializers.CharField(max_length=60), required=False)


class NewTypeSerializer(StrictSerializer):
    name = serializers.CharField(max_length=200)


class CopyVersionSerializer(StrictSerializer):
    source = serializers.IntegerField(required=False)  # type: ignore[assignment]  # the API field name
    name = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)


class FinalizeSerializer(StrictSerializer):
    confirm = serializers.ListField(child=serializers.IntegerField(), allow_empty=False)


class DraftSerializer(StrictSerializer):
    algorithm = serializers.CharField(allow_blank=True, required=False, trim_whitespace=False, max_length=1_000_000)
    dataset_slots = DatasetSlotSerializer(many=True, required=False)
    parameter_slots = ParameterSlotSerializer(many=True, required=False)
    graph = serializers.JSONField(required=False)
