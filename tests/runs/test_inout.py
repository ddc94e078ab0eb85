"""INOUT datasets and parameters on a real worker: a run reads the bound version and writes a new
version of the same dataset derived from it by path (unchanged rows are not copied); the old version
stays readable; a failed run leaves the dataset exactly as it was. Modules are created through the
service, which validates INOUT bindings like IN ones (and wants a final version)."""

from pathlib import Path
from typing import Any

import pytest

from apps.core.exceptions import ServiceError
from apps.datasets.models import DatasetVersion
from apps.datasets.services import dataset_create, dataset_import, version_create, version_finalize
from apps.datasets.workspace import workspace
from apps.engine import bulk_load
from apps.engine.storage import qualified_text
from apps.modules.models import Module
from apps.modules.services import module_create
from apps.modules.status import module_status
from apps.moduletypes.models import ModuleTypeVersion
from tests.runs.builders import (
    composite,
    ds,
    no_leftovers,
    numbers,
    numbers_type,
    param,
    rows_of,
    run_and_wait,
    simple,
    wire,
)

pytestmark = pytest.mark.django_db(transaction=True)

BUMP = """UPDATE ${data} SET v = v + 100 WHERE k <= 2;
DELETE FROM ${data} WHERE k = 5;
INSERT INTO ${data} (k, v) VALUES (6, 6);
#{counter} := #{counter} + (SELECT count(*) FROM ${data});
"""


@pytest.fixture
def bump(project: Any, users: dict[str, Any]) -> dict[str, Any]:
    owner = users["modeler"]
    kw = {"project": project, "owner": owner}
    version = simple("bump", BUMP, [ds("data", "INOUT", numbers_type(owner))],
                     [param("counter", "INOUT", "integer")], **kw)
    data = numbers("Bumped numbers", [(k, float(k)) for k in range(1, 6)], **kw)
    return {"version": version, "data": data, "kw": kw, "owner": owner}


def module(name: str, version: ModuleTypeVersion, *, project: Any, owner: Any, datasets: dict[str, Any],
           parameters: dict[str, str] | None = None) -> Module:
    return module_create(name=name, type_version=version, project=project, creator=owner, dataset_bindings=datasets,
                         parameter_bindings=parameters or {})


def status_of(target: Module) -> tuple[str, list[str]]:
    status = module_status(Module.objects.get(pk=target.pk))
    return status.status, [r.code for r in status.reasons]


def physical_rows(dataset_id: int) -> list[tuple[int, int, list[int]]]:
    with workspace() as conn:
        return [(int(k), int(v), list(d)) for k, v, d in conn.execute(
            f"SELECT k, mb_version, mb_deleted FROM {qualified_text(dataset_id)} ORDER BY record_id").fetchall()]


def test_inout_writes_a_new_version_and_the_old_one_stays_readable(bump: dict[str, Any], worker: Any) -> None:
    data = bump["data"]
    target = module("Bump it", bump["version"], datasets={"data": {"dataset": data.pk, "version": 0}},
                    parameters={"counter": "41"}, **bump["kw"])
    run = run_and_wait(target, bump["owner"])
    assert run.result == "SUCCESS", run.error
    new = DatasetVersion.objects.get(dataset=data, number=1)
    assert (new.base, new.path, new.pending_run_id, new.is_final, new.row_count) == (0, [0, 1], None, False, 5)
    assert rows_of(data.pk, new.path) == [(1, 101.0), (2, 102.0), (3, 3.0), (4, 4.0), (6, 6.0)]
    assert rows_of(data.pk, [0]) == [(k, float(k)) for k in range(1, 6)]  # version 0 unchanged
    # only the two updated rows and the inserted one were written; the rest is shared through the path
    assert [(k, v) for k, v, _ in physical_rows(data.pk) if v == 1] == [(1, 1), (2, 1), (6, 1)]
    assert [d for _, _, d in physical_rows(data.pk)[:5]] == [[1], [1], [], [], [1]]
    assert run.datasets == [
        {"path": "", "placeholder": "data", "mode": "INOUT", "direction": "IN", "dataset": data.pk,
         "dataset_name": data.name, "version": 0},
        {"path": "", "placeholder": "data", "mode": "INOUT", "direction": "OUT", "dataset": data.pk,
         "dataset_name": data.name, "version": 1, "output_method": "INOUT"}]
    assert run.parameters == [{"path": "", "name": "counter", "mode": "INOUT", "sql_type": "integer",
                               "input_value": "41", "output_value": "46"}]
    assert "data_iov" in run.steps.get().user_script
    assert status_of(target) == ("UpToDate", [])  # the runner and status agree on what an INOUT run did
    no_leftovers()


def test_a_failed_inout_run_leaves_the_dataset_as_it_was(bump: dict[str, Any], worker: Any) -> None:
    data = bump["data"]
    before = physical_rows(data.pk)
    target = module("Bump and fail", bump["version"], datasets={"data": {"dataset": data.pk, "version": 0}},
                    parameters={"counter": "not a number"}, **bump["kw"])
    run = run_and_wait(target, bump["owner"])
    assert run.result == "FAILED"
    assert list(data.versions.values_list("number", flat=True)) == [0]
    assert physical_rows(data.pk) == before

    crash = simple("bump then fail", "DELETE FROM ${data} WHERE k = 1;\nUPDATE ${data} SET v = 0;\nSELECT 1/0;",
                   [ds("data", "INOUT", numbers_type(bump["owner"]))], **bump["kw"])
    run = run_and_wait(module("Crash", crash, datasets={"data": {"dataset": data.pk, "version": 0}}, **bump["kw"]),
                       bump["owner"])
    assert run.result == "FAILED"
    assert run.error is not None and run.error["line"] == 3
    assert physical_rows(data.pk) == before  # no rows of the dead version, no deletion marks
    no_leftovers()


def test_inout_needs_a_final_base_and_null_means_the_latest_final_version(bump: dict[str, Any], worker: Any) -> None:
    data = bump["data"]
    draft = version_create(dataset=data, base_number=0, user=bump["owner"])  # version 1, not final
    draft_binding = {"data": {"dataset": data.pk, "version": 1}}
    with pytest.raises(ServiceError) as refused_binding:
        module("Bump a draft", bump["version"], datasets=draft_binding, parameters={"counter": "0"}, **bump["kw"])
    assert refused_binding.value.code == "invalid_bindings"
    assert "version 1 of 'Bumped numbers' is not final" in refused_binding.value.message
    assert not Module.objects.filter(name="Bump a draft").exists()

    # The runner refuses too, should such a binding reach it some other way.
    around = module("Bump a draft", bump["version"], datasets={"data": {"dataset": data.pk, "version": 0}},
                    parameters={"counter": "0"}, **bump["kw"])
    Module.objects.filter(pk=around.pk).update(dataset_bindings=draft_binding)
    refused = run_and_wait(around, bump["owner"])
    assert refused.result == "FAILED"
    assert refused.error is not None and refused.error["code"] == "inout_base_not_final"
    assert list(data.versions.values_list("number", flat=True)) == [0, draft.number]

    latest_module = module("Bump the latest", bump["version"], datasets={"data": {"dataset": data.pk, "version": None}},
                           parameters={"counter": "0"}, **bump["kw"])
    latest = run_and_wait(latest_module, bump["owner"])
    assert latest.result == "SUCCESS", latest.error
    assert latest.datasets[0]["version"] == 0  # the latest *final* version, recorded as read
    written = DatasetVersion.objects.get(dataset=data, number=2)
    assert written.path == [0, 2]
    assert status_of(latest_module) == ("UpToDate", [])
    version_finalize(version=written)  # its own result, now the latest final version: still UpToDate
    assert status_of(latest_module) == ("UpToDate", [])
    version_finalize(version=draft)  # a final version newer than the one read, not written by the run
    assert status_of(latest_module) == ("OutOfDate", ["input_modified"])
    no_leftovers()


def test_a_composite_updates_its_inout_dataset_through_a_submodule(bump: dict[str, Any], worker: Any) -> None:
    owner, kw = bump["owner"], bump["kw"]
    num = numbers_type(owner)
    count = simple("count", "SELECT count(*) INTO #{n} FROM ${src};", [ds("src", "IN", num)],
                   [param("n", "OUT", "integer")], **kw)
    net = composite("Bump inside", [(1, "bump", bump["version"]), (2, "count", count)], [
        wire("dataset", (None, "data"), (1, "data")), wire("parameter", (None, "counter"), (1, "counter")),
        wire("dataset", (1, "data"), (2, "src")), wire("dataset", (1, "data"), (None, "data")),
        wire("parameter", (2, "n"), (None, "n"))],
        [ds("data", "INOUT", num)], [param("counter", "IN", "integer"), param("n", "OUT", "integer")], **kw)
    data = bump["data"]
    target = module("Bump inside", net, datasets={"data": {"dataset": data.pk, "version": 0}},
                    parameters={"counter": "1"}, **kw)
    run = run_and_wait(target, owner)
    assert run.result == "SUCCESS", run.error
    assert status_of(target) == ("UpToDate", [])
    assert rows_of(data.pk, [0, 1]) == [(1, 101.0), (2, 102.0), (3, 3.0), (4, 4.0), (6, 6.0)]
    assert rows_of(data.pk, [0]) == [(k, float(k)) for k in range(1, 6)]
    assert [p["output_value"] for p in run.parameters] == [None, "5"]  # count read bump's new version
    no_leftovers()


def test_inout_updates_rows_an_import_loaded_in_segments(bump: dict[str, Any], worker: Any, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bulk_load, "SEGMENT_MIN_BYTES", 0)  # this small file loads like a large one: two halves
    monkeypatch.setattr(bulk_load, "PARALLEL_MIN_BYTES", 0)
    owner = bump["owner"]
    data = dataset_create(name="Numbers in segments", dataset_type=numbers_type(owner), project=bump["kw"]["project"],
                          creator=owner)
    path = tmp_path / "numbers.csv"
    path.write_text("k,v\n" + "".join(f"{k},{float(k)}\n" for k in range(1, 6)))
    with path.open("rb") as stream:
        version_finalize(version=dataset_import(dataset=data, user=owner, stream=stream))
    with workspace() as conn:
        assert conn.execute("SELECT count(*) FROM pg_inherits WHERE inhparent = %s::regclass",
                            [qualified_text(data.pk)]).fetchone() == (2,)
    target = module("Bump segments", bump["version"], datasets={"data": {"dataset": data.pk, "version": 0}},
                    parameters={"counter": "0"}, **bump["kw"])
    run = run_and_wait(target, owner)
    assert run.result == "SUCCESS", run.error
    assert rows_of(data.pk, [0, 1]) == [(1, 101.0), (2, 102.0), (3, 3.0), (4, 4.0), (6, 6.0)]
    assert rows_of(data.pk, [0]) == [(k, float(k)) for k in range(1, 6)]
    no_leftovers()
