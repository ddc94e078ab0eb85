"""apps/api/renderers.py: FastJSONRenderer writes what DRF's JSONRenderer writes."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from rest_framework.renderers import JSONRenderer

from apps.api.renderers import FastJSONRenderer

MOMENT = datetime(2026, 11, 30, 14, 33, 0, 123456, tzinfo=UTC)


@pytest.mark.parametrize("data", [
    None,
    {"at": MOMENT, "zoned": MOMENT.astimezone(ZoneInfo("UTC")), "whole_second": MOMENT.replace(microsecond=0)},
    {"elsewhere": MOMENT.astimezone(ZoneInfo("Asia/Kolkata"))},
    [{"name": "Zeile \"ü\" 😀", "tags": ["a", "b"], "n": 2**63 - 1, "none": None, "yes": True}],
    {"huge": 2**70 + 1, "at": MOMENT},  # beyond orjson: DRF's renderer takes over
])
def test_same_bytes_as_drf(data: object) -> None:
    assert FastJSONRenderer().render(data) == JSONRenderer().render(data)


def test_utc_is_written_as_z() -> None:
    assert FastJSONRenderer().render({"at": MOMENT}) == b'{"at":"2026-11-30T14:33:00.123456Z"}'
