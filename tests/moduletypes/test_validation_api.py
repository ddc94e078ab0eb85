"""POST /validate on simple types: every row of the EMF document's three placeholder tables is known,
anything else is an error with its message, line and column; comments are ignored."""

from typing import Any

import pytest
from rest_framework.test import APIClient

from apps.accounts.models import Project
from apps.datasets.models import DatasetType
from tests.moduletypes.conftest import create_type, slots, validate, version_url

pytestmark = pytest.mark.django_db

DATASET_ROWS = ["${src.table_name}", "${src.dataset_name}", "${src.dataset_id}", "${src.version}", "${src.view}",
                "${src}", "${src.mode}", "${dst.output_method}", "${src.is_optional}", "${src.is_set}"]
GENERAL_ROWS = ["${user.full_name}", "${user.id}", "${user.account_name}", "${module.name}", "${module.id}",
                "${module.final}", "${module.project_name}", "${run.id}", "${run.date}", "${run.time}"]
PARAMETER_ROWS = ["#{factor}", "#{factor.sql_type}", "#{factor.mode}", "#{factor.input_value}",
                  "#{factor.is_optional}", "#{factor.is_set}"]


@pytest.fixture
def url(clients: dict[str, APIClient], project: Project, dtype: DatasetType) -> str:
    return version_url(create_type(clients["modeler"], project, "Rows", **slots(dtype)))


def _in_context(placeholder: str) -> str:
    """Each placeholder where a user would write it, so the expanded text parses as PL/pgSQL."""
    if placeholder in ("${src}", "${src.view}", "${src.table_name}"):
        return f"PERFORM count(*) FROM {placeholder};"
    if placeholder == "#{factor}":
        return f"PERFORM {placeholder} * 2;"
    if "is_" in placeholder or placeholder.endswith(("_id}", ".id}", ".version}", "input_value}")):
        return f"PERFORM {placeholder};"
    return f"RAISE NOTICE '%', '{placeholder}';"


@pytest.mark.parametrize("placeholder", DATASET_ROWS + GENERAL_ROWS + PARAMETER_ROWS)
def test_every_documented_placeholder_is_valid(clients: dict[str, APIClient], url: str, placeholder: str) -> None:
    algorithm = f"-- uses {placeholder}\n{_in_context(placeholder)}"
    assert validate(clients["modeler"], url, algorithm=algorithm) == {"valid": True, "errors": [], "phases": {}}


@pytest.mark.parametrize(("placeholder", "code", "words"), [
    ("${nope}", "unknown_placeholder", "nope"), ("#{nope}", "unknown_placeholder", "nope"),
    ("#{src}", "unknown_placeholder", "src"), ("${factor}", "unknown_placeholder", "factor"),
    ("${src.rows}", "unknown_attribute", "rows"), ("#{factor.value}", "unknown_attribute", "value"),
    ("${user.email}", "unknown_general_placeholder", "email"),
    ("${module.owner}", "unknown_general_placeholder", "owner"),
    ("${run.duration}", "unknown_general_placeholder", "duration"),
])
def test_unknown_placeholders_have_message_line_and_column(clients: dict[str, APIClient], url: str,
                                                           placeholder: str, code: str, words: str) -> None:
    result = validate(clients["modeler"], url, algorithm=f"PERFORM 1;\n  PERFORM {placeholder};")
    assert not result["valid"]
    error: dict[str, Any] = result["errors"][0]
    assert error["code"] == code, error
    assert (error["line"], error["column"]) == (2, 11)
    assert words in error["message"] and "line 2, column 11" in error["message"]


def test_placeholders_in_comments_are_ignored_but_not_in_code(clients: dict[str, APIClient], url: str) -> None:
    text = "/* ${a}\n   #{b} */ PERFORM 1; -- ${c}\nPERFORM 2; /* ${d} */ PERFORM ${e};"
    errors = validate(clients["modeler"], url, algorithm=text)["errors"]
    assert [(e["code"], e["line"], e["column"]) for e in errors] == [("unknown_placeholder", 3, 31)]


def test_syntax_error_has_line_and_column(clients: dict[str, APIClient], url: str) -> None:
    result = validate(clients["modeler"], url, algorithm="PERFORM 1;\nINSERT INTO ${dst} SELEC fuel FROM ${src};")
    error = result["errors"][0]
    assert error["code"] == "syntax_error"
    assert error["line"] == 2 and error["column"] is not None
    assert "SELEC" in error["message"] or "syntax" in error["message"]


def test_the_saved_version_is_validated_when_no_draft_is_sent(clients: dict[str, APIClient], project: Project,
                                                              dtype: DatasetType) -> None:
    url = version_url(create_type(clients["modeler"], project, "Saved", **slots(dtype), algorithm="PERFORM ${x};"))
    errors = validate(clients["modeler"], url)["errors"]
    assert [(e["line"], e["column"]) for e in errors] == [(1, 9)]
