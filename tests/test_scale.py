"""What keeps screens bounded on a large factory: link lists cut with typed codes resolved,
at-risk reasons built set-wise, overdue rows styled set-wise."""
import pandas as pd
import pytest

from lib.errors import ValidationError
from lib.i18n import t
from lib.meeting import actions
from lib.ui import section
from lib.ui.charts import capacity as capacity_charts


@pytest.fixture
def lines(db):
    con = db._con
    con.execute("INSERT INTO customers VALUES ('C1', 'Acme'), ('C2', 'Beta')")
    con.execute("INSERT INTO products (product, name, family) VALUES ('P1', 'Pump', 'F'), ('P2', 'Valve', 'F')")
    con.execute("INSERT INTO materials (material, name) VALUES ('M-1', 'Seal'), ('M-2', 'Screw'), ('M-3', 'Nut')")
    # (line_id, order_no, line_no, customer, product, qty, order, requested, promised, status)
    con.execute("""INSERT INTO order_lines (line_id, order_no, line_no, customer, product, qty, order_date,
                   requested_date, promised_date, status) VALUES
        (11, 'SO-1', 1, 'C1', 'P1', 10, DATE '2026-01-01', DATE '2026-03-01', NULL, 'open'),
        (12, 'SO-1', 2, 'C1', 'P2', 10, DATE '2026-01-01', DATE '2026-02-01', DATE '2026-02-10', 'open'),
        (13, 'SO-2', 1, 'C2', 'P1', 10, DATE '2026-01-01', DATE '2026-01-15', NULL, 'open'),
        (14, 'SO-3', 1, 'C2', 'P2', 10, DATE '2026-01-01', DATE '2026-01-05', NULL, 'closed')""")
    return db


def test_link_options_soonest_due_first_and_cut(lines):
    with lines.cursor() as cur:
        every = actions.link_options(cur)
        cut = actions.link_options(cur, limit=2)
    # due: line 13 on 01-15, line 12 promised 02-10, line 11 requested 03-01; 14 is closed
    assert every["line_id"]["value"].tolist() == [13, 12, 11]
    assert cut["line_id"]["value"].tolist() == [13, 12]
    assert cut["line_id"]["label"].tolist() == ["SO-2/1 · P1 · C2", "SO-1/2 · P2 · C1"]
    assert cut["material"]["value"].tolist() == ["M-1", "M-2"]


@pytest.mark.parametrize("field,typed,value", [
    ("line_id", "SO-1/1", 11),
    ("line_id", "SO-1/2 · P2 · C1", 12),     # a label pasted whole
    ("line_id", "13", 13),
    ("material", " M-3 ", "M-3"),
])
def test_resolve_link(lines, field, typed, value):
    with lines.cursor() as cur:
        assert actions.resolve_link(cur, field, typed) == value


@pytest.mark.parametrize("field,typed,where", [
    ("line_id", "SO-1/9", "line"),
    ("line_id", "SO-9/1", "line"),
    ("material", "M-9", "material"),
    ("supplier", "S-1", "supplier"),
])
def test_resolve_link_refuses_unknown(lines, field, typed, where):
    with lines.cursor() as cur, pytest.raises(ValidationError) as e:
        actions.resolve_link(cur, field, typed)
    assert e.value.where == where


def test_at_risk_reasons():
    ts = pd.to_datetime
    risk = pd.DataFrame({
        "order_no": ["A", "B", "C"], "line_no": [1, 2, 3], "customer": "C-1", "customer_name": "Acme",
        "product": "p", "remaining_qty": 5.0, "due_date": ts(["2026-01-05"] * 3),
        "projected_finish": ts(["2026-01-08", None, None]), "days_late": pd.array([3, None, None], dtype="Int64"),
        "status": ["late", "unplanned", "no_routing"], "work_center": ["SMT-2", "CNC-1", None],
        "step": pd.array([20, 10, None], dtype="Int64"), "late_po": ["PO-9", None, None],
        "late_po_material": ["M-1", None, None], "late_po_due": ts(["2026-01-02", None, None])})
    view = capacity_charts.late_view(risk)
    assert view.iloc[:, 0].tolist() == ["A/1", "B/2", "C/3"]
    assert view.iloc[:, 1].tolist() == ["C-1 · Acme"] * 3
    assert view.iloc[:, -2].tolist() == ["3", "", ""]
    assert view.iloc[:, -1].tolist() == [
        "finishes 01-08 at SMT-2 (step 20); late PO-9 (M-1, due 01-02)",
        "cannot be planned in the horizon: CNC-1 (step 10) has no room",
        "no routing: cannot be planned"]


def test_overdue_rows_get_the_red_dot_only():
    from lib.ui import widgets
    frame = pd.DataFrame({"a": [1, 2, 3], "b": ["x", "y", "z"]})
    view, config = widgets.flagged(frame, pd.Series([False, True, False]))
    mark = view.columns[0]
    assert list(view.columns[1:]) == ["a", "b"] and frame.columns.tolist() == ["a", "b"]   # input untouched
    assert view[mark].tolist() == [widgets.NO_DOT, widgets.LATE_DOT, widgets.NO_DOT]   # no 'None' drawn
    assert "#d64545" not in widgets.LATE_DOT and "%23d64545" in widgets.LATE_DOT    # '#' escaped in the data URL
    assert set(config) == {mark}


def test_panel_view_translates_each_row():
    from lib.i18n import set_lang
    set_lang("en")
    items = pd.DataFrame({"kind": ["action", "complaint", "action"], "ref": ["A-1", "Q-2", "A-3"],
                          "title": ["t1", "t2", "t3"], "owner": ["ann", "bo", None],
                          "due_date": [pd.Timestamp("2026-11-20"), None, pd.Timestamp("2026-12-01")],
                          "days_open": [5, 3, 1], "days_overdue": [5, None, None],
                          "status": ["open", "open", "in_progress"], "overdue": [True, False, False]})
    view = section.panel_view(items)
    assert view.iloc[:, 0].tolist() == [t("section.kind.action"), t("section.kind.complaint"), t("section.kind.action")]
    assert view.iloc[:, 4].tolist() == ["2026-11-20", "", "2026-12-01"]
    assert view.iloc[:, 6].tolist() == ["5", "", ""]                     # days overdue: blank, never "None"
    numbers = section.panel_view(items, counts_as_text=False)            # the downloads keep numbers
    assert numbers.iloc[:, 5].tolist() == [5, 3, 1] and numbers.iloc[:, 6].isna().tolist() == [False, True, True]
    assert view.iloc[:, 7].tolist() == [t("section.status.open"), t("section.status.open"),
                                        t("section.status.in_progress")]