"""The command line, including its error paths (exit codes and messages), README's command list,
and commands handed to a dashboard's listener (here in this process: lib.ui.server.listen)."""
import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from lib.cli import main, synopsis
from lib.store import handoff
from lib.store.db import Database, opened
from tests.conftest import ROOT, load_scenario


def run(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def usage_error(capsys, *argv) -> str:
    """Run a command that must be refused as bad arguments (exit 2); its stderr."""
    with pytest.raises(SystemExit) as e:
        main(list(argv))
    assert e.value.code == 2
    return capsys.readouterr().err


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
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.duckdb"]


def test_a_failed_init_leaves_no_temporary_file(tmp_path, capsys, monkeypatch):
    path = tmp_path / "t.duckdb"
    monkeypatch.setattr("lib.demo.generate", lambda *a, **k: (_ for _ in ()).throw(KeyboardInterrupt))
    code, _, err = run(capsys, "init", "--demo", "--db", str(path))
    assert code == 1 and "interrupted" in err
    assert list(tmp_path.iterdir()) == []


def test_bad_as_of_is_refused_with_the_format(tmp_path, capsys):
    err = usage_error(capsys, "init", "--demo", "--as-of", "25/11/2026", "--db", str(tmp_path / "x.duckdb"))
    assert "expected YYYY-MM-DD" in err
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
    """A process that holds the file and takes no commands (not a dashboard) is named, with
    what to do."""
    path = tmp_path / "held.duckdb"
    holder = Database(path)
    try:
        out = subprocess.run([sys.executable, "-m", "lib", "check", "--db", str(path)],
                             capture_output=True, text=True, cwd=str(ROOT), timeout=120)
        assert out.returncode == 1
        assert f"is open in another process (PID {os.getpid()}: python" in out.stderr
        assert "wait until it has finished, or stop it" in out.stderr
        assert "Traceback" not in out.stderr and len(out.stderr.strip().splitlines()) == 1
    finally:
        holder.close()


# ---------------------------------------------------------------------------- TANDEM_AS_OF

def test_as_of_is_one_rule_for_app_and_command_line(monkeypatch):
    from datetime import date

    from lib import settings
    from lib.errors import ValidationError
    monkeypatch.setenv("TANDEM_AS_OF", "2026-03-02")
    assert settings.as_of() == date(2026, 3, 2)
    monkeypatch.setenv("TANDEM_AS_OF", "not a date")
    with pytest.raises(ValidationError, match="TANDEM_AS_OF: 'not a date' is not a date; expected YYYY-MM-DD"):
        settings.as_of()
    monkeypatch.delenv("TANDEM_AS_OF")
    assert settings.as_of() == date.today()


@pytest.mark.parametrize("argv", [["check"], ["serve"], ["load", "--as-of", "2026-11-25"]])
def test_a_bad_tandem_as_of_stops_every_command_at_start(tmp_path, capsys, monkeypatch, argv):
    monkeypatch.setenv("TANDEM_AS_OF", "2026-13-45")
    code, out, err = run(capsys, *argv, "--db", str(tmp_path / "x.duckdb"))
    assert code == 2 and out == ""
    assert err == ("Bad setting: TANDEM_AS_OF: '2026-13-45' is not a date; expected YYYY-MM-DD (e.g. 2026-11-25), "
                   "or leave it unset for the real date.\n")


# ---------------------------------------------------------------------------- exit codes and messages

@pytest.mark.parametrize("argv,message", [
    (["frobnicate"], "invalid choice: 'frobnicate'"),
    (["import", "widgets", "x.csv"], "'widgets' is not a table; choose one of: work_centers"),
    (["import", "customers"], "the following arguments are required: FILE"),
    (["export", "nope", "x.csv"], "'nope' is not a table"),
    (["serve", "--port", "0"], "0 is out of range: choose 1 to 65535"),
    (["serve", "--port", "http"], "'http' is not a whole port"),
    (["init", "--demo", "--seed", "-1"], "-1 is too small: at least 0"),
    (["init", "--demo", "--empty"], "not allowed with argument"),
    (["init", "--demo", "--scale", "huge"], "invalid choice: 'huge'"),
    (["sync"], "the following arguments are required: DIR"),
])
def test_bad_arguments_exit_2_with_usage(tmp_path, capsys, argv, message):
    err = usage_error(capsys, *argv, "--db", str(tmp_path / "x.duckdb"))
    assert message in err and err.startswith("usage: python -m lib")
    assert not (tmp_path / "x.duckdb").exists()


def test_order_lines_names_the_orders_table(tmp_path, capsys):
    path = str(tmp_path / "t.duckdb")
    Database(path).close()
    code, out, _ = run(capsys, "export", "order_lines", str(tmp_path / "o.csv"), "--db", path)
    assert code == 0 and out == f"orders: 0 rows written to {tmp_path / 'o.csv'}\n"


@pytest.fixture
def file_db(tmp_path):
    path = tmp_path / "t.duckdb"
    Database(path).close()
    return str(path)


@pytest.mark.parametrize("argv,message", [
    (["export", "products", "/no/such/dir/p.csv"],
     "Not exported: /no/such/dir/p.csv: the folder /no/such/dir does not exist; create it first or choose another.\n"),
    (["export", "products", "p.txt"], "Not exported: p.txt: choose a .csv or .xlsx file name.\n"),
    (["import", "products", "{tmp}"], "Not imported: {tmp} is a folder, not a file. To import every file in it, "
                                      "run `python -m lib sync {tmp}`.\n"),
    (["import", "products", "{tmp}/none.csv"], "Not imported: {tmp}/none.csv does not exist.\n"),
    (["sync", "{tmp}/none"], "Not synchronised: {tmp}/none does not exist.\n"),
    (["restore", "{tmp}/none"], "Not restored: {tmp}/none is not a Tandem backup (no such directory). "
                                "The current database was left untouched.\n"),
])
def test_expected_failures_are_one_line_and_exit_1(tmp_path, file_db, capsys, argv, message):
    argv = [a.replace("{tmp}", str(tmp_path)) for a in argv]
    code, out, err = run(capsys, *argv, "--db", file_db)
    assert (code, out, err) == (1, "", message.replace("{tmp}", str(tmp_path)))


def test_a_file_that_cannot_be_written_is_one_line(tmp_path, file_db, capsys, monkeypatch):
    def denied(self, data):
        raise PermissionError(13, "Permission denied", str(self))
    monkeypatch.setattr(Path, "write_bytes", denied)
    code, _, err = run(capsys, "export", "products", str(tmp_path / "p.csv"), "--db", file_db)
    assert (code, err) == (1, f"Cannot use {tmp_path / 'p.csv'}: Permission denied.\n")


def test_load_into_a_pipe_that_closes_early_is_quiet(tmp_path):
    """`load | head -1`: the reader stops after a line; no traceback, exit 141 like Unix tools."""
    path = tmp_path / "f.duckdb"
    d = Database(path)
    load_scenario(d, "promise")
    d.close()
    p = subprocess.Popen([sys.executable, "-m", "lib", "load", "--by", "day", "--weeks", "104", "--as-of",
                          "2026-11-25", "--db", str(path)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         cwd=str(ROOT))
    assert p.stdout.readline().startswith(b"work_center,period,")
    p.stdout.close()
    assert p.wait(timeout=120) == 141
    assert p.stderr.read() == b""


# ---------------------------------------------------------------------------- reset-password

def test_reset_password_lifts_the_login_throttling_of_the_admin(tmp_path, capsys, monkeypatch):
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
    path = tmp_path / "t.duckdb"
    Database(path).close()
    monkeypatch.setattr("sys.stdin", io.StringIO("a brand new secret\n"))
    code, _, err = run(capsys, "reset-password", "nobody", "--password-stdin", "--db", str(path))
    assert code == 1 and "no user 'nobody'" in err
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    code, _, err = run(capsys, "reset-password", "nobody", "--password-stdin", "--db", str(path))
    assert code == 1 and "password" in err.lower()
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    code, _, err = run(capsys, "reset-password", "nobody", "--password-stdin", "--db", str(path))
    assert (code, err) == (1, "Please check the input: new password: no password on standard input "
                              "(--password-stdin reads its first line); nothing was changed.\n")


def test_reset_password_without_a_terminal_says_how(tmp_path, capsys, monkeypatch):
    path = tmp_path / "t.duckdb"
    Database(path).close()
    monkeypatch.setattr("sys.stdin", io.StringIO(""))          # cron, a pipe: no terminal to prompt on
    code, out, err = run(capsys, "reset-password", "admin", "--db", str(path))
    assert code == 1 and out == "" and len(err.splitlines()) == 1
    assert "there is no terminal to ask for it on" in err and "--password-stdin" in err
    assert "Unexpected" not in err


# ---------------------------------------------------------------------------- README

def test_readme_lists_every_command_as_the_parser_has_it():
    """README's command list is the parser's synopsis (lib.cli.synopsis): every command, every
    option, every choice. If this fails, paste lib.cli.synopsis() into README."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert synopsis() in readme, "README's command list differs from the parser:\n" + synopsis()


def test_readme_says_what_the_run_command_does():
    """The server is headless (.streamlit/config.toml): README says to open the address, it does
    not promise a browser."""
    config = (ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "headless = true" in config
    assert "open the address it prints" in readme and "opens a browser" not in readme


def test_the_synopsis_names_every_option():
    text = synopsis()
    for needle in ("load [--as-of DATE] [--by day|week|month] [--weeks N] [--view required|planned]",
                   "promise --product P --qty N --requested DATE [--as-of DATE] [--format json|text]",
                   "reset-password USERNAME [--password-stdin]",
                   "init --demo|--empty [--as-of YYYY-MM-DD] [--seed N] [--scale demo|large] [--force]",
                   "sync DIR [--report REPORT.csv] [--valid-only] [--accept-reformatted]"):
        assert needle in text


# ---------------------------------------------------------------------------- handed to a dashboard

@pytest.fixture
def dashboard(tmp_path):
    """A database file (the promise scenario) with a dashboard's listener on it, in this process
    (lib.ui.server.listen, what `serve` starts), and an identical copy nobody holds."""
    from lib.ui import server
    live, copy = tmp_path / "live.duckdb", tmp_path / "copy.duckdb"
    d = Database(live)
    load_scenario(d, "promise")
    d.checkpoint()
    d.close()
    shutil.copy(live, copy)
    listener = server.listen(str(live))
    yield live, copy, listener
    server.stop_listening()
    held = opened(str(live))
    if held is not None:
        held.close()


def _same(argv, live, copy, capsys, listener):
    """(code, out, err) of a command handed over on `live` and run here on `copy` (paths made equal)."""
    before = listener.answered
    handed = run(capsys, *argv, "--db", str(live))
    assert listener.answered == before + 1, "the command was not handed over"
    here = run(capsys, *argv, "--db", str(copy))
    return handed, tuple(x.replace(str(copy), str(live)) if isinstance(x, str) else x for x in here)


@pytest.mark.parametrize("argv", [
    ["promise", "--product", "S", "--qty", "300", "--requested", "2026-11-30", "--as-of", "2026-11-25"],
    ["promise", "--product", "S", "--qty", "300", "--requested", "2026-11-30", "--format", "json"],
    ["promise", "--product", "NOPE", "--qty", "5", "--requested", "2026-12-01"],     # refused: exit 1
    ["load", "--as-of", "2026-11-25", "--weeks", "3", "--view", "planned", "--format", "json"],
    ["late", "--as-of", "2026-11-25"],
    ["kpis", "--format", "json"],                                        # today: the caller's TANDEM_AS_OF
    ["check"],
    ["export", "routings", "out.csv"],
])
def test_a_handed_over_command_prints_and_exits_as_when_run_here(dashboard, capsys, monkeypatch, tmp_path, argv):
    live, copy, listener = dashboard
    monkeypatch.setenv("TANDEM_AS_OF", "2026-11-25")      # the caller's 'today' travels with the command
    monkeypatch.chdir(tmp_path)                           # and its working directory (out.csv)
    handed, here = _same(argv, live, copy, capsys, listener)
    assert handed == here
    if argv[0] == "export":
        assert (tmp_path / "out.csv").read_bytes().startswith("\ufeffproduct,step,work_center".encode())


def test_an_import_handed_over_writes_through_the_dashboards_gateway(dashboard, capsys, monkeypatch, tmp_path):
    live, _, listener = dashboard
    new = tmp_path / "new.csv"
    new.write_text("customer,name\nN1,New One\nN2,New Two\n", encoding="utf-8")
    code, out, err = run(capsys, "import", "customers", str(new), "--db", str(live))
    assert (code, err) == (0, "") and "2 added" in out
    db = opened(str(live))                     # the dashboard's own Database: pages cache on its version
    assert db is not None and db.scalar("SELECT count(*) FROM customers WHERE customer IN ('N1', 'N2')") == 2
    v = db.data_version()
    code, out, _ = run(capsys, "import", "customers", str(new), "--db", str(live))
    assert code == 0 and "0 added, 0 updated, 2 unchanged" in out
    assert db.data_version() == v              # changed nothing: moved nothing
    bad = tmp_path / "bad.csv"
    bad.write_text("customer,name\nC9,\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)                # a relative report path is the caller's directory
    code, out, err = run(capsys, "import", "customers", str(bad), "--report", "problems.csv", "--db", str(live))
    assert code == 1 and out == "" and "Nothing was written." in err
    assert "required, but empty" in (tmp_path / "problems.csv").read_text(encoding="utf-8-sig")


def test_a_password_asked_here_is_set_by_the_dashboard(dashboard, capsys, monkeypatch):
    from lib.people import users
    from lib.people.auth import SYSTEM
    live, _, listener = dashboard
    users.create_user(_dashboard_db(live), SYSTEM, "ann", "Ann", "viewer", password="first password 1")
    monkeypatch.setattr("sys.stdin", io.StringIO("another password 2\n"))
    before = listener.answered
    code, out, err = run(capsys, "reset-password", "ann", "--password-stdin", "--db", str(live))
    assert (code, err, listener.answered) == (0, "", before + 1)
    assert users.authenticate(_dashboard_db(live), "ann", "another password 2").username == "ann"


def _dashboard_db(live):
    from lib.store.db import get_db
    return get_db(str(live))


def test_init_and_restore_refuse_while_a_dashboard_holds_the_file(dashboard, capsys, tmp_path):
    live, copy, listener = dashboard
    bk = tmp_path / "bk"
    assert run(capsys, "backup", str(bk), "--db", str(live))[0] == 0          # handed over
    before = sorted(p.name for p in tmp_path.iterdir())
    code, out, err = run(capsys, "init", "--empty", "--force", "--db", str(live))
    assert code == 1 and out == ""
    assert f"the dashboard (PID {os.getpid()}, started" in err and f"holds {live}" in err
    assert "Stop it first" in err and "init --empty --db OTHER.duckdb" in err
    code, out, err = run(capsys, "restore", str(bk), "--db", str(live))
    assert code == 1 and f"the dashboard (PID {os.getpid()}" in err and "left untouched" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == before            # no .new, no .restore
    db = _dashboard_db(live)
    assert db.scalar("SELECT count(*) FROM work_centers") > 0               # the same file, still served
    # a dashboard started on a file not yet created holds that name too
    from lib.ui import server
    fresh = tmp_path / "fresh.duckdb"
    server.listen(str(fresh))
    code, _, err = run(capsys, "init", "--empty", "--db", str(fresh))
    assert code == 1 and f"holds {fresh}" in err and not fresh.exists()


def test_a_second_dashboard_on_the_same_database_is_refused(dashboard, capsys):
    live, _, _ = dashboard
    code, _, err = run(capsys, "serve", "--db", str(live))
    assert code == 1 and f"the dashboard (PID {os.getpid()}" in err and "already runs on" in err


def test_a_killed_dashboards_record_is_ignored(tmp_path, capsys):
    """A record whose PID lives on (reused) but whose socket nobody listens on: the dashboard was
    killed; the command opens the file itself."""
    import json
    import socket
    path = tmp_path / "t.duckdb"
    Database(path).close()
    dead = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    dead.bind(str(tmp_path / "dead.sock"))                  # bound, never listening: refused
    (tmp_path / "t.duckdb.handoff").write_text(json.dumps({
        "pid": os.getpid(), "uid": os.getuid(), "socket": str(tmp_path / "dead.sock"), "token": "x",
        "database": str(path.resolve()), "started": "2026-11-25T08:00:00"}))
    try:
        assert handoff.find(str(path)) is not None
        code, out, err = run(capsys, "export", "customers", str(tmp_path / "c.csv"), "--db", str(path))
        assert (code, err) == (0, "") and "0 rows written" in out
    finally:
        dead.close()


def test_the_command_line_offers_the_engines_choices_without_importing_them():
    """lib.cli.plan spells out the buckets and views (so a handed-over command starts without
    numpy/pandas); they must be the engines' own."""
    from lib.cli import plan
    from lib.plan import capacity, grid
    assert plan.BY == grid.BY and plan.VIEWS == capacity.VIEWS
    found = subprocess.run([sys.executable, "-c", "import sys, lib.cli; print(sorted(m for m in sys.modules "
                            "if m.split('.')[0] in ('pandas', 'numpy', 'duckdb', 'numba')))"],
                           capture_output=True, text=True, cwd=str(ROOT), timeout=60)
    assert found.stdout.strip() == "[]"


def test_the_demo_banners_command_is_safe_while_the_dashboard_runs(dashboard, capsys):
    """The Overview's banner gives one command in both languages; run as given while the
    dashboard runs it is refused and replaces nothing; once the dashboard is stopped it does what
    the banner says."""
    import re

    from lib.i18n import t
    from lib.ui import server
    live, _, _ = dashboard
    commands = {re.search(r"`python -m lib ([^`]+)`", t("app.demo_banner", lang, as_of="2026-11-25")).group(1)
                for lang in ("en", "zh")}
    assert len(commands) == 1
    argv = commands.pop().split()
    code, _, err = run(capsys, *argv, "--db", str(live))
    assert code == 1 and "the dashboard (PID" in err
    assert _dashboard_db(live).scalar("SELECT count(*) FROM work_centers") > 0
    server.stop_listening()
    _dashboard_db(live).close()
    assert run(capsys, *argv, "--db", str(live))[0] == 0
    assert _customers(live) == []
