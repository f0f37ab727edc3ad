"""How long "Next ▶" takes in presenter mode on the demo factory (AppTest), section by section.

    python bench/presenter_bench.py [--db /tmp/demo.duckdb] [--rounds 3] [--profile out.txt]

The chair starts the demo's scheduled meeting and walks the agenda with "Next ▶" and back with
"◀ Previous", `--rounds` times. Each click is one script run: the click's write (meetings.goto),
then the next section drawn (its KPI tiles, charts, tables, the capture panel). Round 1 is
**first**: the lib queries of each section run for the first time in this process (every cache
cold); later rounds are **warm**: what a meeting sees once every section has been shown (the
goto commit moves the data version, so everything cached per data version is recomputed after
every click: this is the figure that matters). Beside it, a **baseline**: the same run with
the click replaced by a plain rerun (no write), i.e. the page drawn from warm caches.
Results go to stdout; copy them to bench/README.md.
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


def demo_db(path: str | None) -> str:
    """A fresh copy of the demo factory (the meeting is started and walked, so never the original)."""
    from lib import demo
    from lib.store.db import Database
    out = str(Path(tempfile.mkdtemp()) / "presenter.duckdb")
    if path and Path(path).exists():
        import shutil
        shutil.copy(path, out)
        return out
    d = Database(out)
    demo.generate(d, as_of=AS_OF)
    d.checkpoint()
    d.close()
    return out


def _button(at, label: str):
    return next(b for b in at.button if b.label == label)


def _title(at) -> str:
    import re
    m = next(m.value for m in at.markdown if m.value.startswith("<div class='tdm-ptitle'>"))
    return re.sub(r"<[^>]+>", "", m.split("</div>")[0])


def walk(rounds: int) -> tuple[dict, dict, list[float]]:
    """Per section: the first "Next" into it, and the warm ones (later rounds, both directions)."""
    from streamlit.testing.v1 import AppTest

    from lib.people.auth import User
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
    at.session_state["user"] = User("chair", "chair", None, "Chair")
    at.run()
    select_page(at, "presenter").run()
    _button(at, "Start the meeting").click().run()
    assert not at.exception, at.exception
    first: dict[str, float] = {}
    warm: dict[str, list[float]] = {}
    for r in range(rounds):
        for label in ("Next ▶", "◀ Previous"):
            while not _button(at, label).disabled:
                t0 = time.perf_counter()
                _button(at, label).click().run()
                dt = time.perf_counter() - t0
                assert not at.exception and not at.error, (at.exception, [e.value for e in at.error])
                name = _title(at)
                if r == 0 and label == "Next ▶":
                    first[name] = dt
                else:
                    warm.setdefault(name, []).append(dt)
    rerun = []
    for _ in range(5):
        t0 = time.perf_counter()
        at.run()
        rerun.append(time.perf_counter() - t0)
    return first, {k: statistics.median(v) for k, v in warm.items()}, rerun


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--profile", help="write a cProfile of the warm rounds (cumulative) to this file")
    a = ap.parse_args()
    path = demo_db(a.db)
    os.environ.update(TANDEM_DB=path, TANDEM_AS_OF=AS_OF.isoformat(), TANDEM_LANG="en", TANDEM_AUTH="off")
    if a.profile:
        import cProfile
        import pstats
        prof = cProfile.Profile()
        prof.enable()
    first, warm, rerun = walk(a.rounds)
    if a.profile:
        prof.disable()
        with open(a.profile, "w") as fh:
            pstats.Stats(prof, stream=fh).sort_stats("cumulative").print_stats(60)
    print(f"load average {os.getloadavg()[0]:.1f}; {a.rounds} rounds; seconds per click")
    print(f"{'section':<28} {'first':>7} {'warm':>7}")
    for name in warm:
        print(f"{name:<28} {first.get(name, float('nan')):7.2f} {warm[name]:7.2f}")
    w = list(warm.values())
    print(f"{'median over sections':<28} {statistics.median(first.values()):7.2f} {statistics.median(w):7.2f}")
    print(f"{'slowest section':<28} {max(first.values()):7.2f} {max(w):7.2f}")
    print(f"baseline: a rerun without a click (no write), median of 5: {statistics.median(rerun):.2f} s")


if __name__ == "__main__":
    main()
