"""`python -m lib import/export`: exit 0 when written, 1 when refused with nothing written."""
import subprocess
import sys

from lib.cli import main
from lib.store.db import Database
from tests.conftest import DATA, ROOT


def run(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def _db(tmp_path):
    path = str(tmp_path / "t.duckdb")
    Database(path).close()
    return path


def _count(path, table):
    d = Database(path)
    try:
        return d.scalar(f"SELECT count(*) FROM {table}")
    finally:
        d.close()


def test_import_then_export_then_reimport(tmp_path, capsys):
    path = _db(tmp_path)
    code, out, _ = run(capsys, "import", "customers", str(DATA / "io" / "customers.csv"), "--db", path)
    assert code == 0 and "2 added, 0 updated, 0 unchanged, 0 skipped" in out
    target = tmp_path / "out.xlsx"
    code, out, _ = run(capsys, "export", "customers", str(target), "--db", path)
    assert code == 0 and "2 rows written" in out and target.stat().st_size > 0
    code, out, _ = run(capsys, "import", "customers", str(target), "--db", path)
    assert code == 0 and "0 added, 0 updated, 2 unchanged" in out


def test_refused_file_exits_1_writes_nothing_and_reports(tmp_path, capsys):
    path = _db(tmp_path)
    bad = tmp_path / "bad.csv"
    bad.write_text("customer,name\nC1,Acme\nC2,\nC1,Again\n", encoding="utf-8")
    report = tmp_path / "problems.csv"
    code, _, err = run(capsys, "import", "customers", str(bad), "--db", path, "--report", str(report))
    assert code == 1
    assert "2 problems in 2 rows" in err and "Nothing was written." in err
    assert "required, but empty" in err and "duplicate key C1: also on row 2" in err
    assert report.read_text(encoding="utf-8-sig").splitlines()[0] == "file,row,column,value,reason"
    assert _count(path, "customers") == 0
    code, out, _ = run(capsys, "import", "customers", str(bad), "--db", path, "--valid-only")
    assert code == 0 and "1 added" in out and "2 skipped" in out   # rows 3 (blank name) and 4 (duplicate)
    assert _count(path, "customers") == 1


def test_unknown_table_and_missing_file(tmp_path, capsys):
    import pytest
    path = _db(tmp_path)
    with pytest.raises(SystemExit) as e:                 # a bad argument: exit 2, with usage
        main(["import", "widgets", "x.csv", "--db", path])
    assert e.value.code == 2 and "'widgets' is not a table" in capsys.readouterr().err
    code, _, err = run(capsys, "import", "customers", str(tmp_path / "nope.csv"), "--db", path)
    assert code == 1 and "does not exist" in err


def test_import_while_another_process_holds_the_database(tmp_path):
    """A process that takes no commands (not a dashboard: lib.ui.server.listen) holds the file:
    refused, naming it; nothing is written."""
    path = _db(tmp_path)
    holder = Database(path)
    try:
        out = subprocess.run([sys.executable, "-m", "lib", "import", "customers", str(DATA / "io" / "customers.csv"),
                              "--db", path], capture_output=True, text=True, timeout=120, cwd=str(ROOT))
        assert holder.scalar("SELECT count(*) FROM customers") == 0
    finally:
        holder.close()
    assert out.returncode == 1
    assert "is open in another process (PID" in out.stderr and "Traceback" not in out.stderr
