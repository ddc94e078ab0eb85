"""INOUT bindings: validated like IN ones (plus a final version), and their status conditions — the
version read counts as an input, the version written as an output, and a newer version the run
wrote itself never makes the module OutOfDate. Runs are recorded the way the runner records them
(tests/runs/test_inout.py runs them for real)."""

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from apps.accounts.models import Project, User
from apps.datasets.models import Dataset, DatasetVersion
from apps.datasets.services import (
    dataset_create,
    dataset_type_create,
    version_create,
    version_finalize,
)
from apps.modules.models import Module
from apps.modules.services import module_create
from apps.modules.uptodate import dependency_order
from apps.moduletypes.models import ModuleTypeVersion
from apps.runs.models import Run
from tests.modules.status_helpers import reasons_of, status_of
from tests.runs.builders import ds, numbers, numbers_type, simple

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner(users: dict[str, User]) -> User:
    return users["modeler"]


@pytest.fixture
def bump(project: Project, owner: User) -> ModuleTypeVersion:
    return simple("bump", "UPDATE ${data} SET v = v + 1;", [ds("data", "INOUT", numbers_type(owner))],
                  project=project, owner=owner)


@pytest.fixture
def data(project: Project, owner: User) -> Dataset:
    return numbers("Data", [(1, 1.0), (2, 2.0)], project=project, owner=owner)  # version 0, final


def bumper(name: str, version: ModuleTypeVersion, data: Dataset, number: int | None, owner: User,
           project: Project) -> Module:
    return module_create(name=name, type_version=version, project=project, creator=owner,
                         dataset_bindings={"data": {"dataset": data.pk, "version": number}})


def record_inout_run(module: Module, data: Dataset, read: int) -> DatasetVersion:
    """A successful run that read version `read` and published the version it derived from it."""
    started = timezone.now()
    run = Run.objects.create(module=module, run_number=module.runs.count() + 1, user=module.creator,
                             type_version=module.type_version, started_at=started, result="")
    base = data.versions.get(number=read)
    number = max(data.versions.values_list("number", flat=True)) + 1
    written = DatasetVersion.objects.create(dataset=data, number=number, name="run", base=read,
                                            path=[*base.path, number], row_count=base.row_count,
                                            creator=module.creator, last_modified=timezone.now())
    row = {"path": "", "placeholder": "data", "mode": "INOUT", "dataset": data.pk, "dataset_name": data.name}
    run.datasets = [{**row, "direction": "IN", "version": read},
                    {**row, "direction": "OUT", "version": number, "output_method": "INOUT"}]
    run.result, run.stage, run.ended_at = "SUCCESS", "COMPLETED", timezone.now() + timedelta(milliseconds=1)
    run.save()
    return written


def _create(client: APIClient, version: ModuleTypeVersion, project: Project, binding: dict[str, Any]) -> Any:
    return client.post("/api/modules/", {"name": "Bumper", "type_version": version.pk, "project": project.pk,
                                         "dataset_bindings": {"data": binding}}, format="json")


class TestBindings:
    def test_a_final_version_or_null_is_accepted(self, clients: dict[str, APIClient], bump: ModuleTypeVersion,
                                                 data: Dataset, project: Project) -> None:
        response = _create(clients["modeler"], bump, project, {"dataset": data.pk, "version": 0})
        assert response.status_code == 201, response.content
        assert response.json()["dataset_bindings"] == {"data": {"dataset": data.pk, "version": 0}}
        assert [r["code"] for r in response.json()["reasons"]] == ["never_run"]  # valid: only never run
        module = Module.objects.get(name="Bumper")
        patched = clients["modeler"].patch(f"/api/modules/{module.pk}",
                                           {"dataset_bindings": {"data": {"dataset": data.pk, "version": None}}},
                                           format="json")
        assert patched.status_code == 200, patched.content
        assert clients["modeler"].post(f"/api/modules/{module.pk}/validate").json() == {"valid": True, "errors": []}

    @pytest.mark.parametrize("case", ["draft", "missing", "wrong_type", "unknown_dataset", "not_a_number"])
    def test_bad_bindings_are_400_and_create_nothing(self, clients: dict[str, APIClient], bump: ModuleTypeVersion,
                                                     data: Dataset, project: Project, owner: User, case: str) -> None:
        version_create(dataset=data, base_number=0, user=owner)  # version 1, not final
        letters = dataset_type_create(name="Letters", description="", columns=[{"name": "c", "sql_type": "text"}],
                                      creator=owner)
        wrong = dataset_create(name="Letters", dataset_type=letters, project=project, creator=owner)
        cases: dict[str, tuple[dict[str, Any], str]] = {
            "draft": ({"dataset": data.pk, "version": 1}, "data: version 1 of 'Data' is not final"),
            "missing": ({"dataset": data.pk, "version": 7}, "data: 'Data' has no version 7."),
            "wrong_type": ({"dataset": wrong.pk, "version": None}, "is not of the placeholder's dataset type"),
            "unknown_dataset": ({"dataset": 999999, "version": 0}, "data: unknown dataset 999999."),
            "not_a_number": ({"dataset": data.pk, "version": "0"}, "version must be a version number"),
        }
        binding, expected = cases[case]
        response = _create(clients["modeler"], bump, project, binding)
        assert response.status_code == 400, response.content
        body = response.json()
        assert body["code"] == "invalid_bindings"
        assert expected in body["message"]
        assert not Module.objects.exists()

    def test_validate_explains_what_a_run_could_not_read(self, clients: dict[str, APIClient], bump: ModuleTypeVersion,
                                                         project: Project, owner: User) -> None:
        drafts = numbers("Drafts", [(1, 1.0)], project=project, owner=owner, final=False)
        module = bumper("Drafty", bump, drafts, None, owner, project)
        errors = clients["modeler"].post(f"/api/modules/{module.pk}/validate").json()["errors"]
        assert errors == [{"code": "missing_version", "slot": "data", "message":
                           'INOUT dataset data: "Drafts" has no final version yet (the binding asks for the latest '
                           "final one)."}]
        Module.objects.filter(pk=module.pk).update(dataset_bindings={"data": {"dataset": drafts.pk, "version": 0}})
        errors = clients["modeler"].post(f"/api/modules/{module.pk}/validate").json()["errors"]
        assert [(e["code"], e["slot"]) for e in errors] == [("inout_version_not_final", "data")]
        assert status_of(module) == ("OutOfDate", ["invalid", "never_run"])


class TestStatus:
    def test_after_a_run_it_is_up_to_date(self, bump: ModuleTypeVersion, data: Dataset, owner: User,
                                          project: Project) -> None:
        module = bumper("Bumper", bump, data, 0, owner, project)
        assert status_of(module) == ("OutOfDate", ["never_run"])
        record_inout_run(module, data, read=0)
        assert status_of(module) == ("UpToDate", [])

    def test_the_version_written_is_an_output(self, bump: ModuleTypeVersion, data: Dataset, owner: User,
                                              project: Project) -> None:
        module = bumper("Bumper", bump, data, 0, owner, project)
        written = record_inout_run(module, data, read=0)
        DatasetVersion.objects.filter(pk=written.pk).update(last_modified=timezone.now() + timedelta(seconds=1))
        assert status_of(module) == ("OutOfDate", ["output_modified"])
        assert reasons_of(module)[0]["message"] == 'Output data: "Data" version 1 was modified after the last run ended.'
        DatasetVersion.objects.filter(pk=written.pk).delete()
        assert status_of(module) == ("OutOfDate", ["output_missing"])

    def test_the_version_read_is_an_input(self, bump: ModuleTypeVersion, data: Dataset, owner: User,
                                          project: Project) -> None:
        module = bumper("Bumper", bump, data, 0, owner, project)
        record_inout_run(module, data, read=0)
        DatasetVersion.objects.filter(dataset=data, number=0).update(last_modified=timezone.now() + timedelta(seconds=1))
        assert status_of(module) == ("OutOfDate", ["input_modified"])
        DatasetVersion.objects.filter(dataset=data, number=0).delete()
        assert "input_missing" in status_of(module)[1]

    def test_null_reads_the_latest_final_version_and_its_own_result_does_not_count(
            self, bump: ModuleTypeVersion, data: Dataset, owner: User, project: Project) -> None:
        latest = bumper("Latest", bump, data, None, owner, project)
        pinned = bumper("Pinned", bump, data, 0, owner, project)
        other = version_create(dataset=data, base_number=0, user=owner)  # version 1, someone else's draft
        written = record_inout_run(latest, data, read=0)  # version 2
        record_inout_run(pinned, data, read=0)  # version 3
        assert status_of(latest) == status_of(pinned) == ("UpToDate", [])
        version_finalize(version=written)  # as finalizing the module does: it stays UpToDate
        assert status_of(latest) == ("UpToDate", [])
        version_finalize(version=other)  # final and newer than the version read, written by someone else
        assert status_of(latest) == ("OutOfDate", ["input_modified"])
        assert reasons_of(latest)[0]["message"] == (
            'Input data: a newer final version (1) of "Data" is available; the last run read version 0.')
        # Pinned to version 0, and the newer final versions (1 and latest's 2) do not concern it.
        assert status_of(pinned) == ("UpToDate", [])


def test_an_in_reader_runs_after_the_module_updating_its_dataset(bump: ModuleTypeVersion, data: Dataset,
                                                                  owner: User, project: Project) -> None:
    reader_type = simple("read", "SELECT 1 FROM ${src};", [ds("src", "IN", numbers_type(owner))],
                         project=project, owner=owner)
    reader = module_create(name="Reader", type_version=reader_type, project=project, creator=owner,
                           dataset_bindings={"src": {"dataset": data.pk, "version": None}})
    first = bumper("First bumper", bump, data, None, owner, project)
    second = bumper("Second bumper", bump, data, None, owner, project)
    order, deps = dependency_order([reader, second, first])
    assert [m.name for m in order] == ["Second bumper", "First bumper", "Reader"]
    # INOUT slots read a final version, which no run writes: the two bumpers do not wait for each other
    assert deps == {reader.pk: {first.pk, second.pk}, first.pk: set(), second.pk: set()}
