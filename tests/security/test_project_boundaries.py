"""Project boundaries (issue 10): a module binds only datasets of its own project (checked at save, at
copy and again when the run is planned, for the module and every submodule of a composite), and
whatever lies outside the user's projects answers exactly as what does not exist.

"Exactly" is tested literally: the same request is sent once while the object exists in another
project and once after it has been deleted, and the two responses must be byte-identical."""

from collections.abc import Callable
from typing import Any

import pytest
from django.db.models import Model
from rest_framework.test import APIClient

from apps.accounts.models import Project, User
from apps.datasets.models import Dataset
from apps.modules.models import Module
from apps.moduletypes.models import ModuleType, ModuleTypeVersion
from apps.runs.models import Run
from tests.runs.builders import composite, ds, module, numbers, numbers_type, simple, wire
from tests.runs.conftest import worker  # noqa: F401  (a real Celery worker thread)

FOREIGN = "Secret Beta Numbers"


def _same_as_missing(send: Callable[[], Any], obj: Model, *, secret: str = "") -> Any:
    """`send()` while `obj` exists (in a project the user cannot see), then after `obj` is deleted:
    the two answers must be the same bytes. Returns the first."""
    foreign = send()
    assert foreign.status_code < 500, foreign.content
    type(obj).objects.filter(pk=obj.pk).delete()  # type: ignore[attr-defined]
    missing = send()
    assert (foreign.status_code, foreign.content) == (missing.status_code, missing.content)
    if secret:
        assert secret.encode() not in foreign.content
    return foreign


@pytest.fixture
def kw(project: Project, users: dict[str, User]) -> dict[str, Any]:
    return {"project": project, "owner": users["modeler"]}


@pytest.fixture
def foreign(other_project: Project, users: dict[str, User]) -> Dataset:
    """A final dataset of the stranger's project, of the same type as the module's own."""
    return numbers(FOREIGN, [(1, 1.0), (2, 2.0)], project=other_project, owner=users["stranger"])


@pytest.fixture
def rw_type(kw: dict[str, Any]) -> ModuleTypeVersion:
    numbers_t = numbers_type(kw["owner"])
    return simple("Copy numbers", "INSERT INTO ${dst} (k, v) SELECT k, v FROM ${src};\n"
                  "INSERT INTO ${io} (k, v) SELECT k, v FROM ${src};",
                  [ds("src", "IN", numbers_t), ds("io", "INOUT", numbers_t), ds("dst", "OUT", numbers_t)], **kw)


@pytest.fixture
def own(kw: dict[str, Any]) -> dict[str, Dataset]:
    return {"src": numbers("Alpha In", [(5, 5.0)], **kw), "io": numbers("Alpha Io", [(6, 6.0)], **kw),
            "dst": numbers("Alpha Out", [(7, 7.0)], final=False, **kw)}


def _bindings(own: dict[str, Dataset], slot: str | None = None, dataset_id: int | None = None) -> dict[str, Any]:
    """Valid bindings of rw_type to the module's own datasets, with `slot` bound to `dataset_id`."""
    bindings: dict[str, Any] = {"src": {"dataset": own["src"].pk, "version": 0},
                                "io": {"dataset": own["io"].pk, "version": 0},
                                "dst": {"output_method": "REPLACE", "dataset": own["dst"].pk}}
    if slot == "dst":
        bindings["dst"] = {"output_method": "REPLACE", "dataset": dataset_id}
    elif slot is not None:
        bindings[slot] = {"dataset": dataset_id, "version": 0}
    return bindings


SLOTS = ["src", "io", "dst"]  # IN, INOUT, REPLACE target


# ------------------------------------------------------------------------------- save-time checks

@pytest.mark.django_db
@pytest.mark.parametrize("slot", SLOTS)
def test_creating_a_module_bound_to_a_foreign_dataset_is_refused_like_a_missing_one(
        clients: dict[str, APIClient], project: Project, rw_type: ModuleTypeVersion, own: dict[str, Dataset],
        foreign: Dataset, slot: str) -> None:
    def send() -> Any:
        return clients["modeler"].post("/api/modules/", {
            "name": "Thief", "type_version": rw_type.pk, "project": project.pk,
            "dataset_bindings": _bindings(own, slot, foreign.pk)}, format="json")

    response = _same_as_missing(send, foreign, secret=FOREIGN)
    assert response.status_code == 400
    assert set(response.json()) == {"code", "message", "details"}
    assert not Module.objects.filter(name="Thief").exists()


@pytest.mark.django_db
@pytest.mark.parametrize("slot", SLOTS)
def test_editing_a_module_to_bind_a_foreign_dataset_is_refused_like_a_missing_one(
        clients: dict[str, APIClient], kw: dict[str, Any], rw_type: ModuleTypeVersion, own: dict[str, Dataset],
        foreign: Dataset, slot: str) -> None:
    target = module("Honest", rw_type, datasets=_bindings(own), **kw)

    def send() -> Any:
        return clients["modeler"].patch(f"/api/modules/{target.pk}", {
            "dataset_bindings": _bindings(own, slot, foreign.pk)}, format="json")

    response = _same_as_missing(send, foreign, secret=FOREIGN)
    assert response.status_code == 400
    target.refresh_from_db()
    assert target.dataset_bindings == _bindings(own)


@pytest.mark.django_db
def test_moving_a_module_to_another_project_rechecks_its_bindings(
        clients: dict[str, APIClient], kw: dict[str, Any], other_project: Project, users: dict[str, User],
        rw_type: ModuleTypeVersion, own: dict[str, Dataset]) -> None:
    """Its datasets stay behind: bound from another project they would be foreign bindings."""
    from apps.accounts.roles import Role
    from apps.accounts.services import membership_set

    membership_set(project=other_project, user=users["modeler"], role=Role.MODELER)
    target = module("Mover", rw_type, datasets=_bindings(own), **kw)
    response = clients["modeler"].patch(f"/api/modules/{target.pk}", {"project": other_project.pk}, format="json")
    assert response.status_code == 400, response.content
    target.refresh_from_db()
    assert target.project_id == kw["project"].pk


@pytest.mark.django_db
def test_copying_a_module_with_a_foreign_binding_is_refused(
        clients: dict[str, APIClient], kw: dict[str, Any], rw_type: ModuleTypeVersion, own: dict[str, Dataset],
        foreign: Dataset) -> None:
    """A binding that predates a project change: the copy checks it again."""
    stale = module("Stale", rw_type, datasets=_bindings(own, "src", foreign.pk), **kw)
    response = clients["modeler"].post(f"/api/modules/{stale.pk}/copy", {}, format="json")
    assert response.status_code == 400, response.content
    assert FOREIGN.encode() not in response.content
    assert Module.objects.count() == 1


@pytest.mark.django_db
def test_a_foreign_binding_shows_no_name_in_status_validate_or_compare(
        clients: dict[str, APIClient], kw: dict[str, Any], rw_type: ModuleTypeVersion, own: dict[str, Dataset],
        foreign: Dataset) -> None:
    stale = module("Stale", rw_type, datasets=_bindings(own, "src", foreign.pk), **kw)
    honest = module("Honest", rw_type, datasets=_bindings(own), **kw)
    for response in (clients["modeler"].get(f"/api/modules/{stale.pk}/status"),
                     clients["modeler"].post(f"/api/modules/{stale.pk}/validate"),
                     clients["modeler"].get(f"/api/modules/{stale.pk}"),
                     clients["modeler"].get("/api/modules/"),
                     clients["modeler"].get(f"/api/modules/compare?first={stale.pk}&second={honest.pk}")):
        assert response.status_code == 200, response.content
        assert FOREIGN.encode() not in response.content, response.content


# -------------------------------------------------------------------- ids of objects the user cannot see

@pytest.mark.django_db
def test_a_foreign_type_version_is_refused_like_a_missing_one(
        clients: dict[str, APIClient], project: Project, other_project: Project, users: dict[str, User]) -> None:
    theirs = simple("Secret Beta Type", "SELECT 1;", [], project=other_project, owner=users["stranger"])

    def send() -> Any:
        return clients["modeler"].post("/api/modules/", {
            "name": "Thief", "type_version": theirs.pk, "project": project.pk}, format="json")

    response = _same_as_missing(send, ModuleType.objects.get(pk=theirs.module_type_id), secret="Secret Beta")
    assert response.status_code == 400


@pytest.mark.django_db
@pytest.mark.parametrize("what", ["module", "dataset", "module-type"])
def test_creating_in_a_foreign_project_is_refused_like_a_missing_one(
        clients: dict[str, APIClient], project: Project, other_project: Project, users: dict[str, User],
        what: str) -> None:
    version = simple("Alpha Type", "SELECT 1;", [], project=project, owner=users["modeler"])
    numbers_t = numbers_type(users["modeler"])
    routes: dict[str, tuple[str, dict[str, Any]]] = {
        "module": ("/api/modules/", {"name": "Intruder", "type_version": version.pk}),
        "dataset": ("/api/datasets/", {"name": "Intruder", "dataset_type": numbers_t.pk}),
        "module-type": ("/api/module-types/", {"name": "Intruder", "kind": "simple"}),
    }
    url, body = routes[what]

    def send() -> Any:
        return clients["modeler"].post(url, {**body, "project": other_project.pk}, format="json")

    response = _same_as_missing(send, other_project, secret="Team Beta")
    assert response.status_code == 404


@pytest.mark.django_db
def test_compare_and_bring_up_to_date_treat_a_foreign_module_as_missing(
        clients: dict[str, APIClient], kw: dict[str, Any], other_project: Project, users: dict[str, User],
        rw_type: ModuleTypeVersion, own: dict[str, Dataset]) -> None:
    mine = module("Mine", rw_type, datasets=_bindings(own), **kw)
    theirs_type = simple("Beta Type", "SELECT 1;", [], project=other_project, owner=users["stranger"])
    theirs = module("Secret Beta Module", theirs_type, project=other_project, owner=users["stranger"])
    _same_as_missing(lambda: clients["modeler"].get(f"/api/modules/compare?first={mine.pk}&second={theirs.pk}"),
                     theirs, secret="Secret Beta")
    theirs = module("Secret Beta Module", theirs_type, project=other_project, owner=users["stranger"])
    _same_as_missing(lambda: clients["modeler"].post("/api/modules/bring-up-to-date",
                                                     {"modules": [mine.pk, theirs.pk]}, format="json"),
                     theirs, secret="Secret Beta")


@pytest.mark.django_db
def test_a_composite_using_a_foreign_submodule_version_sees_it_as_missing(
        clients: dict[str, APIClient], kw: dict[str, Any], other_project: Project, users: dict[str, User]) -> None:
    numbers_t = numbers_type(kw["owner"])
    theirs = simple("Secret Beta Step", "INSERT INTO ${o} SELECT k, v FROM ${i};",
                    [ds("i", "IN", numbers_t), ds("o", "OUT", numbers_t)], project=other_project,
                    owner=users["stranger"])
    outer = composite("Alpha Composite", [(1, "step", theirs)],
                      [wire("dataset", (None, "i"), (1, "i")), wire("dataset", (1, "o"), (None, "o"))],
                      [ds("i", "IN", numbers_t), ds("o", "OUT", numbers_t)], **kw)

    def send() -> Any:
        return clients["modeler"].post(f"/api/module-type-versions/{outer.pk}/validate", {}, format="json")

    response = _same_as_missing(send, ModuleType.objects.get(pk=theirs.module_type_id), secret="Secret Beta")
    assert response.status_code == 200
    assert response.json()["valid"] is False


# ---------------------------------------------------------------------------------- planning checks

@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("worker")
@pytest.mark.parametrize("slot", SLOTS)
def test_a_run_with_a_binding_that_predates_a_project_change_fails_and_publishes_nothing(
        kw: dict[str, Any], rw_type: ModuleTypeVersion, own: dict[str, Dataset], foreign: Dataset,
        users: dict[str, User], slot: str) -> None:
    from tests.runs.builders import rows_of, run_and_wait

    stale = module("Stale", rw_type, datasets=_bindings(own, slot, foreign.pk), **kw)
    before = (Dataset.objects.count(), list(foreign.versions.values_list("number", flat=True)), rows_of(foreign.pk))
    run = run_and_wait(stale, users["modeler"])
    assert run.result == "FAILED", run.error
    assert run.error is not None and run.error["code"] == "dataset_not_in_project", run.error
    assert FOREIGN not in run.error["message"]
    after = (Dataset.objects.count(), list(foreign.versions.values_list("number", flat=True)), rows_of(foreign.pk))
    assert after == before
    assert not Run.objects.filter(pk=run.pk, datasets__contains=[{"dataset": foreign.pk}]).exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("worker")
def test_a_composite_run_checks_every_submodule_binding(
        kw: dict[str, Any], foreign: Dataset, own: dict[str, Dataset], users: dict[str, User]) -> None:
    from tests.runs.builders import run_and_wait

    numbers_t = numbers_type(kw["owner"])
    inner = simple("Inner Copy", "INSERT INTO ${o} (k, v) SELECT k, v FROM ${i};",
                   [ds("i", "IN", numbers_t), ds("o", "OUT", numbers_t)], **kw)
    outer = composite("Outer Copy", [(1, "first", inner), (2, "second", inner)],
                      [wire("dataset", (None, "i"), (1, "i")), wire("dataset", (1, "o"), (2, "i")),
                       wire("dataset", (2, "o"), (None, "o"))],
                      [ds("i", "IN", numbers_t), ds("o", "OUT", numbers_t)], **kw)
    stale = module("Stale Composite", outer, datasets={"i": {"dataset": foreign.pk, "version": 0},
                                                       "o": {"output_method": "NEW", "name_pattern": "leak"}}, **kw)
    run = run_and_wait(stale, users["modeler"])
    assert run.result == "FAILED", run.error
    assert run.error is not None and run.error["code"] == "dataset_not_in_project", run.error
    assert not Dataset.objects.filter(name="leak").exists()


@pytest.mark.django_db
def test_related_modules_and_removal_name_no_module_of_another_project(
        clients: dict[str, APIClient], kw: dict[str, Any], other_project: Project, users: dict[str, User],
        rw_type: ModuleTypeVersion, own: dict[str, Dataset]) -> None:
    """A stranger's module whose binding predates a change of project names Team Alpha's dataset."""
    theirs = simple("Beta Reader", "SELECT 1;", [ds("src", "IN", numbers_type(kw["owner"]))], project=other_project,
                    owner=users["stranger"])
    module("Secret Beta Module", theirs, project=other_project, owner=users["stranger"],
           datasets={"src": {"dataset": own["src"].pk, "version": 0}})
    response = clients["modeler"].get(f"/api/datasets/{own['src'].pk}/related-modules")
    assert response.status_code == 200, response.content
    assert b"Secret Beta" not in response.content
    response = clients["admin"].delete(f"/api/datasets/{own['src'].pk}")
    assert b"Secret Beta" not in response.content
