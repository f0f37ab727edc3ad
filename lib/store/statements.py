"""What a SQL string does: its statements, the kind of each, and the tables each one writes.

The gateway asks this before it runs raw SQL for a user (lib.store.db.Tx.execute), so a
permission holds for SQL as it does for Tx.insert/update/delete; a restore asks it what a
backup's schema.sql and load.sql would do before running them.

    >>> [(s.kind, [(w.kind, w.table) for w in s.writes]) for s in analyse(
    ...     "SELECT 1; /* ; */ WITH x AS (SELECT 1) UPDATE \\"Main\\".users SET role = 'admin'")]
    [('read', []), ('write', [('update', 'users')])]

DuckDB itself splits the string into statements and names their type
(`duckdb.extract_statements`) and tokenizes each (`duckdb.tokenize`: comments, strings,
dollar quotes and quoted identifiers are told apart exactly as DuckDB will run them), so a
comment or a string can neither hide a statement nor fake one. What is read from the tokens is
only the target: the name after INSERT INTO / UPDATE / DELETE FROM / TRUNCATE / MERGE INTO /
COPY ... FROM, wherever it stands (a WITH prefix, a data-modifying CTE inside a SELECT), and
the object a CREATE / DROP / ALTER names. When the target cannot be told, `problem` says so and
the gateway lets only the system user run the statement.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import NamedTuple

import duckdb

# kinds of statement
READ, WRITE, SCHEMA, TRANSACTION, OTHER = "read", "write", "schema", "transaction", "other"

_DML_TYPES = {"INSERT", "UPDATE", "DELETE", "MERGE_INTO"}
_SCHEMA_TYPES = {"CREATE": "create", "DROP": "drop", "ALTER": "alter"}
# objects a CREATE / DROP / ALTER may name, after its modifiers
_OBJECTS = {"TABLE", "VIEW", "SEQUENCE", "INDEX", "MACRO", "FUNCTION", "TYPE", "SCHEMA", "SECRET"}
_MODIFIERS = {"OR", "REPLACE", "TEMP", "TEMPORARY", "PERSISTENT", "UNIQUE", "IF", "NOT", "EXISTS"}


@dataclass(frozen=True)
class Write:
    """One table (or other object) a statement changes."""
    kind: str                  # insert, update, delete, truncate, merge, copy, create, drop, alter
    table: str                 # the object's own name, lower case (DuckDB matches names case-insensitively)
    schema: str | None = None  # its qualifier as written, lower case ("main", "temp", "tandem.main"), else None
    object: str = "table"      # table, view, sequence, ... (for create / drop / alter)
    temporary: bool = False    # CREATE TEMP / TEMPORARY, or the temp schema named
    source: str | None = None  # the file a COPY ... FROM 'file' reads

    @property
    def scratch(self) -> bool:
        """A staging table of this connection (name starting with "_", unqualified or in temp):
        the import code's _raw_/_typed_/_stage_ tables and registered frames."""
        return (self.table.startswith("_") and self.object in ("table", "view")
                and (self.schema is None or self.schema in ("temp", "temp.main")))


@dataclass(frozen=True)
class Statement:
    type: str                        # DuckDB's statement type (SELECT, INSERT, COPY, ...), or UNKNOWN
    kind: str                        # read, write, schema, transaction or other
    text: str
    writes: tuple[Write, ...] = ()
    problem: str | None = None       # why the targets could not be told

    @property
    def reads_only(self) -> bool:
        return self.kind == READ and not self.writes and self.problem is None


class _Tok(NamedTuple):
    text: str      # as written (quotes kept)
    type: str      # keyword, identifier, operator, numeric_const, string_const
    word: str      # upper-case text for keywords and unquoted identifiers, else ""


def analyse(sql: str) -> list[Statement]:
    """Every statement of `sql` with its kind and the tables it writes (see module doc).

    Raises duckdb.ParserException when `sql` is not SQL at all (the statement would fail anyway).
    """
    if _plain_read(sql):
        return [Statement("SELECT", READ, sql)]
    out = []
    for st in duckdb.extract_statements(sql):
        try:
            stype = st.type.name
        except ValueError:             # a statement type newer than this duckdb's Python enum
            stype = "UNKNOWN"
        out.append(_statement(stype, st.query))
    return out


_READ_STARTS = {"SELECT", "WITH", "FROM", "VALUES"}
_WRITE_WORDS = {"INSERT", "UPDATE", "DELETE", "TRUNCATE", "MERGE", "COPY"}
_SUSPECT = re.compile(r"(?i)\b(?:insert|update|delete|truncate|merge|copy)\b|;")


def _plain_read(sql: str) -> bool:
    """True for one statement that starts like a query and has no write keyword anywhere: what
    the full analysis would call a read, told from the tokens alone (DuckDB's statement splitter
    costs ~1 ms per kilobyte of SQL, and the import path's queries run to tens of kilobytes)."""
    try:
        spans = duckdb.tokenize(sql)
    except Exception:  # noqa: BLE001 - the full analysis decides
        return False
    suspect = _SUSPECT.search(sql) is not None      # most queries: no write word, no ";" at all
    raw = sql.encode("utf-8")
    src = sql if len(raw) == len(sql) else raw
    first = None
    for i, (pos, ttype) in enumerate(spans):
        kind = _TOKEN_TYPES.get(ttype) or _token_type(ttype)
        if not suspect and first is not None:
            break                                   # the first token was all there was to see
        if kind == "comment":
            continue
        if kind not in ("keyword", "identifier", "operator") and first is not None:
            continue
        end = spans[i + 1][0] if i + 1 < len(spans) else len(raw)
        tok = src[pos:end]
        word = (tok if src is sql else tok.decode("utf-8")).strip().upper()
        if first is None:
            first = word
            if not (word in _READ_STARTS or word == "("):
                return False
        if word in _WRITE_WORDS:                   # an unquoted identifier too: the full analysis decides
            return False
        if word == ";" and any(_token_type(t) != "comment" for _, t in spans[i + 1:]):
            return False
    return first is not None


def _statement(stype: str, text: str) -> Statement:
    try:
        toks = _tokens(text)
    except Exception as e:  # noqa: BLE001 - a text DuckDB cannot tokenize is never run for a user
        return Statement(stype, OTHER, text, problem=f"the statement could not be read ({e})")
    writes, problem = _dml_targets(toks)
    if stype == "SELECT":
        return Statement(stype, WRITE if writes else READ, text, tuple(writes), problem)
    if stype in _DML_TYPES:
        if not writes and problem is None:
            problem = "its target table could not be told"
        return Statement(stype, WRITE, text, tuple(writes), problem)
    if stype == "COPY":
        target, problem2 = _copy_target(toks)
        if target is None:
            return Statement(stype, OTHER, text, tuple(writes), problem or problem2)
        return Statement(stype, WRITE, text, (target, *writes), problem)
    if stype in _SCHEMA_TYPES:
        targets, problem2 = _schema_targets(_SCHEMA_TYPES[stype], toks)
        return Statement(stype, SCHEMA, text, (*targets, *writes), problem or problem2)
    if stype == "TRANSACTION":
        return Statement(stype, TRANSACTION, text)
    return Statement(stype, OTHER, text, tuple(writes), problem)


_TOKEN_TYPES: dict = {}


def _token_type(ttype) -> str:
    name = _TOKEN_TYPES.get(ttype)
    if name is None:
        name = _TOKEN_TYPES[ttype] = str(ttype).rsplit(".", 1)[-1]
    return name


def _tokens(text: str) -> list[_Tok]:
    """DuckDB's tokens of one statement, comments dropped. duckdb.tokenize gives byte offsets,
    which are character offsets only in ASCII text."""
    raw = text.encode("utf-8")
    src = text if len(raw) == len(text) else raw
    spans = duckdb.tokenize(text)
    out = []
    for i, (pos, ttype) in enumerate(spans):
        kind = _token_type(ttype)
        if kind == "comment":
            continue
        end = spans[i + 1][0] if i + 1 < len(spans) else len(raw)
        tok = src[pos:end]
        tok = (tok if src is text else tok.decode("utf-8")).strip()
        if not tok:
            continue
        word = tok.upper() if kind in ("keyword", "identifier") and not tok.startswith('"') else ""
        out.append(_Tok(tok, kind, word))
    return out


def _at(toks: list[_Tok], i: int) -> _Tok:
    return toks[i] if 0 <= i < len(toks) else _Tok("", "", "")


def _name(toks: list[_Tok], i: int) -> tuple[tuple[str, str | None] | None, int]:
    """The (possibly qualified, possibly quoted) name starting at toks[i]: ((name, schema), next i)."""
    parts = []
    while True:
        t = _at(toks, i)
        if t.type not in ("identifier", "keyword"):
            return None, i
        if t.text.startswith('"'):
            parts.append(t.text[1:-1].replace('""', '"').lower())
        else:
            parts.append(t.text.lower())
        i += 1
        if _at(toks, i).text != ".":
            break
        i += 1
    return (parts[-1], ".".join(parts[:-1]) or None), i


def _dml_targets(toks: list[_Tok]) -> tuple[list[Write], str | None]:
    """The tables INSERT INTO / UPDATE / DELETE FROM / TRUNCATE / MERGE INTO name anywhere in the
    statement (a WITH prefix, a data-modifying CTE), skipping ON CONFLICT DO UPDATE and MERGE's
    THEN INSERT / UPDATE / DELETE, which act on the table already named."""
    writes, problem = [], None
    for i, t in enumerate(toks):
        if t.type != "keyword" or t.word not in ("INSERT", "UPDATE", "DELETE", "TRUNCATE", "MERGE"):
            continue
        before, after = _at(toks, i - 1), _at(toks, i + 1)
        if before.text == "." or before.word == "AS":       # a column or alias that is a keyword
            continue
        if before.word in ("DO", "THEN"):                   # ON CONFLICT DO UPDATE, WHEN ... THEN DELETE
            continue
        j = i + 1
        if t.word == "INSERT":
            if after.word == "OR":
                j += 2
            if _at(toks, j).word != "INTO":
                problem = problem or "an INSERT without INTO"
                continue
            j += 1
        elif t.word == "DELETE":
            if after.word != "FROM":
                problem = problem or "a DELETE without FROM"
                continue
            j += 1
        elif t.word == "TRUNCATE" and after.word == "TABLE":
            j += 1
        elif t.word == "MERGE":
            if after.word != "INTO":
                problem = problem or "a MERGE without INTO"
                continue
            j += 1
        name, _ = _name(toks, j)
        if name is None or (t.word == "UPDATE" and _at(toks, j).word == "SET"):
            problem = problem or f"the table after {t.word} could not be told"
            continue
        writes.append(Write(t.word.lower(), name[0], name[1], temporary=name[1] in ("temp", "temp.main")))
    return writes, problem


def _copy_target(toks: list[_Tok]) -> tuple[Write | None, str | None]:
    """COPY name [(columns)] FROM ... writes name; COPY name TO / COPY (query) TO writes a file."""
    name, i = _name(toks, 1)
    if name is None:
        return None, None            # COPY (query) TO file: not a table write
    if _at(toks, i).text == "(":
        depth = 0
        while i < len(toks):
            depth += {"(": 1, ")": -1}.get(toks[i].text, 0)
            i += 1
            if depth == 0:
                break
    if _at(toks, i).word == "FROM":
        file = _at(toks, i + 1)
        source = file.text[1:-1].replace("''", "'") if file.type == "string_const" and file.text[:1] == "'" else None
        return Write("copy", name[0], name[1], temporary=name[1] in ("temp", "temp.main"), source=source), None
    return None, None                # COPY name TO file


def _schema_targets(kind: str, toks: list[_Tok]) -> tuple[list[Write], str | None]:
    """What CREATE / DROP / ALTER names: the object's kind and name (DuckDB drops one at a time)."""
    i, temporary = 1, False
    while _at(toks, i).word in _MODIFIERS:
        temporary = temporary or _at(toks, i).word in ("TEMP", "TEMPORARY")
        i += 1
    obj = _at(toks, i).word
    if obj not in _OBJECTS:
        return [], f"{kind.upper()} {obj or '?'} is not a table, view, sequence, index, macro, type or schema"
    i += 1
    while _at(toks, i).word in ("IF", "NOT", "EXISTS"):
        i += 1
    name, _ = _name(toks, i)
    if name is None:
        return [], f"the name after {kind.upper()} {obj} could not be told"
    return [Write(kind, name[0], name[1], obj.lower(), temporary or name[1] in ("temp", "temp.main"))], None
