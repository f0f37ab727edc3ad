"""The registry of tiles (lib.sections.tiles), the one status rule, partial periods and the open
actions carried at close, on small hand-built data; answers computed by hand."""
from datetime import date

import pytest

from lib.filters import Filters
from lib.meeting import actions, meetings
from lib.people.auth import SYSTEM
from lib.sections import engineering, tiles
from lib.sections.kpi import Kpi, period, status

AS_OF = date(2026, 11, 25)                          # a Wednesday
F = Filters(date(2026, 11, 2), AS_OF)               # four ISO weeks to date


@pytest.mark.parametrize("value, target, higher, overdue, expected", [
    (1.0, 0.9, True, 0, "green"),
    (1.0, 0.9, True, 1, "amber"),       # "NPI milestones on time 100 %" with "1 overdue now"
    (0.87, 0.9, True, 1, "amber"),      # within the band anyway
    (0.5, 0.9, True, 2, "red"),         # red stays red
    (0, 0, False, 3, "amber"),          # a count at its target with overdue items behind it
    (None, 0.9, True, 1, "none"),       # no value: no colour
    (3, None, False, 0, "none"),        # no target: no colour
])
def test_status_rule(value, target, higher, overdue, expected):
    assert status(value, target, higher, 0.05, overdue) == expected
    k = Kpi("x", value, target, higher_is_better=higher, overdue=overdue)
    assert k.status() == expected
    assert k.code() == {"green": "ok", "amber": "warn", "red": "bad", "none": "none"}[expected]


def test_a_period_that_runs_to_today_is_partial():
    assert period(F, AS_OF) == {"period_start": F.start, "period_end": AS_OF, "partial": True}
    done = Filters(date(2026, 11, 2), date(2026, 11, 22))
    assert period(done, AS_OF)["partial"] is False


def _milestones(db):
    """Project N1: milestone 1 planned 10-20, met 10-19 (on time, in the period); milestone 2
    planned 10-28, not met (overdue now, planned before the period). Active project."""
    with db.transaction(SYSTEM, source="test") as tx:
        tx.execute("INSERT INTO npi_projects (project, name, product, customer, owner, start_date, target_date, status) "
                   "VALUES ('N1', 'New pump', 'P1', 'C1', 'eng', '2026-09-01', '2027-03-01', 'active')")
        tx.execute("INSERT INTO npi_milestones (project, seq, milestone, planned_date, actual_date, owner) VALUES "
                   "('N1', 1, 'Design review', '2026-11-10', '2026-11-09', 'eng'), "
                   "('N1', 2, 'Prototype', '2026-10-28', NULL, 'eng')")


def test_npi_on_time_100_percent_with_one_overdue_is_not_green(db):
    """The reported case: the rate counts the milestone due in the period (met: 1/1 = 100 %),
    while one planned before the period is overdue now: the tile says so and is amber."""
    _milestones(db)
    with db.cursor() as cur:
        k = {x.key: x for x in engineering.section_kpis(cur, F, AS_OF, "en")}["engineering.kpi.npi_ontime"]
        rows = tiles.detail(cur, "engineering", "engineering.kpi.npi_ontime", F, AS_OF)
    assert k.value == 1.0 and k.overdue == 1 and k.note == "1 overdue now"
    assert k.status() == "amber" and k.partial and k.period_start == F.start
    # its detail lists the milestone due in the period and the overdue one, overdue first
    assert rows[["seq", "state"]].values.tolist() == [[2, "overdue"], [1, "on_time"]]


def test_every_section_has_tiles_and_every_tile_a_detail(db):
    with db.cursor() as cur:
        for section in tiles.TILES:
            kpis = tiles.tiles(cur, section, F, AS_OF, "en")
            assert kpis, section
            for k in kpis:
                assert tiles.has_detail(section, k.key), (section, k.key)
                assert tiles.detail(cur, section, k.key, F, AS_OF) is not None
        with pytest.raises(ValueError):
            tiles.tiles(cur, "canteen", F, AS_OF)


def test_rows_have_the_issues_columns_and_one_row_per_section_and_tile(db):
    with db.cursor() as cur:
        rows = tiles.rows(cur, F, AS_OF, "zh")
    assert list(rows.columns) == ["key", "section", "label", "value", "unit", "target", "status", "period_start",
                                  "period_end", "partial", "detail"]
    assert not rows.duplicated(["section", "key"]).any()
    assert set(rows["status"]) <= {"ok", "warn", "bad", "none"}
    otd = rows[(rows["section"] == "sales") & (rows["key"] == "kpi.otd")].iloc[0]
    assert otd["label"] == "准交率 (OTD)" and otd["partial"] and otd["period_start"] == F.start
    late = rows[(rows["section"] == "sales") & (rows["key"] == "kpi.late_lines")].iloc[0]
    assert late["period_start"] is None and not late["partial"]        # a state, not a period


def _actions(db, rows):
    """Actions raised outside meetings: (title, status, due), ids in that order."""
    with db.transaction(SYSTEM, source="test") as tx:
        for title, st, due in rows:
            tx.execute("""INSERT INTO action_items (section, title, owner_department, owner, due_date, status, created_by,
                          created_at, result, done_at, verifier, verified_at, cancel_reason)
                          VALUES ('pmc', ?, 'pmc', 'Li', ?, ?, 's', '2026-11-01 10:00',
                                  CASE WHEN ? IN ('done', 'verified') THEN 'ok' END,
                                  CASE WHEN ? IN ('done', 'verified') THEN TIMESTAMP '2026-11-20 10:00' END,
                                  CASE WHEN ? = 'verified' THEN 'chair' END,
                                  CASE WHEN ? = 'verified' THEN TIMESTAMP '2026-11-21 10:00' END,
                                  CASE WHEN ? = 'cancelled' THEN 'duplicate' END)""",
                       [title, due, st, st, st, st, st, st])
    return dict(db.query("SELECT title, action_id FROM action_items").itertuples(index=False))


def test_the_open_actions_tile_is_what_the_close_carries(db):
    """Open: open, in progress and done-not-verified (3); verified and cancelled are closed. The
    tile shows 3 (note: 1 done, to verify), 1 overdue (the open one due 11-20), and closing the
    meeting carries exactly those three."""
    mid = meetings.create(db, SYSTEM, meeting_date=AS_OF, chair="Zhang", title="W48")
    ids = _actions(db, [("open", "open", "2026-11-20"), ("in_progress", "in_progress", "2026-12-20"),
                        ("done", "done", "2026-11-20"), ("verified", "verified", "2026-11-20"),
                        ("cancelled", "cancelled", "2026-11-20")])
    with db.cursor() as cur:
        shown = {k.key: k for k in actions.section_kpis(cur, None, AS_OF, "en")}
        listed = set(tiles.detail(cur, "actions", "kpi.open_actions", F, AS_OF)["action_id"])
    assert shown["kpi.open_actions"].value == 3 and shown["kpi.open_actions"].note == "1 done, to verify"
    assert shown["kpi.overdue_actions"].value == 1
    assert listed == {ids["open"], ids["in_progress"], ids["done"]}
    meetings.start(db, SYSTEM, mid)
    closed = meetings.close(db, SYSTEM, mid, f=F, as_of=AS_OF, lang="en")
    assert closed.carried == 3
    with db.cursor() as cur:
        nxt = set(meetings.carried_actions(cur, closed.next_meeting_id, AS_OF)["action_id"])
        snap = meetings.snapshot(cur, mid).set_index("kpi")
    assert nxt == listed
    assert snap.loc["kpi.open_actions", "value"] == 3 and snap.loc["kpi.open_actions", "status"] == "none"
    assert snap.loc["kpi.overdue_actions", "status"] == "bad"
