"""Hostile and damaged import files (issue #12): each is refused with a message naming file and,
where it applies, row and column; nothing is written; the database still opens. Every file is
built here, in the test: none is committed."""
from __future__ import annotations

import io
import subprocess
import sys

import openpyxl
import pytest

from lib.cli import main
from lib.people.auth import SYSTEM
from lib.store.db import Database
from lib.store.exports import export_bytes
from lib.store.imports import ImportRejected, import_file, read_file
from tests.conftest import ROOT
from tests.test_imports import snapshot
from tests.xlsx_files import many_rows, sheet_xml, whitespace, workbook

BASE = {
    "customers": b"customer,name\n00123,Acme\nC-001,Beta\nC2,1.50\nC3,TRUE\nC4,1E5\n",
    "products": b"product,name,family\nP1,Pump,pumps\n",
    "suppliers": b"supplier,name\nS1,Steel Co\n",
    "materials": b"material,name,supplier\nM1,Plate,S1\n",
    "purchase_orders": b"po,supplier,material,qty,order_date,due_date,unit_price\n000777,S1,M1,10,2026-11-01,2026-11-20,2\n",
    "orders": b"order,line,customer,product,qty,order_date,requested_date\nSO-1,1,00123,P1,10,2026-11-02,2026-12-01\n",
}


def load_base(db) -> None:
    for table, content in BASE.items():
        import_file(db, SYSTEM, table, content, f"{table}.csv")


@pytest.fixture
def plant(db):
    load_base(db)
    return db


ORDERS = "order,line,customer,product,qty,order_date,requested_date\n"
SPARSE = workbook({"Sheet1": sheet_xml([["customer", "name"]])[:-len("</sheetData></worksheet>")]
                   + '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData></worksheet>'})


def _big5_or_gbk_long() -> bytes:
    return "customer,name\nC8,台灣精密機械股份有限公司\n".encode("big5")


# (id, table, content, file name, what the message says, (row, column) of the first problem or None)
HOSTILE = [
    ("sparse_xfd1048576", "customers", lambda: SPARSE, "sparse.xlsx", "down to row 1,048,576", None),
    ("declared_huge", "customers", lambda: workbook({"S": sheet_xml([["customer", "name"], ["C9", "x"]],
                                                                    dimension="A1:XFD1048576")}),
     "declared.xlsx", "declares the range A1:XFD1048576", None),
    ("wide", "customers", lambda: workbook({"S": sheet_xml([["customer", "name"]])[:-len("</sheetData></worksheet>")]
                                            + '<row r="2"><c r="ZZ2"><v>1</v></c></row></sheetData></worksheet>'}),
     "wide.xlsx", "out to column 702", None),
    ("first_sheet_empty", "customers", lambda: workbook({"Blank": sheet_xml([]), "Kunden": sheet_xml(
        [["customer", "name"], ["C9", "Nine"]])}), "two.xlsx", "the first sheet is empty; data found on sheet 'Kunden'",
     None),
    ("all_sheets_empty", "customers", lambda: workbook({"A": sheet_xml([]), "B": sheet_xml([])}), "none.xlsx",
     "the file is empty", None),
    ("truncated_xlsx", "customers", lambda: workbook({"S": sheet_xml([["customer", "name"], ["C9", "x"]])})[:300],
     "cut.xlsx", "not a readable .xlsx", None),
    ("not_a_workbook_zip", "customers", lambda: _plain_zip(), "photos.xlsx", "has no", None),
    ("ole_xlsx", "customers", lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "locked.xlsx",
     "password-protected", None),
    ("shift_jis", "customers", lambda: "customer,name\nC8,株式会社テスト商事\n".encode("shift_jis"), "sjis.csv", None, None),
    ("big5_short", "customers", lambda: "customer,name\nC8,國際\n".encode("big5"), "big5.csv",
     "more than one encoding", None),
    ("big5_long", "customers", _big5_or_gbk_long, "big5b.csv", None, None),
    ("nul_after_4k", "customers", lambda: b"customer,name\n" + b"C9,x\n" * 1000 + b"C10,a\x00b\n", "nul.csv",
     "row 1002 holds a NUL byte", None),
    ("date_12/04/26", "orders", lambda: (ORDERS + "SO-2,1,00123,P1,5,2026-11-20,12/04/26\n").encode(), "d.csv",
     "'12/04/26' is not a valid date", (2, "requested_date")),
    ("date_1/2/3", "orders", lambda: (ORDERS + "SO-2,1,00123,P1,5,1/2/3,2026-12-20\n").encode(), "d.csv",
     "'1/2/3' is not a valid date", (2, "order_date")),
    ("date_26-12-04", "orders", lambda: (ORDERS + "SO-2,1,00123,P1,5,26-12-04,2026-12-20\n").encode(), "d.csv",
     "'26-12-04' is not a valid date", (2, "order_date")),
    ("serial_10000", "orders", lambda: (ORDERS + "SO-2,1,00123,P1,5,2026-11-20,10000\n").encode(), "s.csv",
     "is 1927-05-18, outside 1990-01-01 to 2100-12-31", (2, "requested_date")),
    ("serial_99999", "orders", lambda: (ORDERS + "SO-2,1,00123,P1,5,2026-11-20,99999\n").encode(), "s.csv",
     "is 2173-10-13, outside", (2, "requested_date")),
    ("comma_in_semicolon_file", "orders",
     lambda: (ORDERS.replace(",", ";") + "SO-2;1;00123;P1;1,500;2026-11-20;2026-12-20\n").encode(), "eu.csv",
     "may be a decimal comma", (2, "qty")),
    ("zero_width_key", "customers", lambda: "customer,name\nC-001\u200b,Look-alike\n".encode(), "zw.csv",
     "U+200B ZERO WIDTH SPACE", (2, "customer")),
    ("control_char_key", "customers", lambda: b"customer,name\nC\x07X,Bell\n", "bell.csv", "U+0007", (2, "customer")),
    ("long_key", "customers", lambda: ("customer,name\n" + "K" * 10_000 + ",Long\n").encode(), "long.csv",
     "is 10000 characters long; a code may have at most 64", (2, "customer")),
    ("name_name", "customers", lambda: b"name,name\nA,B\n", "nn.csv", "the header 'name' appears twice", None),
    ("unterminated_quote", "customers", lambda: b'customer,name\nC9,ok\nC10,"broken\nC11,x\n', "q.csv",
     "a quote opened on line 3 is never closed", None),
    ("ragged", "customers", lambda: b"customer,name\nC9,a,b\n", "r.csv", "row 2 has more fields", None),
    ("zeros_dropped_customer", "customers", lambda: b"customer,name\n123,Acme\n", "calc.csv",
     "did a spreadsheet drop leading zeros?", (2, "customer")),
    ("zeros_dropped_po", "purchase_orders",
     lambda: b"po,supplier,material,qty,order_date,due_date,unit_price\n777,S1,M1,10,2026-11-01,2026-11-20,2\n",
     "po.csv", "777 is new, but 000777 is stored", (2, "po")),
    ("zeros_dropped_reference", "orders", lambda: (ORDERS + "SO-2,1,123,P1,5,2026-11-20,2026-12-20\n").encode(),
     "o.csv", "unknown customers '123', but 00123 is stored", (2, "customer")),
    ("reformatted_names", "customers", lambda: b"customer,name\nC2,1.5\nC3,True\nC4,100000\n", "calc2.csv",
     "3 text values differ from the stored ones only in number formatting", (2, "name")),
    ("number_underscore", "orders", lambda: (ORDERS + "SO-2,1,00123,P1,1_000,2026-11-20,2026-12-20\n").encode(),
     "u.csv", "'1_000' is not a number", (2, "qty")),
    ("utf16_broken", "customers", lambda: ("customer,name\n" + "C9,x\n" * 50).encode("utf-16-le") + b"\x00\xd8" + "C9,y\n".encode("utf-16-le"),
     "w.csv",
     "not valid UTF-16", None),
]


def _plain_zip() -> bytes:
    import zipfile
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("photo.jpg", b"\xff\xd8" + b"x" * 100)
    return buf.getvalue()


@pytest.mark.parametrize("case", HOSTILE, ids=[h[0] for h in HOSTILE])
def test_hostile_file_is_refused_or_read_exactly_and_nothing_changes(plant, case):
    _, table, build, name, message, where = case
    content = build()
    before = snapshot(plant)
    if message is None:            # a legacy encoding that can be read for certain: stored exactly, or refused
        try:
            import_file(plant, SYSTEM, table, content, name)
        except ImportRejected as e:
            assert "encoding" in str(e) and "UTF-8" in str(e)
            assert snapshot(plant) == before
            return
        text = read_file(content, name)["name"].iloc[0]
        assert plant.scalar("SELECT name FROM customers WHERE customer = 'C8'") == text
        assert text in content.decode("big5" if "big5" in name else "shift_jis")
        return
    with pytest.raises(ImportRejected) as err:
        import_file(plant, SYSTEM, table, content, name)
    shown = str(err.value) + " " + " ".join(err.value.problems["reason"])
    assert message in shown
    assert name in str(err.value)
    if where:
        first = err.value.problems.iloc[0]
        assert (first["file"], int(first["row"]), first["column"]) == (name, *where)
    assert snapshot(plant) == before


def test_shift_jis_is_read_as_japanese_never_as_chinese(plant):
    import_file(plant, SYSTEM, "customers", "customer,name\nC8,株式会社テスト商事\n".encode("shift_jis"), "sjis.csv")
    assert plant.scalar("SELECT name FROM customers WHERE customer = 'C8'") == "株式会社テスト商事"   # not 姅幃夛幮僥僗


@pytest.mark.parametrize("encoding,bom", [("utf-16-le", b""), ("utf-16-be", b""), ("utf-16-le", b"\xff\xfe"),
                                          ("utf-16-be", b"\xfe\xff")])
def test_utf16_with_or_without_bom(plant, encoding, bom):
    content = bom + "customer,name\nC8,上海精密\n".encode(encoding)
    assert import_file(plant, SYSTEM, "customers", content, "u16.csv").inserted == 1
    assert plant.scalar("SELECT name FROM customers WHERE customer = 'C8'") == "上海精密"


def test_thousands_in_a_comma_file_and_xlsx_are_read_as_thousands(plant):
    content = (ORDERS + 'SO-2,1,00123,P1,"1,500",2026-11-20,2026-12-20\n').encode()
    import_file(plant, SYSTEM, "orders", content, "us.csv")
    assert plant.scalar("SELECT qty FROM order_lines WHERE order_no = 'SO-2'") == 1500


@pytest.mark.parametrize("value,stored", [("2026-12-04", "2026-12-04"), ("2026/12/04", "2026-12-04"),
                                          ("2027/1/5", "2027-01-05"), ("2026年12月4日", "2026-12-04"),
                                          ("46360", "2026-12-04"), ("2026-12-04 00:00:00", "2026-12-04")])
def test_the_date_forms_that_are_accepted(plant, value, stored):
    import_file(plant, SYSTEM, "orders", (ORDERS + f"SO-2,1,00123,P1,5,2026-11-20,{value}\n").encode(), "d.csv")
    assert str(plant.scalar("SELECT requested_date FROM order_lines WHERE order_no = 'SO-2'")) == stored


def test_reformatted_values_are_stored_once_confirmed(plant):
    content = b"customer,name\nC2,1.5\nC3,True\nC4,100000\n"
    r = import_file(plant, SYSTEM, "customers", content, "calc2.csv", accept_reformatted=True)
    assert (r.updated, r.extra["reformatted"]) == (3, 3)
    assert "3 values stored as reformatted" in r.summary()
    assert plant.query("SELECT name FROM customers WHERE customer IN ('C2', 'C3', 'C4') ORDER BY customer")["name"].tolist() \
        == ["1.5", "True", "100000"]


# ---------------------------------------------------------------------------- expanding and bombing .xlsx

def test_small_xlsx_expanding_to_a_million_rows_is_refused_before_reading(plant):
    content = workbook({"Sheet1": many_rows(1_100_000)})
    assert len(content) < 8 << 20
    with pytest.raises(ImportRejected, match="uses cells down to row 1,0[0-9,]+; an import may have at most 1,000,000 rows"):
        import_file(plant, SYSTEM, "customers", content, "rows.xlsx")


def test_whitespace_zip_bomb_is_refused_from_the_zip_directory(plant):
    content = workbook({"Sheet1": whitespace(300)})
    assert len(content) < 1 << 20                                      # 300 MB of whitespace in < 1 MB
    with pytest.raises(ImportRejected, match="compressed .* to 1 .*zip bomb"):
        import_file(plant, SYSTEM, "customers", content, "bomb.xlsx")


def test_expansion_past_the_unzipped_limit_is_refused(plant, monkeypatch):
    monkeypatch.setenv("TANDEM_IMPORT_XLSX_MAX_UNCOMPRESSED_MB", "50")
    content = workbook({"Sheet1": whitespace(60)})
    with pytest.raises(ImportRejected, match="expands to 60 MB when unzipped; .* at most 50 MB"):
        import_file(plant, SYSTEM, "customers", content, "big.xlsx")


@pytest.mark.parametrize("env,value,content,message", [
    ("TANDEM_IMPORT_MAX_FILE_MB", "1", b"customer,name\n" + b"C9,xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n" * 40_000,
     "at most 1 MB"),
    ("TANDEM_IMPORT_MAX_ROWS", "3", b"customer,name\nA,1\nB,2\nC,3\nD,4\n", "has 4 rows; an import may have at most 3"),
    ("TANDEM_IMPORT_MAX_COLUMNS", "3", b"customer,name,a,b\nA,1,,\n", "has 4 columns"),
    ("TANDEM_IMPORT_MAX_CELL_CHARS", "20", b"customer,name\nA," + b"n" * 21 + b"\n",
     "row 2, column name holds 21 characters"),
])
def test_limits_are_settings(plant, monkeypatch, env, value, content, message):
    monkeypatch.setenv(env, value)
    with pytest.raises(ImportRejected, match=message):
        import_file(plant, SYSTEM, "customers", content, "limits.csv")


def test_a_cell_longer_than_allowed_in_an_xlsx_names_row_and_column(plant, monkeypatch):
    monkeypatch.setenv("TANDEM_IMPORT_MAX_CELL_CHARS", "20")
    content = workbook({"S": sheet_xml([["customer", "name"], ["C9", "n" * 30]])})
    with pytest.raises(ImportRejected, match="row 2, column 2 holds 30 characters"):
        import_file(plant, SYSTEM, "customers", content, "long.xlsx")


# ---------------------------------------------------------------------------- the child process

def _child(tmp_path, monkeypatch, body: str):
    from lib.store.imports import xlsx
    script = tmp_path / "child.py"
    script.write_text(body)
    monkeypatch.setattr(xlsx, "CHILD", script)


GOOD_XLSX = workbook({"S": sheet_xml([["customer", "name"], ["C9", "Nine"]])})


def test_a_reader_that_aborts_ends_only_its_own_process(plant, tmp_path, monkeypatch):
    _child(tmp_path, monkeypatch, "import os\nos.abort()\n")        # what calamine did: SIGABRT, exit 134
    with pytest.raises(ImportRejected, match=r"the Excel reader stopped on this file \(signal 6\)"):
        import_file(plant, SYSTEM, "customers", GOOD_XLSX, "abort.xlsx")


def test_a_reader_that_hangs_is_stopped(plant, tmp_path, monkeypatch):
    monkeypatch.setenv("TANDEM_IMPORT_READER_TIMEOUT_S", "1")
    _child(tmp_path, monkeypatch, "import time\ntime.sleep(30)\n")
    with pytest.raises(ImportRejected, match="took longer than 1 s"):
        import_file(plant, SYSTEM, "customers", GOOD_XLSX, "slow.xlsx")


def test_the_reader_runs_under_a_memory_limit(plant, tmp_path, monkeypatch):
    monkeypatch.setenv("TANDEM_IMPORT_READER_MEMORY_MB", "200")
    _child(tmp_path, monkeypatch, "import json, resource, sys\n"
                                  "a = json.loads(sys.argv[1])\n"
                                  "resource.setrlimit(resource.RLIMIT_AS, (a['memory'], a['memory']))\n"
                                  "try:\n    x = bytearray(400 << 20)\nexcept MemoryError:\n"
                                  "    sys.stdout.write('{\"error\": \"memory\"}')\n")
    with pytest.raises(ImportRejected, match="needed more than 200 MB of memory"):
        import_file(plant, SYSTEM, "customers", GOOD_XLSX, "mem.xlsx")


def test_child_and_parent_read_cells_to_the_same_text():
    from datetime import date, datetime, time

    from lib.store.imports.read import cell_text
    from lib.store.imports.xlsx_child import text
    for v in [None, True, False, 1.0, 1.5, 1e20, 46360, "00123", date(2026, 12, 4), datetime(2026, 12, 4),
              datetime(2026, 12, 4, 8, 30), time(8, 30)]:
        assert text(v) == cell_text(v), v


# ---------------------------------------------------------------------------- exports a spreadsheet keeps as text

def test_exports_keep_codes_as_text(plant):
    with plant.cursor() as cur:
        sheet = openpyxl.load_workbook(io.BytesIO(export_bytes(cur, "customers", "xlsx"))).active
        csv_text = export_bytes(cur, "customers", "csv").decode("utf-8-sig")
    first = sheet["A2"]
    assert (first.value, first.data_type, first.number_format) == ("00123", "s", "@")
    assert sheet.column_dimensions["A"].number_format == "@"
    assert '"00123","Acme"' in csv_text


# ---------------------------------------------------------------------------- the command line

@pytest.fixture
def plant_file(tmp_path):
    path = tmp_path / "plant.duckdb"
    d = Database(str(path))
    load_base(d)
    d.close()
    return path


def _state(path) -> dict:
    d = Database(str(path))
    try:
        return snapshot(d)
    finally:
        d.close()


CLI_CASES = [h for h in HOSTILE if h[4] is not None]


@pytest.mark.parametrize("case", CLI_CASES, ids=[h[0] for h in CLI_CASES])
def test_cli_exits_1_with_a_message_and_the_database_unchanged(plant_file, tmp_path, capsys, case):
    _, table, build, name, message, _ = case
    before = _state(plant_file)
    target = tmp_path / name.replace("/", "_")
    target.write_bytes(build())
    code = main(["import", table, str(target), "--db", str(plant_file)])
    err = capsys.readouterr().err
    assert code == 1
    assert message in err and "Nothing was written." in err
    assert "Traceback" not in err and "Unexpected error" not in err
    assert _state(plant_file) == before


def test_cli_in_a_separate_process_survives_the_file_that_killed_it(plant_file, tmp_path):
    """Before: `python -m lib import customers sparse.xlsx` died with exit 134 inside calamine."""
    target = tmp_path / "sparse.xlsx"
    target.write_bytes(SPARSE)
    before = _state(plant_file)
    out = subprocess.run([sys.executable, "-m", "lib", "import", "customers", str(target), "--db", str(plant_file)],
                         capture_output=True, text=True, timeout=120, cwd=str(ROOT))
    assert out.returncode == 1, out.stderr
    assert "down to row 1,048,576" in out.stderr and "Traceback" not in out.stderr
    assert _state(plant_file) == before


def test_cli_accept_reformatted(plant_file, tmp_path, capsys):
    target = tmp_path / "calc.csv"
    target.write_bytes(b"customer,name\nC2,1.5\n")
    assert main(["import", "customers", str(target), "--db", str(plant_file)]) == 1
    assert "--accept-reformatted" in capsys.readouterr().err
    assert main(["import", "customers", str(target), "--db", str(plant_file), "--accept-reformatted"]) == 0
    assert "1 updated" in capsys.readouterr().out
