"""`python -m lib kpis`: every tile's KPI, from the tiles' own functions, for ERP/BI jobs."""
import csv
import io
import json
from datetime import date

import pytest

from lib import cli
from lib.cli.kpis import period_filters
from lib.people.auth import SYSTEM
from lib.store.db import Database

COLUMNS = ["key", "section", "label", "value", "unit", "target", "status", "period_start", "period_end", "partial",
           "detail"]


@pytest.fixture
def path(tmp_path):
    """Two shipped lines in W48 (one on time), one milestone met on plan in the period and one
    overdue from before it."""
    p = tmp_path / "k.duckdb"
    d = Database(p)
    with d.transaction(SYSTEM, source="test") as tx:
        tx.execute("INSERT INTO order_lines (line_id, order_no, line_no, customer, product, qty, order_date, "
                   "requested_date, promised_date, shipped_qty, status) VALUES "
                   "(1, 'O1', 1, 'C1', 'P1', 10, '2026-10-01', '2026-11-23', NULL, 10, 'closed'), "
                   "(2, 'O2', 1, 'C1', 'P1', 10, '2026-10-01', '2026-11-23', NULL, 10, 'closed')")
        tx.execute("INSERT INTO shipments (line_id, ship_date, qty) VALUES (1, '2026-11-23', 10), (2, '2026-11-24', 10)")
        tx.execute("INSERT INTO npi_projects (project, name, product, customer, owner, start_date, target_date, status) "
                   "VALUES ('N1', 'New pump', 'P1', 'C1', 'eng', '2026-09-01', '2027-03-01', 'active')")
        tx.execute("INSERT INTO npi_milestones (project, seq, milestone, planned_date, actual_date, owner) VALUES "
                   "('N1', 1, 'Design review', '2026-11-24', '2026-11-24', 'eng'), "
                   "('N1', 2, 'Prototype', '2026-10-28', NULL, 'eng')")
    d.close()
    return str(p)


def test_period_is_the_pages_default_or_the_week_or_month_to_date():
    tue = date(2026, 12, 1)
    assert (period_filters(tue, "week").start, period_filters(tue, "week").end) == (date(2026, 11, 30), tue)
    assert period_filters(tue, "month").start == date(2026, 12, 1)
    assert period_filters(tue, None).start == date(2026, 11, 9)      # four ISO weeks to date


def test_json_rows(path, capsys):
    assert cli.main(["kpis", "--db", path, "--as-of", "2026-11-25", "--period", "week", "--lang", "en",
                     "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows and all(list(r) == COLUMNS for r in rows)
    got = {(r["section"], r["key"]): r for r in rows}
    otd = got[("sales", "kpi.otd")]
    # OTD this week to date: line 1 on its date, line 2 a day late -> 1 / 2, as a fraction
    assert otd["value"] == 0.5 and otd["unit"] == "pct" and otd["target"] == 0.95 and otd["status"] == "bad"
    assert (otd["period_start"], otd["period_end"], otd["partial"]) == ("2026-11-23", "2026-11-25", True)
    assert otd["label"] == "On-time delivery (OTD)" and got[("overview", "kpi.otd")]["value"] == 0.5
    npi = got[("engineering", "engineering.kpi.npi_ontime")]
    # met on plan 1 / due 1 = 100 %, but one milestone is overdue now: never green
    assert npi["value"] == 1.0 and npi["status"] == "warn" and npi["detail"] == "1 overdue now"
    late = got[("pmc", "kpi.late_lines")]
    assert late["value"] == 0 and late["period_start"] is None and late["partial"] is False


def test_csv_in_chinese(path, capsys):
    assert cli.main(["kpis", "--db", path, "--as-of", "2026-11-25", "--lang", "zh"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert list(rows[0]) == COLUMNS
    npi = next(r for r in rows if r["key"] == "engineering.kpi.npi_ontime")
    assert npi["label"] == "新品里程碑按时率" and npi["detail"] == "当前逾期 1 项" and npi["partial"] == "true"


def test_a_missing_database_is_refused(tmp_path, capsys):
    assert cli.main(["kpis", "--db", str(tmp_path / "none.duckdb")]) == 1
    assert "no database" in capsys.readouterr().err.lower()


def test_the_callers_language_is_given_back(path, capsys):
    """`main()` may run inside another program (a test, a job): asking for Chinese labels does
    not leave Chinese behind for what that program draws next."""
    from lib.i18n import get_lang, set_lang
    set_lang("en")
    assert cli.main(["kpis", "--db", path, "--as-of", "2026-11-25", "--lang", "zh", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["label"] == "准交率 (OTD)" and get_lang() == "en"
