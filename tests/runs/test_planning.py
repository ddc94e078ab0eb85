"""Resolving a module's IN and INOUT bindings (apps/runs/planning.py resolve_input): `version: null`
is the latest published version for IN (final or not, never a running module's pending one) and the
latest final version for INOUT; status (apps.modules.selectors) must read it the same way."""

from typing import Any

import pytest
from django.utils import timezone

from apps.datasets.models import Dataset, DatasetVersion
from apps.datasets.services import dataset_create, version_create
from apps.modules.selectors import dataset_facts
from apps.runs.errors import RunRefused
from apps.runs.models import Run
from apps.runs.planning import resolve_input
from tests.runs.builders import ds, module, numbers, numbers_type, simple

pytestmark = pytest.mark.django_db


@pytest.fixture
def kw(project: Any, users: dict[str, Any]) -> dict[str, Any]:
    return {"project": project, "owner": users["modeler"]}


@pytest.fixture
def data(kw: dict[str, Any]) -> Dataset:
    """Version 0 final, version 1 a published draft, version 2 still being written by a run."""
    dataset = numbers("Data", [(1, 1.0)], **kw)
    version_create(dataset=dataset, base_number=0, user=kw["owner"])
    writer = module("Writer", simple("write", "SELECT 1;", [], **kw), **kw)
    run = Run.objects.create(module=writer, run_number=1, user=kw["owner"], type_version=writer.type_version)
    DatasetVersion.objects.create(dataset=dataset, number=2, name="pending", base=0, path=[0, 2],
                                  creator=kw["owner"], last_modified=timezone.now(), pending_run=run)
    return dataset


def _slot(mode: str, kw: dict[str, Any]) -> dict[str, Any]:
    return ds("data", mode, numbers_type(kw["owner"]))


@pytest.mark.parametrize(("mode", "expected"), [("IN", 1), ("INOUT", 0)])
def test_null_means_the_latest_version_for_in_and_the_latest_final_one_for_inout(
        data: Dataset, kw: dict[str, Any], mode: str, expected: int) -> None:
    read = resolve_input(_slot(mode, kw), {"dataset": data.pk, "version": None}, project_id=kw["project"].pk)
    assert (read.dataset, read.version.number if read.version else None) == (data, expected)
    assert dataset_facts(dataset_ids=[data.pk])[data.pk].version_a_run_reads(mode) == expected  # status agrees


def test_an_explicit_version_is_read_as_bound(data: Dataset, kw: dict[str, Any]) -> None:
    read = resolve_input(_slot("IN", kw), {"dataset": data.pk, "version": 0}, project_id=kw["project"].pk)
    assert read.version is not None and read.version.number == 0
    with pytest.raises(RunRefused) as pending:
        resolve_input(_slot("IN", kw), {"dataset": data.pk, "version": 2}, project_id=kw["project"].pk)
    assert pending.value.code == "missing_input"


def test_null_with_nothing_to_read_refuses_the_run(kw: dict[str, Any]) -> None:
    empty = dataset_create(name="Empty", dataset_type=numbers_type(kw["owner"]), project=kw["project"],
                           creator=kw["owner"])
    with pytest.raises(RunRefused) as refused:
        resolve_input(_slot("IN", kw), {"dataset": empty.pk, "version": None}, project_id=kw["project"].pk)
    assert (refused.value.code, refused.value.message) == ("no_version", "Input data: 'Empty' has no version yet.")

    drafts = numbers("Drafts", [(1, 1.0)], final=False, **kw)  # a version, but no final one
    assert resolve_input(_slot("IN", kw), {"dataset": drafts.pk, "version": None}, project_id=kw["project"].pk).version is not None
    with pytest.raises(RunRefused) as refused:
        resolve_input(_slot("INOUT", kw), {"dataset": drafts.pk, "version": None}, project_id=kw["project"].pk)
    assert refused.value.code == "no_final_version"
    assert refused.value.message.startswith("INOUT dataset data: 'Drafts' has no final version")
