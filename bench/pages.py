"""How long each section page's script takes on the demo database (AppTest, median of runs).

    python bench/pages.py [--db /tmp/demo.duckdb] [--runs 5]

Two figures per page: `first` is a run with cold caches (every lib query runs), `warm` the
median of the following reruns (what a meeting sees on every click: queries cached on the data
version, figures reused). Beside them, a plain baseline: the same page figures computed with
pandas over whole-table reads instead of DuckDB SQL (the straightforward way), for the Sales
tiles, so the ratio shows what set-based SQL buys. Results go to stdout; copy them to
bench/README.md.
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

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.apptest import select_page  # noqa: E402

AS_OF = date(2026, 11, 25)
PAGES = ["overview", "sales", "pmc", "variance", "settings"]


def demo_db(path: str | None) -> str:
    if path and Path(path).exists():
        return path
    from lib import demo
    from lib.store.db import Database
    path = path or str(Path(tempfile.mkdtemp()) / "demo.duckdb")
    d = Database(path)
    demo.generate(d, as_of=AS_OF)
    d.checkpoint()
    d.close()
    return path


def time_page(page: str, runs: int) -> tuple[float, float]:
    from streamlit.testing.v1 import AppTest
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.run()
    if page != "overview":
        select_page(at, page)
    t0 = time.perf_counter()
    at.run()
    first = time.perf_counter() - t0
    assert not at.exception, at.exception
    warm = []
    for _ in range(runs):
        t0 = time.perf_counter()
        at.run()
        warm.append(time.perf_counter() - t0)
    return first, statistics.median(warm)


def otd_pandas(con, start, end) -> float | None:
    """Baseline: OTD against the latest promise with pandas over whole tables."""
    lines = con.execute("SELECT * FROM order_lines").df()
    ships = con.execute("SELECT * FROM shipments").df()
    last = ships.groupby("line_id", as_index=False)["ship_date"].max()
    m = lines.merge(last, on="line_id")
    m = m[(m["ship_date"] >= start) & (m["ship_date"] <= end) & (m["status"] != "cancelled")]
    committed = m["promised_date"].fillna(m["requested_date"])
    return None if m.empty else float((m["ship_date"] <= committed).mean())


def lib_vs_pandas(path: str, runs: int) -> tuple[float, float, float, float]:
    import pandas as pd

    from lib.filters import default_filters
    from lib.sections import sales
    from lib.store.db import get_db
    f = default_filters(AS_OF)
    db = get_db(path)
    a, b = [], []
    with db.cursor() as cur:
        for _ in range(runs):
            t0 = time.perf_counter(); x = sales.otd(cur, f); a.append(time.perf_counter() - t0)
            t0 = time.perf_counter(); y = otd_pandas(cur, pd.Timestamp(f.start), pd.Timestamp(f.end))
            b.append(time.perf_counter() - t0)
    assert abs(x - y) < 1e-9, (x, y)
    return statistics.median(a), statistics.median(b), x, y


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db")
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    path = demo_db(args.db)
    os.environ.update(TANDEM_DB=path, TANDEM_AS_OF=AS_OF.isoformat(), TANDEM_LANG="en", TANDEM_AUTH="off")
    print(f"demo database {path}; AppTest, warm = median of {args.runs} reruns")
    print(f"{'page':24s} {'first (s)':>10s} {'warm (s)':>10s}")
    for page in PAGES:
        first, warm = time_page(page, args.runs)
        print(f"{page:24s} {first:10.2f} {warm:10.2f}")
    sql, plain, _, _ = lib_vs_pandas(path, args.runs)
    print(f"OTD tile: DuckDB SQL {sql * 1000:.1f} ms, pandas baseline {plain * 1000:.1f} ms, "
          f"ratio {plain / sql:.1f}x")


if __name__ == "__main__":
    main()
