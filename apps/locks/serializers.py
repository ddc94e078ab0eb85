from rest_framework import serializers


class EditLockSerializer(serializers.Serializer):
    """Who is editing an object (apps.locks.selectors.lock_data)."""

    user = serializers.CharField(help_text="Username.")
    user_name = serializers.CharField()
    since = serializers.DateTimeField()
    expires_at = serializers.DateTimeField()


class LockResponseSerializer(serializers.Serializer):
    """POST {id}/lock: the lock the caller now holds."""

    lock = EditLockSerializer()
