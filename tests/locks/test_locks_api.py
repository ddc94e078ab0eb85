"""Edit locks over HTTP: take/renew/release/break on modules and module types."""

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from apps.locks.models import EditLock
from apps.locks.selectors import active_locks
from tests.conftest import assert_permission_matrix

KINDS = [("modules", "module", "module"), ("module-types", "module-type", "module_type")]


def _url(resource: str, obj: Any) -> str:
    return f"/api/{resource}/{obj.pk}/lock"


@pytest.mark.parametrize(("resource", "kind", "key"), KINDS)
def test_taking_a_lock_needs_the_modeler_role(clients: dict[str, APIClient], demo: dict[str, Any],
                                              resource: str, kind: str, key: str) -> None:
    response = assert_permission_matrix(clients, "POST", _url(resource, demo[key]),
                                        allowed={"modeler", "admin"})
    lock = response.json()["lock"]
    assert (lock["user"], lock["user_name"]) == ("modeler", "Mo Modeler")
    assert set(lock) == {"user", "user_name", "since", "expires_at"}
    assert EditLock.objects.filter(kind=kind, object_id=demo[key].pk).count() == 1


@pytest.mark.parametrize(("resource", "kind", "key"), KINDS)
def test_someone_elses_live_lock_is_refused_with_409_and_its_holder(
        clients: dict[str, APIClient], second_modeler: APIClient, demo: dict[str, Any],
        resource: str, kind: str, key: str) -> None:
    url = _url(resource, demo[key])
    assert clients["modeler"].post(url).status_code == 200
    refused = second_modeler.post(url)
    assert refused.status_code == 409
    body = refused.json()
    assert body["code"] == "locked"
    assert "Mo Modeler" in body["message"]
    assert body["details"]["lock"]["user"] == "modeler"


def test_renewing_keeps_since_and_extends_the_expiry(clients: dict[str, APIClient], demo: dict[str, Any]) -> None:
    url = _url("modules", demo["module"])
    first = clients["modeler"].post(url).json()["lock"]
    EditLock.objects.update(renewed_at=timezone.now() - timedelta(minutes=3))
    second = clients["modeler"].post(url).json()["lock"]
    assert second["since"] == first["since"]
    assert second["expires_at"] > first["since"]
    assert EditLock.objects.get().renewed_at > timezone.now() - timedelta(seconds=30)


def test_a_lapsed_lock_can_be_taken_by_someone_else(clients: dict[str, APIClient], second_modeler: APIClient,
                                                    demo: dict[str, Any]) -> None:
    url = _url("modules", demo["module"])
    clients["modeler"].post(url)
    EditLock.objects.update(renewed_at=timezone.now() - timedelta(minutes=5, seconds=1))
    taken = second_modeler.post(url)
    assert taken.status_code == 200, taken.content
    assert taken.json()["lock"]["user"] == "modeler2"
    assert active_locks(kind="module", ids=[demo["module"].pk])[demo["module"].pk]["user"] == "modeler2"


def test_release_own_lock_then_others_may_take_it(clients: dict[str, APIClient], second_modeler: APIClient,
                                                  demo: dict[str, Any]) -> None:
    url = _url("modules", demo["module"])
    clients["modeler"].post(url)
    assert clients["modeler"].delete(url).status_code == 204
    assert not EditLock.objects.exists()
    assert second_modeler.post(url).status_code == 200
    assert clients["modeler"].delete(url).status_code == 403  # not theirs any more
    assert EditLock.objects.get().user.username == "modeler2"


def test_release_is_refused_to_a_viewer_and_a_stranger(clients: dict[str, APIClient], demo: dict[str, Any]) -> None:
    url = _url("modules", demo["module"])
    clients["modeler"].post(url)
    assert_permission_matrix(clients, "DELETE", url, allowed={"modeler", "admin"}, ok_status=204)
    assert not EditLock.objects.exists()


@pytest.mark.parametrize(("resource", "kind", "key"), KINDS)
def test_an_admin_breaks_anyones_lock(clients: dict[str, APIClient], demo: dict[str, Any],
                                      resource: str, kind: str, key: str) -> None:
    url = _url(resource, demo[key])
    clients["modeler"].post(url)
    assert clients["admin"].post(url).status_code == 409  # an admin must break it explicitly
    assert clients["admin"].delete(url).status_code == 204
    assert clients["admin"].post(url).json()["lock"]["user"] == "admin"


def test_releasing_nothing_is_fine(clients: dict[str, APIClient], demo: dict[str, Any]) -> None:
    assert clients["modeler"].delete(_url("modules", demo["module"])).status_code == 204


@pytest.mark.parametrize("method", ["GET", "PUT", "PATCH"])
def test_other_methods_on_the_lock_are_405(clients: dict[str, APIClient], demo: dict[str, Any], method: str) -> None:
    response = clients["modeler"].generic(method, _url("modules", demo["module"]))
    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"


def test_lock_on_a_missing_object_is_404(clients: dict[str, APIClient], demo: dict[str, Any]) -> None:
    assert clients["admin"].post("/api/modules/999999/lock").status_code == 404
    assert clients["admin"].post("/api/module-types/999999/lock").status_code == 404
    assert not EditLock.objects.exists()


def test_active_locks_is_one_query_and_skips_lapsed_ones(clients: dict[str, APIClient], demo: dict[str, Any],
                                                         second_modeler: APIClient) -> None:
    module, module_type = demo["module"], demo["module_type"]
    clients["modeler"].post(_url("modules", module))
    clients["modeler"].post(_url("module-types", module_type))
    EditLock.objects.create(kind="module", object_id=module.pk + 1000, user=module.creator,
                            since=timezone.now() - timedelta(hours=1), renewed_at=timezone.now() - timedelta(minutes=6))
    with CaptureQueriesContext(connection) as queries:
        found = active_locks(kind="module", ids=[module.pk, module.pk + 1000, module.pk + 2000])
    assert len(queries) == 1
    assert list(found) == [module.pk]
    assert found[module.pk]["user"] == "modeler"
    assert found[module.pk]["expires_at"] - found[module.pk]["since"] <= timedelta(minutes=5, seconds=1)
    assert active_locks(kind="module", ids=[]) == {}


def test_saving_a_module_someone_else_is_editing_is_refused_and_changes_nothing(
        clients: dict[str, APIClient], second_modeler: APIClient, demo: dict[str, Any]) -> None:
    module = demo["module"]
    assert clients["modeler"].post(_url("modules", module)).status_code == 200
    current = second_modeler.get(f"/api/modules/{module.pk}")
    refused = second_modeler.patch(f"/api/modules/{module.pk}", {"description": "mine"}, format="json",
                                   HTTP_IF_MATCH=current["ETag"])
    assert refused.status_code == 409
    assert refused.json()["code"] == "locked"
    module.refresh_from_db()
    assert module.description != "mine"
    saved = clients["modeler"].patch(f"/api/modules/{module.pk}", {"description": "holder's"}, format="json",
                                     HTTP_IF_MATCH=current["ETag"])
    assert saved.status_code == 200
