"""Issue 10: what expansion writes as a literal means the value under either setting of
standard_conforming_strings, which an algorithm may switch off before the literal is parsed."""

from typing import Any

import psycopg
import pytest

from apps.engine.placeholders import (
    DatasetBinding,
    DatasetSlot,
    GeneralInfo,
    expand,
    quote_text,
    sql_literal,
)

VALUES = ["plain", "it's", "\\", "a\\", "\\'", "'\\''", "\\\\' || 'x", "\\' || current_user || ''",
          "O'Brien \\n \\\\' x", "\\x27; --", "back\\\\slashes\\\\\\", "é\\ü'"]
SLOT = DatasetSlot("src", "IN", "T")


def _general(text: str) -> GeneralInfo:
    return GeneralInfo(user_full_name=text, user_id=1, user_account_name="u", module_name=text, module_id=1,
                       module_final=False, module_project_name=None, run_id=1, run_date="d", run_time="t")


@pytest.fixture(params=["on", "off"])
def conn(request: pytest.FixtureRequest, ws: psycopg.Connection[Any]) -> psycopg.Connection[Any]:
    ws.execute(f"SET standard_conforming_strings = {request.param}")
    ws.execute("SET escape_string_warning = off")
    return ws


def _select(conn: psycopg.Connection[Any], expression: str) -> Any:
    row = conn.execute(f"SELECT {expression}".encode(), prepare=False).fetchone()  # bytes: no %-parameters
    return row[0] if row else None


@pytest.mark.parametrize("value", VALUES)
def test_quote_text_and_sql_literal(conn: psycopg.Connection[Any], value: str) -> None:
    assert _select(conn, quote_text(value)) == value
    assert _select(conn, sql_literal(value, "text")) == value


@pytest.mark.parametrize("value", VALUES)
def test_values_in_the_algorithms_own_literals(conn: psycopg.Connection[Any], value: str) -> None:
    binding = DatasetBinding(SLOT, True, value, 1, 1, "mb_data.ds_1", "src_iv")
    algorithm = "'${module.name}', 'C:\\${user.full_name}\\', E'${src.dataset_name}\\\\'"
    text = expand(algorithm, [binding], [], _general(value)).text
    row = conn.execute(f"SELECT {text}".encode(), prepare=False).fetchone()
    assert row == (value, f"C:\\{value}\\", f"{value}\\"), text
