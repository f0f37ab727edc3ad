"""The gateway: migrations, the single write path, audit, error translation, locking."""
import subprocess
import sys
import textwrap

import pytest

from lib.errors import Conflict, NotFound, PermissionDenied, RuleViolation
from lib.people.auth import SYSTEM, User
from lib.store.db import Database


@pytest.mark.both_stores
def test_migrations_recorded_and_idempotent(db):
    applied = db.applied_migrations()
    assert applied[0] == "001_schema"
    assert db.migrate() == []            # a second run applies nothing
    assert db.applied_migrations() == applied


def test_schema_has_every_table_of_the_design(db):
    expected = {"work_centers", "calendar", "products", "routings", "materials", "bom", "inventory",
                "suppliers", "customers", "order_lines", "promise_history", "order_reviews",
                "order_changes", "shipments", "complaints", "production_plan", "production_actual",
                "variance_notes", "downtime", "purchase_orders", "receipts", "price_history",
                "inspections", "npi_projects", "npi_milestones", "drawings", "engineering_changes",
                "improvements", "meetings", "decisions", "action_items", "snapshots", "users", "audit_log"}
    assert expected <= set(db.tables())


@pytest.mark.parametrize("table,row,message", [
    ("work_centers", {"work_center": "W", "name": "W", "line": "L", "hours_per_day": 8, "efficiency": 0}, "efficiency > 0"),
    ("work_centers", {"work_center": "W", "name": "W", "line": "L", "hours_per_day": 8, "efficiency": 1.2}, "efficiency <= 1"),
    ("work_centers", {"work_center": "W", "name": "W", "line": "L", "hours_per_day": -1}, "hours_per_day >= 0"),
    ("inventory", {"material": "M", "on_hand": -5}, "on_hand >= 0"),
    ("order_lines", {"order_no": "O", "line_no": 1, "customer": "C", "product": "P", "qty": 5,
                     "order_date": "2026-03-01", "requested_date": "2026-02-01"}, "requested_date >= order_date"),
    ("order_lines", {"order_no": "O", "line_no": 1, "customer": "C", "product": "P", "qty": 0,
                     "order_date": "2026-03-01", "requested_date": "2026-04-01"}, "qty > 0"),
    ("products", {"product": "P", "family": "F"}, "name is required"),
])
def test_rules_refuse_bad_rows(db, table, row, message):
    with pytest.raises(RuleViolation, match=message.replace("(", r"\(")):
        with db.transaction(SYSTEM) as tx:
            tx.insert(table, row)


@pytest.mark.both_stores
def test_write_is_audited_and_bumps_version_and_freshness(db):
    v0 = db.data_version()
    with db.transaction(User("ann", "head", "sales"), source="form") as tx:
        tx.insert("customers", {"customer": "C1", "name": "Acme"})
    audit = db.query("SELECT username, action, table_name, row_key, column_name, new_value, source FROM audit_log ORDER BY audit_id")
    assert audit.values.tolist() == [["ann", "insert", "customers", "C1", "customer", "C1", "form"],
                                      ["ann", "insert", "customers", "C1", "name", "Acme", "form"]]
    assert db.data_version() == v0 + 1
    assert db.query("SELECT section, updated_by FROM section_updates").values.tolist() == [["sales", "ann"]]


def test_a_missing_value_as_pandas_writes_it_is_stored_as_null(db):
    """NaN (pandas' missing text under pandas 3), NaT and NA become NULL, never the text 'nan'."""
    import pandas as pd
    with db.transaction(User("ann", "head", "purchasing"), source="form") as tx:
        tx.insert("materials", {"material": "M1", "name": "Bolt", "supplier": float("nan")})
        tx.insert("materials", {"material": "M2", "name": "Nut", "supplier": pd.NA})
    assert db.query("SELECT material, supplier IS NULL FROM materials ORDER BY 1").values.tolist() == \
        [["M1", True], ["M2", True]]
    with db.transaction(User("ann", "head", "purchasing"), source="form") as tx:
        tx.update("materials", {"material": "M1"}, {"supplier": "S1"})
        tx.update("materials", {"material": "M1"}, {"supplier": float("nan")})
    assert db.scalar("SELECT supplier IS NULL FROM materials WHERE material = 'M1'") is True


def test_data_version_is_remembered_until_a_commit_through_any_object_on_the_file(tmp_path):
    a, b = Database(tmp_path / "f.duckdb"), Database(str(tmp_path / "." / "f.duckdb"))
    v0 = a.data_version()
    assert b.data_version() == v0 and a.data_version() == v0      # remembered: no write between
    with b.transaction(SYSTEM) as tx:                              # a commit through the other object
        tx.insert("customers", {"customer": "C1", "name": "Acme"})
    assert a.data_version() == v0 + 1 and b.data_version() == v0 + 1
    with pytest.raises(RuleViolation):                             # a rolled-back write changes nothing
        with a.transaction(SYSTEM) as tx:
            tx.insert("customers", {"customer": "C1", "name": "Again"})
    assert a.data_version() == b.data_version() == v0 + 1
    a.close(), b.close()


def test_in_memory_databases_keep_their_own_version():
    a, b = Database(), Database()
    with a.transaction(SYSTEM) as tx:
        tx.insert("customers", {"customer": "C1", "name": "Acme"})
    assert a.data_version() == b.data_version() + 1


@pytest.mark.both_stores
def test_failed_write_leaves_nothing(db):
    with pytest.raises(RuleViolation):
        with db.transaction(SYSTEM) as tx:
            tx.insert("customers", {"customer": "C1", "name": "Acme"})
            tx.insert("customers", {"customer": "C1", "name": "Again"})
    assert db.scalar("SELECT count(*) FROM customers") == 0
    assert db.scalar("SELECT count(*) FROM audit_log") == 0


@pytest.mark.both_stores
def test_update_sees_a_concurrent_change(db):
    with db.transaction(SYSTEM) as tx:
        tx.insert("customers", {"customer": "C1", "name": "Acme"})
    loaded = {"name": "Acme"}
    with db.transaction(SYSTEM) as tx:                       # the first head saves
        tx.update("customers", {"customer": "C1"}, {"name": "Acme Ltd"}, expected=loaded)
    with pytest.raises(Conflict, match="you loaded 'Acme', it is now 'Acme Ltd'"):
        with db.transaction(SYSTEM) as tx:                   # the second, from the same load
            tx.update("customers", {"customer": "C1"}, {"name": "ACME"}, expected=loaded)
    assert db.scalar("SELECT name FROM customers") == "Acme Ltd"


@pytest.mark.both_stores
def test_update_and_delete_of_missing_row(db):
    with pytest.raises(NotFound):
        with db.transaction(SYSTEM) as tx:
            tx.update("customers", {"customer": "nope"}, {"name": "x"})


@pytest.mark.both_stores
def test_permissions_are_checked_at_the_write_path(db):
    with pytest.raises(PermissionDenied, match="may not edit for pmc"):
        with db.transaction(User("ann", "head", "sales")) as tx:
            tx.insert("work_centers", {"work_center": "W", "name": "W", "line": "L", "hours_per_day": 8})
    with pytest.raises(PermissionDenied):
        with db.transaction(User("v", "viewer")) as tx:
            tx.insert("customers", {"customer": "C1", "name": "Acme"})
    with pytest.raises(PermissionDenied, match="audit_log cannot be changed"):
        with db.transaction(SYSTEM) as tx:
            tx.delete("audit_log", {"audit_id": 1})


def test_second_process_gets_a_clear_busy_message(tmp_path):
    path = tmp_path / "held.duckdb"
    holder = Database(path)
    try:
        code = textwrap.dedent(f"""
            from lib.store.db import Database
            from lib.errors import DatabaseBusy
            try:
                Database({str(path)!r})
            except DatabaseBusy as e:
                print("BUSY:", e)
        """)
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                             cwd=str(__import__("tests.conftest").conftest.ROOT))
        assert "BUSY:" in out.stdout and "running dashboard" in out.stdout, out.stderr
        assert "Traceback" not in out.stdout + out.stderr
    finally:
        holder.close()
