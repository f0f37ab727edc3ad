"""Who is acting, and what their role lets them do.

Every write in lib goes through `lib.store.db.Database.transaction(user, need=...)`, which calls
`require` — so permissions hold even when a page is driven without its UI. Inside the
transaction, each `Tx.insert/update/delete` is checked again per table (`table_need`):
department tables need "edit" for their owning department (lib.departments.TABLE_OWNER); the
meeting, action, review, user and settings tables need the permission named in TABLE_NEED,
for the department the row belongs to where the need is per department. A viewer may not
open a write transaction at all.

Roles: admin (users, settings, restore, and everything a chair may do), chair / plant
manager (every section, runs meetings, verifies actions, settings), head (one department:
edits its section's tables, its own actions and its own order reviews), viewer (read-only,
the projector). `system` is the command line and the demo generator.
"""
from __future__ import annotations

from dataclasses import dataclass

from lib.departments import DEPARTMENTS
from lib.errors import PermissionDenied

ROLES = ("admin", "chair", "head", "viewer")

NEEDS = ("edit", "review", "action", "meeting", "verify", "settings", "users", "restore")


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

# Tables no department owns: the permission a write to them needs. For the per-department
# needs the department comes from the row (`department_column`) or from the row's action.
TABLE_NEED: dict[str, str] = {
    "users": "users", "settings": "settings", "login_throttle": "users", "login_addresses": "users",
    "meetings": "meeting", "meeting_attendance": "meeting", "agenda_items": "meeting",
    "decisions": "meeting", "snapshots": "meeting", "meeting_documents": "meeting",
    "action_items": "action", "action_discussions": "action", "action_events": "action",
    "order_reviews": "review",
}
# where the department of a per-department table's row is: a column, or ("action_id",) = the
# owner_department of that action
DEPARTMENT_OF_ROW: dict[str, str] = {
    "action_items": "owner_department", "order_reviews": "department",
    "action_discussions": "action_id", "action_events": "action_id",
}


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


def _who(user: User) -> str:
    return f"{user.label} ({user.role}{', ' + user.department if user.department else ''})"


def require(user: User, need: str, department: str | None = None) -> None:
    """Raise PermissionDenied unless `user` may do `need`."""
    if not can(user, need, department):
        where = f" for {department}" if department else ""
        raise PermissionDenied(f"{_who(user)} may not {need}{where}.")


def may_write(user: User) -> bool:
    """False for the read-only roles: a viewer (or an unknown role) changes nothing.

    >>> may_write(User("wall", "viewer")), may_write(User("bo", "head", "pmc"))
    (False, True)
    """
    return user.role in ("system", "admin", "chair", "head")


def require_writer(user: User) -> None:
    """Raise PermissionDenied for a read-only user, before any write starts."""
    if not may_write(user):
        raise PermissionDenied(f"{_who(user)} has read-only access and cannot change anything.")


def table_need(table: str) -> str | None:
    """The permission a write to an un-owned table needs (None: only `require_writer`)."""
    return TABLE_NEED.get(table)


def can_see(user: User, need: str | None) -> bool:
    """True when a page guarded by `need` belongs in `user`'s navigation.

    A page without a need is for everyone; a per-department need (edit, review, action) is
    met by a head of any department, since the page then shows that head its own part.
    """
    if need is None:
        return True
    if can(user, need):
        return True
    return user.role == "head" and need in _OWN_DEPARTMENT and user.department in DEPARTMENTS
