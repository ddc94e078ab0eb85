"""Errors shared by every layer (HackSoft's core/exceptions.py). The HTTP package (apps.api.errors)
turns a ServiceError into the API's {"code", "message", "details"} body; commands print its message."""

from typing import Any


class ServiceError(Exception):
    """A refusal raised by a service, carried to the client as-is."""

    def __init__(self, code: str, message: str, *, status: int = 400, details: Any = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status
        self.details = details
