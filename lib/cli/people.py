"""Command line for accounts, for whoever runs the server (file access to the database is
already full access to it):

    python -m lib reset-password USERNAME [--db PATH]      # asks for the new password twice
    printf '%s\\n' "$NEW_PASSWORD" | python -m lib reset-password USERNAME --password-stdin

The way back in when the only admin has forgotten their password: sets the password, clears
the account's login throttling (its failure counters from every address) and reactivates
nothing else. Audited like a reset from the Users page (acting user: system). Works while the
dashboard runs: the password is asked here, on this terminal, and handed to the dashboard with
the command (lib.cli.handoff).
"""
from __future__ import annotations

import getpass
import sys

from lib.cli.common import Group, open_db, say
from lib.errors import ValidationError

group = Group()
command = group.command


def _args(p):
    p.add_argument("username", metavar="USERNAME", help="the account whose password is set")
    p.add_argument("--password-stdin", action="store_true",
                   help="read the new password from the first line of standard input (no prompt)")


def _terminal() -> bool:
    try:
        return sys.stdin.isatty()
    except (AttributeError, ValueError, OSError):
        return False


def _new_password(args) -> dict:
    """The new password, asked here before anything is opened or handed over."""
    if args.password_stdin:
        try:
            line = sys.stdin.readline()
        except (OSError, ValueError):
            line = ""
        password = line.rstrip("\r\n")
        if not password:
            raise ValidationError("no password on standard input (--password-stdin reads its first line); "
                                  "nothing was changed.", where="new password")
        return {"password": password}
    if not _terminal():
        raise ValidationError("there is no terminal to ask for it on. Give it on standard input instead: "
                              "printf '%s\\n' \"$NEW_PASSWORD\" | python -m lib reset-password USERNAME "
                              "--password-stdin. Nothing was changed.", where="new password")
    try:
        first = getpass.getpass("New password: ")
        again = getpass.getpass("Again: ")
    except EOFError:
        raise ValidationError("none was given; nothing was changed.", where="new password") from None
    if again != first:
        raise ValidationError("the two passwords differ; nothing was changed.", where="new password")
    return {"password": first}


@command("reset-password", "set a user's password and clear its login throttling (e.g. the admin's)", _args,
         prepare=_new_password)
def cmd_reset_password(args) -> int:
    from lib.people import users
    from lib.people.auth import SYSTEM
    db = open_db(args)
    users.reset_password(db, SYSTEM, args.username, args.password)
    say(f"Password of {users.normalise_username(args.username)} set; its login throttling cleared.")
    return 0
