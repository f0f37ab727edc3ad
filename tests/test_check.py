"""integrity_problems finds what the schema does not enforce."""
import pytest

from lib.people.auth import SYSTEM
from lib.store.check import integrity_problems
from lib.store.db import Database


@pytest.fixture
def db():
    d = Database(":memory:")
    with d.transaction(SYSTEM, source="test") as tx:
        tx.execute("INSERT INTO work_centers VALUES ('W1', 'W1', 'L1', 8, 1)")
        tx.execute("INSERT INTO products (product, name, family) VALUES ('P1', 'P1', 'F')")
        tx.execute("INSERT INTO routings VALUES ('P1', 1, 'W1', 1, 0.1, 1)")
        tx.execute("INSERT INTO customers VALUES ('C1', 'Acme')")
        tx.execute("INSERT INTO suppliers VALUES ('S1', 'Parts')")
        tx.execute("INSERT INTO materials (material, name, supplier) VALUES ('M1', 'M1', 'S1')")
        tx.execute("INSERT INTO inventory VALUES ('M1', 5, 0)")
        tx.execute("INSERT INTO order_lines (line_id, order_no, line_no, customer, product, qty, order_date, "
                   "requested_date) VALUES (1, 'SO-1', 1, 'C1', 'P1', 10, '2026-01-05', '2026-02-01')")
    return d


def test_healthy_database_has_no_problems(db):
    assert integrity_problems(db).empty


def test_finds_planted_orphans(db):
    with db.transaction(SYSTEM, source="test") as tx:
        tx.execute("INSERT INTO routings VALUES ('P1', 2, 'GHOST', 1, 0.1, 1)")
        tx.execute("INSERT INTO bom VALUES ('P1', 'M404', 2)")
        tx.execute("INSERT INTO shipments (line_id, ship_date, qty) VALUES (99, '2026-02-01', 1)")
    p = integrity_problems(db).set_index("check")
    assert p.loc["orphan routings.work_center -> work_centers", "example"] == "GHOST"
    assert p.loc["orphan bom.material -> materials", "count"] == 1
    assert p.loc["orphan shipments.line_id -> order_lines", "example"] == "99"


def test_finds_negative_stock_and_overshipment(db):
    # the CHECK on_hand >= 0 stops a negative insert; a database restored from elsewhere may lack it
    with db.cursor() as cur:
        cur.execute("CREATE TABLE inv2 AS SELECT * FROM inventory")
        cur.execute("DROP TABLE inventory")
        cur.execute("CREATE TABLE inventory AS SELECT material, -3.0 AS on_hand, 0.0 AS on_hold FROM inv2")
        cur.execute("UPDATE order_lines SET shipped_qty = 12")
    p = integrity_problems(db).set_index("check")
    assert p.loc["negative stock", "example"] == "M1"
    assert p.loc["shipped more than ordered", "count"] == 1


def test_open_order_without_routing(db):
    with db.transaction(SYSTEM, source="test") as tx:
        tx.execute("INSERT INTO products (product, name, family) VALUES ('P2', 'P2', 'F')")
        tx.execute("INSERT INTO order_lines (line_id, order_no, line_no, customer, product, qty, order_date, "
                   "requested_date) VALUES (2, 'SO-2', 1, 'C1', 'P2', 10, '2026-01-05', '2026-02-01')")
    p = integrity_problems(db)
    assert p.check.tolist() == ["open order for a product without routing"]


def test_check_counts_names_every_check_with_its_count(db):
    from lib.store.check import check_counts, checks
    assert check_counts(db) == {name: 0 for name, _, _ in checks()}
    with db.transaction(SYSTEM, source="test") as tx:
        tx.execute("INSERT INTO bom VALUES ('P1', 'M404', 2), ('P1', 'M405', 1)")
    counts = check_counts(db)
    assert counts["orphan bom.material -> materials"] == 2
    assert sum(counts.values()) == 2
