"""ETag on reads and If-Match on writes (412 when stale), with the row locked while checking."""

from typing import Any

from django.db import transaction
from django.db.models import Model
from rest_framework.request import Request
from rest_framework.response import Response

from apps.api.errors import PreconditionFailed


def etag_of(obj: Model) -> str:
    return f'"{obj._meta.model_name}-{obj.pk}-{obj.revision}"'  # type: ignore[attr-defined]


def check_if_match(request: Request, obj: Model) -> None:
    wanted = request.headers.get("If-Match")
    if wanted is None or wanted.strip() == "*":
        return
    candidates = {tag.strip() for tag in wanted.split(",")}
    if etag_of(obj) not in candidates:
        raise PreconditionFailed()


class ETagMixin:
    """For viewsets over models with a `revision` counter that services bump on each change."""

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        response: Response = super().retrieve(request, *args, **kwargs)  # type: ignore[misc]
        response["ETag"] = etag_of(self.get_object())  # type: ignore[attr-defined]
        return response

    def get_object_for_write(self) -> Model:
        """Locks the row, then checks If-Match against the locked, current revision."""
        obj: Model = self.get_object()  # type: ignore[attr-defined]
        locked = type(obj).objects.select_for_update().get(pk=obj.pk)  # type: ignore[attr-defined]
        check_if_match(self.request, locked)  # type: ignore[attr-defined]
        return locked

    def respond_with_etag(self, obj: Model, data: Any, status: int = 200) -> Response:
        response = Response(data, status=status)
        response["ETag"] = etag_of(obj)
        return response

    @staticmethod
    def write_atomically() -> Any:
        return transaction.atomic()
