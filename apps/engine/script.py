"""The user script of a simple module run: the expanded algorithm wrapped in one DO block (no Django).

    DO $<tag>$
    DECLARE
      p_x double precision := CAST('1.15' AS double precision);
    BEGIN
      BEGIN  -- algorithm
    <expanded algorithm, verbatim>
      END;   -- algorithm
      INSERT INTO <output_parameter_table>(name, value) VALUES ('x', p_x::text);
    END
    $<tag>$;

The algorithm runs in a nested block so that an EXCEPTION section the user writes at the top level of
the algorithm belongs to the algorithm and not to the wrapper. The DECLARE section is left out when
there are no parameters; the INSERT when no parameter is OUT or INOUT. A top-level RETURN in the
algorithm ends the script before the output parameters are saved.

Line numbers. PostgreSQL counts the lines of a DO body from 1, starting at the text right after the
opening ``$<tag>$`` (so body line 1 is the rest of the ``DO $<tag>$`` line, here empty). The script
starts with that line, hence **body line N is script line N**. Runtime errors carry it in their
context ("PL/pgSQL function inline_code_block line N at ..."); syntax errors in a DO body carry no
line but a `statement_position`, a 1-based character index into the whole script (checked against
PostgreSQL 15 and libpg_query 17).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from apps.engine.placeholders import (
    SQL_IDENTIFIER_RE,
    Expansion,
    ParameterBinding,
    check_sql_type,
    line_column,
    quote_text,
    sql_literal,
)

DOLLAR_TAG_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,62}", re.ASCII)
BLOCK_OPEN = "  BEGIN  -- algorithm"
BLOCK_CLOSE = "  END;   -- algorithm"


@dataclass(frozen=True)
class Body:
    """The text between the dollar quotes; the algorithm starts at `algorithm_offset`, on 1-based body
    line `algorithm_line` (body line 1 is the rest of the line holding the opening dollar quote)."""

    text: str
    algorithm_offset: int
    algorithm_line: int


def declaration(parameter: ParameterBinding) -> str:
    """``  <variable> <type> := <typed literal or NULL>;`` (OUT parameters and unset values start NULL)."""
    slot = parameter.slot
    if slot.mode != "OUT" and parameter.input_value is not None:
        value = sql_literal(parameter.input_value, slot.sql_type)
    else:
        value = "NULL"
    return f"  {parameter.variable} {check_sql_type(slot.sql_type)} := {value};"


def output_parameters_insert(parameters: Sequence[ParameterBinding], table: str) -> str | None:
    """The INSERT that saves OUT and INOUT parameters by name, or None if there are none."""
    if not SQL_IDENTIFIER_RE.fullmatch(table):
        raise ValueError(f"invalid output parameter table name {table!r}")
    rows = [f"({quote_text(p.slot.name)}, {p.variable}::text)" for p in parameters if p.slot.mode in ("OUT", "INOUT")]
    if not rows:
        return None
    return f"  INSERT INTO {table}(name, value) VALUES {', '.join(rows)};"


def render_body(algorithm_text: str, parameters: Sequence[ParameterBinding], *, output_parameter_table: str) -> Body:
    """The DO (or function) body around an already expanded algorithm; shared with the syntax check."""
    head = [""]  # the rest of the `DO $tag$` line
    if parameters:
        head += ["DECLARE", *(declaration(p) for p in parameters)]
    head += ["BEGIN", BLOCK_OPEN]
    prefix = "\n".join(head) + "\n"
    tail = [BLOCK_CLOSE]
    insert = output_parameters_insert(parameters, output_parameter_table)
    if insert is not None:
        tail.append(insert)
    tail.append("END")
    newline = "" if algorithm_text.endswith("\n") else "\n"
    text = prefix + algorithm_text + newline + "\n".join(tail) + "\n"
    return Body(text, len(prefix), len(head) + 1)


@dataclass(frozen=True)
class UserScript:
    """`line_map[i]` is the 1-based algorithm line of script line i+1 (None for wrapper lines).
    Algorithm line 1 is script line `body_line_offset + 1` (when the expansion adds no lines)."""

    text: str
    body_line_offset: int
    line_map: list[int | None]
    expansion: Expansion
    body_offset: int  # offset in `text` where the DO body starts (right after the opening `$tag$`)
    algorithm_offset: int  # offset in `text` where the expanded algorithm starts

    def algorithm_location(self, script_line: int, script_column: int | None = None) -> tuple[int, int | None] | None:
        """Maps a 1-based script line (and column) to the algorithm's (line, column); None outside it."""
        if not 1 <= script_line <= len(self.line_map):
            return None
        algorithm_line = self.line_map[script_line - 1]
        if algorithm_line is None:
            return None
        if script_column is None:
            return algorithm_line, None
        return self.expansion.algorithm_position_at(script_line - self.body_line_offset, script_column)

    def algorithm_location_from_body_line(self, body_line: int) -> tuple[int, int | None] | None:
        """For "PL/pgSQL function inline_code_block line N": body line N is script line N (see module doc)."""
        return self.algorithm_location(body_line)

    def algorithm_location_from_position(self, position: int) -> tuple[int, int] | None:
        """For a syntax error's `statement_position` (1-based character index into the script); None
        when it is outside the algorithm (e.g. at the closing quote when an IF is never closed)."""
        offset = position - 1 - self.algorithm_offset
        if not 0 <= offset <= len(self.expansion.text):
            return None
        return self.expansion.algorithm_position(offset)

    def algorithm_location_from_body_offset(self, offset: int) -> tuple[int, int] | None:
        """For a 0-based character index into the DO body (what pglast reports for scanner errors)."""
        return self.algorithm_location_from_position(self.body_offset + offset + 1)


def build_user_script(expansion: Expansion, parameters: Sequence[ParameterBinding], *, output_parameter_table: str,
                      dollar_tag: str) -> UserScript:
    """Wraps the expanded algorithm into one DO block; `dollar_tag` (random, from the caller) must not
    occur as ``$<tag>$`` anywhere in the algorithm or in the values put into it."""
    if not DOLLAR_TAG_RE.fullmatch(dollar_tag):
        raise ValueError(f"invalid dollar tag {dollar_tag!r}")
    delimiter = f"${dollar_tag}$"
    body = render_body(expansion.text, parameters, output_parameter_table=output_parameter_table)
    if delimiter in expansion.algorithm or delimiter in body.text:
        raise ValueError(f"the algorithm or a parameter value contains the dollar quote {delimiter}")
    opening = f"DO {delimiter}"
    text = f"{opening}{body.text}{delimiter};"
    line_map: list[int | None] = [None for _ in range(text.count("\n") + 1)]
    first = body.algorithm_line  # body line N is script line N
    lines = expansion.line_map[:-1] if expansion.text.endswith("\n") else expansion.line_map
    for index, algorithm_line in enumerate(lines):
        line_map[first - 1 + index] = algorithm_line
    return UserScript(text, first - 1, line_map, expansion, len(opening), len(opening) + body.algorithm_offset)


def script_position(text: str, position: int) -> tuple[int, int]:
    """The 1-based (line, column) in a script of a 1-based character position reported by PostgreSQL."""
    return line_column(text, position - 1)
