from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from apps.locks.serializers import LockResponseSerializer
from apps.locks.services import lock_release, lock_take


class EditLockMixin:
    """Adds `POST|DELETE {id}/lock` to a project-scoped viewset; set `lock_kind`.
    Taking a lock is a write: it needs the Modeler role in the object's project."""

    lock_kind: str

    @extend_schema(methods=["POST"], request=None, responses=LockResponseSerializer)
    @extend_schema(methods=["DELETE"], request=None, responses={204: None})
    @action(detail=True, methods=["post", "delete"], url_path="lock")
    def lock(self, request: Request, pk: str) -> Response:
        obj: Any = self.get_object()  # type: ignore[attr-defined]
        if request.method == "DELETE":
            lock_release(kind=self.lock_kind, object_id=obj.pk, user=request.user)  # type: ignore[arg-type]
            return Response(status=204)
        lock = lock_take(kind=self.lock_kind, object_id=obj.pk, user=request.user)  # type: ignore[arg-type]
        return Response(LockResponseSerializer({"lock": lock}).data)
