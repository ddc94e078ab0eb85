"""The wrapped user script (DO block) and the mapping of PostgreSQL's line numbers back to the algorithm.

Line counting (checked against PostgreSQL 15): the DO body starts right after the opening `$tag$`, so
body line 1 is the (empty) rest of the `DO $tag$` line, i.e. body line N == script line N.
"""

import pytest

from apps.engine.placeholders import (
    Expansion,
    GeneralInfo,
    ParameterBinding,
    ParameterSlot,
    PlaceholderExpansionError,
    expand,
)
from apps.engine.script import (
    UserScript,
    build_user_script,
    declaration,
    output_parameters_insert,
    render_body,
)

GENERAL = GeneralInfo("John Doe", 6, "jdoe", "M", 1, False, None, 2, "01/01/2024", "12:00:00.000")
F = ParameterBinding(ParameterSlot("f", "double precision", "IN"), True, "1.15", "p_f")
N = ParameterBinding(ParameterSlot("n", "integer", "OUT"), False, None, "p_n")
K = ParameterBinding(ParameterSlot("k", "integer", "INOUT"), True, "3", "p_k")
UNSET = ParameterBinding(ParameterSlot("u", "text", "IN", is_optional=True), False, None, "p_u")
TABLE = "mb_output_parameters"

ALGORITHM = "PERFORM 1;\n#{n} := #{k} * 2;\nSELEC 1;"
EXPECTED = """DO $tg$
DECLARE
  p_f double precision := CAST('1.15' AS double precision);
  p_n integer := NULL;
  p_k integer := CAST('3' AS integer);
BEGIN
  BEGIN  -- algorithm
PERFORM 1;
p_n := p_k * 2;
SELEC 1;
  END;   -- algorithm
  INSERT INTO mb_output_parameters(name, value) VALUES ('n', p_n::text), ('k', p_k::text);
END
$tg$;"""


def script_for(algorithm: str, parameters: list[ParameterBinding], tag: str = "tg") -> UserScript:
    expansion = expand(algorithm, [], parameters, GENERAL)
    return build_user_script(expansion, parameters, output_parameter_table=TABLE, dollar_tag=tag)


def test_script_text() -> None:
    script = script_for(ALGORITHM, [F, N, K])
    assert script.text == EXPECTED
    assert script.body_line_offset == 7


def test_line_map() -> None:
    script = script_for(ALGORITHM, [F, N, K])
    assert script.line_map == [None] * 7 + [1, 2, 3] + [None] * 4
    assert len(script.line_map) == len(script.text.split("\n"))


def test_body_line_is_script_line() -> None:
    # "PL/pgSQL function inline_code_block line 10" → line 10 of the script = "SELEC 1;" = algorithm line 3.
    script = script_for(ALGORITHM, [F, N, K])
    assert script.text.split("\n")[9] == "SELEC 1;"
    assert script.algorithm_location_from_body_line(8) == (1, None)
    assert script.algorithm_location_from_body_line(9) == (2, None)
    assert script.algorithm_location_from_body_line(10) == (3, None)


@pytest.mark.parametrize("line", [0, 1, 2, 3, 5, 6, 7, 11, 12, 13, 14, 15, -1])
def test_wrapper_lines_map_to_none(line: int) -> None:
    assert script_for(ALGORITHM, [F, N, K]).algorithm_location(line) is None


def test_columns_map_through_placeholders() -> None:
    script = script_for(ALGORITHM, [F, N, K])
    # script line 9 is "p_n := p_k * 2;" from "#{n} := #{k} * 2;": '*' is column 12 there and column 14 here.
    assert script.algorithm_location(9, 12) == (2, 14)
    assert script.algorithm_location(9, 2) == (2, 1)  # inside p_n → the '#' of #{n}
    assert script.algorithm_location(10, 1) == (3, 1)


def test_statement_position_maps_to_the_algorithm() -> None:
    # PostgreSQL reports a DO-block syntax error as a 1-based character position in the whole script.
    script = script_for(ALGORITHM, [F, N, K])
    lines = EXPECTED.split("\n")
    selec = sum(len(line) + 1 for line in lines[:9]) + 1  # first character of script line 10
    assert script.text[selec - 1:selec + 4] == "SELEC"
    assert script.algorithm_location_from_position(selec) == (3, 1)
    assert script.algorithm_location_from_position(selec + 6) == (3, 7)
    assert script.algorithm_location_from_position(1) is None  # the "DO"
    assert script.algorithm_location_from_position(len(EXPECTED)) is None  # the closing quote


def test_body_offset_maps_to_the_algorithm() -> None:
    script = script_for(ALGORITHM, [F, N, K])
    body = script.text[len("DO $tg$"):]
    assert script.algorithm_location_from_body_offset(body.index("SELEC")) == (3, 1)


def test_without_parameters() -> None:
    script = script_for("PERFORM 1;\n", [])
    assert script.text == "DO $tg$\nBEGIN\n  BEGIN  -- algorithm\nPERFORM 1;\n  END;   -- algorithm\nEND\n$tg$;"
    assert script.body_line_offset == 3
    assert script.line_map == [None, None, None, 1, None, None, None]
    assert script.algorithm_location_from_body_line(4) == (1, None)


def test_trailing_newline_adds_no_algorithm_line() -> None:
    assert script_for("PERFORM 1;\n\n", []).line_map == [None, None, None, 1, 2, None, None, None]


def test_newlines_in_values_keep_the_map() -> None:
    value = ParameterBinding(ParameterSlot("t", "text", "IN"), True, "a\nb", "p_t")
    script = script_for("PERFORM 1;\nRAISE NOTICE '%', #{t.input_value};\nPERFORM 3;", [value])
    assert script.body_line_offset == 5
    assert script.line_map[5:9] == [1, 2, 2, 3]
    assert script.algorithm_location_from_body_line(9) == (3, None)


def test_declarations() -> None:
    assert declaration(F) == "  p_f double precision := CAST('1.15' AS double precision);"
    assert declaration(N) == "  p_n integer := NULL;"
    assert declaration(UNSET) == "  p_u text := NULL;"
    empty = ParameterBinding(ParameterSlot("e", "varchar", "IN"), True, "", "p_e")
    assert declaration(empty) == "  p_e varchar := CAST('' AS varchar);"
    hostile = ParameterBinding(ParameterSlot("h", "text", "IN"), True, "'); DROP TABLE x; --", "p_h")
    assert declaration(hostile) == "  p_h text := CAST('''); DROP TABLE x; --' AS text);"


def test_output_parameters_insert() -> None:
    assert output_parameters_insert([F, UNSET], TABLE) is None
    assert output_parameters_insert([N], "s.out_params") == \
        "  INSERT INTO s.out_params(name, value) VALUES ('n', p_n::text);"
    with pytest.raises(ValueError):
        output_parameters_insert([N], "t; DROP TABLE x")


def test_refuses_the_dollar_tag_in_the_algorithm() -> None:
    with pytest.raises(ValueError):
        script_for("EXECUTE $tg$SELECT 1$tg$;", [])
    assert "$tg2$" in script_for("EXECUTE $tg2$SELECT 1$tg2$;", []).text


def test_refuses_the_dollar_tag_in_a_value() -> None:
    value = ParameterBinding(ParameterSlot("t", "text", "IN"), True, "x$tg$; DROP TABLE t; --", "p_t")
    with pytest.raises(ValueError):
        script_for("PERFORM 1;", [value])
    with pytest.raises(ValueError):
        script_for("PERFORM #{t.input_value};", [value])


@pytest.mark.parametrize("tag", ["", "1a", "a-b", "a$b", "a b"])
def test_refuses_invalid_tags(tag: str) -> None:
    with pytest.raises(ValueError):
        script_for("PERFORM 1;", [], tag=tag)


def test_refuses_unknown_types_in_declarations() -> None:
    bad = ParameterBinding(ParameterSlot("m", "money", "IN"), True, "1", "p_m")
    with pytest.raises(ValueError):
        declaration(bad)
    with pytest.raises(PlaceholderExpansionError):
        script_for("PERFORM 1;", [bad])


def test_render_body_reports_where_the_algorithm_starts() -> None:
    body = render_body("PERFORM 1;", [F], output_parameter_table=TABLE)
    assert body.text[body.algorithm_offset:].startswith("PERFORM 1;")
    assert body.text.split("\n")[body.algorithm_line - 1] == "PERFORM 1;"


def test_expansion_is_kept_verbatim() -> None:
    expansion = Expansion("SELECT 'x';  -- y", [1], "SELECT 'x';  -- y")
    script = build_user_script(expansion, [], output_parameter_table=TABLE, dollar_tag="t")
    assert "\nSELECT 'x';  -- y\n" in script.text
