"""The command line's parser, built from the command groups; and its synopsis, which README's
command list is (tests/test_cli.py compares them, so neither can drift from the other).

`serve` (lib/cli/serve.py) is added by lib.cli: it starts the dashboard, which runs the other
commands for callers (lib.cli.handoff) with this same parser.
"""
from __future__ import annotations

import argparse

from lib import settings
from lib.cli import data, kpis, people, plan, store
from lib.cli.common import Parser

GROUPS = (store, plan, kpis, data, people)    # after serve, the order of `python -m lib --help`


def build_parser(groups=GROUPS) -> argparse.ArgumentParser:
    parser = Parser(prog="python -m lib", description="Tandem's command line. While the dashboard runs, "
                    "commands hand their work to it (README, 'While the dashboard runs').")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in groups:
        for c in module.group.commands:
            p = sub.add_parser(c.name, help=c.help, description=c.help)
            p.add_argument("--db", default=settings.db_path(), metavar="PATH",
                           help="database file (default: the TANDEM_DB setting)")
            c.arguments(p)
            p.set_defaults(spec=c)
    return parser


def commands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    """Each subcommand's own parser, by name, in the order of `--help`."""
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(sub.choices)


def _option(action: argparse.Action) -> str:
    flag = max(action.option_strings, key=len)
    if action.nargs == 0:
        return flag
    if action.choices:
        return f"{flag} {'|'.join(str(c) for c in action.choices)}"
    return f"{flag} {action.metavar or action.dest.upper()}"


def usage(name: str, p: argparse.ArgumentParser) -> str:
    """One command's synopsis: `import TABLE FILE [--valid-only] ...` (without --db and -h)."""
    grouped = {a for g in p._mutually_exclusive_groups for a in g._group_actions}
    positional = [a.metavar or a.dest.upper() for a in p._actions if not a.option_strings]
    exclusive = []
    for g in p._mutually_exclusive_groups:
        names = "|".join(max(a.option_strings, key=len) for a in g._group_actions)
        exclusive.append(names if g.required else f"[{names}]")
    options = [_option(a) if a.required else f"[{_option(a)}]" for a in p._actions
               if a.option_strings and a not in grouped and a.dest not in ("help", "db")]
    return " ".join([name, *positional, *exclusive, *options])


def synopsis(parser: argparse.ArgumentParser) -> str:
    """README's command list: every command's synopsis and what it does."""
    lines = []
    for name, p in commands(parser).items():
        lines.append(f"    python -m lib {usage(name, p)}")
        lines.append(f"        {p.description}")
    return "\n".join(lines) + "\n"
