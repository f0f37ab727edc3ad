"""The command line: a thin layer over the library, one module per command group.

    python -m lib serve ...                          lib/cli/serve.py
    python -m lib init|backup|restore|check ...      lib/cli/store.py
    python -m lib import|export|sync ...             lib/cli/data.py
    python -m lib load|late|promise ...              lib/cli/plan.py
    python -m lib kpis ...                           lib/cli/kpis.py
    python -m lib reset-password ...                 lib/cli/people.py

Every command takes --db PATH (default: the TANDEM_DB setting). Exit codes: 0 done, 1 refused or
failed (with a one-line message on stderr saying why), 2 bad arguments or a bad TANDEM_AS_OF;
141 when standard output was closed early (`load | head -1`), quietly, as Unix tools do.
While a dashboard holds the database, a command hands its work to it (lib.cli.handoff).
"""
from __future__ import annotations

import os
import sys

from lib.cli import handoff, parser, serve
from lib.cli.common import run_guarded, say
from lib.errors import TandemError

GROUPS = (serve, *parser.GROUPS)   # the order of `python -m lib --help`
EXIT_PIPE = 141                    # 128 + SIGPIPE


def build_parser():
    return parser.build_parser(GROUPS)


def synopsis() -> str:
    """README's command list, from the parser (tests/test_cli.py keeps README equal to it)."""
    return parser.synopsis(build_parser())


def environment_problem() -> str | None:
    """What is wrong with the deployment settings commands read at start (TANDEM_AS_OF)."""
    from lib import settings
    try:
        settings.as_of()
    except TandemError as e:
        return f"{e.title}: {e.detail}"
    return None


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        problem = environment_problem()
        if problem:
            say(problem, error=True)
            return 2
        args = build_parser().parse_args(argv)
        code = run(args, argv)
        sys.stdout.flush()
        return code
    except BrokenPipeError:
        _quiet_stdout()
        return EXIT_PIPE


def run(args, argv: list[str]) -> int:
    """Run a parsed command: handed to the dashboard that holds args.db if one does, else here."""
    command = args.spec

    def go() -> int:
        extra = command.prepare(args) if command.prepare else {}
        if not command.local:
            code = handoff.hand_over(args, argv, extra)
            if code is not None:
                return code
        for name, value in extra.items():
            setattr(args, name, value)
        return command.run(args)

    return run_guarded(go)


def _quiet_stdout() -> None:
    """The reader of our standard output has gone (`| head -1`): nothing more goes to it, and the
    interpreter's last flush at exit must not complain either."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):
        pass
