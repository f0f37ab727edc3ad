"""Building blocks every department section page shares.

    section_header(db, dept, f, as_of)        title bar in the department's colour, period, freshness
    load(db, fn, *args)                       a lib function's result, cached on the data version
    build(builder, df, ...)                   a lib.ui.charts figure, reused while its inputs are the same
    derive(db, fn, df, *key)                  a display view of a loaded frame, once per data version
    partial(grain, as_of)                     a trend builder's "to date" bucket (the one holding today)
    customer_label(code, name)                a customer as code · name, everywhere
    section_tiles(db, section, f, as_of)      the section's tiles (lib.sections.tiles), drawn; a click opens a tile's list
    kpi_row(kpis, db, section, f, as_of)      KPI tiles (amber band setting), with their details
    figure(fig, table_df, name, key, ...)     a chart, its table one click away; optional click-select
    records_view(df, prefix)                  a lib frame with translated headers and plain dates
    actions_panel(db, dept, as_of)            the department's open actions and issues, overdue in red
    targets_form(db, items, key)              managers change the targets of this page's tiles

Pages stay thin: they compute through `load(db, lib_fn, ...)` and draw through these.
"""
from __future__ import annotations

import functools
import html
from datetime import date

import pandas as pd
import streamlit as st

from lib import settings
from lib.errors import TandemError
from lib.i18n import t
from lib.meeting.open_items import open_actions
from lib.people import auth
from lib.sections import tiles
from lib.store import lookups
from lib.text import md_text, t_md
from lib.ui import nav, session, theme
from lib.ui.cache import build, derive, load  # noqa: F401 - pages call section.load/derive/build
from lib.ui.charts import locale as chart_locale
from lib.ui.frames import (
    header,
    plain_dates,
    translated,
    translated_codes,
    translated_headers,
)
from lib.ui.widgets import (
    SHARE_COLUMNS,
    TABLE_ROWS,
    chart,
    downloads,
    flagged_table,
    kpi_tiles,
    show_error,
    table,
    table_height,
)


# ------------------------------------------------------------------ layout pieces
def section_header(db, dept: str, f, as_of: date, title: str | None = None) -> None:
    """The page title in the department's colour, the period shown, and when the section was
    last brought up to date (and by whom)."""
    colour = theme.DEPARTMENT.get(dept, theme.ACTUAL)
    st.markdown(f"<div style='height:8px;background:{colour};border-radius:4px;margin-bottom:6px'></div>",
                unsafe_allow_html=True)
    st.title(title or t(f"dept.{dept}"))
    row = load(db, lookups.freshness, dept)
    fresh = (t_md("section.updated", at=f"{row['updated_at']:%Y-%m-%d %H:%M}", by=row["updated_by_name"])
             if row else t("section.never_updated"))
    st.caption(t("section.period", start=f.start.isoformat(), end=f.end.isoformat(),
                 as_of=as_of.isoformat()) + " · " + fresh)


def setting_values(db) -> dict:
    """Every setting's value (environment, then the settings table, then the default), read once
    per data version: a page's tiles and target form would otherwise query them one by one."""
    return load(db, settings.all_values)


def customer_label(code, name) -> str:
    """A customer as the room reads it: its code and its name (C-005 · 华东电气有限公司)."""
    code = "" if code is None or (not isinstance(code, str) and pd.isna(code)) else str(code)
    name = "" if name is None or (not isinstance(name, str) and pd.isna(name)) else str(name)
    return f"{code} · {name}" if name and name != code else code


def customer_labels(df: pd.DataFrame, code: str = "customer", name: str = "customer_name") -> dict:
    """code -> customer_label for the customers of a lib frame (a chart's legend or bars)."""
    if df.empty or name not in df:
        return {}
    pairs = df[[code, name]].drop_duplicates(code)
    return {c: customer_label(c, n) for c, n in zip(pairs[code], pairs[name])}


def partial(grain: str, as_of: date, by: str = "label") -> dict:
    """The keyword arguments a trend builder (lib.ui.charts.basic) needs to draw the bucket
    holding today as partial: its x value (the label, or with by="start" the first day) and
    "to date" in the user's language (docs/rules.md, "Partial periods")."""
    from lib.periods import bucket_of, label_of
    x = label_of(grain, as_of) if by == "label" else bucket_of(grain, as_of)
    return {"partial": x, "partial_label": t("kpi.to_date")}


def section_tiles(db, section: str, f, as_of: date, columns: int | None = None) -> list:
    """The section's tiles from the one registry (lib.sections.tiles, what presenter mode, the
    snapshot and `python -m lib kpis` read), cached per data version and language, drawn with
    their details; returns them."""
    from lib.i18n import get_lang
    kpis = load(db, tiles.tiles, section, f, as_of, get_lang())
    kpi_row(kpis, db, section, f, as_of, columns=columns)
    return kpis


def kpi_row(kpis, db, section: str | None = None, f=None, as_of: date | None = None,
            columns: int | None = None, key: str | None = None) -> None:
    """KPI tiles coloured with the manager's amber band setting. With the `section` whose tiles
    these are (lib.sections.tiles) and the filters they were computed with, a click on a tile
    opens the list behind its number."""
    details = ({k.key: functools.partial(_draw_detail, db, section, f, as_of) for k in kpis if tiles.has_detail(section, k.key)}
               if section else None)
    kpi_tiles(kpis, band=setting_values(db)["amber_band"], columns=columns, details=details,
              key=key or f"tiles-{section or 'x'}")


def _draw_detail(db, section: str, f, as_of: date, k) -> None:
    """The list behind one tile, in its dialog: the formula, the period, the value and its
    status, then the rows (headers in the user's language, at most TABLE_ROWS drawn, all in the
    downloads)."""
    from lib.formats import fmt_value
    band = setting_values(db)["amber_band"]
    st.caption(t(k.key + ".help"))
    when = (t("kpi.detail.period", start=k.period_start.isoformat(), end=k.period_end.isoformat())
            + (" · " + t("kpi.to_date") if k.partial else "")) if k.period_start else t("kpi.detail.as_of",
                                                                                      date=as_of.isoformat())
    parts = [t_md("kpi.detail.value", value=fmt_value(k.value, k.unit), status=t(f"kpi.status.{k.code(band)}"))]
    if k.target is not None:
        parts.append(md_text(t("kpi.target", value=fmt_value(k.target, k.unit))))
    if k.note:
        parts.append(md_text(k.note))
    st.markdown(" · ".join(parts) + "  \n" + md_text(when))
    rows = load(db, tiles.detail, section, k.key, f, as_of)
    if rows.empty:
        st.info(t("common.empty"))
        return
    shares = {header(c, "col") for c in rows.columns if c in SHARE_COLUMNS}
    view = translated_headers(plain_dates(translated_codes(rows)), "col")
    config = {c: st.column_config.NumberColumn(format="percent") for c in shares}
    st.dataframe(view.head(TABLE_ROWS), hide_index=True, width="stretch", height=table_height(min(len(view), 12)),
                 column_config=config, placeholder="")
    st.caption(t("kpi.detail.rows", n=len(view)) if len(view) <= TABLE_ROWS
               else t("scale.first_rows", shown=TABLE_ROWS, total=len(view)))
    downloads(view, k.key.replace(".", "-"), f"detail-{section}-{k.key}")


def figure(fig, table_df, name: str, key: str, *, select: bool = False,
           column_config: dict | None = None) -> list:
    """Show a chart with its table (and CSV/Excel) one click below; `table_df` may be a function
    returning the table, loaded only when the table is opened.

    With `select`, clicking a bar selects it: the x (or, for horizontal bars, y) values of the
    selected points are returned, for drill-down to the records behind them (as stored: the
    figure holds them escaped, lib.text.plot_text).
    """
    picked: list = []
    if select:
        event = st.plotly_chart(fig, width="stretch", key=key, on_select="rerun",
                                selection_mode=("points",), config=chart_locale.config({"displaylogo": False}))
        try:
            points = event.selection.get("points", []) if event else []
        except AttributeError:
            points = []
        for p in points:
            horizontal = p.get("orientation") == "h" or isinstance(p.get("x"), (int, float)) and isinstance(p.get("y"), str)
            value = p.get("y") if horizontal else p.get("x")
            picked.append(html.unescape(value) if isinstance(value, str) else value)
    else:
        chart(fig, key)
    # widgets.table passes height=None to st.dataframe, which Streamlit 1.67 refuses; give one
    table(table_df, name, f"{key}-table", column_config=column_config,
          height=None if callable(table_df) else table_height(len(table_df)))
    return picked


def records_view(df: pd.DataFrame, prefix: str) -> pd.DataFrame:
    """A lib result ready to show: columns named by `t(f"{prefix}.{column}")` where that key
    exists, stored codes in words (frames.translated_codes), and date-time columns that hold
    only dates shown as dates."""
    return translated_headers(plain_dates(translated_codes(df)), prefix)


def _count_text(values: pd.Series) -> pd.Series:
    """Whole numbers as text, a blank where there is none (st.dataframe draws a missing number
    as "None"; an idea not yet started has no days open)."""
    return values.astype("Int64").astype("string").fillna("")


def panel_view(items: pd.DataFrame, *, counts_as_text: bool = True) -> pd.DataFrame:
    """lib.meeting.open_items.open_actions rows as the panel shows them, headers in the user's language.
    The day counts are text on screen (a blank, not "None", where there is none) and numbers in
    the downloads (`counts_as_text=False`)."""
    due = pd.to_datetime(items["due_date"])
    count = _count_text if counts_as_text else (lambda v: v.astype("Int64"))
    return pd.DataFrame({
        t("section.col.kind"): translated(items["kind"], "section.kind."),
        t("section.col.ref"): items["ref"],
        t("section.col.title"): items["title"],
        t("section.col.owner"): items["owner"],
        t("section.col.due"): due.dt.strftime("%Y-%m-%d").fillna(""),
        t("section.col.days_open"): count(items["days_open"]),
        t("section.col.days_overdue"): count(items["days_overdue"]),
        t("section.col.status"): translated(items["status"], "section.status."),
    })


PANEL_ROWS = 200    # open items drawn in a section's panel (most overdue first); downloads carry all


def actions_panel(db, dept: str, as_of: date, *, key: str | None = None) -> pd.DataFrame:
    """The department's open actions and open issues: owner, due, days open, overdue in red,
    with a link to the meeting's action list. Returns the rows shown."""
    key = key or f"actions-{dept}"
    items = load(db, open_actions, dept, as_of)
    n, late = (len(items), int(items["overdue"].sum()) if not items.empty else 0)
    st.subheader(t("section.actions.title", n=n, late=late), help=t("section.actions.help"))
    nav.link("actions", t("section.actions.link"), ":material/checklist:")
    if items.empty:
        st.info(t("section.actions.none"))
        return items
    view = panel_view(items)
    # the rows drawn are bounded (sorted most overdue first, so the ones the meeting talks about
    # are drawn); the downloads carry them all
    shown = view.head(PANEL_ROWS)
    counts = {c: st.column_config.TextColumn(alignment="right")
              for c in (t("section.col.days_open"), t("section.col.days_overdue"))}
    flagged_table(shown, items["overdue"].astype(bool).head(PANEL_ROWS), column_config=counts)
    if len(view) > len(shown):
        st.caption(t("scale.first_rows", shown=len(shown), total=len(view)))
    downloads(panel_view(items, counts_as_text=False), f"{dept}-open-items", key)
    return items


# ------------------------------------------------------------------ targets
# How each target is entered and shown: pct (a share, entered in %), count, days, money, ratio.
TARGET_UNITS = {
    "target_otd": "pct", "target_otif": "pct", "target_plan_achievement": "pct", "target_peak_load": "pct",
    "target_supplier_otd": "pct", "target_incoming_fp": "pct", "target_fpy": "pct",
    "target_shortage_idle": "pct", "target_drawing_ontime": "pct", "target_npi_ontime": "pct",
    "target_action_closure": "pct", "amber_band": "pct", "target_price_variance": "money",
    "target_open_complaints": "count", "target_complaint_days": "days", "target_repromise_rate": "ratio",
}

def setting_label(key: str) -> str:
    """A setting's name in the current language (its key when a newer setting has none yet)."""
    from lib.i18n import CATALOGS
    return t(f"section.target.{key}") if f"section.target.{key}" in CATALOGS["en"] else key


def setting_help(key: str) -> str:
    """A setting's help in the current language, else its declared (English) help."""
    from lib.i18n import CATALOGS
    k = f"section.target.{key}.help"
    return t(k) if k in CATALOGS["en"] else settings.SETTINGS[key].help


def _as_input(value: float, unit: str) -> float:
    return float(value) * 100 if unit == "pct" else float(value)


def targets_form(db, items: list[tuple[str, str]], key: str) -> None:
    """A small form to change targets: items are (setting key, unit) with unit pct/count/days/...

    Shares are entered in %; saving writes the `settings` table in one audited transaction.
    Shown only to users with the `settings` permission (admin, chair); lib refuses others anyway.
    """
    user = session.current_user()
    if not auth.can(user, "settings"):
        return                      # no edit controls for those who may not change targets
    values = setting_values(db)
    current = {k: values[k] for k, _ in items}
    with st.popover(t("section.targets.button"), icon=":material/tune:"):
        with st.form(key=f"{key}-form", border=False):
            values = {}
            for k, unit in items:
                s = settings.SETTINGS[k]
                label = setting_label(k) + (" (%)" if unit == "pct" else "")
                step = 1.0 if unit == "pct" or s.kind is int else 0.1
                values[k] = st.number_input(label, value=_as_input(current[k], unit), step=step,
                                            min_value=0.0, help=setting_help(k), key=f"{key}-{k}")
            if st.form_submit_button(t("common.save")):
                save_settings(db, user, {k: (v / 100 if unit == "pct" else v)
                                         for (k, unit), v in zip(items, values.values())})


def save_settings(db, user, new: dict) -> None:
    """Save changed settings in one transaction and say how many changed (or why not)."""
    try:
        changed = settings.save_values(db, user, new)
    except TandemError as e:
        show_error(e)
    else:
        st.cache_data.clear()
        st.success(t("section.targets.saved", n=changed))
