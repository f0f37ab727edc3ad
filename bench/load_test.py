"""Concurrent browser sessions against one Tandem server; page time, bytes sent, server memory.

    python bench/load_test.py --db /tmp/large.duckdb --sessions 1,10,30 [--port 8599]

Starts `streamlit run app.py` on localhost (TANDEM_AUTH=off, fixed TANDEM_AS_OF), then for each
session count opens that many Playwright browser contexts in ONE headless chromium
(/usr/bin/chromium) at once. Each session opens the overview and then clicks every other page
of the navigation once (client-side navigation, one websocket per session, as a user does).
A page's time is from the click until the app's script state is `notRunning` again (every
element drawn); its bytes are the websocket frames the server sent meanwhile (Streamlit's
protobuf ForwardMsgs: deltas, figures, Arrow tables). Plotly/JS assets are static files cached
by the browser and not counted. Bounded: one visit per page per session, 10 minutes in all,
localhost only. Server RSS (current and peak, from /proc) after each round's sessions close.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
CAP_S = 420     # per round of sessions


def rss(pid: int) -> tuple[float, float]:
    """(current, peak) resident memory of the server in MB."""
    vals = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        k, _, v = line.partition(":")
        if k in ("VmRSS", "VmHWM"):
            vals[k] = int(v.split()[0]) / 1024
    return vals["VmRSS"], vals["VmHWM"]


def start_server(db: str, port: int, as_of: str, *, log: str = "/tmp/tandem_load_server.log", tries: int = 120,
                 **env_extra: str) -> subprocess.Popen:
    """A `streamlit run app.py` on `db` (plus TANDEM_* settings in env_extra), once it answers."""
    env = dict(os.environ, TANDEM_DB=db, TANDEM_AUTH="off", TANDEM_AS_OF=as_of, TANDEM_LANG="en", **env_extra)
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
                             "--server.port", str(port), "--server.address", "127.0.0.1",
                             "--browser.gatherUsageStats", "false"], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=open(log, "w"))
    for _ in range(tries):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=1)
            return proc
        except OSError:
            time.sleep(0.5)
    proc.kill()
    raise RuntimeError(f"server did not start; see {log}")


async def idle(page, timeout_ms: int) -> None:
    await page.wait_for_selector('[data-test-script-state="notRunning"]', timeout=timeout_ms, state="attached")


async def session(browser, base: str, pages: list[str], out: list, deadline: float) -> None:
    ctx = await browser.new_context(viewport={"width": 1920, "height": 1080})
    page = await ctx.new_page()
    received = [0]

    def on_ws(ws):
        ws.on("framereceived", lambda payload: received.__setitem__(0, received[0] + len(payload)))
    page.on("websocket", on_ws)
    failed = None
    try:
        for i, url in enumerate(pages):
            if time.monotonic() > deadline:
                break
            before, t0 = received[0], time.perf_counter()
            if i == 0:
                await page.goto(f"{base}/", timeout=180000)     # the first page is served at the root
            else:
                link = page.locator(f'[data-testid="stSidebarNav"] a[href$="/{url}"]').first
                # a DOM click: presenter mode hides the sidebar, the link still routes client-side
                await link.evaluate("a => a.click()")
            # done = the server has sent this page's messages and the script is idle again; on a
            # saturated server the run may not have started yet when we first look
            while received[0] == before and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
            await idle(page, int(max(1, deadline - time.monotonic()) * 1000))
            await asyncio.sleep(0.3)   # trailing messages (e.g. page-info, cached figures)
            out.append((url, time.perf_counter() - t0 - 0.3, received[0] - before))
    except Exception as e:     # counted, not hidden: a session that timed out is reported
        failed = f"{type(e).__name__}: {str(e).splitlines()[0][:100]}"
    finally:
        await ctx.close()
    if failed:
        out.append(("FAILED", failed, 0))


async def round_(n: int, base: str, pages: list[str]) -> list:
    from playwright.async_api import async_playwright
    out: list = []
    deadline = time.monotonic() + CAP_S
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        try:
            await asyncio.gather(*(session(browser, base, pages, out, deadline) for _ in range(n)),
                                 return_exceptions=False)
        finally:
            await browser.close()
    return out


def pct(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(q * (len(xs) - 1))))]


def report(n: int, out: list, wall: float, pages: list[str], mem: str = "") -> None:
    """Print one round: sessions that stopped early, page time p50/p95/max, throughput, `mem`,
    and a table per page (views, p50, p95, median bytes). `out` holds (url, seconds, bytes) or
    ("FAILED", why, 0) per page view / failed session."""
    fails = [x[1] for x in out if x[0] == "FAILED"]
    out = [x for x in out if x[0] != "FAILED"]
    times = [x[1] for x in out]
    if fails:
        print(f"{len(fails)} of {n} sessions stopped early: {fails[0]}")
    if not times:
        return
    print(f"\n{n} sessions: {len(out)} page views in {wall:.1f} s ({len(out) / wall:.1f} views/s); page time "
          f"p50 {pct(times, .5):.2f} s, p95 {pct(times, .95):.2f} s, max {max(times):.2f} s{mem}")
    by: dict[str, list] = {}
    for url, secs, b in out:
        by.setdefault(url, []).append((secs, b))
    print("| page | views | p50 (s) | p95 (s) | bytes (median) |\n|---|---:|---:|---:|---:|")
    for url in pages:
        if url in by:
            ts = [x[0] for x in by[url]]
            print(f"| {url} | {len(ts)} | {statistics.median(ts):.2f} | {pct(ts, .95):.2f} | "
                  f"{statistics.median(x[1] for x in by[url]) / 1024:,.0f} KB |")
    sys.stdout.flush()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", required=True)
    ap.add_argument("--sessions", default="1,10,30")
    ap.add_argument("--port", type=int, default=8599)
    ap.add_argument("--as-of", default="2026-11-25")
    args = ap.parse_args()
    from lib.ui.nav import PAGES
    pages = [url for _, url, *_ in PAGES]
    server = start_server(args.db, args.port, args.as_of)
    base = f"http://127.0.0.1:{args.port}"
    try:
        print(f"server pid {server.pid}; RSS at start {rss(server.pid)[0]:.0f} MB")
        for n in (int(x) for x in args.sessions.split(",")):
            t0 = time.perf_counter()
            out = asyncio.run(round_(n, base, pages))
            wall = time.perf_counter() - t0
            time.sleep(2)
            now, peak = rss(server.pid)
            report(n, out, wall, pages, f"; server RSS after {now:.0f} MB, peak {peak:.0f} MB")
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
