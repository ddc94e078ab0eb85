"""Large imports load into segments (apps.engine.bulk_load): two halves at once on two connections,
attached to the dataset table. The size thresholds are lowered here so that small files take that path."""

import csv
import io
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from rest_framework.test import APIClient

from apps.datasets.models import Dataset, DatasetVersion
from apps.datasets.tasks import analyze_dataset_task
from apps.datasets.workspace import workspace
from apps.engine import bulk_load, storage
from tests.datasets.conftest import HEADER, upload

pytestmark = pytest.mark.django_db

ROWS = "".join(f'coal,"NOx, {n}",{2000 + n},1.5,2020-01-01,"line {n}\nsecond ""half"""\n' for n in range(1, 41))


@pytest.fixture(autouse=True)
def segmented(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bulk_load, "SEGMENT_MIN_BYTES", 0)
    monkeypatch.setattr(bulk_load, "PARALLEL_MIN_BYTES", 0)


def _segments(dataset: Dataset, *, attached: bool | None = None) -> list[str]:
    with workspace() as conn:
        return [r[0] for r in conn.execute(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = %s AND c.relkind = 'r' AND c.relname LIKE %s AND (%s::boolean IS NULL OR "
            "EXISTS (SELECT FROM pg_inherits i WHERE i.inhrelid = c.oid) = %s::boolean) ORDER BY 1",
            [storage.SCHEMA, f"ds_{dataset.pk}_s%", attached, attached]).fetchall()]


def _export(client: APIClient, dataset: Dataset, version: int) -> list[list[str]]:
    response = client.get(f"/api/datasets/{dataset.pk}/export?version={version}")
    assert response.status_code == 200
    body = async_to_sync(_collect)(response).decode()
    return list(csv.reader(io.StringIO(body)))


async def _collect(response: Any) -> bytes:
    return b"".join([chunk async for chunk in response])


def test_a_large_import_loads_two_halves_and_reads_back_whole(clients: dict[str, APIClient], dataset: Dataset) -> None:
    response = upload(clients["modeler"], dataset, HEADER + ROWS, as_body=True)
    assert response.status_code == 201, response.content
    assert response.json()["row_count"] == 40
    assert len(_segments(dataset, attached=True)) == 2
    assert _export(clients["viewer"], dataset, 0) == list(csv.reader(io.StringIO(HEADER + ROWS)))
    page = clients["viewer"].get(f"/api/datasets/{dataset.pk}/rows?version=0&limit=1000").json()
    ids = [r[0] for r in page["rows"]]
    assert ids == sorted(ids) and len(set(ids)) == 40  # one sequence for the table and its segments


def test_later_imports_and_row_edits_see_every_segment(clients: dict[str, APIClient], dataset: Dataset) -> None:
    modeler = clients["modeler"]
    upload(modeler, dataset, HEADER + ROWS, as_body=True)
    assert modeler.post(f"/api/datasets/{dataset.pk}/versions/0/finalize").status_code == 200
    assert modeler.post(f"/api/datasets/{dataset.pk}/versions", {"base": 0}, format="json").status_code == 201
    more = upload(modeler, dataset, HEADER + "gas,NOx,2030,2,2030-01-01,added\n" * 6, as_body=True, version=1)
    assert more.status_code == 201 and more.json()["row_count"] == 46
    first_id = clients["viewer"].get(f"/api/datasets/{dataset.pk}/rows?version=1&limit=1").json()["rows"][0][0]
    deleted = modeler.post(f"/api/datasets/{dataset.pk}/versions/1/delete-rows", {"record_ids": [first_id]},
                           format="json")
    assert deleted.status_code == 200 and deleted.json()["row_count"] == 45
    assert len(_export(clients["viewer"], dataset, 0)) == 41  # the base version keeps every row
    assert len(_export(clients["viewer"], dataset, 1)) == 46
    assert len(_segments(dataset, attached=True)) == 4


@pytest.mark.parametrize("bad_row", [3, 38], ids=["first_half", "second_half"])
def test_a_bad_value_in_either_half_is_reported_and_leaves_nothing(
    clients: dict[str, APIClient], dataset: Dataset, bad_row: int
) -> None:
    lines = [f"coal,NOx,{2000 + n},1.5,2020-01-01,row {n}\n" for n in range(1, 41)]
    lines[bad_row - 1] = f"coal,NOx,not-a-year,1.5,2020-01-01,row {bad_row}\n"
    response = upload(clients["modeler"], dataset, HEADER + "".join(lines), as_body=True)
    assert response.status_code == 400, response.content
    assert [(p["row"], p["column"]) for p in response.json()["details"]["errors"]] == [(bad_row, "year")]
    assert not DatasetVersion.objects.filter(dataset=dataset).exists()
    assert _segments(dataset) == []


def test_purge_drops_the_segments_too(clients: dict[str, APIClient], dataset: Dataset) -> None:
    upload(clients["modeler"], dataset, HEADER + ROWS, as_body=True)
    assert clients["modeler"].delete(f"/api/datasets/{dataset.pk}").status_code == 204
    assert clients["admin"].post(f"/api/datasets/{dataset.pk}/purge").status_code == 204
    assert _segments(dataset) == []


def test_segments_no_load_attached_are_dropped_once_old(dataset: Dataset) -> None:
    with workspace() as conn:
        for name in (f"ds_{dataset.pk}_s1000_abc", f"ds_{dataset.pk}_s9999999999_abc"):  # long ago; to come
            conn.execute(f"CREATE TABLE {storage.SCHEMA}.{name} (LIKE {storage.qualified_text(dataset.pk)})")
    with workspace() as conn:
        assert bulk_load.drop_orphan_segments(conn) == [f"ds_{dataset.pk}_s1000_abc"]
    assert _segments(dataset) == [f"ds_{dataset.pk}_s9999999999_abc"]


def test_record_ids_follow_the_file_order_across_both_halves(clients: dict[str, APIClient], dataset: Dataset) -> None:
    body = HEADER + "".join(f"coal,NOx,{n},1.5,2020-01-01,row {n}\n" for n in range(1, 5001))  # > a session's id cache
    assert upload(clients["modeler"], dataset, body, as_body=True).status_code == 201
    exported = _export(clients["viewer"], dataset, 0)
    assert [int(r[2]) for r in exported[1:]] == list(range(1, 5001))
    upload(clients["modeler"], dataset, HEADER + "gas,NOx,1,1,2020-01-01,small\n", version=0)  # straight in
    rows = clients["viewer"].get(f"/api/datasets/{dataset.pk}/rows?version=0&limit=1000&order=desc").json()["rows"]
    assert rows[0][1] == "gas"  # a later row's id comes after the reserved block


def test_statistics_cover_each_segment(clients: dict[str, APIClient], dataset: Dataset) -> None:
    upload(clients["modeler"], dataset, HEADER + ROWS, as_body=True)
    analyze_dataset_task(dataset.pk)
    with workspace() as conn:
        analyzed = {r[0] for r in conn.execute("SELECT DISTINCT tablename FROM pg_stats WHERE schemaname = %s",
                                               [storage.SCHEMA]).fetchall()}
    assert set(_segments(dataset)) <= analyzed


def test_progress_counts_the_bytes_of_both_halves(dataset: Dataset, tmp_path: Any) -> None:
    path = tmp_path / "big.csv"
    path.write_text(HEADER + ROWS * 600)  # 24,000 rows, 1.5 MB: several read chunks per half
    seen: list[int] = []
    with workspace() as conn, path.open("rb") as stream:
        added = bulk_load.load_csv(conn, dataset.pk, dataset.dataset_type.column_specs, 0, stream,
                                   on_progress=seen.append, open_connection=workspace)
    assert added == 24_000
    assert len(seen) > 4 and seen == sorted(seen) and seen[-1] == path.stat().st_size
