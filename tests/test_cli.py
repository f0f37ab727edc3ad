"""The command line, including its error paths (exit codes and messages)."""
import subprocess
import sys

import pytest

from lib.cli import main
from lib.store.db import Database
from tests.conftest import ROOT


def run(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def _customers(path):
    d = Database(path)
    try:
        return d.query("SELECT customer FROM customers ORDER BY 1")["customer"].tolist()
    finally:
        d.close()


def _add_customer(path, code):
    d = Database(path)
    with d.transaction(source="test") as tx:
        tx.insert("customers", {"customer": code, "name": code})
    d.close()


def test_init_empty_then_refuse_then_force(tmp_path, capsys):
    path = str(tmp_path / "t.duckdb")
    assert run(capsys, "init", "--empty", "--db", path)[0] == 0
    _add_customer(path, "KEEP")
    code, _, err = run(capsys, "init", "--empty", "--db", path)
    assert code == 1 and "already exists" in err and "--force" in err
    assert _customers(path) == ["KEEP"]
    assert run(capsys, "init", "--empty", "--force", "--db", path)[0] == 0
    assert _customers(path) == []


def test_bad_as_of_is_refused_with_the_format(tmp_path, capsys):
    with pytest.raises(SystemExit) as e:
        main(["init", "--demo", "--as-of", "25/11/2026", "--db", str(tmp_path / "x.duckdb")])
    assert e.value.code == 2
    assert "expected YYYY-MM-DD" in capsys.readouterr().err
    assert not (tmp_path / "x.duckdb").exists()


def test_commands_on_missing_database_say_how_to_create_one(tmp_path, capsys):
    code, _, err = run(capsys, "check", "--db", str(tmp_path / "none.duckdb"))
    assert code == 1 and "init --demo" in err


def test_demo_init_then_check_pass(tmp_path, capsys):
    path = str(tmp_path / "demo.duckdb")
    assert run(capsys, "init", "--demo", "--as-of", "2026-11-25", "--db", path)[0] == 0
    code, out, _ = run(capsys, "check", "--db", path)
    assert code == 0 and "no problems" in out


def test_busy_database_message_from_a_second_process(tmp_path):
    path = tmp_path / "held.duckdb"
    holder = Database(path)
    try:
        out = subprocess.run([sys.executable, "-m", "lib", "check", "--db", str(path)],
                             capture_output=True, text=True, cwd=str(ROOT), timeout=120)
        assert out.returncode == 1
        assert "open in another Tandem process" in out.stderr and "Traceback" not in out.stderr
    finally:
        holder.close()


def test_as_of_is_one_rule_for_app_and_command_line(monkeypatch):
    from datetime import date

    from lib import settings
    monkeypatch.setenv("TANDEM_AS_OF", "2026-03-02")
    assert settings.as_of() == date(2026, 3, 2)
    monkeypatch.setenv("TANDEM_AS_OF", "not a date")
    assert settings.as_of() == date.today()


def test_reset_password_lifts_the_login_throttling_of_the_admin(tmp_path, capsys, monkeypatch):
    import io
    from datetime import datetime

    from lib.errors import TandemError
    from lib.people import users
    path = tmp_path / "t.duckdb"
    db = Database(path)
    users.create_first_admin(db, "boss", "The Boss", "first password 1")
    now = datetime(2026, 11, 25, 9, 0, 0)
    for _ in range(10):                    # forgotten: 5 failures make the next attempt wait 1 s, 5 refused
        try:
            users.authenticate(db, "boss", "wrong guess", now=now, address="192.0.2.10")
        except TandemError:
            pass
    with pytest.raises(users.LoginRefused) as e:
        users.authenticate(db, "boss", "first password 1", now=now, address="192.0.2.10")
    assert (e.value.reason, e.value.seconds) == ("throttled", 1)
    db.close()
    monkeypatch.setattr("sys.stdin", io.StringIO("a brand new secret\n"))
    code, out, err = run(capsys, "reset-password", "Boss", "--password-stdin", "--db", str(path))
    assert (code, err) == (0, "") and "boss" in out and "throttling cleared" in out
    db = Database(path)
    assert db.scalar("SELECT count(*) FROM login_throttle WHERE account = 'boss'") == 0
    assert users.authenticate(db, "boss", "a brand new secret", now=now, address="192.0.2.10").username == "boss"
    audit = db.query("SELECT username, column_name, new_value FROM audit_log WHERE table_name = 'users' "
                     "AND action = 'update' AND column_name = 'password_hash'")
    assert audit.values.tolist() == [["system", "password_hash", "(secret)"]]    # audited, never the hash
    cleared = db.query("SELECT username, row_key, column_name, old_value FROM audit_log "
                       "WHERE action = 'throttle_cleared'")
    assert cleared.values.tolist() == [["system", "boss", "account", "2 counters"]]   # pair and account
    db.close()


def test_reset_password_refusals_say_why(tmp_path, capsys, monkeypatch):
    import io
    path = tmp_path / "t.duckdb"
    Database(path).close()
    monkeypatch.setattr("sys.stdin", io.StringIO("a brand new secret\n"))
    code, _, err = run(capsys, "reset-password", "nobody", "--password-stdin", "--db", str(path))
    assert code == 1 and "no user 'nobody'" in err
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    code, _, err = run(capsys, "reset-password", "nobody", "--password-stdin", "--db", str(path))
    assert code == 1 and "password" in err.lower()
