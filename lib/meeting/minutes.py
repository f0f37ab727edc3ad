"""Minutes (Markdown and PDF) and the meeting pack (Excel) of a closed meeting.

The minutes are one list of blocks (title, facts, a warning, tables, lists) built from the
record, and each format renders the same blocks, so the Markdown and the PDF say the same thing
in the order a reader wants it: what was decided, then who does what by when (new actions, then
the earlier ones followed up), then the figures shown, attendance and the agenda. People are
named by their display name wherever a stored name is an account's username. When the meeting
was held on another day than it was scheduled for, the minutes say so under the dates.

Blocks hold plain text; only the Markdown adds markup, and it escapes every text it places
(lib.text.md_text), so a decision or a name is never read as Markdown or HTML. The PDF writes
text as it is (fpdf2 with markdown=False), its table columns sized from their content (a column
of dates or codes is never wrapped; the long texts share the rest of the page).

The pack is a workbook that prints as a report: a cover (facts, attendance, agenda), then one
sheet each for decisions, actions, the KPIs frozen at close, and the lists the sections showed
(late lines, the load heatmap, late POs, complaints, NPI milestones; frozen at close too, see
lib.meeting.meetings.section_tables). Each sheet has a title row naming the meeting and its
dates, a bold header row that is frozen, filtered and repeated on every printed page, real
numbers and dates with number formats, widths from content, and landscape A4 fitted to the
page width. Every text cell goes through lib.store.exports.neutralise_text (a text that starts
like a formula is kept as text).

The PDF embeds a CJK font so Chinese renders anywhere. The font comes, in order, from the
pinned `pylopdf-fonts-zh-cn` package (Noto Sans SC, SIL Open Font License 1.1; a Python
dependency, so CI and users have it without system fonts), else from common system locations
(Debian's fonts-noto-cjk, WenQuanYi, Windows/macOS fonts).
"""
from __future__ import annotations

import io
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd

from lib.departments import AGENDA, DEPARTMENTS
from lib.errors import TandemError
from lib.formats import fmt_value
from lib.i18n import CATALOGS, t
from lib.store.exports import neutralise_text
from lib.text import md_text

_SYSTEM_FONTS = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "C:/Windows/Fonts/msyh.ttc", "C:/Windows/Fonts/simhei.ttf",
    "/System/Library/Fonts/PingFang.ttc", "/Library/Fonts/Arial Unicode.ttf",
)


def cjk_font_path() -> Path:
    """A font file with Chinese glyphs for the PDF (see the module docstring for the order)."""
    try:
        import pylopdf_fonts_zh_cn
        p = Path(pylopdf_fonts_zh_cn.sans_path())
        if p.is_file():
            return p
    except ImportError:
        pass
    for candidate in _SYSTEM_FONTS:
        if Path(candidate).is_file():
            return Path(candidate)
    raise TandemError("No font with Chinese characters was found for the PDF minutes. Install the "
                      "requirements (`pip install -r requirements.txt`, package pylopdf-fonts-zh-cn) "
                      "or the system package fonts-noto-cjk.", title="PDF font missing")




@dataclass
class MeetingRecord:
    meeting: dict
    attendance: pd.DataFrame
    agenda: pd.DataFrame
    snapshot: pd.DataFrame
    decisions: pd.DataFrame
    new_actions: pd.DataFrame
    carried: pd.DataFrame
    next_meeting: dict | None
    as_of: date
    names: dict[str, str] = field(default_factory=dict)     # username -> display name
    tables: dict[str, pd.DataFrame] | None = None           # the section lists frozen at close

    def person(self, value) -> str:
        """A stored name as the minutes print it: an account's display name for its username."""
        text = _s(value).strip()
        return self.names.get(text, text)

    def days_off(self) -> int:
        """Held date minus scheduled date, in days (0 when on the day or not started)."""
        if _missing(self.meeting.get("started_at")):
            return 0
        return (pd.Timestamp(self.meeting["started_at"]).date() - pd.Timestamp(self.meeting["meeting_date"]).date()).days


# ---------------------------------------------------------------------------- values

def _missing(value) -> bool:
    return value is None or value is pd.NaT or value is pd.NA or (not isinstance(value, str) and bool(pd.isna(value)))


def _d(value) -> str:
    return "" if _missing(value) else pd.Timestamp(value).strftime("%Y-%m-%d")


def _dt(value) -> str:
    return "" if _missing(value) else pd.Timestamp(value).strftime("%Y-%m-%d %H:%M")


def _s(value) -> str:
    return "" if _missing(value) else str(value)


def _status(row, lang: str) -> str:
    """A snapshot row's status as the tile showed it (lib.sections.kpi's rule, frozen at close),
    with its detail line; blank for a snapshot from before statuses were kept."""
    status = row.get("status") if hasattr(row, "get") else None
    if not isinstance(status, str) or not status:
        return ""
    detail = row.get("detail")
    return t(f"kpi.status.{status}", lang=lang) + (f" · {detail}" if isinstance(detail, str) and detail else "")


def _section(s: str, lang: str) -> str:
    return t(f"meeting.section.{s}", lang=lang)


def _label(prefix: str, value, lang: str) -> str:
    """A stored code in words when the catalogue has `prefix + code`, else the code as stored."""
    code = _s(value)
    key = prefix + code
    return t(key, lang=lang) if code and key in CATALOGS["en"] else code


def held_text(r: MeetingRecord) -> str:
    """'2026-12-01 09:00 – 10:25' (the end's date repeated only when it is another day)."""
    start, end = r.meeting.get("started_at"), r.meeting.get("ended_at")
    if _missing(start):
        return ""
    if _missing(end):
        return _dt(start)
    same = pd.Timestamp(start).date() == pd.Timestamp(end).date()
    return f"{_dt(start)} – {pd.Timestamp(end):%H:%M}" if same else f"{_dt(start)} – {_dt(end)}"


def date_warning(r: MeetingRecord, lang: str) -> str | None:
    """The sentence under the dates when the meeting was held on another day than scheduled."""
    off = r.days_off()
    if not off:
        return None
    key = "meeting.minutes.held_early" if off < 0 else "meeting.minutes.held_late"
    return t(key, lang=lang, held=_d(r.meeting["started_at"]), scheduled=_d(r.meeting["meeting_date"]), n=abs(off))


# ---------------------------------------------------------------------------- blocks

def _linked_actions(r: MeetingRecord) -> dict[int, list[int]]:
    """decision id -> the ids of the actions raised from it (in this meeting)."""
    out: dict[int, list[int]] = {}
    if "decision_id" in r.new_actions:
        for aid, did in zip(r.new_actions["action_id"], r.new_actions["decision_id"]):
            if not _missing(did):
                out.setdefault(int(did), []).append(int(aid))
    return out


def _action_rows(r: MeetingRecord, df: pd.DataFrame, lang: str, carried: bool) -> list[list[str]]:
    rows = []
    for _, a in df.iterrows():
        row = [f"#{int(a['action_id'])}", _s(a["title"])]
        if not carried:
            row.append(_section(a["section"], lang))
        row += [t(f"dept.{a['owner_department']}", lang=lang), r.person(a["owner"]), _d(a["due_date"]),
                t(f"action.status.{a['status']}", lang=lang)]
        if carried:
            note = _s(a.get("discussion_note"))
            if _d(a.get("new_due")):
                note = (note + " · " if note else "") + t("meeting.minutes.new_due", lang=lang, date=_d(a["new_due"]))
            row += [str(int(a["times_discussed"])), note]
        rows.append(row)
    return rows


def blocks(r: MeetingRecord, lang: str) -> list[tuple]:
    """The minutes as blocks: ('h1'|'h2', text), ('facts', [(k, v)]), ('warn', text),
    ('table', header, rows), ('list', [text]), ('p', text)."""
    m, tr = r.meeting, (lambda k, **v: t(k, lang=lang, **v))
    out: list[tuple] = [("h1", tr("meeting.minutes.title") + " · " + _s(m["title"]))]
    out.append(("facts", [
        (tr("meeting.minutes.scheduled"), _d(m["meeting_date"])), (tr("meeting.minutes.held"), held_text(r)),
        (tr("meeting.chair"), r.person(m["chair"])), (tr("meeting.note_taker"), r.person(m["note_taker"])),
    ]))
    warning = date_warning(r, lang)
    if warning:
        out.append(("warn", warning))
    # what was decided, then who does what by when
    linked = _linked_actions(r)
    out.append(("h2", tr("meeting.minutes.decisions")))
    items = []
    for _, d in r.decisions.iterrows():
        text = f"[{_section(d['section'], lang)}] {_s(d['text'])} — {r.person(d['decided_by'])}"
        ids = linked.get(int(d["decision_id"]))
        items.append(text + (" → " + ", ".join(f"#{a}" for a in ids) if ids else ""))
    out.append(("list", items) if items else ("p", tr("meeting.minutes.none")))
    head = ["#", tr("action.title")]
    tail = [tr("action.owner_department"), tr("action.owner"), tr("action.due"), tr("action.status")]
    out.append(("h2", tr("meeting.minutes.new_actions")))
    out.append(("table", head + [tr("meeting.minutes.section")] + tail, _action_rows(r, r.new_actions, lang, False))
               if not r.new_actions.empty else ("p", tr("meeting.minutes.none")))
    out.append(("h2", tr("meeting.minutes.carried")))
    out.append(("table", head + tail + [tr("action.times_discussed"), tr("meeting.minutes.discussion")],
                _action_rows(r, r.carried, lang, True)) if not r.carried.empty else ("p", tr("meeting.minutes.none")))
    # the figures shown, who was there, how the time went
    out.append(("h2", tr("meeting.minutes.kpis")))
    if r.snapshot.empty:
        out.append(("p", tr("meeting.minutes.none")))
    else:
        out.append(("table", [tr("meeting.minutes.section"), tr("meeting.minutes.kpi"), tr("meeting.minutes.value"),
                              tr("meeting.minutes.target"), tr("meeting.minutes.status")],
                    [[_section(s["section"], lang), t(s["kpi"], lang=lang), fmt_value(s["value"], s["unit"], lang),
                      fmt_value(s["target"], s["unit"], lang) if not _missing(s["target"]) else "", _status(s, lang)]
                     for _, s in _snapshot_sorted(r.snapshot).iterrows()]))
    out.append(("h2", tr("meeting.minutes.attendance")))
    if r.attendance.empty:
        out.append(("p", tr("meeting.minutes.none")))
    else:
        rows = []
        for dept in list(DEPARTMENTS) + [None]:
            part = r.attendance[r.attendance["department"].isna()] if dept is None else \
                r.attendance[r.attendance["department"] == dept]
            if part.empty:
                continue
            rows.append([t(f"dept.{dept}", lang=lang) if dept else tr("meeting.minutes.other")] +
                        [", ".join(r.person(p) for p in part.loc[part["status"] == s, "person"])
                         for s in ("present", "absent", "excused")])
        out.append(("table", [tr("meeting.minutes.department"), tr("meeting.att.present"), tr("meeting.att.absent"),
                              tr("meeting.att.excused")], rows))
    out.append(("h2", tr("meeting.minutes.agenda")))
    out.append(("table", ["#", tr("meeting.minutes.section"), tr("meeting.minutes.planned_min"), tr("meeting.minutes.actual_min")],
                [[str(int(a["seq"])), _section(a["section"], lang), f"{a['minutes_planned']:g}",
                  f"{a['seconds_elapsed'] / 60:.0f}"] for _, a in r.agenda.iterrows()]))
    if r.next_meeting:
        out.append(("h2", tr("meeting.minutes.next")))
        out.append(("p", f"{_d(r.next_meeting['meeting_date'])} · {_s(r.next_meeting['title'])}"))
    return out


def _snapshot_sorted(snap: pd.DataFrame) -> pd.DataFrame:
    order = {s: i for i, s in enumerate(AGENDA)}
    return snap.assign(_o=snap["section"].map(order)).sort_values(["_o", "kpi"], kind="stable").drop(columns="_o")


# ---------------------------------------------------------------------------- Markdown

def render_markdown(r: MeetingRecord, lang: str) -> str:
    """The minutes as Markdown: the blocks' structure as markup, every text escaped (md_text keeps
    a table cell on one line and escapes its |)."""
    lines: list[str] = []
    for b in blocks(r, lang):
        kind = b[0]
        if kind == "h1":
            lines += [f"# {md_text(b[1])}", ""]
        elif kind == "h2":
            lines += [f"## {md_text(b[1])}", ""]
        elif kind == "facts":
            lines += [f"- **{md_text(k)}**: {md_text(v)}" for k, v in b[1]] + [""]
        elif kind == "warn":
            lines += [f"> **{md_text(t('meeting.minutes.note', lang=lang))}** {md_text(b[1])}", ""]
        elif kind == "table":
            lines.append("| " + " | ".join(md_text(h) for h in b[1]) + " |")
            lines.append("|" + "---|" * len(b[1]))
            lines += ["| " + " | ".join(md_text(c) for c in row) + " |" for row in b[2]]
            lines.append("")
        elif kind == "list":
            lines += [f"{i}. {md_text(x, breaks=True)}" for i, x in enumerate(b[1], start=1)] + [""]
        else:
            lines += [md_text(b[1], breaks=True), ""]
    return "\n".join(lines)


# ---------------------------------------------------------------------------- PDF

# one unbreakable piece of text: a CJK character (a line may break between any two), or a run
# of anything else up to a blank
_CJK = "\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef"
_TOKEN = re.compile(rf"[{_CJK}]|[^\s{_CJK}]+")
_PAD = 1.6            # mm of padding left and right in a table cell


def column_widths(measure, header: list[str], rows: list[list[str]], total: float, pad: float = 2.0) -> list[float]:
    """Column widths (mm) from content: each column wants its longest line (`measure` gives a
    text's width; `pad` is added for the cell's margins) and needs at least its longest
    unbreakable piece. Columns whose longest line
    fits a fair share of what is left get it whole, so dates, codes and names never wrap; the
    columns left (long texts) share the rest in proportion to their length. A heading counts
    with its longest word (it wraps rather than widen a column of short values).

    >>> w = column_widths(len, ["#", "Action", "Due"], [["#1", "a long text " * 20, "2026-12-04"]], 100)
    >>> [round(x, 1) for x in w]
    [4.0, 84.0, 12.0]
    """
    n = len(header)
    want, need = [0.0] * n, [0.0] * n
    for i, head in enumerate(header):           # a heading may wrap between its words (not within)
        want[i] = need[i] = max([measure(word) for word in str(head).split()] + [0.0])
    for row in rows:
        for i, cell in enumerate(row[:n]):
            for line in str(cell).split("\n"):
                want[i] = max(want[i], measure(line))
                need[i] = max([need[i]] + [measure(tok) for tok in _TOKEN.findall(line)])
    need = [min(x, total * 0.3) + pad for x in need]      # a very long code may break
    want = [max(x + pad, y) for x, y in zip(want, need)]
    widths: list[float | None] = [None] * n
    left, rest = total, set(range(n))
    while rest:
        share = left / len(rest)
        fit = [i for i in rest if want[i] <= share]
        if not fit:
            break
        for i in fit:
            widths[i] = want[i]
            left -= want[i]
            rest.discard(i)
    if rest:
        size = sum(want[i] for i in rest)
        for i in rest:
            widths[i] = max(need[i], left * want[i] / size)
    return [float(w) for w in widths]


_NUMBER = re.compile(r"^[-+]?[¥$]?[\d,]+(\.\d+)?\s?(%|h|d|万|M)?$")


def _numeric_column(rows: list[list[str]], j: int) -> bool:
    """True when every filled cell of column j is a number as the minutes write one (right-aligned)."""
    cells = [row[j] for row in rows if j < len(row) and row[j] not in ("", "—")]
    return bool(cells) and all(_NUMBER.match(c) for c in cells)


def _pdf_class():
    from fpdf import FPDF

    class MinutesPDF(FPDF):
        footer_text = ""

        def footer(self):
            self.set_y(-10)
            self.set_font("cjk", size=8)
            self.set_text_color(110, 110, 110)
            self.cell(0, 5, self.footer_text, align="L", markdown=False)
            self.set_x(self.l_margin)
            self.cell(0, 5, f"{self.page_no()} / {{nb}}", align="R", markdown=False)
            self.set_text_color(0, 0, 0)

    return MinutesPDF


def render_pdf(r: MeetingRecord, lang: str) -> bytes:
    """The minutes as a PDF (A4 landscape). Every text is drawn as it is: markdown=False
    everywhere (fpdf2 would otherwise read **, __ and -- as styles), and no HTML."""
    from fpdf.fonts import FontFace
    pdf = _pdf_class()(orientation="L", format="A4")
    pdf.set_margins(14, 12, 14)
    pdf.set_auto_page_break(True, margin=14)
    pdf.add_font("cjk", "", str(cjk_font_path()))
    title = t("meeting.minutes.title", lang=lang) + " · " + _s(r.meeting["title"])
    pdf.set_title(title)
    pdf.set_creator("Tandem")
    pdf.footer_text = f"{_s(r.meeting['title'])} · {t('meeting.minutes.scheduled', lang=lang)} {_d(r.meeting['meeting_date'])}"
    pdf.add_page()
    heading = FontFace(emphasis=None, fill_color=(222, 230, 242))
    width = pdf.epw
    parts = blocks(r, lang)
    for k, b in enumerate(parts):
        kind = b[0]
        if kind == "h1":
            pdf.set_font("cjk", size=17)
            pdf.multi_cell(0, 9, b[1], new_x="LMARGIN", new_y="NEXT", markdown=False)
            pdf.ln(1)
        elif kind == "h2":
            # a heading starts a page rather than sit at its foot alone or with a row or two
            nxt = parts[k + 1] if k + 1 < len(parts) else ("p", "")
            keep = 14 + 6 * (min(len(nxt[2]) + 1, 4) if nxt[0] == "table" else 1)
            if pdf.get_y() + keep > pdf.page_break_trigger:
                pdf.add_page()
            pdf.ln(4)
            pdf.set_font("cjk", size=13)
            pdf.set_text_color(31, 78, 137)
            pdf.multi_cell(0, 7, b[1], new_x="LMARGIN", new_y="NEXT", markdown=False)
            pdf.set_text_color(0, 0, 0)
            pdf.ln(1)
        elif kind == "facts":
            pdf.set_font("cjk", size=10.5)
            label = max(pdf.get_string_width(k) for k, _ in b[1]) + 4
            for k, v in b[1]:
                pdf.set_text_color(90, 90, 90)
                pdf.cell(label, 6, k, markdown=False)
                pdf.set_text_color(0, 0, 0)
                pdf.multi_cell(0, 6, v, new_x="LMARGIN", new_y="NEXT", markdown=False)
        elif kind == "warn":
            pdf.ln(2)
            pdf.set_font("cjk", size=10.5)
            pdf.set_fill_color(253, 236, 200)
            pdf.set_draw_color(230, 162, 60)
            pdf.set_text_color(120, 60, 0)
            pdf.multi_cell(0, 6.5, f"{t('meeting.minutes.note', lang=lang)} {b[1]}", border=1, fill=True,
                           padding=(1.5, 3), new_x="LMARGIN", new_y="NEXT", markdown=False)
            pdf.set_text_color(0, 0, 0)
            pdf.set_draw_color(0, 0, 0)
            pdf.set_fill_color(255, 255, 255)
        elif kind == "table":
            pdf.set_font("cjk", size=9.5)
            header, rows = list(b[1]), [[str(c) for c in row] for row in b[2]]
            widths = column_widths(pdf.get_string_width, header, rows, width, pad=2 * (_PAD + pdf.c_margin) + 0.4)
            align = tuple("RIGHT" if _numeric_column(rows, j) else "LEFT" for j in range(len(header)))
            with pdf.table(headings_style=heading, line_height=5, text_align=align, markdown=False,
                           col_widths=widths, width=min(sum(widths), width), align="LEFT",
                           padding=(0.8, _PAD), v_align="TOP") as table:
                table.row(header)
                for row in rows:
                    table.row(row)
        elif kind == "list":
            pdf.set_font("cjk", size=10.5)
            for i, x in enumerate(b[1], start=1):
                y = pdf.get_y()
                pdf.cell(8, 6, f"{i}.", markdown=False)
                pdf.set_xy(pdf.l_margin + 8, y)
                pdf.multi_cell(width - 8, 6, x, new_x="LMARGIN", new_y="NEXT", markdown=False)
                pdf.ln(0.8)
        else:
            pdf.set_font("cjk", size=10.5)
            pdf.multi_cell(0, 6, b[1], new_x="LMARGIN", new_y="NEXT", markdown=False)
    return bytes(pdf.output())


# ---------------------------------------------------------------------------- the pack (Excel)

# number formats by kind of column; text and wrap are text cells (wrap: long text, wrapped)
_FORMATS = {"int": "#,##0", "qty": "#,##0", "num": "#,##0.0", "pct": "0.0%", "pct0": "0%",
            "money": '"¥"#,##0', "price": '"¥"#,##0.00', "date": "yyyy-mm-dd", "datetime": "yyyy-mm-dd hh:mm"}
_NUMERIC = {"int", "qty", "num", "pct", "pct0", "money", "price"}
# load bands as cell fills: the hues of lib.ui.theme.LOAD_BAND, lightened so black text stays
# legible on screen and in print (lib.ui is above this layer, so they are repeated here)
BAND_FILL = {"ok": "CDEBD6", "tight": "FBEFB9", "risk": "FAD6B4", "over": "F3B9B9", "none": "E6E6E6"}
_HEAD_FILL = "DEE6F2"
_WARN_FILL = "FDECC8"
_TITLE_ROW, _SUB_ROW, _HEAD_ROW = 1, 2, 3
_MAX_WIDTH, _WRAP_WIDTH = 60, 48
_TITLE_WIDTH, _EXTRA_WIDTH = 110, 10      # the title rows span at least this width (empty columns added)


@dataclass
class _Col:
    header: str
    kind: str = "text"          # text | wrap | int | qty | num | pct | pct0 | money | price | date | datetime
    width: float | None = None  # fixed width, else from content
    cap: float = _WRAP_WIDTH     # widest a wrapped text column grows


def _xl_value(value, kind: str):
    """A cell value: a number, a date or neutralised text (None for a missing value)."""
    if _missing(value):
        return None
    if kind == "date":
        return pd.Timestamp(value).date()
    if kind == "datetime":
        return pd.Timestamp(value).to_pydatetime().replace(microsecond=0)
    if kind == "int":
        return int(value)
    if kind in _NUMERIC:
        return float(value)
    return neutralise_text(str(value))


def _text_width(text: str) -> float:
    """Width of a text in Excel's column units, about a digit's width each: a wide (CJK)
    character counts 2.2 (an office suite draws it in a fallback font a little wider than two)."""
    return sum(2.2 if unicodedata.east_asian_width(ch) in "WF" else 1.0 for ch in text)


def _line_count(text: str, width: float) -> int:
    """How many lines `text` takes wrapped in a column `width` units wide (words kept whole
    where they fit, CJK broken anywhere), a little pessimistic so that nothing is clipped."""
    room = max(width - 2.0, 1.0)
    count = 0
    for para in str(text).split("\n"):
        lines, used = 1, 0.0
        for tok in _TOKEN.findall(para):
            w = _text_width(tok)
            gap = 0.0 if used == 0 or unicodedata.east_asian_width(tok[0]) in "WF" else 1.0
            if used + gap + w <= room:
                used += gap + w
            elif w <= room:
                lines, used = lines + 1, w
            else:                                  # a piece longer than the column breaks anywhere
                extra, used = divmod(used + gap + w, room)
                lines += int(extra)
        count += lines
    return max(count, 1)


def _shown(value, kind: str) -> str:
    """Roughly how a value is shown, to size its column."""
    if value is None:
        return ""
    if kind == "date":
        return "2026-12-31"
    if kind == "datetime":
        return "2026-12-31 23:59"
    if kind in ("pct", "pct0"):
        return f"{value * 100:.1f}%"
    if kind in ("money", "price"):
        return f"¥{value:,.2f}"
    if kind in _NUMERIC:
        return f"{value:,.2f}".rstrip("0").rstrip(".")
    return str(value)


_LINE_PT = 15.0          # height of a line of 11 pt text, points
_PAGE_W_PT, _PAGE_H_PT = 842 - 0.8 * 72, 595 - 1.1 * 72 - 30    # A4 landscape inside the margins


def _points(width: float) -> float:
    """A column's width in points (Excel: width x 7 px + 5 px padding, 96 dpi)."""
    return (width * 7 + 5) * 0.75


class _Pack:
    """The workbook being written: one title line for every sheet, footer and print setup."""

    def __init__(self, r: MeetingRecord, lang: str):
        from openpyxl import Workbook
        self.r, self.lang = r, lang
        self.wb = Workbook()
        self.wb.remove(self.wb.active)
        m = r.meeting
        self.title = " · ".join(x for x in (
            _s(m["title"]), f"{self.tr('meeting.minutes.scheduled')} {_d(m['meeting_date'])}",
            f"{self.tr('meeting.minutes.held')} {held_text(r)}" if held_text(r) else "") if x)
        self.frozen = self.tr("meeting.minutes.frozen", at=_dt(m.get("ended_at")) or "—", as_of=_d(r.as_of)) \
            if r.tables is not None else self.tr("meeting.docs_rendered_now")

    def tr(self, key: str, **values) -> str:
        return t(key, lang=self.lang, **values)

    # ------------------------------------------------------------ sheets
    def sheet(self, name: str, subtitle: str, cols: list[_Col], rows: list[list], *, freeze_cols: int = 0,
              empty: str | None = None, fills: list[list[str | None]] | None = None):
        """A table sheet: title, subtitle, a bold header (frozen, filtered, repeated when printed),
        one row per item, widths from content, rows as high as their wrapped text, landscape
        fitted to the page width (and to one page when it nearly fits)."""
        from openpyxl.styles import Alignment, Border, PatternFill, Side
        from openpyxl.utils import get_column_letter
        ws = self.wb.create_sheet(_sheet_name(name))
        n = max(len(cols), 1)
        values = [[_xl_value(v, c.kind) for c, v in zip(cols, row)] for row in rows]
        widths = []
        for j, c in enumerate(cols):
            words = [_text_width(w) for w in re.split(r"\s+", c.header) if w] or [4]
            longest = max([_text_width(x) for row in values for x in _shown(row[j], c.kind).split("\n")], default=0)
            cap = c.cap if c.kind == "wrap" else _MAX_WIDTH
            pad = 3 if c.kind in ("wrap", "text") else 2
            widths.append(c.width or min(max(max(words), longest, 4) + pad, cap))
        # a quantity column of whole numbers shows none of its decimals (Excel would write "10." for #,##0.##)
        formats = [("#,##0" if all(v is None or float(v).is_integer() for v in (row[j] for row in values))
                    else "#,##0.0#") if c.kind == "qty" else _FORMATS.get(c.kind) for j, c in enumerate(cols)]
        line = Side(style="thin", color="B7C3D4")
        # text a little indented, so that it never runs into a right-aligned number beside it
        aligns = [Alignment(horizontal="left", vertical="top", wrap_text=True, indent=1) if c.kind in ("wrap", "text")
                  else Alignment(vertical="top") for c in cols]
        for j, c in enumerate(cols, start=1):
            cell = ws.cell(_HEAD_ROW, j, neutralise_text(c.header))
            cell.font = _font(bold=True)
            cell.fill = PatternFill("solid", fgColor=_HEAD_FILL)
            text = c.kind in ("wrap", "text")
            cell.alignment = Alignment(wrap_text=True, vertical="bottom", indent=1 if text else 0,
                                       horizontal="right" if c.kind in _NUMERIC else "left")
            cell.border = Border(bottom=Side(style="medium", color="7F93B2"))
        ws.row_dimensions[_HEAD_ROW].height = _LINE_PT * max(
            [_line_count(c.header, w) for c, w in zip(cols, widths)] + [1]) + 2
        if not rows:
            ws.cell(_HEAD_ROW + 1, 1, empty or self.tr("meeting.minutes.none")).font = _font(italic=True, color="666666")
        for i, row in enumerate(values, start=_HEAD_ROW + 1):
            lines = 1
            for j, (c, value) in enumerate(zip(cols, row), start=1):
                cell = ws.cell(i, j, value)
                if c.kind in _FORMATS:
                    cell.number_format = formats[j - 1]
                text = c.kind in ("wrap", "text")
                cell.alignment = aligns[j - 1]
                cell.border = Border(bottom=line)
                if fills and fills[i - _HEAD_ROW - 1][j - 1]:
                    cell.fill = PatternFill("solid", fgColor=fills[i - _HEAD_ROW - 1][j - 1])
                if text and value is not None:
                    lines = max(lines, _line_count(value, widths[j - 1] - 1))     # less the indent
            if lines > 1:
                ws.row_dimensions[i].height = _LINE_PT * lines + 1
        for j, w in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(j)].width = w
        widths = self._titles(ws, f"{subtitle} {self.frozen}", n, widths)
        last = max(ws.max_row, _HEAD_ROW + 1)
        ws.freeze_panes = ws.cell(_HEAD_ROW + 1, freeze_cols + 1)
        ws.auto_filter.ref = f"A{_HEAD_ROW}:{get_column_letter(n)}{last}"
        self._print(ws, n, last, f"{_HEAD_ROW}:{_HEAD_ROW}", widths)
        return ws

    def _titles(self, ws, subtitle: str, n: int, widths: list[float]) -> list[float]:
        """The title (meeting, dates) and the subtitle (what the sheet holds, when it was frozen),
        each merged across the table and wrapped, so that neither is cut off in print. Under a
        narrow table they span empty columns added up to _TITLE_WIDTH; the widths, so widened,
        are returned (they are what prints)."""
        from openpyxl.styles import Alignment
        from openpyxl.utils import get_column_letter
        widths = list(widths[:n])
        while sum(widths) < _TITLE_WIDTH:
            widths.append(_EXTRA_WIDTH)
            ws.column_dimensions[get_column_letter(len(widths))].width = _EXTRA_WIDTH
        n, total = len(widths), sum(widths)
        for row, text, font, size in ((_TITLE_ROW, self.title, _font(bold=True, size=14), 14 / 11),
                                      (_SUB_ROW, subtitle, _font(italic=True, color="555555"), 1.0)):
            cell = ws.cell(row, 1, neutralise_text(text))
            cell.font = font
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            if n > 1:
                ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=n)
            ws.row_dimensions[row].height = _LINE_PT * size * _line_count(text, total / size) + 3
        return widths

    def _print(self, ws, n: int, last: int, title_rows: str | None, widths: list[float]) -> None:
        """Landscape A4, fitted to the page width; fitted to one page as well when the sheet would
        run only a little onto a second one (a list of 40 KPIs should not leave two on page 2)."""
        from openpyxl.utils import get_column_letter
        from openpyxl.worksheet.page import PageMargins
        ws.page_setup.orientation = "landscape"
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        scale = min(1.0, _PAGE_W_PT / max(sum(_points(w) for w in widths), 1))
        height = sum((ws.row_dimensions[i].height or _LINE_PT) for i in range(1, last + 1))
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 1 if height * scale <= 1.3 * _PAGE_H_PT else 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.page_margins = PageMargins(left=0.4, right=0.4, top=0.5, bottom=0.6, header=0.25, footer=0.3)
        ws.print_area = f"A1:{get_column_letter(max(n, len(widths), 1))}{last}"
        if title_rows:
            ws.print_title_rows = title_rows
        ws.oddFooter.left.text = _hf(self.title)
        ws.oddFooter.left.size = 8
        ws.oddFooter.right.text = "&A · &P / &N"
        ws.oddFooter.right.size = 8

    def save(self) -> bytes:
        props = self.wb.properties
        props.creator = "Tandem"
        props.title = self.title
        stamp = self.r.meeting.get("ended_at")
        props.created = props.modified = (pd.Timestamp(stamp) if not _missing(stamp) else
                                          pd.Timestamp(self.r.as_of)).to_pydatetime().replace(microsecond=0)
        buf = io.BytesIO()
        self.wb.save(buf)
        return buf.getvalue()


def _font(**kw):
    """A cell font: Calibri unless told (a font without a name prints in the office suite's default,
    a serif in LibreOffice)."""
    from openpyxl.styles import Font
    return Font(**{"name": "Calibri", "size": 11, **kw})


def _hf(text: str) -> str:
    """Text for a printed header or footer: & starts a code there, && is a literal &."""
    return text.replace("&", "&&")[:200]


def _cover(p: _Pack) -> None:
    """The first sheet: the meeting's facts (and the date warning), attendance and agenda."""
    from openpyxl.styles import Alignment, PatternFill
    r, tr = p.r, p.tr
    ws = p.wb.create_sheet(_sheet_name(tr("meeting.minutes.sheet_meeting")))
    m = r.meeting
    facts = [(tr("meeting.minutes.scheduled"), pd.Timestamp(m["meeting_date"]).date(), "date"),
             (tr("meeting.minutes.started"), m.get("started_at"), "datetime"),
             (tr("meeting.minutes.ended"), m.get("ended_at"), "datetime"),
             (tr("meeting.chair"), r.person(m["chair"]), "text"),
             (tr("meeting.note_taker"), r.person(m["note_taker"]), "text"),
             (tr("meeting.minutes.decisions"), len(r.decisions), "int"),
             (tr("meeting.minutes.new_actions"), len(r.new_actions), "int"),
             (tr("meeting.minutes.carried"), len(r.carried), "int")]
    if r.next_meeting:
        facts.append((tr("meeting.minutes.next"), f"{_d(r.next_meeting['meeting_date'])} · {_s(r.next_meeting['title'])}", "text"))
    att = [[r.person(a["person"]), t(f"dept.{a['department']}", lang=p.lang) if not _missing(a["department"]) else "",
            tr(f"meeting.att.{a['status']}")] for _, a in r.attendance.iterrows()]
    agenda = [[int(a["seq"]), _section(a["section"], p.lang), float(a["minutes_planned"]), float(a["seconds_elapsed"]) / 60]
              for _, a in r.agenda.iterrows()]
    att_head = [tr("meeting.minutes.person"), tr("meeting.minutes.department"), tr("meeting.minutes.att_status")]
    ag_head = ["#", tr("meeting.minutes.section"), tr("meeting.minutes.planned_min"), tr("meeting.minutes.actual_min")]
    # four columns shared by the facts (label, value), attendance and agenda
    texts = [[k, _shown(_xl_value(v, kind), kind)] for k, v, kind in facts] + [att_head] + att + [ag_head] + \
        [[str(x) for x in row] for row in agenda]
    widths = [min(max([_text_width(str(row[j])) for row in texts if len(row) > j] + [6]) + 2, 40) for j in range(4)]
    warning = date_warning(r, p.lang)
    row = _HEAD_ROW + 1
    for k, v, kind in facts:
        ws.cell(row, 1, neutralise_text(k)).font = _font(bold=True)
        cell = ws.cell(row, 2, _xl_value(v, kind))
        cell.alignment = Alignment(horizontal="left")
        if kind in _FORMATS:
            cell.number_format = _FORMATS[kind]
        row += 1
    if warning:
        label = ws.cell(row, 1, neutralise_text(tr("meeting.minutes.note")))
        label.font = _font(bold=True, color="7A3C00")
        label.alignment = Alignment(vertical="top")
        cell = ws.cell(row, 2, neutralise_text(warning))
        cell.font = _font(color="7A3C00")
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.merge_cells(start_row=row, start_column=2, end_row=row, end_column=4)
        ws.row_dimensions[row].height = _LINE_PT * _line_count(warning, sum(widths[1:])) + 2
        for j in (1, 2, 3, 4):
            ws.cell(row, j).fill = PatternFill("solid", fgColor=_WARN_FILL)
        row += 1
    row += 1

    def block(title: str, header: list[str], rows: list[list], kinds: list[str]) -> None:
        nonlocal row
        ws.cell(row, 1, neutralise_text(title)).font = _font(bold=True, size=12)
        row += 1
        for j, h in enumerate(header, start=1):
            c = ws.cell(row, j, neutralise_text(h))
            c.font = _font(bold=True)
            c.fill = PatternFill("solid", fgColor=_HEAD_FILL)
        row += 1
        for values, kinds_ in ((v, kinds) for v in rows) if rows else [([tr("meeting.minutes.none")], ["text"])]:
            for j, (v, kind) in enumerate(zip(values, kinds_), start=1):
                c = ws.cell(row, j, _xl_value(v, kind))
                if kind in _FORMATS:
                    c.number_format = _FORMATS[kind]
                if j == 1:
                    c.alignment = Alignment(horizontal="left")
            row += 1
        row += 1

    block(tr("meeting.minutes.attendance"), att_head, att, ["text"] * 3)
    block(tr("meeting.minutes.agenda"), ag_head, agenda, ["int", "text", "int", "num"])
    for j, w in enumerate(widths):
        ws.column_dimensions["ABCD"[j]].width = w
    widths = p._titles(ws, tr("meeting.minutes.title"), 4, widths)
    p._print(ws, 4, ws.max_row, None, widths)


def _actions_sheet(p: _Pack) -> None:
    r, tr, lang = p.r, p.tr, p.lang
    cols = [_Col(tr("meeting.minutes.kind")), _Col("#", "int"), _Col(tr("action.title"), "wrap", cap=44),
            _Col(tr("action.owner_department")), _Col(tr("action.owner")), _Col(tr("action.due"), "date"),
            _Col(tr("action.status")), _Col(tr("meeting.minutes.col.days_late"), "int"),
            _Col(tr("action.times_discussed"), "int"), _Col(tr("meeting.minutes.discussion"), "wrap", cap=30),
            _Col(tr("meeting.minutes.new_due_col"), "date"), _Col(tr("action.result"), "wrap", cap=30)]
    rows = []
    for kind, df in ((tr("meeting.minutes.kind_new"), r.new_actions), (tr("meeting.minutes.kind_carried"), r.carried)):
        for _, a in df.iterrows():
            rows.append([kind, a["action_id"], a["title"], t(f"dept.{a['owner_department']}", lang=lang),
                         r.person(a["owner"]), a["due_date"], t(f"action.status.{a['status']}", lang=lang),
                         _late_days(a.get("days_late")), a["times_discussed"], a.get("discussion_note"),
                         a.get("new_due"), a.get("result")])
    p.sheet(tr("meeting.minutes.actions"), tr("meeting.minutes.sub.actions"), cols, rows, freeze_cols=2)


def _late_days(value):
    """Days late when late, else blank (0 days late reads as noise in a column of numbers)."""
    return None if _missing(value) or float(value) <= 0 else value


def _decisions_sheet(p: _Pack) -> None:
    r, tr = p.r, p.tr
    linked = _linked_actions(r)
    cols = [_Col("#", "int"), _Col(tr("meeting.minutes.section")), _Col(tr("meeting.minutes.decision"), "wrap"),
            _Col(tr("meeting.decision.by")), _Col(tr("meeting.decision.at"), "datetime"),
            _Col(tr("meeting.minutes.actions"))]
    rows = [[d["decision_id"], _section(d["section"], p.lang), d["text"], r.person(d["decided_by"]), d["decided_at"],
             ", ".join(f"#{a}" for a in linked.get(int(d["decision_id"]), []))] for _, d in r.decisions.iterrows()]
    p.sheet(tr("meeting.minutes.decisions"), tr("meeting.minutes.sub.decisions"), cols, rows)


_UNIT_FORMATS = {"pct": "0.0%", "count": "#,##0", "money": '"¥"#,##0', "ratio": "0.00"}


def _kpi_sheet(p: _Pack) -> None:
    r, tr = p.r, p.tr
    cols = [_Col(tr("meeting.minutes.section")), _Col(tr("meeting.minutes.kpi")), _Col(tr("meeting.minutes.value"), "num"),
            _Col(tr("meeting.minutes.target"), "num"), _Col(tr("meeting.minutes.status"), "wrap")]
    snap = _snapshot_sorted(r.snapshot) if not r.snapshot.empty else r.snapshot
    rows = [[_section(s["section"], p.lang), t(s["kpi"], lang=p.lang), s["value"], s["target"], _status(s, p.lang)]
            for _, s in snap.iterrows()]
    ws = p.sheet(tr("meeting.minutes.sheet_kpis"), tr("meeting.minutes.sub.kpis"), cols, rows)
    units = {"hours": f'#,##0.0 "{tr("meeting.minutes.unit_hours")}"', "days": f'#,##0.0 "{tr("meeting.minutes.unit_days")}"'}
    for i, unit in enumerate(snap["unit"] if not snap.empty else [], start=_HEAD_ROW + 1):
        for j in (3, 4):
            ws.cell(i, j).number_format = _UNIT_FORMATS.get(unit) or units.get(unit) or "#,##0.00"


def _not_kept(p: _Pack) -> str:
    return p.tr("meeting.minutes.not_kept")


def _late_lines_sheet(p: _Pack, df: pd.DataFrame | None) -> None:
    tr = p.tr
    cols = [_Col(tr("col.order_no")), _Col(tr("col.line_no"), "int"), _Col(tr("col.customer")),
            _Col(tr("meeting.minutes.col.customer_name")), _Col(tr("col.product")), _Col(tr("col.remaining_qty"), "qty"),
            _Col(tr("col.due_date"), "date"), _Col(tr("meeting.minutes.col.projected_finish"), "date"),
            _Col(tr("col.days_late"), "int"), _Col(tr("col.status")), _Col(tr("col.work_center")),
            _Col(tr("meeting.minutes.col.step"), "int"), _Col(tr("meeting.minutes.col.late_po")),
            _Col(tr("col.material")), _Col(tr("meeting.minutes.col.po_due"), "date")]
    rows = [] if df is None else [
        [x.order_no, x.line_no, x.customer, x.customer_name, x.product, x.remaining_qty, x.due_date, x.projected_finish,
         x.days_late, tr(f"meeting.minutes.late.{x.status}"), x.work_center, x.step, x.late_po, x.late_po_material,
         x.late_po_due] for x in df.itertuples()]
    p.sheet(tr("meeting.minutes.sheet_late"), tr("meeting.minutes.sub.late"), cols, rows, freeze_cols=2,
            empty=_not_kept(p) if df is None else None)


def _load_sheet(p: _Pack, df: pd.DataFrame | None) -> None:
    """Work centers x ISO weeks, load % in each cell, coloured by its load band; a legend below."""
    from openpyxl.styles import PatternFill
    tr = p.tr
    cols = [_Col(tr("col.work_center")), _Col(tr("meeting.minutes.col.name"))]
    rows, fills = [], []
    if df is not None and not df.empty:
        periods = df[["period", "period_start"]].drop_duplicates().sort_values("period_start")
        cols += [_Col(f"{per.split('-')[-1]}\n{pd.Timestamp(start):%m-%d}", "pct0", width=8)
                 for per, start in zip(periods["period"], periods["period_start"])]
        cells = df.set_index(["work_center", "period"])
        for wc, name in df[["work_center", "work_center_name"]].drop_duplicates("work_center").itertuples(index=False):
            row, fill = [wc, name], [None, None]
            for per in periods["period"]:
                hit = cells.loc[(wc, per)] if (wc, per) in cells.index else None
                row.append(None if hit is None else hit["load_pct"])
                fill.append(None if hit is None else BAND_FILL.get(hit["band"]))
            rows.append(row)
            fills.append(fill)
    ws = p.sheet(tr("meeting.minutes.sheet_load"), tr("meeting.minutes.sub.load"), cols, rows, freeze_cols=2,
                 fills=fills, empty=_not_kept(p) if df is None else None)
    if rows:
        at = ws.max_row + 2
        ws.cell(at, 1, neutralise_text(tr("meeting.minutes.legend"))).font = _font(bold=True)
        for k, b in enumerate(BAND_FILL):
            cell = ws.cell(at + k, 2, neutralise_text(t(f"capacity.band.{b}", lang=p.lang)))
            cell.fill = PatternFill("solid", fgColor=BAND_FILL[b])
        widths = [ws.column_dimensions[c].width for c in ws.column_dimensions]
        p._print(ws, len(cols), at + len(BAND_FILL) - 1, f"{_HEAD_ROW}:{_HEAD_ROW}", widths)


def _late_pos_sheet(p: _Pack, df: pd.DataFrame | None) -> None:
    tr = p.tr
    cols = [_Col("PO"), _Col(tr("col.supplier")), _Col(tr("col.material")), _Col(tr("col.material_name")),
            _Col(tr("col.qty"), "qty"), _Col(tr("meeting.minutes.col.received_qty"), "qty"),
            _Col(tr("meeting.minutes.col.open_qty"), "qty"), _Col(tr("meeting.minutes.col.order_date"), "date"),
            _Col(tr("col.due_date"), "date"), _Col(tr("col.days_late"), "int"), _Col(tr("col.unit_price"), "price"),
            _Col(tr("meeting.minutes.col.lines_endangered"), "int")]
    rows = [] if df is None else [
        [x.po, x.supplier, x.material, x.material_name, x.qty, x.received_qty, x.open_qty, x.order_date, x.due_date,
         x.days_late, x.unit_price, x.lines_endangered] for x in df.itertuples()]
    p.sheet(tr("meeting.minutes.sheet_pos"), tr("meeting.minutes.sub.pos"), cols, rows, freeze_cols=1,
            empty=_not_kept(p) if df is None else None)


def _complaints_sheet(p: _Pack, df: pd.DataFrame | None) -> None:
    tr, lang, r = p.tr, p.lang, p.r
    cols = [_Col(tr("col.complaint")), _Col(tr("col.received_date"), "date"), _Col(tr("col.customer")),
            _Col(tr("col.product")), _Col(tr("col.category")), _Col(tr("col.severity")), _Col(tr("col.description"), "wrap"),
            _Col(tr("col.status")), _Col(tr("col.d8_step"), "int"), _Col(tr("col.owner")), _Col(tr("col.days_open"), "int")]
    rows = [] if df is None else [
        [x.complaint, x.received_date, x.customer, x.product, _label("sales.cat.", x.category, lang),
         _label("quality.severity.", x.severity, lang), x.description, _label("quality.status.", x.status, lang),
         x.d8_step, r.person(x.owner), x.days_open] for x in df.itertuples()]
    p.sheet(tr("meeting.minutes.sheet_complaints"), tr("meeting.minutes.sub.complaints"), cols, rows, freeze_cols=1,
            empty=_not_kept(p) if df is None else None)


def _npi_sheet(p: _Pack, df: pd.DataFrame | None) -> None:
    tr, lang, r = p.tr, p.lang, p.r
    cols = [_Col(tr("col.project")), _Col(tr("col.project_name")), _Col(tr("col.customer")), _Col(tr("col.product")),
            _Col(tr("col.seq"), "int"), _Col(tr("col.milestone")), _Col(tr("col.owner")),
            _Col(tr("col.planned_date"), "date"), _Col(tr("col.actual_date"), "date"), _Col(tr("col.state")),
            _Col(tr("col.days_late"), "int")]
    rows = [] if df is None else [
        [x.project, x.project_name, x.customer, x.product, x.seq, x.milestone, r.person(x.owner), x.planned_date,
         x.actual_date, _label("engineering.state.", x.state, lang), _late_days(x.days_late)] for x in df.itertuples()]
    p.sheet(tr("meeting.minutes.sheet_npi"), tr("meeting.minutes.sub.npi"), cols, rows, freeze_cols=1,
            empty=_not_kept(p) if df is None else None)


def render_pack(r: MeetingRecord, lang: str) -> bytes:
    """The meeting pack: the cover, decisions, actions, the KPIs frozen at close, and the lists
    the sections showed (frozen at close; a meeting whose lists were not kept says so on each)."""
    p = _Pack(r, lang)
    _cover(p)
    _decisions_sheet(p)
    _actions_sheet(p)
    _kpi_sheet(p)
    tables = r.tables
    get = (lambda k: None) if tables is None else tables.get
    _late_lines_sheet(p, get("late_lines"))
    _load_sheet(p, get("load"))
    _late_pos_sheet(p, get("late_pos"))
    _complaints_sheet(p, get("complaints"))
    _npi_sheet(p, get("npi"))
    return p.save()


def _sheet_name(name: str) -> str:
    """A valid Excel sheet name: at most 31 characters, none of []:*?/\\."""
    return re.sub(r"[\[\]:*?/\\]", "-", name)[:31] or "Sheet"


def render_all(r: MeetingRecord, lang: str) -> dict[str, bytes]:
    """Every document written at close: minutes_md, minutes_pdf, pack_xlsx."""
    return {"minutes_md": render_markdown(r, lang).encode("utf-8"), "minutes_pdf": render_pdf(r, lang),
            "pack_xlsx": render_pack(r, lang)}
