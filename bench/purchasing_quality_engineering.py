"""Benchmark: the Purchasing, Quality and Engineering pages on the demo factory.

Two figures per page:
* the page script's run time in AppTest (the whole page: filters, tiles, charts, tables),
  cold (first run, every lib query computed) and warm (a re-run, reads from st.cache_data);
* the lib queries the page makes, in DuckDB, beside a straightforward pandas baseline for the
  two heaviest (late-PO pegging through the BOM, supplier scorecard), checked equal.

    python bench/purchasing_quality_engineering.py [--runs 5] [--db /tmp/demo.duckdb]
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.apptest import select_page  # noqa: E402
from lib.filters import default_filters  # noqa: E402
from lib.sections import purchasing as pur  # noqa: E402
from lib.store.db import Database  # noqa: E402

AS_OF = date(2026, 11, 25)
PAGES = ["purchasing", "quality", "engineering"]


def median_time(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def page_times(db_path: str, runs: int) -> dict[str, tuple[float, float]]:
    """(cold, warm) median seconds of each page's script run."""
    from streamlit.testing.v1 import AppTest
    os.environ.update(TANDEM_DB=db_path, TANDEM_AS_OF=AS_OF.isoformat(), TANDEM_LANG="en", TANDEM_AUTH="off")
    out = {}
    for page in PAGES:
        cold, warm = [], []
        for _ in range(runs):
            at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
            at.run()
            select_page(at, page)
            from streamlit import cache_data
            cache_data.clear()
            t0 = time.perf_counter()
            at.run()
            cold.append(time.perf_counter() - t0)
            assert not at.exception, at.exception
            t0 = time.perf_counter()
            at.run()
            warm.append(time.perf_counter() - t0)
        out[page] = (statistics.median(cold), statistics.median(warm))
    return out


def pandas_endangered(con, as_of: date) -> pd.DataFrame:
    """The pegging rule written plainly in pandas (the baseline)."""
    lines = con.execute("SELECT * FROM order_lines").df()
    lines = lines[(lines["status"] == "open") & (lines["qty"] > lines["shipped_qty"])].copy()
    lines["remaining"] = lines["qty"] - lines["shipped_qty"]
    lines["line_due"] = lines["promised_date"].fillna(lines["requested_date"])
    need = lines.merge(con.execute("SELECT * FROM bom").df(), on="product")
    need["need_qty"] = need["remaining"] * need["qty_per"]
    need = need.sort_values(["material", "line_due", "order_no", "line_no"])
    need["cum_need"] = need.groupby("material")["need_qty"].cumsum()
    inv = con.execute("SELECT material, greatest(on_hand - on_hold, 0) AS usable FROM inventory").df()
    need = need.merge(inv, on="material", how="left").fillna({"usable": 0})
    need["short_qty"] = need[["need_qty"]].assign(x=need["cum_need"] - need["usable"]).min(axis=1)
    need = need[need["short_qty"] > 0]
    pos = con.execute("SELECT * FROM purchase_order_status").df()
    late = pos[(pos["status"] == "open") & (pos["open_qty"] > 0) & (pos["due_date"] < pd.Timestamp(as_of))]
    return late.merge(need, on="material")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--db", default=None, help="a demo database file (default: generate one)")
    args = ap.parse_args()
    path = args.db
    if path is None:
        from lib import demo
        path = str(Path(tempfile.mkdtemp()) / "demo.duckdb")
        d = Database(path)
        demo.generate(d, as_of=AS_OF)
        d.checkpoint()
        d.close()

    db = Database(path)
    f = default_filters(AS_OF)
    with db.cursor() as cur:
        lib_peg = median_time(lambda: pur.endangered_lines(cur, AS_OF, f), args.runs)
        pd_peg = median_time(lambda: pandas_endangered(cur, AS_OF), args.runs)
        a, b = pur.endangered_lines(cur, AS_OF, f), pandas_endangered(cur, AS_OF)
        assert len(a) == len(b) and abs(a["short_qty"].sum() - b["short_qty"].sum()) < 1e-6, (len(a), len(b))
        rows = len(a)
    db.close()
    print(f"pegging late POs to order lines ({rows} rows): DuckDB {lib_peg * 1000:.1f} ms, "
          f"pandas {pd_peg * 1000:.1f} ms, ratio {pd_peg / lib_peg:.1f}x")
    for page, (cold, warm) in page_times(path, args.runs).items():
        print(f"{page:<24} script run: cold {cold * 1000:.0f} ms, warm (cached) {warm * 1000:.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
