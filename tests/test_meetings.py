"""Meeting rules: schedule, agenda clock, decisions, close (snapshot, minutes, pack, carry-over)."""
import io
import re
from datetime import date, datetime

import openpyxl
import pandas as pd
import pypdf
import pytest

from lib.errors import PermissionDenied, RuleViolation, ValidationError
from lib.filters import Filters
from lib.meeting import actions, meetings
from lib.people.auth import User

CHAIR = User("zhang", "chair", None, "Zhang Wei")
PMC_HEAD = User("li", "head", "pmc", "Li Na")
F = Filters(start=date(2026, 11, 2), end=date(2026, 11, 25))


def _meeting(db, day, title=None):
    return meetings.create(db, CHAIR, meeting_date=day, chair="Zhang Wei", note_taker="Wang Fang",
                           title=title or f"产销协调会 {day}", attendees=[("Li Na", "pmc"), ("Wang Fang", "sales")])


def _run(db, mid, at=datetime(2026, 11, 25, 9, 0)):
    meetings.start(db, CHAIR, mid, now=at)


def _close(db, mid, as_of, at=None):
    return meetings.close(db, CHAIR, mid, f=F, as_of=as_of, now=at or datetime(2026, 11, 25, 10, 30))


def test_create_builds_the_agenda_in_seed_order_with_time_boxes(db):
    mid = meetings.create(db, CHAIR, meeting_date="2026-11-25", chair="Zhang Wei", title="W48",
                          minutes={"pmc": 20}, attendees=[("Li Na", "pmc"), ("", None), ("Guest", "")])
    ag = meetings.agenda(db._con, mid)
    assert ag["section"].tolist() == ["actions", "sales", "pmc", "purchasing", "quality", "engineering",
                                      "decisions", "close"]
    assert ag["minutes_planned"].tolist() == [15, 10, 20, 10, 10, 10, 10, 5]
    att = meetings.attendance(db._con, mid)
    assert sorted(att["person"]) == ["Guest", "Li Na"] and set(att["status"]) == {"present"}


@pytest.mark.parametrize("kwargs,error", [
    ({"meeting_date": None}, ValidationError),
    ({"chair": " "}, ValidationError),
    ({"title": ""}, ValidationError),
    ({"minutes": {"sales": 0}}, ValidationError),
    ({"minutes": {"lunch": 10}}, ValidationError),
    ({"attendees": [("Li", "finance")]}, ValidationError),
])
def test_bad_meeting_refused(db, kwargs, error):
    args = dict(meeting_date=date(2026, 11, 25), chair="Zhang", title="W48")
    args.update(kwargs)
    with pytest.raises(error):
        meetings.create(db, CHAIR, **args)
    assert db.scalar("SELECT count(*) FROM meetings") == 0
    assert db.scalar("SELECT count(*) FROM agenda_items") == 0


def test_only_the_chair_runs_meetings(db):
    with pytest.raises(PermissionDenied):
        meetings.create(db, PMC_HEAD, meeting_date=date(2026, 11, 25), chair="Li", title="x")


def test_agenda_clock_banks_time_and_resumes(db):
    mid = _meeting(db, date(2026, 11, 25))
    _run(db, mid, datetime(2026, 11, 25, 9, 0))
    meetings.goto(db, CHAIR, mid, 2, now=datetime(2026, 11, 25, 9, 12))        # actions took 12 min
    meetings.goto(db, CHAIR, mid, 1, now=datetime(2026, 11, 25, 9, 20))        # sales 8 min, back
    ag = meetings.agenda(db._con, mid, now=datetime(2026, 11, 25, 9, 25))
    assert ag.loc[0, "seconds_elapsed"] == 17 * 60                              # 12 + 5 running
    assert ag.loc[1, "seconds_elapsed"] == 8 * 60
    assert meetings.current_seq(db._con, mid) == 1
    with pytest.raises(ValidationError):
        meetings.goto(db, CHAIR, mid, 9)


def test_decisions_and_closed_meeting_is_read_only(db):
    mid = _meeting(db, date(2026, 11, 25))
    _run(db, mid)
    with pytest.raises(ValidationError):
        meetings.record_decision(db, CHAIR, mid, section="pmc", text="  ", decided_by="Zhang")
    meetings.record_decision(db, CHAIR, mid, section="pmc", text="Add a Saturday shift on line 2",
                             decided_by="Zhang Wei")
    _close(db, mid, date(2026, 11, 25))
    before = db.query("SELECT count(*) AS n FROM audit_log").iloc[0, 0]
    refused = [
        lambda: meetings.record_decision(db, CHAIR, mid, section="pmc", text="late", decided_by="Zhang"),
        lambda: actions.create(db, CHAIR, title="late", owner_department="pmc", owner="Li",
                               due_date=date(2026, 12, 1), section="pmc", meeting_id=mid),
        lambda: meetings.goto(db, CHAIR, mid, 2),
        lambda: meetings.set_time_boxes(db, CHAIR, mid, {"sales": 30}),
        lambda: meetings.set_attendance(db, CHAIR, mid, pd.DataFrame({"person": ["X"], "status": ["present"]})),
        lambda: _close(db, mid, date(2026, 11, 25)),                            # closing twice
    ]
    for call in refused:
        with pytest.raises(RuleViolation, match="closed"):
            call()
    assert db.query("SELECT count(*) AS n FROM audit_log").iloc[0, 0] == before


def test_close_requires_a_started_meeting(db):
    mid = _meeting(db, date(2026, 11, 25))
    with pytest.raises(RuleViolation, match="not started"):
        _close(db, mid, date(2026, 11, 25))


@pytest.mark.slow
def test_counters_and_carry_over_across_three_meetings(db):
    days = [date(2026, 11, 11), date(2026, 11, 18), date(2026, 11, 25)]
    m1 = _meeting(db, days[0])
    _run(db, m1, datetime(2026, 11, 11, 9))
    late = actions.create(db, CHAIR, title="Repair press 3", owner_department="pmc", owner="Li Na",
                          due_date=date(2026, 11, 16), section="pmc", meeting_id=m1, now=datetime(2026, 11, 11, 9, 5))
    quick = actions.create(db, CHAIR, title="Call customer C-07", owner_department="sales", owner="Wang Fang",
                           due_date=date(2026, 11, 13), section="sales", meeting_id=m1, now=datetime(2026, 11, 11, 9, 6))
    closed1 = meetings.close(db, CHAIR, m1, f=F, as_of=days[0], now=datetime(2026, 11, 11, 10))
    # the next meeting was scheduled a week later, with the same chair and attendees
    m2 = closed1.next_meeting_id
    nxt = meetings.get(db._con, m2)
    assert (nxt["meeting_date"].date(), nxt["status"], nxt["title"]) == (days[1], "scheduled", f"产销协调会 {days[1]}")
    assert sorted(meetings.attendance(db._con, m2)["person"]) == ["Li Na", "Wang Fang"]
    # both actions are carried into meeting 2
    assert sorted(meetings.carried_actions(db._con, m2, days[1])["action_id"]) == [late, quick]

    actions.transition(db, User("wang", "head", "sales", "Wang Fang"), quick, "done", note="called",
                       now=datetime(2026, 11, 12, 15))
    actions.transition(db, CHAIR, quick, "verified", now=datetime(2026, 11, 13, 8))
    meetings.start(db, CHAIR, m2, now=datetime(2026, 11, 18, 9))
    assert meetings.carried_actions(db._con, m2, days[1])["action_id"].tolist() == [late]
    actions.discuss(db, CHAIR, late, m2, note="spare part from supplier late", new_due=date(2026, 11, 23))
    m3 = meetings.close(db, CHAIR, m2, f=F, as_of=days[1], now=datetime(2026, 11, 18, 10)).next_meeting_id
    meetings.start(db, CHAIR, m3, now=datetime(2026, 11, 25, 9))
    meetings.close(db, CHAIR, m3, f=F, as_of=days[2], now=datetime(2026, 11, 25, 10))

    lst = actions.action_list(db._con, days[2]).set_index("action_id")
    # late: raised in m1, carried in m2 and m3 -> 3 meetings; quick: verified before m2 -> 1
    assert lst.loc[late, "times_discussed"] == 3 and lst.loc[quick, "times_discussed"] == 1
    assert lst.loc[late, "days_open"] == 14                       # 11-11 .. 11-25
    assert lst.loc[late, "days_late"] == 2                        # new due 11-23
    assert bool(lst.loc[late, "escalated"]) and not bool(lst.loc[quick, "escalated"])
    assert meetings.carried_actions(db._con, m2, days[2])["discussion_note"].tolist() == \
        ["spare part from supplier late"]
    fun = actions.funnel(db._con, days[2]).set_index("meeting_id")
    # m1: 2 actions raised without decisions -> discussed 2, decided 2, assigned 2, done 1, verified 1;
    # both due by 11-25, one verified on time -> 50 %
    assert fun.loc[m1, ["discussed", "decided", "assigned", "done", "verified", "due", "on_time"]].tolist() == \
        [2, 2, 2, 1, 1, 2, 1]
    assert fun.loc[m1, "closure_on_time"] == pytest.approx(0.5)
    assert fun.loc[m2, "discussed"] == 1 and fun.loc[m3, "discussed"] == 1   # the carried action


def _closed_meeting(db):
    mid = _meeting(db, date(2026, 11, 25), title="产销协调会 第48周")
    _run(db, mid)
    with db.transaction(CHAIR) as tx:
        tx.insert("production_plan", {"date": date(2026, 11, 20), "work_center": "W1", "product": "P1", "qty": 100})
        tx.insert("production_actual", {"date": date(2026, 11, 20), "work_center": "W1", "product": "P1",
                                        "qty_good": 80})
    did = meetings.record_decision(db, CHAIR, mid, section="pmc", text="二号线周六加班 | overtime",
                                   decided_by="Zhang Wei")
    aid = actions.create(db, CHAIR, title="安排周六加班人员", owner_department="pmc", owner="Li Na",
                         due_date=date(2026, 11, 28), section="pmc", meeting_id=mid, decision_id=did)
    aid2 = actions.create(db, CHAIR, title="Chase supplier S-01", owner_department="purchasing", owner="Chen",
                          due_date=date(2026, 12, 2), section="purchasing", meeting_id=mid)
    _close(db, mid, date(2026, 11, 25))
    return mid, aid, aid2


def test_snapshot_is_frozen_against_later_changes(db):
    mid, _, _ = _closed_meeting(db)
    snap = meetings.snapshot(db._con, mid).set_index("kpi")
    assert snap.loc["kpi.plan_achievement", "value"] == pytest.approx(0.8)    # 80 / 100
    assert snap.loc["kpi.plan_achievement", "section"] == "pmc"
    assert snap.loc["kpi.open_actions", "value"] == 2
    md = meetings.document(db._con, mid, "minutes_md")
    with db.transaction(CHAIR) as tx:
        tx.update("production_actual", {"date": date(2026, 11, 20), "work_center": "W1", "product": "P1"},
                  {"qty_good": 100})
    assert meetings.snapshot(db._con, mid).set_index("kpi").loc["kpi.plan_achievement", "value"] == pytest.approx(0.8)
    assert meetings.document(db._con, mid, "minutes_md") == md


def test_closing_freezes_every_sections_kpis(db):
    """Every KPI presenter mode shows for a section is frozen with that section (a KPI shown by
    two sections once, with the first); purchasing/quality/engineering values hand-computed on
    the purchasing scenario (period 11-02..11-25, as of 11-25)."""
    from lib.departments import AGENDA
    from tests.conftest import DATA
    with db.cursor() as cur:
        cur.execute((DATA / "purchasing" / "scenario.sql").read_text())
    mid = _meeting(db, date(2026, 11, 25))
    _run(db, mid)
    _close(db, mid, date(2026, 11, 25))
    snap = meetings.snapshot(db._con, mid)
    seen = set()
    for section in AGENDA:
        keys = [k.key for k in meetings.section_kpis(db._con, section, F, date(2026, 11, 25)) if k.key not in seen]
        seen.update(keys)
        assert sorted(snap.loc[snap["section"] == section, "kpi"]) == sorted(keys), section
    for section in ("actions", "sales", "pmc", "purchasing", "quality", "engineering"):
        assert (snap["section"] == section).any(), section
    v = snap.set_index("kpi")
    assert v.loc["purchasing.kpi.supplier_otd", "value"] == pytest.approx(110 / 350)   # P1 60 + P2 50 of 350
    assert v.loc["purchasing.kpi.late_pos", "value"] == 2                              # P6, P3
    assert v.loc["purchasing.kpi.lines_endangered", "value"] == 2                      # O3, O2
    assert v.loc["purchasing.kpi.late_pos", "target"] == 0
    # first inspections with a result 11-02..11-25: pass, pass, fail, hold, pass
    assert v.loc["quality.kpi.incoming_fp", "value"] == pytest.approx(3 / 5)
    assert v.loc["quality.kpi.backlog", "value"] == 1                                  # the pending lot of 11-24
    assert v.loc["quality.kpi.on_hold", "value"] == 1                                  # M1, 10 on hold
    assert pd.isna(v.loc["engineering.kpi.npi_ontime", "value"])                       # no NPI: no data, not 0
    assert v.loc["engineering.kpi.open_ecn", "value"] == 0


def test_minutes_contain_every_decision_and_action(db):
    mid, aid, aid2 = _closed_meeting(db)
    md = meetings.document(db._con, mid, "minutes_md").decode("utf-8")
    assert md.startswith("# 产销协调会会议纪要 · 产销协调会 第48周")
    # a list item, one line: its | escaped like every stored text in the minutes (lib.text.md_text)
    assert "1. \\[PMC\\] 二号线周六加班 \\| overtime — Zhang Wei" in md
    for text in (f"#{aid}", "安排周六加班人员", f"#{aid2}", "Chase supplier S-01", "2026-11-28", "80.0%"):
        assert text in md, text


def test_pdf_opens_and_has_the_chinese_title(db):
    mid, aid, _ = _closed_meeting(db)
    pdf = pypdf.PdfReader(io.BytesIO(meetings.document(db._con, mid, "minutes_pdf")))
    # fpdf2 embeds its Identity-H CMap as a dictionary, which pypdf decodes with a NUL before each
    # glyph; the glyph-to-Unicode map itself is right, so NULs and spaces are dropped before matching.
    text = re.sub(r"[\s\x00]+", "", "".join(p.extract_text() for p in pdf.pages))
    assert "产销协调会会议纪要" in text
    assert "安排周六加班人员" in text and "ChasesupplierS-01" in text


def test_pack_has_decisions_actions_kpis_and_a_sheet_per_section_list(db):
    mid, aid, aid2 = _closed_meeting(db)
    wb = openpyxl.load_workbook(io.BytesIO(meetings.document(db._con, mid, "pack_xlsx")))
    assert wb.sheetnames == ["会议", "决议", "行动项", "指标", "延期订单行", "产能负荷", "逾期采购单", "客诉", "新品里程碑"]
    acts = list(wb["行动项"].iter_rows(min_row=4, values_only=True))       # under the title and the header
    assert {r[1] for r in acts} == {aid, aid2}
    decs = list(wb["决议"].iter_rows(min_row=4, values_only=True))
    assert decs[0][2] == "二号线周六加班 | overtime" and decs[0][5] == f"#{aid}"
    kpis = {r[1]: r for r in wb["指标"].iter_rows(min_row=4, values_only=True)}
    assert kpis["计划达成率"][2] == pytest.approx(0.8)                       # a number (80 / 100), shown as %


def test_default_attendees_are_the_department_heads(db):
    from lib.people.auth import SYSTEM
    with db.transaction(SYSTEM) as tx:
        for u, name, role, dept, active in [("li", "Li Na", "head", "pmc", True), ("wang", "", "head", "sales", True),
                                            ("boss", "Boss", "chair", None, True), ("old", "Old", "head", "quality", False)]:
            tx.insert("users", {"username": u, "display_name": name or u, "role": role, "department": dept,
                                "active": active})
    assert meetings.default_attendees(db._con) == [("Li Na", "pmc"), ("wang", "sales")]
