"""The command line: a thin layer over the library, one module per command group.

    python -m lib serve ...                          lib/cli/serve.py
    python -m lib init|backup|restore|check ...      lib/cli/store.py
    python -m lib import|export ...                  lib/cli/data.py
    python -m lib load|promise ...                   lib/cli/plan.py
    python -m lib kpis ...                           lib/cli/kpis.py
    python -m lib reset-password ...                 lib/cli/people.py

Every command takes --db PATH (default: the TANDEM_DB setting). Exit codes: 0 done,
1 refused or failed (with a message on stderr saying why), 2 bad arguments.
"""
from __future__ import annotations

import argparse
import os
import sys

from lib import settings
from lib.cli import data, kpis, people, plan, serve, store
from lib.errors import TandemError

GROUPS = (serve, store, plan, kpis, data, people)   # the order of `python -m lib --help`


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m lib", description="Tandem's command line.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in GROUPS:
        for c in module.group.commands:
            p = sub.add_parser(c.name, help=c.help, description=c.help)
            p.add_argument("--db", default=settings.db_path(), help="database file (default: TANDEM_DB setting)")
            c.arguments(p)
            p.set_defaults(run=c.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.run(args) or 0)
    except TandemError as e:
        print(f"{e.title}: {e.detail}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted; nothing more was written", file=sys.stderr)
        return 1
    except Exception as e:  # noqa: BLE001 - a bug must still end in one readable line
        if os.environ.get("TANDEM_DEBUG"):
            raise
        print(f"Unexpected error ({type(e).__name__}: {e}). Nothing more was written. "
              "Run again with TANDEM_DEBUG=1 to see the details.", file=sys.stderr)
        return 1
