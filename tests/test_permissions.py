"""Every write function x every role: allowed or refused as the role says, in lib.

The table is meant to grow: add `(name, write(db, user))` to WRITES and the roles that may do
it to ALLOWED; the matrix test then checks all eight roles. A refused write must raise
PermissionDenied and leave the database exactly as it was (no change, no audit row).

Raw SQL is held to the same rules: every statement kind on every table of the schema by every
role (RAW_WRITERS: who may write the tables no department owns), and hostile SQL (several
statements in one string, comments, quoted and qualified names, writes behind WITH or inside a
CTE, staging tables, everything that is not a read or a table write).
"""
import shutil
from datetime import date, datetime
from typing import Callable

import pytest

from lib import settings
from lib.departments import DEPARTMENTS, TABLE_OWNER
from lib.errors import NotFound, PermissionDenied
from lib.people import auth, users
from lib.people.auth import SYSTEM, User
from lib.plan import review
from lib.store.db import KEYS, Database

ROLE_USERS = {
    "admin": User("admin", "admin"), "chair": User("chair", "chair"),
    **{d: User(d, "head", d) for d in DEPARTMENTS},
    "viewer": User("viewer", "viewer"),
    "display": User("display:1", auth.DISPLAY, None, "Meeting room projector"),   # a display token's screen
}
PW = "matrix password"
_HASH = users.hash_password(PW)   # hashed once: the matrix builds many databases


def seed(db: Database) -> None:
    """One row of each kind the writes below touch, and an account per role (password PW)."""
    with db.transaction(SYSTEM, source="test") as tx:
        for name, u in ROLE_USERS.items():
            if u.role == auth.DISPLAY:
                continue                            # a display screen is no account
            tx.insert("users", {"username": u.username, "display_name": name, "role": u.role,
                                "department": u.department, "password_hash": _HASH})
        tx.insert("users", {"username": "target", "display_name": "Target", "role": "head", "department": "sales",
                            "password_hash": _HASH, "failed_logins": 3})
        tx.insert("customers", {"customer": "C1", "name": "Acme"})
        tx.insert("work_centers", {"work_center": "W1", "name": "Press", "line": "L1", "hours_per_day": 8})
        tx.insert("suppliers", {"supplier": "S1", "name": "Steel Co"})
        tx.insert("products", {"product": "P1", "name": "Bracket", "family": "F"})
        tx.insert("inspections", {"date": date(2026, 11, 2), "stage": "incoming", "material": "M1",
                                  "qty_inspected": 10, "result": "pass"})
        tx.insert("order_lines", {"order_no": "SO1", "line_no": 1, "customer": "C1", "product": "P1", "qty": 5,
                                  "order_date": date(2026, 11, 1), "requested_date": date(2026, 12, 1)})
        tx.insert("order_reviews", {"line_id": 1, "round": 1, "department": "pmc"})
        tx.insert("meetings", {"title": "Weekly", "meeting_date": date(2026, 11, 25), "chair": "chair"})
        tx.insert("action_items", {"meeting_id": 1, "section": "pmc", "title": "Fix press", "owner_department": "pmc",
                                   "owner": "pmc", "due_date": date(2026, 12, 2), "created_by": "chair"})


def _tx(table: str, op: str, *args) -> Callable:
    def write(db: Database, user: User):
        with db.transaction(user, source="test") as tx:
            getattr(tx, op)(table, *args)
    return write


def _sql(sql: str, **kw) -> Callable:
    def write(db: Database, user: User):
        with db.transaction(user, source="test") as tx:
            tx.execute(sql, **kw)
    return write


def _in_tx(need: str, department: str | None, body: Callable) -> Callable:
    def write(db: Database, user: User):
        with db.transaction(user, source="test", need=need, department=department) as tx:
            body(tx)
    return write


DONE = {"status": "done", "result": "Press repaired", "done_at": datetime(2026, 11, 26, 10)}
WRITES: list[tuple[str, Callable]] = [
    # department tables, through the gateway (one per owning department, insert/update/delete)
    ("customers.insert", _tx("customers", "insert", {"customer": "C2", "name": "Beta"})),
    ("customers.update", _tx("customers", "update", {"customer": "C1"}, {"name": "Acme Ltd"})),
    ("customers.delete", _tx("customers", "delete", {"customer": "C1"})),
    ("order_lines.update", _tx("order_lines", "update", {"line_id": 1}, {"promised_date": date(2026, 12, 3)})),
    ("work_centers.insert", _tx("work_centers", "insert", {"work_center": "W2", "name": "Lathe", "line": "L1",
                                                           "hours_per_day": 8})),
    ("work_centers.update", _tx("work_centers", "update", {"work_center": "W1"}, {"hours_per_day": 16})),
    ("work_centers.delete", _tx("work_centers", "delete", {"work_center": "W1"})),
    ("suppliers.insert", _tx("suppliers", "insert", {"supplier": "S2", "name": "Bolt Co"})),
    ("suppliers.update", _tx("suppliers", "update", {"supplier": "S1"}, {"name": "Steel Co Ltd"})),
    ("inspections.insert", _tx("inspections", "insert", {"date": date(2026, 11, 3), "stage": "final", "line": "L1",
                                                         "qty_inspected": 4, "result": "pass"})),
    ("inspections.update", _tx("inspections", "update", {"inspection_id": 1}, {"result": "hold"})),
    ("products.insert", _tx("products", "insert", {"product": "P2", "name": "Hinge", "family": "F"})),
    ("products.delete", _tx("products", "delete", {"product": "P1"})),
    # meeting, actions and reviews
    ("meetings.insert", _tx("meetings", "insert", {"title": "Extra", "meeting_date": date(2026, 11, 27),
                                                   "chair": "chair"})),
    ("decisions.insert", _tx("decisions", "insert", {"meeting_id": 1, "section": "pmc", "text": "Add a shift",
                                                     "decided_by": "chair"})),
    ("action_items.insert(pmc)", _tx("action_items", "insert", {
        "section": "pmc", "title": "Order spare", "owner_department": "pmc", "owner": "pmc",
        "due_date": date(2026, 12, 9), "created_by": "x"})),
    ("action_items.update(pmc)", _tx("action_items", "update", {"action_id": 1}, DONE)),
    ("action_items.verify(pmc)", _tx("action_items", "update", {"action_id": 1}, {
        **DONE, "status": "verified", "verifier": "chair", "verified_at": datetime(2026, 11, 27, 9)})),
    ("action_items.handover(pmc->sales)", _tx("action_items", "update", {"action_id": 1},
                                              {"owner_department": "sales"})),
    ("action_events.insert(pmc)", _tx("action_events", "insert", {"action_id": 1, "username": "x",
                                                                  "to_status": "in_progress"})),
    ("order_reviews.sign(pmc)", _tx("order_reviews", "update", {"line_id": 1, "round": 1, "department": "pmc"},
                                    {"status": "ok", "signer": "pmc", "signed_at": datetime(2026, 11, 25, 9)})),
    # order review: a head's sign-off sets the line's date (order_lines, promise_history, owned by
    # sales) as its consequence; accepting a line (sales) opens the round for every department
    ("review.sign(pmc)", lambda db, u: review.sign(db, u, 1, "pmc", "ok")),
    ("review.open_round(accepting a line)", _in_tx("edit", "sales", lambda tx: review.open_round(tx, 1))),
    ("review.open_round(claimed by pmc)", _in_tx("edit", "pmc", lambda tx: review.open_round(tx, 1))),
    ("order_lines claimed as a review's consequence outside one", _in_tx("edit", "pmc", lambda tx: tx.execute(
        "UPDATE order_lines SET review_status = 'pending' WHERE line_id = 1", consequence_of="review"))),
    # raw SQL through the gateway is checked per target table like Tx.insert/update/delete
    ("customers via execute", _sql("UPDATE customers SET name = 'Acme Ltd' WHERE customer = 'C1'")),
    ("order_reviews via execute(pmc)", _sql("UPDATE order_reviews SET comment = 'ok' WHERE department = 'pmc'",
                                            department="pmc")),
    ("order_reviews via execute(no department)", _sql("UPDATE order_reviews SET comment = 'ok'")),
    ("users via execute", _sql("UPDATE users SET role = 'admin' WHERE username = 'target'")),
    ("meta via execute", _sql("UPDATE meta SET value = '999' WHERE key = 'data_version'")),
    ("audit_log via execute", _sql("DELETE FROM audit_log")),
    # governance
    ("settings.set_value(target)", lambda db, u: settings.set_value(db, u, "target_otd", 0.9)),
    ("settings.save_values(targets)", lambda db, u: settings.save_values(db, u, {"target_otd": 0.9, "stale_days": 3})),
    ("settings.set_value(login rule)", lambda db, u: settings.set_value(db, u, "idle_timeout_minutes", 30)),
    ("settings.save_values(login rule)", lambda db, u: settings.save_values(db, u, {"throttle_pair_failures": 7})),
    ("meta via gateway", _tx("meta", "update", {"key": "data_version"}, {"value": "999"})),
    ("section_updates via gateway", _tx("section_updates", "insert", {
        "section": "sales", "updated_at": datetime(2026, 11, 25, 9), "updated_by": "x", "source": "x"})),
    ("users.create_user", lambda db, u: users.create_user(db, u, "newbie", "New", "viewer", password=PW)),
    ("users.update_user(role)", lambda db, u: users.update_user(db, u, "target", role="head", department="pmc")),
    ("users.reset_password", lambda db, u: users.reset_password(db, u, "target", "another password")),
    ("users.set_active", lambda db, u: users.set_active(db, u, "target", False)),
    ("users.unlock", lambda db, u: users.unlock(db, u, "target")),
    ("users.unlock_address", lambda db, u: users.unlock_address(db, u, "10.0.0.5")),
    ("users via gateway", _tx("users", "update", {"username": "target"}, {"role": "chair", "department": None})),
    ("users.change_own_password", lambda db, u: users.change_own_password(db, u, PW, "my new password")),
    ("audit_log.delete", _tx("audit_log", "delete", {"audit_id": 1})),
]

EVERYONE = set(ROLE_USERS)
MANAGERS = {"admin", "chair"}
ALLOWED: dict[str, set[str]] = {
    "customers.insert": MANAGERS | {"sales"}, "customers.update": MANAGERS | {"sales"},
    "customers.delete": MANAGERS | {"sales"}, "order_lines.update": MANAGERS | {"sales"},
    "work_centers.insert": MANAGERS | {"pmc"}, "work_centers.update": MANAGERS | {"pmc"},
    "work_centers.delete": MANAGERS | {"pmc"},
    "suppliers.insert": MANAGERS | {"purchasing"}, "suppliers.update": MANAGERS | {"purchasing"},
    "inspections.insert": MANAGERS | {"quality"}, "inspections.update": MANAGERS | {"quality"},
    "products.insert": MANAGERS | {"engineering"}, "products.delete": MANAGERS | {"engineering"},
    "meetings.insert": MANAGERS, "decisions.insert": MANAGERS,
    "action_items.insert(pmc)": MANAGERS | {"pmc"}, "action_items.update(pmc)": MANAGERS | {"pmc"},
    "action_items.verify(pmc)": MANAGERS,
    "action_items.handover(pmc->sales)": MANAGERS,        # a head needs both departments
    "action_events.insert(pmc)": MANAGERS | {"pmc"},
    "order_reviews.sign(pmc)": MANAGERS | {"pmc"},
    "review.sign(pmc)": MANAGERS | {"pmc"},
    "review.open_round(accepting a line)": MANAGERS | {"sales"},
    "review.open_round(claimed by pmc)": MANAGERS,        # the consequence is sales' (edit for sales)
    "order_lines claimed as a review's consequence outside one": MANAGERS,
    "customers via execute": MANAGERS | {"sales"},
    "order_reviews via execute(pmc)": MANAGERS | {"pmc"},
    "order_reviews via execute(no department)": MANAGERS,
    "users via execute": {"admin"}, "meta via execute": set(), "audit_log via execute": set(),
    "settings.set_value(target)": MANAGERS, "settings.save_values(targets)": MANAGERS,
    "settings.set_value(login rule)": {"admin"}, "settings.save_values(login rule)": {"admin"},
    "meta via gateway": set(), "section_updates via gateway": set(),
    "users.create_user": {"admin"}, "users.update_user(role)": {"admin"}, "users.reset_password": {"admin"},
    "users.set_active": {"admin"}, "users.unlock": {"admin"}, "users.unlock_address": {"admin"},
    "users via gateway": {"admin"},
    "users.change_own_password": EVERYONE - {"display"},  # one's own account, the current password given
    "audit_log.delete": set(),
}


def test_every_write_has_an_expectation():
    assert sorted(name for name, _ in WRITES) == sorted(ALLOWED)


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    """The seeded database built once; each test gets its own copy of the file."""
    path = tmp_path_factory.mktemp("matrix") / "template.duckdb"
    d = Database(path)
    seed(d)
    d.checkpoint()
    d.close()
    return path


@pytest.fixture
def seeded(template, tmp_path):
    path = tmp_path / "seeded.duckdb"
    shutil.copy(template, path)
    d = Database(path)
    yield d
    d.close()


@pytest.fixture(scope="module")
def seeded_shared(template, tmp_path_factory):
    """One seeded copy for the refused writes: a refused write changes nothing (which the
    matrix asserts), so they can share it."""
    path = tmp_path_factory.mktemp("refused") / "seeded.duckdb"
    shutil.copy(template, path)
    d = Database(path)
    yield d
    d.close()


@pytest.fixture(scope="module")
def shared_db():
    """One database for tests whose writes all fail (and so roll back)."""
    d = Database(":memory:")
    yield d
    d.close()


def _state(db: Database):
    return db.data_version(), db.scalar("SELECT count(*) FROM audit_log")


@pytest.mark.parametrize("role", list(ROLE_USERS))
@pytest.mark.parametrize("name,write", WRITES, ids=[n for n, _ in WRITES])
def test_write_allowed_or_refused_by_role(request, name, write, role):
    user = ROLE_USERS[role]
    allowed = role in ALLOWED[name]
    db = request.getfixturevalue("seeded" if allowed else "seeded_shared")
    before = _state(db)
    if allowed:
        write(db, user)
        assert _state(db) != before
    else:
        with pytest.raises(PermissionDenied) as e:
            write(db, user)
        assert e.value.detail.strip(), "the refusal says why"
        assert _state(db) == before


def _dummy_key(table: str) -> dict:
    def value(col: str):
        if col == "date":
            return date(2000, 1, 1)
        if col.endswith("_id") or col in ("step", "seq", "round"):
            return 999_999
        return "zz-missing"
    return {c: value(c) for c in KEYS[table]}


@pytest.mark.parametrize("table", sorted(TABLE_OWNER))
@pytest.mark.parametrize("role", list(ROLE_USERS))
def test_every_department_table_is_guarded_at_the_gateway(shared_db, table, role):
    """A change to any department's table by anyone else is refused before the row is looked at."""
    user, owner = ROLE_USERS[role], TABLE_OWNER[table]
    allowed = role in MANAGERS or role == owner
    with pytest.raises(NotFound if allowed else PermissionDenied):
        with shared_db.transaction(user, source="test") as tx:
            tx.delete(table, _dummy_key(table))


def test_refusal_names_the_user_the_role_and_the_department(seeded):
    with pytest.raises(PermissionDenied, match=r"purchasing \(head, purchasing\) may not edit for pmc"):
        WRITES[[n for n, _ in WRITES].index("work_centers.update")][1](seeded, ROLE_USERS["purchasing"])
    with pytest.raises(PermissionDenied, match="viewer .* read-only access"):
        WRITES[0][1](seeded, ROLE_USERS["viewer"])
    with pytest.raises(PermissionDenied, match=r"pmc \(head, pmc\) may not verify"):
        dict(WRITES)["action_items.verify(pmc)"](seeded, ROLE_USERS["pmc"])


@pytest.mark.parametrize("role,pages", [
    ("admin", ["overview", "users"]), ("chair", ["overview"]), ("pmc", ["overview"]), ("viewer", ["overview"]),
])
def test_navigation_per_role(role, pages):
    from lib.ui import nav
    assert [p.url for p in nav.visible(ROLE_USERS[role]) if p.url in ("overview", "users")] == pages


def test_can_see_per_department_needs():
    assert auth.can_see(ROLE_USERS["pmc"], "edit") and auth.can_see(ROLE_USERS["pmc"], "action")
    assert not auth.can_see(ROLE_USERS["pmc"], "meeting") and not auth.can_see(ROLE_USERS["viewer"], "edit")
    assert auth.can_see(ROLE_USERS["viewer"], None)


# ---------------------------------------------------------------------------- raw SQL, every table

SCHEMA_TABLES = Database(":memory:").tables()
ALL_ROLES = {**ROLE_USERS, "system": SYSTEM}
WRITERS = set(ALL_ROLES) - {"viewer", "display"}
# who may write each table that no department owns, with raw SQL (the rows unseen: a per-department
# table without its department named is a manager's; settings holds the admin's login rules too;
# an action may be verified by the statement, which needs verify)
RAW_WRITERS: dict[str, set[str]] = {
    "users": {"admin", "system"}, "settings": {"admin", "system"},
    "login_throttle": {"admin", "system"}, "login_addresses": {"admin", "system"},
    "sessions": {"admin", "system"}, "display_tokens": {"admin", "system"},
    **{t: MANAGERS | {"system"} for t in ("meetings", "meeting_attendance", "agenda_items", "decisions",
                                           "snapshots", "meeting_documents", "action_items",
                                           "action_discussions", "action_events", "order_reviews")},
    "meta": {"system"}, "schema_migrations": {"system"}, "section_updates": {"system"},
    "audit_log": set(),
}


def raw_writers(table: str) -> set[str]:
    if table in TABLE_OWNER:
        return MANAGERS | {TABLE_OWNER[table], "system"}
    return RAW_WRITERS[table]


def test_every_table_has_a_write_rule_and_an_expectation():
    assert sorted(SCHEMA_TABLES) == sorted(set(TABLE_OWNER) | set(RAW_WRITERS))
    assert all(auth.write_rule(t) is not None for t in SCHEMA_TABLES)
    assert not [t for t in SCHEMA_TABLES if t.startswith("_")]     # "_" names are staging tables


RAW_SQL = {
    "insert": 'INSERT INTO "{t}" SELECT * FROM "{t}" WHERE false',
    "update": 'UPDATE "{t}" SET "{c}" = "{c}" WHERE false',
    "delete": 'DELETE FROM "{t}" WHERE false',
    "truncate": 'TRUNCATE "{t}"',
}


@pytest.fixture(scope="module")
def raw_db():
    d = Database(":memory:")
    yield d
    d.close()


def _last_column(db: Database, table: str) -> str:
    return db.query("SELECT column_name FROM information_schema.columns WHERE table_name = ? "
                    "ORDER BY ordinal_position DESC LIMIT 1", [table]).iloc[0, 0]


@pytest.mark.parametrize("kind", sorted(RAW_SQL))
@pytest.mark.parametrize("table", SCHEMA_TABLES)
def test_raw_sql_on_every_table_by_every_role(raw_db, table, kind):
    """Each statement kind on each table, by each role: run when the rules allow (it changes no
    row), refused with PermissionDenied before it runs otherwise."""
    sql = RAW_SQL[kind].format(t=table, c=_last_column(raw_db, table))
    allowed = set()
    for role, user in ALL_ROLES.items():
        try:
            with raw_db.transaction(user, source="test") as tx:
                tx.execute(sql)
            allowed.add(role)
        except PermissionDenied as e:
            assert e.detail.strip()
    assert allowed == raw_writers(table)


HOSTILE: list[tuple[str, set[str]]] = [
    # more than one statement in a string: each is checked
    ("SELECT 1; UPDATE users SET role = 'admin' WHERE username = 'x'", {"admin", "system"}),
    ("UPDATE customers SET name = name WHERE false; UPDATE meta SET value = value WHERE false", {"system"}),
    # comments, quoted and qualified names, case
    ("/* customers */ UPDATE \"USERS\" SET role = 'admin' -- customers", {"admin", "system"}),
    ("UPDATE users/**/SET role = 'admin'", {"admin", "system"}),
    ("UPDATE memory.main.users SET role = 'admin'", {"admin", "system"}),
    ('INSERT INTO "main"."customers" SELECT * FROM customers WHERE false', MANAGERS | {"sales", "system"}),
    ("INSERT INTO elsewhere.customers VALUES ('x', 'y')", {"system"}),
    ("INSERT INTO temp.users VALUES ('x')", {"system"}),
    # writes behind a WITH, or inside a CTE of a SELECT
    ("WITH x AS (SELECT 1) UPDATE users SET role = 'admin'", {"admin", "system"}),
    ("WITH d AS (DELETE FROM meta RETURNING *) SELECT * FROM d", {"system"}),
    ("WITH d AS (DELETE FROM customers RETURNING *) SELECT count(*) FROM d", MANAGERS | {"sales", "system"}),
    # text that only looks like a write
    ("SELECT 'UPDATE users SET role = ''admin''' AS s -- DELETE FROM meta", WRITERS),
    ("SELECT $$ DROP TABLE users $$ /* ; DELETE FROM meta */", WRITERS),
    # staging tables: TEMP and "_", as the import code makes them
    ("CREATE TEMP TABLE _stage_1 AS SELECT 1 AS x; INSERT INTO _stage_1 VALUES (2); "
     "DELETE FROM _stage_1; DROP TABLE _stage_1", WRITERS),
    ("CREATE TABLE _kept AS SELECT 1", {"system"}),
    ("CREATE TEMP TABLE users AS SELECT 1", {"system"}),
    ("ALTER TABLE _stage_1 RENAME TO users", {"system"}),
    # the schema and everything that is not a read or a table write
    ("DROP TABLE customers", {"system"}), ("ALTER TABLE customers ADD COLUMN x INT", {"system"}),
    ("CREATE VIEW v AS SELECT 1", {"system"}), ("CREATE SEQUENCE s", {"system"}),
    ("ATTACH 'other.duckdb' AS other", {"system"}), ("DETACH other", {"system"}),
    ("COPY customers TO 'customers.csv'", {"system"}), ("COPY (SELECT * FROM users) TO 'u.csv'", {"system"}),
    ("COPY customers FROM 'customers.csv'", MANAGERS | {"sales", "system"}),
    ("COPY users FROM 'users.csv'", {"admin", "system"}),
    ("EXPORT DATABASE 'out'", {"system"}), ("IMPORT DATABASE 'in'", {"system"}),
    ("INSTALL httpfs", {"system"}), ("LOAD httpfs", {"system"}), ("PRAGMA version", {"system"}),
    ("SET threads = 1", {"system"}), ("RESET threads", {"system"}), ("CHECKPOINT", {"system"}),
    ("PREPARE p AS DELETE FROM customers", {"system"}), ("EXECUTE p", {"system"}),
    ("EXPLAIN ANALYZE DELETE FROM meta", {"system"}), ("VACUUM", {"system"}),
    ("MERGE INTO users USING (SELECT 'x' AS username) s ON users.username = s.username "
     "WHEN MATCHED THEN DELETE", {"admin", "system"}),
    ("TRUNCATE meta", {"system"}),
    # the transaction and the audit log are the gateway's, for everyone
    ("COMMIT", set()), ("BEGIN TRANSACTION", set()), ("ROLLBACK", set()),
    ("DELETE FROM audit_log", set()), ("UPDATE audit_log SET username = 'mallory'", set()),
    ("INSERT INTO audit_log (username, action) VALUES ('mallory', 'login')", set()),
]


@pytest.mark.parametrize("sql,allowed", HOSTILE, ids=[sql[:50] for sql, _ in HOSTILE])
def test_hostile_sql_is_checked_statement_by_statement(shared_db, sql, allowed):
    got = set()
    for role, user in ALL_ROLES.items():
        try:
            with shared_db.transaction(user, source="test") as tx:
                tx.check_sql(sql)
            got.add(role)
        except PermissionDenied:
            pass
    assert got == allowed


@pytest.mark.parametrize("via", ["execute", "cur.execute", "query"])
def test_every_way_to_run_sql_in_a_transaction_is_checked(seeded, via):
    before = (_state(seeded), seeded.query("SELECT username, role FROM users ORDER BY 1").values.tolist())
    run = {"execute": lambda tx, q: tx.execute(q), "cur.execute": lambda tx, q: tx.cur.execute(q),
           "query": lambda tx, q: tx.query(q)}[via]
    for user, sql in ((ROLE_USERS["chair"], "UPDATE users SET role = 'admin' WHERE username = 'target' RETURNING 1"),
                      (ROLE_USERS["pmc"], "DELETE FROM meta RETURNING 1"),
                      (ROLE_USERS["sales"], "SELECT 1; UPDATE work_centers SET hours_per_day = 24 RETURNING 1")):
        with pytest.raises(PermissionDenied, match=user.username):
            with seeded.transaction(user, source="test") as tx:
                run(tx, sql)
    assert (_state(seeded), seeded.query("SELECT username, role FROM users ORDER BY 1").values.tolist()) == before


def test_the_transaction_cursor_offers_no_unchecked_writes(shared_db):
    import pandas as pd
    with pytest.raises(AttributeError, match="permission-checked"):
        with shared_db.transaction(ROLE_USERS["sales"], source="test") as tx:
            tx.cur.append("customers", pd.DataFrame({"customer": ["X"], "name": ["X"]}))
    with pytest.raises(PermissionDenied, match="only reads"):
        with shared_db.transaction(ROLE_USERS["sales"], source="test") as tx:
            tx.audit_select("SELECT 1 AS action; DELETE FROM customers")
    assert shared_db.scalar("SELECT count(*) FROM customers") == 0


def test_refusals_of_raw_sql_say_what_and_why(shared_db):
    def refusal(user, sql, **kw):
        with pytest.raises(PermissionDenied) as e:
            with shared_db.transaction(user, source="test") as tx:
                tx.execute(sql, **kw)
        return e.value.detail
    assert refusal(ROLE_USERS["pmc"], "UPDATE customers SET name = 'x'") == \
        "pmc (head, pmc) may not edit for sales (customers is a sales table)."
    assert refusal(ROLE_USERS["chair"], "UPDATE users SET role = 'admin'") == \
        "chair (chair) may not manage users (writing users needs that)."
    assert refusal(ROLE_USERS["pmc"], "UPDATE order_reviews SET comment = 'x'") == \
        "pmc (head, pmc) may not sign order reviews for every department (writing order_reviews needs that)."
    assert refusal(ROLE_USERS["chair"], "UPDATE meta SET value = 'x'") == \
        "chair (chair) may not write meta: only Tandem itself (the system user) writes it."
    assert refusal(ROLE_USERS["admin"], "ATTACH 'x.duckdb' AS x") == \
        "admin (admin) may not run ATTACH statements (ATTACH 'x.duckdb' AS x); they are reserved to the " \
        "system user (the command line)."
    assert "the schema changes only through migrations" in refusal(ROLE_USERS["admin"], "DROP TABLE customers")
    assert "login rules" in refusal(ROLE_USERS["chair"], "UPDATE settings SET value = '1'")


# ---------------------------------------------------------------------------- the import path

def test_the_import_path_works_for_the_heads_whose_tables_it_writes(seeded):
    """Imports run as the importing user: their staging tables (TEMP, "_...") and the writes to
    the department's own tables (with promise history and receipts) pass; nothing else does."""
    from lib.store.imports import import_file, preview_many
    sales, purchasing, pmc = ROLE_USERS["sales"], ROLE_USERS["purchasing"], ROLE_USERS["pmc"]
    r = import_file(seeded, sales, "orders", b"order,line,customer,product,qty,order_date,requested_date,"
                    b"promised_date\nSO2,1,C1,P1,5,2026-11-02,2026-12-01,2026-12-04\n", "o.csv")
    assert (r.inserted, r.extra["promises"]) == (1, 1)
    import_file(seeded, purchasing, "materials", b"material,name,unit,lead_days,std_price,supplier\n"
                b"M1,Steel,kg,5,2,S1\n", "m.csv")
    r = import_file(seeded, purchasing, "purchase_orders", b"po,supplier,material,qty,order_date,due_date,"
                    b"received_qty,received_date,unit_price\nPO1,S1,M1,100,2026-11-01,2026-11-20,30,2026-11-18,2.5\n",
                    "po.csv")
    assert (r.inserted, r.extra["receipts"]) == (1, 1)
    r = import_file(seeded, sales, "customers", b"customer,name\nC7,Seven\nC8,\n", "c.csv", valid_only=True)
    assert (r.inserted, r.skipped) == (1, 1)
    results, problems = preview_many(seeded, pmc, [("work_centers", b"work_center,name,line,hours_per_day\n"
                                                    b"W9,Paint,L2,8\n", "w.csv")])
    assert problems.empty and results[0].inserted == 1
    assert seeded.scalar("SELECT count(*) FROM work_centers WHERE work_center = 'W9'") == 0   # a preview
    with pytest.raises(PermissionDenied):
        import_file(seeded, pmc, "customers", b"customer,name\nC9,Nine\n", "c.csv")
    with pytest.raises(PermissionDenied):
        import_file(seeded, sales, "purchase_orders", b"po,supplier,material,qty,order_date,due_date,unit_price\n"
                    b"PO2,S1,M1,5,2026-11-01,2026-11-20,2.5\n", "po.csv")
    assert seeded.scalar("SELECT count(*) FROM purchase_orders") == 1
