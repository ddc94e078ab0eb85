from typing import Any

from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from apps.api.serializers import OutputModelSerializer, StrictSerializer, described_json
from apps.datasets.models import Dataset, DatasetType, DatasetVersion
from apps.datasets.selectors import published_versions_of


class ColumnSerializer(StrictSerializer):
    name = serializers.CharField(max_length=63)
    sql_type = serializers.CharField(max_length=40)


class DatasetTypeSerializer(OutputModelSerializer):
    creator = serializers.CharField(source="creator.username", read_only=True)
    columns = described_json(ColumnSerializer(many=True))
    dataset_count = serializers.SerializerMethodField()

    class Meta:
        model = DatasetType
        fields = ["id", "name", "description", "columns", "creator", "revision", "created_at", "dataset_count"]

    def get_dataset_count(self, obj: DatasetType) -> int:
        return getattr(obj, "dataset_count", None) or obj.datasets.count()


class DatasetTypeWriteSerializer(StrictSerializer):
    name = serializers.CharField(max_length=120)
    description = serializers.CharField(allow_blank=True, required=False, default="")
    columns = ColumnSerializer(many=True, allow_empty=False)


class DatasetTypeUpdateSerializer(StrictSerializer):
    description = serializers.CharField(allow_blank=True, required=False)
    columns = ColumnSerializer(many=True, allow_empty=False, required=False)


@extend_schema_serializer(component_name="DatasetVersion")
class VersionSerializer(OutputModelSerializer):
    creator = serializers.CharField(source="creator.username", read_only=True)
    path = described_json(serializers.ListField(child=serializers.IntegerField()),
                          help_text="The version numbers from the first to this one.")

    class Meta:
        model = DatasetVersion
        fields = ["number", "name", "description", "base", "path", "is_final", "row_count", "creator",
                  "created_at", "last_modified"]


class DatasetSerializer(OutputModelSerializer):
    creator = serializers.CharField(source="creator.username", read_only=True)
    dataset_type_name = serializers.CharField(source="dataset_type.name", read_only=True)
    project_name = serializers.CharField(source="project.name", read_only=True)
    columns = described_json(ColumnSerializer(many=True), source="dataset_type.columns")
    keywords = described_json(serializers.DictField(child=serializers.CharField(allow_blank=True)))
    versions = serializers.SerializerMethodField()

    class Meta:
        model = Dataset
        fields = ["id", "name", "description", "keywords", "dataset_type", "dataset_type_name", "project",
                  "project_name", "creator", "columns", "revision", "created_at", "last_modified", "removed_at",
                  "versions"]

    @extend_schema_field(VersionSerializer(many=True, help_text="Published versions, by number."))
    def get_versions(self, obj: Dataset) -> list[dict[str, Any]]:
        return VersionSerializer(published_versions_of(obj), many=True).data  # type: ignore[return-value]


class DatasetCreateSerializer(StrictSerializer):
    name = serializers.CharField(max_length=200)
    dataset_type = serializers.IntegerField()
    project = serializers.IntegerField()
    description = serializers.CharField(allow_blank=True, required=False, default="")
    keywords = serializers.DictField(child=serializers.CharField(allow_blank=True, max_length=1000), required=False,
                                     default=dict)


class DatasetUpdateSerializer(StrictSerializer):
    name = serializers.CharField(max_length=200, required=False)
    description = serializers.CharField(allow_blank=True, required=False)
    keywords = serializers.DictField(child=serializers.CharField(allow_blank=True, max_length=1000), required=False)


class ImportOptionsSerializer(StrictSerializer):
    """The options of an import; in the query string when the body is the CSV itself."""

    version = serializers.IntegerField(required=False, min_value=0)
    mode = serializers.ChoiceField(choices=["replace", "append"], required=False, default="replace")
    version_name = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)


class ImportSerializer(ImportOptionsSerializer):
    file = serializers.FileField(allow_empty_file=True)


class VersionCreateSerializer(StrictSerializer):
    base = serializers.IntegerField(min_value=0)
    name = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)
    description = serializers.CharField(required=False, default="", allow_blank=True)


class DeleteRowsSerializer(StrictSerializer):
    record_ids = serializers.ListField(child=serializers.IntegerField(min_value=1), allow_empty=False,
                                       max_length=100_000)


class ExportQuerySerializer(StrictSerializer):
    """The row viewer's filters and order, so an export holds what is shown (all pages of it)."""
    version = serializers.IntegerField(required=False, min_value=0)
    sort = serializers.CharField(required=False, default="record_id", max_length=63)
    order = serializers.ChoiceField(choices=["asc", "desc"], required=False, default="asc")
    filter = serializers.ListField(child=serializers.CharField(max_length=1100), required=False, default=list)


class RowsQuerySerializer(StrictSerializer):
    version = serializers.IntegerField(required=False, min_value=0)
    limit = serializers.IntegerField(required=False, min_value=1, max_value=1000, default=100)
    after = serializers.CharField(required=False, max_length=2000)
    sort = serializers.CharField(required=False, default="record_id", max_length=63)
    order = serializers.ChoiceField(choices=["asc", "desc"], required=False, default="asc")
    filter = serializers.ListField(child=serializers.CharField(max_length=1100), required=False, default=list)


class RowsPageSerializer(serializers.Serializer):
    """GET /api/datasets/{id}/rows: one page of a version's rows."""

    version = serializers.IntegerField()
    columns = ColumnSerializer(many=True)
    rows = serializers.ListField(child=serializers.ListField(child=serializers.JSONField()),
                                 help_text="Each row is [record_id, ...the type's columns].")
    next = serializers.CharField(allow_null=True, help_text="Cursor of the next page, null on the last one.")
    row_count = serializers.IntegerField(help_text="Rows in the version (filters not applied).")


class RelatedModuleSerializer(serializers.Serializer):
    """A module that reads the dataset or produced it (GET /api/datasets/{id}/related-modules)."""

    module_id = serializers.IntegerField()
    module_name = serializers.CharField()
    relation = serializers.CharField()


class UsageDatasetSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    project = serializers.IntegerField()
    project_name = serializers.CharField()


class UsageSlotSerializer(serializers.Serializer):
    placeholder = serializers.CharField()
    mode = serializers.ChoiceField(choices=["IN", "INOUT", "OUT"])


class UsageVersionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    module_type = serializers.IntegerField()
    module_type_name = serializers.CharField()
    number = serializers.IntegerField()
    name = serializers.CharField(allow_blank=True)
    is_final = serializers.BooleanField()
    slots = UsageSlotSerializer(many=True)


class DatasetTypeUsageSerializer(serializers.Serializer):
    """GET /api/dataset-types/{id}/usage: its datasets and the module type versions with a slot of it."""

    datasets = UsageDatasetSerializer(many=True)
    module_type_versions = UsageVersionSerializer(many=True)
