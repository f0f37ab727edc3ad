"""Benchmark: load matrix and a CTP quote on 200 work centers, 100,000 open lines x 4 steps,
52 weeks — beside a plain pandas implementation of the same backward rule.

    python bench/bench_capacity.py [--lines 100000] [--runs 3]
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from lib.plan import capacity, promise  # noqa: E402
from lib.store.db import Database  # noqa: E402

AS_OF = date(2026, 11, 25)


def factory(n_lines: int, n_wc: int = 200, n_products: int = 1000, seed: int = 1) -> Database:
    """A vectorised synthetic factory (no demo generator needed)."""
    rng = np.random.default_rng(seed)
    db = Database(":memory:")
    wcs = pd.DataFrame({"work_center": [f"WC{i:03d}" for i in range(n_wc)], "name": "wc", "line": "L1",
                        "hours_per_day": rng.choice([8.0, 16.0, 24.0], n_wc), "efficiency": 0.85})
    prods = pd.DataFrame({"product": [f"P{i:04d}" for i in range(n_products)], "name": "p", "family": "f"})
    rout = pd.DataFrame({"product": np.repeat(prods["product"], 4), "step": np.tile([10, 20, 30, 40], n_products),
                         "work_center": rng.choice(wcs["work_center"], 4 * n_products),
                         "setup_hours": rng.uniform(0, 1, 4 * n_products),
                         "run_hours_per_unit": rng.uniform(0.0005, 0.0055, 4 * n_products),  # ~75 % loaded
                         "lead_days": rng.integers(1, 4, 4 * n_products)})
    due = pd.Timestamp(AS_OF) + pd.to_timedelta(rng.integers(-10, 364, n_lines), unit="D")
    lines = pd.DataFrame({"order_no": [f"SO{i:06d}" for i in range(n_lines)], "line_no": 1, "customer": "C1",
                          "product": rng.choice(prods["product"], n_lines), "qty": rng.integers(10, 500, n_lines).astype(float),
                          "order_date": pd.Timestamp(AS_OF) - pd.Timedelta(days=30), "requested_date": due,
                          "shipped_qty": 0.0, "status": "open"})
    cal = pd.DataFrame({"date": [AS_OF + timedelta(days=d) for d in (28, 35, 36)], "work_center": "", "hours": 0.0})
    # 2,000 materials, 5 per product; stock for about a third of the open demand; 3 open POs each
    n_mat = 2000
    mats = pd.DataFrame({"material": [f"M{i:05d}" for i in range(n_mat)], "name": "m",
                         "lead_days": rng.integers(5, 60, n_mat)})
    bom = pd.DataFrame({"product": np.repeat(prods["product"], 5),
                        "material": [f"M{i:05d}" for i in (rng.permutation(n_products * 5) % n_mat)],
                        "qty_per": rng.choice([1.0, 2.0, 4.0], 5 * n_products)}).drop_duplicates(["product", "material"])
    demand = (lines.groupby("product")["qty"].sum().rename("q").reset_index().merge(bom, on="product")
              .assign(q=lambda d: d["q"] * d["qty_per"]).groupby("material")["q"].sum())
    inv = pd.DataFrame({"material": mats["material"], "on_hold": 0.0,
                        "on_hand": (mats["material"].map(demand).fillna(0) * rng.uniform(0.9, 1.2, n_mat)).round()})
    pos = pd.DataFrame({"po": [f"PO{i:06d}" for i in range(3 * n_mat)], "supplier": "S1",
                        "material": np.repeat(mats["material"], 3), "qty": rng.integers(500, 5000, 3 * n_mat).astype(float),
                        "order_date": pd.Timestamp(AS_OF) - pd.Timedelta(days=10),
                        "due_date": pd.Timestamp(AS_OF) + pd.to_timedelta(rng.integers(1, 90, 3 * n_mat), unit="D"),
                        "unit_price": 1.0, "status": "open"})
    with db.cursor() as cur:
        for name, df in (("work_centers", wcs), ("products", prods), ("routings", rout), ("order_lines", lines),
                         ("calendar", cal), ("materials", mats), ("bom", bom), ("inventory", inv),
                         ("purchase_orders", pos)):
            cur.register("_b", df)
            cur.execute(f"INSERT INTO {name} BY NAME SELECT * FROM _b")
            cur.unregister("_b")
    return db


def pandas_load(db: Database, as_of: date, end: date) -> pd.DataFrame:
    """The same backward rule in plain pandas (merge_asof per routing position)."""
    wc = db.query("SELECT * FROM work_centers")
    cal = db.query("SELECT * FROM calendar")
    lines = db.query("SELECT line_id, product, qty - shipped_qty AS rem, coalesce(promised_date, requested_date) AS due "
                     "FROM order_lines WHERE status = 'open' AND qty > shipped_qty")
    rout = db.query("SELECT * FROM routings")
    start = pd.Timestamp(min(as_of, lines["due"].min().date())) - pd.Timedelta(days=7 * 12 + 60)
    days = pd.date_range(start, max(pd.Timestamp(end), lines["due"].max()))
    grid = wc.merge(pd.DataFrame({"day": days}), how="cross")
    grid["hours"] = np.where(grid["day"].dt.isocalendar().day.astype(int) <= 5, grid["hours_per_day"], 0.0)
    cal["date"] = pd.to_datetime(cal["date"])
    every = cal[cal["work_center"] == ""].set_index("date")["hours"]
    grid["hours"] = grid["day"].map(every).fillna(grid["hours"])
    own = cal[cal["work_center"] != ""].rename(columns={"date": "day", "hours": "own"})
    grid = grid.merge(own[["day", "work_center", "own"]], on=["day", "work_center"], how="left")
    grid["capacity"] = grid["own"].fillna(grid["hours"]) * grid["efficiency"]
    wd = grid[grid["capacity"] > 0][["work_center", "day"]].sort_values(["work_center", "day"]).copy()
    wd["idx"] = wd.groupby("work_center").cumcount() + 1
    steps = lines.merge(rout, on="product")
    steps["hours"] = steps["setup_hours"] + steps["run_hours_per_unit"] * steps["rem"]
    steps["lead"] = steps["lead_days"].clip(lower=1)
    steps["pos"] = steps.groupby("line_id")["step"].rank(ascending=False, method="first").astype(int)
    placed, prev = [], None
    for k in range(1, steps["pos"].max() + 1):
        s = steps[steps["pos"] == k].copy()
        if prev is None:
            s["x"] = pd.to_datetime(s["due"])
        else:
            s = s.merge(prev[["line_id", "start_day"]], on="line_id")
            s["x"] = s["start_day"] - pd.Timedelta(days=1)
            s = s.drop(columns="start_day")
        s = pd.merge_asof(s.sort_values("x"), wd.rename(columns={"day": "end_day", "idx": "end_idx"}).sort_values("end_day"),
                          left_on="x", right_on="end_day", by="work_center")
        s["start_idx"] = s["end_idx"] - s["lead"] + 1
        s = s.merge(wd.rename(columns={"day": "start_day", "idx": "start_idx"}), on=["work_center", "start_idx"], how="left")
        placed.append(s)
        prev = s
    allp = pd.concat(placed, ignore_index=True)
    rep = allp.loc[allp.index.repeat(allp["lead"])].copy()
    rep["idx"] = rep["start_idx"] + rep.groupby(level=0).cumcount()
    rep = rep.reset_index(drop=True).merge(wd, on=["work_center", "idx"])
    rep["h"] = rep["hours"] / rep["lead"]
    rep["day"] = rep["day"].clip(lower=pd.Timestamp(as_of))
    rep["week"] = rep["day"].dt.strftime("%G-W%V")
    return rep.groupby(["work_center", "week"], as_index=False)["h"].sum()


def timed(fn, runs: int = 1) -> tuple[float, object]:
    """(median seconds of `runs` calls of fn, the last call's result)."""
    out, times = None, []
    for _ in range(runs):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), out


def time_quotes(cur, product: str, req: date, as_of: date, runs: int):
    """A quote of 300 `product` timed three ways: cold (no matrix key), first with a new data
    version (builds the full matrix) and with the matrix cached, as the promise page makes them.
    Returns (cold s, first s, cached s, cold quote, cached quote)."""
    t_cold, p = timed(lambda: promise.quote(cur, product, 300, req, as_of=as_of), runs)
    keys = iter(range(10**6))
    t_first, _ = timed(lambda: promise.quote(cur, product, 300, req, as_of=as_of, matrix_key=("first", next(keys))),
                       runs)
    t_warm, p2 = timed(lambda: promise.quote(cur, product, 300, req, as_of=as_of, matrix_key=("bench", 1)),
                       max(runs, 7))
    return t_cold, t_first, t_warm, p, p2


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--lines", type=int, default=100_000)
    ap.add_argument("--runs", type=int, default=3)
    a = ap.parse_args()
    t0 = time.perf_counter()
    db = factory(a.lines)
    print(f"factory: 200 work centers, {a.lines:,} open lines x 4 steps, built in {time.perf_counter() - t0:.1f} s")
    end = capacity.horizon_end(None, AS_OF, 52)
    with db.cursor() as cur:
        t_load, df = timed(lambda: capacity.load(cur, AS_OF, by="week", weeks=52), a.runs)
    t_pd, pdf = timed(lambda: pandas_load(db, AS_OF, end), a.runs)
    # same numbers: total hours inside the 52 weeks
    total = df["load_hours"].sum()
    pd_total = pdf[pdf["week"].isin(set(df["period"]))]["h"].sum()
    print(f"load matrix (52 weeks): lib (DuckDB reads + numpy placement) {t_load * 1000:.0f} ms, pandas {t_pd * 1000:.0f} ms, "
          f"ratio {t_pd / t_load:.1f}x; total hours {total:,.1f} vs {pd_total:,.1f}")
    req = AS_OF + timedelta(days=30)
    with db.cursor() as cur:
        # the first product whose promise is late: the whole rule runs, split-quantity search included
        product = next(x for (x,) in cur.execute("SELECT product FROM products ORDER BY product").fetchall()
                       if (lambda q: q.promise_date and not q.requested_ok)(promise.quote(cur, x, 300, req, as_of=AS_OF)))
        # what the promise page does: quote(..., matrix_key=(db, data version)); the first quote
        # after a write builds the full matrix, later ones reuse it
        t_cold, t_first, t_warm, p, p2 = time_quotes(cur, product, req, AS_OF, a.runs)
    assert p.promise_date == p2.promise_date and p.max_qty_by_requested == p2.max_qty_by_requested
    print(f"quote cold (routing's work centers only): {t_cold * 1000:.0f} ms; first quote building the full "
          f"matrix: {t_first * 1000:.0f} ms; with the matrix cached: {t_warm * 1000:.1f} ms; "
          f"promise {p.promise_date} for {p.qty:g} (requested {req}, {p.max_qty_by_requested:g} by then)")


if __name__ == "__main__":
    main()
