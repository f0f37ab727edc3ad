"""Benchmark: the action list with its counters (times discussed, days open, overdue, escalated)
at realistic-plus scale, beside a plain pandas baseline; and closing a meeting (snapshot,
carry-over, minutes MD/PDF, pack XLSX) on that data.

Scale: 5 years of weekly meetings (260), 40 actions raised per meeting (10,400 actions), each
discussed in 1-6 meetings (~36,000 discussion rows). Run: python bench/bench_meetings.py
"""
from __future__ import annotations

import statistics
import sys
import time
from datetime import date, datetime, timedelta

import numpy as np
import pandas as pd

sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parent.parent))

from lib.filters import default_filters
from lib.meeting import actions, meetings
from lib.people.auth import SYSTEM
from lib.store.db import Database

AS_OF = date(2026, 11, 25)
RNG = np.random.default_rng(7)


def build(db: Database, n_meet: int = 260, per: int = 40, p_open: float = 0.1) -> int:
    days = [AS_OF - timedelta(days=7 * (n_meet - i)) for i in range(n_meet)]
    mt = pd.DataFrame({"meeting_id": range(1, n_meet + 1), "title": [f"M{i}" for i in range(n_meet)],
                       "meeting_date": days, "chair": "chair", "status": "closed",
                       "started_at": [datetime.combine(d, datetime.min.time()) for d in days],
                       "ended_at": [datetime.combine(d, datetime.min.time()) + timedelta(hours=1) for d in days]})
    n = n_meet * per
    mid = np.repeat(mt["meeting_id"].to_numpy(), per)
    created = np.repeat(np.array(days, dtype="datetime64[D]"), per)
    due = created + RNG.integers(3, 30, n).astype("timedelta64[D]")
    status = RNG.choice(["open", "in_progress", "done", "verified", "cancelled"], n, p=[p_open, p_open, .1, .85 - 2 * p_open, .05])
    done_at = np.where(np.isin(status, ["done", "verified"]), created + RNG.integers(1, 40, n).astype("timedelta64[D]"),
                       np.datetime64("NaT"))
    ac = pd.DataFrame({"action_id": np.arange(1, n + 1), "meeting_id": mid, "section": "pmc", "title": "t",
                       "owner_department": RNG.choice(["sales", "pmc", "purchasing", "quality", "engineering"], n),
                       "owner": "x", "due_date": due, "status": status,
                       "result": np.where(np.isin(status, ["done", "verified"]), "r", None),
                       "verifier": np.where(status == "verified", "chair", None),
                       "verified_at": np.where(status == "verified", done_at, np.datetime64("NaT")),
                       "cancel_reason": np.where(status == "cancelled", "c", None),
                       "created_at": created.astype("datetime64[us]"), "created_by": "chair",
                       "done_at": done_at})
    k = RNG.integers(1, 7, n)
    disc = pd.DataFrame({"action_id": np.repeat(ac["action_id"].to_numpy(), k),
                         "meeting_id": np.repeat(mid, k) + np.concatenate([np.arange(j) for j in k])})
    disc = disc[disc["meeting_id"] <= n_meet]
    with db.cursor() as cur:
        for name, df in (("meetings", mt), ("action_items", ac), ("action_discussions", disc)):
            cur.register("_f", df)
            cur.execute(f"INSERT INTO {name} BY NAME SELECT * FROM _f")
            cur.unregister("_f")
        # advance the id sequences past the rows loaded with explicit ids
        cur.execute("SELECT max(nextval('seq_meeting')) FROM range(?)", [n_meet])
        cur.execute("SELECT max(nextval('seq_action')) FROM range(?)", [n])
    return len(disc)


def baseline(db: Database) -> pd.DataFrame:
    """The same counters in plain pandas."""
    a = db.query("SELECT * FROM action_items")
    d = db.query("SELECT action_id FROM action_discussions")
    a = a.merge(d.groupby("action_id").size().rename("times_discussed").reset_index(), how="left", on="action_id")
    a["times_discussed"] = a["times_discussed"].fillna(0).astype(int)
    end = pd.to_datetime(a["done_at"]).dt.normalize().fillna(pd.Timestamp(AS_OF))
    a["days_open"] = (end - pd.to_datetime(a["created_at"]).dt.normalize()).dt.days.clip(lower=0)
    a.loc[a["status"] == "cancelled", "days_open"] = np.nan
    live = a["status"].isin(["open", "in_progress"])
    a["overdue"] = live & (pd.to_datetime(a["due_date"]) < pd.Timestamp(AS_OF))
    a["escalated"] = a["overdue"] | (~a["status"].isin(["verified", "cancelled"]) & (a["times_discussed"] >= 3))
    return a


def median_time(fn, runs=5) -> float:
    out = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return statistics.median(out)


def main() -> None:
    db = Database(":memory:")
    rows = build(db)
    with db.cursor() as cur:
        lib_df = actions.action_list(cur, AS_OF)
    base = baseline(db)
    assert int(lib_df["escalated"].sum()) == int(base["escalated"].sum())
    assert int(lib_df["times_discussed"].sum()) == int(base["times_discussed"].sum())

    def lib_run():
        with db.cursor() as cur:
            actions.action_list(cur, AS_OF)
    t_lib, t_base = median_time(lib_run), median_time(lambda: baseline(db))
    print(f"actions {len(lib_df):,}, discussions {rows:,}, escalated {int(lib_df['escalated'].sum()):,}")
    print(f"action_list: lib {t_lib * 1000:.0f} ms, pandas {t_base * 1000:.0f} ms, ratio {t_base / t_lib:.1f}x")

    def close_one(db=db):
        mid = meetings.create(db, SYSTEM, meeting_date=AS_OF, chair="chair", title="bench")
        meetings.start(db, SYSTEM, mid)
        for i in range(20):
            actions.create(db, SYSTEM, title=f"a{i}", owner_department="pmc", owner="x",
                           due_date=AS_OF + timedelta(days=7), section="pmc", meeting_id=mid)
        t0 = time.perf_counter()
        meetings.close(db, SYSTEM, mid, f=default_filters(AS_OF), as_of=AS_OF)
        return time.perf_counter() - t0
    closes = [close_one() for _ in range(3)]
    print(f"close a meeting (carrying ~{int((~lib_df['status'].isin(['verified', 'cancelled'])).sum()):,} open actions): "
          f"median {statistics.median(closes):.2f} s over 3")
    # a realistic factory: a year of weekly meetings, 10 actions each, few left open
    small = Database(":memory:")
    build(small, n_meet=52, per=10, p_open=0.01)
    with small.cursor() as cur:
        live = int((~actions.action_list(cur, AS_OF)["status"].isin(["verified", "cancelled"])).sum())
    closes = [close_one(small) for _ in range(3)]
    print(f"close a meeting (carrying ~{live} open actions): median {statistics.median(closes):.2f} s over 3")


if __name__ == "__main__":
    main()
