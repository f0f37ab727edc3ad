"""Engines on the large demo factory, each beside a plain pandas baseline, median of runs.

    python -m lib init --demo --scale large --db /tmp/large.duckdb --force
    python bench/bench_large.py --db /tmp/large.duckdb [--runs 3]

Load matrix (52 weeks of the ~60,000 open lines), a promise quote cold and with the matrix cached,
and plan-vs-actual per line and week over a year (5.2M plan/actual rows). Targets on the large
factory: load matrix < 0.5 s, quote < 0.2 s cold and < 20 ms warm, >= 5x the pandas baseline.
"""
from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_capacity import pandas_load, time_quotes, timed  # noqa: E402

from lib.filters import default_filters  # noqa: E402
from lib.plan import capacity  # noqa: E402
from lib.sections import pmc
from lib.store.db import Database  # noqa: E402


def pandas_pva(db: Database, start: date, end: date) -> pd.DataFrame:
    """Plan vs actual per line and ISO week, the straightforward way: whole tables into pandas."""
    plan = db.query("SELECT * FROM production_plan")
    act = db.query("SELECT * FROM production_actual")
    wc = db.query("SELECT work_center, line FROM work_centers")
    p = plan.merge(wc, on="work_center")
    a = act.merge(wc, on="work_center")
    p = p[(p["date"] >= pd.Timestamp(start)) & (p["date"] <= pd.Timestamp(end))]
    a = a[(a["date"] >= pd.Timestamp(start)) & (a["date"] <= pd.Timestamp(end))]
    p["bucket"] = p["date"] - pd.to_timedelta(p["date"].dt.day_of_week, unit="D")
    a["bucket"] = a["date"] - pd.to_timedelta(a["date"].dt.day_of_week, unit="D")
    g = (p.groupby(["line", "bucket"])["qty"].sum().rename("plan").to_frame()
         .join(a.groupby(["line", "bucket"])["qty_good"].sum().rename("actual"), how="outer").fillna(0))
    return g.reset_index()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", required=True)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--as-of", default="2026-11-25")
    a = ap.parse_args()
    as_of = date.fromisoformat(a.as_of)
    db = Database(a.db)
    n_open = db.scalar("SELECT count(*) FROM order_lines WHERE status = 'open'")
    print(f"database {a.db}: {n_open:,} open lines, "
          f"{db.scalar('SELECT count(*) FROM production_plan') + db.scalar('SELECT count(*) FROM production_actual'):,} plan+actual rows")
    end = capacity.horizon_end(None, as_of, 52)
    with db.cursor() as cur:
        t_load, df = timed(lambda: capacity.load(cur, as_of, by="week", weeks=52), a.runs)
    t_pd, pdf = timed(lambda: pandas_load(db, as_of, end), a.runs)
    total, pd_total = df["load_hours"].sum(), pdf[pdf["week"].isin(set(df["period"]))]["h"].sum()
    print(f"| load matrix, 52 weeks | {t_load * 1000:,.0f} ms | {t_pd * 1000:,.0f} ms | {t_pd / t_load:.1f}x | "
          f"hours {total:,.0f} vs {pd_total:,.0f} |")
    req = as_of + timedelta(days=30)
    with db.cursor() as cur:
        product = cur.execute("""SELECT product FROM order_lines WHERE status = 'open' GROUP BY 1
                                 ORDER BY count(*) DESC LIMIT 1""").fetchone()[0]
        t_cold, t_first, t_warm, p, p2 = time_quotes(cur, product, req, as_of, a.runs)
    assert p.promise_date == p2.promise_date
    print(f"| quote cold (its work centers) | {t_cold * 1000:,.0f} ms | | | {product} x 300, promise {p.promise_date} |")
    print(f"| quote building the full matrix | {t_first * 1000:,.0f} ms | | | first quote after a write |")
    print(f"| quote, matrix cached | {t_warm * 1000:,.1f} ms | | | |")
    f = replace(default_filters(as_of), start=as_of - timedelta(days=364), end=as_of)
    with db.cursor() as cur:
        t_pva, pva = timed(lambda: pmc.plan_vs_actual(cur, f, "week", "line"), a.runs)
    t_pvp, pvp = timed(lambda: pandas_pva(db, f.start, f.end), a.runs)
    print(f"| plan vs actual, line x week, 1 year | {t_pva * 1000:,.0f} ms | {t_pvp * 1000:,.0f} ms | "
          f"{t_pvp / t_pva:.1f}x | plan {pva['plan'].sum():,.0f} vs {pvp['plan'].sum():,.0f} |")


if __name__ == "__main__":
    main()
