"""Syntax check of algorithms with pglast (no database). Expected positions were compared with what
PostgreSQL 15 reports for the same scripts (statement_position mapped back to the algorithm)."""

import pytest

from apps.engine.placeholders import DatasetSlot, ParameterSlot, PlaceholderError
from apps.engine.plpgsql_check import (
    check_plpgsql,
    dummy_datasets,
    dummy_parameters,
    split_statements,
)

DATASETS = [DatasetSlot("input_emission_factors_dataset", "IN", "EmissionFactors"),
            DatasetSlot("output_emission_factors_dataset", "OUT", "EmissionFactors")]
PARAMETERS = [ParameterSlot("increase_factor", "double precision", "IN"),
              ParameterSlot("row_count", "integer", "OUT")]

EMF_EXAMPLE = """INSERT INTO ${output_emission_factors_dataset}
    (Fuel_Type, Pollutant, Year, Emission_Factor, Comments)
SELECT
    ief.Fuel_Type,
    ief.Pollutant,
    ief.Year,
    ief.Emission_Factor * #{increase_factor},
    ief.Comments
FROM ${input_emission_factors_dataset} ief;
"""

BLOCKS = """DECLARE
  r record;
  total double precision := 0;
BEGIN
  FOR r IN SELECT * FROM ${input_emission_factors_dataset} WHERE year > 2000 LOOP
    IF r.emission_factor IS NULL THEN
      CONTINUE;
    ELSIF r.emission_factor > 100 THEN
      RAISE NOTICE 'large factor % for %', r.emission_factor, r.fuel_type;
    ELSE
      total := total + r.emission_factor * #{increase_factor};
    END IF;
  END LOOP;
  #{row_count} := 0;
  WHILE #{row_count} < 10 LOOP
    #{row_count} := #{row_count} + 1;
    EXIT WHEN #{row_count} > 5;
  END LOOP;
  CASE #{row_count}
    WHEN 6 THEN PERFORM 1;
    ELSE RAISE EXCEPTION 'unexpected %', #{row_count};
  END CASE;
  SELECT count(*) INTO STRICT #{row_count} FROM ${output_emission_factors_dataset};
  INSERT INTO ${output_emission_factors_dataset} (comments) VALUES ('it''s -- fine /* really */')
    RETURNING 1 INTO #{row_count};
EXCEPTION WHEN division_by_zero THEN
  RAISE WARNING 'ignored: %', SQLERRM;
END;
"""


def check(algorithm: str) -> list[tuple[str, int | None, int | None]]:
    return [(e.code, e.line, e.column) for e in check_plpgsql(algorithm, DATASETS, PARAMETERS)]


def message(algorithm: str) -> str:
    errors = check_plpgsql(algorithm, DATASETS, PARAMETERS)
    assert len(errors) == 1
    return errors[0].message


# ----------------------------------------------------------------------------------------- valid algorithms
@pytest.mark.parametrize("algorithm", [
    EMF_EXAMPLE,
    BLOCKS,
    "",
    "-- nothing but a comment",
])
def test_valid_algorithms(algorithm: str) -> None:
    assert check_plpgsql(algorithm, DATASETS, PARAMETERS) == []


def test_emf_example_without_trailing_newline() -> None:
    assert check(EMF_EXAMPLE.rstrip("\n")) == []


def test_exception_section_at_the_top_level_of_the_algorithm() -> None:
    assert check("PERFORM 1 / 0;\nEXCEPTION WHEN others THEN\n  #{row_count} := -1;\n") == []


def test_placeholders_in_comments_are_ignored() -> None:
    algorithm = "-- uses ${no_such_dataset}\n/* #{no_such} /* ${nested} */ ${still} */\nPERFORM #{increase_factor};\n"
    assert check(algorithm) == []


def test_comment_at_the_end_without_newline() -> None:
    assert check("PERFORM 1; -- done") == []


def test_placeholder_named_like_a_keyword() -> None:
    slots = [DatasetSlot("order", "IN", "t")]
    assert check_plpgsql("PERFORM count(*) FROM ${order};", slots, []) == []


# ------------------------------------------------------------------------------------------- syntax errors
def test_typo_on_line_3() -> None:
    assert check("PERFORM 1;\n-- comment\n  SELEC 1;\n") == [("syntax_error", 3, 3)]
    assert message("PERFORM 1;\n-- comment\n  SELEC 1;\n") == \
        'Syntax error at line 3, column 3: syntax error at or near "SELEC".'


def test_error_inside_an_sql_statement() -> None:
    algorithm = "PERFORM 1;\n  select a, b\n  fro ${input_emission_factors_dataset} t;\n"
    # "fro" is read as an alias of b, so PostgreSQL stumbles on the next word: the expanded view name,
    # reported at the placeholder's '$'.
    assert check(algorithm) == [("syntax_error", 3, 7)]


def test_error_at_the_end_of_a_statement() -> None:
    algorithm = "PERFORM 1;\nSELECT a\n  FROM t WHERE;\n"
    assert check(algorithm) == [("syntax_error", 3, 15)]
    assert "at end of input" in message(algorithm)


def test_unbalanced_parenthesis() -> None:
    assert check("PERFORM 1;\nINSERT INTO x VALUES (1;\nPERFORM 2;\n") == [("syntax_error", 2, 24)]


def test_error_in_an_if_condition() -> None:
    assert check("IF #{increase_factor} > THEN\n  PERFORM 1;\nEND IF;\n") == [("syntax_error", 1, 24)]


def test_error_after_an_into_clause() -> None:
    algorithm = "DECLARE a int;\nBEGIN\n  SELECT count(*) INTO a FROM x WHERE 1 = ;\nEND;\n"
    assert check(algorithm) == [("syntax_error", 3, 42)]


def test_error_inside_a_loop_body() -> None:
    algorithm = BLOCKS.replace("total := total + r.emission_factor", "total := total + * r.emission_factor")
    assert check(algorithm) == [("syntax_error", 11, 24)]


def test_error_in_a_case_statement() -> None:
    assert check("CASE #{row_count} WHEN 1 THEN PERFORM 1; ELSE PERFORM 2 +; END CASE;\n") == [
        ("syntax_error", 1, 58)]


def test_missing_expression_in_raise() -> None:
    assert check("RAISE NOTICE 'a %', ;\n") == [("syntax_error", 1, 21)]
    assert "missing expression" in message("RAISE NOTICE 'a %', ;\n")


def test_extra_end_if() -> None:
    assert check("PERFORM 1;\nEND IF;\n") == [("syntax_error", 2, 5)]


def test_unknown_variable() -> None:
    algorithm = "DECLARE a int;\nBEGIN\n  b := 1;\nEND;\n"
    assert check(algorithm) == [("syntax_error", 3, 3)]
    assert message(algorithm) == 'Syntax error at line 3, column 3: "b" is not a known variable.'


def test_missing_end_if_is_reported_at_the_end() -> None:
    algorithm = "IF true THEN\n  PERFORM 1;\n"
    assert check(algorithm) == [("syntax_error", 2, 13)]
    assert "missing END IF;" in message(algorithm)


def test_missing_semicolon_at_the_end() -> None:
    assert check("PERFORM 1;\nPERFORM 2\n") == [("syntax_error", 2, 10)]


def test_unterminated_string() -> None:
    assert check("PERFORM 1;\nPERFORM 'abc;\n") == [("syntax_error", 2, 9)]
    assert message("PERFORM 1;\nPERFORM 'abc;\n") == "Syntax error at line 2, column 9: unterminated quoted string."


def test_unterminated_comment() -> None:
    assert check("PERFORM 1; /* a /* b */\nPERFORM 2;") == [("syntax_error", 1, 12)]


def test_non_ascii_columns_count_characters() -> None:
    assert check("PERFORM 'é';\nSELECT 'é', 1 fro t;\n") == [("syntax_error", 2, 19)]


def test_position_after_a_placeholder_is_in_algorithm_columns() -> None:
    # ${input_emission_factors_dataset} (33 characters, columns 15-47) expands to a 35-character view name;
    # x is an alias, y (algorithm column 51) is the error.
    algorithm = "SELECT * FROM ${input_emission_factors_dataset} x y;"
    assert check(algorithm) == [("syntax_error", 1, 51)]


def test_error_in_a_declaration() -> None:
    assert check("DECLARE\n  a int := 1 +;\nBEGIN\n  PERFORM a;\nEND;\n") == [("syntax_error", 2, 15)]


# ------------------------------------------------------------------------------------ placeholder errors first
def test_placeholder_errors_come_first() -> None:
    assert check_plpgsql("SELEC ${nope};", DATASETS, PARAMETERS) == [PlaceholderError(
        "unknown_placeholder",
        "Unknown placeholder ${nope} at line 1, column 7: the module type has no dataset placeholder named 'nope'.",
        1, 7)]


def test_placeholder_inside_a_comment_is_not_an_error_but_outside_is() -> None:
    assert check("-- ${nope}\nPERFORM ${nope};") == [("unknown_placeholder", 2, 9)]


# -------------------------------------------------------------------------------------------------- helpers
def test_dummy_bindings() -> None:
    datasets = dummy_datasets(DATASETS)
    assert [(d.view, d.table_name, d.output_method) for d in datasets] == [
        ("input_emission_factors_dataset_view", "public.input_emission_factors_dataset_table", None),
        ("output_emission_factors_dataset_view", "public.output_emission_factors_dataset_table", "NEW")]
    assert [(p.variable, p.is_set) for p in dummy_parameters(PARAMETERS)] == [
        ("p_increase_factor", False), ("p_row_count", False)]


def test_split_statements_tracks_blocks() -> None:
    statements = split_statements("IF a THEN PERFORM 1; ELSE\n LOOP PERFORM ';'; END LOOP; END IF; -- x;\nPERFORM 2")
    assert [s.closers for s in statements] == ["END IF;", "END LOOP; END IF;", "END IF;", "", ""]
    assert [s.tokens[0].text for s in statements] == ["IF", "ELSE", "END", "END", "PERFORM"]


def test_slot_problems_are_reported_with_placeholder_problems() -> None:
    errors = check_plpgsql("PERFORM ${x}; #{bad-name}", [DatasetSlot("user", "IN", "t")], [ParameterSlot("p", "money", "IN")])
    assert [e.code for e in errors] == ["invalid_name", "invalid_sql_type", "unknown_placeholder", "malformed_placeholder"]
