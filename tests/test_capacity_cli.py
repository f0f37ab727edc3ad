"""`python -m lib load` and `python -m lib promise` on the promise scenario (see test_promise.py)."""
import json

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


def test_promise_json(path, capsys):
    assert cli.main(["promise", "--db", path, "--as-of", "2026-11-25", "--product", "S", "--qty", "300",
                     "--requested", "2026-11-30", "--format", "json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["promise_date"] == "2026-12-07" and d["requested_ok"] is False
    assert d["binding"] == {"kind": "capacity", "what": "SMT", "step": 10, "week": "2026-W49",
                            "load_pct": 1.175, "wait_days": 7}
    assert d["max_qty_by_requested"] == 250


@pytest.mark.parametrize("args,code,message", [
    (["--product", "NOPE", "--qty", "5", "--requested", "2026-12-01"], 1, "no product 'NOPE'"),
    (["--product", "X", "--qty", "0", "--requested", "2026-12-01"], 1, "more than 0"),
    (["--product", "X", "--qty", "five", "--requested", "2026-12-01"], 1, "not a number"),
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


def test_promise_malformed_date_is_a_usage_error(path):
    with pytest.raises(SystemExit) as e:
        cli.main(["promise", "--db", path, "--product", "X", "--qty", "5", "--requested", "2026-11-3x"])
    assert e.value.code == 2
