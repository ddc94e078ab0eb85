from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers


class StrictSerializer(serializers.Serializer):
    """Refuses fields it does not know instead of silently ignoring them."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError({name: ["Unknown field."] for name in unknown})
        return super().to_internal_value(data)


class StrictModelSerializer(StrictSerializer, serializers.ModelSerializer):
    pass


def described_json(schema: Any, **kwargs: Any) -> serializers.JSONField:
    """A read-only JSON value sent as stored, described in the OpenAPI schema (the frontend's types,
    `make api-types`) by `schema`: a serializer, or a list/dict of one. The tests check responses
    against the schema (tests/api/schema_check.py), so the description cannot drift unnoticed."""
    field_class = extend_schema_field(schema)(type("DescribedJSONField", (serializers.JSONField,), {}))
    return field_class(read_only=True, **kwargs)  # type: ignore[no-any-return]


class OutputModelSerializer(serializers.ModelSerializer):
    """A ModelSerializer that only writes responses: every field is read-only, so the OpenAPI schema
    lists every field as present in every response (a model default would make it look optional)."""

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        for field in fields.values():
            field.read_only, field.required = True, False
        return fields
