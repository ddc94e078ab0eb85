"""Placeholders (DESIGN §6.1): scanning, validation, expansion, quoting, name patterns. Pure, no database."""

import pytest

from apps.engine.placeholders import (
    ALLOWED_SQL_TYPES,
    DatasetBinding,
    DatasetSlot,
    GeneralInfo,
    ParameterBinding,
    ParameterSlot,
    PlaceholderError,
    PlaceholderExpansionError,
    expand,
    expand_name_pattern,
    scan,
    sql_literal,
    tokenize,
    validate,
    validate_name_pattern,
)

IN_SLOT = DatasetSlot("input_options_dataset", "IN", "Options", is_optional=True)
OUT_SLOT = DatasetSlot("output_ds", "OUT", "Factors")
INOUT_SLOT = DatasetSlot("io_ds", "INOUT", "Factors")
UNSET_SLOT = DatasetSlot("extra", "IN", "Options", is_optional=True)
FACTOR = ParameterSlot("increase_factor", "double precision", "IN", is_optional=True)
LABEL = ParameterSlot("label", "text", "IN")
COUNT = ParameterSlot("row_count", "integer", "OUT")
INDEX = ParameterSlot("idx", "bigint", "INOUT")

DATASETS = [
    DatasetBinding(IN_SLOT, True, "Input Options Dataset", 156, 2, "public.ds_156", "input_options_dataset_iv"),
    DatasetBinding(OUT_SLOT, True, "Refinery Factors", 157, 0, "public.ds_157", "output_ds_ov", "NEW"),
    DatasetBinding(INOUT_SLOT, True, "Shared", 158, 3, "public.ds_158", "io_ds_iov"),
    DatasetBinding(UNSET_SLOT, False, None, None, None, None, "extra_iv"),
]
PARAMETERS = [
    ParameterBinding(FACTOR, True, "1.15", "p_increase_factor"),
    ParameterBinding(LABEL, True, "", "p_label"),
    ParameterBinding(COUNT, False, None, "p_row_count"),
    ParameterBinding(INDEX, True, "7", "p_idx"),
]
GENERAL = GeneralInfo(user_full_name="John Doe", user_id=6, user_account_name="jdoe",
                      module_name="Refinery On-Site Emissions", module_id=187, module_final=True,
                      module_project_name=None, run_id=14, run_date="11/28/2016", run_time="14:25:56.825")


def render(text: str, datasets: list[DatasetBinding] = DATASETS, parameters: list[ParameterBinding] = PARAMETERS,
           general: GeneralInfo = GENERAL) -> str:
    return expand(text, datasets, parameters, general).text


def errors_of(text: str) -> list[PlaceholderError]:
    return validate(text, [b.slot for b in DATASETS], [b.slot for b in PARAMETERS])


# ------------------------------------------------------------------------- the dataset placeholder table
@pytest.mark.parametrize(("placeholder", "expected"), [
    ("${input_options_dataset.table_name}", "public.ds_156"),  # the real table (EMF's bug: the view)
    ("${input_options_dataset.dataset_name}", "Input Options Dataset"),
    ("${input_options_dataset.dataset_id}", "156"),
    ("${input_options_dataset.version}", "2"),
    ("${input_options_dataset.view}", "input_options_dataset_iv"),
    ("${input_options_dataset}", "input_options_dataset_iv"),
    ("${input_options_dataset.mode}", "IN"),
    ("${output_ds.mode}", "OUT"),
    ("${io_ds.mode}", "INOUT"),
    ("${output_ds.output_method}", "NEW"),
    ("${input_options_dataset.output_method}", ""),
    ("${input_options_dataset.is_optional}", "TRUE"),
    ("${output_ds.is_optional}", "FALSE"),
    ("${input_options_dataset.is_set}", "TRUE"),
    ("${extra.is_set}", "FALSE"),
    ("${extra}", "extra_iv"),
    ("${extra.table_name}", ""),
    ("${extra.dataset_name}", ""),
    ("${extra.dataset_id}", ""),
    ("${extra.version}", ""),
])
def test_dataset_placeholders(placeholder: str, expected: str) -> None:
    assert render(f"SELECT {placeholder};") == f"SELECT {expected};"


def test_output_method_replace() -> None:
    binding = DatasetBinding(OUT_SLOT, True, "Target", 9, 4, "public.ds_9", "output_ds_ov", "REPLACE")
    assert render("${output_ds.output_method}", datasets=[binding]) == "REPLACE"


# ------------------------------------------------------------------------- the general placeholder table
@pytest.mark.parametrize(("placeholder", "expected"), [
    ("${user.full_name}", "John Doe"),
    ("${user.id}", "6"),
    ("${user.account_name}", "jdoe"),
    ("${module.name}", "Refinery On-Site Emissions"),
    ("${module.id}", "187"),
    ("${module.final}", "Final"),
    ("${module.project_name}", ""),
    ("${run.id}", "14"),
    ("${run.date}", "11/28/2016"),
    ("${run.time}", "14:25:56.825"),
])
def test_general_placeholders(placeholder: str, expected: str) -> None:
    assert render(f"-- x\n{placeholder}") == f"-- x\n{expected}"


def test_module_final_and_project_name_when_set_otherwise() -> None:
    general = GeneralInfo("A", 1, "a", "M", 2, False, "Team Blue", 3, "01/02/2024", "10:00:00.000")
    assert render("[${module.final}][${module.project_name}]", general=general) == "[][Team Blue]"


# ----------------------------------------------------------------------- the parameter placeholder table
@pytest.mark.parametrize(("placeholder", "expected"), [
    ("#{increase_factor}", "p_increase_factor"),
    ("#{increase_factor.sql_type}", "double precision"),
    ("#{increase_factor.mode}", "IN"),
    ("#{row_count.mode}", "OUT"),
    ("#{idx.mode}", "INOUT"),
    ("#{increase_factor.input_value}", "CAST('1.15' AS double precision)"),
    ("#{idx.input_value}", "CAST('7' AS bigint)"),
    ("#{row_count.input_value}", "NULL"),
    ("#{increase_factor.is_optional}", "TRUE"),
    ("#{label.is_optional}", "FALSE"),
    ("#{increase_factor.is_set}", "TRUE"),
    ("#{row_count.is_set}", "FALSE"),
])
def test_parameter_placeholders(placeholder: str, expected: str) -> None:
    assert render(f"x := {placeholder};") == f"x := {expected};"


def test_empty_string_is_a_value() -> None:
    assert render("#{label.is_set} #{label.input_value}") == "TRUE CAST('' AS text)"


def test_binding_refuses_is_set_inconsistent_with_value() -> None:
    with pytest.raises(ValueError):
        ParameterBinding(LABEL, False, "", "p_label")
    with pytest.raises(ValueError):
        ParameterBinding(LABEL, True, None, "p_label")


def test_injection_value_is_one_literal() -> None:
    binding = ParameterBinding(LABEL, True, "'); DROP TABLE x; --", "p_label")
    assert render("#{label.input_value}", parameters=[binding]) == "CAST('''); DROP TABLE x; --' AS text)"


def test_names_and_attributes_match_case_insensitively() -> None:
    assert render("${Input_Options_Dataset.VIEW} #{INCREASE_FACTOR} ${USER.ID}") == "input_options_dataset_iv p_increase_factor 6"


# --------------------------------------------------------------------------------------- sql_literal
def test_sql_literal_doubles_quotes() -> None:
    assert sql_literal("it's", "text") == "CAST('it''s' AS text)"
    assert sql_literal("", "varchar") == "CAST('' AS varchar)"
    assert sql_literal("a\\'b", "text") == "CAST(E'a\\\\''b' AS text)"  # a backslash: E'...', the same under any setting


@pytest.mark.parametrize("sql_type", ["money", "decimal", "text; DROP TABLE x", "Integer", "integer ", "int"])
def test_sql_literal_refuses_other_types(sql_type: str) -> None:
    with pytest.raises(ValueError):
        sql_literal("1", sql_type)


@pytest.mark.parametrize("sql_type", ALLOWED_SQL_TYPES)
def test_sql_literal_accepts_allowed_types(sql_type: str) -> None:
    assert sql_literal("1", sql_type) == f"CAST('1' AS {sql_type})"


def test_sql_literal_refuses_nul() -> None:
    with pytest.raises(ValueError):
        sql_literal("a\x00b", "text")


# ------------------------------------------------------------------------------------------- comments
def test_line_comments_are_skipped_and_kept() -> None:
    text = "SELECT 1; -- ${nothing} #{nope}\nSELECT ${extra};"
    assert errors_of(text) == []
    assert render(text) == "SELECT 1; -- ${nothing} #{nope}\nSELECT extra_iv;"


def test_block_comments_are_skipped() -> None:
    text = "/* ${nothing}\n #{nope} */ SELECT ${extra};"
    assert errors_of(text) == []
    assert render(text) == "/* ${nothing}\n #{nope} */ SELECT extra_iv;"


def test_block_comments_nest() -> None:
    text = "/* outer /* inner ${a} */ still comment ${b} */ SELECT ${extra} /* ${c} */"
    assert errors_of(text) == []
    assert render(text) == "/* outer /* inner ${a} */ still comment ${b} */ SELECT extra_iv /* ${c} */"


def test_unterminated_block_comment_runs_to_the_end() -> None:
    assert errors_of("SELECT 1; /* ${nothing}\n${nope}") == []


@pytest.mark.parametrize("text", [
    "SELECT 'it''s -- fine ${zz}'",
    "SELECT 'a /* b ${zz}'",
    'SELECT "col -- ${zz}" FROM t',
    "SELECT $$ -- ${zz} $$",
    "SELECT $tag$ /* ${zz} $tag$",
    "SELECT E'\\' -- ${zz}'",
])
def test_comment_markers_inside_literals_are_not_comments(text: str) -> None:
    errors = errors_of(text)
    assert [e.code for e in errors] == ["unknown_placeholder"]
    assert "${zz}" in errors[0].message


def test_placeholders_in_literals_are_expanded() -> None:
    assert render("RAISE NOTICE 'rows of ${extra} -- ok';") == "RAISE NOTICE 'rows of extra_iv -- ok';"
    assert render("EXECUTE $q$SELECT * FROM ${extra}$q$;") == "EXECUTE $q$SELECT * FROM extra_iv$q$;"


def test_values_are_escaped_for_the_literal_they_are_in() -> None:
    named = [DatasetBinding(IN_SLOT, True, "O'Brien \\ \"x\"", 1, 1, "public.ds_1", "v")]
    assert render("'${input_options_dataset.dataset_name}'", datasets=named) == "E'O''Brien \\\\ \"x\"'"
    assert render("E'${input_options_dataset.dataset_name}'", datasets=named) == "E'O''Brien \\\\ \"x\"'"
    assert render('"${input_options_dataset.dataset_name}"', datasets=named) == '"O\'Brien \\ ""x"""'
    assert render("'${input_options_dataset.dataset_name}", datasets=named) == "E'O''Brien \\\\ \"x\""


def test_a_plain_literal_with_a_backslash_becomes_an_escape_string() -> None:
    """'...' means something else once the algorithm sets standard_conforming_strings = off; E'...'
    (backslashes doubled, the user's own too) means the same under both settings."""
    named = [DatasetBinding(IN_SLOT, True, "a\\b", 1, 1, "public.ds_1", "v")]
    assert render("x := 'C:\\${input_options_dataset.dataset_name}';", datasets=named) == "x := E'C:\\\\a\\\\b';"
    assert render("x := 'C:\\ ${extra}';") == "x := E'C:\\\\ extra_iv';"  # the user's backslash, next to a value
    assert render("SELECT'${input_options_dataset.dataset_name}'", datasets=named) == "SELECT E'a\\\\b'"
    assert render("x := 'no backslash: ${user.full_name}';") == "x := 'no backslash: John Doe';"
    assert render("x := 'C:\\ no placeholder';") == "x := 'C:\\ no placeholder';"


def test_expansion_positions_survive_the_rewrite() -> None:
    named = [DatasetBinding(IN_SLOT, True, "a\\b", 1, 1, "public.ds_1", "v")]
    algorithm = "x := 'C:\\${input_options_dataset.dataset_name}';\nPERFORM 1/0;"
    expansion = expand(algorithm, named, [], GENERAL)
    assert expansion.line_map == [1, 2]
    offset = expansion.text.index("PERFORM")
    assert expansion.algorithm_position(offset) == (2, 1)


@pytest.mark.parametrize("algorithm", ["x := N'${input_options_dataset.dataset_name}';",
                                       "x := 'a'\n  '${input_options_dataset.dataset_name}';",
                                       "x := '${input_options_dataset.dataset_name}' -- more\n'b';"])
def test_a_backslash_value_in_a_literal_that_cannot_become_an_escape_string_is_refused(algorithm: str) -> None:
    named = [DatasetBinding(IN_SLOT, True, "a\\b", 1, 1, "public.ds_1", "v")]
    with pytest.raises(PlaceholderExpansionError) as info:
        expand(algorithm, named, [], GENERAL)
    assert [e.code for e in info.value.errors] == ["unsafe_value"]
    plain = [DatasetBinding(IN_SLOT, True, "ab", 1, 1, "public.ds_1", "v")]
    assert "ab" in expand(algorithm, plain, [], GENERAL).text  # without a backslash it means the same anyway


def test_input_value_inside_a_string_stays_inside() -> None:
    binding = ParameterBinding(LABEL, True, "'); DROP TABLE x; --", "p_label")
    text = render("EXECUTE 'INSERT INTO t VALUES (' || '#{label.input_value}' || ')';", parameters=[binding])
    assert text == "EXECUTE 'INSERT INTO t VALUES (' || 'CAST(''''''); DROP TABLE x; --'' AS text)' || ')';"


def test_value_closing_a_dollar_quote_is_refused() -> None:
    binding = ParameterBinding(LABEL, True, "x$q$; DROP TABLE t; --", "p_label")
    with pytest.raises(PlaceholderExpansionError) as info:
        expand("EXECUTE $q$SELECT #{label.input_value}$q$;", [], [binding], GENERAL)
    assert [(e.code, e.line, e.column) for e in info.value.errors] == [("unsafe_value", 1, 19)]
    named = [DatasetBinding(IN_SLOT, True, "ends with $q", 1, 1, "public.ds_1", "v")]
    with pytest.raises(PlaceholderExpansionError):  # "...$q" + "$q$" would close the quote one character early
        expand("EXECUTE $q$SELECT '${input_options_dataset.dataset_name}$q$;", named, [], GENERAL)


def test_placeholder_in_dollar_quote_with_other_tag_is_fine() -> None:
    binding = ParameterBinding(LABEL, True, "x$q$y", "p_label")
    assert render("$z$#{label.input_value}$z$", parameters=[binding]) == "$z$CAST('x$q$y' AS text)$z$"


def test_escaped_dollar_in_escape_string_is_not_a_placeholder() -> None:
    assert errors_of("SELECT E'\\${zz}';") == []


def test_identifiers_with_dollar_and_positional_parameters() -> None:
    assert render("SELECT a$b, $1, ${extra}x$ FROM t") == "SELECT a$b, $1, extra_ivx$ FROM t"


# ---------------------------------------------------------------------------------------------- scanning
def test_scan_positions() -> None:
    text = "SELECT 1;\n  INSERT INTO ${output_ds} SELECT #{increase_factor.input_value};"
    refs = scan(text)
    assert [(r.kind, r.name, r.attribute, r.line, r.column) for r in refs] == [
        ("$", "output_ds", None, 2, 15), ("#", "increase_factor", "input_value", 2, 35)]
    assert [text[r.start:r.end] for r in refs] == ["${output_ds}", "#{increase_factor.input_value}"]


def test_scan_reports_contexts() -> None:
    refs = scan("${a} '${b}' E'${c}' U&'${d}' \"${e}\" $t$${f}$t$ -- ${g}")
    assert [(r.name, r.context) for r in refs] == [
        ("a", "code"), ("b", "string"), ("c", "escape_string"), ("d", "unicode_string"), ("e", "identifier"),
        ("f", "dollar")]
    assert refs[-1].delimiter == "$t$"


def test_tokenize_keeps_comments_and_literals_whole() -> None:
    tokens = tokenize("a := 'x;y' || $$;$$; -- c;\nb")
    assert [(t.kind, t.text) for t in tokens] == [
        ("word", "a"), ("op", ":="), ("string", "'x;y'"), ("op", "||"), ("dollar", "$$;$$"), ("op", ";"),
        ("comment", "-- c;"), ("word", "b")]


# -------------------------------------------------------------------------------------------- validation
def test_unknown_dataset_placeholder() -> None:
    assert errors_of("SELECT 1;\nSELECT * FROM   ${inputs};") == [PlaceholderError(
        "unknown_placeholder",
        "Unknown placeholder ${inputs} at line 2, column 17: the module type has no dataset placeholder named 'inputs'.",
        2, 17)]


def test_unknown_parameter_placeholder() -> None:
    assert errors_of("x := #{factor} + 1;") == [PlaceholderError(
        "unknown_placeholder",
        "Unknown placeholder #{factor} at line 1, column 6: the module type has no parameter named 'factor'.", 1, 6)]


def test_unknown_dataset_attribute() -> None:
    assert errors_of("\n\n   ${output_ds.tablename}") == [PlaceholderError(
        "unknown_attribute",
        "Unknown attribute 'tablename' in ${output_ds.tablename} at line 3, column 4; a dataset placeholder has: "
        "table_name, dataset_name, dataset_id, version, view, mode, output_method, is_optional, is_set.", 3, 4)]


def test_unknown_parameter_attribute() -> None:
    assert errors_of("#{label.value}") == [PlaceholderError(
        "unknown_attribute",
        "Unknown attribute 'value' in #{label.value} at line 1, column 1; a parameter has: "
        "sql_type, mode, input_value, is_optional, is_set.", 1, 1)]


def test_unknown_general_placeholder() -> None:
    assert errors_of("SELECT '${user.email}';") == [PlaceholderError(
        "unknown_general_placeholder",
        "Unknown general placeholder ${user.email} at line 1, column 9; use one of ${user.full_name}, ${user.id}, "
        "${user.account_name}.", 1, 9)]
    assert [e.code for e in errors_of("${run} ${module.final_flag}")] == ["unknown_general_placeholder"] * 2


@pytest.mark.parametrize(("text", "shown", "column"), [
    ("SELECT ${input_options_dataset", "${input_options_dataset", 8),
    ("SELECT ${ bad }", "${ bad }", 8),
    ("SELECT #{}", "#{}", 8),
    ("SELECT ${a.b.c}", "${a.b.c}", 8),
    ("SELECT ${1abc}", "${1abc}", 8),
    ("SELECT 'x #{label'", "#{label", 11),
])
def test_malformed_placeholders(text: str, shown: str, column: int) -> None:
    errors = errors_of(text)
    assert [(e.code, e.line, e.column) for e in errors] == [("malformed_placeholder", 1, column)]
    assert repr(shown) in errors[0].message


def test_all_problems_are_reported_in_order() -> None:
    errors = errors_of("${a}\n#{b} ${extra.x}\n${user.x}")
    assert [(e.code, e.line, e.column) for e in errors] == [
        ("unknown_placeholder", 1, 1), ("unknown_placeholder", 2, 1), ("unknown_attribute", 2, 6),
        ("unknown_general_placeholder", 3, 1)]


@pytest.mark.parametrize("name", ["bad-name", "1abc", "", "a" * 59, "with space", "é"])
def test_invalid_slot_names(name: str) -> None:
    errors = validate("", [DatasetSlot(name, "IN", "t")], [ParameterSlot(name, "text", "IN")])
    assert [e.code for e in errors] == ["invalid_name", "invalid_name"]
    assert repr(name) in errors[0].message


def test_longest_valid_name() -> None:
    name = "a" * 58
    slot = DatasetSlot(name, "IN", "t")
    assert validate("${" + name + "}", [slot], []) == []


@pytest.mark.parametrize("name", ["user", "module", "run", "User"])
def test_dataset_placeholder_cannot_take_a_general_prefix(name: str) -> None:
    errors = validate("", [DatasetSlot(name, "IN", "t")], [])
    assert [e.code for e in errors] == ["invalid_name"]
    assert "reserved" in errors[0].message


def test_parameters_may_be_called_like_general_prefixes() -> None:
    assert validate("#{run}", [], [ParameterSlot("run", "integer", "IN")]) == []


def test_duplicate_names() -> None:
    errors = validate("", [DatasetSlot("a", "IN", "t"), DatasetSlot("A", "OUT", "t")],
                      [ParameterSlot("p", "text", "IN"), ParameterSlot("p", "integer", "OUT")])
    assert [(e.code, e.message) for e in errors] == [
        ("duplicate_name", "Duplicate dataset placeholder name 'A'."),
        ("duplicate_name", "Duplicate parameter name 'p'.")]


def test_parameter_type_must_be_allowed() -> None:
    errors = validate("", [], [ParameterSlot("p", "money", "IN")])
    assert [e.code for e in errors] == ["invalid_sql_type"]


def test_expand_raises_with_all_errors() -> None:
    with pytest.raises(PlaceholderExpansionError) as info:
        expand("${nope} #{nope}", DATASETS, PARAMETERS, GENERAL)
    assert [e.code for e in info.value.errors] == ["unknown_placeholder", "unknown_placeholder"]


def test_bindings_refuse_unsafe_names() -> None:
    with pytest.raises(ValueError):
        DatasetBinding(IN_SLOT, True, "x", 1, 1, "public.ds_1; DROP TABLE t", "v")
    with pytest.raises(ValueError):
        DatasetBinding(IN_SLOT, True, "x", 1, 1, "public.ds_1", "v v")
    with pytest.raises(ValueError):
        ParameterBinding(LABEL, True, "x", "p x")
    with pytest.raises(ValueError):
        DatasetSlot("a", "BOTH", "t")  # type: ignore[arg-type]


# ----------------------------------------------------------------------------------------------- line map
def test_line_map_is_identity_without_newlines_in_values() -> None:
    expansion = expand("SELECT ${extra};\n-- ${x}\n\nPERFORM #{label.input_value};", DATASETS, PARAMETERS, GENERAL)
    assert expansion.line_map == [1, 2, 3, 4]


def test_line_map_follows_newlines_in_values() -> None:
    binding = ParameterBinding(LABEL, True, "two\nlines\n", "p_label")
    expansion = expand("SELECT 1;\nx := #{label.input_value}; y := 2;\nSELECT 3;", [], [binding], GENERAL)
    assert expansion.text == "SELECT 1;\nx := CAST('two\nlines\n' AS text); y := 2;\nSELECT 3;"
    assert expansion.line_map == [1, 2, 2, 2, 3]


def test_expanded_positions_map_back_to_the_algorithm() -> None:
    expansion = expand("x := #{increase_factor} + #{idx};", DATASETS, PARAMETERS, GENERAL)
    assert expansion.text == "x := p_increase_factor + p_idx;"
    assert expansion.algorithm_position(expansion.text.index("+")) == (1, 25)
    assert expansion.algorithm_position(expansion.text.index("p_idx") + 2) == (1, 27)  # inside → the '#'
    assert expansion.algorithm_position_at(1, 31) == (1, 33)  # the ;
    assert expansion.algorithm_position_at(2, 1) is None


# ------------------------------------------------------------------------------------------ name patterns
def test_name_pattern_from_the_emf_document() -> None:
    general = GeneralInfo("John Doe", 6, "jdoe", "Refinery", 187, False, None, 43, "12/05/2016", "09:45:17.291")
    pattern = "Refinery On-Site Emissions #${run.id} ${user.full_name} ${run.date} ${run.time}"
    assert expand_name_pattern(pattern, general) == "Refinery On-Site Emissions #43 John Doe 12/05/2016 09:45:17.291"


def test_name_pattern_uses_every_general_placeholder() -> None:
    pattern = "${user.full_name}|${user.id}|${user.account_name}|${module.name}|${module.id}|${module.final}|" \
              "${module.project_name}|${run.id}|${run.date}|${run.time}"
    assert expand_name_pattern(pattern, GENERAL) == \
        "John Doe|6|jdoe|Refinery On-Site Emissions|187|Final||14|11/28/2016|14:25:56.825"


def test_name_pattern_is_plain_text() -> None:
    assert expand_name_pattern("it's -- ${run.id} /* ${user.id}", GENERAL) == "it's -- 14 /* 6"


@pytest.mark.parametrize(("pattern", "code", "column"), [
    ("Out ${output_ds}", "unknown_placeholder", 5),
    ("Out #{label} x", "unknown_placeholder", 5),
    ("Out #${run.idd}", "unknown_general_placeholder", 6),
    ("Out ${run.id", "malformed_placeholder", 5),
])
def test_name_pattern_refuses_other_placeholders(pattern: str, code: str, column: int) -> None:
    assert [(e.code, e.line, e.column) for e in validate_name_pattern(pattern)] == [(code, 1, column)]
    with pytest.raises(PlaceholderExpansionError):
        expand_name_pattern(pattern, GENERAL)
