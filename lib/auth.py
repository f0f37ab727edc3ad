"""Who is acting, and what their role lets them do.

Every write in lib goes through `lib.db.Database.transaction(user, need=...)`, which calls
`require` — so permissions hold even when a page is driven without its UI.
"""
from __future__ import annotations

from dataclasses import dataclass

from lib.errors import PermissionDenied
from lib.sections import DEPARTMENTS

ROLES = ("admin", "chair", "head", "viewer")


@dataclass(frozen=True)
class User:
    username: str
    role: str
    department: str | None = None
    display_name: str = ""

    @property
    def label(self) -> str:
        return self.display_name or self.username


# The acting user of the command line, the demo generator and the app while login is off.
SYSTEM = User("system", "system", None, "Tandem")

# need -> roles that have it everywhere; a head has "edit"/"review"/"action" for its own department only
_EVERYWHERE = {
    "edit": {"system", "admin", "chair"},
    "review": {"system", "admin", "chair"},
    "action": {"system", "admin", "chair"},
    "meeting": {"system", "admin", "chair"},
    "verify": {"system", "admin", "chair"},
    "settings": {"system", "admin", "chair"},
    "users": {"system", "admin"},
    "restore": {"system", "admin"},
}
_OWN_DEPARTMENT = {"edit", "review", "action"}


def can(user: User, need: str, department: str | None = None) -> bool:
    """True when `user` may do `need` (for `department`, where the need is per department).

    >>> can(User("ann", "head", "sales"), "edit", "sales"), can(User("ann", "head", "sales"), "edit", "pmc")
    (True, False)
    """
    if need not in _EVERYWHERE:
        raise ValueError(f"unknown permission {need!r}")
    if user.role in _EVERYWHERE[need]:
        return True
    return (user.role == "head" and need in _OWN_DEPARTMENT and department is not None
            and department in DEPARTMENTS and user.department == department)


def require(user: User, need: str, department: str | None = None) -> None:
    """Raise PermissionDenied unless `user` may do `need`."""
    if not can(user, need, department):
        where = f" for {department}" if department else ""
        raise PermissionDenied(
            f"{user.label} ({user.role}{', ' + user.department if user.department else ''}) "
            f"may not {need}{where}.")
