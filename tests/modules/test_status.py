"""Each UpToDate condition (DESIGN §4, the EMF list) flips the status with its reason."""

import io
from datetime import timedelta
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.accounts.models import Project, User
from apps.datasets.models import Dataset, DatasetVersion
from apps.datasets.services import dataset_create, dataset_import, version_create, version_finalize
from apps.modules.models import Module
from apps.modules.selectors import modules_queryset
from apps.modules.services import module_update
from apps.modules.status import compute_statuses
from apps.moduletypes.services import version_update
from tests.modules.status_helpers import (
    CSV,
    INPUT,
    module_reading,
    new_dataset,
    output_of,
    reasons_of,
    record_run,
    seed_demo,
    source,
    status_of,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def module(project: Project, users: dict[str, User]) -> Module:
    return seed_demo(project, users["modeler"])


@pytest.fixture
def owner(users: dict[str, User]) -> User:
    return users["modeler"]


def test_a_module_that_never_ran_is_out_of_date(module: Module) -> None:
    assert status_of(module) == ("OutOfDate", ["never_run"])
    assert reasons_of(module) == [{"code": "never_run", "message": "The module has never run."}]


def test_after_a_successful_run_it_is_up_to_date(module: Module) -> None:
    record_run(module)
    assert status_of(module) == ("UpToDate", [])


def test_a_run_in_progress_and_a_failed_run(module: Module) -> None:
    run = record_run(module, result="")
    assert status_of(module) == ("OutOfDate", ["running"])
    run.result, run.ended_at = "FAILED", timezone.now()
    run.save()
    assert status_of(module) == ("OutOfDate", ["last_run_failed"])
    assert "ended FAILED" in reasons_of(module)[0]["message"]


def test_saving_the_type_version_after_the_run(module: Module, owner: User) -> None:
    record_run(module)
    version_update(version=module.type_version, fields={"description": "changed"}, note="edit", author=owner,
                   confirm_dependents=True)
    assert status_of(module) == ("OutOfDate", ["type_version_modified"])


def test_changing_a_parameter_makes_it_out_of_date_but_a_description_does_not(module: Module) -> None:
    record_run(module)
    module_update(module=module, fields={"description": "new words", "tags": ["x"]})
    assert status_of(module) == ("UpToDate", [])
    module_update(module=module, fields={"parameter_bindings": {"increase_factor": "1.2"}})
    assert status_of(module) == ("OutOfDate", ["module_modified"])


def test_an_invalid_module_says_what_is_missing(module: Module) -> None:
    record_run(module)
    module_update(module=module, fields={"parameter_bindings": {}})
    status, codes = status_of(module)
    assert (status, codes) == ("OutOfDate", ["invalid", "module_modified"])
    assert reasons_of(module)[0]["message"] == "Parameter increase_factor is required but has no value."


def test_an_input_version_modified_after_the_run_started(module: Module, owner: User, project: Project) -> None:
    draft = new_dataset("Draft factors", owner, project)  # version 0, not final
    reader = module_reading("Reader", draft, owner, project, version=0)
    record_run(reader)
    assert status_of(reader) == ("UpToDate", [])
    dataset_import(dataset=draft, user=owner, stream=io.BytesIO(CSV.encode()), version_number=0)
    assert status_of(reader) == ("OutOfDate", ["input_modified"])
    assert reasons_of(reader)[0]["message"] == (
        f'Input {INPUT}: "Draft factors" version 0 was modified after the last run started.')


def test_a_newer_version_matters_only_to_a_binding_without_version(module: Module, owner: User,
                                                                   project: Project) -> None:
    latest = module_reading("Latest reader", source(), owner, project, version=None)
    record_run(module)
    record_run(latest)
    assert status_of(latest) == ("UpToDate", [])
    newer = version_create(dataset=source(), base_number=0, user=owner)
    # The binding means the latest version, final or not: a new draft is newer than what the run read.
    assert status_of(latest) == ("OutOfDate", ["input_modified"])
    assert reasons_of(latest)[0]["message"] == (
        f'Input {INPUT}: a newer version (1) of "Emission Factors 2016" is available; the last run read version 0.')
    assert status_of(module) == ("UpToDate", [])  # bound to version 0 explicitly
    record_run(latest)  # reads version 1 now
    assert status_of(latest) == ("UpToDate", [])
    version_finalize(version=newer)  # finalizing changes no data
    assert status_of(latest) == ("UpToDate", [])


def test_a_latest_version_binding_names_the_newer_version_even_when_the_one_read_changed(
        module: Module, owner: User, project: Project, clients: Any) -> None:
    """Issue 14 #7: the version read was changed and then a newer one came: the reason names the newer one."""
    draft = new_dataset("Draft factors", owner, project)  # version 0, not final
    latest = module_reading("Latest reader", draft, owner, project, version=None)
    record_run(latest)
    dataset_import(dataset=draft, user=owner, stream=io.BytesIO(CSV.encode()), version_number=0)
    version_finalize(version=DatasetVersion.objects.get(dataset=draft, number=0))
    version_create(dataset=draft, base_number=0, user=owner)
    response = clients["modeler"].get(f"/api/modules/{latest.pk}/status")
    assert response.status_code == 200, response.content
    assert response.json()["reasons"] == [{"code": "input_modified", "message": (
        f'Input {INPUT}: a newer version (1) of "Draft factors" is available; the last run read version 0.')}]


def test_a_binding_without_version_ignores_a_running_modules_pending_version(module: Module, owner: User,
                                                                            project: Project) -> None:
    draft = new_dataset("Draft factors", owner, project)  # version 0, not final
    latest = module_reading("Latest reader", draft, owner, project, version=None)
    record_run(latest)
    assert status_of(latest) == ("UpToDate", [])
    writer = record_run(module, result="")  # a run still going, writing a version of the dataset
    DatasetVersion.objects.create(dataset=draft, number=1, name="pending", path=[1], creator=owner,
                                  last_modified=timezone.now(), pending_run=writer)
    assert status_of(latest) == ("UpToDate", [])
    DatasetVersion.objects.filter(dataset=draft, number=1).update(pending_run=None)  # the run published it
    assert status_of(latest) == ("OutOfDate", ["input_modified"])


def test_a_binding_without_version_and_its_version_modified_after_the_run(module: Module, owner: User,
                                                                         project: Project) -> None:
    draft = new_dataset("Draft factors", owner, project)
    latest = module_reading("Latest reader", draft, owner, project, version=None)
    record_run(latest)
    dataset_import(dataset=draft, user=owner, stream=io.BytesIO(CSV.encode()), version_number=0)
    assert status_of(latest) == ("OutOfDate", ["input_modified"])
    assert reasons_of(latest)[0]["message"] == (
        f'Input {INPUT}: "Draft factors" version 0 was modified after the last run started.')


def test_a_binding_without_version_to_a_dataset_without_versions_is_invalid(module: Module, owner: User,
                                                                           project: Project) -> None:
    empty = dataset_create(name="Empty factors", dataset_type=source().dataset_type, project=project, creator=owner)
    reader = module_reading("Empty reader", empty, owner, project, version=None)
    assert status_of(reader) == ("OutOfDate", ["invalid", "never_run"])
    assert reasons_of(reader)[0]["message"] == f'Input {INPUT}: "Empty factors" has no version yet.'


def test_a_missing_input(module: Module) -> None:
    record_run(module)
    DatasetVersion.objects.filter(dataset=source(), number=0).delete()
    status, codes = status_of(module)
    assert "input_missing" in codes and status == "OutOfDate"


def test_outputs_modified_after_the_run_ended_or_gone(module: Module, owner: User) -> None:
    run = record_run(module)
    output = output_of(run)
    dataset_import(dataset=output, user=owner, stream=io.BytesIO(CSV.encode()), version_number=0)
    assert status_of(module) == ("OutOfDate", ["output_modified"])
    Dataset.objects.filter(pk=output.pk).update(removed_at=timezone.now())
    assert status_of(module) == ("OutOfDate", ["output_missing"])


def test_kept_internal_datasets_count_and_others_do_not(module: Module, owner: User, project: Project) -> None:
    internal = new_dataset("internal", owner, project)
    row = {"path": "sub1", "placeholder": "out", "direction": "OUT", "dataset": internal.pk,
           "dataset_name": internal.name, "version": 0}
    record_run(module, extra_rows=[row])
    Module.objects.filter(pk=module.pk).update(keep_internal={"datasets": ["sub1.out"], "parameters": []})
    DatasetVersion.objects.filter(dataset=internal).update(last_modified=timezone.now() + timedelta(seconds=1))
    assert status_of(module) == ("OutOfDate", ["internal_modified"])
    Module.objects.filter(pk=module.pk).update(keep_internal={"datasets": [], "parameters": []})
    assert status_of(module) == ("UpToDate", [])


def test_finalizing_the_datasets_a_run_used_keeps_it_up_to_date(module: Module, owner: User,
                                                                project: Project) -> None:
    """EMF bumps last-modified dates when it marks versions final, so a module it has just
    finalized is OutOfDate at once."""
    run = record_run(module)
    version_finalize(version=output_of(run).versions.get(number=0))
    assert status_of(module) == ("UpToDate", [])


def test_upstream_staleness_is_transitive_and_names_the_module(module: Module, owner: User,
                                                               project: Project) -> None:
    first = output_of(record_run(module))
    middle = module_reading("Middle", first, owner, project)
    second = output_of(record_run(middle))
    last = module_reading("Last", second, owner, project)
    record_run(last)
    assert [status_of(m)[0] for m in (module, middle, last)] == ["UpToDate"] * 3
    module_update(module=module, fields={"parameter_bindings": {"increase_factor": "3"}})
    assert status_of(middle) == ("OutOfDate", ["upstream_out_of_date"])
    assert reasons_of(middle)[0]["message"] == (
        f'Input "{first.name}" is produced by module "Emission Factors +15%", which is OutOfDate.')
    assert status_of(last) == ("OutOfDate", ["upstream_out_of_date"])
    assert '"Middle"' in reasons_of(last)[0]["message"]
    record_run(module)  # the upstream runs again: its consumers are up to date once more
    assert status_of(middle) == ("UpToDate", [])


def test_modules_feeding_each_other_in_a_cycle(module: Module, owner: User, project: Project) -> None:
    one = module_reading("One", source(), owner, project)
    one_out = output_of(record_run(one))
    two = module_reading("Two", one_out, owner, project)
    two_out = output_of(record_run(two))
    module_update(module=one, fields={"dataset_bindings": {**one.dataset_bindings,
                                                           INPUT: {"dataset": two_out.pk, "version": 0}}})
    one_out = output_of(record_run(one))
    module_update(module=two, fields={"dataset_bindings": {**two.dataset_bindings,
                                                           INPUT: {"dataset": one_out.pk, "version": 0}}})
    record_run(two)
    assert status_of(one) == status_of(two) == ("UpToDate", [])  # one reads two's output, two reads one's
    module_update(module=two, fields={"parameter_bindings": {"increase_factor": "5"}})
    assert status_of(one) == ("OutOfDate", ["upstream_out_of_date"])
    assert status_of(two) == ("OutOfDate", ["module_modified", "upstream_out_of_date"])


def test_the_number_of_queries_does_not_depend_on_the_number_of_modules(module: Module, owner: User,
                                                                        project: Project) -> None:
    def count(n: int) -> int:
        for i in range(Module.objects.count(), n):
            record_run(module_reading(f"M{i:03}", output_of(module.runs.first()), owner, project))  # type: ignore[arg-type]
        modules = list(modules_queryset())
        assert len(modules) == n
        with CaptureQueriesContext(connection) as queries:
            compute_statuses(modules)
        return len(queries)

    record_run(module)
    assert count(5) == count(50) == 5  # one more than before: the aggregation states


def test_module_status_command(module: Module, capsys: Any) -> None:
    with pytest.raises(SystemExit) as exited:
        call_command("module_status", str(module.pk))
    assert exited.value.code == 1
    assert "OutOfDate" in capsys.readouterr().out
    record_run(module)
    call_command("module_status", "--all")
    assert f"{module.pk}\tEmission Factors +15%\tUpToDate" in capsys.readouterr().out
    with pytest.raises(CommandError, match="No module named or numbered '999999'"):
        call_command("module_status", "999999")
    with pytest.raises(CommandError, match="--all"):
        call_command("module_status")
