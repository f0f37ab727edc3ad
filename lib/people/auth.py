"""Who is acting, and what their role lets them do.

Every write in lib goes through `lib.store.db.Database.transaction(user, need=...)`, which calls
`require` — so permissions hold even when a page is driven without its UI. Inside the
transaction every write is checked again per table, by the table's write rule (`write_rule`),
whether it is made with Tx.insert/update/delete or with raw SQL (Tx.execute, tx.cur: the gateway
reads the target table of every statement, lib.store.statements):
- department tables need "edit" for their owning department (lib.departments.TABLE_OWNER);
- the meeting, action, review, user and settings tables need the permission named in
  TABLE_NEED, for the department the row belongs to where the need is per department;
- the gateway's own bookkeeping (SYSTEM_TABLES: meta, schema_migrations, section_updates) is
  written only by the system user, and the audit log only by the gateway's audit rows;
- staging tables of one transaction (names starting with "_", TEMP) by any writer;
- a table without a rule only by the system user.
Raw SQL other than reads and those writes (ATTACH, COPY TO a file, EXPORT, INSTALL, LOAD,
PRAGMA, SET, CREATE/DROP/ALTER of the schema, ...) is reserved to the system user.
A viewer may not open a write transaction at all.

Roles: admin (users, the login rules, restore, and everything a chair may do), chair / plant
manager (every section, runs meetings, verifies actions, the meeting's targets and working
rules in settings), head (one department: edits its section's tables, its own actions and its
own order reviews), viewer (read-only, the projector). `system` is the command line and the demo
generator. `display` is a screen signed in with a display token (lib.people.sessions): it reads
what a viewer reads, is no account, has no permission and cannot open a write transaction.
"""
from __future__ import annotations

from dataclasses import dataclass

from lib.departments import DEPARTMENTS, TABLE_OWNER
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

# The role of a screen signed in with a display token (lib.people.sessions.Display.user): not an
# account role (ROLES), never a writer (may_write), no need in _EVERYWHERE grants it anything.
DISPLAY = "display"


def is_display(user: User) -> bool:
    """True for a screen signed in with a display token (the projector in kiosk mode).

    >>> is_display(User("display:1", DISPLAY, None, "Meeting room")), is_display(User("wall", "viewer"))
    (True, False)
    """
    return user.role == DISPLAY

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
    "sessions": "users", "display_tokens": "users",
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


# The gateway's own bookkeeping: the data version and modes (meta), the migrations applied and
# each section's freshness, written by lib.store.db itself and, through SYSTEM, the command line.
SYSTEM_TABLES = frozenset({"meta", "schema_migrations", "section_updates"})
# Written only by the gateway's audit rows (Tx.audit...), never changed, by anyone.
AUDIT_TABLES = frozenset({"audit_log"})

# What a permitted unit of work also writes in a table its user may not write directly, named by
# the transaction's need and department (checked when it opened; None: any department) and
# claimed by the caller with `Tx.execute(..., consequence_of=need)`.
CONSEQUENCES: dict[tuple[str, str | None], frozenset[str]] = {
    # signing a review sets the line's review status and committed date, and its promise history
    ("review", None): frozenset({"order_lines", "promise_history"}),
    # accepting or changing an order line opens its review round for every department
    ("edit", "sales"): frozenset({"order_reviews"}),
}


@dataclass(frozen=True)
class WriteRule:
    """Who may write a table: kind "owner" (value: the department whose "edit" it needs), "need"
    (value: the permission), "system", "audit" (nobody) or "scratch" (any writer)."""
    kind: str
    value: str | None = None


def write_rule(table: str) -> WriteRule | None:
    """The rule for writing `table`, or None when none is declared (then only the system user may).

    >>> write_rule("customers"), write_rule("users"), write_rule("meta"), write_rule("_typed_1")
    (WriteRule(kind='owner', value='sales'), WriteRule(kind='need', value='users'), WriteRule(kind='system', value=None), WriteRule(kind='scratch', value=None))
    """
    if table.startswith("_"):
        return WriteRule("scratch")
    if table in AUDIT_TABLES:
        return WriteRule("audit")
    if table in SYSTEM_TABLES:
        return WriteRule("system")
    if (owner := TABLE_OWNER.get(table)) is not None:
        return WriteRule("owner", owner)
    if (need := TABLE_NEED.get(table)) is not None:
        return WriteRule("need", need)
    return None


def is_consequence(need: str | None, department: str | None, table: str) -> bool:
    """True when a transaction opened for `need` (and `department`) may write `table` as the
    consequence of what it does (CONSEQUENCES)."""
    return need is not None and (table in CONSEQUENCES.get((need, department), ())
                                 or table in CONSEQUENCES.get((need, None), ()))


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


def who(user: User) -> str:
    """The acting user as refusals name them: "ann (head, sales)"."""
    return f"{user.label} ({user.role}{', ' + user.department if user.department else ''})"


# what a need lets one do, as a refusal says it ("may not run meetings")
NEED_TEXT = {"edit": "edit", "review": "sign order reviews", "action": "change actions",
             "meeting": "run meetings", "verify": "verify actions", "settings": "change settings",
             "users": "manage users", "restore": "restore the database"}


def require(user: User, need: str, department: str | None = None, *, table: str | None = None) -> None:
    """Raise PermissionDenied unless `user` may do `need` (`table`: the table being written,
    named in the refusal).

    >>> require(User("bo", "head", "pmc"), "edit", "sales", table="customers")
    Traceback (most recent call last):
    lib.errors.PermissionDenied: bo (head, pmc) may not edit for sales (customers is a sales table).
    """
    if not can(user, need, department):
        if department:
            where = f" for {department}"
        else:               # a head's need for no department in particular: every department's rows
            where = " for every department" if need in _OWN_DEPARTMENT and user.role == "head" else ""
        if table is None:
            why = ""
        elif need == "edit" and department:
            why = f" ({table} is a {department} table)"
        else:
            why = f" (writing {table} needs that)"
        raise PermissionDenied(f"{who(user)} may not {NEED_TEXT.get(need, need)}{where}{why}.")


def may_write(user: User) -> bool:
    """False for the read-only roles: a viewer, a display (or an unknown role) changes nothing.

    >>> may_write(User("wall", "viewer")), may_write(User("display:1", DISPLAY)), may_write(User("bo", "head", "pmc"))
    (False, False, True)
    """
    return user.role in ("system", "admin", "chair", "head")


def require_writer(user: User) -> None:
    """Raise PermissionDenied for a read-only user, before any write starts."""
    if not may_write(user):
        raise PermissionDenied(f"{who(user)} has read-only access and cannot change anything.")


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
