"""Command line of the capacity engines:

    python -m lib load [--as-of DATE] [--by day|week|month] [--weeks N] [--view required|planned] [--format csv|json]
    python -m lib late [--as-of DATE] [--format csv|json]
    python -m lib promise --product P --qty N --requested DATE [--as-of DATE] [--format json|text]
    python -m lib group [--as-of DATE] [--format csv|json]

`promise` exits 1 (with the reason on stderr) when the inquiry is refused or no date exists; a
quantity that is not one (abc, 0, -5) is a bad argument (exit 2).
"""
from __future__ import annotations

import argparse
import json

from lib import settings
from lib.cli.common import Group, err, open_db, out, parse_date, say, today, whole
from lib.errors import ValidationError

group = Group()
command = group.command

LOW_WEEKS, HIGH_WEEKS = settings.BOUNDS["load_weeks"]
# lib.plan.grid.BY and lib.plan.capacity.VIEWS (tests/test_cli.py checks): the engines (numpy,
# pandas, numba) are imported only to run a command, so one handed to the dashboard starts at once
BY = ("day", "week", "month")
VIEWS = ("required", "planned")


def _as_of(p):
    p.add_argument("--as-of", type=parse_date, default=None, metavar="DATE",
                   help="'today' (YYYY-MM-DD); default: TANDEM_AS_OF, else the real date")


def _load_args(p):
    _as_of(p)
    p.add_argument("--by", choices=BY, default="week", help="bucket: day, ISO week or month")
    p.add_argument("--weeks", type=whole(int(LOW_WEEKS), int(HIGH_WEEKS), "number of weeks"), default=None,
                   metavar="N", help=f"weeks ahead, {LOW_WEEKS:g} to {HIGH_WEEKS:g} (default: the load_weeks setting)")
    p.add_argument("--view", choices=VIEWS, default="required",
                   help="required: what the open orders ask (infinite capacity); planned: what the factory can run")
    p.add_argument("--format", choices=("csv", "json"), default="csv")


def _write(frame, fmt: str) -> None:
    """A frame on standard output as CSV or JSON records (NaN/NA as null, dates as YYYY-MM-DD)."""
    import pandas as pd
    if fmt == "json":
        records = [{k: (None if v is None or (not isinstance(v, str) and pd.isna(v)) else
                        v.isoformat()[:10] if hasattr(v, "isoformat") else v.item() if hasattr(v, "item") else v)
                    for k, v in r.items()} for r in frame.to_dict(orient="records")]
        json.dump(records, out(), ensure_ascii=False, indent=1)
        say()
    else:
        frame.to_csv(out(), index=False, date_format="%Y-%m-%d")


@command("load", "load against capacity per work center and day, week or month (what the orders ask, or "
         "what the factory can run)", _load_args)
def cmd_load(args) -> int:
    from lib.plan import capacity
    db = open_db(args)
    with db.cursor() as cur:
        df = capacity.load(cur, today(args), by=args.by, weeks=args.weeks, view=args.view)
    frame = df[["work_center", "period", "load_hours", "capacity_hours", "load_pct", "overdue_hours"]].copy()
    for c in ("load_hours", "capacity_hours", "overdue_hours"):
        frame[c] = frame[c].round(3)
    frame["load_pct"] = [None if v is None or v != v else round(v * 100, 1) for v in frame["load_pct"]]
    _write(frame, args.format)
    return 0


def _as_of_and_format(p):
    """--as-of and --format csv|json: the arguments of a command that prints a table."""
    _as_of(p)
    p.add_argument("--format", choices=("csv", "json"), default="csv")


@command("late", "the open lines the planned load projects late or cannot plan, and where", _as_of_and_format)
def cmd_late(args) -> int:
    from lib.plan import late
    db = open_db(args)
    with db.cursor() as cur:
        df = late.late_lines(cur, today(args))
    frame = df.rename(columns={"order_no": "order", "line_no": "line"})[
        ["order", "line", "product", "due_date", "projected_finish", "days_late", "work_center"]]
    _write(frame, args.format)
    return 0


def quantity(text: str) -> float:
    """An argument type: a quantity as the promise reads one (a finite number above 0)."""
    from lib.plan import promise
    try:
        return promise.parse_qty(text)
    except ValidationError as e:
        why = e.detail.removeprefix(f"{e.where}: ") if e.where else e.detail
        raise argparse.ArgumentTypeError(why.rstrip(".")) from None


def _promise_args(p):
    p.add_argument("--product", required=True, metavar="P")
    p.add_argument("--qty", required=True, type=quantity, metavar="N", help="quantity (> 0)")
    p.add_argument("--requested", required=True, type=parse_date, metavar="DATE", help="requested date YYYY-MM-DD")
    _as_of(p)
    p.add_argument("--format", choices=("json", "text"), default="text")


@command("promise", "capable-to-promise: the earliest delivery date of an inquiry, with what binds", _promise_args)
def cmd_promise(args) -> int:
    from lib.plan import promise
    db = open_db(args)
    with db.cursor() as cur:
        p = promise.quote(cur, args.product, args.qty, args.requested, as_of=today(args))
    if args.format == "json":
        json.dump(p.to_dict(), out(), ensure_ascii=False, indent=1)
        say()
    else:
        say(promise.explain(p, "en"))
        for s in p.steps:
            say(f"  step {s['step']:>3} {s['work_center']:<12} {s['start']} → {s['finish']}  {s['hours']:.1f} h"
                + (f"  (waited {s['wait_days']} d)" if s["wait_days"] else ""))
        for m in p.materials:
            say(f"  {m['material']:<12} need {m['need']:g}  free {m['free']:g}  ready {m['ready'] or '—'}"
                + (f"  ({m['po']})" if m["po"] else ""))
        if "no_bom" in p.warnings:
            say("  warning: this product has no BOM; no material was checked", error=True)
    if p.promise_date is None:
        print(promise.explain(p, "en"), file=err())
        return 1
    return 0


@command("group", "every plant's headline KPIs side by side (several plants on one PostgreSQL)", _as_of_and_format)
def cmd_group(args) -> int:
    import pandas as pd

    from lib.filters import default_filters
    from lib.sections import group as plants
    db = open_db(args)
    as_of = today(args)
    rows = [{"plant": name, "kpi": k.key.removeprefix("kpi."), "value": k.value, "target": k.target,
             "unit": k.unit} for name, kpis in plants.table(db, default_filters(as_of), as_of) for k in kpis or []]
    _write(pd.DataFrame(rows, columns=["plant", "kpi", "value", "target", "unit"]), args.format)
    return 0
