"""Table editing and forms: one transaction per save, no lost updates, every write path audited."""
import pandas as pd
import pytest

from lib.errors import Conflict, PermissionDenied, ValidationError
from lib.people.auth import SYSTEM, User
from lib.store import audit
from lib.store.edits import save_edits
from lib.store.exports import export_count, export_frame
from lib.store.imports import ImportRejected, add_record, import_file
from tests.conftest import DATA

ANN = User("ann", "head", "sales", "Ann")
BOB = User("bob", "head", "sales", "Bob")


@pytest.fixture
def factory(db):
    for name in ("customers", "products", "work_centers", "suppliers", "materials", "orders"):
        import_file(db, SYSTEM, name, (DATA / "io" / f"{name}.csv").read_bytes(), f"{name}.csv")
    return db


def loaded(db, table):
    with db.cursor() as cur:
        return export_frame(cur, table)


@pytest.mark.both_stores
def test_two_heads_save_the_same_record_the_second_sees_both_values(factory):
    ann_view, bob_view = loaded(factory, "customers"), loaded(factory, "customers")   # both open the editor
    save_edits(factory, ANN, "customers", ann_view, edited_rows={0: {"name": "Acme Ltd"}})
    with pytest.raises(Conflict) as err:
        save_edits(factory, BOB, "customers", bob_view, edited_rows={0: {"name": "ACME Corp"}})
    assert "Row 1 was changed by someone else" in str(err.value)
    assert "name: you loaded 'Acme', it is now 'Acme Ltd'" in str(err.value)
    assert factory.scalar("SELECT name FROM customers WHERE customer = 'C1'") == "Acme Ltd"
    # Bob reloads and saves again: now it goes through
    save_edits(factory, BOB, "customers", loaded(factory, "customers"), edited_rows={0: {"name": "ACME Corp"}})
    assert factory.query("SELECT username, old_value, new_value FROM audit_log WHERE table_name = 'customers' "
                         "AND action = 'update' ORDER BY audit_id").values.tolist() == [
        ["ann", "Acme", "Acme Ltd"], ["bob", "Acme Ltd", "ACME Corp"]]


@pytest.mark.both_stores
def test_a_row_deleted_by_someone_else_is_not_silently_recreated(factory):
    view = loaded(factory, "customers")
    save_edits(factory, ANN, "customers", view, deleted_rows=[1])
    with pytest.raises(Conflict, match="Row 2 was deleted by someone else"):
        save_edits(factory, BOB, "customers", view, edited_rows={1: {"name": "Beta 2"}})
    assert factory.query("SELECT customer FROM customers").values.tolist() == [["C1"]]


@pytest.mark.both_stores
def test_editor_saves_edits_additions_and_deletions_in_one_transaction(factory):
    view = loaded(factory, "orders")
    save_edits(factory, ANN, "orders", view, edited_rows={0: {"qty": 110}},
               added_rows=[{"order": "SO-9", "line": 1, "customer": "C2", "product": "P1", "qty": 5,
                            "order_date": "2026-11-20", "requested_date": "2026-12-20"}],
               deleted_rows=[1])
    got = factory.query("SELECT order_no, line_no, qty FROM order_lines ORDER BY order_no, line_no").values.tolist()
    assert got == [["SO-1", 1, 110.0], ["SO-9", 1, 5.0]]
    assert set(factory.query("SELECT DISTINCT action FROM audit_log WHERE source = 'editor'")["action"]) == \
        {"insert", "update", "delete"}


def test_a_refused_row_saves_nothing_and_names_row_and_column(factory):
    view = loaded(factory, "orders")
    with pytest.raises(ImportRejected) as err:
        save_edits(factory, ANN, "orders", view, edited_rows={0: {"qty": 120}, 1: {"qty": -3}}, deleted_rows=[])
    assert err.value.problems[["row", "column", "reason"]].values.tolist() == [[2, "qty", "must be more than 0"]]
    assert factory.query("SELECT qty FROM order_lines ORDER BY line_no")["qty"].tolist() == [100.0, 50.0]


@pytest.mark.both_stores
def test_an_added_row_may_not_overwrite_an_existing_record(factory):
    view = loaded(factory, "customers")
    with pytest.raises(Conflict, match="Row 3: a record C1 already exists"):
        save_edits(factory, ANN, "customers", view, added_rows=[{"customer": "C1", "name": "Impostor"}])
    assert factory.scalar("SELECT name FROM customers WHERE customer = 'C1'") == "Acme"


def test_key_columns_cannot_be_edited_in_place(factory):
    with pytest.raises(ValidationError, match="customer identifies the record"):
        save_edits(factory, ANN, "customers", loaded(factory, "customers"), edited_rows={0: {"customer": "C0"}})


def test_a_head_cannot_edit_another_departments_table(factory):
    with pytest.raises(PermissionDenied):
        save_edits(factory, ANN, "work_centers", loaded(factory, "work_centers"), edited_rows={0: {"hours_per_day": 10}})
    assert factory.scalar("SELECT hours_per_day FROM work_centers WHERE work_center = 'W1'") == 8


def test_form_adds_a_complaint_validated_like_an_import(factory):
    add_record(factory, ANN, "complaints", {"complaint": "CC-1", "customer": "C1", "order": "SO-1", "line": 1,
                                            "received_date": pd.Timestamp("2026-11-20").date(), "category": "quality",
                                            "description": "scratches", "severity": "major"})
    got = factory.query("SELECT c.complaint, o.order_no, c.severity, c.status FROM complaints c "
                        "JOIN order_lines o USING (line_id)").values.tolist()
    assert got == [["CC-1", "SO-1", "major", "open"]]
    with pytest.raises(ImportRejected, match="complaint: CC-1 already exists"):
        add_record(factory, ANN, "complaints", {"complaint": "CC-1", "customer": "C1", "received_date": "2026-11-21",
                                                "category": "quality", "description": "again"})
    with pytest.raises(ImportRejected, match="closed_date: a closed complaint needs its closed_date"):
        add_record(factory, ANN, "complaints", {"complaint": "CC-2", "customer": "C1", "received_date": "2026-11-21",
                                                "category": "delivery", "description": "late", "status": "closed"})
    assert factory.scalar("SELECT count(*) FROM complaints") == 1


def test_calendar_exception_form_updates_the_day(factory):
    add_record(factory, SYSTEM, "calendar", {"date": "2026-12-25", "work_center": None, "hours": 0, "reason": "Xmas"},
               mode="upsert")
    add_record(factory, SYSTEM, "calendar", {"date": "2026-12-25", "work_center": None, "hours": 4, "reason": "half day"},
               mode="upsert")
    assert factory.query("SELECT work_center, hours, reason FROM calendar").values.tolist() == [["", 4.0, "half day"]]


@pytest.mark.both_stores
def test_every_write_path_leaves_audit_rows_with_its_source(factory):
    add_record(factory, ANN, "customers", {"customer": "C3", "name": "Gamma"})
    save_edits(factory, ANN, "customers", loaded(factory, "customers"), edited_rows={2: {"name": "Gamma Ltd"}})
    import_file(factory, ANN, "customers", b"customer,name\nC3,Gamma Group\n", "erp.csv")
    log = factory.query("SELECT username, action, table_name, row_key, column_name, old_value, new_value, source "
                        "FROM audit_log WHERE row_key = 'C3' ORDER BY audit_id")
    log = log.astype(object).where(log.notna(), None).values.tolist()
    assert log == [
        ["ann", "insert", "customers", "C3", "customer", None, "C3", "form"],
        ["ann", "insert", "customers", "C3", "name", None, "Gamma", "form"],
        ["ann", "update", "customers", "C3", "name", "Gamma", "Gamma Ltd", "editor"],
        ["ann", "update", "customers", "C3", "name", "Gamma Ltd", "Gamma Group", "import:erp.csv"],
    ]
    with factory.cursor() as cur:
        f = audit.AuditFilter(source="erp.csv")
        assert audit.count(cur, f) == 1
        assert audit.entries(cur, audit.AuditFilter(users=("ann",), actions=("insert",)))["row_key"].tolist() == ["C3", "C3"]


def test_nobody_can_change_the_audit_log(factory):
    with pytest.raises(PermissionDenied, match="cannot be changed by anyone"):
        with factory.transaction(SYSTEM) as tx:
            tx.update("audit_log", {"audit_id": 1}, {"username": "mallory"})
    with pytest.raises(PermissionDenied):
        with factory.transaction(SYSTEM) as tx:
            tx.delete("audit_log", {"audit_id": 1})


def test_export_finds_rows_by_any_text_column_and_bounds_them(factory):
    with factory.cursor() as cur:
        everything = export_frame(cur, "orders")
        customer = everything["customer"].iloc[-1]
        found = export_frame(cur, "orders", search=customer.lower())          # case-insensitive
        first = export_frame(cur, "orders", limit=2)
        assert export_count(cur, "orders") == len(everything)
        assert export_count(cur, "orders", search=customer) == len(found)
        assert export_count(cur, "orders", search="no such text") == 0
    assert len(found) and (found["customer"] == customer).all()
    assert len(found) == (everything["customer"] == customer).sum()
    assert first.equals(everything.head(2))                                  # the same order, cut


def test_edits_to_a_found_subset_land_on_the_right_rows(factory):
    with factory.cursor() as cur:
        subset = export_frame(cur, "customers", search="C2")
    assert subset["customer"].tolist() == ["C2"]
    save_edits(factory, ANN, "customers", subset, edited_rows={0: {"name": "Second Co"}})
    assert factory.scalar("SELECT name FROM customers WHERE customer = 'C2'") == "Second Co"


def test_find_takes_percent_and_underscore_as_typed(factory):
    with factory.transaction(SYSTEM) as tx:
        tx.insert("customers", {"customer": "C_9", "name": "Fifty% Ltd"})
        tx.insert("customers", {"customer": "CX9", "name": "Other"})
    with factory.cursor() as cur:
        assert export_frame(cur, "customers", search="C_9")["customer"].tolist() == ["C_9"]     # not CX9
        assert export_frame(cur, "customers", search="y%")["customer"].tolist() == ["C_9"]
        assert export_count(cur, "customers", search="%") == 1
        assert export_count(cur, "customers", search="\\") == 0
