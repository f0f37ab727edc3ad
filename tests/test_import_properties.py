"""Property-based tests of the import path (hypothesis): whatever the bytes, encoding, CSV dialect,
quoting or small workbook, an import either writes exactly what the file says or is refused with a
message naming the file (and row and column where a row is at fault) — never a crash, never a
partial write, never garbled text. Bounded by the `imports` profile (about 20 s on the shared box)."""
from __future__ import annotations

import io
from datetime import date, datetime

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lib.people.auth import SYSTEM
from lib.store.db import Database
from lib.store.imports import ImportRejected, import_file

settings.register_profile("imports", max_examples=30, deadline=None, derandomize=True, database=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
PROFILE = settings.get_profile("imports")


@pytest.fixture(scope="module")
def store():
    d = Database(":memory:")
    import_file(d, SYSTEM, "customers", b"customer,name\n00123,Acme\nC1,1.50\n", "base.csv")
    import_file(d, SYSTEM, "products", b"product,name,family\nP1,Pump,pumps\n", "base.csv")
    yield d
    d.close()


def counts(db) -> dict:
    """Row counts of every table, the audit log's last id and the data version."""
    with db.cursor() as cur:
        out = {t: cur.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in db.tables()}
        out["last audit"] = cur.execute("SELECT max(audit_id) FROM audit_log").fetchone()[0]
    out["version"] = db.data_version()
    return out


def attempt(db, table: str, content: bytes, name: str, **kw):
    """Import; on refusal check the message and that nothing changed. Returns the result or None."""
    before = counts(db)
    try:
        return import_file(db, SYSTEM, table, content, name, **kw)
    except ImportRejected as e:
        assert name in str(e), str(e)
        problems = e.problems
        if not problems.empty:
            assert (problems["file"] == name).all()
            assert (problems["row"] >= 1).all() and (problems["column"].astype(str) != "").all()
            assert (problems["reason"].astype(str) != "").all()
        assert counts(db) == before
        return None


@settings(PROFILE)
@given(st.binary(max_size=3000), st.sampled_from(["f.csv", "f.txt", "f.xlsx", "f", "f.xls"]))
def test_random_bytes_never_crash_or_write_half(store, data, name):
    attempt(store, "customers", data, name)


@settings(PROFILE)
@given(st.binary(max_size=400))
def test_random_bytes_after_a_zip_signature(store, tail):
    attempt(store, "customers", b"PK\x03\x04" + tail, "z.xlsx")


# names as a factory's files hold them, in each script (single random characters are ambiguous
# between encodings by nature: the GBK bytes of 械 are the UTF-8 of the Cyrillic е)
WORDS = st.sampled_from(["Acme", "Steel Co", "上海精密机械有限公司", "北京东方机械厂", "客户服务部", "株式会社テスト商事",
                         "東京精密工業", "台灣精密機械股份有限公司", "高雄電子", "Müller GmbH", "Société Générale",
                         "Ærø Værft", "1.50", "00123", "TRUE", "王小明", "采购订单"])


@st.composite
def names(draw):
    return [" ".join(draw(st.lists(WORDS, min_size=1, max_size=3))) for _ in range(draw(st.integers(1, 4)))]


@settings(PROFILE)
@given(names(), st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "gbk", "big5",
                                 "shift_jis", "cp1252"]))
def test_text_in_any_encoding_is_stored_exactly_or_refused(store, values, encoding):
    rows = "".join(f"HX{i},{v}\n" for i, v in enumerate(values))
    try:
        content = ("customer,name\n" + rows).encode(encoding)
    except UnicodeEncodeError:
        return
    result = attempt(store, "customers", content, "enc.csv", accept_reformatted=True)
    if result is not None:                       # read: then exactly, never garbled
        stored = store.query("SELECT name FROM customers WHERE customer LIKE 'HX%' ORDER BY customer")["name"].tolist()
        assert stored[:len(values)] == values
    with store.transaction(SYSTEM) as tx:
        tx.execute("DELETE FROM customers WHERE customer LIKE 'HX%'")


CELL = st.text(alphabet=st.sampled_from(list('ab,;|\t"\n\r 1.5-/\'=')), max_size=8)


@settings(PROFILE)
@given(st.lists(st.tuples(CELL, CELL), min_size=1, max_size=5), st.sampled_from([",", ";", "\t", "|"]),
       st.sampled_from(["minimal", "all", "none"]), st.sampled_from(["\n", "\r\n"]))
def test_csv_dialects_and_quoting(store, rows, sep, quoting, newline):
    import csv
    buf = io.StringIO()
    mode = {"minimal": csv.QUOTE_MINIMAL, "all": csv.QUOTE_ALL, "none": None}[quoting]
    if mode is None:                                  # written by hand, as a careless export would
        buf.write(newline.join(sep.join(r) for r in [("customer", "name"), *[(f"CD{i}", n) for i, (_, n) in enumerate(rows)]]))
    else:
        w = csv.writer(buf, delimiter=sep, quoting=mode, lineterminator=newline)
        w.writerow(["customer", "name"])
        for i, (_, n) in enumerate(rows):
            w.writerow([f"CD{i}", n])
    result = attempt(store, "customers", buf.getvalue().encode("utf-8"), "dialect.csv", accept_reformatted=True)
    if result is not None and mode is not None:
        stored = dict(store.query("SELECT customer, name FROM customers WHERE customer LIKE 'CD%'").values.tolist())
        for i, (_, n) in enumerate(rows):
            if n.strip() and f"CD{i}" in stored:
                expected = n.strip()
                expected = expected[1:] if expected[:1] == "'" and len(expected) > 1 and expected[1] in "=+@-\t\r" \
                    else expected
                assert stored[f"CD{i}"].strip() == expected.strip()
    with store.transaction(SYSTEM) as tx:
        tx.execute("DELETE FROM customers WHERE customer LIKE 'CD%'")


VALUE = st.one_of(st.none(), st.integers(-10, 10**6), st.floats(allow_nan=False, allow_infinity=False, width=32),
                  st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=6), st.dates(date(1900, 3, 1), date(2200, 1, 1)),
                  st.datetimes(datetime(1990, 1, 1), datetime(2100, 1, 1)), st.booleans())


@settings(PROFILE.__class__(PROFILE, max_examples=15))
@given(st.lists(st.lists(VALUE, min_size=1, max_size=8), min_size=0, max_size=6),
       st.sampled_from([["date", "work_center", "hours"], ["日期", "工时"], ["date", "date"], ["x"], []]))
def test_small_workbooks(store, rows, header):
    wb = openpyxl.Workbook()
    if header:
        wb.active.append(header)
    for r in rows:
        wb.active.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    attempt(store, "calendar", buf.getvalue(), "book.xlsx")
