"""Every KPI a tile shows, from the very functions the tiles call (lib.sections.tiles):

    python -m lib kpis [--as-of DATE] [--period week|month] [--lang zh|en] [--format csv|json]

One row per section and tile: key, section, label (in the chosen language), value (a number;
shares as fractions: 0.953 is 95.3 %), unit, target, status (ok | warn | bad | none, by the one
rule of lib.sections.kpi), period_start, period_end, partial (true when the period runs to the
as-of date, so the figure is "to date"), detail (the tile's second line, e.g. "1 overdue now").
Without --period the period is the pages' default (the last four ISO weeks to date); with it, the
ISO week or calendar month holding the as-of date, to date. A KPI that is a state (open
complaints, lines projected late) has no period. For ERP/BI jobs as well as for checking a tile.
"""
from __future__ import annotations

from datetime import date, timedelta

from lib import settings
from lib.cli.common import Group, open_db, today
from lib.cli.plan import _as_of, _write
from lib.filters import Filters, default_filters

group = Group()


def period_filters(as_of: date, period: str | None) -> Filters:
    """The filters a run reports on: the pages' default, or the week / month holding as_of, to date.

    >>> period_filters(date(2026, 12, 1), "week").start, period_filters(date(2026, 12, 1), "month").start
    (datetime.date(2026, 11, 30), datetime.date(2026, 12, 1))
    """
    if period == "week":
        return Filters(start=as_of - timedelta(days=as_of.weekday()), end=as_of)
    if period == "month":
        return Filters(start=as_of.replace(day=1), end=as_of)
    return default_filters(as_of)


def _args(p):
    _as_of(p)
    p.add_argument("--period", choices=("week", "month"), default=None,
                   help="the ISO week or month holding the as-of date, to date (default: the last four weeks, "
                        "as the pages show)")
    p.add_argument("--lang", choices=("zh", "en"), default=None,
                   help="language of the labels and details (default: the lang setting; auto = en)")
    p.add_argument("--format", choices=("csv", "json"), default="csv")


@group.command("kpis", "every KPI a tile shows, with target, status and period (the tiles' own functions)", _args)
def cmd_kpis(args) -> int:
    from lib.i18n import get_lang, pick_lang, set_lang
    from lib.sections import tiles
    db = open_db(args)
    as_of = today(args)                  # the caller's today, also when handed to a dashboard
    lang = args.lang or pick_lang(settings.get("lang"), None)      # "auto" has no browser here: English
    before = get_lang()
    set_lang(lang)          # for the notes; the caller's language is given back (main() may run in-process)
    try:
        with db.cursor() as cur:
            out = tiles.rows(cur, period_filters(as_of, args.period), as_of, lang)
    finally:
        set_lang(before)
    out["partial"] = out["partial"].map(lambda v: "true" if v else "false") if args.format == "csv" else out["partial"]
    _write(out, args.format)
    return 0
