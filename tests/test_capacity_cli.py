"""`python -m lib load` and `python -m lib promise` on the promise scenario (see test_promise.py)."""
import json
from datetime import date

import pytest

from lib import cli
from lib.store.db import Database
from tests.conftest import load_scenario


@pytest.fixture
def path(tmp_path):
    p = tmp_path / "f.duckdb"
    d = Database(p)
    load_scenario(d, "promise")
    d.close()
    return str(p)


def test_load_json(path, capsys):
    assert cli.main(["load", "--db", path, "--as-of", "2026-11-25", "--weeks", "2", "--format", "json"]) == 0
    rows = {(r["work_center"], r["period"]): r for r in json.loads(capsys.readouterr().out)}
    assert rows[("SMT", "2026-W49")]["load_hours"] == 47 and rows[("SMT", "2026-W49")]["load_pct"] == 117.5
    assert rows[("DEAD", "2026-W49")]["load_pct"] is None
    assert set(rows[("SMT", "2026-W49")]) == {"work_center", "period", "load_hours", "capacity_hours",
                                               "load_pct", "overdue_hours"}


def test_load_planned_view(path, capsys):
    """The planned load never exceeds capacity: SMT W49 carries 40 of its 40 h (E1 12 h, E2 28 h
    of its 35; E2's other 7 h are on Fri 11-27, W48)."""
    assert cli.main(["load", "--db", path, "--as-of", "2026-11-25", "--weeks", "2", "--view", "planned",
                     "--format", "json"]) == 0
    rows = {(r["work_center"], r["period"]): r for r in json.loads(capsys.readouterr().out)}
    assert rows[("SMT", "2026-W49")]["load_hours"] == 40 and rows[("SMT", "2026-W49")]["load_pct"] == 100.0
    assert rows[("SMT", "2026-W48")]["load_hours"] == 7 and rows[("SMT", "2026-W48")]["overdue_hours"] == 0


def test_late_lists_the_projected_late_lines(path, capsys):
    """Nothing is late in the promise scenario; a line added that cannot make it is listed."""
    assert cli.main(["late", "--db", path, "--as-of", "2026-11-25", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out) == []
    from lib.store.db import Database
    d = Database(path)
    with d.transaction() as tx:   # 30 h on SMT due Fri 11-27: only 24 h are left by then
        tx.insert("order_lines", {"order_no": "L1", "line_no": 1, "customer": "C1", "product": "S", "qty": 300,
                                  "order_date": date(2026, 11, 20), "requested_date": date(2026, 11, 27)})
    d.close()
    assert cli.main(["late", "--db", path, "--as-of", "2026-11-25"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "order,line,product,due_date,projected_finish,days_late,work_center"
    # L1 goes first (due 11-27): backward fails, forward 8 + 8 + 8 + 6 on Mon 11-30: 3 days late.
    # E1 (due 12-04) still fits backward (SMT 8 on 12-02, 4 on 12-01). E2 (35 h) then finds only
    # 22 h by 12-04 (2 on 11-30, 4 on 12-01, 8 + 8 on 12-03/04): forward, covered on 12-08, 4 days late.
    assert out[1:] == ["E2,1,V,2026-12-04,2026-12-08,4,SMT", "L1,1,S,2026-11-27,2026-11-30,3,SMT"]


def test_promise_json(path, capsys):
    assert cli.main(["promise", "--db", path, "--as-of", "2026-11-25", "--product", "S", "--qty", "300",
                     "--requested", "2026-11-30", "--format", "json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["promise_date"] == "2026-12-08" and d["requested_ok"] is False
    assert d["binding"] == {"kind": "capacity", "what": "SMT", "step": 10, "week": "2026-W49",
                            "load_pct": 1.0, "wait_days": 8}
    assert d["max_qty_by_requested"] == 170


@pytest.mark.parametrize("args,code,message", [
    (["--product", "NOPE", "--qty", "5", "--requested", "2026-12-01"], 1, "no product 'NOPE'"),
    (["--product", "X", "--qty", "5", "--requested", "2026-11-01"], 1, "before today"),
    (["--product", "W", "--qty", "5", "--requested", "2026-12-01"], 1, "no routing"),
])
def test_promise_refusals_exit_nonzero_and_write_nothing(path, capsys, args, code, message):
    before = Database(path)
    v = before.data_version()
    before.close()
    assert cli.main(["promise", "--db", path, "--as-of", "2026-11-25", *args]) == code
    assert message in capsys.readouterr().err
    after = Database(path)
    assert after.data_version() == v
    after.close()


@pytest.mark.parametrize("args,message", [
    (["promise", "--product", "X", "--qty", "5", "--requested", "2026-11-3x"], "expected YYYY-MM-DD"),
    (["promise", "--product", "X", "--qty", "0", "--requested", "2026-12-01"], "more than 0"),
    (["promise", "--product", "X", "--qty", "-5", "--requested", "2026-12-01"], "more than 0"),
    (["promise", "--product", "X", "--qty", "five", "--requested", "2026-12-01"], "'five' is not a number"),
    (["promise", "--product", "X", "--qty", "nan", "--requested", "2026-12-01"], "more than 0"),
    (["load", "--weeks", "-3"], "choose 1 to 104"),
    (["load", "--weeks", "0"], "choose 1 to 104"),
    (["load", "--weeks", "105"], "choose 1 to 104"),
    (["load", "--weeks", "two"], "'two' is not a whole number of weeks"),
    (["load", "--by", "year"], "invalid choice"),
])
def test_bad_values_are_usage_errors(path, capsys, args, message):
    """A value that is not one (exit 2, with usage) is told apart from a refusal (exit 1)."""
    with pytest.raises(SystemExit) as e:
        cli.main([*args, "--db", path])
    assert e.value.code == 2
    err = capsys.readouterr().err
    assert message in err and err.startswith("usage: python -m lib")


def test_weeks_counts_the_weeks_shown(path, capsys):
    """--weeks N shows N ISO weeks from the as-of date's (2026-W48), per work center."""
    assert cli.main(["load", "--db", path, "--as-of", "2026-11-25", "--weeks", "1", "--format", "json"]) == 0
    assert {r["period"] for r in json.loads(capsys.readouterr().out)} == {"2026-W48"}
