"""Shared section blocks: open actions/issues per department, target settings, chart builders."""
from datetime import date

import pandas as pd
import pytest

from lib import settings
from lib.errors import PermissionDenied, ValidationError
from lib.meeting.open_items import open_actions
from lib.people.auth import SYSTEM, User
from lib.ui.charts import basic

AS_OF = date(2026, 11, 25)


def _seed_actions(db):
    with db.cursor() as cur:
        cur.execute("""
            INSERT INTO action_items (action_id, meeting_id, section, title, owner_department, owner, due_date,
                                      status, created_at, created_by, result, done_at) VALUES
            (1, 7, 'sales', 'Call Acme about split delivery', 'sales', 'ann', DATE '2026-11-20', 'open',
             TIMESTAMP '2026-11-10 09:00', 'chair', NULL, NULL),
            (2, 7, 'pmc', 'Confirm overtime', 'sales', 'bob', DATE '2026-11-30', 'in_progress',
             TIMESTAMP '2026-11-18 09:00', 'chair', NULL, NULL),
            (3, 7, 'sales', 'Done already', 'sales', 'ann', DATE '2026-11-01', 'done',
             TIMESTAMP '2026-10-01 09:00', 'chair', 'ok', TIMESTAMP '2026-10-30 10:00'),
            (4, 7, 'pmc', 'PMC own', 'pmc', 'pat', DATE '2026-11-01', 'open',
             TIMESTAMP '2026-10-01 09:00', 'chair', NULL, NULL)""")
        cur.execute("""
            INSERT INTO order_lines (line_id, order_no, line_no, customer, product, qty, order_date,
                                     requested_date, status, review_status) VALUES
            (10, 'SO1', 1, 'C1', 'P1', 5, DATE '2026-11-01', DATE '2026-12-10', 'open', 'issue'),
            (11, 'SO1', 2, 'C1', 'P1', 5, DATE '2026-11-01', DATE '2026-12-10', 'closed', 'issue')""")
        cur.execute("""
            INSERT INTO order_reviews (line_id, round, department, status, comment, signer, signed_at) VALUES
            (10, 1, 'sales', 'issue', 'price not agreed', 'ann', TIMESTAMP '2026-11-15 08:00'),
            (11, 1, 'sales', 'issue', 'closed line, not shown', 'ann', TIMESTAMP '2026-11-15 08:00')""")
        cur.execute("""
            INSERT INTO complaints (complaint, customer, received_date, category, description, status, owner,
                                    closed_date) VALUES
            ('Q1', 'C1', DATE '2026-11-05', 'quality', 'scratches', 'open', 'ann', NULL),
            ('Q2', 'C1', DATE '2026-11-01', 'delivery', 'late', 'closed', 'ann', DATE '2026-11-03')""")


def test_open_actions_of_a_department(db):
    _seed_actions(db)
    with db.cursor() as cur:
        df = open_actions(cur, "sales", AS_OF)
    # overdue first (action 1: due 11-20, 5 days overdue), then by due date; complaint has no due
    assert df["kind"].tolist() == ["action", "action", "review_issue", "complaint"]
    assert df["ref"].tolist() == ["1", "2", "SO1/1", "Q1"]
    assert df["days_open"].tolist() == [15, 7, 10, 20]
    assert df["days_overdue"].tolist() == [5, 0, 0, 0]
    assert df["overdue"].tolist() == [True, False, False, False]
    assert df["meeting_id"].iloc[0] == 7


def test_an_idea_not_started_has_no_days_open(db):
    with db.cursor() as cur:
        cur.execute("""
            INSERT INTO improvements (improvement_id, title, kind, owner, status, start_date, due_date) VALUES
            (1, 'fixture redesign', 'process', 'engineering', 'idea', NULL, DATE '2026-12-02'),
            (2, 'SMED', 'method', 'engineering', 'in_progress', DATE '2026-11-05', DATE '2026-11-20')""")
        df = open_actions(cur, "engineering", AS_OF)
    got = dict(zip(df["ref"], df["days_open"]))
    assert got["2"] == 20 and pd.isna(got["1"])         # not -7 (counted from its due date)


def test_open_actions_empty_and_unknown_department(db):
    with db.cursor() as cur:
        assert open_actions(cur, "quality", AS_OF).empty
        with pytest.raises(ValueError):
            open_actions(cur, "canteen", AS_OF)


@pytest.mark.parametrize("values,error", [
    ({"target_otd": 0.9, "target_open_complaints": "3"}, None),
    ({"target_otd": "abc"}, ValidationError),
    ({"target_otd": -0.1}, ValidationError),
    ({"target_otd": float("nan")}, ValidationError),
    ({"db": "/tmp/x"}, ValidationError),        # a deployment setting, not changeable in the app
    ({"no_such": 1}, ValidationError),
])
def test_save_values(db, values, error):
    if error:
        with pytest.raises(error):
            settings.save_values(db, SYSTEM, values)
        assert db.scalar("SELECT count(*) FROM settings") == 0
        return
    assert settings.save_values(db, SYSTEM, values) == 2
    with db.cursor() as cur:
        assert settings.get("target_otd", cur) == 0.9
        assert settings.get("target_open_complaints", cur) == 3
    assert settings.save_values(db, SYSTEM, {"target_otd": 0.9}) == 0        # unchanged
    assert settings.save_values(db, SYSTEM, {"target_otd": 0.8}) == 1
    assert db.scalar("SELECT count(*) FROM audit_log WHERE table_name = 'settings'") > 0


def test_save_values_needs_permission(db):
    with pytest.raises(PermissionDenied):
        settings.save_values(db, User("ann", "head", "sales"), {"target_otd": 0.5})


def test_chart_builders_make_figures_with_axis_titles():
    df = pd.DataFrame({"week": ["W1", "W2"], "plan": [10.0, 20.0], "actual": [12.0, 15.0]})
    labels = dict(plan="Plan", actual="Actual", cum_plan="Σ plan", cum_actual="Σ actual", gap="Gap")
    fig = basic.plan_vs_actual(df, "week", labels=labels, x_title="Week", y_title="Qty")
    assert [tr.name for tr in fig.data] == ["Plan", "Actual", "Σ plan", "Σ actual"]
    assert list(fig.data[3].y) == [12.0, 27.0]
    assert fig.layout.xaxis.title.text == "Week"
    p = basic.pareto(pd.DataFrame({"c": ["a", "b", "c"], "v": [1.0, 3.0, 1.0]}), "c", "v",
                      x_title="Cause", y_title="Qty", cum_label="Cum.")
    assert list(p.data[0].x) == ["b", "a", "c"]           # ties keep label order
    assert list(p.data[1].y) == [0.6, 0.8, 1.0]
    r = basic.ranked_bars(pd.DataFrame({"n": ["x", "y", "z"], "v": [2.0, 5.0, 2.0]}), "n", "v", x_title="Late")
    assert list(r.data[0].y) == ["z", "x", "y"]           # worst drawn at the top (last)
    s = basic.stacked_bars(pd.DataFrame({"w": ["W1", "W1", "W2"], "c": ["A", "B", "A"], "v": [1, 2, 3]}),
                            "w", "c", "v", x_title="Week", y_title="Lines", top=1, other_label="Other")
    assert [tr.name for tr in s.data] == ["A", "Other"]
    tr = basic.trend(pd.DataFrame({"w": ["W1"], "otd": [0.9]}), "w", [("otd", "OTD", "#000")],
                      x_title="Week", y_title="%", target=0.95, target_label="target")
    assert tr.layout.yaxis.tickformat == ".1%"           # 90% and a 95% target: a narrow span
    assert tr.layout.yaxis.range[0] < 0.9 and tr.layout.yaxis.range[1] > 0.95   # the target in view
    assert basic.colour_for("Acme") == basic.colour_for("Acme")


def test_every_changeable_setting_has_a_name_and_help_in_both_languages():
    from lib.i18n import CATALOGS
    for s in settings.SETTINGS.values():
        if s.in_db:
            for lang in ("en", "zh"):
                assert f"section.target.{s.key}" in CATALOGS[lang], s.key
                assert f"section.target.{s.key}.help" in CATALOGS[lang], s.key
