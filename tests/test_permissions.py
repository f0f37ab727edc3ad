"""Every write function x every role: allowed or refused as the role says, in lib.

The table is meant to grow: add `(name, write(db, user))` to WRITES and the roles that may do
it to ALLOWED; the matrix test then checks all eight roles. A refused write must raise
PermissionDenied and leave the database exactly as it was (no change, no audit row).
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
from lib.store.db import KEYS, Database

ROLE_USERS = {
    "admin": User("admin", "admin"), "chair": User("chair", "chair"),
    **{d: User(d, "head", d) for d in DEPARTMENTS},
    "viewer": User("viewer", "viewer"),
}
PW = "matrix password"
_HASH = users.hash_password(PW)   # hashed once: the matrix builds many databases


def seed(db: Database) -> None:
    """One row of each kind the writes below touch, and an account per role (password PW)."""
    with db.transaction(SYSTEM, source="test") as tx:
        for name, u in ROLE_USERS.items():
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
    # governance
    ("settings.set_value", lambda db, u: settings.set_value(db, u, "idle_timeout_minutes", 30)),
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
    "settings.set_value": MANAGERS,
    "users.create_user": {"admin"}, "users.update_user(role)": {"admin"}, "users.reset_password": {"admin"},
    "users.set_active": {"admin"}, "users.unlock": {"admin"}, "users.unlock_address": {"admin"},
    "users via gateway": {"admin"},
    "users.change_own_password": EVERYONE,                # one's own account, the current password given
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
