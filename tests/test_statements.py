"""lib.store.statements: the kind of every statement in a SQL string and the tables it writes,
read from DuckDB's own statement splitter and tokenizer (so comments and strings never count)."""
import pytest

from lib.store.statements import analyse


def summary(sql: str) -> list[tuple]:
    """(kind, [(write kind, table, schema)], problem?) per statement."""
    return [(s.kind, [(w.kind, w.table, w.schema) for w in s.writes], s.problem is not None) for s in analyse(sql)]


@pytest.mark.parametrize("sql,expected", [
    # reads, including keywords that only look like writes
    ("SELECT 1", [("read", [], False)]),
    ("FROM customers", [("read", [], False)]),
    ("SELECT 'DELETE FROM users' AS s -- UPDATE users SET role = 'admin'", [("read", [], False)]),
    ("SELECT $$ DROP TABLE users $$, /* INSERT INTO meta /* nested */ */ 1", [("read", [], False)]),
    ("SELECT 1 AS update, c.delete FROM t c", [("read", [], False)]),
    ("DESCRIBE users", [("read", [], False)]),
    # the four writes, however the target is spelled
    ("UPDATE users SET role = 'admin'", [("write", [("update", "users", None)], False)]),
    ('update "USERS" set role = 1', [("write", [("update", "users", None)], False)]),
    ('UPDATE "main"."users" SET role = 1', [("write", [("update", "users", "main")], False)]),
    ("UPDATE memory.main.users SET role = 1", [("write", [("update", "users", "memory.main")], False)]),
    ("UPDATE users/**/SET role = 1", [("write", [("update", "users", None)], False)]),
    ('INSERT INTO"meta"VALUES (1, 2)', [("write", [("insert", "meta", None)], False)]),
    ("INSERT OR REPLACE INTO meta VALUES (1, 2)", [("write", [("insert", "meta", None)], False)]),
    ("INSERT INTO t SELECT 1 ON CONFLICT DO UPDATE SET a = excluded.a", [("write", [("insert", "t", None)], False)]),
    ("DELETE FROM audit_log WHERE true", [("write", [("delete", "audit_log", None)], False)]),
    ("TRUNCATE TABLE meta", [("write", [("truncate", "meta", None)], False)]),
    ("MERGE INTO users USING u ON users.a = u.a WHEN MATCHED THEN UPDATE SET a = 1 "
     "WHEN NOT MATCHED THEN INSERT VALUES (1)", [("write", [("merge", "users", None)], False)]),
    # WITH-prefixed writes and data-modifying CTEs hidden in a SELECT
    ("WITH x AS (SELECT 1) UPDATE users SET role = 'admin'", [("write", [("update", "users", None)], False)]),
    ("WITH d AS (DELETE FROM users RETURNING *) SELECT * FROM d", [("write", [("delete", "users", None)], False)]),
    ("SELECT * FROM (WITH d AS (UPDATE users SET a = 1 RETURNING *) SELECT * FROM d)",
     [("write", [("update", "users", None)], False)]),
    # several statements in one string
    ("SELECT 1; DELETE FROM meta; UPDATE users SET a = 1",
     [("read", [], False), ("write", [("delete", "meta", None)], False), ("write", [("update", "users", None)], False)]),
    # COPY: into a table is a write, out to a file is not a table write
    ("COPY users FROM 'x.csv'", [("write", [("copy", "users", None)], False)]),
    ("COPY users (a, b) FROM 'x.csv' (HEADER)", [("write", [("copy", "users", None)], False)]),
    ("COPY users TO 'x.csv'", [("other", [], False)]),
    ("COPY (SELECT * FROM users) TO 'x.csv'", [("other", [], False)]),
    # schema statements name their object
    ("CREATE TEMP TABLE _s AS SELECT 1", [("schema", [("create", "_s", None)], False)]),
    ("CREATE TABLE t AS WITH d AS (DELETE FROM users RETURNING *) SELECT * FROM d",
     [("schema", [("create", "t", None), ("delete", "users", None)], False)]),
    ("DROP TABLE IF EXISTS _typed_1", [("schema", [("drop", "_typed_1", None)], False)]),
    ("ALTER TABLE users ADD COLUMN x INT", [("schema", [("alter", "users", None)], False)]),
    ("COMMENT ON TABLE users IS 'x'", [("schema", [], True)]),
    # everything else
    ("BEGIN", [("transaction", [], False)]), ("COMMIT", [("transaction", [], False)]),
    ("ATTACH 'other.duckdb' AS o", [("other", [], False)]), ("EXPORT DATABASE 'x'", [("other", [], False)]),
    ("IMPORT DATABASE 'x'", [("other", [], False)]), ("INSTALL httpfs", [("other", [], False)]),
    ("LOAD httpfs", [("other", [], False)]), ("PRAGMA version", [("other", [], False)]),
    ("SET threads = 1", [("other", [], False)]), ("CHECKPOINT", [("other", [], False)]),
    ("PREPARE p AS DELETE FROM users", [("other", [], False)]), ("EXECUTE p", [("other", [], False)]),
    ("EXPLAIN ANALYZE DELETE FROM users", [("other", [("delete", "users", None)], False)]),
])
def test_kinds_and_targets(sql, expected, monkeypatch):
    assert summary(sql) == expected
    monkeypatch.setattr("lib.store.statements._plain_read", lambda sql: False)
    assert summary(sql) == expected          # the same without the shortcut for plain reads


@pytest.mark.parametrize("sql,plain", [
    ("SELECT 1", True), ("  -- a comment\n(SELECT 1)", True), ("FROM t;", True), ("SELECT 1; -- end", True),
    ("SELECT 'update'", True),                      # a write word in a string is not a keyword
    ("SELECT 1; SELECT 2", False), ("WITH x AS (SELECT 1) UPDATE t SET a = 1", False),
    ("DESCRIBE t", False), ("EXPLAIN SELECT 1", False), ("", False),
])
def test_the_shortcut_takes_only_single_plain_reads(sql, plain):
    from lib.store.statements import _plain_read
    assert _plain_read(sql) is plain


def test_scratch_tables_are_unqualified_or_temp_and_start_with_an_underscore():
    def scratch(sql):
        return [w.scratch for s in analyse(sql) for w in s.writes]
    assert scratch("CREATE TEMP TABLE _raw_1 AS SELECT 1") == [True]
    assert scratch("INSERT INTO temp.main._x VALUES (1)") == [True]
    assert scratch("DELETE FROM main._x") == [False]            # a table of the database itself
    assert scratch("DELETE FROM users") == [False]
    assert scratch("CREATE TEMP SEQUENCE _s") == [False]        # only tables and views


def test_non_ascii_text_keeps_token_boundaries():
    # duckdb.tokenize counts bytes: a multi-byte character before the target must not shift it
    assert summary("UPDATE users SET name = '客户' WHERE x = 'é'; DELETE FROM meta") == [
        ("write", [("update", "users", None)], False), ("write", [("delete", "meta", None)], False)]
