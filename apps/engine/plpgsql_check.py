"""Syntax check of an algorithm before any run, with pglast's PL/pgSQL parser (no Django, no database).

The algorithm is expanded with dummy bindings and wrapped exactly as a run wraps it (same body as the
DO block of `script.py`) inside ``CREATE FUNCTION mb_check() ... AS $tag$<body>$tag$``; libpg_query
compiles it like PostgreSQL does, including the syntax of every embedded SQL statement and expression.

Positions. libpg_query reports no position for PL/pgSQL grammar errors nor for SQL errors inside
the body (only scanner errors such as an unterminated string carry a 0-based index into the function
body). So the error is located here:
1. the algorithm is split into statements at ``;`` (outside literals and comments) while tracking the
   open blocks (IF, LOOP, CASE, BEGIN, DECLARE); the first statement whose prefix of the algorithm,
   closed with the right ``END IF;``/``END LOOP;``/..., fails to parse holds the error;
2. inside it, each embedded SQL text (statement, PERFORM, IF/WHILE condition, assignment, RETURN
   expression, FOR query) is parsed with ``pglast.parser.parse_sql``, whose errors have positions;
   the first one failing with the same message gives the position;
3. otherwise the token named in the message (``at or near "X"``) is looked up in the statement, an
   error "at end of input" points just after the statement, and anything else at its first token.
If every prefix parses, the algorithm ends inside an open block: the error is put at its end, with a
hint naming the missing END. An unterminated literal or comment is found by our own lexer first (it
would otherwise swallow the wrapper, and pglast's position would point into it).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from pglast import parser

from apps.engine.placeholders import (
    DatasetBinding,
    DatasetSlot,
    GeneralInfo,
    ParameterBinding,
    ParameterSlot,
    PlaceholderError,
    PlaceholderExpansionError,
    Token,
    expand,
    tokenize,
    validate,
    validate_slots,
)
from apps.engine.script import render_body

CHECK_OUTPUT_TABLE = "mb_output_parameters"
NEAR_RE = re.compile(r'at or near "(.*)"\s*$', re.DOTALL)
QUOTED_RE = re.compile(r'"([^"]+)"')
SQL_STARTERS = frozenset((
    "select", "insert", "update", "delete", "with", "values", "create", "drop", "alter", "truncate", "grant",
    "revoke", "comment", "merge", "table", "analyze", "lock", "refresh", "reindex", "cluster", "vacuum",
    "explain", "import", "set", "reset", "show", "discard", "notify", "listen", "unlisten", "security",
))
PLPGSQL_WORDS = frozenset((
    "raise", "execute", "return", "perform", "get", "null", "exit", "continue", "open", "fetch", "close",
    "move", "assert", "call", "commit", "rollback", "if", "elsif", "else", "case", "when", "loop", "while",
    "for", "foreach", "begin", "declare", "end", "exception",
))
CLOSERS = {"IF": "END IF;", "LOOP": "END LOOP;", "CASE": "END CASE;", "BEGIN": "END;", "DECLARE": "BEGIN END;"}


def check_plpgsql(algorithm: str, dataset_slots: Sequence[DatasetSlot],
                  parameter_slots: Sequence[ParameterSlot]) -> list[PlaceholderError]:
    """Placeholder errors if any; else at most one `syntax_error` with its algorithm line and column."""
    if validate_slots(dataset_slots, parameter_slots):
        return validate(algorithm, dataset_slots, parameter_slots)
    parameters = dummy_parameters(parameter_slots)
    try:
        expansion = expand(algorithm, dummy_datasets(dataset_slots), parameters, DUMMY_GENERAL)
    except PlaceholderExpansionError as exc:
        return exc.errors
    unterminated = _unterminated(expansion.text)
    if unterminated is not None:
        offset, message = unterminated
    else:
        parsed, location = _parse(expansion.text, parameters)
        if parsed is None:
            return []
        offset, message = _locate(expansion.text, parameters, parsed, location)
    line, column = expansion.algorithm_position(offset)
    return [PlaceholderError("syntax_error", f"Syntax error at line {line}, column {column}: {message}.", line, column)]


# ---------------------------------------------------------------------------------------- dummy context
DUMMY_GENERAL = GeneralInfo(user_full_name="Check User", user_id=0, user_account_name="check", module_name="Check",
                            module_id=0, module_final=False, module_project_name=None, run_id=0,
                            run_date="01/01/2000", run_time="00:00:00.000")


def dummy_datasets(slots: Sequence[DatasetSlot]) -> list[DatasetBinding]:
    """Views ``<placeholder>_view`` and tables ``public.<placeholder>_table`` (suffixed, so that a
    placeholder named like an SQL keyword does not fail the check)."""
    return [DatasetBinding(slot=s, is_set=True, dataset_name=s.placeholder, dataset_id=0, version=0,
                           table_name=f"public.{s.placeholder}_table", view=f"{s.placeholder}_view",
                           output_method="NEW" if s.mode == "OUT" else None) for s in slots]


def dummy_parameters(slots: Sequence[ParameterSlot]) -> list[ParameterBinding]:
    """Variables ``p_<name>`` of the declared types, without values."""
    return [ParameterBinding(slot=s, is_set=False, input_value=None, variable=f"p_{s.name.lower()}") for s in slots]


# ------------------------------------------------------------------------------------------- parsing
@dataclass
class _Wrapped:
    text: str
    algorithm_offset: int  # in the function body


def _wrap(algorithm_text: str, parameters: Sequence[ParameterBinding]) -> _Wrapped:
    body = render_body(algorithm_text, parameters, output_parameter_table=CHECK_OUTPUT_TABLE)
    tag = "mb_check"
    while f"${tag}$" in body.text:
        tag += "_"
    return _Wrapped(f"CREATE FUNCTION mb_check() RETURNS void LANGUAGE plpgsql AS ${tag}${body.text}${tag}$;",
                    body.algorithm_offset)


def _parse(algorithm_text: str, parameters: Sequence[ParameterBinding]) -> tuple[str | None, int | None]:
    """(message, offset in the algorithm text or None) of the first error, (None, None) if it parses."""
    wrapped = _wrap(algorithm_text, parameters)
    try:
        parser.parse_plpgsql_json(wrapped.text)
    except parser.ParseError as exc:
        location = exc.args[1] if len(exc.args) > 1 else None
        offset = None if location is None else location - wrapped.algorithm_offset
        return str(exc.args[0]), offset
    return None, None


# ------------------------------------------------------------------------------------------ locating
@dataclass
class _Piece:
    """SQL text to check: `prefix` + text[start:end] (with `blanks` replaced by spaces)."""

    prefix: str
    start: int
    end: int
    blanks: list[tuple[int, int]] = field(default_factory=list)


@dataclass
class _Statement:
    tokens: list[Token]  # code tokens, the terminating ';' included when present
    end: int  # offset just after the statement (after its ';' if any)
    pieces: list[_Piece]
    closers: str  # what closes the blocks still open after this statement


def _unterminated(text: str) -> tuple[int, str] | None:
    """A literal or comment left open would swallow the wrapper: report it where it starts."""
    tokens = tokenize(text)
    if not tokens or tokens[-1].closed:
        return None
    last = tokens[-1]
    what = {"comment": "/* comment", "dollar": "dollar-quoted string", "qident": "quoted identifier"}
    return last.start, f"unterminated {what.get(last.kind, 'quoted string')}"


def _locate(text: str, parameters: Sequence[ParameterBinding], message: str,
            location: int | None) -> tuple[int, str]:
    """Best offset in the expanded algorithm (and the message) for an error reported without a position."""
    if location is not None:
        return max(0, min(location, len(text))), message
    statements = split_statements(text)
    index = _first_failing(text, parameters, statements)
    if index is None:
        closers = statements[-1].closers if statements else ""
        hint = f" (missing {closers.split(';')[0]}; at the end of the algorithm?)" if closers else ""
        return _end_of_code(text), message + hint
    statement = statements[index]
    prefix_message, _ = _parse(text[:statement.end] + "\n" + statement.closers, parameters)
    message = prefix_message or message
    return _position_in(text, statement, message), message


def _first_failing(text: str, parameters: Sequence[ParameterBinding], statements: list[_Statement]) -> int | None:
    """Binary search of the first statement whose closed prefix does not parse (parsers fail at the
    first bad token, so once a prefix fails every longer one does)."""
    low, high = 0, len(statements)
    while low < high:
        middle = (low + high) // 2
        statement = statements[middle]
        failed, _ = _parse(text[:statement.end] + "\n" + statement.closers, parameters)
        if failed is not None:
            high = middle
        else:
            low = middle + 1
    return low if low < len(statements) else None


def _position_in(text: str, statement: _Statement, message: str) -> int:
    for piece in statement.pieces:
        offset = _piece_error(text, piece, message)
        if offset is not None:
            return offset
    tokens = [t for t in statement.tokens if t.text != ";"] or statement.tokens
    near = NEAR_RE.search(message) or QUOTED_RE.search(message)
    if near is not None:
        wanted = near.group(1).lower()
        for token in statement.tokens:
            if token.text.lower() == wanted:
                return token.start
    if message.endswith("at end of input"):
        return tokens[-1].end
    return tokens[0].start


def _piece_error(text: str, piece: _Piece, message: str) -> int | None:
    """Offset of the piece's parse error if parse_sql fails on it with the same message."""
    chars = list(text[piece.start:piece.end])
    for start, end in piece.blanks:
        chars[start - piece.start:end - piece.start] = " " * (end - start)
    sql = piece.prefix + "".join(chars)
    try:
        parser.parse_sql(sql)
    except parser.ParseError as exc:
        if str(exc.args[0]) != message:
            return None
        location = exc.args[1] if len(exc.args) > 1 else None
        if location is None:
            return piece.end
        return piece.start + max(0, location - len(piece.prefix))
    return None


def _end_of_code(text: str) -> int:
    code = [t for t in tokenize(text) if t.kind != "comment"]
    return code[-1].end if code else 0


# ------------------------------------------------------------------------------------- statement split
def split_statements(text: str) -> list[_Statement]:
    """PL/pgSQL statements end at every ';' outside literals and comments (as in PL/pgSQL's own scanner)."""
    statements: list[_Statement] = []
    stack: list[str] = []
    current: list[Token] = []
    for token in tokenize(text):
        if token.kind == "comment":
            continue
        current.append(token)
        if token.text == ";":
            statements.append(_statement(current, stack))
            current = []
    if current:
        statements.append(_statement(current, stack))
    return statements


def _statement(tokens: list[Token], stack: list[str]) -> _Statement:
    code = [t for t in tokens if t.text != ";"]
    pieces = _analyze(code, stack) if code else []
    closers = " ".join(CLOSERS[block] for block in reversed(stack))
    return _Statement(tokens, tokens[-1].end, pieces, closers)


def _word(token: Token) -> str:
    return token.text.lower() if token.kind == "word" else ""


def _analyze(tokens: list[Token], stack: list[str]) -> list[_Piece]:
    """Updates the block stack for one statement and returns the SQL pieces it embeds."""
    if stack and stack[-1] == "DECLARE" and _first_word(tokens) != "begin":
        return _declaration(tokens)
    pieces: list[_Piece] = []
    i = 0
    while i < len(tokens):
        word = _word(tokens[i])
        if tokens[i].text == "<<":
            i = _after(tokens, i, lambda t: t.text == ">>")
        elif word in ("if", "elsif", "when"):
            then = _find_then(tokens, i + 1)
            if word == "if":
                stack.append("IF")
            if word != "when":
                pieces.append(_expression(tokens[i + 1:then]))
            if then is None:
                return pieces
            i = then + 1
        elif word in ("else", "exception"):
            i += 1
        elif word == "case":
            stack.append("CASE")
            when = _find_word(tokens, i + 1, "when")
            if when is None:
                return pieces
            i = when
        elif word in ("loop", "while", "for", "foreach"):
            loop = i if word == "loop" else _find_word(tokens, i + 1, "loop")
            pieces += _loop_pieces(word, tokens[i + 1:loop])
            stack.append("LOOP")
            if loop is None:
                return pieces
            i = loop + 1
        elif word == "begin":
            if stack and stack[-1] == "DECLARE":
                stack[-1] = "BEGIN"
            else:
                stack.append("BEGIN")
            i += 1
        elif word == "declare":
            stack.append("DECLARE")
            return pieces + _declaration(tokens[i + 1:])
        elif word == "end":
            if stack:
                stack.pop()
            return pieces
        else:
            return pieces + _statement_pieces(tokens[i:])
    return pieces


def _first_word(tokens: list[Token]) -> str:
    i = 0
    while i < len(tokens) and tokens[i].text == "<<":
        i = _after(tokens, i, lambda t: t.text == ">>")
    return _word(tokens[i]) if i < len(tokens) else ""


def _after(tokens: list[Token], i: int, match: Callable[[Token], bool]) -> int:
    """Index after the first token from i+1 that matches (len(tokens) if none)."""
    for j in range(i + 1, len(tokens)):
        if match(tokens[j]):
            return j + 1
    return len(tokens)


def _find_word(tokens: list[Token], start: int, word: str) -> int | None:
    return next((j for j in range(start, len(tokens)) if _word(tokens[j]) == word), None)


def _find_then(tokens: list[Token], start: int) -> int | None:
    """The THEN ending a condition, skipping CASE ... END expressions inside it."""
    depth = 0
    for j in range(start, len(tokens)):
        word = _word(tokens[j])
        if word == "case":
            depth += 1
        elif word == "end" and depth:
            depth -= 1
        elif word == "then" and not depth:
            return j
    return None


def _span(tokens: list[Token], prefix: str = "") -> list[_Piece]:
    return [_Piece(prefix, tokens[0].start, tokens[-1].end)] if tokens else []


def _expression(tokens: list[Token]) -> _Piece:
    if not tokens:
        return _Piece("SELECT ", 0, 0)
    return _Piece("SELECT ", tokens[0].start, tokens[-1].end)


def _loop_pieces(word: str, tokens: list[Token]) -> list[_Piece]:
    if word == "while":
        return [_expression(tokens)]
    if word == "for":
        query = tokens[(_find_word(tokens, 0, "in") or len(tokens)) + 1:]
        if query and _word(query[0]) in ("select", "with", "values"):
            return _span(query)
    return []


def _declaration(tokens: list[Token]) -> list[_Piece]:
    """``name [CONSTANT] type [NOT NULL] [:= | = | DEFAULT expression]``: checks the expression."""
    for j, token in enumerate(tokens):
        if token.text in (":=", "=") or _word(token) == "default":
            return [_expression(tokens[j + 1:])] if j + 1 < len(tokens) else []
    return []


def _statement_pieces(tokens: list[Token]) -> list[_Piece]:
    word = _word(tokens[0])
    rest = tokens[1:]
    if word == "perform":
        return _span(rest, "SELECT ")
    if word == "return":
        return _return_pieces(rest)
    assign = _assignment(tokens)
    if assign is not None:
        return [_expression(tokens[assign + 1:])]
    if word in SQL_STARTERS or (tokens[0].kind in ("word", "qident") and word not in PLPGSQL_WORDS):
        return [_Piece("", tokens[0].start, tokens[-1].end, _into_clause(tokens))]
    return []


def _return_pieces(tokens: list[Token]) -> list[_Piece]:
    if not tokens:
        return []
    word = _word(tokens[0])
    if word == "query":
        return [] if tokens[1:] and _word(tokens[1]) == "execute" else _span(tokens[1:])
    if word == "next":
        return _span(tokens[1:], "SELECT ")
    return _span(tokens, "SELECT ")


def _assignment(tokens: list[Token]) -> int | None:
    """Index of ':=' or '=' after an assignment target (``x``, ``r.f``, ``a[1]``), else None."""
    depth = 0
    for j, token in enumerate(tokens):
        if token.text == "[":
            depth += 1
        elif token.text == "]":
            depth -= 1
        elif token.text in (":=", "=") and j > 0 and depth == 0:
            return j
        elif depth == 0 and not (token.kind in ("word", "qident") or token.text == "."):
            return None
    return None


def _into_clause(tokens: list[Token]) -> list[tuple[int, int]]:
    """The span of ``INTO [STRICT] target[, ...]`` that PL/pgSQL removes before parsing the SQL."""
    depth = 0
    for j, token in enumerate(tokens):
        depth += {"(": 1, ")": -1}.get(token.text, 0)
        if depth or _word(token) != "into" or (j and _word(tokens[j - 1]) in ("insert", "merge")):
            continue
        end = j + 1
        if end < len(tokens) and _word(tokens[end]) == "strict":
            end += 1
        while end < len(tokens) and (tokens[end].kind in ("word", "qident") or tokens[end].text in (".", ",")):
            if tokens[end].kind == "word" and _word(tokens[end]) in ("from", "where", "returning", "on"):
                break
            end += 1
        return [(token.start, tokens[end - 1].end)]
    return []

