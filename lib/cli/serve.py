"""Run the dashboard:

    python -m lib serve [--port 8501] [--address 0.0.0.0]

Opens no browser (the server is headless, .streamlit/config.toml): it prints the address to
open. From its start it takes the work of commands run meanwhile on its database
(lib.cli.handoff); a second dashboard on the same database is refused.
"""
from __future__ import annotations

from lib.cli.common import Group, whole

group = Group()
command = group.command


def _args(p):
    p.add_argument("--port", type=whole(1, 65535, "port"), default=None, metavar="PORT",
                   help="port to listen on (default 8501)")
    p.add_argument("--address", default=None, metavar="ADDRESS",
                   help="address to listen on (default: every interface)")


@command("serve", "run the dashboard on the database; commands run meanwhile hand their work to it",
         _args, local=True)
def cmd_serve(args) -> int:
    from lib.ui import server
    return server.run(args.db, port=args.port, address=args.address)
