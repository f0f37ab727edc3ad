"""Commands while the dashboard runs: handed over (lib.cli.handoff) against run directly.

    python bench/handoff_bench.py [--runs 5] [--rows 100000]

Two copies of the demo factory: a dashboard (`python -m lib serve`) runs on one, nobody holds the
other. Each command is run `--runs` times as cron would (a fresh `python -m lib ...` process,
wall clock from start to exit) on each copy: direct on the free copy, handed over on the served
one. The baseline is the direct run, what the command cost before the handoff existed (when the
dashboard had to be stopped for it). The import adds `--rows` new customers each run (new keys
every time), and `sync` re-imports an unchanged folder (what most nights are).
"""
from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
AS_OF = "2026-11-25"


def _env() -> dict:
    return {**os.environ, "TANDEM_AS_OF": AS_OF, "TANDEM_AUTH": "off", "PYTHONPATH": str(ROOT)}


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _timed(argv: list[str], cwd: Path) -> float:
    t0 = time.perf_counter()
    r = subprocess.run([sys.executable, "-m", "lib", *argv], cwd=str(cwd), env=_env(), capture_output=True, text=True)
    if r.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed: {r.stderr}")
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--rows", type=int, default=100_000)
    a = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="handoff-bench-"))
    served, free = work / "served.duckdb", work / "free.duckdb"
    subprocess.run([sys.executable, "-m", "lib", "init", "--demo", "--as-of", AS_OF, "--db", str(free)],
                   cwd=str(ROOT), env=_env(), check=True, capture_output=True)
    shutil.copy(free, served)
    (work / "erp").mkdir()
    shutil.copy(ROOT / "tests" / "data" / "io" / "customers.csv", work / "erp" / "customers.csv")
    port = _port()
    server = subprocess.Popen([sys.executable, "-m", "lib", "serve", f"--port={port}", "--address=127.0.0.1",
                               "--db", str(served)], cwd=str(ROOT), env=_env(), stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    try:
        deadline = time.time() + 90
        while True:
            try:
                if urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2).read() == b"ok":
                    break
            except OSError:
                if time.time() > deadline:
                    raise SystemExit("the dashboard did not start")
                time.sleep(0.3)
        _timed(["check", "--db", str(served)], work)                  # the dashboard opens its database
        for db in (served, free):
            _timed(["sync", "erp", "--db", str(db), "--report", str(work / "r.csv")], work)   # first import
        commands = {
            "check": ["check"],
            "late": ["late"],
            "promise": ["promise", "--product", "P-1001", "--qty", "100", "--requested", "2026-12-20"],
            "export customers": ["export", "customers", "c.csv"],
            "sync, nothing changed": ["sync", "erp", "--report", str(work / "r.csv")],
        }
        print(f"median of {a.runs} runs, seconds from process start to exit")
        print("| command | direct (dashboard stopped) | handed to the dashboard | ratio |")
        print("| --- | --- | --- | --- |")
        for name, argv in commands.items():
            direct = [_timed([*argv, "--db", str(free)], work) for _ in range(a.runs)]
            handed = [_timed([*argv, "--db", str(served)], work) for _ in range(a.runs)]
            d, h = statistics.median(direct), statistics.median(handed)
            print(f"| {name} | {d:.2f} | {h:.2f} | {h / d:.2f} |")
        direct, handed = [], []
        for i in range(a.runs):
            for db, out in ((free, direct), (served, handed)):
                f = work / f"bulk-{db.stem}-{i}.csv"
                f.write_text("customer,name\n" + "".join(f"B{i}-{n:07d},Bulk {n}\n" for n in range(a.rows)))
                out.append(_timed(["import", "customers", str(f), "--db", str(db)], work))
        d, h = statistics.median(direct), statistics.median(handed)
        print(f"| import {a.rows:,} new customers | {d:.2f} | {h:.2f} | {h / d:.2f} |")
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
