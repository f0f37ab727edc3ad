"""Starting the dashboard: `python -m lib serve` runs `streamlit run app.py` in this process.

Why not plain `streamlit run app.py` (which works too): Streamlit treats a pages/ folder beside
the entry file as an old-style multipage app until the first st.navigation call in the process.
On a freshly started server the very first request then runs through that old mode: a deep link
such as /sales gets Streamlit's English "Page not found" box over the login before app.py has
had a chance to call st.navigation. st.navigation turns the old mode off by setting
PagesManager.uses_pages_directory to False; doing the same before the server accepts its first
session means the old mode never runs. (Page modules only define functions, so even the old
mode could never show a page without the login: tests/test_layout.py.)
"""
from __future__ import annotations

import os
from pathlib import Path

APP = Path(__file__).resolve().parents[2] / "app.py"


def streamlit_argv(port: int | None = None, address: str | None = None, extra: list[str] | None = None) -> list[str]:
    """The `streamlit run` arguments for app.py with these server options."""
    argv = ["run", str(APP)]
    if port:
        argv.append(f"--server.port={port}")
    if address:
        argv.append(f"--server.address={address}")
    return argv + list(extra or [])


def run(db_path: str, port: int | None = None, address: str | None = None, extra: list[str] | None = None) -> int:
    """Serve the dashboard on `db_path` until interrupted; returns Streamlit's exit code."""
    os.environ["TANDEM_DB"] = str(db_path)
    from streamlit.runtime.pages_manager import PagesManager
    PagesManager.uses_pages_directory = False      # see the module docstring
    from streamlit.web import cli
    try:
        cli.main(args=streamlit_argv(port, address, extra), prog_name="streamlit", standalone_mode=True)
    except SystemExit as e:
        return int(e.code or 0)
    return 0
