"""Command line of the capacity engines:

    python -m lib load [--as-of DATE] [--by day|week|month] [--weeks N] [--format csv|json]
    python -m lib promise --product P --qty N --requested DATE [--as-of DATE] [--format json|text]
    python -m lib group [--as-of DATE] [--format csv|json]      every plant's headline KPIs

`promise` exits 1 (with the reason on stderr) when the inquiry is refused or no date exists.
"""
from __future__ import annotations

import json
import sys

import pandas as pd

from lib import settings
from lib.cli.common import Group, open_db, parse_date
from lib.plan import capacity, promise

group = Group()
command = group.command

def _load_args(p):
    p.add_argument("--as-of", type=parse_date, default=None, help="'today' (YYYY-MM-DD); default the real date")
    p.add_argument("--by", choices=capacity.BY, default="week", help="bucket: day, ISO week or month")
    p.add_argument("--weeks", type=int, default=None, help="weeks ahead (default: the load_weeks setting)")
    p.add_argument("--view", choices=capacity.VIEWS, default="required",
                   help="required: what the open orders ask (infinite capacity); planned: what the factory can run")
    p.add_argument("--format", choices=("csv", "json"), default="csv")


def _write(out, fmt: str) -> None:
    """A frame on standard output as CSV or JSON records (NaN/NA as null, dates as YYYY-MM-DD)."""
    if fmt == "json":
        records = [{k: (None if v is None or (not isinstance(v, str) and pd.isna(v)) else
                        v.isoformat()[:10] if hasattr(v, "isoformat") else v.item() if hasattr(v, "item") else v)
                    for k, v in r.items()} for r in out.to_dict(orient="records")]
        json.dump(records, sys.stdout, ensure_ascii=False, indent=1)
        print()
    else:
        out.to_csv(sys.stdout, index=False, date_format="%Y-%m-%d")


@command("load", "work-center load against capacity per day, week or month", _load_args)
def cmd_load(args) -> int:
    db = open_db(args)
    as_of = args.as_of or settings.as_of()
    with db.cursor() as cur:
        df = capacity.load(cur, as_of, by=args.by, weeks=args.weeks, view=args.view)
    out = df[["work_center", "period", "load_hours", "capacity_hours", "load_pct", "overdue_hours"]].copy()
    for c in ("load_hours", "capacity_hours", "overdue_hours"):
        out[c] = out[c].round(3)
    out["load_pct"] = [None if v is None or v != v else round(v * 100, 1) for v in out["load_pct"]]
    _write(out, args.format)
    return 0


def _late_args(p):
    p.add_argument("--as-of", type=parse_date, default=None, help="'today' (YYYY-MM-DD); default the real date")
    p.add_argument("--format", choices=("csv", "json"), default="csv")


@command("late", "the open lines the planned load projects late or cannot plan, and where", _late_args)
def cmd_late(args) -> int:
    from lib.plan import late
    db = open_db(args)
    as_of = args.as_of or settings.as_of()
    with db.cursor() as cur:
        df = late.late_lines(cur, as_of)
    out = df.rename(columns={"order_no": "order", "line_no": "line"})[
        ["order", "line", "product", "due_date", "projected_finish", "days_late", "work_center"]]
    _write(out, args.format)
    return 0


def _promise_args(p):
    p.add_argument("--product", required=True)
    p.add_argument("--qty", required=True, help="quantity (> 0)")
    p.add_argument("--requested", required=True, type=parse_date, help="requested date YYYY-MM-DD")
    p.add_argument("--as-of", type=parse_date, default=None, help="'today' (YYYY-MM-DD); default the real date")
    p.add_argument("--format", choices=("json", "text"), default="text")


@command("promise", "capable-to-promise: the earliest delivery date of an inquiry", _promise_args)
def cmd_promise(args) -> int:
    db = open_db(args)
    as_of = args.as_of or settings.as_of()
    with db.cursor() as cur:
        p = promise.quote(cur, args.product, args.qty, args.requested, as_of=as_of)
    if args.format == "json":
        json.dump(p.to_dict(), sys.stdout, ensure_ascii=False, indent=1)
        print()
    else:
        print(promise.explain(p, "en"))
        for s in p.steps:
            print(f"  step {s['step']:>3} {s['work_center']:<12} {s['start']} → {s['finish']}  {s['hours']:.1f} h"
                  + (f"  (waited {s['wait_days']} d)" if s["wait_days"] else ""))
        for m in p.materials:
            print(f"  {m['material']:<12} need {m['need']:g}  free {m['free']:g}  ready {m['ready'] or '—'}"
                  + (f"  ({m['po']})" if m["po"] else ""))
        if "no_bom" in p.warnings:
            print("  warning: this product has no BOM; no material was checked", file=sys.stderr)
    if p.promise_date is None:
        print(promise.explain(p, "en"), file=sys.stderr)
        return 1
    return 0


def _group_args(p):
    p.add_argument("--as-of", type=parse_date, default=None, help="'today' (YYYY-MM-DD); default the real date")
    p.add_argument("--format", choices=("csv", "json"), default="csv")


@command("group", "every plant's headline KPIs side by side (several plants on one PostgreSQL)", _group_args)
def cmd_group(args) -> int:
    from lib.filters import default_filters
    from lib.sections import group as plants
    db = open_db(args)
    as_of = args.as_of or settings.as_of()
    rows = [{"plant": name, "kpi": k.key.removeprefix("kpi."), "value": k.value, "target": k.target,
             "unit": k.unit} for name, kpis in plants.table(db, default_filters(as_of), as_of) for k in kpis or []]
    _write(pd.DataFrame(rows, columns=["plant", "kpi", "value", "target", "unit"]), args.format)
    return 0
