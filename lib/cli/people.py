"""Command line for accounts, for whoever runs the server (file access to the database is
already full access to it):

    python -m lib reset-password USERNAME [--db PATH]      # asks for the new password twice
    echo 'new password' | python -m lib reset-password USERNAME --password-stdin

The way back in when the only admin has forgotten their password: sets the password, clears
the account's login throttling (its failure counters from every address) and reactivates
nothing else. Audited like a reset from the Users page
(acting user: system). Stop the dashboard first: DuckDB lets one process open the file.
"""
from __future__ import annotations

import getpass
import sys

from lib.cli.common import Group, open_db
from lib.errors import ValidationError
from lib.people import users
from lib.people.auth import SYSTEM

group = Group()
command = group.command

def _args(p):
    p.add_argument("username", help="the account whose password is set")
    p.add_argument("--password-stdin", action="store_true",
                   help="read the new password from the first line of standard input (no prompt)")


def _new_password(args) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("New password: ")
    if getpass.getpass("Again: ") != first:
        raise ValidationError("The two passwords differ; nothing was changed.", where="new password")
    return first


@command("reset-password", "set a user's password and clear its login throttling (e.g. the admin's)", _args)
def cmd_reset_password(args) -> int:
    db = open_db(args)
    password = _new_password(args)
    users.reset_password(db, SYSTEM, args.username, password)
    print(f"Password of {users.normalise_username(args.username)} set; its login throttling cleared.")
    return 0
