"""PostgreSQL as the system of record: `TANDEM_DB=postgresql://user@host:port/db`.

DuckDB stays the analytics engine and the dialect of every query: each process keeps an
in-memory DuckDB *mirror* of its plant's tables, loaded from PostgreSQL over ADBC (Arrow), and
the gateway's reads, cursors and write functions work on it unchanged. PostgreSQL holds the
data; the mirror is a cache that follows it.

* **Reads** (`cursor`, `query`, `data_version`): at most every `POLL_SECONDS` a read first asks
  PostgreSQL for `_tandem_versions` (one row per table, the number of the last commit that
  changed it). A table another process changed is brought up to date in the mirror: only the
  rows whose keys that commit logged in `_tandem_changes`, or the whole table after a bulk
  change. All tables of one catch-up change in one DuckDB transaction, so a page never sees
  half of another process's commit. `data_version()` is then the plant's `meta.data_version`,
  as in PostgreSQL, so page caches and the plan cache follow other processes' commits.
* **Writes** (`transaction`): one PostgreSQL transaction per Tandem transaction. It first takes
  the plant's advisory lock (writers of one plant are serialised across processes, as they are
  inside one process: STYLE.md 4, "serialise rather than hope") and brings the mirror up to
  date; then the body runs on the mirror exactly as with a DuckDB file (permission checks,
  audit rows, RETURNING ids); then, before either commits, what it changed is replayed into
  PostgreSQL: for every table it wrote, the rows whose key changed (found by comparing the rows
  before and after: see `_Capture`) are checked, deleted and inserted, with the audit rows, the
  change log and the table versions; PostgreSQL commits, then the mirror. Any failure rolls
  both back.
* **Conflicts:** each changed row's key is locked in PostgreSQL (`SELECT ... FOR UPDATE`) and
  the row compared with what the transaction saw before changing it; a difference (a writer
  that bypassed the lock, a mirror that drifted) refuses the transaction with
  lib.errors.Conflict, as does a new row whose key PostgreSQL already holds. Deadlocks and
  serialisation failures of the replay are retried.
* **Ids:** the mirror's DuckDB sequences are moved past PostgreSQL's under the lock before the
  body runs, and PostgreSQL's past the mirror's after it, so generated ids never collide.
* **Schema:** the DuckDB migrations are the one list. Run on PostgreSQL, each schema statement
  is translated (`pg_statement`: DOUBLE -> DOUBLE PRECISION, BLOB -> BYTEA, ...) unless
  `migrations/postgresql/<name>.sql` gives PostgreSQL's own text; data statements run on the
  mirror and are replayed like any write.
* **Plants:** one PostgreSQL schema per plant (`TANDEM_PLANT`, default `main`), with its own
  users, roles, settings and data; `plants(url)` lists them.
"""
from __future__ import annotations

import functools
import re
import threading
import time
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator
from urllib.parse import urlsplit, urlunsplit

import pandas as pd

from lib import settings
from lib.errors import Conflict, DatabaseBusy, DatabaseUnavailable, TandemError
from lib.people import auth
from lib.people.auth import SYSTEM, User
from lib.store import statements
from lib.store.db import MIGRATIONS_DIR, Database, Tx, TxCursor, translate

SCHEMES = ("postgresql://", "postgres://")
PG_MIGRATIONS_DIR = MIGRATIONS_DIR / "postgresql"
POLL_SECONDS = 0.2            # a read asks PostgreSQL for other processes' commits at most this often
LOCK_TIMEOUT = "60s"          # how long a write waits for another process's write of the same plant
RETRIES = 3                   # replays retried after a deadlock or serialisation failure
LOG_KEEP = "1 day"            # change-log rows kept; a mirror older than that reloads what changed
# a commit that changes more rows than this (and a third of the table) makes other processes
# reload the table instead of fetching the changed keys
FULL_RELOAD_ROWS = 50_000
# tables the gateway writes at commit (Database._finish) through its own cursor
GATEWAY_TABLES = ("meta", "section_updates")
# tables only ever appended to (nobody may change the audit log): a commit sends their new rows
# straight into the table, and other processes fetch the rows above the highest id they hold,
# instead of logging and fetching every key (an import of 100k lines writes over a million)
APPEND_ONLY = {"audit_log": "audit_id"}
_BOOKKEEPING = ("_tandem_versions", "_tandem_changes", "_tandem_commits", "_tandem_state")
_IDENT = re.compile(r"^[a-z_][a-z0-9_]*$")


def is_url(path) -> bool:
    """True for a PostgreSQL URL (the store is then PostgresDatabase)."""
    return isinstance(path, str) and path.startswith(SCHEMES)


def masked(url: str) -> str:
    """The URL without its password, for messages."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{parts.username}:***@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


def check_plant(plant: str) -> str:
    """A plant name as a PostgreSQL schema name, or a ValidationError naming the rule."""
    from lib.errors import ValidationError
    name = str(plant or "").strip()
    if not _IDENT.match(name) or len(name) > 48 or name.startswith("pg_") or name == "information_schema":
        raise ValidationError(f"{plant!r} is not a plant name: use lower-case letters, digits and _ "
                              "(at most 48, not starting with a digit or pg_), e.g. main or plant_2.",
                              where="TANDEM_PLANT")
    return name


def _ident(name: str) -> str:
    if not _IDENT.match(name):
        raise ValueError(f"not a plain identifier: {name!r}")
    return name


def _q(name: str) -> str:
    """A PostgreSQL identifier, quoted (names are checked plain identifiers)."""
    if not _IDENT.match(name):
        raise ValueError(f"not a plain identifier: {name!r}")
    return f'"{name}"'


# ---------------------------------------------------------------------------- schema translation

_TYPE_MAP = [
    (re.compile(r"\bDOUBLE(?!\s+PRECISION)\b", re.I), "DOUBLE PRECISION"),
    (re.compile(r"\bFLOAT8\b", re.I), "DOUBLE PRECISION"),
    (re.compile(r"\bBLOB\b", re.I), "BYTEA"),
    (re.compile(r"\bUBIGINT\b", re.I), "NUMERIC(20)"),
    (re.compile(r"\bHUGEINT\b", re.I), "NUMERIC(39)"),
    (re.compile(r"\bTINYINT\b", re.I), "SMALLINT"),
    (re.compile(r"\bDATETIME\b", re.I), "TIMESTAMP"),
]


def pg_statement(sql: str) -> str:
    """A DuckDB schema statement in PostgreSQL's dialect (the types that differ).

    >>> pg_statement("CREATE TABLE t (x DOUBLE NOT NULL, b BLOB, y DOUBLE PRECISION)")
    'CREATE TABLE t (x DOUBLE PRECISION NOT NULL, b BYTEA, y DOUBLE PRECISION)'
    """
    for pattern, repl in _TYPE_MAP:
        sql = pattern.sub(repl, sql)
    return sql


def migration_ddl(step: Path) -> tuple[list[str], list[str], list[str]]:
    """One migration split for PostgreSQL: (its statements in order as DuckDB runs them, which of
    them are schema statements, PostgreSQL's schema statements). The PostgreSQL text is the
    override file `migrations/postgresql/<name>.sql` when there is one, else the translation."""
    import duckdb
    found = duckdb.extract_statements(step.read_text(encoding="utf-8"))
    texts = [s.query for s in found]
    schema = [s.query for s in found if s.type.name in ("CREATE", "ALTER", "DROP") or _SCHEMA_START.match(s.query)]
    override = PG_MIGRATIONS_DIR / step.name
    if override.is_file():
        pg = [s.query for s in duckdb.extract_statements(override.read_text(encoding="utf-8"))]
    else:
        pg = [pg_statement(s) for s in schema]
    return texts, schema, pg


# DuckDB calls ALTER TABLE ... ADD COLUMN ... NOT NULL DEFAULT a MULTI statement: told by its start
_SCHEMA_START = re.compile(r"^\s*(?:--[^\n]*\n\s*)*(?:CREATE|ALTER|DROP)\b", re.I)
_ALTER_TABLE = re.compile(r"^\s*(?:--[^\n]*\n\s*)*ALTER\s+TABLE\s+(?:IF\s+EXISTS\s+)?(?:main\.)?(\w+)", re.I)


@functools.lru_cache(maxsize=1024)
def _analyse(sql: str) -> tuple[statements.Statement, ...]:
    return tuple(statements.analyse(sql))


# ---------------------------------------------------------------------------- connections

def _connect(url: str, *, autocommit: bool):
    """An ADBC connection to PostgreSQL (Arrow in and out), or DatabaseUnavailable saying why."""
    try:
        import adbc_driver_postgresql.dbapi as adbc
    except ImportError as e:  # pragma: no cover - a requirement
        raise DatabaseUnavailable("PostgreSQL needs adbc-driver-postgresql: "
                                  "python -m pip install -r requirements.txt") from e
    try:
        return adbc.connect(url, autocommit=autocommit)
    except Exception as e:  # noqa: BLE001 - the driver's error names the cause
        raise DatabaseUnavailable(f"PostgreSQL at {masked(url)} could not be reached: "
                                  f"{_first_line(e)}") from None


class _Pg:
    """An ADBC cursor that takes each statement's rows at once (ADBC refuses the next statement
    while a result is unread), with `?`-free PostgreSQL parameters ($1, $2, ...)."""

    def __init__(self, cur):
        self._cur = cur
        self._rows: list = []

    def execute(self, sql: str, params=None) -> "_Pg":
        self._cur.execute(sql, parameters=params)
        try:
            self._rows = self._cur.fetchall() if self._cur.description else []
        except Exception:  # noqa: BLE001 - a statement without rows
            self._rows = []
        return self

    def fetchall(self) -> list:
        rows, self._rows = self._rows, []
        return rows

    def fetchone(self):
        return self._rows.pop(0) if self._rows else None

    def adbc_ingest(self, *args, **kwargs):
        return self._cur.adbc_ingest(*args, **kwargs)

    def close(self) -> None:
        self._cur.close()


def _first_line(e: Exception) -> str:
    text = str(e)
    text = re.sub(r"^[A-Z_]+: \[libpq\] ", "", text)
    text = re.sub(r"Failed to execute (prepared )?statement: PGRES_FATAL_ERROR ERROR:\s*", "", text)
    return text.strip().splitlines()[0] if text.strip() else type(e).__name__


def _sqlstate(e: Exception) -> str | None:
    return getattr(e, "sqlstate", None)


def plants(url: str) -> list[str]:
    """The plants (schemas holding a Tandem database) of the PostgreSQL database at `url`."""
    con = _connect(url, autocommit=True)
    try:
        cur = con.cursor()
        cur.execute("SELECT table_schema FROM information_schema.tables WHERE table_name = '_tandem_versions' "
                    "ORDER BY 1")
        return [r[0] for r in cur.fetchall()]
    finally:
        con.close()


def drop_plant(url: str, plant: str) -> None:
    """Remove a plant's schema and everything in it (tests, and an admin retiring a plant)."""
    con = _connect(url, autocommit=True)
    try:
        con.cursor().execute(f"DROP SCHEMA IF EXISTS {_q(check_plant(plant))} CASCADE")
    finally:
        con.close()


# ---------------------------------------------------------------------------- the store

_LOCAL_ROWID: int | None = None


def _local_rowid(con) -> int:
    """The first rowid DuckDB gives a row inserted in a transaction not yet committed (they are
    numbered apart from committed rows): the rows a transaction added are those at or above it."""
    global _LOCAL_ROWID
    if _LOCAL_ROWID is None:
        cur = con.cursor()
        try:
            cur.execute("CREATE TEMP TABLE _rowid_probe (x INTEGER)")
            cur.execute("INSERT INTO _rowid_probe VALUES (1)")
            cur.execute("BEGIN TRANSACTION")
            cur.execute("INSERT INTO _rowid_probe VALUES (2)")
            committed, local = cur.execute("SELECT min(rowid), max(rowid) FROM _rowid_probe").fetchone()
            cur.execute("ROLLBACK")
            cur.execute("DROP TABLE _rowid_probe")
        finally:
            cur.close()
        if local < 2 ** 40:
            raise DatabaseUnavailable("This DuckDB numbers uncommitted rows like committed ones; the "
                                      "PostgreSQL store cannot tell what a transaction added.")
        _LOCAL_ROWID = int(local)
    return _LOCAL_ROWID


class PostgresDatabase(Database):
    """Tandem's database on PostgreSQL (one schema per plant) with an in-memory DuckDB mirror.

    Everything Database offers works the same; see the module doc for how.
    """

    def __init__(self, path: str, *, migrate: bool = True, read_only: bool = False, plant: str | None = None):
        super().__init__(":memory:", migrate=False)
        self.url = str(path)
        self.path = self.url
        self.label = masked(self.url)
        self.plant = check_plant(plant or settings.plant())
        self.schema = _q(self.plant)
        self.read_only = read_only
        self._mirror_id = f"tandem_mirror_{uuid.uuid4().hex[:12]}"
        self._pg_lock = threading.Lock()          # the reading connection (polls and loads)
        self._reader = _connect(self.url, autocommit=True)
        self._writer = None
        self._versions: dict[str, int] = {}       # table -> the commit the mirror holds it at
        self._seen = 0                            # the last commit the mirror has caught up with
        self._last_poll = 0.0
        self._generation = 0                      # counts the mirror's changes (data_version memo)
        self._memo: tuple[int, int] | None = None
        self._pk_cache: dict[str, tuple[str, ...]] | None = None
        self._thr = _local_rowid(self._con)
        self._busy = 0                            # > 0 while this process writes (under self._lock)
        self._stale: set[str] = set()             # tables whose rows differ from PostgreSQL's
        self.retries = 0                          # replays retried after a serialisation failure
        self._pg_temps: set[str] = set()          # staging tables the writing session holds
        self._schema_changing = False             # a migration runs: the catalog is not kept
        self._cols_cache: dict[str, list[str]] = {}
        self._tables_cache: list[str] | None = None
        with self._lock:
            if migrate and not read_only:
                self.migrate()
            else:
                self._rebuild()

    # ------------------------------------------------------------------ reading
    @contextmanager
    def cursor(self) -> Iterator:
        self.sync()
        with super().cursor() as cur:
            yield cur

    def data_version(self) -> int:
        """The plant's data version as PostgreSQL has it (other processes' commits included, at
        most POLL_SECONDS late)."""
        self.sync()
        memo = self._memo
        if memo is not None and memo[0] == self._generation:
            return memo[1]
        gen = self._generation
        with super().cursor() as cur:
            row = cur.execute("SELECT value FROM meta WHERE key = 'data_version'").fetchone()
        version = int(row[0]) if row else 0
        self._memo = (gen, version)
        return version

    def sync(self, *, force: bool = False) -> None:
        """Bring the mirror up to date with PostgreSQL (at most every POLL_SECONDS unless `force`).
        A read while this process is writing does not wait: it sees the mirror as it is."""
        now = time.monotonic()
        if not force and now - self._last_poll < POLL_SECONDS:
            return
        if not self._lock.acquire(blocking=force):
            return
        try:
            if self._busy:                 # this thread is inside a write: the mirror stays put
                return
            self._last_poll = time.monotonic()
            self._catch_up(self._reader_cursor())
        finally:
            self._lock.release()

    def _reader_cursor(self):
        return _Pg(self._reader.cursor())

    # ------------------------------------------------------------------ the mirror
    def _pg_versions(self, cur) -> tuple[dict[str, tuple[int, int]], int]:
        cur.execute(f"SELECT table_name, version, full_from FROM {self.schema}._tandem_versions UNION ALL "
                    f"SELECT NULL, value, 0 FROM {self.schema}._tandem_state WHERE key = 'log_from'")
        rows = cur.fetchall()
        versions = {r[0]: (int(r[1]), int(r[2])) for r in rows if r[0] is not None}
        return versions, max([0] + [int(r[1]) for r in rows if r[0] is None])

    def _catch_up(self, cur) -> None:
        """Reload what other processes committed since the mirror was last brought up to date."""
        try:
            versions, log_from = self._pg_versions(cur)
        except Exception as e:  # noqa: BLE001
            self._reconnect_reader()
            raise DatabaseUnavailable(f"PostgreSQL at {self.label} did not answer: {_first_line(e)}") from None
        changed = {t: v for t, v in versions.items() if v[0] > self._versions.get(t, 0)}
        for t in self._stale:              # found to differ from PostgreSQL: reloaded whole
            changed.setdefault(t, versions.get(t, (self._versions.get(t, 0), 0)))
        if not changed:
            return
        if "schema_migrations" in changed:          # another process migrated: start again
            self._rebuild()
            return
        tables = set(self._tables())
        full = {t for t, (v, full_from) in changed.items()
                if full_from > self._versions.get(t, 0) or log_from > self._versions.get(t, 0) or not self._pk(t)
                or t in self._stale}
        mcur = self._con.cursor()
        try:
            mcur.execute("BEGIN TRANSACTION")
            for t in sorted(changed):
                if t not in tables:
                    continue
                if t in full:
                    self._load_table(mcur, t)
                elif t in APPEND_ONLY:
                    self._load_appended(mcur, t)
                else:
                    self._load_changes(mcur, t, self._versions.get(t, 0))
            mcur.execute("COMMIT")
        except BaseException:
            try:
                mcur.execute("ROLLBACK")
            except Exception:  # noqa: BLE001
                pass
            raise
        finally:
            mcur.close()
        for t, (v, _) in changed.items():
            self._versions[t] = v
        self._stale -= set(changed)
        self._seen = max([self._seen] + [v for v, _ in versions.values()])
        self._generation += 1

    def _fetch(self, sql: str, params=None):
        """An Arrow table from PostgreSQL (the reading connection)."""
        with self._pg_lock:
            cur = self._reader.cursor()
            try:
                cur.execute(sql, parameters=params)
                return cur.fetch_arrow_table()
            finally:
                cur.close()

    def _load_table(self, mcur, table: str) -> None:
        rows = self._fetch(f"SELECT * FROM {self.schema}.{_q(table)}")
        mcur.execute(f"DELETE FROM {table}")
        if rows.num_rows:
            mcur.register("_pg_rows", rows)
            mcur.execute(f"INSERT INTO {table} BY NAME SELECT * FROM _pg_rows")
            mcur.unregister("_pg_rows")

    def _load_appended(self, mcur, table: str) -> None:
        """An append-only table's rows above the highest id the mirror holds."""
        col = APPEND_ONLY[table]
        top = mcur.execute(f"SELECT max({col}) FROM {table}").fetchall()[0][0]
        rows = self._fetch(f"SELECT * FROM {self.schema}.{_q(table)} WHERE {_q(col)} > $1",
                           (int(top) if top is not None else -(2 ** 62),))
        if rows.num_rows:
            mcur.register("_pg_rows", rows)
            mcur.execute(f"INSERT INTO {table} BY NAME SELECT * FROM _pg_rows")
            mcur.unregister("_pg_rows")

    def _load_changes(self, mcur, table: str, since: int) -> None:
        """Only the rows whose keys were changed by commits after `since`: the key columns
        (named _key_<col>) beside the row as it is now (all NULL when it was deleted)."""
        pk = self._pk(table)
        t, s = _q(table), self.schema
        keys = ", ".join(f"(r).{_q(c)} AS {_q('_key_' + c)}" for c in pk)
        on = " AND ".join(f"t.{_q(c)} = k.{_q('_key_' + c)}" for c in pk)
        rows = self._fetch(
            f"WITH k AS (SELECT DISTINCT {keys} FROM (SELECT jsonb_populate_record(NULL::{s}.{t}, key) AS r "
            f"FROM {s}._tandem_changes WHERE table_name = $1 AND commit_no > $2) x) "
            f"SELECT k.*, t.* FROM k LEFT JOIN {s}.{t} t ON {on}", (table, since))
        if not rows.num_rows:
            return
        mcur.register("_pg_rows", rows)
        match = " AND ".join(f"{table}.{c} = _pg_rows._key_{c}" for c in pk)
        mcur.execute(f"DELETE FROM {table} USING _pg_rows WHERE {match}")
        cols = [c for c in self._columns(table)]
        mcur.execute(f"INSERT INTO {table} ({', '.join(cols)}) SELECT {', '.join(cols)} FROM _pg_rows "
                     f"WHERE {pk[0]} IS NOT NULL")
        mcur.unregister("_pg_rows")

    def _rebuild(self) -> None:
        """The mirror built afresh: the migrations PostgreSQL has applied, then every table's rows."""
        cur = self._reader_cursor()
        try:
            versions, _ = self._pg_versions(cur)
        except Exception:  # noqa: BLE001 - no Tandem schema in this plant yet
            versions = {}
        applied = self._pg_applied() if versions else []
        known = {p.stem: p for p in sorted(MIGRATIONS_DIR.glob("*.sql"))}
        if unknown := [m for m in applied if m not in known]:
            raise DatabaseUnavailable(f"Plant {self.plant} at {self.label} was upgraded by a newer Tandem "
                                      f"(migrations {', '.join(unknown)} unknown here): upgrade Tandem.")
        import duckdb
        con = duckdb.connect(":memory:")
        try:
            con.execute("CREATE TABLE IF NOT EXISTS schema_migrations "
                        "(name VARCHAR PRIMARY KEY, applied_at TIMESTAMP NOT NULL DEFAULT current_timestamp)")
            for name in applied:
                con.execute("BEGIN TRANSACTION")
                con.execute(known[name].read_text(encoding="utf-8"))
                con.execute("COMMIT")
            con.execute(f"ATTACH ':memory:' AS {self._mirror_id}")   # names the mirror: planned.data_key
            old, self._con = self._con, con
            self._forget_catalog()
            mcur = con.cursor()
            mcur.execute("BEGIN TRANSACTION")
            for t in self._tables():
                self._load_table(mcur, t) if versions else mcur.execute(f"DELETE FROM {t}")
            mcur.execute("COMMIT")
            mcur.close()
        except duckdb.Error as e:
            con.close()
            raise translate(e, self.label) from e
        if old is not None:
            try:
                old.close()
            except Exception:  # noqa: BLE001
                pass
        self._versions = {t: v for t, (v, _) in versions.items()}
        self._seen = max([0] + list(self._versions.values()))
        self._sync_sequences_from_pg(self._reader_cursor())
        self._generation += 1

    def _pg_applied(self) -> list[str]:
        with self._pg_lock:
            cur = _Pg(self._reader.cursor())
            try:
                cur.execute(f"SELECT name FROM {self.schema}.schema_migrations ORDER BY name")
                return [r[0] for r in cur.fetchall()]
            except Exception:  # noqa: BLE001 - no schema yet
                return []
            finally:
                cur.close()

    def _reconnect_reader(self) -> None:
        try:
            self._reader.close()
        except Exception:  # noqa: BLE001
            pass
        self._reader = _connect(self.url, autocommit=True)

    def _forget_catalog(self) -> None:
        self._pk_cache, self._tables_cache, self._cols_cache = None, None, {}

    def _tables(self, cur=None) -> list[str]:
        """The mirror's tables (without asking PostgreSQL first, unlike tables())."""
        if not self._schema_changing and self._tables_cache is not None:
            return self._tables_cache
        cur = cur or self._con
        found = [r[0] for r in cur.execute(
            "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main' AND database_name = current_database() "
            "AND NOT temporary ORDER BY 1").fetchall()]
        if not self._schema_changing:
            self._tables_cache = found
        return found

    def _pk(self, table: str, cur=None) -> tuple[str, ...]:
        """The table's primary key columns (`cur`: a transaction's cursor, which sees the tables
        it created; its answers are not kept)."""
        if cur is not None and self._schema_changing:
            row = cur.execute(
                "SELECT constraint_column_names FROM duckdb_constraints() WHERE schema_name = 'main' "
                "AND database_name = current_database() AND constraint_type = 'PRIMARY KEY' AND table_name = ?",
                [table]).fetchone()
            return tuple(row[0]) if row else ()
        if self._pk_cache is None:
            rows = self._con.execute(
                "SELECT table_name, constraint_column_names FROM duckdb_constraints() WHERE schema_name = 'main' "
                "AND database_name = current_database() AND constraint_type = 'PRIMARY KEY'").fetchall()
            self._pk_cache = {r[0]: tuple(r[1]) for r in rows}
        return self._pk_cache.get(table, ())

    def _columns(self, table: str, cur=None) -> list[str]:
        """The table's columns in order (kept until the schema changes: migrations, a rebuild)."""
        if self._schema_changing or table not in self._cols_cache:
            cols = [r[0] for r in (cur or self._con).execute(
                "SELECT column_name FROM duckdb_columns() WHERE schema_name = 'main' "
                "AND database_name = current_database() AND table_name = ? ORDER BY column_index", [table]).fetchall()]
            if self._schema_changing:
                return cols
            self._cols_cache[table] = cols
        return self._cols_cache[table]

    # ------------------------------------------------------------------ sequences
    def _pg_sequences(self, cur) -> dict[str, int | None]:
        cur.execute("SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = $1", (self.plant,))
        return {r[0]: (None if r[1] is None else int(r[1])) for r in cur.fetchall()}

    def _local_sequences(self) -> dict[str, int | None]:
        rows = self._con.execute("SELECT sequence_name, last_value FROM duckdb_sequences() "
                                 "WHERE schema_name = 'main' AND database_name = current_database()").fetchall()
        return {r[0]: (None if r[1] is None else int(r[1])) for r in rows}

    def _sync_sequences_from_pg(self, cur) -> None:
        try:
            remote = self._pg_sequences(cur)
        except Exception:  # noqa: BLE001 - no schema yet
            return
        local = self._local_sequences()
        for name, v in remote.items():
            if name in local and v is not None and (local[name] is None or local[name] < v):
                self._con.execute(f"SELECT setval('{name}', {int(v)})")

    # ------------------------------------------------------------------ writing
    def _writer_con(self):
        if self._writer is None:
            self._pg_temps = set()
            self._writer = _connect(self.url, autocommit=False)
            cur = _Pg(self._writer.cursor())
            cur.execute(f"SET search_path TO {self.schema}")
            # each statement sees what committed before it: the plant's lock is taken first, then
            # the mirror catches up (under REPEATABLE READ the snapshot would predate the lock)
            cur.execute("SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL READ COMMITTED")
            self._writer.commit()
        return self._writer

    def _drop_writer(self) -> None:
        if self._writer is not None:
            try:
                self._writer.close()
            except Exception:  # noqa: BLE001
                pass
            self._writer = None

    def _begin_pg(self):
        """Open the PostgreSQL transaction: the plant's write lock, then the mirror caught up and
        its sequences moved past PostgreSQL's. Returns the writing cursor."""
        if self.read_only:
            raise TandemError(f"Plant {self.plant} was opened read-only.", title="Not saved")
        con = self._writer_con()
        cur = _Pg(con.cursor())
        try:
            self._lock_plant(cur)
        except Exception as e:  # noqa: BLE001
            self._rollback_pg()
            if _sqlstate(e) == "55P03":
                raise DatabaseBusy(f"Another Tandem process has been saving to plant {self.plant} for "
                                   f"over {LOCK_TIMEOUT}; nothing was saved. Try again in a moment.") from None
            self._drop_writer()
            raise DatabaseUnavailable(f"PostgreSQL at {self.label}: {_first_line(e)}") from None
        try:
            self._catch_up(cur)
            self._sync_sequences_from_pg(cur)
        except BaseException:
            self._rollback_pg()
            raise
        self._last_poll = time.monotonic()
        return cur

    def _lock_plant(self, cur) -> None:
        """The plant's write lock, for this PostgreSQL transaction (waits up to LOCK_TIMEOUT)."""
        cur.execute(f"SELECT set_config('lock_timeout', '{LOCK_TIMEOUT}', true), "
                    "pg_advisory_xact_lock(hashtext($1))", (f"tandem:{self.plant}",))

    def _rollback_pg(self) -> None:
        if self._writer is None:
            return
        # staging tables created in this transaction are gone with it (CREATE is transactional)
        self._pg_temps.clear()
        try:
            self._writer.rollback()
        except Exception:  # noqa: BLE001 - a broken connection: open a new one next time
            self._drop_writer()

    def _undo(self, cur) -> None:
        """A failed write: roll back the mirror's transaction (if it still has one), then PostgreSQL's."""
        try:
            cur.execute("ROLLBACK")
        except Exception:  # noqa: BLE001 - the mirror's transaction already ended
            pass
        self._rollback_pg()

    @contextmanager
    def transaction(self, user: User = SYSTEM, *, source: str = "app", need: str | None = None,
                    department: str | None = None) -> Iterator[Tx]:
        """The single write path (see Database.transaction and the module doc): the body runs on
        the mirror; what it changed is replayed into PostgreSQL in one transaction before either
        commits."""
        auth.require_writer(user)
        if need:
            auth.require(user, need, department)
        with self._lock:
            pg = self._begin_pg()
            cur = self._con.cursor()
            capture = _Capture(self, cur)
            self._busy += 1
            try:
                cur.execute("BEGIN TRANSACTION")
                tx = PgTx(cur, user, source, need, department, capture)
                yield tx
                for t in GATEWAY_TABLES:
                    capture.table(t)
                self._finish(tx)
                self._replay(pg, capture, tx)
                self._commit_pg()
                try:
                    cur.execute("COMMIT")
                except Exception:  # noqa: BLE001 - PostgreSQL has it: reload the mirror from there
                    self._versions = {}
                    raise
                if tx.changed:
                    self._generation += 1
                    self._committed()
            except BaseException as e:
                self._undo(cur)
                import duckdb
                if isinstance(e, duckdb.Error):
                    raise translate(e, self.label) from e
                raise
            finally:
                self._busy -= 1
                cur.close()

    def _commit_pg(self) -> None:
        try:
            self._writer.commit()
        except Exception as e:  # noqa: BLE001
            self._drop_writer()
            raise DatabaseUnavailable(f"PostgreSQL at {self.label} did not commit: {_first_line(e)}; "
                                      "nothing was saved.") from None

    def _replay(self, pg, capture: "_Capture", tx: Tx | None) -> None:
        """Write what the transaction changed into PostgreSQL (its transaction is open, the lock
        held), retrying after a deadlock or serialisation failure."""
        for attempt in range(RETRIES):
            try:
                self._replay_once(pg, capture, tx)
                return
            except (Conflict, TandemError):
                raise
            except Exception as e:  # noqa: BLE001 - the driver's errors
                state = _sqlstate(e)
                if state in ("40001", "40P01") and attempt + 1 < RETRIES:
                    # PostgreSQL undid the replay; the mirror's transaction stands. Replay it again
                    # in a new PostgreSQL transaction: its row checks compare afresh, so a row the
                    # other transaction changed meanwhile refuses it (Conflict) instead of being lost.
                    self._rollback_pg()
                    time.sleep(0.05 * (attempt + 1))
                    pg = _Pg(self._writer_con().cursor())
                    self._lock_plant(pg)
                    self.retries += 1
                    continue
                raise _pg_error(e, self.label) from None

    def _replay_once(self, pg, capture: "_Capture", tx: Tx | None) -> None:
        pg.execute(f"SELECT coalesce(max(commit_no), 0) + 1 FROM {self.schema}._tandem_commits")
        commit_no = int(pg.fetchall()[0][0])
        changed: dict[str, bool] = {}          # table -> whether other processes reload it whole
        tables = set(self._tables(capture.cur))
        for table in sorted(capture.candidates() & tables):
            n, full = self._replay_table(pg, capture, table, commit_no)
            if n:
                changed[table] = full
        for t in capture.created & tables:
            changed.setdefault(t, True)
        if not changed:
            return
        self._push_sequences(pg)
        s = self.schema
        values = ", ".join(f"('{_ident(t)}', {int(commit_no)}, {int(commit_no) if full else 0})"
                           for t, full in changed.items())
        pg.execute(f"INSERT INTO {s}._tandem_versions (table_name, version, full_from) VALUES {values} "
                   "ON CONFLICT (table_name) DO UPDATE SET version = excluded.version, "
                   f"full_from = greatest(excluded.full_from, {s}._tandem_versions.full_from)")
        pg.execute(f"INSERT INTO {s}._tandem_commits (commit_no, username, source, tables) VALUES ($1, $2, $3, $4)",
                   (commit_no, tx.user.username if tx else "system", tx.source if tx else "migration",
                    ",".join(sorted(changed))))
        if commit_no % 200 == 0:
            self._prune(pg)
        for t in changed:
            self._versions[t] = commit_no
        self._seen = commit_no

    def _replay_table(self, pg, capture: "_Capture", table: str, commit_no: int) -> tuple[int, bool]:
        """Replay one table's changes; return how many keys changed (0: none) and whether other
        processes should reload the whole table (a bulk change) rather than the changed keys."""
        s, t = self.schema, _q(table)
        mcur = capture.cur
        pk = capture.pk(table)
        if table in capture.replaced or not pk:
            rows = _arrow(mcur, self._select(table, table, mcur))
            pg.execute(f"DELETE FROM {s}.{t}")
            if rows.num_rows:
                self._ingest(pg, table, rows, f"{s}.{t}")
            return max(rows.num_rows, 1), True
        if table in APPEND_ONLY and table not in capture.keyed | capture.full | capture.replaced:
            rows = _arrow(mcur, self._select(table, f"{table} WHERE rowid >= {self._thr}", mcur))
            if rows.num_rows:
                try:
                    self._ingest(pg, table, rows, f"{s}.{t}")
                except Exception as e:  # noqa: BLE001
                    if _sqlstate(e) == "23505":
                        self._stale.add(table)
                        raise Conflict(f"{table}: {_first_line(e)} — another process added these records "
                                       "meanwhile; nothing was saved. Try again.") from None
                    raise
            return rows.num_rows, False
        before, after = capture.before_after(table)
        keys = ", ".join(pk)
        mcur.execute(f"CREATE OR REPLACE TEMP TABLE _pgc AS SELECT DISTINCT {keys} FROM ("
                     f"SELECT {keys} FROM (SELECT * FROM ({after}) EXCEPT SELECT * FROM ({before})) "
                     f"UNION ALL SELECT {keys} FROM (SELECT * FROM ({before}) EXCEPT SELECT * FROM ({after})))")
        n = int(mcur.execute("SELECT count(*) FROM _pgc").fetchone()[0])
        if not n:
            return 0, False
        semi = f"WHERE ({keys}) IN (SELECT ({keys}) FROM _pgc)" if len(pk) > 1 else f"WHERE {pk[0]} IN (SELECT {pk[0]} FROM _pgc)"
        new = _arrow(mcur, self._select(table, f"(SELECT * FROM {table} {semi})", mcur))
        old = _arrow(mcur, self._select(table, f"(SELECT * FROM ({before}) {semi})", mcur))
        on = " AND ".join(f"t.{_q(c)} = o.{_q(c)}" for c in pk)
        n_tmp, o_tmp = self._temp_tables(pg, table)
        if old.num_rows:
            self._ingest(pg, table, old, o_tmp)
            # lock the rows, then compare them with what this transaction saw before changing them
            pg.execute(f"WITH locked AS (SELECT t.* FROM {s}.{t} t JOIN {o_tmp} o ON {on} FOR UPDATE OF t) "
                       f"SELECT {', '.join('o.' + _q(c) for c in pk)}, t.{_q(pk[0])} IS NULL FROM {o_tmp} o "
                       f"LEFT JOIN locked t ON {on} WHERE t.{_q(pk[0])} IS NULL OR ROW(t.*) IS DISTINCT FROM ROW(o.*) "
                       "LIMIT 3")
            differ = pg.fetchall()
            if differ:                     # the mirror drifted (a writer outside Tandem): reload it
                self._stale.add(table)
                raise _conflict(table, pk, differ)
            pg.execute(f"DELETE FROM {s}.{t} t USING {o_tmp} o WHERE {on}")
        full = n > FULL_RELOAD_ROWS and n * 3 > int(mcur.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
        if new.num_rows:
            self._ingest(pg, table, new, n_tmp)
        obj = ", ".join(f"'{c}', {_q(c)}" for c in pk)
        cols = ", ".join(_q(c) for c in pk)
        log = ("SELECT 0 WHERE false" if full else
               f"INSERT INTO {s}._tandem_changes (commit_no, table_name, key) SELECT {int(commit_no)}, '{table}', "
               f"jsonb_build_object({obj}) FROM (SELECT {cols} FROM {n_tmp} UNION SELECT {cols} FROM {o_tmp}) k")
        try:
            pg.execute(f"WITH i AS (INSERT INTO {s}.{t} SELECT * FROM {n_tmp}) {log}" if new.num_rows else log)
        except Exception as e:  # noqa: BLE001
            if _sqlstate(e) == "23505":
                self._stale.add(table)
                raise Conflict(f"{table}: {_first_line(e)} — another process added this record meanwhile; "
                               "nothing was saved. Reload and try again.") from None
            raise
        return n, full

    def _temp_tables(self, pg, table: str) -> tuple[str, str]:
        """This session's staging tables for `table`'s new and old rows (emptied at every commit
        or rollback), created on first use."""
        names = f"_tandem_n_{table}", f"_tandem_o_{table}"
        if table not in self._pg_temps:
            for name in names:
                pg.execute(f"CREATE TEMP TABLE IF NOT EXISTS {name} (LIKE {self.schema}.{_q(table)}) ON COMMIT DELETE ROWS")
            self._pg_temps.add(table)
        return names

    def _select(self, table: str, source: str, cur=None) -> str:
        """SELECT of a table's columns, in order, from `source`."""
        return f"SELECT {', '.join(self._columns(table, cur))} FROM {source}"

    def _ingest(self, pg, table: str, rows, target: str) -> None:
        """Append Arrow rows to a PostgreSQL table (binary COPY)."""
        if "." in target:
            schema, name = target.split(".", 1)
            pg.adbc_ingest(name.strip('"'), rows, mode="append", db_schema_name=schema.strip('"'))
        else:
            pg.adbc_ingest(target, rows, mode="append", temporary=True)

    def _push_sequences(self, pg) -> None:
        remote = self._pg_sequences(pg)
        moves = [f"setval('{self.plant}.{name}', {int(v)})" for name, v in self._local_sequences().items()
                 if v is not None and name in remote and (remote[name] is None or remote[name] < v)]
        if moves:
            pg.execute(f"SELECT {', '.join(moves)}")

    def _prune(self, pg) -> None:
        """Forget change-log rows older than LOG_KEEP; a mirror older than that reloads."""
        s = self.schema
        pg.execute(f"SELECT min(commit_no) FROM {s}._tandem_commits WHERE committed_at > now() - interval '{LOG_KEEP}'")
        keep = pg.fetchall()[0][0]
        if keep is None:
            return
        pg.execute(f"DELETE FROM {s}._tandem_changes WHERE commit_no < $1", (int(keep),))
        pg.execute(f"INSERT INTO {s}._tandem_state VALUES ('log_from', $1) ON CONFLICT (key) DO UPDATE "
                   "SET value = excluded.value", (int(keep) - 1,))

    # ------------------------------------------------------------------ schema
    def _ensure_schema(self, pg) -> None:
        s = self.schema
        pg.execute(f"CREATE SCHEMA IF NOT EXISTS {s}")
        pg.execute(f"CREATE TABLE IF NOT EXISTS {s}._tandem_versions (table_name TEXT PRIMARY KEY, "
                   "version BIGINT NOT NULL, full_from BIGINT NOT NULL DEFAULT 0)")
        pg.execute(f"CREATE TABLE IF NOT EXISTS {s}._tandem_changes (commit_no BIGINT NOT NULL, "
                   "table_name TEXT NOT NULL, key JSONB NOT NULL)")
        pg.execute(f"CREATE INDEX IF NOT EXISTS _tandem_changes_table ON {s}._tandem_changes (table_name, commit_no)")
        pg.execute(f"CREATE TABLE IF NOT EXISTS {s}._tandem_commits (commit_no BIGINT PRIMARY KEY, "
                   "committed_at TIMESTAMPTZ NOT NULL DEFAULT now(), username TEXT, source TEXT, tables TEXT)")
        pg.execute(f"CREATE TABLE IF NOT EXISTS {s}._tandem_state (key TEXT PRIMARY KEY, value BIGINT NOT NULL)")
        pg.execute(f"CREATE TABLE IF NOT EXISTS {s}.schema_migrations "
                   "(name VARCHAR PRIMARY KEY, applied_at TIMESTAMP NOT NULL DEFAULT current_timestamp)")

    def applied_migrations(self) -> list[str]:
        with super().cursor() as cur:
            return [r[0] for r in cur.execute("SELECT name FROM schema_migrations ORDER BY name").fetchall()]

    def migrate(self) -> list[str]:
        """Apply every migration PostgreSQL has not applied: its schema statements on PostgreSQL
        (translated) and on the mirror, its data statements on the mirror, replayed; each in one
        transaction with its record, under the plant's write lock."""
        applied = []
        with self._lock:
            con = self._writer_con()
            cur = _Pg(con.cursor())
            try:
                cur.execute("SELECT pg_advisory_xact_lock(hashtext($1))", (f"tandem:{self.plant}",))
                cur.fetchall()
                self._ensure_schema(cur)
                con.commit()
            except Exception as e:  # noqa: BLE001
                self._rollback_pg()
                raise DatabaseUnavailable(f"Plant {self.plant} at {self.label} could not be created: "
                                          f"{_first_line(e)}") from None
            self._rebuild()
            done = set(self.applied_migrations())
            for step in sorted(MIGRATIONS_DIR.glob("*.sql")):
                if step.stem in done:
                    continue
                self._migrate_step(step)
                applied.append(step.stem)
        return applied

    def _migrate_step(self, step: Path) -> None:
        texts, schema, pg_ddl = migration_ddl(step)
        pg = self._begin_pg()
        cur = self._con.cursor()
        capture = _Capture(self, cur)
        self._busy += 1
        self._schema_changing = True
        try:
            cur.execute("BEGIN TRANSACTION")
            for sql in pg_ddl:
                pg.execute(sql)
            tx = PgTx(cur, SYSTEM, f"migration {step.stem}", None, None, capture)
            for sql in texts:
                if sql in schema:
                    # a table altered is sent whole: its rows may have changed shape
                    if m := _ALTER_TABLE.match(sql):
                        capture.replaced.add(m.group(1).lower())
                    for st in _analyse(sql):
                        for w in st.writes:
                            if w.object == "table" and w.kind == "create":
                                capture.created.add(w.table)
                    cur.execute(sql)
                else:                      # the gateway's own statement: no user to check
                    capture.sql(sql)
                    cur.execute(sql)
            cur.execute("INSERT INTO schema_migrations (name) VALUES (?)", [step.stem])
            capture.inserted.add("schema_migrations")
            self._replay(pg, capture, tx)
            self._commit_pg()
            cur.execute("COMMIT")
            self._generation += 1
        except BaseException as e:
            self._undo(cur)
            detail = e.detail if isinstance(e, TandemError) else _first_line(e)
            raise DatabaseUnavailable(f"Migration {step.name} failed on PostgreSQL (plant {self.plant}): "
                                      f"{detail}") from e
        finally:
            self._busy -= 1
            self._schema_changing = False
            self._forget_catalog()
            self._drop_writer()            # its staging tables were shaped by the old schema
            cur.close()

    # ------------------------------------------------------------------ whole-database operations
    @contextmanager
    def writes_held(self) -> Iterator[None]:
        """Hold off every write of every process on this plant (the plant's write lock) with the
        mirror caught up: a backup exports exactly what PostgreSQL holds."""
        with self._lock:
            self._begin_pg()
            try:
                yield
            finally:
                self._rollback_pg()

    def import_database(self, source: Path) -> None:
        raise TandemError("A PostgreSQL plant is restored with `python -m lib restore` (it builds the "
                          "database in DuckDB first, then replaces the plant's rows).", title="Not restored")

    def replace_with(self, path: Path, *, source: str = "restore") -> dict[str, int]:
        """Replace every row of this plant with those of the DuckDB database file `path` (same
        schema version), in one PostgreSQL transaction; return rows per table. The plant's data
        version ends above both the old and the new one, so no cache keeps an old page."""
        import duckdb
        src = duckdb.connect(str(path), read_only=True)
        try:
            theirs = [r[0] for r in src.execute("SELECT name FROM schema_migrations ORDER BY name").fetchall()]
            if theirs != self.applied_migrations():
                raise TandemError(f"{path} has the schema {', '.join(theirs)}; plant {self.plant} has "
                                  f"{', '.join(self.applied_migrations())}.", title="Not replaced")
            counts = {}
            with self._lock:
                pg = self._begin_pg()
                try:
                    old_version = self.data_version_now()
                    pg.execute(f"SELECT coalesce(max(commit_no), 0) + 1 FROM {self.schema}._tandem_commits")
                    commit_no = int(pg.fetchall()[0][0])
                    for t in self.tables():
                        cols = ", ".join(self._columns(t))
                        rows = _arrow(src, f"SELECT {cols} FROM {t}")
                        pg.execute(f"DELETE FROM {self.schema}.{_q(t)}")
                        if rows.num_rows:
                            self._ingest(pg, t, rows, f"{self.schema}.{_q(t)}")
                        counts[t] = rows.num_rows
                        pg.execute(f"INSERT INTO {self.schema}._tandem_versions VALUES ($1, $2, $2) ON CONFLICT "
                                   "(table_name) DO UPDATE SET version = excluded.version, full_from = excluded.full_from",
                                   (t, commit_no))
                    new_version = src.execute("SELECT value FROM meta WHERE key = 'data_version'").fetchone()
                    version = max(old_version, int(new_version[0]) if new_version else 0) + 1
                    pg.execute(f"INSERT INTO {self.schema}.meta VALUES ('data_version', $1) ON CONFLICT (key) "
                               "DO UPDATE SET value = excluded.value", (str(version),))
                    for name, v in src.execute("SELECT sequence_name, last_value FROM duckdb_sequences() "
                                               "WHERE schema_name = 'main'").fetchall():
                        if v is not None:
                            pg.execute(f"SELECT setval('{self.plant}.{name}', $1)", (int(v),))
                            pg.fetchall()
                    pg.execute(f"INSERT INTO {self.schema}._tandem_commits (commit_no, username, source, tables) "
                               "VALUES ($1, 'system', $2, 'all')", (commit_no, source))
                    self._commit_pg()
                except BaseException as e:
                    self._rollback_pg()
                    if isinstance(e, TandemError):
                        raise
                    raise _pg_error(e, self.label) from None
                self._rebuild()
        finally:
            src.close()
        return counts

    def data_version_now(self) -> int:
        with super().cursor() as cur:
            row = cur.execute("SELECT value FROM meta WHERE key = 'data_version'").fetchone()
        return int(row[0]) if row else 0

    def checkpoint(self) -> None:
        """Nothing to do: PostgreSQL keeps its own files."""

    def close(self) -> None:
        with self._lock:
            for c in (self._reader, self._writer):
                if c is not None:
                    try:
                        c.close()
                    except Exception:  # noqa: BLE001
                        pass
            self._writer = None
            super().close()
        _PLANTS.pop((self.url, self.plant), None)
        from lib.store import db as _db
        if _db._INSTANCES.get(f"{self.url}#{self.plant}") is self:
            _db._INSTANCES.pop(f"{self.url}#{self.plant}", None)

    def __repr__(self) -> str:
        return f"PostgresDatabase({self.label!r}, plant={self.plant!r})"


def _arrow(cur, sql: str):
    """A DuckDB query's rows as one Arrow table (a result the cursor still holds is finished first)."""
    cur.complete()
    return cur.sql(sql).to_arrow_table()


def _conflict(table: str, pk, rows) -> Conflict:
    keys = "; ".join("|".join(str(v) for v in r[:len(pk)]) + (" (deleted)" if r[-1] else "") for r in rows)
    return Conflict(f"{table} {keys} was changed by someone else while this change was being saved; "
                    "nothing was saved. Reload and apply your change again.")


def _pg_error(e: Exception, label: str) -> TandemError:
    """A PostgreSQL error of a replay as a TandemError a person can act on."""
    from lib.errors import RuleViolation
    state, first = _sqlstate(e), _first_line(e)
    if state == "23505":
        return Conflict(f"{first}: another process saved this record meanwhile; nothing was saved.")
    if state in ("23502", "23514", "22001", "22003", "22P02"):
        return RuleViolation(f"PostgreSQL refused a value: {first}.")
    if state in ("40001", "40P01"):
        return TandemError("Another change to the same records was being saved at the same moment; nothing "
                           "was saved. Please try again.", title="Not saved")
    return DatabaseUnavailable(f"PostgreSQL at {label}: {first}")


# ---------------------------------------------------------------------------- change capture

_KEYED = re.compile(r"^\s*(?:UPDATE\s+(?:main\.)?(?P<u>\w+)\s+SET\s+.+?|DELETE\s+FROM\s+(?:main\.)?(?P<d>\w+))"
                    r"\s+WHERE\s+(?P<where>.+?)\s*;?\s*$", re.I | re.S)
_EQ = re.compile(r"^\s*(\w+)\s*=\s*\?\s*$")
_WHOLE = re.compile(r"^\s*DELETE\s+FROM\s+(?:main\.)?(\w+)\s*;?\s*$", re.I)
_UPSERT = re.compile(r"\bON\s+CONFLICT\b|\bOR\s+REPLACE\b|\bOR\s+IGNORE\b", re.I)


class _Capture:
    """What one transaction changed in the mirror, found by comparing rows before and after.

    * Rows a transaction inserted are told apart by their rowid (DuckDB numbers uncommitted rows
      apart), so inserts cost nothing to capture — the audit log's rows included.
    * Before a row is updated or deleted by key (Tx.update/delete, or SQL of the form
      `UPDATE t SET ... WHERE <key> = ? [AND ...]`), its row is kept (`_pgo_<t>`).
    * Before any other SQL writes a table, the whole table is kept (`_pgs_<t>`); `DELETE FROM t`
      without WHERE marks the table replaced instead (PostgreSQL gets all of its rows).
    At replay the changed keys are those whose row differs between before and after.
    """

    def __init__(self, store: PostgresDatabase, cur):
        self.store, self.cur = store, cur
        self.keyed: set[str] = set()
        self.full: set[str] = set()
        self.replaced: set[str] = set()
        self.inserted: set[str] = set()
        self.created: set[str] = set()
        self._pks: dict[str, tuple[str, ...]] = {}

    def pk(self, table: str) -> tuple[str, ...]:
        if table not in self._pks:
            self._pks[table] = self.store._pk(table, self.cur)
        return self._pks[table]

    def candidates(self) -> set[str]:
        return self.keyed | self.full | self.replaced | self.inserted | self.created | {"audit_log"}

    def key(self, table: str, key: dict) -> None:
        pk = self.pk(table)
        if not pk or set(key) != set(pk):
            self.table(table)
            return
        if table in self.full or table in self.replaced:
            return
        cols = list(pk)
        if table not in self.keyed:
            self.cur.execute(f"CREATE TEMP TABLE _pgo_{table} AS SELECT * FROM {table} LIMIT 0")
            self.cur.execute(f"CREATE TEMP TABLE _pgk_{table} AS SELECT {', '.join(cols)} FROM {table} LIMIT 0")
            self.keyed.add(table)
        where = " AND ".join(f"{c} = ?" for c in cols)
        values = [key[c] for c in cols]
        if self.cur.execute(f"SELECT 1 FROM _pgk_{table} WHERE {where}", values).fetchone():
            return
        self.cur.execute(f"INSERT INTO _pgo_{table} SELECT * FROM {table} WHERE {where} AND rowid < {self.store._thr}",
                         values)
        self.cur.execute(f"INSERT INTO _pgk_{table} VALUES ({', '.join('?' * len(cols))})", values)

    def table(self, table: str) -> None:
        if table in self.full or table in self.replaced:
            return
        thr = self.store._thr
        if table in self.keyed:
            pk = self.pk(table)
            match = " AND ".join(f"k.{c} = t.{c}" for c in pk)
            self.cur.execute(f"CREATE TEMP TABLE _pgs_{table} AS SELECT * FROM {table} t WHERE rowid < {thr} AND "
                             f"NOT EXISTS (SELECT 1 FROM _pgk_{table} k WHERE {match}) "
                             f"UNION ALL SELECT * FROM _pgo_{table}")
        else:
            self.cur.execute(f"CREATE TEMP TABLE _pgs_{table} AS SELECT * FROM {table} WHERE rowid < {thr}")
        self.full.add(table)

    def sql(self, sql: str, params=None) -> None:
        """Before raw SQL runs: keep what its writes will change."""
        try:
            found = _analyse(sql)
        except Exception:  # noqa: BLE001 - the statement fails on its own
            return
        for st in found:
            for w in st.writes:
                if w.scratch or w.temporary or w.object != "table" or (w.schema not in (None, "main")):
                    continue
                if w.kind in ("create", "drop", "alter"):
                    raise TandemError("The schema of a PostgreSQL plant changes only through migrations.",
                                      title="Not saved")
                if w.kind == "insert" and not _UPSERT.search(st.text):
                    self.inserted.add(w.table)
                elif len(found) == 1 and self._by_key(st.text, w.table, params):
                    pass
                elif w.kind == "delete" and _WHOLE.match(st.text):
                    self.replaced.add(w.table)
                else:
                    self.inserted.add(w.table)
                    self.table(w.table)

    def _by_key(self, text: str, table: str, params) -> bool:
        """An UPDATE or DELETE of one row by its whole key with `?` values: keep that row."""
        m = _KEYED.match(text)
        if not m or (m.group("u") or m.group("d") or "").lower() != table:
            return False
        pk = self.pk(table)
        params = list(params or [])
        parts = re.split(r"\s+AND\s+", m.group("where"), flags=re.I)
        cols = [(_EQ.match(p).group(1).lower() if _EQ.match(p) else None) for p in parts]
        if None in cols or set(cols) != set(pk) or len(cols) != len(pk) or text.count("?") != len(params):
            return False
        values = params[len(params) - len(cols):]
        self.key(table, dict(zip(cols, values)))
        return True

    def before_after(self, table: str) -> tuple[str, str]:
        """SQL for the table's rows before the transaction and now, over the rows it may have
        changed (every row after a whole-table keep)."""
        thr = self.store._thr
        if table in self.full:
            return f"SELECT * FROM _pgs_{table}", f"SELECT * FROM {table}"
        if table in self.keyed:
            pk = self.pk(table)
            match = " AND ".join(f"k.{c} = t.{c}" for c in pk)
            return (f"SELECT * FROM _pgo_{table}",
                    f"SELECT * FROM {table} t WHERE rowid >= {thr} OR EXISTS "
                    f"(SELECT 1 FROM _pgk_{table} k WHERE {match})")
        return f"SELECT * FROM {table} WHERE false", f"SELECT * FROM {table} WHERE rowid >= {thr}"


class PgTxCursor(TxCursor):
    """tx.cur on the mirror: every statement's changes are captured before it runs."""

    def execute(self, sql: str, params=None) -> "PgTxCursor":
        self._tx._capture.sql(sql, params)
        return super().execute(sql, params)


class PgTx(Tx):
    """A transaction on the mirror whose changes are captured for the replay into PostgreSQL."""

    def __init__(self, cur, user: User, source: str, need, department, capture: _Capture):
        super().__init__(cur, user, source, need, department)
        self._capture = capture
        self.cur = PgTxCursor(self)

    def execute(self, sql: str, params=None, **kw):
        self._capture.sql(sql, params)
        return super().execute(sql, params, **kw)

    def query(self, sql: str, params=None) -> pd.DataFrame:
        self._capture.sql(sql, params)
        return super().query(sql, params)

    def insert(self, table: str, row: dict, returning: str | None = None):
        self._capture.inserted.add(table)
        return super().insert(table, row, returning)

    def update(self, table: str, key: dict, changes: dict, expected: dict | None = None) -> dict:
        self._capture.key(table, key)
        return super().update(table, key, changes, expected)

    def delete(self, table: str, key: dict, expected: dict | None = None) -> dict:
        self._capture.key(table, key)
        return super().delete(table, key, expected)


# ---------------------------------------------------------------------------- one store per plant

_PLANTS: dict[tuple[str, str], PostgresDatabase] = {}
_PLANTS_LOCK = threading.Lock()


def plant_db(url: str, plant: str) -> PostgresDatabase:
    """This process's store for another plant of the same PostgreSQL database (the group overview)."""
    plant = check_plant(plant)
    with _PLANTS_LOCK:
        db = _PLANTS.get((url, plant))
        if db is None:
            db = _PLANTS[(url, plant)] = PostgresDatabase(url, plant=plant, migrate=False)
        return db
