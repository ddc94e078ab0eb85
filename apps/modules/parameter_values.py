"""Parameter values against their SQL types (issue 14).

A run hands each value to its script as `CAST('<value>' AS <sql type>)` (apps.engine.placeholders
.sql_literal), so PostgreSQL itself decides what a value may be: the check casts the very same text
to the very same type (no second parser in Python to drift from PostgreSQL's rules for numbers,
booleans, dates and timestamps). One statement casts all values; only when it fails is each value
cast alone, to name every bad one. Each cast runs in a savepoint of the app database's connection.
Casts to these types read no table and write nothing, and the types' input rules are the server's
(the workspace is on the same server, or one configured alike: DateStyle matters for dates).

Checked when a module is saved (create, edit, copy: `check_bindings`) and validated (POST validate);
a refusal is a 400 `invalid_parameter_value` whose details name each parameter, for the editor to
mark its field."""

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.db import DatabaseError, connection, transaction

from apps.core.exceptions import ServiceError
from apps.engine.placeholders import check_sql_type

CODE = "invalid_parameter_value"


def _checked(slots: Sequence[Mapping[str, Any]], values: Mapping[str, Any]) -> list[tuple[str, str, str]]:
    """(name, value, sql type) of each value given to an input parameter of a known type."""
    by_name = {slot["name"]: slot for slot in slots}
    checked = []
    for name, value in values.items():
        slot = by_name.get(name)
        if slot is None or slot.get("mode") == "OUT" or not isinstance(value, str):
            continue  # the binding checks refuse these with their own words
        try:
            checked.append((name, value, check_sql_type(slot["sql_type"])))
        except (KeyError, ValueError):
            continue  # the type version's own validation names a bad SQL type
    return checked


def _cast_all(items: Iterable[tuple[str, str, str]]) -> str | None:
    """None when PostgreSQL accepts every value as its type, else its error's first line."""
    items = list(items)
    casts = ", ".join(f"CAST(%s AS {sql_type})" for _, _, sql_type in items)
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"SELECT {casts}", [value for _, value, _ in items])
    except (DatabaseError, ValueError) as error:
        text = str(error).strip().splitlines()
        return text[0] if text else "not accepted by PostgreSQL"
    return None


def parameter_value_problems(*, slots: Sequence[Mapping[str, Any]], values: Mapping[str, Any]) -> dict[str, str]:
    """{parameter name: sentence} for each value that is not a valid literal of its SQL type (the
    sentence does not repeat the name)."""
    items = _checked(slots, values)
    problems: dict[str, str] = {}
    for name, value, sql_type in items:
        if "\x00" in value:
            problems[name] = f"a {sql_type} value cannot contain a NUL character."
    items = [item for item in items if item[0] not in problems]
    if not items or _cast_all(items) is None:
        return problems
    for name, value, sql_type in items:
        reason = _cast_all([(name, value, sql_type)])
        if reason is not None:
            shown = value if len(value) <= 60 else value[:57] + "..."
            why = "" if reason.startswith("invalid input syntax") else f": {reason}"
            problems[name] = f"{shown!r} is not a valid {sql_type} value{why}."
    return problems


def check_parameter_values(*, slots: Sequence[Mapping[str, Any]], values: Mapping[str, Any]) -> None:
    """400 `invalid_parameter_value`, details.parameters = {name: sentence}, unless every value fits."""
    problems = parameter_value_problems(slots=slots, values=values)
    if problems:
        name, problem = next(iter(problems.items()))
        raise ServiceError(CODE, f"Parameter {name}: {problem}", details={"parameters": problems})


def check_overrides(*, slots: Sequence[Mapping[str, Any]], values: Mapping[str, Any]) -> None:
    """A run's own parameter values (POST run `parameters`, docs/aggregation.md): IN or INOUT
    parameters of the module's type, each a valid literal of its SQL type; else a 400."""
    inputs = {slot["name"] for slot in slots if slot.get("mode") != "OUT"}
    unknown = sorted(name for name in values if name not in inputs)
    if unknown:
        raise ServiceError("unknown_parameter", f"{unknown[0]}: the module type has no such input parameter.",
                           details={"parameters": {name: "no such input parameter." for name in unknown}})
    check_parameter_values(slots=slots, values=values)


def parameter_value_errors(*, slots: Sequence[Mapping[str, Any]], values: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The same problems as validation errors ({code, message, slot}) for POST validate."""
    return [{"code": CODE, "message": message, "slot": name}
            for name, message in parameter_value_problems(slots=slots, values=values).items()]
