"""Minutes a chair would send: the PDF (decisions first, people by name, the dates and a warning
when the meeting was held on another day, columns sized from their content) and the meeting
pack (real numbers and dates, frozen filtered headers, print setup, a sheet per section, frozen
at close). One meeting is closed once on tests/data/minutes (see its header for the plan):
scheduled for Monday 11-30, started a week early on 11-23 (confirmed), one decision by the chair
and one action raised from it, owned by Li Na's account."""
from __future__ import annotations

import io
import re
from datetime import date, datetime

import openpyxl
import pandas as pd
import pypdf
import pytest

from lib.filters import Filters
from lib.meeting import actions, meetings, minutes
from lib.people.auth import User
from lib.store.db import Database
from tests.conftest import DATA

CHAIR = User("zhang", "chair", None, "Zhang Wei")
AS_OF = date(2026, 11, 23)                    # Monday
SCHEDULED = date(2026, 11, 30)                # next Monday: started a week early
F = Filters(start=date(2026, 11, 2), end=AS_OF)
SHEETS = ["Meeting", "Decisions", "Actions", "KPIs", "Late lines", "Load heatmap", "Late POs", "Complaints",
          "NPI milestones"]


def _scenario() -> Database:
    db = Database(":memory:")
    with db.cursor() as cur:
        cur.execute((DATA / "minutes" / "scenario.sql").read_text(encoding="utf-8"))
    return db


def _schedule(db) -> int:
    return meetings.create(db, CHAIR, meeting_date=SCHEDULED, chair="zhang", note_taker="li", title="W49",
                           attendees=[("li", "pmc"), ("qc", "quality")])


@pytest.fixture(scope="module")
def closed():
    """(db, meeting id, action id): the meeting run and closed once for the module."""
    db = _scenario()
    mid = _schedule(db)
    meetings.start(db, CHAIR, mid, now=datetime(2026, 11, 23, 9, 0))
    did = meetings.record_decision(db, CHAIR, mid, section="pmc", text="Saturday overtime on the press",
                                   decided_by="zhang", now=datetime(2026, 11, 23, 9, 30))
    aid = actions.create(db, CHAIR, title="Staff the Saturday shift", owner_department="pmc", owner="li",
                         due_date=date(2026, 12, 4), section="pmc", meeting_id=mid, decision_id=did,
                         now=datetime(2026, 11, 23, 9, 31))
    meetings.close(db, CHAIR, mid, f=F, as_of=AS_OF, lang="en", now=datetime(2026, 11, 23, 10, 30))
    yield db, mid, aid
    db.close()


def _pdf_text(content: bytes) -> str:
    # pypdf reads this font's text with a NUL beside each glyph; blanks are dropped to compare
    text = "".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(content)).pages)
    return re.sub(r"[\s\x00]+", "", text)


def _pack(db, mid) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(meetings.document(db._con, mid, "pack_xlsx")))


def _rows(ws) -> list[dict]:
    """The sheet's table as dicts keyed by header (header on row 3, data under it)."""
    head = [c.value for c in ws[3]]
    return [dict(zip(head, r)) for r in ws.iter_rows(min_row=4, values_only=True) if any(v is not None for v in r)]


# ---------------------------------------------------------------------------- starting early

def test_days_early_counts_the_days_a_start_now_comes_before_the_date():
    db = _scenario()
    mid = _schedule(db)
    assert meetings.days_early(db._con, mid, datetime(2026, 11, 23, 9)) == 7
    assert meetings.days_early(db._con, mid, datetime(2026, 11, 29, 23, 59)) == 1
    assert meetings.days_early(db._con, mid, datetime(2026, 11, 30, 0, 0)) == 0
    assert meetings.days_early(db._con, mid, datetime(2026, 12, 2, 9)) == 0        # late: nothing to confirm


def _record(started: str | None) -> minutes.MeetingRecord:
    """A record by hand (no database): scheduled 2026-12-08, started at `started`."""
    empty = pd.DataFrame()
    return minutes.MeetingRecord(
        meeting={"title": "W50", "meeting_date": pd.Timestamp("2026-12-08"), "chair": "chair", "note_taker": None,
                 "started_at": pd.Timestamp(started) if started else None, "ended_at": None},
        attendance=pd.DataFrame(columns=["person", "department", "status"]),
        agenda=pd.DataFrame(columns=["seq", "section", "minutes_planned", "seconds_elapsed"]),
        snapshot=pd.DataFrame(columns=["section", "kpi", "value", "target", "unit"]),
        decisions=pd.DataFrame(columns=["decision_id", "section", "text", "decided_by", "decided_at"]),
        new_actions=empty, carried=empty, next_meeting=None, as_of=date(2026, 12, 1), names={"chair": "王建国"})


@pytest.mark.parametrize("started,warning", [
    ("2026-12-01 09:00", "Held on 2026-12-01, 7 day(s) before the date it was scheduled for (2026-12-08)."),
    ("2026-12-10 09:00", "Held on 2026-12-10, 2 day(s) after the date it was scheduled for (2026-12-08)."),
    ("2026-12-08 09:00", None),
    (None, None),                                        # not started: nothing to compare
])
def test_minutes_warn_when_held_on_another_day(started, warning):
    r = _record(started)
    assert minutes.date_warning(r, "en") == warning
    md = minutes.render_markdown(r, "en")
    assert "- **Scheduled for**: 2026-12-08" in md and "- **Chair**: 王建国" in md
    if warning:
        assert f"> **Note:** {warning}" in md
        assert re.sub(r"\s+", "", warning) in _pdf_text(minutes.render_pdf(r, "en"))
        assert "提前 7 天" in minutes.date_warning(r, "zh") or "推迟 2 天" in minutes.date_warning(r, "zh")
    else:
        assert "Note:" not in md


def test_a_record_with_nothing_in_it_still_renders_every_document():
    docs = minutes.render_all(_record(None), "zh")
    wb = openpyxl.load_workbook(io.BytesIO(docs["pack_xlsx"]))
    assert wb["决议"]["A4"].value == "无。" and wb["延期订单行"]["A4"].value.startswith("未保存")
    assert "无。" in _pdf_text(docs["minutes_pdf"])


# ---------------------------------------------------------------------------- the PDF

def test_pdf_puts_decisions_first_then_actions_and_names_people(closed):
    db, mid, aid = closed
    text = _pdf_text(meetings.document(db._con, mid, "minutes_pdf"))
    order = ["Decisions", "Saturdayovertimeonthepress", "Newactions", "StafftheSaturdayshift",
             "Actionsfromearliermeetings", "KPIsasshown", "Attendance", "Agenda"]
    at = [text.find(x) for x in order]
    assert -1 not in at and at == sorted(at), dict(zip(order, at))
    # the chair, the decider, the note taker and the owner by display name; accounts never
    assert "ChairZhangWei" in text and "NotetakerLiNa" in text
    assert f"[PMC]Saturdayovertimeonthepress—ZhangWei→#{aid}" in text
    assert "LiNa" in text[at[2]:at[4]]                                   # the action's owner
    assert "zhang" not in text
    # the week-early start, under the dates
    assert "Heldon2026-11-23,7day(s)beforethedateitwasscheduledfor(2026-11-30)" in text


@pytest.mark.parametrize("rows,total,widths", [
    # everything fits: each column as wide as its longest line (+ 2 padding)
    ([["#1", "short", "2026-12-04"]], 100, [4, 8, 12]),         # "Action" is wider than "short"
    # too wide: the date and the id keep their width, the long text gets the rest and wraps
    ([["#1", "a long text " * 20, "2026-12-04"]], 60, [4, 44, 12]),
    # two long texts share what is left in proportion to their length (never below a word)
    ([["#1", "x " * 59, "y " * 29]], 64, [4, 40, 20]),
])
def test_column_widths_come_from_content(rows, total, widths):
    got = minutes.column_widths(len, ["#", "Action", "Due"], rows, total)
    assert [round(w, 6) for w in got] == widths


def test_a_heading_wraps_between_words_not_inside_them():
    got = minutes.column_widths(len, ["Meetings discussed", "计划（分钟）"], [["3", "10"]], 100)
    assert got == [len("discussed") + 2, len("计划（分钟）") + 2]


# ---------------------------------------------------------------------------- the pack

def test_pack_has_a_sheet_per_section_each_set_up_to_print_as_a_report(closed):
    db, mid, _ = closed
    wb = _pack(db, mid)
    assert wb.sheetnames == SHEETS
    for ws in wb.worksheets:
        ps = ws.page_setup
        assert (ps.orientation, int(ps.paperSize), ps.fitToWidth) == ("landscape", 9, 1), ws.title     # 9: A4
        assert ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
        assert ws["A1"].value == "W49 · Scheduled for 2026-11-30 · Held 2026-11-23 09:00 – 10:30", ws.title
        assert ws["A1"].font.b and ws.print_area, ws.title
        assert "&P / &N" in ws.oddFooter.right.text, ws.title
        if ws.title == "Meeting":
            continue
        # a table: bold header on row 3, frozen under it, filtered, repeated on every printed page
        assert ws.freeze_panes.endswith("4") and ws.auto_filter.ref.startswith("A3:"), ws.title
        assert ws.print_title_rows == "$3:$3", ws.title
        assert all(c.font.b for c in ws[3] if c.value is not None), ws.title
        assert all(ws.column_dimensions[c.column_letter].width > 3 for c in ws[3] if c.value), ws.title


def test_pack_cells_are_numbers_and_dates_with_formats(closed):
    db, mid, aid = closed
    wb = _pack(db, mid)
    kpis = {r["KPI"]: r for r in _rows(wb["KPIs"])}
    # P1 was due before the close and is not received: supplier on time 0 %, a number shown as %
    assert kpis["Supplier on-time"]["Value"] == pytest.approx(0.0)
    assert kpis["Supplier on-time"]["Target"] == pytest.approx(0.95)
    assert kpis["Supplier on-time"]["Status"] == "off target"
    # the peak load counts from next week: this week's 32 h on Wednesday are not in it, so no value
    assert kpis["Peak load ahead"]["Value"] is None and kpis["Peak load ahead"]["Status"] == "not rated"
    cells = {c.value: c for c in wb["KPIs"]["B"]}
    row = cells["Supplier on-time"].row
    assert wb["KPIs"].cell(row, 3).number_format == "0.0%"
    row = cells["Open countermeasures"].row             # a detail is shown beside the status
    assert wb["KPIs"].cell(row, 5).value == "on target · 0 overdue"
    row = cells["Price variance (ordered)"].row                   # P1 ordered in the period: (12.5 - 10) x 10
    assert wb["KPIs"].cell(row, 3).value == pytest.approx(25) and "¥" in wb["KPIs"].cell(row, 3).number_format
    late = _rows(wb["Late lines"])
    assert [(r["Order"], r["Days late"], r["Projected finish"].date(), r["Late PO"]) for r in late] == \
        [("O4", 1, date(2026, 11, 26), "P1")]
    due = wb["Late lines"].cell(4, 7)
    assert isinstance(due.value, datetime) and due.number_format == "yyyy-mm-dd"
    pos = _rows(wb["Late POs"])
    assert [(r["PO"], r["Open qty"], r["Days late"], r["Unit price"], r["Lines endangered"]) for r in pos] == \
        [("P1", 10, 3, 12.5, 4)]
    po = {c.value: wb["Late POs"].cell(4, c.column) for c in wb["Late POs"][3]}
    assert po["Open qty"].number_format == "#,##0"              # whole quantities: no decimal point shown
    assert po["Unit price"].number_format == '"¥"#,##0.00'
    comp = _rows(wb["Complaints"])
    assert [(r["Complaint"], r["Days open"], r["Owner"]) for r in comp] == [("K1", 13, "Chen Jing")]
    npi = _rows(wb["NPI milestones"])
    assert [(r["Milestone"], r["Owner"], r["Days late"]) for r in npi] == [("Design", "Zhao Lei", 2),
                                                                           ("Pilot run", "Zhao Lei", None)]
    acts = _rows(wb["Actions"])
    assert [(r["#"], r["Owner"], r["Due"].date()) for r in acts] == [(aid, "Li Na", date(2026, 12, 4))]
    decs = _rows(wb["Decisions"])
    assert [(r["Decided by"], r["Actions"]) for r in decs] == [("Zhang Wei", f"#{aid}")]
    assert isinstance(decs[0]["Decided at"], datetime)


def test_load_heatmap_is_work_centers_by_week_coloured_by_band(closed):
    db, mid, _ = closed
    ws = _pack(db, mid)["Load heatmap"]
    head = [c.value for c in ws[3]]
    assert head[:4] == ["Work center", "Name", "W48\n11-23", "W49\n11-30"]
    w1 = ws[4]
    assert [c.value for c in w1[:4]] == ["W1", "Press", pytest.approx(0.8), 0]
    assert w1[2].number_format == "0%"
    assert w1[2].fill.fgColor.rgb.endswith(minutes.BAND_FILL["tight"])         # 70-90 %
    assert w1[3].fill.fgColor.rgb.endswith(minutes.BAND_FILL["ok"])


def test_pack_lists_agree_with_the_kpis_frozen_with_them(closed):
    """One definition per number: each list has as many rows as its KPI counted at close."""
    db, mid, _ = closed
    wb = _pack(db, mid)
    snap = meetings.snapshot(db._con, mid).set_index("kpi")["value"]
    assert len(_rows(wb["Late lines"])) == snap["kpi.late_lines"] == 1
    assert len(_rows(wb["Late POs"])) == snap["purchasing.kpi.late_pos"] == 1
    assert len(_rows(wb["Complaints"])) == snap["kpi.open_complaints"] == 1
    assert sum(r["Lines endangered"] for r in _rows(wb["Late POs"])) == snap["purchasing.kpi.lines_endangered"]


def test_a_pack_drawn_without_the_frozen_lists_says_so(closed):
    """A meeting closed outside Tandem's close has no frozen lists: its section sheets say so
    rather than show today's figures as the meeting's."""
    db, mid, _ = closed
    with db.cursor() as cur:
        r = meetings.record(cur, mid, AS_OF)
    wb = openpyxl.load_workbook(io.BytesIO(minutes.render_pack(r, "zh")))
    assert wb.sheetnames == ["会议", "决议", "行动项", "指标", "延期订单行", "产能负荷", "逾期采购单", "客诉", "新品里程碑"]
    for name in wb.sheetnames[4:]:
        assert wb[name]["A4"].value.startswith("未保存"), name
    assert wb["指标"]["C4"].value is not None or wb["指标"]["D4"].value is not None      # the snapshot is kept


# ---------------------------------------------------------------------------- the Meetings page

def test_meetings_page_asks_before_starting_a_meeting_early(tmp_path, monkeypatch):
    """Start on a meeting scheduled a week from today: a warning naming both dates and a
    confirmation naming today; Cancel leaves it scheduled, the confirmation starts it."""
    from datetime import timedelta

    from streamlit.testing.v1 import AppTest

    from tests.conftest import ROOT, select_page
    path = tmp_path / "m.duckdb"
    db = Database(path)
    today = datetime.now().date()      # the page starts meetings by the clock, as lib stamps them
    mid = meetings.create(db, CHAIR, meeting_date=today + timedelta(days=7), chair="Zhang Wei", title="Next week")
    db.checkpoint()
    db.close()
    for key, value in {"TANDEM_DB": str(path), "TANDEM_AS_OF": AS_OF.isoformat(), "TANDEM_LANG": "en",
                       "TANDEM_AUTH": "off"}.items():
        monkeypatch.setenv(key, value)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.session_state["user"] = CHAIR
    at.run()
    select_page(at, "meetings").run()

    def button(label):
        return next(b for b in at.button if b.label == label)

    button("Start the meeting").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    warning = " ".join(w.value for w in at.warning)
    assert f"scheduled for **{today + timedelta(days=7):%Y-%m-%d}**, 7 day(s) from today" in warning
    assert f"held today, **{today:%Y-%m-%d}**" in warning
    assert button("Start the meeting").disabled
    button("Cancel").click().run()
    assert not at.warning and _meeting(path, mid)["status"] == "scheduled"
    button("Start the meeting").click().run()
    button(f"Start it today, {today:%Y-%m-%d}").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    m = _meeting(path, mid)
    assert m["status"] == "running" and m["started_at"].date() == today


def _meeting(path, mid: int) -> dict:
    """The meeting as the app's own gateway reads it now."""
    from lib.store.db import get_db
    with get_db(str(path)).cursor() as cur:
        return meetings.get(cur, mid)
