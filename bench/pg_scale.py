"""Page views/s with several dashboard processes: one process on a DuckDB file beside one and two
processes on one PostgreSQL plant, the same large factory, the same websocket client.

    python bench/pg_scale.py --duckdb /tmp/large.duckdb --pg postgresql://postgres@127.0.0.1:5447/postgres \
        --plant large [--sessions 10,30,60] [--configs duckdb1,pg1,pg2] [--pages overview,sales,...]

The plant must hold the same factory as the file (`python bench/pg_refresh.py --load` copies it).
Each configuration starts its `streamlit run app.py` processes (TANDEM_AUTH=off, fixed
TANDEM_AS_OF), sends one warm-up session through every page of each process (the PostgreSQL
processes load their mirror then; not counted), then runs each session count: all sessions start
together and click through the pages back to back (bench/ws_load.py's sessions), spread over the
processes in turn as nginx's ip_hash spreads many browsers. Reported per round: views/s (all
processes together), page time p50/p95/max, each process's RSS afterwards.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from load_test import pct, rss, start_server  # noqa: E402
from ws_load import CAP_S, session  # noqa: E402


def start(db: str, plant: str, port: int, as_of: str) -> subprocess.Popen:
    """A dashboard process on `plant` (a PostgreSQL URL's schema, or a DuckDB file: plant ignored)."""
    return start_server(db, port, as_of, log=f"/tmp/tandem_pg_scale_{port}.log", tries=240, TANDEM_PLANT=plant)


async def round_(n: int, ws_urls: list[str], pages: list[str]) -> list:
    out: list = []
    deadline = time.monotonic() + CAP_S
    await asyncio.gather(*(session(ws_urls[i % len(ws_urls)], pages, out, deadline) for i in range(n)))
    return out


def run_config(name: str, db: str, plant: str, procs: int, sessions: list[int], pages: list[str],
               as_of: str, port0: int) -> list[dict]:
    servers = [start(db, plant, port0 + i, as_of) for i in range(procs)]
    urls = [f"ws://127.0.0.1:{port0 + i}/_stcore/stream" for i in range(procs)]
    results = []
    try:
        for url in urls:                       # warm-up: the mirror loads, the caches fill
            t0 = time.perf_counter()
            warm = asyncio.run(round_(1, [url], pages))
            fails = [x for x in warm if x[0] == "FAILED"]
            print(f"{name}: warm-up of {url} {time.perf_counter() - t0:.1f} s"
                  + (f", FAILED: {fails[0][1]}" if fails else ""), flush=True)
        for n in sessions:
            load = os.getloadavg()[0]
            t0 = time.perf_counter()
            out = asyncio.run(round_(n, urls, pages))
            wall = time.perf_counter() - t0
            fails = [x[1] for x in out if x[0] == "FAILED"]
            times = [x[1] for x in out if x[0] != "FAILED"]
            time.sleep(2)
            mem = [rss(s.pid) for s in servers]
            r = {"config": name, "sessions": n, "views": len(times), "wall": wall,
                 "vps": len(times) / wall, "p50": pct(times, .5) if times else None,
                 "p95": pct(times, .95) if times else None, "max": max(times) if times else None,
                 "failed": len(fails), "load_before": load,
                 "rss": " + ".join(f"{now:.0f} MB (peak {peak:.0f})" for now, peak in mem)}
            results.append(r)
            print(f"{name} {n} sessions: {r['views']} views in {wall:.1f} s = {r['vps']:.1f} views/s; "
                  f"p50 {r['p50']:.2f} s, p95 {r['p95']:.2f} s, max {r['max']:.2f} s; failed sessions "
                  f"{len(fails)}{' (' + fails[0] + ')' if fails else ''}; load before {load:.1f}; RSS {r['rss']}",
                  flush=True)
    finally:
        for s in servers:
            s.terminate()
        for s in servers:
            try:
                s.wait(timeout=30)
            except subprocess.TimeoutExpired:
                s.kill()
    return results


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--duckdb", required=True, help="the large factory as a DuckDB file")
    ap.add_argument("--pg", required=True, help="PostgreSQL URL")
    ap.add_argument("--plant", default="large", help="the plant holding the same factory")
    ap.add_argument("--sessions", default="10,30,60")
    ap.add_argument("--configs", default="duckdb1,pg1,pg2")
    ap.add_argument("--pages", help="comma-separated url paths (default: every page, overview first)")
    ap.add_argument("--as-of", default="2026-11-25")
    ap.add_argument("--port", type=int, default=8651)
    args = ap.parse_args()
    from lib.ui.nav import PAGES
    pages = [p.url for p in PAGES]
    if args.pages:
        pages = [pages[0]] + [p for p in args.pages.split(",") if p != pages[0]]
    sessions = [int(x) for x in args.sessions.split(",")]
    configs = {"duckdb1": (args.duckdb, 1), "pg1": (args.pg, 1), "pg2": (args.pg, 2)}
    rows = []
    for name in args.configs.split(","):
        db, procs = configs[name]
        rows += run_config(name, db, args.plant, procs, sessions, pages, args.as_of, args.port)
    print("\n| config | sessions | views/s | p50 (s) | p95 (s) | max (s) | failed | load before | RSS after |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
    for r in rows:
        print(f"| {r['config']} | {r['sessions']} | {r['vps']:.1f} | {r['p50']:.2f} | {r['p95']:.2f} | "
              f"{r['max']:.2f} | {r['failed']} | {r['load_before']:.1f} | {r['rss']} |")


if __name__ == "__main__":
    main()
