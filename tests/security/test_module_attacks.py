"""The same attacks, each as a real module run through the API and a real Celery worker."""

from typing import Any

import pytest
from rest_framework.test import APIClient

from apps.datasets.models import Dataset
from apps.datasets.workspace import workspace
from apps.engine import sandbox
from apps.engine.storage import qualified_text
from apps.moduletypes.services import version_update
from apps.runs.models import Run
from tests.runs.conftest import demo, worker  # noqa: F401  (fixtures)
from tests.runs.test_runner import start, wait_for

pytestmark = pytest.mark.django_db(transaction=True)

ATTACKS = {
    "read_dataset_table": ("SELECT count(*) INTO STRICT _n FROM mb_data.ds_{source};", "permission denied"),
    "read_django_tables": ("PERFORM * FROM accounts_user;", "does not exist"),
    "set_role": ("SET ROLE modulebench;", "permission denied"),
    "create_role": ("CREATE ROLE evil LOGIN;", "permission denied"),
    "create_extension": ("CREATE EXTENSION dblink;", ""),
    "copy_program": ("COPY output_emission_factors_dataset_ov (comments) FROM PROGRAM 'id';", ""),
    "pg_read_file": ("PERFORM pg_read_file('/etc/passwd');", "permission denied"),
    "write_to_input": ("DELETE FROM ${input_emission_factors_dataset};", "permission denied"),
    "trigger_for_later": ("CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $f$ BEGIN RETURN NEW; END $f$;\n"
                          "CREATE TRIGGER t BEFORE INSERT ON mb_data.ds_{source} FOR EACH ROW EXECUTE FUNCTION f();",
                          "permission denied"),
}


def _set_algorithm(demo: dict[str, Any], users: dict[str, Any], algorithm: str) -> None:  # noqa: F811
    body = "DECLARE _n bigint; BEGIN\n" + algorithm.replace("{source}", str(demo["source"].pk)) + "\nEND;"
    version_update(version=demo["module"].type_version, fields={"algorithm": body}, note="attack",
                   author=users["modeler"], confirm_dependents=True)


def _assert_app_unaffected(demo: dict[str, Any], before_datasets: int) -> None:  # noqa: F811
    with workspace() as conn:
        assert sandbox.leftovers(conn) == ([], [])
        rows = conn.execute(f"SELECT count(*) FROM {qualified_text(demo['source'].pk)}").fetchone()
    assert rows == (8,)
    assert Dataset.objects.count() == before_datasets


@pytest.mark.parametrize("name", sorted(ATTACKS))
def test_attack_as_a_module_fails_safely(name: str, clients: dict[str, APIClient], demo: dict[str, Any],  # noqa: F811
                                         users: dict[str, Any], worker: Any) -> None:  # noqa: F811
    algorithm, fragment = ATTACKS[name]
    _set_algorithm(demo, users, algorithm)
    before = Dataset.objects.count()
    run = wait_for(start(clients["modeler"], demo["module"]))
    assert run.result == "FAILED", run.error
    assert run.error is not None and fragment in run.error["message"]
    _assert_app_unaffected(demo, before)


def test_deadline_kills_a_query_canceled_trap(settings: Any, clients: dict[str, APIClient], demo: dict[str, Any],  # noqa: F811
                                              users: dict[str, Any], worker: Any) -> None:  # noqa: F811
    settings.RUN_DEADLINE_SECONDS = 1
    _set_algorithm(demo, users, "SET statement_timeout = 0;\n"
                   "LOOP BEGIN PERFORM pg_sleep(0.1); EXCEPTION WHEN query_canceled THEN NULL; END; END LOOP;")
    before = Dataset.objects.count()
    run = wait_for(start(clients["modeler"], demo["module"]), timeout=30)
    assert run.result == "TIMEOUT"
    _assert_app_unaffected(demo, before)


def test_a_quote_in_a_parameter_value_cannot_break_out(clients: dict[str, APIClient], demo: dict[str, Any],  # noqa: F811
                                                       users: dict[str, Any], worker: Any) -> None:  # noqa: F811
    module = demo["module"]
    version = module.type_version
    version_update(version=version, fields={
        "parameter_slots": [*version.parameter_slots, {"name": "label", "sql_type": "text", "mode": "IN"}],
        "algorithm": "INSERT INTO ${output_emission_factors_dataset} (fuel_type, comments)\n"
                     "VALUES ('x', #{label});"}, note="label", author=users["modeler"], confirm_dependents=True)
    evil = f"'); DROP TABLE mb_data.ds_{demo['source'].pk}; --"
    module.parameter_bindings = {**module.parameter_bindings, "label": evil}
    module.save()
    run = wait_for(start(clients["modeler"], module))
    assert run.result == "SUCCESS", run.error
    output = next(d for d in run.datasets if d["direction"] == "OUT")
    with workspace() as conn:
        stored = conn.execute(f"SELECT comments FROM {qualified_text(output['dataset'])}").fetchall()
    assert stored == [(evil,)]
    _assert_app_unaffected(demo, Dataset.objects.count())
    assert Run.objects.filter(pk=run.pk, result="SUCCESS").exists()
