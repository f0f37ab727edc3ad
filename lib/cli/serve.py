"""Run the dashboard:

    python -m lib serve [--port 8501] [--address 0.0.0.0]

Opens no browser (the server is headless): it prints the address to open.
"""
from __future__ import annotations

from lib.cli.common import Group

group = Group()
command = group.command


def _args(p):
    p.add_argument("--port", type=int, default=None, help="port to listen on (default 8501)")
    p.add_argument("--address", default=None, help="address to listen on (default: every interface)")


@command("serve", "run the dashboard (Streamlit) on the database", _args)
def cmd_serve(args) -> int:
    from lib.ui import server
    return server.run(args.db, port=args.port, address=args.address)
