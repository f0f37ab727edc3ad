"""Common widgets: the error boundary, KPI tiles, tables with downloads, empty states."""
from __future__ import annotations

import html
import logging
from contextlib import contextmanager

import pandas as pd
import streamlit as st

from lib.errors import TandemError
from lib.formats import fmt_value  # noqa: F401 - pages and tests format values through widgets
from lib.i18n import t
from lib.sections.kpi import Kpi
from lib.text import html_text, t_md
from lib.ui import theme
from lib.ui.charts import locale as chart_locale
from lib.ui.frames import (
    header,
    plain_dates,
    translated_codes,
    translated_headers,
)

log = logging.getLogger("tandem")


@contextmanager
def guard():
    """Show a TandemError as a clear message and any other error as a short apology.

    No traceback ever reaches the screen; unexpected errors go to the server log.
    """
    try:
        yield
    except TandemError as e:
        show_error(e)
    except Exception:  # noqa: BLE001 - the last line of defence of a page
        if _is_streamlit_control_flow():
            raise
        log.exception("unexpected error on a page")
        st.error(t("app.unexpected"))


def show_error(e: TandemError) -> None:
    """A TandemError as an error box; its detail may quote what a user typed or a file held."""
    st.error(t_md("app.error", title=e.title, detail=e.detail))


def _is_streamlit_control_flow() -> bool:
    import sys
    exc = sys.exc_info()[1]
    name = type(exc).__name__
    return name in ("RerunException", "StopException", "RerunData")


def _delta_text(k: Kpi) -> str:
    d = k.delta
    if d is None:
        return ""
    arrow = "▲" if d > 0 else ("▼" if d < 0 else "■")
    good = (d >= 0) == k.higher_is_better or d == 0
    colour = theme.RAG["green"] if good else theme.RAG["red"]
    amount = f"{d * 100:+.1f} {t('unit.pt')}" if k.unit == "pct" else fmt_value(abs(d), k.unit).replace("—", "0")
    if k.unit != "pct":
        amount = ("+" if d >= 0 else "−") + amount
    # a partial period is compared with the same days of the one before (Filters.previous)
    versus = t("kpi.vs_prev_to_date") if k.partial else t("kpi.vs_prev")
    return (f"<span class='tdm-nw' style='color:{colour}'>{arrow} {html.escape(amount)}</span> "
            f"<span class='tdm-nw tdm-muted'>{html.escape(versus)}</span>")


# Tiles never break a number or a word (1280-1920 px wide, 3-6 tiles a row; keep-all: Chinese breaks
# only at spaces and punctuation, as English does): the type follows the
# tile's width (container query units), the value never wraps, and a second line wraps only
# between its parts, never inside one. A clickable tile (with a detail) is covered by its
# transparent button: a click anywhere on it opens the list behind the number.
_TILE_CSS = """
<style>
.tdm-tile {container-type: inline-size; border-left: 10px solid #9e9e9e; background:#fafafa; padding:14px 18px;
           border-radius:6px; min-height:150px; box-sizing: border-box; margin-bottom: 0.6rem}
.tdm-tile, .tdm-tile * {overflow-wrap: normal; word-break: keep-all; hyphens: none}
.tdm-tile .tdm-name {font-size: min(1.15rem, 11cqi); color:#333; font-weight:600; line-height:1.25}
.tdm-tile .tdm-value {font-size: min(2.8rem, 21cqi); font-weight:700; line-height:1.15; margin:4px 0;
                      white-space: nowrap; font-variant-numeric: tabular-nums}
.tdm-tile .tdm-sub {font-size: min(1.0rem, 8.5cqi); color:#555; line-height:1.35}
.tdm-nw {white-space: nowrap}
.tdm-muted {color:#777}
.tdm-todate {color:#1f4e89; font-weight:600}
.tdm-more {float: right; color:#1f4e89; font-size: min(0.95rem, 8cqi); white-space: nowrap}
div[class*="st-key-tdmtile-"] {position: relative; gap: 0}
div[class*="st-key-tdmtile-"] > [data-testid="stElementContainer"]:has([data-testid="stButton"]) {
    position: absolute; inset: 0; width: 100% !important; height: 100%; z-index: 2; margin: 0}
div[class*="st-key-tdmtile-"] [data-testid="stButton"], div[class*="st-key-tdmtile-"] [data-testid="stButton"] > div {
    width: 100%; height: 100%}
div[class*="st-key-tdmtile-"] [data-testid="stButton"] button {width: 100%; height: 100%; opacity: 0; cursor: pointer}
div[class*="st-key-tdmtile-"]:hover .tdm-tile {box-shadow: 0 0 0 2px #1f4e89 inset}
</style>
"""


def tile_html(k: Kpi, band: float = 0.05, *, clickable: bool = False) -> str:
    """One tile's HTML: name, value (red when off target), target · detail · "to date", change vs
    the previous period; coloured by the one status rule (lib.sections.kpi)."""
    status = k.status(band)
    colour = theme.RAG[status]
    parts = []
    if k.target is not None:
        parts.append(f"<span class='tdm-nw'>{html.escape(t('kpi.target', value=fmt_value(k.target, k.unit)))}</span>")
    if k.note:
        # a note may name a line or a work center; its short " · " pieces ("SMT-2 · 2026-W52 ·
        # 45 h over") each stay on one line, so a week label never breaks at its hyphen
        pieces = k.note.split(" · ")
        parts += ([f"<span class='tdm-nw'>{html_text(p)}</span>" for p in pieces] if len(pieces) > 1
                  else [html_text(k.note)])
    if k.partial:
        parts.append(f"<span class='tdm-nw tdm-todate'>{html.escape(t('kpi.to_date'))}</span>")
    more = f"<span class='tdm-more'>{html.escape(t('kpi.details'))} ›</span>" if clickable else ""
    return (f"<div class='tdm-tile' data-kpi='{html.escape(k.key)}' data-status='{status}' "
            f"style='border-left-color:{colour}' title='{html.escape(t(k.key + '.help'))}'>"
            f"<div class='tdm-name'>{html.escape(t(k.key))}</div>"
            f"<div class='tdm-value' style='color:{colour if status == 'red' else '#111'}'>"
            f"{html.escape(fmt_value(k.value, k.unit))}</div>"
            f"<div class='tdm-sub'>{' · '.join(parts)}</div><div class='tdm-sub'>{_delta_text(k)}{more}</div></div>")


def rows_of(n: int, most: int = 6) -> int:
    """Tiles per row: at most `most`, the rows as even as they can be (8 -> 4 + 4, 7 -> 4 + 3).

    >>> [rows_of(n) for n in (3, 4, 5, 6, 7, 8, 10)]
    [3, 4, 5, 6, 4, 4, 5]
    """
    rows = -(-n // most)
    return max(1, -(-n // rows))


def kpi_tiles(kpis: list[Kpi], band: float = 0.05, columns: int | None = None, formulas: bool = True,
              details: dict | None = None, key: str = "tiles") -> None:
    """A row of KPI tiles: name, value, target, change vs previous, coloured by the status rule.

    The formula is the tile's hover text (title attribute) and, with `formulas`, is also listed
    in an expander (presenter mode leaves it out: the projector has no room for it). With
    `details` (KPI key -> a function drawing the list behind that Kpi, see
    lib.ui.section.kpi_row), a click on such a tile opens its list in a dialog.
    """
    st.markdown(_TILE_CSS, unsafe_allow_html=True)
    cols = st.columns(columns or rows_of(len(kpis)))
    for i, k in enumerate(kpis):
        draw = (details or {}).get(k.key)
        with cols[i % len(cols)]:
            if draw is None:
                st.markdown(tile_html(k, band), unsafe_allow_html=True)
                continue
            with st.container(key=f"tdmtile-{key}-{i}"):
                st.markdown(tile_html(k, band, clickable=True), unsafe_allow_html=True)
                if st.button(t("kpi.details_of", name=t(k.key)), key=f"{key}-detail-{i}-{k.key}"):
                    st.dialog(t(k.key), width="large")(lambda k=k, draw=draw: draw(k))()
    if not formulas:
        return
    with st.expander("ƒ " + " · ".join(t(k.key) for k in kpis[:3]) + (" …" if len(kpis) > 3 else "")):
        for k in kpis:
            st.markdown(f"**{t(k.key)}** — {t(k.key + '.help')}")


def status_cards(cards: list[tuple[str, str, str, str]]) -> None:
    """A row of cards (title, state text, detail line, rag colour name), e.g. section readiness;
    the detail may hold stored text (who last updated a section)."""
    st.markdown(_TILE_CSS, unsafe_allow_html=True)
    cols = st.columns(len(cards))
    for col, (title, state, detail, rag) in zip(cols, cards):
        colour = theme.RAG[rag]
        col.markdown(
            f"<div class='tdm-tile' style='border-left-color:{colour};min-height:120px'>"
            f"<div class='tdm-name'>{html.escape(title)}</div>"
            f"<div class='tdm-value' style='font-size:1.7rem;color:{colour}'>{html.escape(state)}</div>"
            f"<div class='tdm-sub'>{html_text(detail)}</div></div>", unsafe_allow_html=True)


def to_xlsx(frames: dict[str, pd.DataFrame]) -> bytes:
    """Sheets of an Excel workbook as bytes; text that starts like a formula is neutralised."""
    from lib.store.exports import xlsx_bytes
    return xlsx_bytes(frames)


def downloads(df: pd.DataFrame, name: str, key: str) -> None:
    """CSV and Excel download buttons for a table."""
    from lib.store.exports import neutralise
    c1, c2, _ = st.columns([1, 1, 4])
    # The files are built only when clicked (a callable): building every table's Excel on every
    # run cost most of a section page's time.
    c1.download_button(t("common.download_csv"), lambda: neutralise(df).to_csv(index=False).encode("utf-8-sig"),
                       file_name=f"{name}.csv", mime="text/csv", key=f"{key}-csv")
    c2.download_button(t("common.download_xlsx"), lambda: to_xlsx({name: df}), file_name=f"{name}.xlsx",
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                       key=f"{key}-xlsx")


TABLE_ROWS = 500     # rows of a chart's table drawn on screen; the downloads carry all


def table_height(rows: int) -> int:
    """A dataframe height that shows up to ~12 rows without an empty band below."""
    return min(480, 42 + 38 * max(rows, 1))


def table(df, name: str, key: str, *, expanded: bool = False, height: int | None = None,
          column_config: dict | None = None) -> None:
    """A chart's table, one click away, with CSV/Excel downloads.

    Drawn only while its expander is open (opening it reruns the page, from the cache): a closed
    expander's content is otherwise built, serialised and sent on every run, for every session.
    `df` may be a function returning the frame: then it is not even loaded until opened (a
    record list of 77,000 order changes behind a chart of twelve bars).
    """
    label = t("common.table") + ("" if callable(df) else f" · {len(df):,}")
    box = st.expander(label, expanded=expanded, key=f"{key}-open", on_change="rerun")
    with box:
        if not box.open:
            return
        if callable(df):
            df = df()
            height = height or table_height(len(df))
        if df.empty:
            st.info(t("common.empty"))
            return
        shares = {header(c, "col") for c in df.columns if c in SHARE_COLUMNS}
        df = translated_headers(translated_codes(df), "col")     # stored codes in words
        config = {c: st.column_config.NumberColumn(format="percent") for c in shares}
        # the rows drawn are bounded: 2,000 rows of every chart's table took a large factory's
        # pages past 2 MB
        st.dataframe(plain_dates(df.head(TABLE_ROWS)), hide_index=True, width="stretch", height=height or "auto",
                     column_config={**config, **(column_config or {})}, placeholder="")
        if len(df) > TABLE_ROWS:
            st.caption(t("scale.first_rows", shown=TABLE_ROWS, total=len(df)))
        downloads(df, name, key)


# lib columns holding a share (0.96 = 96 %): shown as percentages in a chart's table, whose
# headers are lib's names in the user's language (lib/i18n/columns.py)
SHARE_COLUMNS = {"achievement", "closure_on_time", "cum_share", "cumulative_share", "first_pass_rate", "fpy",
                 "idle_rate", "on_time_rate", "otd_latest", "otd_original", "otif", "share", "load_pct",
                 "variance_pct"}


# a red dot for rows past due: an image column costs nothing to draw, where a pandas Styler
# (per-cell CSS) cost ~0.1 s of the server's time per 200-row table and every session paid it
LATE_DOT = ("data:image/svg+xml;utf8,<svg xmlns='http://www.w3.org/2000/svg' width='20' height='20'>"
            f"<circle cx='10' cy='10' r='8' fill='%23{theme.RAG['red'].lstrip('#')}'/></svg>")


# an empty cell reads "None" in st.dataframe: the other rows get an empty image
NO_DOT = "data:image/svg+xml;utf8,<svg xmlns='http://www.w3.org/2000/svg' width='1' height='1'/>"


def flagged(df: pd.DataFrame, flags) -> tuple[pd.DataFrame, dict]:
    """`df` with a first column holding a red dot on the flagged rows (e.g. overdue), and the
    column_config that draws it; pass both to st.dataframe."""
    marks = [LATE_DOT if bool(f) else NO_DOT for f in flags]
    col = t("common.col.late")
    out = df.copy()
    out.insert(0, col, marks)
    return out, {col: st.column_config.ImageColumn(col, width="small", help=t("common.col.late.help"))}


def flagged_table(df: pd.DataFrame, flags, *, height: int | None = None, column_config: dict | None = None) -> None:
    """A table whose flagged rows (overdue, late) carry a red dot in the first column."""
    view, config = flagged(df, flags)
    st.dataframe(view, hide_index=True, placeholder="", width="stretch", column_config={**(column_config or {}), **config},
                 height=height or min(420, 42 + 36 * max(len(view), 1)))


def empty(message_key: str = "common.empty") -> None:
    st.info(t(message_key))


def chart(fig, key: str) -> None:
    """Show a plotly figure at full width."""
    st.plotly_chart(fig, width="stretch", key=key, config=chart_locale.config({"displaylogo": False}))
