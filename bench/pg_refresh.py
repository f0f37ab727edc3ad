"""What a commit costs the other processes on PostgreSQL: the refresh of a mirror after a
100,000-line import into the large factory, beside a one-row edit and a whole reload.

    python bench/pg_refresh.py --duckdb /tmp/large.duckdb --pg postgresql://postgres@127.0.0.1:5447/postgres \
        --plant large [--load] [--rows 100000]

--load only replaces the plant's rows with the file's (`replace_with`, one PostgreSQL
transaction; bench/pg_scale.py needs the plant so), and stops. Without it: two stores on the plant, as two
processes have them (independent mirrors and connections): the *writer* imports, the *reader*
refreshes (`sync(force=True)`, what its next page read does). Reported: the reader's whole load
(a process starting), its refresh after one-row edits and after the import of N new order
lines (with their audit rows), and the same edits and import into a copy of the DuckDB file for
the ratio of the write itself (writes of one plant are serialised: 1 / edit time is the plant's
write ceiling).
"""
from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from import_large import new_lines_csv  # noqa: E402

from lib.people.auth import SYSTEM  # noqa: E402
from lib.store.db import Database  # noqa: E402
from lib.store.imports import import_file  # noqa: E402
from lib.store.postgres import PostgresDatabase, drop_plant  # noqa: E402

EDITS = 20


def timed(fn, *args, **kwargs):
    t0 = time.perf_counter()
    out = fn(*args, **kwargs)
    return time.perf_counter() - t0, out


def edits(db, customer: str, name: str, n: int = EDITS) -> float:
    """The median time of one audited one-row edit (a form's save), of n in a row."""
    times = []
    for i in range(n):
        t0 = time.perf_counter()
        with db.transaction(SYSTEM, source="bench") as tx:
            tx.update("customers", {"customer": customer}, {"name": f"{name} ({i})"})
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--duckdb", required=True)
    ap.add_argument("--pg", required=True)
    ap.add_argument("--plant", default="large")
    ap.add_argument("--load", action="store_true", help="copy the file's rows into the plant, then stop")
    ap.add_argument("--rows", type=int, default=100_000)
    args = ap.parse_args()
    Database(args.duckdb).close()                 # the file brought up to this Tandem's schema
    src = Database(args.duckdb, read_only=True)
    with src.cursor() as cur:
        customers = [r[0] for r in cur.execute("SELECT customer FROM customers ORDER BY 1").fetchall()]
        products = [r[0] for r in cur.execute("SELECT DISTINCT product FROM routings ORDER BY 1").fetchall()]
        rows = sum(cur.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in src.tables())
    src.close()
    if args.load:
        drop_plant(args.pg, args.plant)
        t, counts = timed(lambda: PostgresDatabase(args.pg, plant=args.plant).replace_with(Path(args.duckdb)))
        print(f"loaded {sum(counts.values()):,} rows into plant {args.plant} in {t:.1f} s", flush=True)
        return
    # new order numbers on every run: the plant keeps the lines an earlier run imported
    tag = f"SO-B{int(time.time()) % 1_000_000:06d}-"
    data = new_lines_csv(customers, products, args.rows).replace(b"SO-BENCH-", tag.encode())

    t_open, reader = timed(PostgresDatabase, args.pg, plant=args.plant, migrate=False)
    writer = PostgresDatabase(args.pg, plant=args.plant, migrate=False)
    print(f"{rows:,} rows in the file; a reader's whole mirror load: {t_open:.1f} s", flush=True)

    name = writer.scalar("SELECT name FROM customers ORDER BY customer LIMIT 1")
    customer = writer.scalar("SELECT customer FROM customers ORDER BY customer LIMIT 1")
    t_pg_edit = edits(writer, customer, name)
    t_small, _ = timed(reader.sync, force=True)

    t_imp, r = timed(import_file, writer, SYSTEM, "orders", data, "bench_lines.csv")
    t_ref, _ = timed(reader.sync, force=True)
    n_w = writer.scalar("SELECT count(*) FROM order_lines")
    n_r = reader.scalar("SELECT count(*) FROM order_lines")
    assert n_w == n_r, (n_w, n_r)
    assert r.inserted == args.rows, r
    print(f"import of {r.inserted:,} new lines on PostgreSQL: {t_imp:.1f} s; reader refresh after it "
          f"{t_ref:.2f} s; after a one-row edit {t_small:.3f} s", flush=True)
    writer.close()
    reader.close()

    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "copy.duckdb"
        shutil.copy(args.duckdb, copy)
        db = Database(copy)
        t_duck_edit = edits(db, customer, name)
        t_duck, r2 = timed(import_file, db, SYSTEM, "orders", data, "bench_lines.csv")
        db.close()
    print(f"the same import into a DuckDB file: {t_duck:.1f} s ({r2.inserted:,} inserted)")
    print("\n| what | time | ratio |\n|---|---:|---:|")
    print(f"| a reader's whole mirror load ({rows:,} rows) | {t_open:.1f} s | 1 |")
    print(f"| its refresh after a one-row edit | {t_small:.3f} s | {t_small / t_open:.4f} |")
    print(f"| its refresh after {args.rows:,} new lines | {t_ref:.2f} s | {t_ref / t_open:.2f} |")
    print(f"| the import on PostgreSQL / on a DuckDB file | {t_imp:.1f} s / {t_duck:.1f} s | {t_imp / t_duck:.1f}x |")
    print(f"| a one-row edit (median of {EDITS}) on PostgreSQL / on a DuckDB file | {t_pg_edit * 1000:.0f} ms / "
          f"{t_duck_edit * 1000:.0f} ms | {t_pg_edit / t_duck_edit:.1f}x |")


if __name__ == "__main__":
    main()
