"""Version paths, the row viewer's keyset paging, sorting and filtering."""

from typing import Any

import pytest
from asgiref.sync import async_to_sync
from rest_framework.test import APIClient

from apps.datasets.models import Dataset
from tests.datasets.conftest import HEADER, upload

pytestmark = pytest.mark.django_db


def _rows(client: APIClient, dataset: Dataset, query: str = "") -> dict:  # type: ignore[type-arg]
    response = client.get(f"/api/datasets/{dataset.pk}/rows?{query}")
    assert response.status_code == 200, response.content
    return response.json()  # type: ignore[no-any-return]


def _fuels(client: APIClient, dataset: Dataset, version: int) -> list[str]:
    return [row[1] for row in _rows(client, dataset, f"version={version}&limit=1000")["rows"]]


def _line(fuel: str, year: int = 2020) -> str:
    return f"{fuel},NOx,{year},1.0,2020-01-01,c\n"


def test_versions_read_through_their_paths(clients: dict[str, APIClient], dataset: Dataset) -> None:
    modeler = clients["modeler"]
    upload(modeler, dataset, HEADER + _line("coal") + _line("gas") + _line("oil"))
    assert modeler.post(f"/api/datasets/{dataset.pk}/versions/0/finalize").status_code == 200
    created = modeler.post(f"/api/datasets/{dataset.pk}/versions", {"base": 0, "name": "edits"}, format="json")
    assert created.status_code == 201
    assert created.json()["path"] == [0, 1]
    assert created.json()["row_count"] == 3
    upload(modeler, dataset, HEADER + _line("wood"), version=1)
    gas_id = next(r[0] for r in _rows(modeler, dataset, "version=1")["rows"] if r[1] == "gas")
    deleted = modeler.post(f"/api/datasets/{dataset.pk}/versions/1/delete-rows", {"record_ids": [gas_id]},
                           format="json")
    assert deleted.json()["row_count"] == 3
    assert _fuels(modeler, dataset, 0) == ["coal", "gas", "oil"]
    assert _fuels(modeler, dataset, 1) == ["coal", "oil", "wood"]
    modeler.post(f"/api/datasets/{dataset.pk}/versions/1/finalize")
    modeler.post(f"/api/datasets/{dataset.pk}/versions", {"base": 1}, format="json")
    assert _fuels(modeler, dataset, 2) == ["coal", "oil", "wood"]
    replaced = upload(modeler, dataset, HEADER + _line("solar"))
    assert replaced.json()["path"] == [3]
    assert _fuels(modeler, dataset, 3) == ["solar"]
    assert _fuels(modeler, dataset, 0) == ["coal", "gas", "oil"]  # nothing is lost


def test_final_versions_are_immutable(clients: dict[str, APIClient], dataset: Dataset) -> None:
    modeler = clients["modeler"]
    upload(modeler, dataset, HEADER + _line("coal"))
    modeler.post(f"/api/datasets/{dataset.pk}/versions/0/finalize")
    again = modeler.post(f"/api/datasets/{dataset.pk}/versions/0/finalize")
    assert (again.status_code, again.json()["code"]) == (409, "version_final")
    into_final = upload(modeler, dataset, HEADER + _line("gas"), version=0)
    assert (into_final.status_code, into_final.json()["code"]) == (409, "version_final")
    delete = modeler.post(f"/api/datasets/{dataset.pk}/versions/0/delete-rows", {"record_ids": [1]}, format="json")
    assert delete.status_code == 409
    assert _fuels(modeler, dataset, 0) == ["coal"]


def test_finalizing_does_not_change_last_modified(clients: dict[str, APIClient], dataset: Dataset) -> None:
    upload(clients["modeler"], dataset, HEADER + _line("coal"))
    before = clients["modeler"].get(f"/api/datasets/{dataset.pk}/versions").json()[0]["last_modified"]
    after = clients["modeler"].post(f"/api/datasets/{dataset.pk}/versions/0/finalize").json()["last_modified"]
    assert before == after


def test_new_versions_only_from_a_final_base(clients: dict[str, APIClient], dataset: Dataset) -> None:
    upload(clients["modeler"], dataset, HEADER + _line("coal"))
    response = clients["modeler"].post(f"/api/datasets/{dataset.pk}/versions", {"base": 0}, format="json")
    assert (response.status_code, response.json()["code"]) == (409, "base_not_final")
    missing = clients["modeler"].post(f"/api/datasets/{dataset.pk}/versions", {"base": 9}, format="json")
    assert missing.status_code == 404


def test_keyset_paging_walks_every_row_once(clients: dict[str, APIClient], dataset: Dataset) -> None:
    body = HEADER + "".join(_line(f"f{i:03d}", 2000 + i % 7) for i in range(250))
    upload(clients["modeler"], dataset, body)
    seen, after = [], ""
    while True:
        page = _rows(clients["viewer"], dataset, f"limit=100{after}")
        seen += [r[1] for r in page["rows"]]
        if not page["next"]:
            break
        after = f"&after={page['next']}"
    assert seen == [f"f{i:03d}" for i in range(250)]


def test_sorting_by_a_column_with_nulls_pages_consistently(clients: dict[str, APIClient], dataset: Dataset) -> None:
    lines = [f"f{i},NOx,{'' if i % 5 == 0 else 2000 + i % 4},1,2020-01-01,c\n" for i in range(40)]
    upload(clients["modeler"], dataset, HEADER + "".join(lines))
    for order in ("asc", "desc"):
        seen, after = [], ""
        while True:
            page = _rows(clients["viewer"], dataset, f"limit=7&sort=year&order={order}{after}")
            seen += [(r[3], r[0]) for r in page["rows"]]
            if not page["next"]:
                break
            after = f"&after={page['next']}"
        non_null = [s for s in seen if s[0] is not None]
        assert len(seen) == 40
        assert non_null == sorted(non_null, reverse=order == "desc")
        assert all(s[0] is None for s in seen[len(non_null):])  # NULLs last either way


def test_filters(clients: dict[str, APIClient], dataset: Dataset) -> None:
    upload(clients["modeler"], dataset, HEADER + _line("coal", 2019) + _line("gas", 2021) + _line("charcoal", 2022))
    assert [r[1] for r in _rows(clients["viewer"], dataset, "filter=year:ge:2021")["rows"]] == ["gas", "charcoal"]
    assert [r[1] for r in _rows(clients["viewer"], dataset, "filter=fuel_type:contains:COAL")["rows"]] == \
        ["coal", "charcoal"]
    both = _rows(clients["viewer"], dataset, "filter=fuel_type:contains:coal&filter=year:lt:2020")["rows"]
    assert [r[1] for r in both] == ["coal"]


@pytest.mark.parametrize(
    ("query", "message_part"),
    [
        ("filter=nope:eq:1", "no column 'nope'"),
        ("filter=year:eq:abc", "does not fit its column"),
        ("filter=year:like:1", "Unknown filter operator"),
        ("filter=year", "column:op:value"),
        ("sort=nope", "no column 'nope'"),
        ("after=garbage!!", "cursor"),
    ],
)
def test_bad_viewer_queries_are_400(clients: dict[str, APIClient], dataset: Dataset, query: str,
                                    message_part: str) -> None:
    upload(clients["modeler"], dataset, HEADER + _line("coal"))
    response = clients["viewer"].get(f"/api/datasets/{dataset.pk}/rows?{query}")
    assert response.status_code == 400
    assert message_part in response.json()["message"]


def test_viewer_limits_and_unknown_params(clients: dict[str, APIClient], dataset: Dataset) -> None:
    upload(clients["modeler"], dataset, HEADER + _line("coal"))
    assert clients["viewer"].get(f"/api/datasets/{dataset.pk}/rows?limit=5000").status_code == 400
    assert clients["viewer"].get(f"/api/datasets/{dataset.pk}/rows?colour=red").status_code == 400
    assert clients["viewer"].get(f"/api/datasets/{dataset.pk}/rows?version=4").status_code == 404


def test_rows_deleted_from_a_one_version_path_are_gone_everywhere(clients: dict[str, APIClient],
                                                                   dataset: Dataset) -> None:
    modeler = clients["modeler"]
    upload(modeler, dataset, HEADER + _line("coal") + _line("gas") + _line("oil"))
    gas_id = next(r[0] for r in _rows(modeler, dataset, "version=0")["rows"] if r[1] == "gas")
    deleted = modeler.post(f"/api/datasets/{dataset.pk}/versions/0/delete-rows", {"record_ids": [gas_id]},
                           format="json")
    assert deleted.json()["row_count"] == 2
    assert _fuels(modeler, dataset, 0) == ["coal", "oil"]
    response = modeler.get(f"/api/datasets/{dataset.pk}/export?version=0")
    exported = async_to_sync(_body)(response.streaming_content)  # type: ignore[attr-defined]
    assert b"gas" not in exported and exported.count(b"\n") == 3


async def _body(pieces: Any) -> bytes:
    return b"".join([piece async for piece in pieces])
