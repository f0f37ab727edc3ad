"""Every KPI tile the room sees, section by section, and the list behind each number.

    tiles(con, section, f, as_of, lang)        the section's tiles (pages, presenter, snapshot)
    detail(con, section, key, f, as_of)        the rows behind one tile (a tile's click)
    rows(con, f, as_of, lang)                  every tile as a table (`python -m lib kpis`)

A section's tiles come from one function (TILES); the pages, presenter mode, the meeting's
snapshot at close (lib.meeting.meetings) and `python -m lib kpis` all call it, so a number is
the same wherever it appears (tests/test_consistency.py checks what each place shows). Each
section module lists the detail of its tiles in its DETAILS: the records the number is counted
from (the late lines, the overdue milestones, the POs due ...).

    >>> from lib.store.db import Database
    >>> from lib.filters import default_filters
    >>> with Database(":memory:").cursor() as cur:
    ...     [k.key for k in tiles(cur, "engineering", default_filters(date(2026, 11, 25)), date(2026, 11, 25))]
    ['engineering.kpi.npi_ontime', 'engineering.kpi.drawing_ontime', 'engineering.kpi.open_ecn', 'engineering.kpi.hours_saved']
"""
from __future__ import annotations

from datetime import date
from typing import Callable

import pandas as pd

from lib import settings
from lib.filters import Filters
from lib.meeting import actions
from lib.plan import late
from lib.sections import (
    engineering,
    overview,
    pmc,
    purchasing,
    quality,
    sales,
    variance,
)
from lib.sections.kpi import Kpi

# section -> its tiles (con, f, as_of, lang) -> [Kpi]; the order of `python -m lib kpis`
TILES: dict[str, Callable[..., list[Kpi]]] = {
    "overview": overview.tiles,
    "actions": actions.section_kpis,
    "sales": sales.section_kpis,
    "pmc": pmc.section_kpis,
    "purchasing": purchasing.section_kpis,
    "quality": quality.section_kpis,
    "engineering": engineering.section_kpis,
    "variance": variance.review_kpis,
}

# section -> {kpi key -> (con, f, as_of) -> DataFrame}
DETAILS: dict[str, dict[str, Callable[..., pd.DataFrame]]] = {
    "actions": actions.DETAILS,
    "sales": sales.DETAILS,
    "pmc": pmc.DETAILS,
    "purchasing": purchasing.DETAILS,
    "quality": quality.DETAILS,
    "engineering": engineering.DETAILS,
    "variance": variance.DETAILS,
}
# the Overview's tiles are its sections' own; only its late list keeps every filter
DETAILS["overview"] = {
    **{k: DETAILS[s][k] for s, keys in (("sales", ("kpi.otd", "kpi.open_complaints")),
                                        ("pmc", ("kpi.plan_achievement", "kpi.peak_load")),
                                        ("actions", ("kpi.open_actions", "kpi.overdue_actions")),
                                        ("purchasing", ("purchasing.kpi.supplier_otd",)),
                                        ("quality", ("quality.kpi.fpy_final",)),
                                        ("engineering", ("engineering.kpi.drawing_ontime",))) for k in keys},
    "kpi.late_lines": lambda con, f, as_of: late.late_lines(con, as_of, f),
}

COLUMNS = ["key", "section", "label", "value", "unit", "target", "status", "period_start", "period_end",
           "partial", "detail"]


def tiles(con, section: str, f: Filters, as_of: date, lang: str | None = None) -> list[Kpi]:
    """The tiles of one section (ValueError for a section that has none)."""
    if section not in TILES:
        raise ValueError(f"section is one of {', '.join(TILES)}, not {section!r}")
    return list(TILES[section](con, f, as_of, lang=lang))


def has_detail(section: str, key: str) -> bool:
    return key in DETAILS.get(section, {})


def detail(con, section: str, key: str, f: Filters, as_of: date) -> pd.DataFrame:
    """The rows behind the tile `key` of `section`, with the filters the tile was computed with."""
    fn = DETAILS.get(section, {}).get(key)
    if fn is None:
        raise ValueError(f"{section} has no detail for {key!r}")
    return fn(con, f, as_of)


def rows(con, f: Filters, as_of: date, lang: str | None = None) -> pd.DataFrame:
    """Every tile of every section as one table (COLUMNS): label in `lang`, value as a number
    (shares as fractions), status ok | warn | bad | none by the one rule (lib.sections.kpi),
    the period and whether it is partial (to date), the detail line."""
    from lib.i18n import t
    band = settings.get("amber_band", con)
    out = []
    for section in TILES:
        for k in tiles(con, section, f, as_of, lang):
            value = None if k.value is None or pd.isna(k.value) else float(k.value)
            out.append({"key": k.key, "section": section, "label": t(k.key, lang), "value": value, "unit": k.unit,
                        "target": None if k.target is None else float(k.target), "status": k.code(band),
                        "period_start": k.period_start, "period_end": k.period_end, "partial": bool(k.partial),
                        "detail": k.note})
    return pd.DataFrame(out, columns=COLUMNS)
