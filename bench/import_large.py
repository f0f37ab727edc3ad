"""Import of 100,000 order lines into the large factory (not an empty database): the upsert, the
reference checks and the audit run against 500,000 existing lines, 2,000 customers and 5,000
products.

    python bench/import_large.py --db /tmp/large.duckdb [--rows 100000] [--runs 3]

Each run imports into a fresh copy of the database file (the original is not changed): once a file
of new lines, once the same file again (every line exists and nothing changed: no writes), once a
file that changes the quantity of ~10 % of existing open lines. Reported: median of --runs, and
the same imports into an in-memory database holding only the master data (bench/import_bench.py's
setting) for the ratio large/empty.
"""
from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from lib.people.auth import SYSTEM  # noqa: E402
from lib.store.db import Database  # noqa: E402
from lib.store.exports import export_frame  # noqa: E402
from lib.store.imports import import_file  # noqa: E402


def new_lines_csv(customers: list[str], products: list[str], n: int, seed: int = 1) -> bytes:
    rng = np.random.default_rng(seed)
    order_date = pd.Timestamp(date(2026, 11, 20)) + pd.to_timedelta(rng.integers(0, 5, n), unit="D")
    requested = order_date + pd.to_timedelta(rng.integers(14, 60, n), unit="D")
    df = pd.DataFrame({
        "order": [f"SO-BENCH-{i // 5:06d}" for i in range(n)], "line": [i % 5 + 1 for i in range(n)],
        "customer": np.array(customers)[rng.integers(0, len(customers), n)],
        "product": np.array(products)[rng.integers(0, len(products), n)],
        "qty": rng.integers(1, 500, n).astype(float), "order_date": order_date.strftime("%Y-%m-%d"),
        "requested_date": requested.strftime("%Y-%m-%d"),
        "promised_date": (requested + timedelta(days=2)).strftime("%Y-%m-%d"), "shipped_qty": 0, "status": "open"})
    return df.to_csv(index=False).encode("utf-8")


def timed_import(db: Database, data: bytes, name: str) -> tuple[float, object]:
    t0 = time.perf_counter()
    result = import_file(db, SYSTEM, "orders", data, name)
    return time.perf_counter() - t0, result


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", required=True)
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    src = Database(args.db, read_only=True)
    with src.cursor() as cur:
        customers = [r[0] for r in cur.execute("SELECT customer FROM customers ORDER BY 1").fetchall()]
        products = [r[0] for r in cur.execute("SELECT DISTINCT product FROM routings ORDER BY 1").fetchall()]
        n_lines = cur.execute("SELECT count(*) FROM order_lines").fetchone()[0]
        existing = export_frame(cur, "orders")
    src.close()
    open_rows = existing[existing["status"] == "open"].head(args.rows)
    changed = open_rows.assign(qty=np.where(np.arange(len(open_rows)) % 10 == 0, open_rows["qty"] + 1, open_rows["qty"]))
    changed_csv = changed.to_csv(index=False).encode("utf-8")
    fresh_csv = new_lines_csv(customers, products, args.rows)
    print(f"large factory: {n_lines:,} order lines, {len(customers):,} customers, {len(products):,} routed products; "
          f"file of {args.rows:,} new lines ({len(fresh_csv) / 1e6:.1f} MB), {len(changed):,} existing open lines "
          f"with {int((np.arange(len(changed)) % 10 == 0).sum()):,} changed")
    new_t, again_t, change_t, empty_t = [], [], [], []
    with tempfile.TemporaryDirectory() as tmp:
        for run in range(args.runs):
            path = Path(tmp) / f"copy{run}.duckdb"
            shutil.copy(args.db, path)
            db = Database(path)
            t, r = timed_import(db, fresh_csv, "new_lines.csv")
            new_t.append(t)
            t, r2 = timed_import(db, fresh_csv, "new_lines.csv")
            again_t.append(t)
            t, r3 = timed_import(db, changed_csv, "changed_lines.csv")
            change_t.append(t)
            db.close()
            path.unlink()
            print(f"run {run + 1}: new {new_t[-1]:.2f} s ({r.inserted:,} inserted), again {again_t[-1]:.2f} s "
                  f"({r2.inserted + r2.updated:,} written), changed {change_t[-1]:.2f} s ({r3.updated:,} updated)",
                  flush=True)
            mem = Database(":memory:")
            with mem.transaction(SYSTEM, source="bench") as tx:
                tx.execute("INSERT INTO customers SELECT unnest(?::VARCHAR[]), 'c'", [customers])
                tx.execute("INSERT INTO products (product, name, family) SELECT unnest(?::VARCHAR[]), 'p', 'F'",
                           [products])
            empty_t.append(timed_import(mem, fresh_csv, "new_lines.csv")[0])
            mem.close()
    med = statistics.median
    print("\n| what | large factory | empty database (master data only) | ratio |\n|---|---:|---:|---:|")
    print(f"| {args.rows:,} new lines | {med(new_t):.2f} s | {med(empty_t):.2f} s | {med(new_t) / med(empty_t):.1f}x |")
    print(f"| the same file again (nothing changes) | {med(again_t):.2f} s | | |")
    print(f"| {len(changed):,} existing lines, 10 % with a changed qty | {med(change_t):.2f} s | | |")


if __name__ == "__main__":
    main()
