from typing import Any

from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from apps.api.serializers import OutputModelSerializer, StrictSerializer, described_json
from apps.locks.serializers import EditLockSerializer
from apps.moduletypes.models import ModuleType, ModuleTypeVersion, RevisionNote


class RevisionNoteSerializer(OutputModelSerializer):
    author = serializers.CharField(source="author.username")

    class Meta:
        model = RevisionNote
        fields = ["author", "created_at", "note"]


@extend_schema_serializer(component_name="ModuleTypeVersionSummary")
class VersionSummarySerializer(OutputModelSerializer):
    class Meta:
        model = ModuleTypeVersion
        fields = ["id", "number", "name", "is_final", "last_modified"]


class ModuleTypeSerializer(OutputModelSerializer):
    """`context["locks"]` (id → lock, from one query) serves a list; otherwise each looks its lock up."""

    creator = serializers.CharField(source="creator.username", read_only=True, default=None, allow_null=True,
                                    help_text="Username; null for the built-in types.")
    tags = described_json(serializers.ListField(child=serializers.CharField()))
    versions = VersionSummarySerializer(many=True, read_only=True)
    lock = serializers.SerializerMethodField()

    class Meta:
        model = ModuleType
        fields = ["id", "name", "description", "kind", "tags", "project", "creator", "created_at", "versions", "lock"]

    @extend_schema_field(EditLockSerializer(allow_null=True, help_text="Who is editing its versions; null: nobody."))
    def get_lock(self, module_type: ModuleType) -> dict[str, Any] | None:
        from apps.moduletypes.selectors import module_type_locks

        locks = self.context.get("locks")
        lock = locks.get(module_type.pk) if locks is not None else module_type_locks([module_type.pk]).get(module_type.pk)
        return None if lock is None else {**lock, "since": lock["since"].isoformat(),
                                          "expires_at": lock["expires_at"].isoformat()}


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


class PositionSerializer(StrictSerializer):
    x = serializers.FloatField(min_value=-1e7, max_value=1e7)
    y = serializers.FloatField(min_value=-1e7, max_value=1e7)


class SubmoduleSerializer(StrictSerializer):
    id = serializers.IntegerField(min_value=1)
    name = serializers.CharField(max_length=200)
    version = serializers.IntegerField()
    position = PositionSerializer(required=False)


class EndpointSerializer(StrictSerializer):
    """`submodule` null means the composite's own inputs (as a source) or outputs (as a target)."""

    submodule = serializers.IntegerField(allow_null=True)
    slot = serializers.CharField(max_length=58)


class ConnectionSerializer(StrictSerializer):
    kind = serializers.ChoiceField(choices=["dataset", "parameter"])
    source = EndpointSerializer()  # type: ignore[assignment]  # the graph's field name
    target = EndpointSerializer()


class LayoutSerializer(StrictSerializer):
    """Where the diagram shows the composite's own Inputs and Outputs nodes."""

    inputs = PositionSerializer(required=False)
    outputs = PositionSerializer(required=False)


class GraphSerializer(StrictSerializer):
    """A composite's network; its shape is checked here, its meaning by validation."""

    submodules = serializers.ListField(child=SubmoduleSerializer(), required=False, max_length=500)
    connections = serializers.ListField(child=ConnectionSerializer(), required=False, max_length=5000)
    layout = LayoutSerializer(required=False)


class VersionFieldsSerializer(StrictSerializer):
    name = serializers.CharField(max_length=200, required=False)
    description = serializers.CharField(allow_blank=True, required=False)
    dataset_slots = DatasetSlotSerializer(many=True, required=False)
    parameter_slots = ParameterSlotSerializer(many=True, required=False)
    algorithm = serializers.CharField(allow_blank=True, required=False, trim_whitespace=False, max_length=1_000_000)
    graph = GraphSerializer(required=False)
    is_aggregation = serializers.BooleanField(required=False)
    aggregate_sql = serializers.CharField(allow_blank=True, required=False, trim_whitespace=False, max_length=1_000_000)
    process_sql = serializers.CharField(allow_blank=True, required=False, trim_whitespace=False, max_length=1_000_000)
    clear_sql = serializers.CharField(allow_blank=True, required=False, trim_whitespace=False, max_length=1_000_000)


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


@extend_schema_serializer(component_name="DatasetSlot")
class DatasetSlotOutputSerializer(DatasetSlotSerializer):
    dataset_type = serializers.IntegerField(allow_null=True, help_text="null: any dataset type (the built-ins).")


@extend_schema_serializer(component_name="ModuleTypeVersionListItem")  # GET /api/module-type-versions
class PaletteVersionSerializer(OutputModelSerializer):
    module_type_name = serializers.CharField(source="module_type.name")
    kind = serializers.ChoiceField(source="module_type.kind", choices=ModuleType.Kind.choices)
    dataset_slots = described_json(DatasetSlotOutputSerializer(many=True))
    parameter_slots = described_json(ParameterSlotSerializer(many=True))

    class Meta:
        model = ModuleTypeVersion
        fields = ["id", "module_type", "module_type_name", "kind", "number", "name", "is_final", "is_aggregation",
                  "dataset_slots", "parameter_slots", "last_modified"]


# {submodule id: "before" | "aggregation" | "after"} of a composite with an aggregation submodule (docs/aggregation.md)
PHASES_FIELD = serializers.DictField(child=serializers.ChoiceField(choices=["before", "aggregation", "after"]))


class UsedByModuleSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class UsedByCompositeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    module_type_name = serializers.CharField()
    number = serializers.IntegerField()


class UsedBySerializer(serializers.Serializer):
    """What uses a version (moduletypes.selectors.dependents_of): modules, and composite versions."""

    modules = UsedByModuleSerializer(many=True)
    composites = UsedByCompositeSerializer(many=True)


@extend_schema_serializer(component_name="ModuleTypeVersion")
class VersionSerializer(PaletteVersionSerializer):
    creator = serializers.CharField(source="creator.username", read_only=True, default=None, allow_null=True,
                                    help_text="Username; null for the built-in types.")
    revision_notes = RevisionNoteSerializer(many=True)
    used_by = serializers.SerializerMethodField()
    graph = described_json(GraphSerializer, help_text="A composite's network; {} for simple types.")
    phases = serializers.SerializerMethodField()

    class Meta(PaletteVersionSerializer.Meta):
        fields = [*PaletteVersionSerializer.Meta.fields, "description", "algorithm", "aggregate_sql", "process_sql",
                  "clear_sql", "graph", "phases", "creator", "created_at", "revision", "revision_notes", "used_by"]

    @extend_schema_field(PHASES_FIELD)
    def get_phases(self, version: ModuleTypeVersion) -> dict[str, str]:
        from apps.moduletypes.selectors import graph_phases

        return graph_phases(version=version, graph=version.graph or {})

    @extend_schema_field(UsedBySerializer)
    def get_used_by(self, version: ModuleTypeVersion) -> dict[str, list[dict[str, object]]]:
        from apps.moduletypes.selectors import dependents_of

        return UsedBySerializer(dependents_of(version=version)).data  # type: ignore[return-value]


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
    graph = GraphSerializer(required=False)
    is_aggregation = serializers.BooleanField(required=False)
    aggregate_sql = serializers.CharField(allow_blank=True, required=False, trim_whitespace=False, max_length=1_000_000)
    process_sql = serializers.CharField(allow_blank=True, required=False, trim_whitespace=False, max_length=1_000_000)
    clear_sql = serializers.CharField(allow_blank=True, required=False, trim_whitespace=False, max_length=1_000_000)


class ValidationErrorSerializer(serializers.Serializer):
    """One problem of a version (moduletypes.selectors.validation_errors)."""

    code = serializers.CharField()
    message = serializers.CharField()
    line = serializers.IntegerField(required=False, allow_null=True, help_text="1-based, in the algorithm.")
    column = serializers.IntegerField(required=False, allow_null=True)
    submodule = serializers.IntegerField(required=False, allow_null=True, help_text="Submodule id in the graph.")
    slot = serializers.CharField(required=False, allow_null=True)
    field = serializers.ChoiceField(choices=["aggregate_sql", "process_sql", "clear_sql"], required=False, allow_null=True,
                                    help_text="The aggregation SQL field the line and column are in; null: the algorithm "
                                              "(docs/aggregation.md).")


class TypeValidationSerializer(serializers.Serializer):
    """POST /api/module-type-versions/{id}/validate: the errors, and the phases of a composite's
    submodules for the diagram (docs/aggregation.md; {} without an aggregation submodule)."""

    valid = serializers.BooleanField()
    errors = ValidationErrorSerializer(many=True)  # type: ignore[assignment]  # the API's field name
    phases = PHASES_FIELD


class FinalizePlanItemSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    module_type_name = serializers.CharField(source="module_type.name")
    number = serializers.IntegerField()
    name = serializers.CharField(allow_blank=True)


class FinalizePlanSerializer(serializers.Serializer):
    """GET /api/module-type-versions/{id}/finalize-plan: the versions finalizing it finalizes."""

    versions = FinalizePlanItemSerializer(many=True)
