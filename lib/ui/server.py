"""Starting the dashboard: `python -m lib serve` runs `streamlit run app.py` in this process,
taking the work of commands run meanwhile on its database from its first moment.

Why not plain `streamlit run app.py` (which works too): Streamlit treats a pages/ folder beside
the entry file as an old-style multipage app until the first st.navigation call in the process.
On a freshly started server the very first request then runs through that old mode: a deep link
such as /sales gets Streamlit's English "Page not found" box over the login before app.py has
had a chance to call st.navigation. st.navigation turns the old mode off by setting
PagesManager.uses_pages_directory to False; doing the same before the server accepts its first
session means the old mode never runs. (Page modules only define functions, so even the old
mode could never show a page without the login: tests/test_layout.py.)

Commands while it runs (lib.store.handoff, lib.cli.handoff): `listen(db_path)` starts, once per
process and database, the listener that runs a command's work in this process, through the
database the pages use. `serve` starts it before Streamlit; under plain `streamlit run app.py`
the app starts it on first use (lib.ui.state.db -> listen_in_app). The listener's threads only
wait on a socket, so Streamlit's own threads never wait for them.
"""
from __future__ import annotations

import logging
import os
import threading
from pathlib import Path

APP = Path(__file__).resolve().parents[2] / "app.py"
log = logging.getLogger("tandem.server")

_LISTENERS: dict[str, object] = {}
_LISTENERS_LOCK = threading.Lock()


def streamlit_argv(port: int | None = None, address: str | None = None, extra: list[str] | None = None) -> list[str]:
    """The `streamlit run` arguments for app.py with these server options."""
    argv = ["run", str(APP)]
    if port:
        argv.append(f"--server.port={port}")
    if address:
        argv.append(f"--server.address={address}")
    return argv + list(extra or [])


def listen(db_path: str):
    """Take commands for the database `db_path` in this process (once per process and database;
    later calls return the same listener). None, with a warning in the log, where commands cannot
    be taken (no private directory for the socket): they are then refused as before, naming this
    process."""
    from lib.cli import handoff as commands
    from lib.store import handoff
    from lib.store.db import get_db
    key = handoff.identity(str(db_path))
    with _LISTENERS_LOCK:
        if key not in _LISTENERS:
            path = str(db_path)
            listener = handoff.Listener(path, lambda request: commands.serve(request, path, lambda: get_db(path)))
            try:
                _LISTENERS[key] = listener.start()
            except handoff.HandoffUnavailable as e:
                log.warning("%s: %s", e.title, e.detail)
                _LISTENERS[key] = None
        return _LISTENERS[key]


def listen_in_app(db_path: str) -> None:
    """`listen` from the app, when it runs in a real Streamlit server (plain `streamlit run
    app.py`): not under AppTest, whose page tests are no dashboard anyone hands work to."""
    from streamlit.runtime import Runtime
    if _shared(db_path):
        return
    if Runtime.exists() and type(Runtime.instance()) is Runtime:    # AppTest's is a mock
        listen(db_path)


def _shared(db_path) -> bool:
    """A PostgreSQL URL: several processes share it, so none holds it or takes others' commands."""
    return "://" in str(db_path)


def stop_listening() -> None:
    """Close every listener of this process (at exit this happens by itself)."""
    with _LISTENERS_LOCK:
        for listener in _LISTENERS.values():
            if listener is not None:
                listener.close()
        _LISTENERS.clear()


def run(db_path: str, port: int | None = None, address: str | None = None, extra: list[str] | None = None) -> int:
    """Serve the dashboard on `db_path` until interrupted; returns Streamlit's exit code."""
    from lib.errors import TandemError
    from lib.store import handoff
    running = None if _shared(db_path) else handoff.find(str(db_path))
    if running is not None:
        raise TandemError(f"{running.describe()} already runs on {db_path}; open it in the browser, or stop it "
                          "before starting another (two cannot hold one database).", title="Not started")
    os.environ["TANDEM_DB"] = str(db_path)
    from streamlit.runtime.pages_manager import PagesManager
    PagesManager.uses_pages_directory = False      # see the module docstring
    if not _shared(db_path):
        listen(str(db_path))
    from streamlit.web import cli
    try:
        cli.main(args=streamlit_argv(port, address, extra), prog_name="streamlit", standalone_mode=True)
    except SystemExit as e:
        return int(e.code or 0)
    finally:
        stop_listening()
    return 0
