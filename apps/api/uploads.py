"""Request bodies taken as files: an endpoint that streams a large upload reads the body itself
rather than through a parser (request.data), so it never holds the upload in memory."""

import shutil
import tempfile
from typing import Any, BinaryIO

from django.conf import settings
from django.http import HttpRequest
from rest_framework.parsers import BaseParser
from rest_framework.request import Request

COPY_CHUNK = 256 * 1024


class CsvBodyParser(BaseParser):
    """Accepts a `text/csv` body without reading it (request.data is empty): the view reads the body
    itself through body_file. Needed because DRF parses the body as soon as anything looks at
    request.data or request.POST, which the session CSRF check does."""

    media_type = "text/csv"

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> dict[str, Any]:
        return {}


def body_has_media_type(request: Request, media_type: str) -> bool:
    return request.content_type.split(";", 1)[0].strip().lower() == media_type


def body_length(request: Request) -> int | None:
    """The body's size as the client announced it (None when it did not)."""
    try:
        return int(request.META.get("CONTENT_LENGTH") or "") or None
    except ValueError:
        return None


def body_file(request: HttpRequest) -> BinaryIO:
    """The request body as a seekable file from its start (a reader may need a second pass). Under
    ASGI Django has already spooled the body to a temporary file before the view runs: that file
    is used as it is, which saves copying the upload once more. Otherwise (WSGI, the test client)
    the body is copied into a spooled temporary file."""
    stream = getattr(request, "_stream", None)  # where HttpRequest.read() reads from
    if stream is not None and callable(getattr(stream, "seekable", None)) and stream.seekable():
        stream.seek(0)
        return stream  # type: ignore[no-any-return]
    spooled = tempfile.SpooledTemporaryFile(max_size=settings.FILE_UPLOAD_MAX_MEMORY_SIZE)  # noqa: SIM115 (returned)
    shutil.copyfileobj(request, spooled, COPY_CHUNK)
    spooled.seek(0)
    return spooled  # type: ignore[return-value]
