"""The module type edit lock as the Version Editor uses it: the type shows who holds it, and while
someone else holds it their edits (saves, finalize, removal) are refused until it is released or broken."""

import pytest
from rest_framework.test import APIClient

from apps.accounts.models import Project
from apps.datasets.models import DatasetType
from apps.locks.models import EditLock
from tests.moduletypes.conftest import create_type, save, slots, version_url

pytestmark = pytest.mark.django_db


def test_a_held_lock_refuses_other_peoples_edits(clients: dict[str, APIClient], project: Project,
                                                 dtype: DatasetType) -> None:
    created = create_type(clients["modeler"], project, "Locked", **slots(dtype))
    type_url, url = f"/api/module-types/{created['id']}", version_url(created)
    taken = clients["modeler"].post(f"{type_url}/lock")
    assert taken.status_code == 200
    assert clients["viewer"].get(type_url).json()["lock"]["user"] == "modeler"
    listed = {t["name"]: t["lock"] for t in clients["viewer"].get("/api/module-types").json()}
    assert listed["Locked"]["user_name"] == "Mo Modeler" and listed["Locked"]["since"]

    assert save(clients["modeler"], url, algorithm="PERFORM 1;").status_code == 200
    refused = save(clients["admin"], url, algorithm="PERFORM 2;")
    assert (refused.status_code, refused.json()["code"]) == (409, "locked")
    assert "being edited by Mo Modeler since" in refused.json()["message"]
    assert refused.json()["details"]["lock"]["user"] == "modeler"
    plan = clients["admin"].get(f"{url}/finalize-plan").json()["versions"]
    finalize = clients["admin"].post(f"{url}/finalize", {"confirm": [v["id"] for v in plan]}, format="json")
    assert (finalize.status_code, finalize.json()["code"]) == (409, "locked")
    renamed = clients["admin"].patch(type_url, {"name": "Other name"}, format="json")
    assert (renamed.status_code, renamed.json()["code"]) == (409, "locked")
    assert clients["admin"].delete(type_url).json()["code"] == "locked"
    assert clients["viewer"].get(url).json()["algorithm"] == "PERFORM 1;"

    assert clients["admin"].delete(f"{type_url}/lock").status_code == 204  # an admin breaks it
    assert clients["viewer"].get(type_url).json()["lock"] is None
    assert save(clients["admin"], url, algorithm="PERFORM 2;").status_code == 200


def test_removing_the_type_drops_its_lock(clients: dict[str, APIClient], project: Project) -> None:
    created = create_type(clients["admin"], project, "Going")
    assert clients["admin"].post(f"/api/module-types/{created['id']}/lock").status_code == 200
    assert clients["admin"].delete(f"/api/module-types/{created['id']}").status_code == 204
    assert not EditLock.objects.filter(kind="module-type", object_id=created["id"]).exists()
