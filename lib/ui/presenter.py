"""Presenter mode for the projector: big type, one agenda section per screen, a countdown.

Each agenda section's live content is drawn by the function registered for it in
SECTION_VIEWS (section -> draw(ctx)); a draw function gets a PresenterContext and draws with
Streamlit. Above every view the section's KPIs (lib.meeting.meetings.SECTION_KPIS) are shown. The
department views draw with the same builders as their section pages (lib.ui.charts.<section>),
enlarged for a 1920x1080 projector.

Screen plan at 1920x1080 (measured in tests/e2e/test_browser_meeting.py): a header row (title,
agenda, Previous/Next, the countdown) of ~150 px, then the slide, and for whoever runs the
meeting the capture panel beside it (`capture`, 30 % of the width): decision and action forms and
what this meeting has recorded, always in view, never below the fold. The slide (`live`) lays
its tiles out in rows of at most TILES_PER_ROW (fewer beside the panel) so a tile never shrinks
its type to fit, and gives its charts the height the tile rows leave.

Everything a run draws comes from caches keyed on the data version (section.load), and moving
to the next section writes no data version (lib.meeting.meetings.goto), so "Next" draws from
what the previous visit computed (bench/presenter_bench.py).
"""
from __future__ import annotations

import html
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Callable

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from lib.errors import TandemError
from lib.filters import Filters
from lib.i18n import get_lang, set_lang, t
from lib.meeting import actions, meetings
from lib.people.auth import User
from lib.store.db import Database
from lib.text import html_text
from lib.ui import cache, theme
from lib.ui.charts import capacity as capacity_charts
from lib.ui.charts import engineering as engineering_charts
from lib.ui.charts import locale as chart_locale
from lib.ui.charts import purchasing as purchasing_charts
from lib.ui.charts import quality as quality_charts
from lib.ui.charts import sales as sales_charts
from lib.ui.charts.meeting import by_department_figure
from lib.ui.meeting import (
    action_form,
    clock_word,
    decision_form,
    default_due,
    move_form,
    person_names,
    report_form,
    section_name,
    show_error,
)
from lib.ui.widgets import empty, kpi_tiles

CLOCK_SECONDS = 1
LIVE_SECONDS = 60

CSS = """
<style>
/* presenter: no sidebar, no toolbar; large type readable from the back of a room */
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stToolbar"],
[data-testid="stDecoration"], header[data-testid="stHeader"] {display: none !important;}
.block-container {padding-top: 1.2rem !important; padding-bottom: 1rem !important; max-width: 100% !important;}
.stApp, .stMarkdown p, .stMarkdown li, label, .stButton button, [data-testid="stDataFrame"] {font-size: 28px !important;}
[data-testid="stWidgetLabel"] p {font-size: 24px !important;}
.stButton button {min-height: 3.6rem; padding: 0.3rem 1.0rem;}
.stButton button p, [data-testid="stFormSubmitButton"] button p, [data-baseweb="tab"] p {font-size: 28px !important;}
.tdm-ptitle {font-size: 60px !important; font-weight: 800; line-height: 1.05; margin: 0;}
.tdm-pstep {font-size: 24px !important; color: #555; margin-top: 4px;}
.tdm-agenda {font-size: 22px !important; color: #555; line-height: 1.3;}
.tdm-agenda b {color: #111;}
/* the capture panel beside the slide: the chair's forms, smaller than the slide's type */
.st-key-tdm-capture {border-left: 3px solid #d0d7de; padding-left: 18px !important;}
.st-key-tdm-capture label p, .st-key-tdm-capture [data-testid="stWidgetLabel"] p {font-size: 20px !important;}
.st-key-tdm-capture input, .st-key-tdm-capture textarea, .st-key-tdm-capture [data-baseweb="select"] {font-size: 20px !important;}
.st-key-tdm-capture .stButton button, .st-key-tdm-capture [data-testid="stFormSubmitButton"] button {min-height: 2.8rem;}
.st-key-tdm-capture .stButton button p, .st-key-tdm-capture [data-testid="stFormSubmitButton"] button p,
.st-key-tdm-capture [data-baseweb="tab"] p, .st-key-tdm-capture [data-testid="stTab"] p,
.st-key-tdm-capture [data-testid="stExpander"] summary p {font-size: 22px !important;}
.st-key-tdm-capture [data-testid="stAlert"] p, .st-key-tdm-capture .stMarkdown p {font-size: 20px !important;}
.st-key-tdm-capture [data-testid="stVerticalBlock"] {gap: 0.55rem;}
.tdm-rec {font-size: 20px; line-height: 1.3; margin: 0 0 6px 0;}
.tdm-rec .tdm-live {font-size: 17px;}
.tdm-rec-head {font-size: 22px; font-weight: 700; margin: 6px 0 4px 0;}
.tdm-clock {font-size: 84px; font-weight: 800; font-variant-numeric: tabular-nums; text-align: right; line-height: 1;}
.tdm-clock-sub {font-size: 24px; color: #555; text-align: right;}
/* tiles: compact; the type's size follows the tile's width, so a long value is never cut */
.tdm-tile {container-type: inline-size; min-height: 0 !important; padding: 8px 14px !important;}
.tdm-tile .tdm-name {font-size: min(1.5rem, 9cqi) !important; line-height: 1.2;}
.tdm-tile .tdm-value {font-size: min(3.2rem, 13.5cqi) !important; white-space: nowrap; margin: 0 !important;}
.tdm-tile .tdm-sub {font-size: min(1.25rem, 8cqi) !important; line-height: 1.3;}
.tdm-live {font-size: 20px; color: #777;}
[data-testid="stAlert"] p, [data-testid="stCaptionContainer"] p {font-size: 26px !important;}
[data-testid="stTab"] p {font-size: 26px !important;}
table.tdm-ptable {width: 100%; border-collapse: collapse; font-size: 24px;}
table.tdm-ptable th {text-align: left; color: #555; font-weight: 600; border-bottom: 2px solid #999; padding: 6px 8px;}
table.tdm-ptable td {border-bottom: 1px solid #e3e3e3; padding: 6px 8px; vertical-align: top;}
table.tdm-ptable tr.late td {background: #fdecec;}
table.tdm-ptable td.late {color: #d64545; font-weight: 700;}
table.tdm-ptable td.nw {white-space: nowrap;}
/* beside the capture panel: a little smaller, and codes may break so the table never overflows */
table.tdm-ptable.narrow {font-size: 21px;}
table.tdm-ptable.narrow th, table.tdm-ptable.narrow td {padding: 4px 6px;}
table.tdm-ptable.narrow td {overflow-wrap: anywhere;}
.tdm-more {font-size: 22px; color: #666;}
</style>
"""


@dataclass(frozen=True)
class PresenterContext:
    db: Database
    meeting_id: int
    section: str
    as_of: date
    filters: Filters
    user: User
    narrow: bool = False        # the slide shares the screen with the capture panel
    tile_rows: int = 1          # rows of KPI tiles above the view (set by `live`)


# tiles in one row: at most this many across the full width, fewer beside the capture panel;
# a tile narrower than ~280 px would shrink its type (it follows the tile's width) below what
# the back of the room can read
TILES_PER_ROW = 6
TILES_PER_ROW_NARROW = 4


def tiles_per_row(n: int, narrow: bool = False) -> int:
    """How many of `n` KPI tiles go in one row: all of them when they fit, else rows of three
    or four (never a row of six beside the capture panel, never a row with one tile below).

    >>> [tiles_per_row(n) for n in (2, 4, 6, 7, 8)], [tiles_per_row(n, True) for n in (3, 4, 5, 6, 7)]
    ([3, 4, 6, 4, 4], [3, 4, 3, 3, 4])
    """
    most = TILES_PER_ROW_NARROW if narrow else TILES_PER_ROW
    if n <= most:
        return max(n, 3)
    return 3 if n <= 6 else 4


def _draw_actions(ctx: PresenterContext) -> None:
    """Last meeting's actions: open by department, and what is late with reasons and new dates."""
    with ctx.db.cursor() as cur:
        by_dept = actions.late_by_department(cur, ctx.as_of)
        carried = meetings.carried_actions(cur, ctx.meeting_id, ctx.as_of)
    left, right = st.columns([1, 2])
    with left:
        st.markdown(f"### {t('meeting.presenter.late_by_dept')}")
        if by_dept.empty:
            empty("meeting.presenter.all_done")
        else:
            _chart(_big(by_department_figure, by_dept, height=_height(ctx, 440), font=20), key="p-by-dept")
    with right:
        st.markdown(f"### {t('meeting.presenter.carried')}")
        if carried.empty:
            empty("meeting.presenter.all_done")
        else:
            action_table(carried, with_discussion=True, names=person_names(ctx.db), limit=5 if ctx.narrow else 10,
                         narrow=ctx.narrow)


def _draw_decisions(ctx: PresenterContext) -> None:
    """New decisions and actions: everything recorded in this meeting so far."""
    draw_meeting_record(ctx, big=True)


def _draw_close(ctx: PresenterContext) -> None:
    draw_meeting_record(ctx, big=False)


def draw_meeting_record(ctx: PresenterContext, big: bool) -> None:
    """The decisions and actions of this meeting, listed live."""
    with ctx.db.cursor() as cur:
        decs = meetings.decisions(cur, ctx.meeting_id)
        acts = actions.action_list(cur, ctx.as_of, meeting_id=ctx.meeting_id)
    names = person_names(ctx.db)
    c1, c2 = st.columns([2, 3])
    with c1:
        st.markdown(f"{'###' if big else '####'} {t('meeting.decisions_here')} · {len(decs)}")
        if decs.empty:
            empty("meeting.no_decisions")
        for i, d in enumerate(decs.itertuples(), start=1):
            st.markdown(f"**{i}.** {html_text(d.text)}  \n<span class='tdm-live'>{html.escape(section_name(d.section))} · "
                        f"{html_text(names.get(d.decided_by, d.decided_by))}</span>", unsafe_allow_html=True)
    with c2:
        st.markdown(f"{'###' if big else '####'} {t('meeting.actions_here')} · {len(acts)}")
        if acts.empty:
            empty("meeting.no_actions")
        else:
            action_table(acts, with_discussion=False, limit=8, names=names, narrow=ctx.narrow)


def action_table(df, *, with_discussion: bool, limit: int = 10, names: dict | None = None,
                 narrow: bool = False) -> None:
    """Actions as a large-type HTML table for the projector (most urgent first), late rows marked;
    owners by display name where `names` (username -> name) knows them. `narrow` (beside the
    capture panel) leaves out the owner department and status columns: the owner says the one,
    the red rows the other."""
    names = names or {}
    esc = html.escape
    head = ["#", t("action.title"), t("action.owner_department"), t("action.owner"), t("action.due"),
            t("action.status"), t("action.times_discussed")]
    if with_discussion:
        head.append(t("meeting.minutes.discussion"))
    rows = []
    for r in df.head(limit).itertuples():
        late = bool(r.overdue)
        cells = [f"#{int(r.action_id)}", html_text(r.title), esc(t(f"dept.{r.owner_department}")),
                 html_text(names.get(r.owner, r.owner)),
                 f"<span class='{'late' if late else ''}'>{r.due_date:%m-%d}</span>"
                 + (f" <b style='color:#d64545'>+{int(r.days_late)}{t('unit.d')}</b>" if late else ""),
                 esc(t(f"action.status.{r.status}")),
                 ("⚠️ " if r.times_discussed >= actions.ESCALATE_AFTER else "") + str(int(r.times_discussed))]
        if with_discussion:
            note = html_text(r.discussion_note)
            new_due = getattr(r, "new_due", None)
            if new_due is not None and new_due == new_due:
                note += f" → {new_due:%m-%d}"
            cells.append(note)
        wrap = {1, 3, 7}   # title, owner and discussion wrap; the short columns stay on one line
        keep = [i for i in range(len(cells)) if not (narrow and i in (2, 5))]
        rows.append(f"<tr class='{'late' if late else ''}'>"
                    + "".join(f"<td{'' if i in wrap else ' class=nw'}>{cells[i]}</td>" for i in keep) + "</tr>")
    if narrow:
        head = [h for i, h in enumerate(head) if i not in (2, 5)]
    more = (f"<div class='tdm-more'>+{len(df) - limit} …</div>" if len(df) > limit else "")
    st.markdown(f"<table class='tdm-ptable{' narrow' if narrow else ''}'><tr>" + "".join(f"<th>{esc(h)}</th>" for h in head) + "</tr>"
                + "".join(rows) + "</table>" + more, unsafe_allow_html=True)


@st.cache_data(ttl=600, show_spinner=False)
def _weekly_load(_db: Database, version: int, as_of: date):
    from lib.plan import capacity
    with _db.cursor() as cur:
        return capacity.load(cur, as_of, by="week")


def _draw_pmc(ctx: PresenterContext) -> None:
    """PMC: the capacity-load heatmap of the coming weeks (work center x ISO week, by load band)."""
    df = _weekly_load(ctx.db, ctx.db.data_version(), ctx.as_of)
    if df.empty:
        empty()
    else:
        _chart(cache.build(_pmc_heatmap, df, _height(ctx, CHART_HEIGHT + 40), ctx.narrow), key="p-pmc-heatmap")


def _pmc_heatmap(df, height: int, narrow: bool) -> go.Figure:
    """The load heatmap at projector size: the cell text keeps its own size, the axes grow."""
    from lib.ui.charts.capacity import heatmap
    fig = theme.style_axes(go.Figure(heatmap(df, height=height)), tick=20, title=22)
    if narrow:     # twelve week labels side by side would overlap beside the capture panel
        fig.update_xaxes(tickangle=-35, tickfont_size=18)
    return fig


# ---------------------------------------------------------------------------- department sections
# Each shows, under the section's KPI tiles, the one or two things the meeting must look at,
# drawn by the same builders as the section page (lib.ui.charts.<section>), enlarged.
# 1080 px high: header ~150, one row of tiles ~150, a heading ~50 -> ~640 px left for the content
CHART_HEIGHT = 560
SHORT_CHART_HEIGHT = 420      # under two rows of tiles (sales has seven)
TILE_ROW_HEIGHT = 140         # each further row of tiles takes this from the charts


def _height(ctx: PresenterContext, full: int = CHART_HEIGHT) -> int:
    """A chart's height under the section's tile rows: `full` under one row."""
    return max(300, full - TILE_ROW_HEIGHT * (max(ctx.tile_rows, 1) - 1))


def _load(ctx: PresenterContext, fn, *args, **kwargs):
    from lib.ui import section
    return section.load(ctx.db, fn, *args, **kwargs)


def _setting(ctx: PresenterContext, key: str):
    """A setting's value, read once per data version (lib.ui.section.setting_values)."""
    from lib.ui import section
    return section.setting_values(ctx.db)[key]


def _projected(df, builder, height, font, args: tuple, kwargs: tuple):
    fig = builder(df, *args, **dict(kwargs))
    return None if fig is None else theme.projector(fig, height=height, font=font)


def _big(builder, df, *args, height: int, font: int = 22, **kwargs):
    """`builder(df, *args, **kwargs)` at projector size (theme.projector), built once for the same
    inputs (lib.ui.cache.build): a figure and its projector copy cost tens of ms per chart, and
    every "Next" draws two. None when the builder returns None."""
    return cache.build(_projected, df, builder, height, font, args, tuple(sorted(kwargs.items())))


def _chart(fig, key: str) -> None:
    """A figure at projector size: Tandem's fonts as built (Streamlit's chart theme would shrink
    them), and no plotly toolbar (on a projector it sits over the legend)."""
    st.plotly_chart(fig, width="stretch", key=key, theme=None, config=chart_locale.config(theme.PRESENTER_CONFIG))


def _heading(text: str) -> None:
    st.markdown(f"### {text}")


def frame_table(view, *, red=None, wrap: tuple[str, ...] = (), limit: int = 10, narrow: bool = False) -> None:
    """A display frame (translated headers) as a large-type HTML table for the projector: the first
    `limit` rows, rows where `red` is true marked, columns not in `wrap` kept on one line (with
    `narrow`, beside the capture panel, only numbers and dates are)."""
    esc = html.escape
    red = [False] * len(view) if red is None else [bool(x) for x in red]

    def cell(v) -> str:
        if v is None or (isinstance(v, float) and v != v) or v is pd.NaT:
            return ""
        if isinstance(v, float):
            return f"{v:,.0f}" if v == int(v) else f"{v:,.1f}"
        if isinstance(v, (int,)) and not isinstance(v, bool):
            return f"{v:,}"
        if isinstance(v, (date, pd.Timestamp)):
            return f"{v:%m-%d}"
        return html_text(v)     # names, titles, reasons: stored text

    def nowrap(c, v) -> bool:
        return c not in wrap and (not narrow or not isinstance(v, str))

    rows = []
    for i, r in enumerate(view.head(limit).itertuples(index=False)):
        rows.append(f"<tr class='{'late' if red[i] else ''}'>" + "".join(
            f"<td{' class=nw' if nowrap(c, v) else ''}>{cell(v)}</td>" for c, v in zip(view.columns, r)) + "</tr>")
    more = (f"<div class='tdm-more'>{esc(t('presenter.more', n=len(view) - limit))}</div>"
            if len(view) > limit else "")
    st.markdown(f"<table class='tdm-ptable{' narrow' if narrow else ''}'><tr>" + "".join(f"<th>{esc(str(h))}</th>" for h in view.columns)
                + "</tr>" + "".join(rows) + "</table>" + more, unsafe_allow_html=True)


def _draw_sales(ctx: PresenterContext) -> None:
    """Sales: delivery performance by week, and the order lines at risk (most urgent first)."""
    from lib.sections import sales
    from lib.ui import section

    trend = _load(ctx, sales.delivery_trend, ctx.filters, ctx.as_of, "week")
    risk = _load(ctx, sales.at_risk_lines, ctx.filters, ctx.as_of)
    left, right = st.columns([2, 3], gap="large")
    with left:
        _heading(t("sales.otd_trend"))
        if trend.empty:
            empty()
        else:
            fig = _big(sales_charts.otd_trend, trend, target=_setting(ctx, "target_otd"), x_title=t("section.axis.week"),
                       height=_height(ctx))
            _chart(fig, key="p-sales-otd")
    with right:
        _heading(t("sales.at_risk", n=len(risk)))
        if risk.empty:
            st.info(t("sales.no_risk"))
        else:
            view = section.derive(ctx.db, capacity_charts.late_view, risk, "at_risk_lines", ctx.filters, ctx.as_of).drop(
                columns=[t("sales.col.remaining"), t("sales.col.product"), t("sales.col.finish")])   # the reason says when it finishes
            frame_table(view, red=risk["due_date"] < pd.Timestamp(ctx.as_of), wrap=(t("sales.col.why"),),
                        limit=4 if ctx.tile_rows > 1 else 6, narrow=ctx.narrow)


def _draw_purchasing(ctx: PresenterContext) -> None:
    """Purchasing: late POs with the customer lines they endanger, and supplier on-time, worst first."""
    from lib.sections import purchasing

    pos = _load(ctx, purchasing.open_pos, ctx.as_of, ctx.filters)
    late = pos[pos["late"]] if not pos.empty else pos
    endangered = _load(ctx, purchasing.endangered_lines, ctx.as_of, ctx.filters)
    rank = _load(ctx, purchasing.supplier_otd_ranking, ctx.filters, ctx.as_of)
    left, right = st.columns([3, 2], gap="large")
    with left:
        _heading(t("purchasing.late.title"))
        if late.empty:
            empty("purchasing.late.none")
        else:
            view = purchasing_charts.late_po_view(late, endangered)
            keep = [t(f"purchasing.col.{c}") for c in ("po", "supplier", "material", "days_late", "lines_endangered",
                                                         *(() if ctx.narrow else ("customers",)), "first_line_due")]
            # the POs that endanger customer lines first, then the longest late
            order = view.sort_values([t("purchasing.col.lines_endangered"), t("purchasing.col.days_late")],
                                     ascending=False, kind="stable").index
            frame_table(view.loc[order, keep], red=view.loc[order, t("purchasing.col.lines_endangered")] > 0,
                        wrap=(t("purchasing.col.material"),), limit=6 if ctx.tile_rows > 1 else 8, narrow=ctx.narrow)
    with right:
        _heading(t("purchasing.otd.title"))
        if rank.empty:
            empty("purchasing.otd.none")
        else:
            fig = _big(purchasing_charts.supplier_ranking, rank, target=_setting(ctx, "target_supplier_otd"),
                       band=_setting(ctx, "amber_band"), top=10, height=_height(ctx))
            _chart(fig, key="p-pur-rank")


def _draw_quality(ctx: PresenterContext) -> None:
    """Quality: first-pass yield by line per week (final inspection, else in process), defect Pareto."""
    from lib.sections import quality

    trend = _load(ctx, quality.yield_trend, ctx.filters)
    pareto = _load(ctx, quality.defect_pareto, ctx.filters)
    stage = "final" if not trend.empty and (trend["stage"] == "final").any() else "in_process"
    left, right = st.columns(2, gap="large")
    with left:
        _heading(t("presenter.fpy_stage", stage=t(f"quality.stage.{stage}")))
        fig = _big(quality_charts.fpy_trend, trend, stage=stage, target=_setting(ctx, "target_fpy"), height=_height(ctx))
        if fig is None:
            empty("quality.fpy.none")
        else:
            _chart(fig, key="p-qa-fpy")
    with right:
        _heading(t("quality.pareto.title"))
        if pareto.empty:
            empty("quality.pareto.none")
        else:
            _chart(_big(quality_charts.defect_pareto, pareto, top=8, height=_height(ctx)), key="p-qa-pareto")


def _draw_engineering(ctx: PresenterContext) -> None:
    """Engineering: the NPI milestones Gantt, and the drawings not yet released (overdue first)."""
    from lib.sections import engineering

    ms = _load(ctx, engineering.npi_milestones, ctx.filters, ctx.as_of)
    dwg = _load(ctx, engineering.drawings, ctx.filters, ctx.as_of)
    left, right = st.columns([1, 1], gap="large")
    with left:
        open_ms = ms[ms["state"].isin(["overdue", "open"])] if not ms.empty else ms
        _heading(t("presenter.npi_open"))
        if ms.empty:
            empty("engineering.npi.none")
        elif open_ms.empty:
            st.info(t("presenter.npi_all_met"))
        else:
            # overdue first, then the next due; at most 10 rows so each stays readable
            rows = (open_ms.assign(_later=open_ms["state"].ne("overdue"))
                    .sort_values(["_later", "planned_date"], kind="stable").head(10).sort_values(["project", "seq"]))
            fig = _big(engineering_charts.npi_gantt, rows, today=ctx.as_of, names=False,
                       height=min(_height(ctx), 130 + 40 * len(rows)), font=20)
            _chart(fig, key="p-eng-gantt")
    with right:
        due = dwg[dwg["actual_release"].isna()] if not dwg.empty else dwg
        late = int((due["state"] == "overdue").sum()) if not due.empty else 0
        _heading(t("presenter.drawings_open", n=len(due), late=late))
        if due.empty:
            st.info(t("presenter.drawings_none"))
        else:
            view = engineering_charts.drawings_view(due).drop(columns=[t("engineering.col.released"), t("engineering.col.product")])
            frame_table(view, red=due["state"].eq("overdue"), wrap=(t("engineering.col.title"),), limit=8,
                        narrow=ctx.narrow)


# Section -> draw(ctx).
SECTION_VIEWS: dict[str, Callable[[PresenterContext], None]] = {
    "actions": _draw_actions,
    "sales": _draw_sales,
    "pmc": _draw_pmc,
    "purchasing": _draw_purchasing,
    "quality": _draw_quality,
    "engineering": _draw_engineering,
    "decisions": _draw_decisions,
    "close": _draw_close,
}


def clock_state(seconds_elapsed: float, minutes_planned: float) -> tuple[str, str, str]:
    """(text, colour, label) of a section countdown: green, amber in the last 20 % (at least
    the last minute), red and counting up once over.

    >>> clock_state(0, 10)[:2], clock_state(540, 10)[:2], clock_state(660, 10)[:2]
    (('10:00', '#2e9e5b'), ('01:00', '#e6a23c'), ('+01:00', '#d64545'))
    """
    left = minutes_planned * 60 - seconds_elapsed
    if left < 0:
        over = int(-left)
        return f"+{over // 60:02d}:{over % 60:02d}", theme.RAG["red"], "over"
    warn = max(60.0, minutes_planned * 60 * 0.2)
    secs = int(round(left))
    return f"{secs // 60:02d}:{secs % 60:02d}", (theme.RAG["amber"] if left <= warn else theme.RAG["green"]), "left"


def _fragment_lang() -> None:
    """A fragment's own rerun skips app.py, which sets the language per thread: set it here."""
    set_lang(st.session_state.get("lang", get_lang()))


@st.fragment(run_every=CLOCK_SECONDS)
def clock(db: Database, meeting_id: int) -> None:
    """The current section's countdown, refreshed every second (only this fragment reruns)."""
    _fragment_lang()
    with db.cursor() as cur:
        ag = meetings.agenda(cur, meeting_id, datetime.now())
    cur_rows = ag[ag["current"].astype(bool)]
    shown = st.session_state.get("presenter_seq")
    now_seq = int(cur_rows.iloc[0]["seq"]) if not cur_rows.empty else None
    if shown is not None and now_seq != shown:
        # the chair moved on (or closed) from another screen: follow, so a projector stays in step
        st.rerun(scope="app")
    if cur_rows.empty:
        return
    it = cur_rows.iloc[0]
    text, colour, label = clock_state(float(it["seconds_elapsed"]), float(it["minutes_planned"]))
    st.markdown(f"<div class='tdm-clock' style='color:{colour}'>{text}</div>"
                f"<div class='tdm-clock-sub'>{clock_word(label)} · "
                f"{t('meeting.presenter.of', minutes=f'{it.minutes_planned:g}')}</div>", unsafe_allow_html=True)


@st.fragment(run_every=LIVE_SECONDS)
def live(ctx: PresenterContext) -> None:
    """The section's KPIs and its registered view, refreshed every minute without a full rerun."""
    _fragment_lang()
    # cached per data version (moving on through the agenda writes none): the late list, the
    # plan and every KPI query behind the tiles run once, not on every "Next"
    kp = _load(ctx, meetings.section_kpis, ctx.section, ctx.filters, ctx.as_of)
    band = _setting(ctx, "amber_band")
    if kp:
        per_row = tiles_per_row(len(kp), ctx.narrow)
        ctx = replace(ctx, tile_rows=-(-len(kp) // per_row))
        for i in range(0, len(kp), per_row):     # row by row: the rows line up whatever each tile holds
            kpi_tiles(kp[i:i + per_row], band=band, columns=per_row, formulas=False)
    view = SECTION_VIEWS.get(ctx.section)
    if view is not None:
        view(ctx)
    elif not kp:
        empty("meeting.presenter.no_kpis")
    else:
        st.caption(t("meeting.presenter.no_view"))
    st.markdown(f"<div class='tdm-live'>{t('meeting.presenter.live', time=datetime.now().strftime('%H:%M:%S'))}</div>",
                unsafe_allow_html=True)


# ---------------------------------------------------------------------------- capture
# Beside the slide, for whoever runs the meeting: record a decision or an action (or, in the
# first section, report on an earlier action), and see at once what this meeting has recorded.
# A fragment: saving reruns the panel only, not the slide; sections whose slide is itself the
# record (actions, decisions, close) are redrawn whole after a save.
SLIDE_IS_RECORD = ("actions", "decisions", "close")
RECORD_ROWS = 6          # the latest decisions and actions listed in the panel


@st.fragment
def capture(ctx: PresenterContext, meeting_date: date) -> None:
    """The capture panel: tabs of forms (Enter submits; each confirms in place, not over the
    clock), the close button in the close section, and this meeting's latest records."""
    _fragment_lang()
    with st.container(key="tdm-capture"):
        if ctx.section == "close":
            close_panel(ctx)
        names = [t("meeting.presenter.decision"), t("meeting.presenter.action")]
        if ctx.section == "actions":
            names[:0] = [t("meeting.presenter.tab_report"), t("meeting.presenter.tab_status")]
        panes = st.tabs(names)
        rerun = ctx.section in SLIDE_IS_RECORD     # the slide lists the record: redraw it after a save
        if ctx.section == "actions":
            with ctx.db.cursor() as cur:
                carried = meetings.carried_actions(cur, ctx.meeting_id, ctx.as_of)
            with panes[0]:
                report_form(ctx.db, ctx.user, ctx.meeting_id, carried, "p", meeting_date, rerun=rerun)
            with panes[1]:
                move_form(ctx.db, ctx.user, carried, "p")
            panes = panes[2:]
        with panes[0]:
            decision_form(ctx.db, ctx.user, ctx.meeting_id, ctx.section, "p", compact=True, rerun=rerun)
        with panes[1]:
            action_form(ctx.db, ctx.user, ctx.meeting_id, ctx.section, "p", default_due(meeting_date),
                        compact=True, rerun=rerun)
        if ctx.section not in SLIDE_IS_RECORD:
            recorded(ctx)


def recorded(ctx: PresenterContext, rows: int = RECORD_ROWS) -> None:
    """This meeting's latest decisions and actions, newest first, compactly (the full list is
    the "New decisions and actions" section)."""
    with ctx.db.cursor() as cur:
        decs = meetings.decisions(cur, ctx.meeting_id)
        acts = actions.action_list(cur, ctx.as_of, meeting_id=ctx.meeting_id)
    names = person_names(ctx.db)
    st.markdown(f"<div class='tdm-rec-head'>{html.escape(t('meeting.presenter.recorded', decisions=len(decs), actions=len(acts)))}</div>",
                unsafe_allow_html=True)
    items = ([(pd.Timestamp(d.decided_at), "d", d) for d in decs.itertuples()]
             + [(pd.Timestamp(a.created_at), "a", a) for a in acts.itertuples()])
    items.sort(key=lambda x: (x[0], x[1] == "a"), reverse=True)
    if not items:
        st.markdown(f"<div class='tdm-rec tdm-live'>{html.escape(t('meeting.presenter.nothing_yet'))}</div>",
                    unsafe_allow_html=True)
    out = []
    for _, kind, r in items[:rows]:
        if kind == "d":
            out.append(f"<div class='tdm-rec'>✔ <b>{html.escape(t('meeting.presenter.decision'))}</b> "
                       f"{html_text(r.text)}<br><span class='tdm-live'>{html.escape(section_name(r.section))} · "
                       f"{html_text(names.get(r.decided_by, r.decided_by))}</span></div>")
        else:
            out.append(f"<div class='tdm-rec'>➜ <b>#{int(r.action_id)}</b> {html_text(r.title)}<br>"
                       f"<span class='tdm-live'>{html.escape(t(f'dept.{r.owner_department}'))} · "
                       f"{html_text(names.get(r.owner, r.owner))} · {r.due_date:%m-%d}</span></div>")
    if len(items) > rows:
        out.append(f"<div class='tdm-more'>+{len(items) - rows} …</div>")
    st.markdown("".join(out), unsafe_allow_html=True)


def close_panel(ctx: PresenterContext) -> None:
    """The close section's button: closes the meeting, then the presenter shows it closed."""
    st.caption(t("meeting.presenter.close_intro"))
    if st.button(t("meeting.presenter.close"), type="primary", key="p-close", width="stretch"):
        try:
            done = meetings.close(ctx.db, ctx.user, ctx.meeting_id, f=ctx.filters, as_of=ctx.as_of, lang=get_lang())
        except TandemError as e:
            show_error(e)
            return
        st.session_state["meeting_goto"] = done.meeting_id
        st.session_state["presenter_closed"] = {"meeting_id": done.meeting_id, "carried": done.carried,
                                                "next": done.next_meeting_id}
        st.session_state.pop("presenter_seq", None)
        st.rerun(scope="app")


def closed_screen(ctx: PresenterContext, done: dict) -> bool:
    """After closing: the closed meeting's record, what was carried, where its minutes are, and
    the close button disabled. Returns True when the chair chose to present the next meeting."""
    from lib.ui import nav
    st.success(t("meeting.presenter.closed", carried=done["carried"], next=done["next"]))
    c1, c2, c3 = st.columns([2, 2, 3])
    c1.button(t("meeting.presenter.close"), key="p-close", disabled=True, width="stretch",
              help=t("meeting.presenter.already_closed"))
    nxt = c2.button(t("meeting.presenter.present_next"), key="p-present-next", width="stretch")
    with c3:
        nav.link("meetings", t("meeting.downloads"), ":material/download:")
    draw_meeting_record(ctx, big=True)
    return nxt
