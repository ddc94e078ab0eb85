"""CSV import and export through the API, against the real workspace database."""

import csv
import io
import threading
import time
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from rest_framework.test import APIClient

from apps.datasets.models import Dataset, DatasetVersion
from apps.datasets.tasks import analyze_dataset_task
from apps.datasets.workspace import workspace
from apps.engine import bulk_load, storage
from project.celery import app as celery_app
from tests.datasets.conftest import HEADER, upload

pytestmark = pytest.mark.django_db

TRICKY = (
    HEADER
    + 'coal,NOx,2020,1.5,2020-01-31,"plain"\n'
    + 'gas,"SO2, total",2021,0.25,2021-12-01,"He said ""hi"""\n'
    + 'oil,CO,,1e-09,,"two\nlines"\n'
    + 'wood,PM2.5,2022,-3,2022-02-28,""\n'
    + '"bois ü ñ 漢字",CO2,2023,12345.678,2023-06-30,\n'
)


def _export(client: APIClient, dataset: Dataset, version: int | None = None) -> str:
    url = f"/api/datasets/{dataset.pk}/export" + (f"?version={version}" if version is not None else "")
    response = client.get(url)
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/csv")
    return async_to_sync(_collect)(response).decode()


async def _collect(response: object) -> bytes:
    return b"".join([chunk async for chunk in response])  # type: ignore[attr-defined]


@pytest.mark.parametrize("as_body", [False, True], ids=["multipart", "csv_body"])
def test_import_then_export_round_trips_values(clients: dict[str, APIClient], dataset: Dataset,
                                               as_body: bool) -> None:
    response = upload(clients["modeler"], dataset, TRICKY, as_body=as_body)
    assert response.status_code == 201, response.content
    assert response.json()["number"] == 0
    assert response.json()["row_count"] == 5
    exported = _export(clients["viewer"], dataset)
    assert _values(exported) == _values(TRICKY)


def _values(text: str) -> list[list[str]]:
    """Every value as text; quoting may differ (PostgreSQL quotes only when needed)."""
    return list(csv.reader(io.StringIO(text)))


def test_nulls_and_empty_strings_stay_distinct(clients: dict[str, APIClient], dataset: Dataset) -> None:
    upload(clients["modeler"], dataset, TRICKY)
    rows = clients["viewer"].get(f"/api/datasets/{dataset.pk}/rows").json()["rows"]
    assert rows[2][3] is None          # year left empty -> NULL
    assert rows[3][6] == ""            # "" -> empty string
    assert rows[4][6] is None          # nothing after the last comma -> NULL
    assert rows[1][6] == 'He said "hi"'
    assert rows[2][6] == "two\nlines"


@pytest.mark.parametrize("as_body", [False, True], ids=["multipart", "csv_body"])
@pytest.mark.parametrize(
    ("body", "row", "column", "reason_part"),
    [
        (HEADER + "coal,NOx,abc,1.5,2020-01-01,x\n", 1, "year", "invalid input syntax for type integer"),
        (HEADER + "coal,NOx,2020,1.5,2020-01-01,x\ncoal,NOx,2020,lots,2020-01-01,x\n", 2, "emission_factor",
         "invalid input syntax for type double precision"),
        (HEADER + "coal,NOx,2020,1.5,2020-02-30,x\n", 1, "measured_on", "out of range"),
        (HEADER + "coal,NOx,2020,1.5,2020-01-01,x,extra\n", 1, None, "extra data after last expected column"),
        (HEADER + "coal,NOx,2020\n", 1, None, "missing data for column \"emission_factor\""),
    ],
)
def test_bad_values_are_refused_with_row_column_and_reason(
    clients: dict[str, APIClient], dataset: Dataset, body: str, row: int, column: str | None, reason_part: str,
    as_body: bool,
) -> None:
    response = upload(clients["modeler"], dataset, body, as_body=as_body)
    assert response.status_code == 400, response.content
    error = response.json()
    assert error["code"] == "bad_csv"
    first = error["details"]["errors"][0]
    assert first["row"] == row
    assert first["column"] == column
    assert reason_part in first["reason"]
    assert "nothing was imported" in error["message"]
    assert not DatasetVersion.objects.filter(dataset=dataset).exists()


@pytest.mark.parametrize("as_body", [False, True], ids=["multipart", "csv_body"])
@pytest.mark.parametrize(
    ("body", "reason_part"),
    [
        (b"", "The file is empty"),
        (b"fuel,pollutant\ncoal,NOx\n", "missing column(s) fuel_type"),
        (HEADER.replace("year,", "").encode(), "missing column(s) year"),
        (b"\xff\xfe" + HEADER.encode("utf-16-le"), "not UTF-8"),
        (HEADER.encode() + "coal,NOx,2020,1.5,2020-01-01,caf\xe9\n".encode("latin-1"), "invalid byte sequence"),
    ],
)
def test_bad_files_are_refused_and_leave_no_version(
    clients: dict[str, APIClient], dataset: Dataset, body: bytes, reason_part: str, as_body: bool
) -> None:
    response = upload(clients["modeler"], dataset, body, as_body=as_body)
    assert response.status_code == 400, response.content
    assert reason_part in response.json()["details"]["errors"][0]["reason"]
    assert not DatasetVersion.objects.filter(dataset=dataset).exists()


def test_a_failed_import_into_an_existing_version_leaves_it_unchanged(
    clients: dict[str, APIClient], dataset: Dataset
) -> None:
    upload(clients["modeler"], dataset, HEADER + "coal,NOx,2020,1.5,2020-01-01,x\n")
    response = upload(clients["modeler"], dataset, HEADER + "gas,NOx,2020,1.5,2020-01-01,y\ngas,NOx,bad,1,,\n",
                      version=0)
    assert response.status_code == 400
    rows = clients["viewer"].get(f"/api/datasets/{dataset.pk}/rows?version=0").json()["rows"]
    assert [r[1] for r in rows] == ["coal"]


def test_a_csv_body_takes_its_options_from_the_query_string(clients: dict[str, APIClient],
                                                            dataset: Dataset) -> None:
    first = upload(clients["modeler"], dataset, HEADER + "coal,NOx,2020,1.5,2020-01-01,x\n", as_body=True,
                   version_name="From the body")
    assert first.status_code == 201, first.content
    assert first.json()["name"] == "From the body"
    more = upload(clients["modeler"], dataset, HEADER + "gas,NOx,2021,2,2021-01-01,y\n", as_body=True, version=0)
    assert more.status_code == 201 and more.json()["row_count"] == 2


@pytest.mark.parametrize(("query", "field"), [({"mode": "merge"}, "mode"), ({"colour": "red"}, "colour"),
                                              ({"version": "-1"}, "version")])
def test_a_csv_body_with_bad_options_is_refused_before_reading_it(
    clients: dict[str, APIClient], dataset: Dataset, query: dict[str, str], field: str
) -> None:
    response = upload(clients["modeler"], dataset, HEADER + "coal,NOx,2020,1.5,2020-01-01,x\n", as_body=True, **query)
    assert response.status_code == 400
    assert field in response.json()["details"]
    assert not DatasetVersion.objects.filter(dataset=dataset).exists()


def test_import_needs_a_file(clients: dict[str, APIClient], dataset: Dataset) -> None:
    response = clients["modeler"].post(f"/api/datasets/{dataset.pk}/import", {}, format="multipart")
    assert response.status_code == 400
    assert "file" in response.json()["details"]


def test_export_holds_what_the_row_viewer_shows(clients: dict[str, APIClient], dataset: Dataset) -> None:
    """Issue 14 #13: the row viewer's filters and sort go into the export request; it exports all the
    matching rows in that order (not the whole version in record order)."""
    assert upload(clients["modeler"], dataset, TRICKY).status_code == 201
    url = f"/api/datasets/{dataset.pk}/export?version=0"
    response = clients["viewer"].get(url + "&filter=year:ge:2021&filter=pollutant:contains:o&sort=year&order=desc")
    assert response.status_code == 200, response.content
    rows = _values(async_to_sync(_collect)(response).decode())
    assert [r[0] for r in rows] == ["fuel_type", "bois ü ñ 漢字", "gas"]  # CO2 2023, "SO2, total" 2021
    # A quote in a value stays a value.
    response = clients["viewer"].get(url + "&filter=fuel_type:eq:x'); DROP TABLE x; --")
    assert response.status_code == 200
    assert _values(async_to_sync(_collect)(response).decode())[1:] == []
    # Bad input is a 400 before anything streams.
    for bad in ("&filter=year:ge:abc", "&sort=nope", "&order=up", "&filter=year", "&filter=year:near:1", "&limit=5"):
        response = clients["viewer"].get(url + bad)
        assert response.status_code == 400, (bad, response.status_code)
        assert response.json()["code"] in ("bad_query", "invalid"), response.json()


def test_export_of_unknown_version_is_404(clients: dict[str, APIClient], dataset: Dataset) -> None:
    assert clients["viewer"].get(f"/api/datasets/{dataset.pk}/export?version=7").status_code == 404
    assert clients["viewer"].get(f"/api/datasets/{dataset.pk}/export?version=x").status_code == 400


def _good(n: int) -> str:
    return f"coal,NOx,{2000 + n},1.5,2020-01-01,row {n}\n"


@pytest.mark.parametrize("as_body", [False, True], ids=["multipart", "csv_body"])
def test_a_bad_csv_lists_its_first_problems_in_file_order(clients: dict[str, APIClient], dataset: Dataset,
                                                          as_body: bool) -> None:
    body = (HEADER + _good(1)
            + 'gas,NOx,2020,1.5,2020-01-01,"a value\nover two lines, with ""quotes"""\n'  # row 2: one record
            + "gas,NOx,abc,1.5,2020-01-01,x\n"                 # row 3: bad integer
            + _good(4)
            + "gas,NOx,2020,1.5,2020-01-01,x,extra\n"          # row 5: too many columns
            + 'gas,NOx,2020,1.5,2020-13-01,"x\ny"\n'            # row 6: bad date, two lines
            + _good(7))
    response = upload(clients["modeler"], dataset, body, as_body=as_body)
    assert response.status_code == 400, response.content
    error = response.json()
    problems = [(p["row"], p["column"]) for p in error["details"]["errors"]]
    assert problems == [(3, "year"), (5, None), (6, "measured_on")]
    assert "row 3, column year" in error["message"]
    assert "2 more problems listed" in error["message"]
    assert not DatasetVersion.objects.filter(dataset=dataset).exists()


def test_a_csv_bad_on_every_row_reports_the_first_twenty(clients: dict[str, APIClient], dataset: Dataset) -> None:
    body = HEADER + "".join(f"gas,NOx,year{n},1.5,2020-01-01,x\n" for n in range(1, 31))
    response = upload(clients["modeler"], dataset, body)
    assert response.status_code == 400
    rows = [p["row"] for p in response.json()["details"]["errors"]]
    assert rows == list(range(1, 21))
    assert not DatasetVersion.objects.filter(dataset=dataset).exists()


def test_bad_rows_after_the_first_are_found_across_read_chunks(clients: dict[str, APIClient],
                                                                dataset: Dataset) -> None:
    """Rows far apart (the file is several of COPY's read chunks long) keep their numbers."""
    lines = [_good(n) for n in range(1, 30_001)]
    for bad in (10, 12_345, 29_999):
        lines[bad - 1] = f"gas,NOx,2020,not-a-number,2020-01-01,row {bad}\n"
    response = upload(clients["modeler"], dataset, HEADER + "".join(lines))
    assert response.status_code == 400
    assert [(p["row"], p["column"]) for p in response.json()["details"]["errors"]] == [
        (10, "emission_factor"), (12_345, "emission_factor"), (29_999, "emission_factor")]


def _planner_facts(dataset: Dataset) -> tuple[float, int]:
    """(row estimate, columns with statistics) of the dataset's table."""
    with workspace() as conn:
        row = conn.execute("SELECT reltuples, (SELECT count(*) FROM pg_stats WHERE schemaname = %s AND tablename = %s) "
                           "FROM pg_class WHERE oid = %s::regclass",
                           [storage.SCHEMA, storage.table_name(dataset.pk), storage.qualified_text(dataset.pk)]).fetchone()
    assert row is not None
    return row[0], row[1]


def test_an_import_queues_fresh_planner_statistics_for_after_its_commit(
        clients: dict[str, APIClient], dataset: Dataset, django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks() as callbacks:
        upload(clients["modeler"], dataset, HEADER + "".join(_good(n) for n in range(1, 41)))
    assert _planner_facts(dataset)[1] == 0  # no statistics yet
    celery_app.conf.task_always_eager = True  # the worker's task, run here
    try:
        for callback in callbacks:
            callback()
    finally:
        celery_app.conf.task_always_eager = False
    assert _planner_facts(dataset) == (40, 6 + 3)  # every column, record_id and the version columns


def test_statistics_of_a_purged_dataset_are_skipped(dataset: Dataset) -> None:
    with workspace() as conn:
        storage.drop_table(conn, dataset.pk)
    analyze_dataset_task(dataset.pk)  # no error: nothing left to analyze


def test_export_streams_pieces_of_a_quarter_megabyte(clients: dict[str, APIClient], dataset: Dataset) -> None:
    body = HEADER + "".join(_good(n) for n in range(1, 20_001))
    assert upload(clients["modeler"], dataset, body).status_code == 201
    response = clients["viewer"].get(f"/api/datasets/{dataset.pk}/export")
    pieces = async_to_sync(_pieces)(response)
    assert len(pieces) > 2
    assert all(len(p) >= storage.EXPORT_CHUNK for p in pieces[:-1])
    assert _values(b"".join(pieces).decode()) == _values(body)


async def _pieces(response: object) -> list[bytes]:
    return [chunk async for chunk in response]  # type: ignore[attr-defined]


def test_an_export_abandoned_midway_leaves_the_workspace_usable(clients: dict[str, APIClient],
                                                                 dataset: Dataset) -> None:
    body = HEADER + "".join(_good(n) for n in range(1, 40_001))
    assert upload(clients["modeler"], dataset, body).status_code == 201

    async def read_one_piece_then_leave(pieces: Any) -> None:
        await anext(pieces)
        await pieces.aclose()

    for _ in range(10):  # more than the pool's connections: each must come back usable
        response = clients["viewer"].get(f"/api/datasets/{dataset.pk}/export")
        async_to_sync(read_one_piece_then_leave)(response.streaming_content)  # type: ignore[attr-defined]
    deadline = time.monotonic() + 5
    while any(t.name == "mb-export" for t in threading.enumerate()) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(t.name == "mb-export" for t in threading.enumerate())  # every COPY thread ended
    assert _values(_export(clients["viewer"], dataset)) == _values(body)


class _RollBack(Exception):
    pass


def test_import_progress_counts_every_byte_of_the_file(dataset: Dataset) -> None:
    body = ("\ufeff" + HEADER + "".join(_good(n) for n in range(1, 20_001))).encode()
    seen: list[int] = []
    with pytest.raises(_RollBack), workspace() as conn:
        bulk_load.load_csv(conn, dataset.pk, dataset.dataset_type.column_specs, 0, io.BytesIO(body),
                           on_progress=seen.append)
        raise _RollBack
    assert len(seen) > 2
    assert seen == sorted(seen)
    assert seen[-1] == len(body)


def test_rows_left_by_an_import_whose_app_commit_never_came_are_not_in_the_next_version(
        clients: dict[str, APIClient], dataset: Dataset) -> None:
    # What a crash between the workspace's commit and the app database's leaves: rows of version 0
    # in the table, and no version 0 in the app.
    with workspace() as conn:
        bulk_load.load_csv(conn, dataset.pk, dataset.dataset_type.column_specs, 0,
                           io.BytesIO((HEADER + _good(1) + _good(2)).encode()))
    response = upload(clients["modeler"], dataset, HEADER + _good(3))
    assert response.status_code == 201, response.content
    assert response.json()["number"] == 1 and response.json()["row_count"] == 1
    rows = clients["viewer"].get(f"/api/datasets/{dataset.pk}/rows?version=1").json()["rows"]
    assert [r[6] for r in rows] == ["row 3"]


def test_a_browser_session_sends_the_csv_as_the_body_with_its_csrf_token(users: dict[str, Any],
                                                                          dataset: Dataset) -> None:
    browser = APIClient(enforce_csrf_checks=True)
    browser.force_login(users["modeler"])
    token = browser.get("/api/me").cookies["csrftoken"].value
    url = f"/api/datasets/{dataset.pk}/import"
    body = (HEADER + _good(1)).encode()
    refused = browser.post(url, body, content_type="text/csv")
    assert (refused.status_code, refused.json()["code"]) == (403, "csrf_failed")
    response = browser.post(url, body, content_type="text/csv", HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 201, response.content
    assert response.json()["row_count"] == 1
