"""Parameter values are checked against their SQL type (issue 14): `abc` for a double precision
parameter is refused when the module is saved (a 400 naming the parameter, nothing written) and
reported by Validate, before any run can fail on it."""

from typing import Any

import pytest
from rest_framework.test import APIClient

from apps.accounts.models import Project, User
from apps.modules.models import Module
from apps.modules.parameter_values import parameter_value_problems
from tests.modules.status_helpers import seed_demo

pytestmark = pytest.mark.django_db


@pytest.fixture
def module(project: Project, users: dict[str, User]) -> Module:
    return seed_demo(project, users["modeler"])


def _patch(client: APIClient, module: Module, data: dict[str, Any]) -> Any:
    return client.patch(f"/api/modules/{module.pk}", data, format="json")


def test_a_value_that_is_not_of_the_parameters_type_is_refused_on_save(clients: dict[str, APIClient],
                                                                       module: Module) -> None:
    before = (module.revision, module.parameter_bindings)
    response = _patch(clients["modeler"], module, {"parameter_bindings": {"increase_factor": "abc"}})
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == "invalid_parameter_value"
    assert "increase_factor" in body["message"] and "double precision" in body["message"]
    assert set(body["details"]["parameters"]) == {"increase_factor"}
    module.refresh_from_db()
    assert (module.revision, module.parameter_bindings) == before


@pytest.mark.parametrize("value", ["1.15", " 2 ", "-3e2", "NaN", "Infinity"])
def test_values_postgresql_reads_as_the_type_are_saved(clients: dict[str, APIClient], module: Module,
                                                       value: str) -> None:
    response = _patch(clients["modeler"], module, {"parameter_bindings": {"increase_factor": value}})
    assert response.status_code == 200, response.content
    assert response.json()["parameter_bindings"] == {"increase_factor": value}


def test_an_unset_value_is_not_checked(clients: dict[str, APIClient], module: Module) -> None:
    response = _patch(clients["modeler"], module, {"parameter_bindings": {"increase_factor": None}})
    assert response.status_code == 200, response.content


def test_create_checks_the_values_too(clients: dict[str, APIClient], module: Module) -> None:
    response = clients["modeler"].post("/api/modules/", {
        "name": "bad factor", "type_version": module.type_version_id, "project": module.project_id,
        "dataset_bindings": module.dataset_bindings, "parameter_bindings": {"increase_factor": "1,5"}}, format="json")
    assert response.status_code == 400, response.content
    assert response.json()["details"] == {"parameters": {"increase_factor": "'1,5' is not a valid double precision value."}}
    assert not Module.objects.filter(name="bad factor").exists()


def test_validate_names_a_saved_value_of_the_wrong_type(clients: dict[str, APIClient], module: Module) -> None:
    # Saved before values were checked (or by a script): Validate must still say it.
    Module.objects.filter(pk=module.pk).update(parameter_bindings={"increase_factor": "abc"})
    body = clients["modeler"].post(f"/api/modules/{module.pk}/validate").json()
    assert body["valid"] is False
    assert [(e["code"], e["slot"]) for e in body["errors"]] == [("invalid_parameter_value", "increase_factor")]
    assert "'abc' is not a valid double precision value" in body["errors"][0]["message"]


@pytest.mark.parametrize(("sql_type", "good", "bad"), [
    ("integer", ["42", " -7 ", "+3"], ["1.5", "99999999999", "", "abc"]),
    ("bigint", ["99999999999"], ["1e3", "9999999999999999999999"]),
    ("double precision", ["1.15", "1e-3", "-Infinity"], ["abc", "1,5", ""]),
    ("numeric", ["12.50", "NaN"], ["12,5", "1.2.3"]),
    ("boolean", ["true", "yes", "0", " off "], ["maybe", "2"]),
    ("date", ["2024-02-29", "today"], ["2023-02-29", "31/31/2020"]),
    ("timestamp", ["2024-02-29 10:15:00", "2024-02-29T10:15"], ["2024-02-29 25:00", "noon"]),
    ("text", ["", "anything ' \\ at all"], []),
    ("varchar", ["x"], ["nul \x00 char"]),
])
def test_each_sql_type_accepts_what_postgresql_accepts(sql_type: str, good: list[str], bad: list[str]) -> None:
    slots = [{"name": f"p{i}", "sql_type": sql_type, "mode": "IN"} for i in range(len(good) + len(bad))]
    values = {f"p{i}": value for i, value in enumerate([*good, *bad])}
    problems = parameter_value_problems(slots=slots, values=values)
    assert sorted(problems) == [f"p{i}" for i in range(len(good), len(good) + len(bad))], problems
