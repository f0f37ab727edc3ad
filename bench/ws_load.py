"""Concurrent sessions against one Tandem server, speaking Streamlit's websocket protocol.

    python bench/ws_load.py --db /tmp/large.duckdb --sessions 1,10,30 [--port 8598] [--rounds 1]
    python bench/ws_load.py --url http://127.0.0.1:8501 --sessions 10      # a server already running

What the browser does, without the browser: each session opens a websocket to `/_stcore/stream`
and sends the `rerun_script` BackMsg the frontend sends when a user opens the app, then one per
page of the navigation (page_name = the page's url path, as a click in the sidebar sends it). A
page's time is from sending the rerun until the server's `script_finished` ForwardMsg arrives:
every element of the page has been computed, serialised and written to the socket. Bytes are the
websocket frames received meanwhile.

Why not browsers (bench/load_test.py does that too): 30 chromium renderers on the server's own 2
cores measure the renderers, not the server. This client costs a few ms of CPU per page, so the
figures are the server's alone — what users on their own PCs would see.

All sessions start together and click through the pages back to back (no think time): the
worst case of a management team clicking at the same moment. Bounded: one visit per page per
session per round, a cap of 10 minutes, localhost only. The server is started with
TANDEM_AUTH=off and a fixed TANDEM_AS_OF; its RSS (current and peak, /proc) is read after each
round's sessions have closed.
"""
from __future__ import annotations

import argparse
import asyncio
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
CAP_S = 600


async def session(ws_url: str, pages: list[str], out: list, deadline: float) -> None:
    import websockets
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    try:
        async with websockets.connect(ws_url, subprotocols=["streamlit"], max_size=None,
                                      open_timeout=60, ping_interval=None) as ws:
            for url in pages:
                if time.monotonic() > deadline:
                    break
                msg = BackMsg()
                msg.rerun_script.query_string = ""
                msg.rerun_script.page_name = "" if url == pages[0] else url
                received, t0 = 0, time.perf_counter()
                await ws.send(msg.SerializeToString())
                while True:
                    data = await asyncio.wait_for(ws.recv(), timeout=max(1.0, deadline - time.monotonic()))
                    received += len(data)
                    fwd = ForwardMsg()
                    fwd.ParseFromString(data)
                    kind = fwd.WhichOneof("type")
                    if kind == "page_not_found":
                        raise RuntimeError(f"page not found: {url}")
                    if kind == "script_finished":
                        status = fwd.script_finished
                        if status != ForwardMsg.FINISHED_SUCCESSFULLY:
                            raise RuntimeError(f"{url}: script finished with status {status}")
                        break
                out.append((url, time.perf_counter() - t0, received))
    except Exception as e:      # counted, not hidden: a session that failed is reported
        out.append(("FAILED", f"{type(e).__name__}: {str(e).splitlines()[0][:120] if str(e) else ''}", 0))


async def round_(n: int, ws_url: str, pages: list[str]) -> list:
    out: list = []
    deadline = time.monotonic() + CAP_S
    await asyncio.gather(*(session(ws_url, pages, out, deadline) for _ in range(n)))
    return out


def main() -> None:
    from load_test import report, rss, start_server
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", help="start a server on this database")
    ap.add_argument("--url", help="or use a running server (login must be off)")
    ap.add_argument("--sessions", default="1,10,30")
    ap.add_argument("--rounds", type=int, default=1, help="rounds per session count")
    ap.add_argument("--port", type=int, default=8598)
    ap.add_argument("--as-of", default="2026-11-25")
    ap.add_argument("--pages", help="comma-separated url paths (default: every page, overview first)")
    args = ap.parse_args()
    from lib.ui.nav import PAGES
    pages = [url for _, url, *_ in PAGES]
    if args.pages:
        pages = [pages[0]] + [p for p in args.pages.split(",") if p != pages[0]]
    server = None
    if args.url:
        base = args.url.rstrip("/")
    elif args.db:
        server = start_server(args.db, args.port, args.as_of)
        base = f"http://127.0.0.1:{args.port}"
        print(f"server pid {server.pid}; RSS at start {rss(server.pid)[0]:.0f} MB")
    else:
        ap.error("give --db or --url")
    ws_url = base.replace("http", "ws", 1) + "/_stcore/stream"
    try:
        for n in (int(x) for x in args.sessions.split(",")):
            for _ in range(args.rounds):
                t0 = time.perf_counter()
                out = asyncio.run(round_(n, ws_url, pages))
                wall = time.perf_counter() - t0
                mem = ""
                if server:
                    time.sleep(2)
                    now, peak = rss(server.pid)
                    mem = f"; server RSS after {now:.0f} MB, peak {peak:.0f} MB"
                report(n, out, wall, pages, mem)
    finally:
        if server:
            server.terminate()
            server.wait(timeout=30)


if __name__ == "__main__":
    main()
