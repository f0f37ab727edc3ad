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
    return f"<span style='color:{colour}'>{arrow} {html.escape(amount)}</span> <span class='tdm-muted'>{html.escape(t('kpi.vs_prev'))}</span>"


_TILE_CSS = """
<style>
.tdm-tile {border-left: 10px solid #9e9e9e; background:#fafafa; padding:14px 18px; border-radius:6px; min-height:150px}
.tdm-tile .tdm-name {font-size:1.15rem; color:#333; font-weight:600}
.tdm-tile .tdm-value {font-size:2.8rem; font-weight:700; line-height:1.15; margin:4px 0}
.tdm-tile .tdm-sub {font-size:1.0rem; color:#555}
.tdm-muted {color:#777}
</style>
"""


def kpi_tiles(kpis: list[Kpi], band: float = 0.05, columns: int | None = None, formulas: bool = True) -> None:
    """A row of KPI tiles: name, value, target, change vs previous, coloured red/amber/green.

    The formula is the tile's hover text (title attribute) and, with `formulas`, is also listed
    in an expander (presenter mode leaves it out: the projector has no room for it).
    """
    st.markdown(_TILE_CSS, unsafe_allow_html=True)
    cols = st.columns(columns or len(kpis))
    for i, k in enumerate(kpis):
        colour = theme.RAG[k.status(band)]
        target = (t("kpi.target", value=fmt_value(k.target, k.unit)) if k.target is not None else "")
        sub = " · ".join(x for x in (html.escape(target), html_text(k.note)) if x)   # a note may name a line
        with cols[i % len(cols)]:
            st.markdown(
                f"<div class='tdm-tile' style='border-left-color:{colour}' title='{html.escape(t(k.key + '.help'))}'>"
                f"<div class='tdm-name'>{html.escape(t(k.key))}</div>"
                f"<div class='tdm-value' style='color:{colour if k.status(band) == 'red' else '#111'}'>"
                f"{fmt_value(k.value, k.unit)}</div>"
                f"<div class='tdm-sub'>{sub}</div><div class='tdm-sub'>{_delta_text(k)}</div></div>",
                unsafe_allow_html=True)
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
