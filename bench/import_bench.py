"""Import speed: lib.store.imports (set-based validation and upsert in DuckDB) beside a plain
row-by-row baseline (validate each row in Python, write it with the gateway's Tx.insert).

    python bench/import_bench.py [--rows 100000] [--baseline-rows 5000] [--runs 3]

An `orders` file of N lines over 2,000 customers and 5,000 products; every import runs on a fresh
in-memory database holding just that master data. Reported: median of --runs.
"""
from __future__ import annotations

import argparse
import io
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from lib.people.auth import SYSTEM  # noqa: E402
from lib.store.db import Database  # noqa: E402
from lib.store.imports import import_file  # noqa: E402

CUSTOMERS, PRODUCTS = 2_000, 5_000


def master(db: Database) -> None:
    with db.transaction(SYSTEM, source="bench") as tx:
        tx.execute("INSERT INTO customers SELECT 'C-' || i, 'Customer ' || i FROM range(?) t(i)", [CUSTOMERS])
        tx.execute("INSERT INTO products (product, name, family) SELECT 'P-' || i, 'Product ' || i, 'F' || (i % 20) "
                   "FROM range(?) t(i)", [PRODUCTS])


def orders_csv(n: int, seed: int = 1, changed_share: float = 0.0) -> bytes:
    rng = np.random.default_rng(seed)
    start = date(2026, 1, 1)
    order_date = pd.to_datetime(start) + pd.to_timedelta(rng.integers(0, 300, n), unit="D")
    requested = order_date + pd.to_timedelta(rng.integers(7, 60, n), unit="D")
    qty = rng.integers(1, 500, n).astype(float)
    if changed_share:
        pick = rng.random(n) < changed_share
        qty[pick] += 1
    df = pd.DataFrame({
        "order": [f"SO-{i // 5:06d}" for i in range(n)], "line": [i % 5 + 1 for i in range(n)],
        "customer": "C-" + pd.Series(rng.integers(0, CUSTOMERS, n)).astype(str),
        "product": "P-" + pd.Series(rng.integers(0, PRODUCTS, n)).astype(str),
        "qty": qty, "order_date": order_date.strftime("%Y-%m-%d"), "requested_date": requested.strftime("%Y-%m-%d"),
        "promised_date": (requested + timedelta(days=2)).strftime("%Y-%m-%d"), "shipped_qty": 0, "status": "open"})
    return df.to_csv(index=False).encode("utf-8")


def lib_import(data: bytes, name: str, db: Database | None = None) -> tuple[float, Database]:
    if db is None:
        db = Database(":memory:")
        master(db)
    t0 = time.perf_counter()
    import_file(db, SYSTEM, "orders", data, name)
    return time.perf_counter() - t0, db


def baseline_import(data: bytes) -> float:
    """What one writes first: parse, check each row in Python, insert it with Tx.insert (audited)."""
    db = Database(":memory:")
    master(db)
    t0 = time.perf_counter()
    df = pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False)
    customers = set(db.query("SELECT customer FROM customers")["customer"])
    products = set(db.query("SELECT product FROM products")["product"])
    with db.transaction(SYSTEM, source="import:baseline") as tx:
        for r in df.itertuples(index=False):
            qty = float(r.qty)
            if qty <= 0 or r.customer not in customers or r.product not in products:
                raise ValueError(r)
            od, rd = date.fromisoformat(r.order_date), date.fromisoformat(r.requested_date)
            pd_ = date.fromisoformat(r.promised_date) if r.promised_date else None
            tx.insert("order_lines", {"order_no": r.order, "line_no": int(r.line), "customer": r.customer,
                                      "product": r.product, "qty": qty, "order_date": od, "requested_date": rd,
                                      "promised_date": pd_, "shipped_qty": float(r.shipped_qty), "status": r.status})
    return time.perf_counter() - t0


def median(f, runs: int) -> float:
    return statistics.median(f() for _ in range(runs))


def xlsx_reading(data: bytes, runs: int) -> None:
    """What reading an .xlsx safely costs: the measurement of the zip and sheet XML, the cells read
    in a child process, beside the cells read in this process (what the import did before)."""
    from lib.store.imports import xlsx
    from lib.store.imports.limits import current
    from lib.store.imports.read import cell_text
    limits = current()
    sheet = xlsx.measure(data, "orders.xlsx", limits)
    measure = median(lambda: _timed(lambda: xlsx.measure(data, "orders.xlsx", limits)), runs)
    child = median(lambda: _timed(lambda: xlsx.read_cells(data, "orders.xlsx", sheet, limits)), runs)
    inproc = median(lambda: _timed(lambda: pd.read_excel(io.BytesIO(data), sheet_name=0, dtype=object,
                                                          engine="calamine").map(cell_text)), runs)
    whole = median(lambda: _timed(lambda: __import__("lib.store.imports", fromlist=["read_file"]).read_file(
        data, "orders.xlsx")), runs)
    print(f"XLSX of {len(data) / 1e6:.1f} MB: measure {measure:.2f} s, cells in a child process {child:.2f} s, "
          f"read_file in all {whole:.2f} s; cells in this process (before) {inproc:.2f} s")


def _timed(f) -> float:
    t0 = time.perf_counter()
    f()
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--baseline-rows", type=int, default=5_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--xlsx-only", action="store_true", help="only the cost of reading an .xlsx safely")
    a = ap.parse_args()

    big = orders_csv(a.rows)
    if a.xlsx_only:
        buf = io.BytesIO()
        pd.read_csv(io.BytesIO(big), dtype=str, keep_default_na=False).to_excel(buf, index=False)
        xlsx_reading(buf.getvalue(), a.runs)
        xlsx = median(lambda: lib_import(buf.getvalue(), "orders.xlsx")[0], a.runs)
        print(f"lib, {a.rows:,} new lines from XLSX: {xlsx:.2f} s")
        return
    new = median(lambda: lib_import(big, "orders.csv")[0], a.runs)
    print(f"lib, {a.rows:,} new lines (validate, insert, audit, promise history): {new:.2f} s")

    _, db = lib_import(big, "orders.csv")
    same = median(lambda: lib_import(big, "orders.csv", db)[0], a.runs)
    print(f"lib, the same {a.rows:,} lines again (nothing changes, no audit rows): {same:.2f} s")
    changed = orders_csv(a.rows, changed_share=0.10)
    upd, _ = lib_import(changed, "orders_changed.csv", db)
    print(f"lib, {a.rows:,} lines of which ~10% changed qty (update + audit of the changed column): {upd:.2f} s")

    frame = pd.read_csv(io.BytesIO(big), dtype=str, keep_default_na=False)
    buf = io.BytesIO()
    frame.to_excel(buf, index=False)
    xlsx = median(lambda: lib_import(buf.getvalue(), "orders.xlsx")[0], a.runs)
    print(f"lib, {a.rows:,} new lines from XLSX: {xlsx:.2f} s")

    small = orders_csv(a.baseline_rows)
    lib_small = median(lambda: lib_import(small, "small.csv")[0], a.runs)
    base_small = median(lambda: baseline_import(small), a.runs)
    print(f"{a.baseline_rows:,} new lines: lib {lib_small:.2f} s, row-by-row baseline {base_small:.2f} s, "
          f"ratio {base_small / lib_small:.0f}x; baseline extrapolated to {a.rows:,}: "
          f"{base_small * a.rows / a.baseline_rows:.0f} s")


if __name__ == "__main__":
    main()
