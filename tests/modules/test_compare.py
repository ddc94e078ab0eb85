"""Comparing two modules: EMF's keys, with MATCH / DIFFERENT / FIRST ONLY / SECOND ONLY."""

from typing import Any

import pytest
from rest_framework.test import APIClient

from apps.accounts.models import Project, User
from apps.datasets.models import Dataset
from apps.modules.models import Module
from apps.modules.services import module_create
from apps.moduletypes.services import module_type_create
from tests.conftest import DENIAL
from tests.modules.status_helpers import (
    INPUT,
    OUTPUT,
    module_reading,
    new_dataset,
    record_run,
    seed_demo,
    source,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def pair(project: Project, users: dict[str, User]) -> tuple[Module, Module]:
    first = seed_demo(project, users["modeler"])
    record_run(first)
    other = new_dataset("Other factors", users["modeler"], project)
    second = module_reading("Second", other, users["modeler"], project, version=None)
    Module.objects.filter(pk=second.pk).update(description=first.description, tags=["x"])
    return first, Module.objects.get(pk=second.pk)


def _compare(client: APIClient, first: Any, second: Any) -> Any:
    return client.get(f"/api/modules/compare?first={first}&second={second}")


def _rows(body: dict[str, Any]) -> dict[tuple[str, str], tuple[Any, Any, str]]:
    return {(r["section"], r["key"]): (r["first"], r["second"], r["result"]) for r in body["rows"]}


def test_rows_per_emf_attribute(clients: dict[str, APIClient], pair: tuple[Module, Module]) -> None:
    first, second = pair
    response = _compare(clients["viewer"], first.pk, second.pk)
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["first"], body["second"]) == ({"id": first.pk, "name": first.name},
                                               {"id": second.pk, "name": second.name})
    rows = _rows(body)
    assert rows[("summary", "Module Type")] == ("Scale Emission Factors", "Scale Emission Factors", "MATCH")
    assert rows[("summary", "Description")][2] == "MATCH"
    assert rows[("summary", "Tags")] == ("", "x", "DIFFERENT")
    assert rows[("summary", "Status")] == ("UpToDate", "OutOfDate", "DIFFERENT")
    assert rows[("summary", "Final")] == ("No", "No", "MATCH")
    assert rows[("datasets", f"{INPUT} / Dataset Name")] == ("Emission Factors 2016", "Other factors", "DIFFERENT")
    assert rows[("datasets", f"{INPUT} / Version")] == ("0", "latest", "DIFFERENT")
    assert rows[("datasets", f"{INPUT} / Dataset Type")] == ("Emission Factors", "Emission Factors", "MATCH")
    assert rows[("datasets", f"{OUTPUT} / Output Method")] == ("NEW", "NEW", "MATCH")
    assert rows[("datasets", f"{OUTPUT} / Name Pattern")][2] == "DIFFERENT"
    # the first module ran: its last output exists; the second never ran
    assert rows[("datasets", f"{OUTPUT} / Last Output Version")] == ("0", None, "FIRST ONLY")
    assert rows[("datasets", f"{OUTPUT} / Dataset Name")][2] == "FIRST ONLY"
    assert rows[("parameters", "increase_factor / Input Value")] == ("1.15", "2", "DIFFERENT")
    assert rows[("parameters", "increase_factor / SQL Type")] == ("double precision", "double precision", "MATCH")
    sections = [r["section"] for r in body["rows"]]
    assert sections == sorted(sections, key=["summary", "datasets", "parameters"].index)
    assert {r["result"] for r in body["rows"]} <= {"MATCH", "DIFFERENT", "FIRST ONLY", "SECOND ONLY"}


def test_swapping_swaps_first_only_and_second_only(clients: dict[str, APIClient], pair: tuple[Module, Module]) -> None:
    first, second = pair
    forward = _rows(_compare(clients["viewer"], first.pk, second.pk).json())
    backward = _rows(_compare(clients["viewer"], second.pk, first.pk).json())
    assert forward.keys() == backward.keys()
    flip = {"FIRST ONLY": "SECOND ONLY", "SECOND ONLY": "FIRST ONLY", "MATCH": "MATCH", "DIFFERENT": "DIFFERENT"}
    for key, (a, b, result) in forward.items():
        assert backward[key] == (b, a, flip[result])


def test_a_module_compared_with_itself_matches_everywhere(clients: dict[str, APIClient],
                                                          pair: tuple[Module, Module]) -> None:
    rows = _compare(clients["viewer"], pair[0].pk, pair[0].pk).json()["rows"]
    assert rows and {r["result"] for r in rows} == {"MATCH"}


def test_placeholders_and_parameters_of_other_types_are_one_sided(clients: dict[str, APIClient],
                                                                  pair: tuple[Module, Module],
                                                                  users: dict[str, User], project: Project) -> None:
    first = pair[0]
    other_type = module_type_create(
        name="Counter", kind="simple", project=project, creator=users["modeler"],
        version={"algorithm": "SELECT 1;", "dataset_slots": [
            {"placeholder": "rows_in", "mode": "IN", "dataset_type": source().dataset_type_id, "is_optional": True}],
            "parameter_slots": [{"name": "limit", "sql_type": "integer", "mode": "IN", "is_optional": True}]})
    counter = module_create(name="Counter module", type_version=other_type.versions.get(), project=project,
                            creator=users["modeler"], parameter_bindings={"limit": "3"})
    rows = _rows(_compare(clients["viewer"], first.pk, counter.pk).json())
    assert rows[("datasets", f"{INPUT} / Mode")] == ("IN", None, "FIRST ONLY")
    assert rows[("datasets", "rows_in / Mode")] == (None, "IN", "SECOND ONLY")
    assert ("datasets", "rows_in / Dataset Name") not in rows  # unbound optional input
    assert rows[("parameters", "limit / Input Value")] == (None, "3", "SECOND ONLY")
    assert rows[("summary", "Module Type")] == ("Scale Emission Factors", "Counter", "DIFFERENT")


def test_output_values_and_internal_items_come_from_the_last_successful_run(
        clients: dict[str, APIClient], pair: tuple[Module, Module]) -> None:
    first, second = pair
    Module.objects.filter(pk=first.pk).update(keep_internal={"datasets": ["sub.out"], "parameters": ["sub.p"]})
    run = first.runs.order_by("-run_number").first()
    assert run is not None
    run.parameters = [{"path": "", "name": "increase_factor", "mode": "IN", "sql_type": "double precision",
                       "input_value": "1.15", "output_value": None},
                      {"path": "sub", "name": "p", "mode": "OUT", "sql_type": "integer", "input_value": None,
                       "output_value": "42"}]
    run.datasets = [*run.datasets, {"path": "sub", "placeholder": "out", "direction": "OUT",
                                    "dataset": source().pk, "dataset_name": "x", "version": 0}]
    run.save()
    rows = _rows(_compare(clients["viewer"], first.pk, second.pk).json())
    assert rows[("internal datasets", "sub.out / Kept")] == ("Yes", None, "FIRST ONLY")
    assert rows[("internal datasets", "sub.out / Dataset Name")] == ("Emission Factors 2016", None, "FIRST ONLY")
    assert rows[("internal parameters", "sub.p / Output Value")] == ("42", None, "FIRST ONLY")


def test_a_removed_dataset_shows_as_not_existing(clients: dict[str, APIClient], pair: tuple[Module, Module]) -> None:
    first, second = pair
    Dataset.objects.filter(name="Other factors").update(removed_at="2020-01-01T00:00:00Z")
    rows = _rows(_compare(clients["viewer"], first.pk, second.pk).json())
    assert rows[("datasets", f"{INPUT} / Exists")] == ("Yes", "No", "DIFFERENT")


@pytest.mark.parametrize("query", ["", "?first=1", "?second=1", "?first=a&second=1", "?first=1&second=-2",
                                   "?first=1&second=2&third=3", "?first=1.5&second=2"])
def test_bad_ids_are_400(clients: dict[str, APIClient], pair: tuple[Module, Module], query: str) -> None:
    response = clients["viewer"].get(f"/api/modules/compare{query}")
    assert (response.status_code, response.json()["code"]) == (400, "invalid")


def test_invisible_or_missing_modules_are_404(clients: dict[str, APIClient], pair: tuple[Module, Module]) -> None:
    first, second = pair
    assert _compare(clients["stranger"], first.pk, second.pk).status_code == DENIAL["stranger"]
    assert _compare(clients["viewer"], first.pk, 999999).status_code == 404
    assert _compare(clients["anonymous"], first.pk, second.pk).status_code == DENIAL["anonymous"]
    assert clients["viewer"].post(f"/api/modules/compare?first={first.pk}&second={second.pk}").status_code == 405
