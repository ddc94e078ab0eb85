"""EMF placeholders (DESIGN §6.1): scanning, validation and expansion of algorithm text (no Django).

Exactly the three placeholder tables of the EMF document are supported:
- dataset: ``${ph}``, ``${ph.table_name|dataset_name|dataset_id|version|view|mode|output_method|is_optional|is_set}``
- general: ``${user.full_name|id|account_name}``, ``${module.name|id|final|project_name}``, ``${run.id|date|time}``
- parameter: ``#{p}``, ``#{p.sql_type|mode|input_value|is_optional|is_set}``

Names and attributes match case-insensitively (as in EMF). Placeholders in ``--`` and (nested)
``/* */`` comments are ignored and left as they are; placeholders in string literals, quoted
identifiers and dollar-quoted strings are expanded, and the replacement is escaped for that context
(quotes doubled inside '...', backslashes too inside E'...'), so a value can never end the literal it
was written in, whatever the algorithm sets before it: a '...' literal whose expanded content holds a
backslash is written E'...' (backslashes doubled), which `SET standard_conforming_strings = off`
does not change, and values become literals through `quote_text` alone. In plain code the
replacement is inserted as the tables define it.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Literal

Mode = Literal["IN", "INOUT", "OUT"]
OutputMethod = Literal["NEW", "REPLACE"]

ALLOWED_SQL_TYPES = ("integer", "bigint", "double precision", "numeric", "varchar", "text", "boolean",
                     "date", "timestamp")
DATASET_ATTRIBUTES = ("table_name", "dataset_name", "dataset_id", "version", "view", "mode", "output_method",
                      "is_optional", "is_set")
PARAMETER_ATTRIBUTES = ("sql_type", "mode", "input_value", "is_optional", "is_set")
GENERAL_PLACEHOLDERS: dict[str, tuple[str, ...]] = {
    "user": ("full_name", "id", "account_name"),
    "module": ("name", "id", "final", "project_name"),
    "run": ("id", "date", "time"),
}
MODES = ("IN", "INOUT", "OUT")
NAME_MAX_LENGTH = 58

NAME_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,57}", re.ASCII)
PLACEHOLDER_RE = re.compile(r"([$#])\{([A-Za-z_][A-Za-z0-9_]*)(?:\.([A-Za-z_][A-Za-z0-9_]*))?\}", re.ASCII)
MALFORMED_SNIPPET_RE = re.compile(r"[$#]\{[^}\n]{0,40}\}?")
OPENING_RE = re.compile(r"[$#]\{")
SQL_IDENTIFIER_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_$]{0,62}(\.[A-Za-z_][A-Za-z0-9_$]{0,62})?", re.ASCII)
VARIABLE_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,62}", re.ASCII)
DOLLAR_TAG_RE = re.compile(r"\$(?:[A-Za-z_\u0080-\U0010ffff][A-Za-z0-9_\u0080-\U0010ffff]*)?\$")
PARAM_RE = re.compile(r"\$\d+")
WHITESPACE = " \t\n\r\f\v"
SPACE_RE = re.compile(r"[ \t\n\r\f\v]+")
# Identifiers may contain digits, _ and $ (but `${` starts a placeholder); non-ASCII counts as a letter.
WORD_RE = re.compile(r"[A-Za-z_\u0080-\U0010ffff](?:[A-Za-z0-9_\u0080-\U0010ffff]|\$(?!\{))*")
NUMBER_RE = re.compile(r"(?:\d+(?:\.(?!\.)\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
TWO_CHAR_OPERATORS = (":=", "::", "..", "<<", ">>", "<=", ">=", "<>", "!=", "=>", "||")

# Lexical contexts a placeholder can sit in.
CODE, STRING, ESCAPE_STRING, UNICODE_STRING, IDENTIFIER, DOLLAR = (
    "code", "string", "escape_string", "unicode_string", "identifier", "dollar")


# --------------------------------------------------------------------------------------------- slots
@dataclass(frozen=True)
class DatasetSlot:
    placeholder: str
    mode: Mode
    dataset_type: str
    is_optional: bool = False

    def __post_init__(self) -> None:
        _check_mode(self.mode)


@dataclass(frozen=True)
class ParameterSlot:
    name: str
    sql_type: str
    mode: Mode
    is_optional: bool = False

    def __post_init__(self) -> None:
        _check_mode(self.mode)


def _check_mode(mode: str) -> None:
    if mode not in MODES:
        raise ValueError(f"mode must be one of {', '.join(MODES)}, not {mode!r}")


# ------------------------------------------------------------------------------------------ bindings
@dataclass(frozen=True)
class DatasetBinding:
    """A dataset slot at run time. `table_name` is the real table (e.g. ``public.ds_12``), `view` the run's view."""

    slot: DatasetSlot
    is_set: bool
    dataset_name: str | None
    dataset_id: int | None
    version: int | None
    table_name: str | None
    view: str
    output_method: OutputMethod | None = None

    def __post_init__(self) -> None:
        _check_sql_name(self.view, "view")
        if self.table_name is not None:
            _check_sql_name(self.table_name, "table_name")
        if self.output_method not in (None, "NEW", "REPLACE"):
            raise ValueError(f"output_method must be NEW, REPLACE or None, not {self.output_method!r}")


@dataclass(frozen=True)
class ParameterBinding:
    """A parameter slot at run time. `is_set` is true exactly when a value was given (the empty string is a value)."""

    slot: ParameterSlot
    is_set: bool
    input_value: str | None
    variable: str

    def __post_init__(self) -> None:
        if not VARIABLE_RE.fullmatch(self.variable):
            raise ValueError(f"invalid PL/pgSQL variable name {self.variable!r}")
        if self.is_set != (self.input_value is not None):
            raise ValueError("is_set must be true exactly when input_value is not None (the empty string is a value)")


@dataclass(frozen=True)
class GeneralInfo:
    user_full_name: str
    user_id: int
    user_account_name: str
    module_name: str
    module_id: int
    module_final: bool
    module_project_name: str | None
    run_id: int
    run_date: str
    run_time: str


def _check_sql_name(name: str, what: str) -> None:
    if not SQL_IDENTIFIER_RE.fullmatch(name):
        raise ValueError(f"{what} must be a plain SQL name such as public.ds_12, not {name!r}")


# ---------------------------------------------------------------------------------------------- errors
@dataclass(frozen=True)
class PlaceholderError:
    """A problem with a placeholder or a slot; `line`/`column` are 1-based (None for slot-level problems)."""

    code: str
    message: str
    line: int | None = None
    column: int | None = None


class PlaceholderExpansionError(ValueError):
    def __init__(self, errors: Sequence[PlaceholderError]) -> None:
        self.errors = list(errors)
        super().__init__("; ".join(e.message for e in self.errors))


# -------------------------------------------------------------------------------------------- lexing
@dataclass(frozen=True)
class Token:
    """One lexical token of PL/pgSQL text. `kind`: word, qident, string, dollar, number, param, op,
    placeholder, comment. `flavor`: the string kind (string/escape_string/unicode_string), the dollar
    delimiter, or "malformed" for a placeholder opening without a valid closing. `closed` is false for
    a literal or block comment that runs to the end of the text."""

    kind: str
    start: int
    end: int
    text: str
    flavor: str = ""
    closed: bool = True


def tokenize(text: str) -> list[Token]:
    """Splits text into tokens (whitespace dropped, comments kept as `comment` tokens)."""
    tokens: list[Token] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c in WHITESPACE:
            i = SPACE_RE.match(text, i).end()  # type: ignore[union-attr]
            continue
        if (c.isalpha() or c == "_" or ord(c) >= 0x80) and not (
                c in "eEuUbBxXnN" and text[i + 1:i + 2] in ("'", "&")):
            end = WORD_RE.match(text, i).end()  # type: ignore[union-attr]
            tokens.append(Token("word", i, end, text[i:end]))
            i = end
            continue
        kind, end, flavor, closed = _next_token(text, i)
        tokens.append(Token(kind, i, end, text[i:end], flavor, closed))
        i = end
    return tokens


def _next_token(text: str, i: int) -> tuple[str, int, str, bool]:
    c, nxt = text[i], text[i + 1:i + 2]
    if text.startswith("--", i):
        end = text.find("\n", i)
        return "comment", len(text) if end < 0 else end, "", True
    if text.startswith("/*", i):
        end, closed = _block_comment_end(text, i)
        return "comment", end, "", closed
    literal = _literal_token(text, i, c, nxt)
    if literal is not None:
        return literal
    if c in "$#" and nxt == "{":
        match = PLACEHOLDER_RE.match(text, i)
        return ("placeholder", match.end(), "", True) if match else ("placeholder", i + 2, "malformed", True)
    if c == "$":
        return _dollar_token(text, i)
    if c.isalpha() or c == "_" or ord(c) >= 0x80:
        return "word", WORD_RE.match(text, i).end(), "", True  # type: ignore[union-attr]
    number = NUMBER_RE.match(text, i)
    if number:
        return "number", number.end(), "", True
    two = text[i:i + 2]
    return "op", i + (2 if two in TWO_CHAR_OPERATORS else 1), "", True


def _literal_token(text: str, i: int, c: str, nxt: str) -> tuple[str, int, str, bool] | None:
    """'...', E'...', U&'...', U&"...", B'...', X'...', N'...' and "..."; None if none starts at i."""
    if c == "'":
        kind, content, quote, flavor = "string", i + 1, "'", STRING
    elif c in "eE" and nxt == "'":
        kind, content, quote, flavor = "string", i + 2, "'", ESCAPE_STRING
    elif c in "uU" and text[i + 1:i + 3] in ("&'", '&"'):
        quote = text[i + 2]
        kind, content, flavor = ("string" if quote == "'" else "qident"), i + 3, UNICODE_STRING
    elif c in "bBxXnN" and nxt == "'":
        kind, content, quote, flavor = "string", i + 2, "'", STRING
    elif c == '"':
        kind, content, quote, flavor = "qident", i + 1, '"', IDENTIFIER
    else:
        return None
    end, closed = _quoted_end(text, content, quote, escapes=flavor == ESCAPE_STRING)
    return kind, end, flavor, closed


def _block_comment_end(text: str, i: int) -> tuple[int, bool]:
    """End of a block comment and whether it is closed; PostgreSQL block comments nest."""
    depth, j, n = 1, i + 2, len(text)
    while j < n and depth:
        if text.startswith("/*", j):
            depth, j = depth + 1, j + 2
        elif text.startswith("*/", j):
            depth, j = depth - 1, j + 2
        else:
            j += 1
    return j, depth == 0


def _quoted_end(text: str, j: int, quote: str, *, escapes: bool) -> tuple[int, bool]:
    """End (after the closing quote) of a literal whose content starts at j, and whether it is closed."""
    n = len(text)
    while j < n:
        ch = text[j]
        if escapes and ch == "\\":
            j += 2
            continue
        if ch == quote:
            if text.startswith(quote, j + 1):
                j += 2
                continue
            return j + 1, True
        j += 1
    return n, False


def _dollar_token(text: str, i: int) -> tuple[str, int, str, bool]:
    param = PARAM_RE.match(text, i)
    if param:
        return "param", param.end(), "", True
    tag = DOLLAR_TAG_RE.match(text, i)
    if not tag:
        return "op", i + 1, "", True
    delimiter = tag.group()
    close = text.find(delimiter, tag.end())
    if close < 0:
        return "dollar", len(text), delimiter, False
    return "dollar", close + len(delimiter), delimiter, True


# ------------------------------------------------------------------------------------------- scanning
@dataclass(frozen=True)
class PlaceholderRef:
    """One placeholder occurrence. `start`/`end` are offsets in the text; `line`/`column` are 1-based.
    `context` is where it sits (code, string, escape_string, unicode_string, identifier, dollar);
    `delimiter` is the enclosing dollar quote's delimiter. A `malformed` ref has no name."""

    kind: Literal["$", "#"]
    name: str
    attribute: str | None
    line: int
    column: int
    start: int
    end: int
    text: str
    context: str = CODE
    delimiter: str = ""
    malformed: bool = False


class _Lines:
    """Offset → (line, column), both 1-based."""

    def __init__(self, text: str) -> None:
        self.starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def position(self, offset: int) -> tuple[int, int]:
        index = bisect.bisect_right(self.starts, offset) - 1
        return index + 1, offset - self.starts[index] + 1


def line_column(text: str, offset: int) -> tuple[int, int]:
    """The 1-based line and column of an offset in text."""
    return _Lines(text).position(offset)


def scan(algorithm: str) -> list[PlaceholderRef]:
    """All placeholders outside comments, in text order (malformed openings included, flagged)."""
    lines = _Lines(algorithm)
    refs: list[PlaceholderRef] = []
    for token in tokenize(algorithm):
        if token.kind == "placeholder":
            refs.append(_make_ref(algorithm, lines, token.start, CODE, ""))
        elif token.kind in ("string", "qident", "dollar"):
            refs.extend(_refs_in_literal(algorithm, lines, token))
    return refs


def _refs_in_literal(text: str, lines: _Lines, token: Token) -> Iterable[PlaceholderRef]:
    start, end, context, delimiter = _literal_content(token)
    escapes = context == ESCAPE_STRING
    j = start
    while j < end - 1:
        if escapes and text[j] == "\\":
            j += 2
            continue
        if text[j] in "$#" and text[j + 1] == "{":
            ref = _make_ref(text, lines, j, context, delimiter, endpos=end)
            yield ref
            j = ref.end if not ref.malformed else j + 2
            continue
        j += 1


def _literal_content(token: Token) -> tuple[int, int, str, str]:
    """(content start, content end, context, dollar delimiter) of a string/qident/dollar token."""
    if token.kind == "dollar":
        delimiter = token.flavor
        end = token.end - len(delimiter) if token.closed else token.end
        return token.start + len(delimiter), end, DOLLAR, delimiter
    quote = "'" if token.kind == "string" else '"'
    start = token.start + token.text.index(quote) + 1
    end = token.end - 1 if token.closed else token.end
    if token.kind == "qident":
        return start, end, (UNICODE_STRING if token.flavor == UNICODE_STRING else IDENTIFIER), ""
    return start, end, token.flavor, ""


def _make_ref(text: str, lines: _Lines, start: int, context: str, delimiter: str,
              endpos: int | None = None) -> PlaceholderRef:
    line, column = lines.position(start)
    kind: Literal["$", "#"] = "$" if text[start] == "$" else "#"
    match = PLACEHOLDER_RE.match(text, start, len(text) if endpos is None else endpos)
    if match:
        return PlaceholderRef(kind, match.group(2), match.group(3), line, column, start, match.end(),
                              match.group(), context, delimiter)
    snippet = MALFORMED_SNIPPET_RE.match(text, start, len(text) if endpos is None else endpos)
    shown = snippet.group() if snippet else text[start:start + 2]
    return PlaceholderRef(kind, "", None, line, column, start, start + 2, shown, context, delimiter, malformed=True)


# ----------------------------------------------------------------------------------------- validation
def validate(algorithm: str, dataset_slots: Sequence[DatasetSlot],
             parameter_slots: Sequence[ParameterSlot]) -> list[PlaceholderError]:
    """Slot-name problems first, then every placeholder problem in text order."""
    return _validate_refs(scan(algorithm), dataset_slots, parameter_slots)


def _validate_refs(refs: Sequence[PlaceholderRef], dataset_slots: Sequence[DatasetSlot],
                   parameter_slots: Sequence[ParameterSlot]) -> list[PlaceholderError]:
    errors = validate_slots(dataset_slots, parameter_slots)
    datasets = {s.placeholder.lower() for s in dataset_slots}
    parameters = {s.name.lower() for s in parameter_slots}
    for ref in refs:
        error = _check_ref(ref, datasets, parameters)
        if error is not None:
            errors.append(error)
    return errors


def validate_slots(dataset_slots: Sequence[DatasetSlot],
                   parameter_slots: Sequence[ParameterSlot]) -> list[PlaceholderError]:
    """invalid_name / duplicate_name for slot names, invalid_sql_type for parameter types."""
    errors = slot_name_errors([s.placeholder for s in dataset_slots], [s.name for s in parameter_slots])
    for slot in parameter_slots:
        if slot.sql_type not in ALLOWED_SQL_TYPES:
            errors.append(PlaceholderError(
                "invalid_sql_type", f"Parameter {slot.name!r} has SQL type {slot.sql_type!r}, which is not "
                f"one of the allowed types: {', '.join(ALLOWED_SQL_TYPES)}."))
    return errors


# The slot-name rules live here and nowhere else (issue 11): moduletypes adds only database checks
# (known dataset types) and the frontend checks its copy against vectors made from these functions
# (frontend/src/pages/moduletypes/slotNameRules.json, tests/engine/test_slot_name_rules.py).
def slot_name_rules() -> dict[str, object]:
    """What a frontend needs to check names as this module does (its messages come with the vectors)."""
    return {"name_pattern": NAME_RE.pattern, "max_length": NAME_MAX_LENGTH,
            "reserved_dataset_placeholders": sorted(GENERAL_PLACEHOLDERS)}


def slot_name_errors(dataset_placeholders: Sequence[str], parameter_names: Sequence[str]) -> list[PlaceholderError]:
    """The names of a version's slots: letters, digits and _ (not starting with a digit), at most
    58 characters; a dataset placeholder may not take a general placeholder's name (`${run}` would be
    ambiguous), a parameter may (`#{run}` is not); no two slots share a name, whatever their kind or
    case. Dataset placeholders first, then parameters, each in order."""
    seen: set[str] = set()
    errors = _check_names(dataset_placeholders, "dataset placeholder", reserved=True, seen=seen)
    errors += _check_names(parameter_names, "parameter", reserved=False, seen=seen)
    return errors


def _check_names(names: Sequence[str], what: str, *, reserved: bool, seen: set[str]) -> list[PlaceholderError]:
    errors: list[PlaceholderError] = []
    for name in names:
        if not NAME_RE.fullmatch(name):
            errors.append(PlaceholderError(
                "invalid_name", f"Invalid {what} name {name!r}: use letters, digits and underscores, "
                f"start with a letter or an underscore, at most {NAME_MAX_LENGTH} characters."))
        elif reserved and name.lower() in GENERAL_PLACEHOLDERS:
            errors.append(PlaceholderError(
                "invalid_name", f"Invalid {what} name {name!r}: it is reserved for the general placeholders "
                f"${{{name.lower()}.*}}."))
        elif name.lower() in seen:
            errors.append(PlaceholderError("duplicate_name", f"Duplicate {what} name {name!r}."))
        seen.add(name.lower())
    return errors


def _check_ref(ref: PlaceholderRef, datasets: set[str], parameters: set[str]) -> PlaceholderError | None:
    where = f"at line {ref.line}, column {ref.column}"
    if ref.malformed:
        return _error(ref, "malformed_placeholder", f"Malformed placeholder {ref.text!r} {where}: expected "
                      f"{ref.kind}{{name}} or {ref.kind}{{name.attribute}} with a closing '}}'.")
    name, attribute = ref.name.lower(), (ref.attribute or "").lower() or None
    if ref.kind == "$" and name in GENERAL_PLACEHOLDERS:
        allowed = GENERAL_PLACEHOLDERS[name]
        if attribute in allowed:
            return None
        options = ", ".join(f"${{{name}.{a}}}" for a in allowed)
        return _error(ref, "unknown_general_placeholder",
                      f"Unknown general placeholder {ref.text} {where}; use one of {options}.")
    known, attributes, what = ((datasets, DATASET_ATTRIBUTES, "dataset placeholder") if ref.kind == "$"
                               else (parameters, PARAMETER_ATTRIBUTES, "parameter"))
    if name not in known:
        return _error(ref, "unknown_placeholder",
                      f"Unknown placeholder {ref.text} {where}: the module type has no {what} named {ref.name!r}.")
    if attribute is not None and attribute not in attributes:
        return _error(ref, "unknown_attribute",
                      f"Unknown attribute {ref.attribute!r} in {ref.text} {where}; a {what} has: "
                      f"{', '.join(attributes)}.")
    return None


def _error(ref: PlaceholderRef, code: str, message: str) -> PlaceholderError:
    return PlaceholderError(code, message, ref.line, ref.column)


# ------------------------------------------------------------------------------------------ rendering
def quote_text(value: str) -> str:
    """The one literal-quoting function: a string literal that means `value` whatever the session's
    `standard_conforming_strings` (an algorithm may switch it off before the literal is parsed):
    ``'...'`` with quotes doubled when the value has no backslash (the two settings only differ on
    backslashes), else ``E'...'`` with backslashes and quotes doubled. NUL bytes are refused."""
    if "\x00" in value:
        raise ValueError("a value cannot contain a NUL byte")
    if "\\" in value:
        return "E'" + value.replace("\\", "\\\\").replace("'", "''") + "'"
    return "'" + value.replace("'", "''") + "'"


def check_sql_type(sql_type: str) -> str:
    """Returns the type if it is one of ALLOWED_SQL_TYPES (it is inserted verbatim), else ValueError."""
    if sql_type not in ALLOWED_SQL_TYPES:
        raise ValueError(f"SQL type {sql_type!r} is not one of: {', '.join(ALLOWED_SQL_TYPES)}")
    return sql_type


def sql_literal(value: str, sql_type: str) -> str:
    """The one quoting function for values: ``CAST(<quote_text(value)> AS <type>)``."""
    return f"CAST({quote_text(value)} AS {check_sql_type(sql_type)})"


def _bool(value: bool) -> str:
    return "TRUE" if value else "FALSE"


def _number(value: int | None) -> str:
    return "" if value is None else str(int(value))


def render_dataset(binding: DatasetBinding, attribute: str | None) -> str:
    """The text of ${ph} / ${ph.attribute} in code."""
    slot = binding.slot
    values = {
        None: binding.view, "view": binding.view,
        "table_name": binding.table_name or "",
        "dataset_name": binding.dataset_name or "",
        "dataset_id": _number(binding.dataset_id),
        "version": _number(binding.version),
        "mode": slot.mode,
        "output_method": (binding.output_method or "") if slot.mode == "OUT" else "",
        "is_optional": _bool(slot.is_optional),
        "is_set": _bool(binding.is_set),
    }
    return values[attribute]


def render_parameter(binding: ParameterBinding, attribute: str | None) -> str:
    """The text of #{p} / #{p.attribute} in code."""
    slot = binding.slot
    if attribute == "input_value":
        return "NULL" if binding.input_value is None else sql_literal(binding.input_value, slot.sql_type)
    values = {
        None: binding.variable,
        "sql_type": check_sql_type(slot.sql_type),
        "mode": slot.mode,
        "is_optional": _bool(slot.is_optional),
        "is_set": _bool(binding.is_set),
    }
    return values[attribute]


def render_general(general: GeneralInfo, name: str, attribute: str) -> str:
    """The text of ${user.x} / ${module.x} / ${run.x}."""
    values = {
        ("user", "full_name"): general.user_full_name,
        ("user", "id"): str(general.user_id),
        ("user", "account_name"): general.user_account_name,
        ("module", "name"): general.module_name,
        ("module", "id"): str(general.module_id),
        ("module", "final"): "Final" if general.module_final else "",
        ("module", "project_name"): general.module_project_name or "",
        ("run", "id"): str(general.run_id),
        ("run", "date"): general.run_date,
        ("run", "time"): general.run_time,
    }
    return values[(name, attribute)]


def escape_for_context(text: str, context: str) -> str:
    """Escapes a replacement so it stays inside the literal it was written in."""
    if context in (STRING, ESCAPE_STRING, UNICODE_STRING) and "\x00" in text:
        raise ValueError("a value cannot contain a NUL byte")
    if context == STRING:
        return text.replace("'", "''")
    if context in (ESCAPE_STRING, UNICODE_STRING):
        return text.replace("\\", "\\\\").replace("'", "''")
    if context == IDENTIFIER:
        return text.replace('"', '""')
    return text


# ------------------------------------------------------------------------------------------ expansion
@dataclass(frozen=True)
class Replacement:
    """A placeholder at algorithm[alg_start:alg_end] became text[exp_start:exp_end]."""

    alg_start: int
    alg_end: int
    exp_start: int
    exp_end: int


@dataclass(frozen=True)
class Expansion:
    """The expanded text; `line_map[i]` is the 1-based algorithm line of expanded line i+1."""

    text: str
    line_map: list[int]
    algorithm: str = ""
    replacements: tuple[Replacement, ...] = field(default=())

    @cached_property
    def _starts(self) -> list[int]:
        return [r.exp_start for r in self.replacements]

    def algorithm_offset(self, offset: int) -> int:
        """Maps an offset in `text` to the algorithm (inside a replacement: the placeholder's start)."""
        offset = max(0, min(offset, len(self.text)))
        index = bisect.bisect_right(self._starts, offset) - 1
        if index < 0:
            return offset
        rep = self.replacements[index]
        if offset < rep.exp_end:
            return rep.alg_start
        return rep.alg_end + (offset - rep.exp_end)

    def algorithm_position(self, offset: int) -> tuple[int, int]:
        """Maps an offset in `text` to a 1-based (line, column) of the algorithm."""
        return line_column(self.algorithm, self.algorithm_offset(offset))

    def algorithm_position_at(self, line: int, column: int) -> tuple[int, int] | None:
        """Maps a 1-based (line, column) of `text` to the algorithm; None if the line does not exist."""
        starts = _Lines(self.text).starts
        if not 1 <= line <= len(starts):
            return None
        return self.algorithm_position(starts[line - 1] + max(column, 1) - 1)


def expand(algorithm: str, datasets: Sequence[DatasetBinding], parameters: Sequence[ParameterBinding],
           general: GeneralInfo) -> Expansion:
    """Replaces every placeholder outside comments; raises PlaceholderExpansionError if any is invalid."""
    refs = scan(algorithm)
    errors = _validate_refs(refs, [b.slot for b in datasets], [b.slot for b in parameters])
    if errors:
        raise PlaceholderExpansionError(errors)
    by_dataset = {b.slot.placeholder.lower(): b for b in datasets}
    by_parameter = {b.slot.name.lower(): b for b in parameters}
    edits = [_Edit(ref.start, ref.end, escape_for_context(_render_ref(ref, by_dataset, by_parameter, general),
                                                          ref.context)) for ref in refs]
    if any(ref.context == STRING for ref in refs):
        edits = _strings_for_any_setting(algorithm, edits)
    parts: list[str] = []
    replacements: list[Replacement] = []
    position = length = 0
    for edit in edits:
        parts.append(algorithm[position:edit.start])
        length += edit.start - position
        replacements.append(Replacement(edit.start, edit.end, length, length + len(edit.text)))
        parts.append(edit.text)
        length += len(edit.text)
        position = edit.end
    parts.append(algorithm[position:])
    result = Expansion("".join(parts), [], algorithm, tuple(replacements))
    if any(ref.context == DOLLAR for ref in refs):
        _check_dollar_quotes(result)
    return Expansion(result.text, _line_map(result), algorithm, result.replacements)


@dataclass(frozen=True)
class _Edit:
    """algorithm[start:end] becomes text (start == end: text is inserted)."""

    start: int
    end: int
    text: str


def _strings_for_any_setting(algorithm: str, edits: list[_Edit]) -> list[_Edit]:
    """A plain '...' literal holding a placeholder whose expanded content has a backslash becomes
    E'...' with its backslashes doubled: it means what it means today, and the same after the
    algorithm runs `SET standard_conforming_strings = off` (when a backslash would otherwise escape
    a doubled quote of the value, which then ends the literal). A literal without a backslash means
    the same under both settings and is left alone. `edits` are the placeholders', in text order."""
    tokens = tokenize(algorithm)
    added: list[_Edit] = []
    errors: list[PlaceholderError] = []
    for index, token in enumerate(tokens):
        if token.kind != "string" or token.flavor != STRING or token.text[0] in "bBxX":
            continue  # bit strings read no backslash escapes under either setting
        start, end, _, _ = _literal_content(token)
        inside = [e for e in edits if start <= e.start < end]
        if not inside or not ("\\" in algorithm[start:end] or any("\\" in e.text for e in inside)):
            continue
        if token.text[0] in "nN" or _continued(algorithm, tokens, index):
            line, column = line_column(algorithm, inside[0].start)
            errors.append(PlaceholderError(
                "unsafe_value", f"The string literal holding the placeholder at line {line}, column {column} "
                "would contain a backslash; write it as one E'...' literal so that it means the same whatever "
                "standard_conforming_strings is.", line, column))
            continue
        glued = token.start > 0 and (algorithm[token.start - 1].isalnum() or algorithm[token.start - 1] in "_$")
        added.append(_Edit(token.start, token.start, " E" if glued else "E"))
        added += [_Edit(i, i + 1, "\\\\") for i in range(start, end) if algorithm[i] == "\\"]
        for edit in inside:
            added.append(_Edit(edit.start, edit.end, edit.text.replace("\\", "\\\\")))
    if errors:
        raise PlaceholderExpansionError(errors)
    rewritten = {(e.start, e.end) for e in added if e.start < e.end}
    return sorted([*(e for e in edits if (e.start, e.end) not in rewritten), *added], key=lambda e: (e.start, e.end))


def _continued(algorithm: str, tokens: Sequence[Token], index: int) -> bool:
    """Whether a string token is part of a literal continued over a newline ('a'<newline>'b'): its
    first part's opening decides how PostgreSQL reads all of them."""
    def joined(first: Token, second: Token) -> bool:
        return first.kind == "string" and second.kind == "string" and "\n" in algorithm[first.end:second.start]

    strings = [t for t in tokens if t.kind != "comment"]
    position = strings.index(tokens[index])
    return ((position > 0 and joined(strings[position - 1], tokens[index]))
            or (position + 1 < len(strings) and joined(tokens[index], strings[position + 1])))


def _render_ref(ref: PlaceholderRef, datasets: dict[str, DatasetBinding], parameters: dict[str, ParameterBinding],
                general: GeneralInfo) -> str:
    name, attribute = ref.name.lower(), (ref.attribute.lower() if ref.attribute else None)
    if ref.kind == "#":
        return render_parameter(parameters[name], attribute)
    if name in GENERAL_PLACEHOLDERS:
        return render_general(general, name, attribute or "")
    return render_dataset(datasets[name], attribute)


def _check_dollar_quotes(expansion: Expansion) -> None:
    """A value must not end (or, if it is unterminated, close) the dollar-quoted string it was written in."""
    errors: list[PlaceholderError] = []
    for token in tokenize(expansion.algorithm):
        if token.kind != "dollar":
            continue
        start, end, _, delimiter = _literal_content(token)
        inside = [r for r in expansion.replacements if start <= r.alg_start < end]
        content = expansion.text[_shift(expansion, start):_shift(expansion, end)]
        if inside and (content + delimiter).find(delimiter) != len(content):
            line, column = line_column(expansion.algorithm, inside[0].alg_start)
            errors.append(PlaceholderError(
                "unsafe_value", f"A placeholder value at line {line}, column {column} contains {delimiter}, "
                f"which would end the dollar-quoted string it is written in.", line, column))
    if errors:
        raise PlaceholderExpansionError(errors)


def _shift(expansion: Expansion, alg_offset: int) -> int:
    """Maps an algorithm offset that is not inside a placeholder to the expanded text."""
    shift = 0
    for rep in expansion.replacements:
        if rep.alg_end <= alg_offset:
            shift += (rep.exp_end - rep.exp_start) - (rep.alg_end - rep.alg_start)
    return alg_offset + shift


def _line_map(expansion: Expansion) -> list[int]:
    starts = _Lines(expansion.text).starts
    lines = _Lines(expansion.algorithm)
    return [lines.position(expansion.algorithm_offset(s))[0] for s in starts]


# -------------------------------------------------------------------------------------- name patterns
def validate_name_pattern(pattern: str) -> list[PlaceholderError]:
    """Only general placeholders (${user.*}, ${module.*}, ${run.*}) may appear in an output name pattern."""
    lines = _Lines(pattern)
    errors: list[PlaceholderError] = []
    for match in OPENING_RE.finditer(pattern):
        ref = _make_ref(pattern, lines, match.start(), CODE, "")
        if ref.malformed or (ref.kind == "$" and ref.name.lower() in GENERAL_PLACEHOLDERS):
            error = _check_ref(ref, set(), set())
            if error is not None:
                errors.append(error)
            continue
        errors.append(_error(ref, "unknown_placeholder", f"Placeholder {ref.text} at line {ref.line}, column "
                             f"{ref.column} cannot be used in a name pattern: only ${{user.*}}, ${{module.*}} and "
                             f"${{run.*}} placeholders are allowed there."))
    return errors


def expand_name_pattern(pattern: str, general: GeneralInfo) -> str:
    """Replaces the general placeholders of an output dataset name pattern (plain text, no escaping)."""
    errors = validate_name_pattern(pattern)
    if errors:
        raise PlaceholderExpansionError(errors)

    def replace(match: re.Match[str]) -> str:
        return render_general(general, match.group(2).lower(), (match.group(3) or "").lower())

    return PLACEHOLDER_RE.sub(replace, pattern)
