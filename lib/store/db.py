"""The one place that opens DuckDB: connection, migrations, the single write path.

    >>> db = Database(":memory:")
    >>> with db.transaction(SYSTEM, source="doctest") as tx:
    ...     tx.insert("customers", {"customer": "C1", "name": "Acme"})
    >>> db.query("SELECT name FROM customers").iloc[0, 0]
    'Acme'

* One `Database` per file per process (`get_db`); DuckDB allows one process to hold a file.
* Reads: `db.query(sql, params)` or `with db.cursor() as cur:` — a fresh cursor per unit of
  work, since one connection is not thread-safe and Streamlit runs each script on its own thread.
* Writes: only `with db.transaction(user, ...) as tx:` — a process-wide lock, BEGIN, the change,
  its audit rows, the section freshness and the data version, COMMIT; or ROLLBACK and a
  TandemError that says what is wrong. Same-row write conflicts in DuckDB raise
  TransactionException, so writers are serialised rather than retried.
* A unit that writes only bookkeeping no cached view reads (sign-in attempts: their audit rows
  and throttle counters) sets `tx.bump_version = False`: anyone can send login attempts, and
  each would otherwise make every session's cached pages be computed again.
* Every write in a transaction is checked against the acting user's right to its table
  (lib.people.auth.write_rule): Tx.insert/update/delete per row; Tx.execute, Tx.query and
  tx.cur per statement, by the target tables lib.store.statements reads out of the SQL. Raw SQL
  other than reads and table writes is the system user's; the transaction and the audit log
  are the gateway's alone.
"""
from __future__ import annotations

import os
import re
import threading
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Iterator

import duckdb
import pandas as pd

from lib import settings
from lib.departments import owner_of
from lib.errors import (
    DatabaseBusy,
    DatabaseUnavailable,
    PermissionDenied,
    RuleViolation,
    TandemError,
    ValidationError,
)
from lib.people import auth
from lib.people.auth import SYSTEM, User
from lib.store import statements

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"

# Primary keys of the tables that forms and imports address by key (order matters: key columns).
KEYS: dict[str, tuple[str, ...]] = {
    "work_centers": ("work_center",), "calendar": ("date", "work_center"), "products": ("product",),
    "routings": ("product", "step"), "suppliers": ("supplier",), "customers": ("customer",),
    "materials": ("material",), "bom": ("product", "material"), "inventory": ("material",),
    "order_lines": ("line_id",), "promise_history": ("promise_id",),
    "order_reviews": ("line_id", "round", "department"), "order_changes": ("change_id",), "order_operations": ("line_id", "step"),
    "shipments": ("shipment_id",), "complaints": ("complaint",),
    "production_plan": ("date", "work_center", "product"),
    "production_actual": ("date", "work_center", "product"), "variance_notes": ("note_id",),
    "downtime": ("downtime_id",), "purchase_orders": ("po",), "receipts": ("receipt_id",),
    "price_history": ("material", "supplier", "date"), "inspections": ("inspection_id",),
    "npi_projects": ("project",), "npi_milestones": ("project", "seq"),
    "drawings": ("drawing", "revision"), "engineering_changes": ("ecn",),
    "engineering_change_products": ("ecn", "product"), "improvements": ("improvement_id",),
    "meetings": ("meeting_id",), "meeting_attendance": ("meeting_id", "person"),
    "agenda_items": ("meeting_id", "seq"), "decisions": ("decision_id",),
    "action_items": ("action_id",), "action_discussions": ("action_id", "meeting_id"),
    "action_events": ("event_id",), "snapshots": ("meeting_id", "kpi"),
    "meeting_documents": ("meeting_id", "kind"), "users": ("username",), "settings": ("key",),
    "section_updates": ("section",),
}

# Columns whose values never go into the audit log (only that they were set or changed).
SECRET_COLUMNS = {("users", "password_hash")}
_SECRET_MARK = "(secret)"

_IDENT = re.compile(r"^[a-z_][a-z0-9_]*$")


def _ident(name: str) -> str:
    """A table or column name, checked: identifiers cannot be `?` parameters."""
    if not _IDENT.match(name):
        raise ValueError(f"not a plain identifier: {name!r}")
    return name


def _text(value) -> str | None:
    """A value as the audit log stores it."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    if isinstance(value, (datetime, date, pd.Timestamp)):
        return value.isoformat()[:19] if isinstance(value, datetime) else value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


# ---------------------------------------------------------------------------- errors

def translate(err: Exception, path: str | None = None) -> TandemError:
    """A DuckDB error as a TandemError whose message a person can act on."""
    if isinstance(err, TandemError):
        return err
    msg = str(err)
    first = msg.split("\n")[0]
    if "Conflicting lock" in msg or "Could not set lock" in msg:
        return DatabaseBusy(
            f"The database {path or ''} is open in {_lock_holder(msg)}. DuckDB lets one process open a "
            "database file at a time, and a running dashboard takes the work of commands, but this process "
            "takes none: wait until it has finished, or stop it, and run the command again.")
    m = (re.search(r'Duplicate key "(.+?)" violates (primary key|unique) constraint', msg)
         or re.search(r'(?:PRIMARY KEY or UNIQUE constraint violation: )?duplicate key "(.+?)"', msg, re.I))
    if m:
        return RuleViolation(f"A record with the key {m.group(1).replace(': ', ' = ')} already exists.")
    m = re.search(r'NOT NULL constraint failed: "?(\w+)"?\."?(\w+)"?', msg)
    if m:
        return RuleViolation(f"{m.group(2)} is required in {m.group(1)} and was left empty.")
    m = re.search(r'CHECK constraint failed on table "?(\w+)"? with expression CHECK\((.+)\)', first)
    if m:
        rule = m.group(2).strip("()")
        return RuleViolation(f"A value in {m.group(1)} breaks the rule {rule}.")
    if isinstance(err, duckdb.ConversionException):
        return ValidationError(f"A value could not be read: {first.replace('Conversion Error: ', '')}")
    if isinstance(err, duckdb.CatalogException):
        return DatabaseUnavailable(
            f"The database does not have what this version of Tandem expects ({first}). "
            "Run `python -m lib check` to see what is wrong.")
    if isinstance(err, duckdb.TransactionException):
        return TandemError("Another change to the same record was being saved at the same moment; "
                           "nothing was saved. Please try again.", title="Not saved")
    if isinstance(err, (duckdb.IOException, duckdb.SerializationException)) or "not a valid DuckDB" in msg:
        return DatabaseUnavailable(
            f"The database {path or ''} could not be opened: {first}. It may be damaged or written "
            "by a newer DuckDB; restore a backup with `python -m lib restore`.")
    return TandemError(first)


def process_text(pid: int) -> str:
    """'PID 4242: python -m lib sync /srv/erp' (its command line where the system shows it)."""
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return f"PID {pid}"
    words = [w for w in raw.decode("utf-8", "replace").split("\0") if w]
    if words:
        words[0] = Path(words[0]).name
    text = " ".join(words)
    return f"PID {pid}: {text[:97] + '...' if len(text) > 100 else text}" if text else f"PID {pid}"


def _lock_holder(msg: str) -> str:
    """'another process (PID 4242: python -m lib sync /srv/erp)', from DuckDB's lock error."""
    pid = re.search(r"PID (\d+)", msg)
    return f"another process ({process_text(int(pid.group(1)))})" if pid else "another process"


# ---------------------------------------------------------------------------- write path

def _null_if_missing(value):
    """None for pandas' missing values (NaN, NaT, NA); any other value as it is."""
    if value is None or isinstance(value, (str, bytes, list, dict, tuple)):
        return value
    try:
        return None if pd.isna(value) else value
    except (TypeError, ValueError):
        return value


class TxCursor:
    """The transaction's cursor as lib code sees it (`tx.cur`): every statement it runs is checked
    like Tx.execute; reading results and registering data frames pass through to DuckDB. Any
    other DuckDB method (append, sql, read_csv, ...) would write past the checks, so it is absent."""

    _PASS = frozenset({"fetchone", "fetchall", "fetchmany", "df", "fetchdf", "fetch_df", "fetchnumpy",
                       "fetch_arrow_table", "arrow", "pl", "description", "rowcount", "register", "unregister"})

    def __init__(self, tx: "Tx"):
        self._tx = tx

    def execute(self, sql: str, params=None) -> "TxCursor":
        found = self._tx.check_sql(sql)
        if params is None:
            self._tx._cur.execute(sql)
        else:
            self._tx._cur.execute(sql, params)
        self._tx._wrote(found)
        return self

    def __getattr__(self, name: str):
        if name in TxCursor._PASS:
            return getattr(self._tx._cur, name)
        raise AttributeError(f"a transaction's cursor has no {name!r}: write with tx.execute or "
                             "tx.insert/update/delete, so the write is permission-checked")


class Tx:
    """One unit of writing inside `Database.transaction`; every change here is audited, and
    every write is checked against the acting user's rights to its table (lib.people.auth)."""

    def __init__(self, cur: duckdb.DuckDBPyConnection, user: User, source: str,
                 need: str | None = None, department: str | None = None):
        self._cur = cur                 # the gateway's own: audit rows, checked statements
        self.cur = TxCursor(self)       # lib code's: every statement checked
        self.user = user
        self.source = source
        self.need, self.department = need, department   # checked when the transaction opened
        self.touched: set[str] = set()   # tables this unit declared it writes (permission-checked)
        self.written: set[str] = set()   # tables a statement or row edit actually wrote
        self.changes = 0                 # audit rows
        self.bump_version = True
        self._catalog: str | None = None

    def execute(self, sql: str, params=None, *, department: str | None = None,
                consequence_of: str | None = None) -> TxCursor:
        """Run SQL inside the transaction (the caller audits with `audit`). Every statement's
        target table is checked against the acting user's rights (lib.people.auth.write_rule):
        for the per-department meeting tables (actions, order reviews) name the `department`
        the rows belong to; `consequence_of` claims a write the transaction's need carries with
        it (auth.CONSEQUENCES), e.g. a review's sign-off setting the order line's date."""
        found = self.check_sql(sql, department=department, consequence_of=consequence_of)
        self._cur.execute(sql, params or [])
        self._wrote(found)
        return self.cur

    def _wrote(self, found: list[statements.Statement]) -> None:
        """Note the tables statements that ran wrote (staging tables are no change)."""
        self.written |= {w.table for st in found for w in st.writes if not w.scratch}

    @property
    def changed(self) -> bool:
        """Whether this unit changed anything: a row written, or an audit row. One that changed
        nothing (an import of what is stored already) commits without moving the data version or
        stamping any section's freshness."""
        return bool(self.written) or self.changes > 0

    def query(self, sql: str, params=None) -> pd.DataFrame:
        found = self.check_sql(sql)
        df = self._cur.execute(sql, params or []).df()
        self._wrote(found)
        return df

    # ------------------------------------------------------------------ permission checks
    def check_sql(self, sql: str, *, department: str | None = None,
                  consequence_of: str | None = None) -> list[statements.Statement]:
        """Refuse (PermissionDenied) SQL with a statement the acting user may not run: a write to
        a table they may not write, or anything but reads and table writes unless they are the
        system user; nobody begins or commits (the gateway does) or changes the audit log."""
        try:
            found = statements.analyse(sql)
        except duckdb.Error as e:
            raise translate(e) from e
        for st in found:
            self._check_statement(st, department, consequence_of)
        return found

    def _check_statement(self, st: statements.Statement, department: str | None,
                         consequence_of: str | None) -> None:
        who = auth.who(self.user)
        if st.kind == statements.TRANSACTION:
            raise PermissionDenied(f"{_short(st.text)}: the gateway begins and commits every transaction; "
                                   "SQL inside one may not.")
        for w in st.writes:
            if w.table in auth.AUDIT_TABLES and not w.scratch:
                raise PermissionDenied(f"{w.table} cannot be changed by anyone; the gateway adds its rows.")
        if self.user.role == "system":
            return
        if st.problem:
            raise PermissionDenied(f"{who} may not run {_short(st.text)}: {st.problem}, "
                                   "so only the system user may.")
        if st.kind == statements.OTHER:
            raise PermissionDenied(f"{who} may not run {st.type} statements ({_short(st.text)}); "
                                   "they are reserved to the system user (the command line).")
        for w in st.writes:
            self._check_sql_write(w, department, consequence_of)

    def _check_sql_write(self, w: statements.Write, department: str | None, consequence_of: str | None) -> None:
        who = auth.who(self.user)
        if w.scratch and w.kind != "alter":
            if w.kind == "create" and not w.temporary:
                raise PermissionDenied(f"{who} may not create {w.table} in the database: a staging table "
                                       "is CREATE TEMP TABLE.")
            return
        if w.kind in ("create", "drop", "alter"):
            raise PermissionDenied(f"{who} may not {w.kind} the {w.object} {w.table}: the schema changes "
                                   "only through migrations.")
        if w.schema is not None and w.schema not in self._own_schemas():
            raise PermissionDenied(f"{who} may not write {w.schema}.{w.table}: only the tables of Tandem's "
                                   "own database.")
        self._require_write(w.table, {department} if department else set(), raw=True,
                            consequence_of=consequence_of)

    def _own_schemas(self) -> set[str]:
        if self._catalog is None:
            self._catalog = str(self._cur.execute("SELECT current_database()").fetchone()[0]).lower()
        return {"main", self._catalog, f"{self._catalog}.main"}

    def _check_edit(self, table: str, row: dict | None = None, new: dict | None = None,
                    sets: dict | None = None, department: str | None = None) -> None:
        """Refuse a change the acting user may not make to `table` (`row`: the row as it is,
        `new`: as it will be, `sets`: the values being written); note the table as touched."""
        departments = {self._row_department(table, r) for r in (row, new) if r}
        if department is not None:
            departments.add(department)
        self._require_write(table, departments, sets=sets, rows=(row, new))
        self.touched.add(table)

    def _require_write(self, table: str, departments: set, *, sets: dict | None = None, rows=(),
                       raw: bool = False, consequence_of: str | None = None) -> None:
        """The table's write rule (lib.people.auth.write_rule) for the acting user. With `raw`
        (SQL: the rows are not seen) a per-row rule is taken at its strictest."""
        try:
            self._require_rule(table, departments, sets or {}, [r for r in rows if r], raw)
        except PermissionDenied:
            if consequence_of is None or consequence_of != self.need or \
                    not auth.is_consequence(self.need, self.department, table):
                raise

    def _require_rule(self, table: str, departments: set, sets: dict, rows: list, raw: bool) -> None:
        user, who = self.user, auth.who(self.user)
        rule = auth.write_rule(table)
        if rule is not None and rule.kind == "audit":
            raise PermissionDenied(f"{table} cannot be changed by anyone; the gateway adds its rows.")
        if user.role == "system" or (rule is not None and rule.kind == "scratch"):
            return
        if rule is None:
            raise PermissionDenied(f"{who} may not write {table}: it has no write rule "
                                   "(lib.people.auth.write_rule), so only the system user may.")
        if rule.kind == "system":
            raise PermissionDenied(f"{who} may not write {table}: only Tandem itself (the system user) writes it.")
        if rule.kind == "owner":
            auth.require(user, "edit", rule.value, table=table)
            return
        for d in sorted(departments, key=str) or [None]:
            auth.require(user, rule.value, d, table=table)
        if table == "action_items" and (raw or sets.get("status") == "verified"):
            auth.require(user, "verify", table=table)
        if table == "settings" and not auth.can(user, "users"):
            keys = sorted({r.get("key") for r in rows} & settings.LOGIN_RULES)
            if raw or keys:
                raise PermissionDenied(f"{who} may not change the login rule{'s' if len(keys) != 1 else ''} "
                                       f"{', '.join(keys) or '(idle timeout, lockout)'}: only an admin may.")

    def _row_department(self, table: str, row: dict) -> str | None:
        """The department a row of a per-department un-owned table belongs to (None if unknown)."""
        column = auth.DEPARTMENT_OF_ROW.get(table)
        if column is None:
            return None
        if column == "action_id":
            if row.get("action_id") is None:
                return None
            found = self._cur.execute("SELECT owner_department FROM action_items WHERE action_id = ?",
                                      [row["action_id"]]).fetchone()
            return found[0] if found else None
        return row.get(column)

    def writing(self, table: str, department: str | None = None) -> None:
        """Declare a bulk write to `table` made with `execute`: checks the acting user may edit
        it and stamps its section's freshness at commit (Tx.insert/update/delete do this themselves).
        For the per-department meeting tables (actions, order reviews) name the `department`
        the rows belong to; without it only a chair or admin may write them in bulk."""
        self._check_edit(_ident(table), department=department)

    def audit(self, action: str, table: str | None = None, key=None, column: str | None = None,
              old=None, new=None, *, username: str | None = None) -> None:
        """Add one audit row (when comes from the clock, who from the transaction unless
        `username` names the person, e.g. the one who tried to log in). Secret columns are
        recorded as changed, never with their values."""
        if (table, column) in SECRET_COLUMNS:
            old, new = (_SECRET_MARK if old is not None else None), (_SECRET_MARK if new is not None else None)
        self._cur.execute(
            "INSERT INTO audit_log (username, action, table_name, row_key, column_name, old_value, "
            "new_value, source) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [username or self.user.username, action, table, _text(key), column, _text(old), _text(new),
             self.source])
        self.changes += 1

    def audit_frame(self, rows: pd.DataFrame) -> None:
        """Add many audit rows at once; `rows` has action, table_name, row_key, column_name,
        old_value, new_value (strings or None)."""
        if rows.empty:
            return
        frame = rows.astype(object).where(rows.notna(), None)
        self._cur.register("_audit_rows", frame)
        try:
            self._cur.execute(
                "INSERT INTO audit_log (username, action, table_name, row_key, column_name, old_value, "
                "new_value, source) SELECT ?, action, table_name, CAST(row_key AS VARCHAR), column_name, "
                "CAST(old_value AS VARCHAR), CAST(new_value AS VARCHAR), ? FROM _audit_rows",
                [self.user.username, self.source])
        finally:
            self._cur.unregister("_audit_rows")
        self.changes += len(rows)

    def audit_select(self, sql: str, params=None) -> int:
        """Add the audit rows a query returns (columns action, table_name, row_key, column_name,
        old_value, new_value), without bringing them into Python; return how many."""
        found = statements.analyse(sql)
        if len(found) != 1 or not found[0].reads_only:
            raise PermissionDenied(f"audit rows come from one query that only reads, not {_short(sql)}")
        out = self._cur.execute(
            "INSERT INTO audit_log (username, action, table_name, row_key, column_name, old_value, "
            "new_value, source) SELECT ?, action, table_name, CAST(row_key AS VARCHAR), column_name, "
            f"CAST(old_value AS VARCHAR), CAST(new_value AS VARCHAR), ? FROM ({sql})",
            [self.user.username, self.source] + list(params or []))
        n = int(out.fetchone()[0])   # DuckDB's INSERT returns the row count
        self.changes += n
        return n

    @staticmethod
    def key_text(table: str, row: dict) -> str:
        cols = KEYS.get(table, ())
        return "|".join(_text(row.get(c)) or "" for c in cols)

    def insert(self, table: str, row: dict, returning: str | None = None):
        """Insert one row and audit every column; return the `returning` column's value. A
        missing value as pandas writes it (NaN, NaT, NA) is stored as NULL, never as 'nan'."""
        row = {c: _null_if_missing(v) for c, v in row.items()}
        self._check_edit(_ident(table), None, row, row)
        cols = [_ident(c) for c in row]
        sql = (f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})"
               + (f" RETURNING {_ident(returning)}" if returning else ""))
        out = self._cur.execute(sql, list(row.values()))
        self.written.add(table)
        value = out.fetchone()[0] if returning else None
        full = dict(row)
        if returning:
            full[returning] = value
        key = self.key_text(table, full)
        for c, v in row.items():
            self.audit("insert", table, key, c, None, v)
        return value

    def _where(self, key: dict) -> tuple[str, list]:
        if not key:
            raise ValueError("a key is required")
        return " AND ".join(f"{_ident(c)} = ?" for c in key), list(key.values())

    def fetch(self, table: str, key: dict) -> dict | None:
        """The current row with `key`, as a dict, or None."""
        where, params = self._where(key)
        df = self._cur.execute(f"SELECT * FROM {_ident(table)} WHERE {where}", params).df()
        if df.empty:
            return None
        return {c: (None if pd.isna(v) else v) if not isinstance(v, (list, dict)) else v
                for c, v in df.iloc[0].to_dict().items()}

    def update(self, table: str, key: dict, changes: dict, expected: dict | None = None) -> dict:
        """Update one row; audit each changed column; return the old row.

        `expected` holds the values the user saw when they loaded the row: if any differs from
        what is stored now, someone else changed it meanwhile and lib.errors.Conflict is raised.
        A missing value as pandas writes it is stored as NULL, as in `insert`.
        """
        from lib.errors import Conflict, NotFound
        changes = {c: _null_if_missing(v) for c, v in changes.items()}
        old = self.fetch(_ident(table), key)
        if old is None:
            self._check_edit(table, None, {**key, **changes}, changes)
            raise NotFound(f"{table}: no record with {key}.")
        self._check_edit(table, old, {**old, **changes},
                         {c: v for c, v in changes.items() if not _same(v, old.get(c))})
        if expected:
            differ = {c: (expected[c], old.get(c)) for c in expected
                      if c in old and not _same(expected[c], old.get(c))}
            if differ:
                parts = "; ".join(f"{c}: you loaded {_text(a)!r}, it is now {_text(b)!r}"
                                  for c, (a, b) in differ.items())
                raise Conflict(f"{table} {self.key_text(table, old)} was changed by someone else "
                               f"since you loaded it ({parts}). Reload and apply your change again.")
        changed = {c: v for c, v in changes.items() if not _same(v, old.get(c))}
        if not changed:
            return old
        where, params = self._where(key)
        sets = ", ".join(f"{_ident(c)} = ?" for c in changed)
        self._cur.execute(f"UPDATE {table} SET {sets} WHERE {where}", list(changed.values()) + params)
        self.written.add(table)
        k = self.key_text(table, {**old, **key})
        for c, v in changed.items():
            self.audit("update", table, k, c, old.get(c), v)
        return old

    def delete(self, table: str, key: dict, expected: dict | None = None) -> dict:
        """Delete one row (checked against `expected` like update); audit its values."""
        from lib.errors import Conflict, NotFound
        old = self.fetch(_ident(table), key)
        if old is None:
            self._check_edit(table, None, key)
            raise NotFound(f"{table}: no record with {key}.")
        self._check_edit(table, old)
        if expected and any(not _same(expected[c], old.get(c)) for c in expected if c in old):
            raise Conflict(f"{table} {self.key_text(table, old)} was changed by someone else since "
                           "you loaded it; it was not deleted. Reload and decide again.")
        where, params = self._where(key)
        self._cur.execute(f"DELETE FROM {table} WHERE {where}", params)
        self.written.add(table)
        k = self.key_text(table, old)
        for c, v in old.items():
            self.audit("delete", table, k, c, v, None)
        return old


def _short(sql: str) -> str:
    """A statement as a refusal quotes it: one line, at most 80 characters."""
    text = " ".join(sql.split())
    return text if len(text) <= 80 else text[:77] + "..."


def _sql_path(path: Path) -> str:
    """A directory as a SQL literal: EXPORT/IMPORT DATABASE take a literal path, not a parameter."""
    return str(Path(path).resolve()).replace("'", "''")


def _same(a, b) -> bool:
    na = a is None or (isinstance(a, float) and pd.isna(a)) or a is pd.NaT
    nb = b is None or (isinstance(b, float) and pd.isna(b)) or b is pd.NaT
    if na or nb:
        return na and nb
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool):
        return abs(float(a) - float(b)) < 1e-9
    return _text(a) == _text(b)


# commits made through this process per database file (see Database.data_version)
_COMMITS: dict[str, int] = {}
_COMMITS_LOCK = threading.Lock()


# the store a URL opens, by scheme: a subclass of Database in the module named, imported when
# such a URL is first opened (so a DuckDB-only process never loads the PostgreSQL driver, and
# the subclass's module depends on this one, not the other way round)
URL_STORES: dict[str, str] = {"postgresql": "lib.store.postgres.PostgresDatabase",
                              "postgres": "lib.store.postgres.PostgresDatabase"}


class Database:
    """A DuckDB database file (or ":memory:") with Tandem's schema, opened once; a
    postgresql:// URL opens the PostgreSQL store instead (lib.store.postgres)."""

    def __new__(cls, path: str | Path = ":memory:", *args, **kwargs):
        if cls is Database and isinstance(path, str) and "://" in path:
            name = URL_STORES.get(path.split("://", 1)[0])
            if name is None:
                raise DatabaseUnavailable(f"{path.split('://', 1)[0]}:// is not a database Tandem can open; "
                                          "use a DuckDB file path or a postgresql:// URL.")
            import importlib
            module, _, cls_name = name.rpartition(".")
            return super().__new__(getattr(importlib.import_module(module), cls_name))
        return super().__new__(cls)

    def __init__(self, path: str | Path = ":memory:", *, migrate: bool = True, read_only: bool = False):
        self.path = str(path)
        self._lock = threading.RLock()
        try:
            if self.path != ":memory:":
                Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            self._con = duckdb.connect(self.path, read_only=read_only)
        except duckdb.Error as e:
            raise translate(e, self.path) from e
        # the data version is read on every cached lookup (a dozen a page): remembered until a
        # commit in this process (another process cannot write while this one has the file open)
        self._version_key = f":memory:{id(self)}" if self.path == ":memory:" else os.path.realpath(self.path)
        self._version_memo: tuple[int, int] | None = None
        if migrate and not read_only:
            self.migrate()

    # ------------------------------------------------------------------ reading
    @contextmanager
    def cursor(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A fresh cursor for one unit of reading work."""
        cur = self._con.cursor()
        try:
            yield cur
        except duckdb.Error as e:
            raise translate(e, self.path) from e
        finally:
            cur.close()

    def query(self, sql: str, params=None) -> pd.DataFrame:
        """Run a read query and return a DataFrame."""
        with self.cursor() as cur:
            return cur.execute(sql, params or []).df()

    def scalar(self, sql: str, params=None):
        with self.cursor() as cur:
            row = cur.execute(sql, params or []).fetchone()
            return None if row is None else row[0]

    def data_version(self) -> int:
        """A number every committed write increases: a cache key for derived results."""
        commits = _COMMITS.get(self._version_key, 0)     # read before the query: see _committed
        memo = self._version_memo
        if memo is not None and memo[0] == commits:
            return memo[1]
        v = self.scalar("SELECT value FROM meta WHERE key = 'data_version'")
        version = int(v) if v is not None else 0
        self._version_memo = (commits, version)
        return version

    def _committed(self) -> None:
        """Count a commit to this database file: every Database object on it (one process may
        hold several) reads the version again. A reader that raced the commit stored its value
        under the previous count, so it is not used."""
        with _COMMITS_LOCK:
            _COMMITS[self._version_key] = _COMMITS.get(self._version_key, 0) + 1

    def meta(self, key: str, default: str | None = None) -> str | None:
        v = self.scalar("SELECT value FROM meta WHERE key = ?", [key])
        return default if v is None else v

    # ------------------------------------------------------------------ writing
    @contextmanager
    def transaction(self, user: User = SYSTEM, *, source: str = "app", need: str | None = None,
                    department: str | None = None) -> Iterator[Tx]:
        """The single write path: lock, BEGIN, the change and its audit rows, COMMIT.

        `need`/`department` name the permission the whole unit needs (lib.people.auth); table edits
        through Tx.insert/update/delete are also checked against the table's owning department.
        On any error everything is rolled back and a TandemError says why.
        """
        auth.require_writer(user)
        if need:
            auth.require(user, need, department)
        with self._lock:
            cur = self._con.cursor()
            try:
                cur.execute("BEGIN TRANSACTION")
                tx = Tx(cur, user, source, need, department)
                yield tx
                self._finish(tx)
                cur.execute("COMMIT")
                if tx.changed:
                    self._committed()
            except BaseException as e:
                try:
                    cur.execute("ROLLBACK")
                except duckdb.Error:
                    pass
                if isinstance(e, duckdb.Error):
                    raise translate(e, self.path) from e
                raise
            finally:
                cur.close()

    def _finish(self, tx: Tx) -> None:
        """The data version and the freshness of the sections whose tables were written; nothing
        for a unit that changed nothing (see Tx.changed)."""
        if not tx.changed:
            return
        if tx.bump_version:
            tx._cur.execute(
                "INSERT INTO meta VALUES ('data_version', '1') ON CONFLICT (key) DO UPDATE "
                "SET value = CAST(CAST(meta.value AS BIGINT) + 1 AS VARCHAR)")
        # a section is fresh where this unit wrote a table it declared (row edits declare theirs);
        # raw SQL of the system's own (the demo's generator) stamps nothing
        sections = {owner_of(t) for t in tx.touched & tx.written} - {None}
        for s in sorted(sections):
            tx._cur.execute(
                "INSERT INTO section_updates VALUES (?, current_timestamp, ?, ?) ON CONFLICT (section) "
                "DO UPDATE SET updated_at = excluded.updated_at, updated_by = excluded.updated_by, "
                "source = excluded.source", [s, tx.user.username, tx.source])

    # ------------------------------------------------------------------ schema
    def applied_migrations(self) -> list[str]:
        with self.cursor() as cur:
            cur.execute("CREATE TABLE IF NOT EXISTS schema_migrations "
                        "(name VARCHAR PRIMARY KEY, applied_at TIMESTAMP NOT NULL DEFAULT current_timestamp)")
            return [r[0] for r in cur.execute("SELECT name FROM schema_migrations ORDER BY name").fetchall()]

    def migrate(self) -> list[str]:
        """Apply every migration not yet applied, each in one transaction with its record row."""
        done = set(self.applied_migrations())
        applied = []
        for step in sorted(MIGRATIONS_DIR.glob("*.sql")):
            if step.stem in done:
                continue
            with self._lock:
                cur = self._con.cursor()
                try:
                    cur.execute("BEGIN TRANSACTION")
                    cur.execute(step.read_text(encoding="utf-8"))
                    cur.execute("INSERT INTO schema_migrations (name) VALUES (?)", [step.stem])
                    cur.execute("COMMIT")
                    self._committed()
                except duckdb.Error as e:
                    cur.execute("ROLLBACK")
                    raise DatabaseUnavailable(f"Migration {step.name} failed: {str(e).splitlines()[0]}") from e
                finally:
                    cur.close()
            applied.append(step.stem)
        return applied

    def tables(self) -> list[str]:
        return self.query("SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' "
                          "AND table_catalog = current_database() AND table_type = 'BASE TABLE' "
                          "ORDER BY 1")["table_name"].tolist()

    def table_counts(self) -> dict[str, int]:
        """Rows per base table of the main schema."""
        with self.cursor() as cur:
            return {t: int(cur.execute(f"SELECT count(*) FROM {_ident(t)}").fetchone()[0])
                    for t in self.tables()}

    def duckdb_version(self) -> str:
        return str(self.scalar("SELECT library_version FROM pragma_version()"))

    @contextmanager
    def writes_held(self) -> Iterator[None]:
        """Hold off every write of this process (they wait for the write lock) for a consistent
        read of several parts, e.g. a backup and the row counts in its manifest."""
        with self._lock:
            yield

    def export_database(self, target: Path) -> None:
        """Write the whole database to the directory `target` (DuckDB's EXPORT DATABASE: schema.sql,
        load.sql and a Parquet file per table)."""
        with self._lock, self.cursor() as cur:
            cur.execute(f"EXPORT DATABASE '{_sql_path(target)}' (FORMAT parquet)")

    def import_database(self, source: Path) -> None:
        """Load a directory written by export_database into this (new, empty) database."""
        with self._lock, self.cursor() as cur:
            cur.execute(f"IMPORT DATABASE '{_sql_path(source)}'")
        self._committed()

    def checkpoint(self) -> None:
        with self._lock, self.cursor() as cur:
            cur.execute("CHECKPOINT")

    def close(self) -> None:
        with self._lock:
            self._con.close()
        _INSTANCES.pop(self.path, None)


_INSTANCES: dict[str, Database] = {}
_INSTANCES_LOCK = threading.Lock()


def get_db(path: str | None = None) -> Database:
    """The process's one Database for `path` (default: the `db` setting)."""
    path = str(path or settings.db_path())
    key = f"{path}#{settings.plant()}" if "://" in path else path    # a PostgreSQL URL: one per plant
    with _INSTANCES_LOCK:
        db = _INSTANCES.get(key)
        if db is None:
            db = _INSTANCES[key] = Database(path)
        return db


def opened(path: str) -> Database | None:
    """This process's Database on the file `path`, if it has opened one (no opening here)."""
    key = os.path.realpath(str(path))
    with _INSTANCES_LOCK:
        return next((d for p, d in _INSTANCES.items() if p != ":memory:" and os.path.realpath(p) == key), None)


# ---------------------------------------------------------------------------- who holds a file

def holder(path: str | Path) -> str | None:
    """Who holds the database file `path`, said so a person can find it — "the dashboard (PID
    4242, started ...)" when a dashboard runs on it (lib.store.handoff), "another process (PID
    4242: python -m lib sync ...)" when any process holds DuckDB's lock — or None."""
    from lib.store import handoff
    record = handoff.find(str(path))
    if record is not None:
        return record.describe()
    if not Path(path).exists():
        return None
    try:
        duckdb.connect(str(path)).close()
    except duckdb.Error as e:
        return _lock_holder(str(e)) if isinstance(translate(e, str(path)), DatabaseBusy) else None
    return None


@contextmanager
def replacing(path: str | Path, refusal) -> Iterator[None]:
    """Hold the database file `path` while a new one is moved over it, so that no process opens
    it meanwhile. Refused with `refusal(who)` (a TandemError) when a dashboard runs on it or
    another process holds it: nothing replaces a database a process holds. A file that cannot be
    opened at all (damaged) is not held by anyone; replacing it is allowed."""
    from lib.store import handoff
    path = Path(path)
    con = None
    if path.exists():
        try:
            con = duckdb.connect(str(path))
        except duckdb.Error as e:
            if isinstance(translate(e, str(path)), DatabaseBusy):
                raise refusal(_lock_holder(str(e))) from None
    try:
        record = handoff.find(str(path))      # a dashboard that has not opened it yet holds it too
        if record is not None:
            raise refusal(record.describe())
        if con is not None:
            try:
                con.execute("CHECKPOINT")     # its WAL folded in: a WAL left beside it is a damaged file's
            except duckdb.Error as e:
                raise translate(e, str(path)) from e
        yield
    finally:
        if con is not None:
            con.close()
