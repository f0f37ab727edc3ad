"""Minutes (Markdown and PDF) and the meeting pack (Excel) of a closed meeting.

One list of blocks (title, facts, tables, lists) is built from the database, and each format
renders the same blocks, so the Markdown, the PDF and the workbook say the same thing. Blocks hold
plain text; only the Markdown adds markup, and it escapes every text it places (lib.text.md_text),
so a decision or a name is never read as Markdown or HTML. The PDF and the workbook write text
as it is (fpdf2 without markdown, every text cell neutralised against formulas).

The PDF embeds a CJK font so Chinese renders anywhere. The font comes, in order, from the
pinned `pylopdf-fonts-zh-cn` package (Noto Sans SC, SIL Open Font License 1.1; a Python
dependency, so CI and users have it without system fonts), else from common system locations
(Debian's fonts-noto-cjk, WenQuanYi, Windows/macOS fonts).
"""
from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd

from lib.departments import AGENDA, DEPARTMENTS
from lib.errors import TandemError
from lib.formats import fmt_value
from lib.i18n import t
from lib.store.exports import neutralise
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


# ---------------------------------------------------------------------------- blocks

def _d(value) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    return pd.Timestamp(value).strftime("%Y-%m-%d")


def _dt(value) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    return pd.Timestamp(value).strftime("%Y-%m-%d %H:%M")


def _s(value) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    return str(value)


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


def _action_rows(df: pd.DataFrame, lang: str, carried: bool) -> list[list[str]]:
    rows = []
    for _, a in df.iterrows():
        row = [f"#{int(a['action_id'])}", _s(a["title"]), t(f"dept.{a['owner_department']}", lang=lang),
               _s(a["owner"]), _d(a["due_date"]), t(f"action.status.{a['status']}", lang=lang),
               str(int(a["times_discussed"]))]
        if carried:
            note = _s(a.get("discussion_note"))
            if _d(a.get("new_due")):
                note = (note + " · " if note else "") + t("meeting.minutes.new_due", lang=lang, date=_d(a["new_due"]))
            row.append(note)
        else:
            row.append(_section(a["section"], lang))
        rows.append(row)
    return rows


def blocks(r: MeetingRecord, lang: str) -> list[tuple]:
    """The minutes as blocks: ('h1'|'h2', text), ('facts', [(k, v)]), ('table', header, rows),
    ('list', [text]), ('p', text)."""
    m, tr = r.meeting, (lambda k, **v: t(k, lang=lang, **v))
    out: list[tuple] = [("h1", tr("meeting.minutes.title") + " · " + _s(m["title"]))]
    out.append(("facts", [
        (tr("meeting.date"), _d(m["meeting_date"])), (tr("meeting.chair"), _s(m["chair"])),
        (tr("meeting.note_taker"), _s(m["note_taker"])),
        (tr("meeting.minutes.held"), f"{_dt(m['started_at'])} – {_dt(m['ended_at'])}"),
    ]))
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
                        [", ".join(part.loc[part["status"] == s, "person"]) for s in ("present", "absent", "excused")])
        out.append(("table", [tr("meeting.minutes.department"), tr("meeting.att.present"), tr("meeting.att.absent"),
                              tr("meeting.att.excused")], rows))
    out.append(("h2", tr("meeting.minutes.agenda")))
    out.append(("table", ["#", tr("meeting.minutes.section"), tr("meeting.minutes.planned_min"), tr("meeting.minutes.actual_min")],
                [[str(int(a["seq"])), _section(a["section"], lang), f"{a['minutes_planned']:g}",
                  f"{a['seconds_elapsed'] / 60:.0f}"] for _, a in r.agenda.iterrows()]))
    out.append(("h2", tr("meeting.minutes.kpis")))
    if r.snapshot.empty:
        out.append(("p", tr("meeting.minutes.none")))
    else:
        snap = r.snapshot.assign(_o=r.snapshot["section"].map({s: i for i, s in enumerate(AGENDA)}))
        out.append(("table", [tr("meeting.minutes.section"), tr("meeting.minutes.kpi"), tr("meeting.minutes.value"),
                              tr("meeting.minutes.target"), tr("meeting.minutes.status")],
                    [[_section(s["section"], lang), t(s["kpi"], lang=lang), fmt_value(s["value"], s["unit"], lang),
                      fmt_value(s["target"], s["unit"], lang) if not pd.isna(s["target"]) else "", _status(s, lang)]
                     for _, s in snap.sort_values(["_o", "kpi"]).iterrows()]))
    head = ["#", tr("action.title"), tr("action.owner_department"), tr("action.owner"), tr("action.due"),
            tr("action.status"), tr("action.times_discussed")]
    out.append(("h2", tr("meeting.minutes.carried")))
    out.append(("table", head + [tr("meeting.minutes.discussion")], _action_rows(r.carried, lang, True))
               if not r.carried.empty else ("p", tr("meeting.minutes.none")))
    out.append(("h2", tr("meeting.minutes.decisions")))
    out.append(("list", [f"[{_section(d['section'], lang)}] {d['text']} — {d['decided_by']}"
                         for _, d in r.decisions.iterrows()]) if not r.decisions.empty else ("p", tr("meeting.minutes.none")))
    out.append(("h2", tr("meeting.minutes.new_actions")))
    out.append(("table", head + [tr("meeting.minutes.section")], _action_rows(r.new_actions, lang, False))
               if not r.new_actions.empty else ("p", tr("meeting.minutes.none")))
    if r.next_meeting:
        out.append(("h2", tr("meeting.minutes.next")))
        out.append(("p", f"{_d(r.next_meeting['meeting_date'])} · {_s(r.next_meeting['title'])}"))
    return out


# ---------------------------------------------------------------------------- formats

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


def render_pdf(r: MeetingRecord, lang: str) -> bytes:
    """The minutes as a PDF. Every text is drawn as it is: markdown=False everywhere (fpdf2 would
    otherwise read **, __ and -- as styles), and fpdf2 has no HTML in these calls."""
    from fpdf import FPDF
    from fpdf.fonts import FontFace
    pdf = FPDF(orientation="L", format="A4")
    pdf.set_auto_page_break(True, margin=12)
    pdf.add_font("cjk", "", str(cjk_font_path()))
    pdf.set_title(t("meeting.minutes.title", lang=lang) + " · " + _s(r.meeting["title"]))
    pdf.set_creator("Tandem")
    pdf.add_page()
    heading = FontFace(emphasis=None, fill_color=(230, 236, 245))
    for b in blocks(r, lang):
        kind = b[0]
        if kind == "h1":
            pdf.set_font("cjk", size=18)
            pdf.multi_cell(0, 10, b[1], new_x="LMARGIN", new_y="NEXT", markdown=False)
            pdf.ln(2)
        elif kind == "h2":
            pdf.ln(3)
            pdf.set_font("cjk", size=14)
            pdf.multi_cell(0, 8, b[1], new_x="LMARGIN", new_y="NEXT", markdown=False)
        elif kind == "facts":
            pdf.set_font("cjk", size=11)
            for k, v in b[1]:
                pdf.multi_cell(0, 6, f"{k}: {v}", new_x="LMARGIN", new_y="NEXT", markdown=False)
        elif kind == "table":
            pdf.set_font("cjk", size=9)
            with pdf.table(headings_style=heading, line_height=5.5, text_align="LEFT", markdown=False) as table:
                table.row(list(b[1]))
                for row in b[2]:
                    table.row([str(c) for c in row])
        elif kind == "list":
            pdf.set_font("cjk", size=11)
            for i, x in enumerate(b[1], start=1):
                pdf.multi_cell(0, 6, f"{i}. {x}", new_x="LMARGIN", new_y="NEXT", markdown=False)
        else:
            pdf.set_font("cjk", size=11)
            pdf.multi_cell(0, 6, b[1], new_x="LMARGIN", new_y="NEXT", markdown=False)
    return bytes(pdf.output())


def render_pack(r: MeetingRecord, lang: str) -> bytes:
    """The meeting pack: a sheet per agenda section (its KPIs, decisions, actions), plus all actions
    and all decisions."""
    tr = (lambda k, **v: t(k, lang=lang, **v))
    facts = pd.DataFrame([(k, v) for b in blocks(r, lang) if b[0] == "facts" for k, v in b[1]],
                         columns=[tr("meeting.minutes.item"), tr("meeting.minutes.value")])
    cols = {"action_id": "#", "title": tr("action.title"), "owner_department": tr("action.owner_department"),
            "owner": tr("action.owner"), "due_date": tr("action.due"), "status": tr("action.status"),
            "times_discussed": tr("action.times_discussed"), "section": tr("meeting.minutes.section"),
            "result": tr("action.result"), "discussion_note": tr("meeting.minutes.discussion"),
            "new_due": tr("meeting.minutes.new_due_col")}
    both = pd.concat([r.carried.assign(_kind=tr("meeting.minutes.carried")),
                      r.new_actions.assign(_kind=tr("meeting.minutes.new_actions"))], ignore_index=True)
    acts = pd.DataFrame({tr("meeting.minutes.kind"): both.get("_kind", pd.Series(dtype=object))})
    for c, name in cols.items():
        acts[name] = both[c] if c in both else None
    for c in (tr("action.due"), tr("meeting.minutes.new_due_col")):
        acts[c] = acts[c].map(_d)
    if not acts.empty:
        acts[tr("action.owner_department")] = [t(f"dept.{d}", lang=lang) for d in both["owner_department"]]
        acts[tr("action.status")] = [t(f"action.status.{s}", lang=lang) for s in both["status"]]
        acts[tr("meeting.minutes.section")] = [_section(s, lang) for s in both["section"]]
    decs = pd.DataFrame({"#": r.decisions["decision_id"], tr("meeting.minutes.section"): [_section(s, lang) for s in r.decisions["section"]],
                         tr("meeting.minutes.decision"): r.decisions["text"], tr("meeting.decision.by"): r.decisions["decided_by"],
                         tr("meeting.decision.at"): [_dt(x) for x in r.decisions["decided_at"]]})
    sheets: dict[str, pd.DataFrame] = {tr("meeting.minutes.sheet_meeting"): facts}
    for s in AGENDA:
        if s == "close":
            continue
        snap = r.snapshot[r.snapshot["section"] == s]
        kp = pd.DataFrame({tr("meeting.minutes.kpi"): [t(k, lang=lang) for k in snap["kpi"]],
                           tr("meeting.minutes.value"): [fmt_value(v, u, lang) for v, u in zip(snap["value"], snap["unit"])],
                           tr("meeting.minutes.target"): [fmt_value(v, u, lang) if not pd.isna(v) else "" for v, u in
                                                  zip(snap["target"], snap["unit"])],
                           tr("meeting.minutes.status"): [_status(row, lang) for _, row in snap.iterrows()]})
        d = decs[[x == _section(s, lang) for x in decs[tr("meeting.minutes.section")]]] if not decs.empty else decs
        a = acts[[x == _section(s, lang) for x in acts[tr("meeting.minutes.section")]]] if not acts.empty else acts
        if s == "actions":
            a = acts[acts[tr("meeting.minutes.kind")] == tr("meeting.minutes.carried")] if not acts.empty else acts
        sheets[_section(s, lang)] = _stack([(tr("meeting.minutes.kpis"), kp), (tr("meeting.minutes.decisions"), d),
                                            (tr("meeting.minutes.actions"), a)])
    sheets[tr("meeting.minutes.actions")] = acts
    sheets[tr("meeting.minutes.decisions")] = decs
    sheets[tr("meeting.minutes.attendance")] = r.attendance.rename(columns={
        "person": tr("meeting.minutes.person"), "department": tr("meeting.minutes.department"), "status": tr("meeting.minutes.att_status")})
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as xl:
        for name, df in sheets.items():
            stacked = all(isinstance(c, int) for c in df.columns) and len(df.columns) > 0
            neutralise(df).to_excel(xl, sheet_name=_sheet_name(name), index=False, header=not stacked)
        for props in (xl.book.properties,):
            props.creator = "Tandem"
            props.created = props.modified = pd.Timestamp(r.meeting["ended_at"] or r.as_of).to_pydatetime()
    return buf.getvalue()


def _sheet_name(name: str) -> str:
    """A valid Excel sheet name: at most 31 characters, none of []:*?/\\."""
    return re.sub(r"[\[\]:*?/\\]", "-", name)[:31] or "Sheet"


def _stack(parts: list[tuple[str, pd.DataFrame]]) -> pd.DataFrame:
    """Several small tables one under another in one sheet, each under a title row."""
    rows: list[list] = []
    for title, df in parts:
        rows.append([title])
        if df.empty:
            rows.append(["—"])
        else:
            rows.append(list(df.columns))
            rows += df.astype(object).where(df.notna(), "").values.tolist()
        rows.append([])
    width = max((len(r) for r in rows), default=1)
    return pd.DataFrame([r + [""] * (width - len(r)) for r in rows], columns=list(range(width)))


def render_all(r: MeetingRecord, lang: str) -> dict[str, bytes]:
    """Every document written at close: minutes_md, minutes_pdf, pack_xlsx."""
    return {"minutes_md": render_markdown(r, lang).encode("utf-8"), "minutes_pdf": render_pdf(r, lang),
            "pack_xlsx": render_pack(r, lang)}
