"""Every registered page's script run (AppTest) on a database, cold and warm, median of runs.

    python bench/pages_large.py --db /tmp/large.duckdb [--runs 3] [--pages sales,pmc]

`first visit`: st.cache_data cleared before the page's first run in this process, so every lib
query runs and every module and figure is built for the first time (a server just started).
`after a write`: median of runs with st.cache_data and st.cache_resource cleared on a server that
has shown the page before: every query and figure again, as after a data change. `warm`: median
of reruns (cached on db.data_version()). Target on
the large factory: every page under 1.5 s. Login is off (TANDEM_AUTH=off) so every page is
reachable; the as-of date is fixed so runs are comparable.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.apptest import select_page  # noqa: E402


def time_page(page: str, runs: int) -> tuple[float, float, int]:
    import streamlit as st
    from streamlit.testing.v1 import AppTest
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
    at.run()
    select_page(at, page)
    st.cache_data.clear()
    t0 = time.perf_counter()
    at.run()
    cold = time.perf_counter() - t0
    if at.exception:
        raise RuntimeError(f"{page}: {at.exception[0].value}")
    warm = []
    for _ in range(runs):
        t0 = time.perf_counter()
        at.run()
        warm.append(time.perf_counter() - t0)
    # after a write: every cached query and figure is stale (a new data version), but the server
    # has run the page before (modules imported, plotly's validators built)
    after = []
    for _ in range(runs):
        st.cache_data.clear()
        st.cache_resource.clear()
        t0 = time.perf_counter()
        at.run()
        after.append(time.perf_counter() - t0)
    return cold, statistics.median(warm), statistics.median(after), len(at.error)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", required=True)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--as-of", default="2026-11-25")
    ap.add_argument("--pages", help="comma-separated url paths (default: all registered pages)")
    args = ap.parse_args()
    os.environ.update(TANDEM_DB=args.db, TANDEM_AS_OF=args.as_of, TANDEM_LANG="en", TANDEM_AUTH="off")
    from lib.ui.nav import PAGES
    want = set(args.pages.split(",")) if args.pages else None
    print(f"database {args.db}; AppTest, cold = caches cleared, warm = median of {args.runs} reruns")
    print("| page | first visit (s) | after a write (s) | warm (s) |\n|---|---:|---:|---:|")
    for file, url, *_ in PAGES:
        if want and url not in want:
            continue
        try:
            cold, warm, after, errors = time_page(file, args.runs)
        except Exception as e:   # report and go on: one broken page must not hide the others
            print(f"| {url} | failed: {e} | |", flush=True)
            continue
        flag = " ⚠" if max(cold, warm, after) > 1.5 else ""
        print(f"| {url} | {cold:.2f} | {after:.2f} | {warm:.2f}{flag} |" + (f" ({errors} st.error)" if errors else ""),
              flush=True)


if __name__ == "__main__":
    main()
