from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.accounts.models import Project, User
from apps.accounts.roles import Role
from apps.accounts.selectors import memberships_of
from apps.api.serializers import OutputModelSerializer, StrictModelSerializer, StrictSerializer


class CredentialsSerializer(StrictSerializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=200, trim_whitespace=False)


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField()


class MembershipSerializer(serializers.Serializer):
    """A project the user belongs to, with their role in it (accounts.selectors.memberships_of)."""

    id = serializers.IntegerField()
    name = serializers.CharField()
    role = serializers.ChoiceField(choices=Role.choices)


class MeSerializer(OutputModelSerializer):
    full_name = serializers.CharField(source="display_name")
    projects = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["id", "username", "full_name", "email", "role", "projects"]

    @extend_schema_field(MembershipSerializer(many=True))
    def get_projects(self, user: User) -> list[dict[str, object]]:
        return MembershipSerializer(memberships_of(user=user), many=True).data  # type: ignore[return-value]


class ProjectSerializer(StrictModelSerializer):
    class Meta:
        model = Project
        fields = ["id", "name", "description", "revision", "created_at"]
        read_only_fields = ["id", "revision", "created_at"]
