"""The acting user of this session, for pages that write (login lives in lib.ui.session when
present; without it the app runs as lib.auth.SYSTEM, like the command line)."""
from __future__ import annotations

from lib.auth import SYSTEM, User


def user() -> User:
    try:
        from lib.ui import session
    except ImportError:
        return SYSTEM
    return session.current_user()
