"""Import of the exchange format: bad files refused with their message and nothing written;
good files upserted by key, audited, and a re-import changes nothing."""
import io
from datetime import date

import openpyxl
import pandas as pd
import pytest

from lib.errors import PermissionDenied
from lib.people.auth import SYSTEM, User
from lib.store import tables
from lib.store.exports import csv_bytes, export_bytes, export_frame
from lib.store.imports import ImportRejected, import_file
from tests.conftest import DATA

SCENARIO = DATA / "io"
MASTER = ("customers", "products", "work_centers", "suppliers", "materials", "orders")


@pytest.fixture
def factory(db):
    """The scenario: 2 customers, 2 products, 2 work centers, 1 supplier, 1 material, order SO-1 (2 lines)."""
    for name in MASTER:
        import_file(db, SYSTEM, name, (SCENARIO / f"{name}.csv").read_bytes(), f"{name}.csv")
    return db


def snapshot(db) -> dict:
    """Everything a refused import must leave as it was: every table's rows, the audit log, the version."""
    out = {"version": db.data_version()}
    for t in db.tables():
        if t in ("meta", "section_updates"):
            continue
        out[t] = db.query(f"SELECT * FROM {t} ORDER BY ALL").to_csv(index=False)
    return out


def xlsx(rows: list[list]) -> bytes:
    wb = openpyxl.Workbook()
    for r in rows:
        wb.active.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


ORDER_HEAD = "order,line,customer,product,qty,order_date,requested_date\n"

# (table, file name, content, message the user must see, (row, column) of the first problem or None)
BAD_FILES = [
    ("work_centers", "missing.csv", b"work_center,name,line\nW9,Paint,L2\n",
     "missing required columns: hours_per_day", None),
    ("work_centers", "extra.csv", b"work_center,name,line,hours_per_day,colour\nW9,Paint,L2,8,red\n",
     "unknown columns: colour", None),
    ("work_centers", "type.csv", b"work_center,name,line,hours_per_day\nW9,Paint,L2,eight\n",
     "'eight' is not a number", (2, "hours_per_day")),
    ("routings", "int.csv", b"product,step,work_center,run_hours_per_unit\nP1,1.5,W1,0.2\n",
     "'1.5' is not a whole number", (2, "step")),
    ("orders", "feb30.csv", (ORDER_HEAD + "SO-2,1,C1,P1,10,2026-11-20,2026-02-30\n").encode(),
     "'2026-02-30' is not a valid date", (2, "requested_date")),
    ("orders", "negative.csv", (ORDER_HEAD + "SO-2,1,C1,P1,-5,2026-11-20,2026-12-20\n").encode(),
     "must be more than 0", (2, "qty")),
    ("orders", "zero.csv", (ORDER_HEAD + "SO-2,1,C1,P1,0,2026-11-20,2026-12-20\n").encode(),
     "must be more than 0", (2, "qty")),
    ("orders", "na.csv", (ORDER_HEAD + "SO-2,1,C1,P1,N/A,2026-11-20,2026-12-20\n").encode(),
     "'N/A' is not a number", (2, "qty")),
    ("orders", "absurd.csv", (ORDER_HEAD + "SO-2,1,C1,P1,1000000000000,2026-11-20,2026-12-20\n").encode(),
     "must be at most 100,000,000", (2, "qty")),
    ("orders", "customer.csv", (ORDER_HEAD + "SO-2,1,C9,P1,10,2026-11-20,2026-12-20\n").encode(),
     "unknown customers 'C9'", (2, "customer")),
    ("routings", "wc.csv", b"product,step,work_center,run_hours_per_unit\nP1,1,W7,0.2\n",
     "unknown work_centers 'W7'", (2, "work_center")),
    ("orders", "before.csv", (ORDER_HEAD + "SO-2,1,C1,P1,10,2026-11-20,2026-11-01\n").encode(),
     "requested_date is before order_date", (2, "requested_date")),
    ("orders", "required.csv", (ORDER_HEAD + "SO-2,1,,P1,10,2026-11-20,2026-12-20\n").encode(),
     "required, but empty", (2, "customer")),
    ("customers", "dup.csv", b"customer,name\nC7,Gamma\nC7,Gamma again\n",
     "duplicate key C7: also on row 2", (3, "customer")),
    ("customers", "empty.csv", b"", "the file is empty", None),
    ("customers", "header_only.csv", b"customer,name\n", "header row but no data rows", None),
    ("customers", "report.pdf", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", "not a CSV or Excel", None),
    ("customers", "picture.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not a CSV or Excel", None),
    ("customers", "old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "save it as .xlsx or CSV", None),
    ("customers", "gbk_bad.csv", "客户,名称\nC8,\nC9,上海精密机械\n".encode("gbk"), "required, but empty", (2, "名称")),
    # four hanzi whose GBK bytes are also Big5 (諦誧,靡備): refused, not guessed
    ("customers", "gbk_short.csv", "客户,名称\nC8,\n".encode("gbk"), "reads as more than one encoding (GB18030/GBK, Big5)",
     None),
    ("shipments", "line.csv", b"order,line,ship_date,qty\nSO-1,9,2026-11-20,5\n",
     "unknown order line SO-1 / 9", (2, "order")),
    ("purchase_orders", "received.csv",
     b"po,supplier,material,qty,order_date,due_date,received_qty,unit_price\nPO-1,S1,M1,100,2026-11-01,2026-11-20,30,2.5\n",
     "received_date is required when received_qty is more than 0", (2, "received_date")),
]


@pytest.mark.parametrize("table,name,content,message,where", BAD_FILES, ids=[b[1] for b in BAD_FILES])
@pytest.mark.both_stores(only=["dup.csv", "feb30.csv"])
def test_bad_file_is_refused_with_its_message_and_nothing_changes(factory, table, name, content, message, where):
    before = snapshot(factory)
    with pytest.raises(ImportRejected) as err:
        import_file(factory, SYSTEM, table, content, name)
    assert message in str(err.value) or message in " ".join(err.value.problems["reason"])
    if where:
        first = err.value.problems.iloc[0]
        assert (int(first["row"]), first["column"]) == where
        assert first["file"] == name
    assert snapshot(factory) == before


def test_duplicate_against_the_database_is_refused_when_adding_only(factory):
    before = snapshot(factory)
    with pytest.raises(ImportRejected) as err:
        import_file(factory, SYSTEM, "customers", b"customer,name\nC3,New\nC1,Acme again\n", "new.csv", mode="insert")
    assert err.value.problems[["row", "column", "reason"]].values.tolist() == [
        [3, "customer", "C1 already exists in the database"]]
    assert snapshot(factory) == before


def test_every_problem_of_a_file_is_reported_at_once(factory):
    content = (ORDER_HEAD + "SO-2,1,C9,P1,N/A,2026-11-20,2026-12-20\n"
                            "SO-2,2,C1,P7,10,2026-11-20,2026-02-30\n").encode()
    with pytest.raises(ImportRejected) as err:
        import_file(factory, SYSTEM, "orders", content, "many.csv")
    got = err.value.problems[["row", "column", "value"]].values.tolist()
    assert got == [[2, "customer", "C9"], [2, "qty", "N/A"], [3, "product", "P7"], [3, "requested_date", "2026-02-30"]]
    assert "4 problems in 2 rows" in str(err.value)


def test_valid_only_imports_the_good_rows_and_reports_the_rest(factory):
    content = b"customer,name\nC3,Gamma\nC4,\nC5,Epsilon\n"
    r = import_file(factory, SYSTEM, "customers", content, "some.csv", valid_only=True)
    assert (r.inserted, r.skipped) == (2, 1)
    assert r.extra["problems"][["row", "column"]].values.tolist() == [[3, "name"]]
    assert factory.query("SELECT customer FROM customers ORDER BY 1")["customer"].tolist() == ["C1", "C2", "C3", "C5"]


def test_gbk_file_with_chinese_headers_and_text(factory):
    content = "客户编码,客户名称\nC3,上海精密机械有限公司\nC1,Acme\n".encode("gbk")
    r = import_file(factory, SYSTEM, "customers", content, "erp_客户.csv")
    assert (r.inserted, r.updated, r.unchanged) == (1, 0, 1)
    assert factory.scalar("SELECT name FROM customers WHERE customer = 'C3'") == "上海精密机械有限公司"


def test_bom_and_semicolon_delimiter(factory):
    content = "\ufeffcustomer;name\nC3;Gamma; Ltd\n".encode("utf-8")
    with pytest.raises(ImportRejected, match="row 2 has more fields"):
        import_file(factory, SYSTEM, "customers", content, "semi.csv")
    content = '\ufeffcustomer;name\nC3;"Gamma; Ltd"\nC4;Delta\n'.encode("utf-8")
    r = import_file(factory, SYSTEM, "customers", content, "semi.csv")
    assert r.inserted == 2
    assert factory.scalar("SELECT name FROM customers WHERE customer = 'C3'") == "Gamma; Ltd"


@pytest.mark.both_stores
def test_same_file_twice_changes_nothing_the_second_time(factory):
    content = (ORDER_HEAD.strip() + ",promised_date\n"
               "SO-1,1,C1,P1,120,2026-11-02,2026-12-01,2026-12-05\n"
               "SO-3,1,C2,P2,7,2026-11-20,2026-12-20,\n").encode()
    first = import_file(factory, SYSTEM, "orders", content, "o.csv")
    assert (first.inserted, first.updated, first.unchanged) == (1, 1, 0)
    # SO-1/1: qty 100 -> 120 and promised 12-03 -> 12-05: two audit rows; SO-3/1: one per non-blank column
    changed = factory.query("SELECT column_name, old_value, new_value FROM audit_log "
                            "WHERE action = 'update' AND source = 'import:o.csv' ORDER BY column_name")
    assert changed.values.tolist() == [["promised_date", "2026-12-03", "2026-12-05"], ["qty", "100", "120"]]
    before = snapshot(factory)
    second = import_file(factory, SYSTEM, "orders", content, "o.csv")
    assert (second.inserted, second.updated, second.unchanged, second.audit_rows) == (0, 0, 2, 0)
    after = snapshot(factory)
    assert {k: v for k, v in after.items() if k != "version"} == {k: v for k, v in before.items() if k != "version"}


@pytest.mark.both_stores
def test_changed_promise_appends_promise_history(factory):
    line = factory.scalar("SELECT line_id FROM order_lines WHERE order_no = 'SO-1' AND line_no = 1")
    assert factory.query("SELECT promised_date, source FROM promise_history WHERE line_id = ?", [line]).values.tolist() \
        == [[pd.Timestamp("2026-12-03"), "import"]]
    content = b"order,line,promised_date\nSO-1,1,2026-12-09\nSO-1,2,\n"
    with pytest.raises(ImportRejected, match="missing required columns: customer, product, qty"):
        import_file(factory, SYSTEM, "orders", content, "p.csv")
    content = (ORDER_HEAD.strip() + ",promised_date\nSO-1,1,C1,P1,100,2026-11-02,2026-12-01,2026-12-09\n").encode()
    import_file(factory, SYSTEM, "orders", content, "p.csv")
    rows = factory.query("SELECT promised_date, source, reason FROM promise_history WHERE line_id = ? "
                         "ORDER BY promise_id", [line])
    assert rows["promised_date"].dt.date.tolist() == [date(2026, 12, 3), date(2026, 12, 9)]
    assert rows["reason"].tolist() == ["orders.csv", "p.csv"]


@pytest.mark.both_stores
def test_purchase_order_received_qty_becomes_one_adjusting_receipt(factory):
    head = b"po,supplier,material,qty,order_date,due_date,received_qty,received_date,unit_price\n"
    import_file(factory, SYSTEM, "purchase_orders", head + b"PO-1,S1,M1,100,2026-11-01,2026-11-20,30,2026-11-18,2.5\n", "po.csv")
    assert factory.query("SELECT po, receipt_date, qty FROM receipts").values.tolist() == [
        ["PO-1", pd.Timestamp("2026-11-18"), 30.0]]
    # the same file again: the receipts already add up to 30, nothing is added
    import_file(factory, SYSTEM, "purchase_orders", head + b"PO-1,S1,M1,100,2026-11-01,2026-11-20,30,2026-11-18,2.5\n", "po.csv")
    assert factory.scalar("SELECT count(*) FROM receipts") == 1
    # 100 received by 11-22: one receipt of the 70 still missing
    import_file(factory, SYSTEM, "purchase_orders", head + b"PO-1,S1,M1,100,2026-11-01,2026-11-20,100,2026-11-22,2.5\n", "po2.csv")
    assert factory.query("SELECT receipt_date, qty FROM receipts ORDER BY receipt_id").values.tolist() == [
        [pd.Timestamp("2026-11-18"), 30.0], [pd.Timestamp("2026-11-22"), 70.0]]
    # less than received is refused: a receipt is corrected in the receipts table
    with pytest.raises(ImportRejected, match="less than the 100 already received"):
        import_file(factory, SYSTEM, "purchase_orders", head + b"PO-1,S1,M1,100,2026-11-01,2026-11-20,40,2026-11-22,2.5\n", "po3.csv")
    with factory.cursor() as cur:
        assert export_frame(cur, "purchase_orders")[["received_qty", "received_date"]].values.tolist() == [
            [100.0, date(2026, 11, 22)]]


def test_xlsx_with_chinese_headers_excel_dates_and_serials(factory):
    content = xlsx([["日期", "工作中心", "工时", "原因"],
                    [pd.Timestamp("2026-12-25").to_pydatetime(), "", 0, "圣诞节"],
                    [46387, "W2", 12, "加班"]])          # 46387 = Excel serial of 2026-12-31
    r = import_file(factory, SYSTEM, "calendar", content, "日历.xlsx")
    assert r.inserted == 2
    got = factory.query("SELECT date, work_center, hours, reason FROM calendar ORDER BY date").values.tolist()
    assert got == [[pd.Timestamp("2026-12-25"), "", 0.0, "圣诞节"], [pd.Timestamp("2026-12-31"), "W2", 12.0, "加班"]]


def test_absent_optional_columns_are_left_as_they_are(factory):
    import_file(factory, SYSTEM, "products", b"product,name,family,unit_price\nP1,Pump,pumps,99.5\n", "price.csv")
    import_file(factory, SYSTEM, "products", b"product,name,family\nP1,Pump mk2,pumps\n", "names.csv")
    assert factory.query("SELECT name, unit_price FROM products WHERE product = 'P1'").values.tolist() == [["Pump mk2", 99.5]]


def test_a_head_may_import_only_their_own_department(factory):
    sales = User("ann", "head", "sales")
    with pytest.raises(PermissionDenied):
        import_file(factory, sales, "work_centers", b"work_center,name,line,hours_per_day\nW9,Paint,L2,8\n", "w.csv")
    assert factory.scalar("SELECT count(*) FROM work_centers WHERE work_center = 'W9'") == 0
    import_file(factory, sales, "customers", b"customer,name\nC9,Nine\n", "c.csv")
    assert factory.query("SELECT section, updated_by, source FROM section_updates WHERE section = 'sales'"
                         ).values.tolist() == [["sales", "ann", "import:c.csv"]]


@pytest.fixture(scope="module")
def demo_db(request, store, demo_file, tmp_path_factory):
    import shutil

    from lib.store.db import Database
    if store == "postgres":
        from tests.conftest import drop_pg, pg_database
        d = pg_database()
        d.replace_with(request.getfixturevalue("pg_source"))
        yield d
        drop_pg(d)
        return
    path = tmp_path_factory.mktemp("roundtrip") / "demo.duckdb"
    shutil.copy(demo_file, path)
    d = Database(path)
    yield d
    d.close()


@pytest.mark.parametrize("name", tables.names())
@pytest.mark.both_stores(only=["orders", "customers", "production_actual"])
def test_export_then_import_is_identity(demo_db, name):
    """Every table of the demo factory: importing its own export (CSV and XLSX) changes nothing."""
    db = demo_db
    assert db.scalar(f"SELECT count(*) FROM {tables.spec(name).table}") > 0
    before = snapshot(db)
    for fmt in ("csv", "xlsx"):
        with db.cursor() as cur:
            data = export_bytes(cur, name, fmt)
        r = import_file(db, SYSTEM, name, data, f"{name}.{fmt}")
        assert (r.inserted, r.updated, r.audit_rows) == (0, 0, 0)
    after = snapshot(db)
    assert {k: v for k, v in after.items() if k != "version"} == {k: v for k, v in before.items() if k != "version"}


def test_export_neutralises_formulas_and_import_restores_the_text(factory):
    import_file(factory, SYSTEM, "customers", b'customer,name\nC3,"=HYPERLINK(""http://x"")"\nC4,+86 21 5555\nC5,@home\n', "f.csv")
    with factory.cursor() as cur:
        text = export_bytes(cur, "customers", "csv").decode("utf-8-sig")
    assert "'=HYPERLINK" in text and "'+86 21 5555" in text and "'@home" in text
    with factory.cursor() as cur:
        sheet = openpyxl.load_workbook(io.BytesIO(export_bytes(cur, "customers", "xlsx"))).active
    assert all(not str(c.value).startswith(("=", "+", "@")) for row in sheet.iter_rows() for c in row)
    assert import_file(factory, SYSTEM, "customers", text.encode(), "again.csv").updated == 0
    assert factory.scalar("SELECT name FROM customers WHERE customer = 'C3'") == '=HYPERLINK("http://x")'


def test_template_headers_are_the_exchange_columns():
    from lib.store.exports import template_frame
    assert list(template_frame("orders").columns) == ["order", "line", "customer", "product", "qty", "unit_price",
                                                     "order_date", "requested_date", "promised_date", "shipped_qty",
                                                     "status"]
    assert csv_bytes(template_frame("customers")) == "\ufeffcustomer,name\n".encode("utf-8")


def test_a_whole_section_in_one_transaction_master_data_first(factory):
    orders = (ORDER_HEAD + "SO-5,1,C-NEW,P1,10,2026-11-20,2026-12-20\n").encode()
    customers = "客户编码,客户名称\nC-NEW,新客户\n".encode("gbk")
    from lib.store.imports import detect_table, import_many, preview_many, read_file
    assert detect_table(read_file(orders, "erp1.csv"), "erp1.csv", ["customers", "orders", "shipments"]) == "orders"
    assert detect_table(read_file(customers, "erp2.csv"), "erp2.csv", ["customers", "orders"]) == "customers"
    files = [("orders", orders, "erp1.csv"), ("customers", customers, "erp2.csv")]   # orders listed first
    before = snapshot(factory)
    results, problems = preview_many(factory, SYSTEM, files)
    assert problems.empty and [(r.table, r.inserted) for r in results] == [("customers", 1), ("orders", 1)]
    assert snapshot(factory) == before                                   # a preview writes nothing
    import_many(factory, SYSTEM, files)
    assert factory.scalar("SELECT customer FROM order_lines WHERE order_no = 'SO-5'") == "C-NEW"


@pytest.mark.both_stores
def test_a_whole_section_is_refused_together(factory):
    from lib.store.imports import import_many
    good = b"customer,name\nC-NEW,New\n"
    bad = (ORDER_HEAD + "SO-5,1,C-NEW,P1,0,2026-11-20,2026-12-20\n").encode()
    before = snapshot(factory)
    with pytest.raises(ImportRejected, match="None of the files was imported") as err:
        import_many(factory, SYSTEM, [("customers", good, "c.csv"), ("orders", bad, "o.csv")])
    assert err.value.problems[["file", "row", "column"]].values.tolist() == [["o.csv", 2, "qty"]]
    assert snapshot(factory) == before


# a refused row of a table with a generated id, the id column in the file (as in every export)
ID_TABLE_FILES = [
    ("inspections", b"inspection_id,date,stage,material,qty_inspected,result\n,2026-11-31,incoming,M1,5,pass\n",
     (2, "date")),
    ("shipments", b"shipment_id,order,line,ship_date,qty\n,SO-1,1,2026-11-20,-1\n", (2, "qty")),
    ("receipts", b"receipt_id,po,receipt_date,qty\n999,PO-9,2026-11-20,1\n", (2, "po")),
    ("downtime", b"downtime_id,date,work_center,hours,cause_category\n,2026-11-20,W1,30,machine\n", (2, "hours")),
]


@pytest.mark.parametrize("table,content,where", ID_TABLE_FILES, ids=[f[0] for f in ID_TABLE_FILES])
def test_a_refused_row_of_a_generated_id_table_gets_the_problem_report(factory, table, content, where):
    from lib.store.imports import check, read_file
    before = snapshot(factory)
    with pytest.raises(ImportRejected) as err:
        import_file(factory, SYSTEM, table, content, f"{table}.csv")
    first = err.value.problems.iloc[0]
    assert (int(first["row"]), first["column"]) == where
    checked = check(factory, table, read_file(content, f"{table}.csv"), f"{table}.csv")   # the page's preview
    assert not checked.ok and (int(checked.problems.iloc[0]["row"]), checked.problems.iloc[0]["column"]) == where
    assert snapshot(factory) == before
