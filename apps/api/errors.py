"""One error format for the whole API: {"code", "message", "details"}."""

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from apps.core.exceptions import ServiceError


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = "This object was changed by someone else since you loaded it. Reload it and try again."
    default_code = "precondition_failed"


def error_body(code: str, message: str, details: Any = None) -> dict[str, Any]:
    return {"code": code, "message": message, "details": details}


def _code_and_message(exc: exceptions.APIException) -> tuple[str, str]:
    if isinstance(exc, exceptions.ValidationError):
        return "invalid", "Some of the values sent are not valid."
    if isinstance(exc, exceptions.ParseError):
        return "malformed_request", f"The request body could not be parsed: {exc.detail}"
    if isinstance(exc, exceptions.UnsupportedMediaType):
        return "unsupported_media_type", str(exc.detail)
    if isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
        return "not_authenticated", str(exc.detail)
    if isinstance(exc, exceptions.PermissionDenied):
        text = str(exc.detail)
        return ("csrf_failed" if text.startswith("CSRF Failed") else "forbidden"), text
    if isinstance(exc, exceptions.NotFound):
        return "not_found", "Not found."
    if isinstance(exc, exceptions.MethodNotAllowed):
        return "method_not_allowed", str(exc.detail)
    detail = exc.detail
    return str(getattr(detail, "code", None) or exc.default_code), str(detail)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, ServiceError):
        return Response(error_body(exc.code, exc.message, exc.details), status=exc.status)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None or not isinstance(exc, exceptions.APIException):
        return response
    code, message = _code_and_message(exc)
    details = exc.detail if isinstance(exc, exceptions.ValidationError) else None
    response.data = error_body(code, message, details)
    return response
