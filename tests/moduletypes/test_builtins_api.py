"""Every read of a built-in progressive module type answers like any type's (no project, no creator)."""

import pytest
from rest_framework.test import APIClient

from apps.moduletypes.models import ModuleType

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("name", ["Scan", "Filter", "Min", "Max", "Stats", "Histogram", "Quantiles"])
def test_a_builtin_reads_like_any_type(clients: dict[str, APIClient], name: str) -> None:
    builtin = ModuleType.objects.get(name=name)
    version = builtin.versions.get()
    for who in ("viewer", "stranger"):
        client = clients[who]
        listed = client.get(f"/api/module-types/{builtin.pk}")
        assert listed.status_code == 200 and listed.json()["creator"] is None
        detail = client.get(f"/api/module-type-versions/{version.pk}")
        assert detail.status_code == 200, detail.content
        assert detail.json()["creator"] is None and detail.json()["is_final"] is True
        assert client.get(f"/api/module-type-versions/{version.pk}/finalize-plan").status_code in (200, 403, 409)
    # a built-in is final and read-only: nothing to validate, and the refusal says why
    validated = clients["modeler"].post(f"/api/module-type-versions/{version.pk}/validate", {}, format="json")
    assert (validated.status_code, validated.json()["code"]) == (403, "builtin_read_only")
