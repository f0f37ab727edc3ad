"""Every registered page's script run (AppTest) on a database, cold and warm, median of runs.

    python bench/pages_large.py --db /tmp/large.duckdb [--runs 3] [--pages sales,pmc]

`cold`: st.cache_data cleared before the run, so every lib query runs (the first visitor after
a data change). `warm`: median of the following reruns (cached on db.data_version()). Target on
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


def time_page(page: str, runs: int) -> tuple[float, float, int]:
    import streamlit as st
    from streamlit.testing.v1 import AppTest
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
    at.run()
    at.switch_page(page)
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
    return cold, statistics.median(warm), len(at.error)


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
    print(f"| page | cold (s) | warm (s) |\n|---|---:|---:|")
    for file, url, *_ in PAGES:
        if want and url not in want:
            continue
        try:
            cold, warm, errors = time_page(file, args.runs)
        except Exception as e:   # report and go on: one broken page must not hide the others
            print(f"| {url} | failed: {e} | |", flush=True)
            continue
        flag = " ⚠" if max(cold, warm) > 1.5 else ""
        print(f"| {url} | {cold:.2f} | {warm:.2f}{flag} |" + (f" ({errors} st.error)" if errors else ""), flush=True)


if __name__ == "__main__":
    main()
