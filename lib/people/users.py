"""Users, passwords and logins: the accounts behind lib.people.auth.User.

    >>> from lib.store.db import Database; from lib.people.auth import SYSTEM
    >>> db = Database(":memory:")
    >>> create_user(db, SYSTEM, "Ann", "Ann Li", "head", "sales", password="correct horse").username
    'ann'
    >>> authenticate(db, "ann", "correct horse").department
    'sales'

Passwords are hashed with Argon2id (argon2-cffi) using the OWASP minimum profile:
memory 19 MiB, 2 passes, 1 lane (`HASHER`) — about 25 ms per hash on one core, so a login
costs one hash while guessing stays expensive; a stored hash made with other parameters is
re-hashed at the next successful login. Neither a password nor its hash is ever logged,
shown, or written to the audit log (lib.store.db.SECRET_COLUMNS).

Every change here goes through `db.transaction` and is audited; logins, failed logins and
refused attempts are audited under the name that was tried, with the client address (`action`
login / login_failed / login_throttled, and password_failed / password_throttled for a wrong
current password in *change password*), role changes as `role_change`. Failed attempts make
further ones wait (lib.people.throttle); nothing locks an account but an admin deactivating it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

import pandas as pd
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from lib import settings
from lib.departments import DEPARTMENTS
from lib.errors import PermissionDenied, RuleViolation, TandemError, ValidationError
from lib.people import sessions, throttle
from lib.people.auth import DISPLAY, ROLES, SYSTEM, User

HASHER = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1)

USERNAME_MAX = 64
PASSWORD_MIN = 8
PASSWORD_MAX = 256            # Argon2 takes any length; a bound keeps a login request cheap
DISPLAY_NAME_MAX = 100
_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._@-]*$")
_EMAIL = re.compile(r"^[^@\s<>\"']+@[^@\s<>\"']+\.[^@\s<>\"']+$")

# The demo factory's accounts, one per role; all share the password DEMO_PASSWORD.
DEMO_USERNAMES = ("admin", "chair", "sales", "pmc", "purchasing", "quality", "engineering", "viewer")
DEMO_PASSWORD = "demo"


class LoginRefused(TandemError):
    """A login that did not succeed; the message never says whether the username exists.
    `reason`: wrong; wait (wrong, and the next attempt from here waits `seconds`); throttled
    (not checked at all: try again in `seconds`); deactivated."""
    title = "Login failed"

    def __init__(self, detail: str, *, reason: str = "wrong", seconds: int = 0):
        super().__init__(detail)
        self.reason = reason
        self.seconds = seconds


class PasswordRefused(PermissionDenied):
    """A password change refused for its current password; `reason` and `seconds` as for
    LoginRefused (wrong, wait, throttled)."""

    def __init__(self, detail: str, *, reason: str = "wrong", seconds: int = 0):
        super().__init__(detail)
        self.reason = reason
        self.seconds = seconds


@dataclass(frozen=True)
class Outcome:
    """What an attempt led to (kept so the refusal is raised after its record is committed)."""
    user: User | None
    message: str = ""
    reason: str = "wrong"
    seconds: int = 0


# ---------------------------------------------------------------------------- passwords

def hash_password(password: str) -> str:
    """An Argon2id hash of `password` (salted: two hashes of one password differ)."""
    return HASHER.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    """True when `password` matches `stored_hash`; False for no hash or a damaged one."""
    if not stored_hash:
        return False
    try:
        return HASHER.verify(stored_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


_DUMMY: list[str] = []


def _dummy_hash() -> str:
    # verified against when the username is unknown, so both cases take the same time
    if not _DUMMY:
        _DUMMY.append(hash_password("not a password of anyone"))
    return _DUMMY[0]


def check_password(password: str | None, where: str = "password") -> str:
    """The password if it meets the rules (8–256 characters, not only spaces), else ValidationError."""
    if password is None or password == "":
        raise ValidationError("enter a password.", where=where)
    if len(password) < PASSWORD_MIN:
        raise ValidationError(f"a password needs at least {PASSWORD_MIN} characters.", where=where)
    if len(password) > PASSWORD_MAX:
        raise ValidationError(f"a password may have at most {PASSWORD_MAX} characters.", where=where)
    if not password.strip():
        raise ValidationError("a password cannot be only spaces.", where=where)
    return password


# ---------------------------------------------------------------------------- input rules

def normalise_username(username: str | None) -> str:
    """A username as stored (trimmed, lower case), or ValidationError saying what is wrong.

    >>> normalise_username("  PMC ")
    'pmc'
    """
    name = (username or "").strip().lower()
    if not name:
        raise ValidationError("enter a username.", where="username")
    if len(name) > USERNAME_MAX:
        raise ValidationError(f"a username may have at most {USERNAME_MAX} characters "
                              f"(this one has {len(name)}).", where="username")
    if not _USERNAME.match(name):
        raise ValidationError("a username may contain only letters a–z, digits and . _ @ - "
                              "(no spaces, quotes or <>), and must start with a letter or digit.",
                              where="username")
    return name


def _display_name(text: str | None, username: str) -> str:
    name = (text or "").strip() or username
    if len(name) > DISPLAY_NAME_MAX:
        raise ValidationError(f"at most {DISPLAY_NAME_MAX} characters.", where="display name")
    if any(ord(ch) < 32 for ch in name):
        raise ValidationError("no line breaks or control characters.", where="display name")
    return name


def _email(text: str | None) -> str | None:
    email = (text or "").strip().lower()
    if not email:
        return None
    if len(email) > 254 or not _EMAIL.match(email):
        raise ValidationError(f"{email[:60]!r} is not an e-mail address.", where="e-mail")
    return email


def _role(role: str | None, department: str | None) -> tuple[str, str | None]:
    if role not in ROLES:
        raise ValidationError(f"{role!r} is not a role; choose one of {', '.join(ROLES)}.", where="role")
    if role == "head":
        if department not in DEPARTMENTS:
            raise ValidationError(f"a department head needs a department ({', '.join(DEPARTMENTS)}).",
                                  where="department")
        return role, department
    return role, None   # only a head's department decides anything


# ---------------------------------------------------------------------------- reading

def _row(con, username: str) -> dict | None:
    df = con.execute("SELECT * FROM users WHERE username = ?", [username]).df()
    if df.empty:
        return None
    return {k: (None if not isinstance(v, (bool,)) and pd.isna(v) else v) for k, v in df.iloc[0].items()}


def _as_user(row: dict) -> User:
    return User(row["username"], row["role"], row["department"], row["display_name"] or "")


def get_user(con, username: str) -> User | None:
    """The active user `username` as a lib.people.auth.User (None if unknown or deactivated)."""
    row = _row(con, str(username or "").strip().lower())
    return _as_user(row) if row and row["active"] else None


def user_by_email(con, email: str | None) -> User | None:
    """The active user whose e-mail is `email` (case-insensitive): how single sign-on maps an
    identity provider's account to a Tandem user. None when no active user has it."""
    email = (email or "").strip().lower()
    if not email:
        return None
    df = con.execute("SELECT * FROM users WHERE lower(email) = ? AND active AND role <> 'system' "
                     "ORDER BY username", [email]).df()
    if len(df) != 1:
        return None   # none, or (against the rules) ambiguous: refuse rather than guess
    return _as_user(df.iloc[0].to_dict())


def user_for_identity(con, claims: dict | None) -> User | None:
    """The Tandem user for an OpenID Connect identity (the claims Streamlit puts in st.user):
    matched by e-mail; refused (None) when the provider says the e-mail is not verified."""
    claims = dict(claims or {})
    if not claims.get("is_logged_in", True) or claims.get("email_verified") is False:
        return None
    return user_by_email(con, claims.get("email"))


def list_users(con, now: datetime | None = None) -> pd.DataFrame:
    """Every account without its password hash: has_password, last_login, and from the login
    throttle `failures` (recent failed logins over all addresses) and `throttled_until` (the
    latest time until which attempts from some address, or from new addresses, must wait)."""
    now = _now(now)
    accounts = con.execute(
        "SELECT u.username, u.display_name, u.role, u.department, u.email, u.active, "
        "u.password_hash IS NOT NULL AS has_password, l.last_login, u.created_at FROM users u "
        "LEFT JOIN (SELECT username, max(logged_at) AS last_login FROM audit_log "
        "           WHERE action = 'login' GROUP BY username) l USING (username) "
        "WHERE u.role <> 'system' ORDER BY u.role = 'viewer', u.role <> 'admin', u.role <> 'chair', "
        "u.department NULLS FIRST, u.username").df()
    state = throttle.by_account(con, now, throttle.Limits.read(con)).rename(columns={"account": "username"})
    out = accounts.merge(state, on="username", how="left")
    out["failures"] = out["failures"].fillna(0).astype(int)
    out["throttled_until"] = pd.to_datetime(out["throttled_until"])
    return out


def has_password_users(con) -> bool:
    """True once an active user with a password exists."""
    return bool(con.execute("SELECT count(*) FROM users WHERE active AND password_hash IS NOT NULL "
                            "AND role <> 'system'").fetchone()[0])


def login_required(con) -> bool:
    """Whether the app asks for a login: the `auth` setting (on / off), or for `auto`, once a
    user with a password exists."""
    mode = str(settings.get("auth", con)).strip().lower()
    if mode == "on":
        return True
    if mode == "off":
        return False
    return has_password_users(con)


def needs_first_admin(con) -> bool:
    """True on a first start: no active admin and no active user with a password exist, so the
    app asks to create the admin (never once anyone could log in or an admin exists)."""
    return not con.execute("SELECT count(*) FROM users WHERE active AND role <> 'system' "
                           "AND (role = 'admin' OR password_hash IS NOT NULL)").fetchone()[0]


# ---------------------------------------------------------------------------- login

def _now(now: datetime | None) -> datetime:
    return (now or datetime.now()).replace(microsecond=0)


def authenticate(db, username: str, password: str, *, now: datetime | None = None,
                 address: str | None = None, source: str = "login") -> User:
    """The user whose password this is, or LoginRefused saying why (without telling whether
    an unknown username exists). `address` is the client's address (None when unknown).

    Failed attempts make further attempts wait (lib.people.throttle): an attempt that has to
    wait is refused unchecked, with the seconds left; a deactivated account cannot log in.
    Every attempt is audited; its record is committed before the refusal is raised."""
    if not (username or "").strip():
        raise ValidationError("enter your username.", where="username")
    if not password:
        raise ValidationError("enter your password.", where="password")
    if len(username.strip()) > USERNAME_MAX:
        raise ValidationError(f"a username has at most {USERNAME_MAX} characters.", where="username")
    if len(password) > PASSWORD_MAX:
        raise ValidationError(f"a password has at most {PASSWORD_MAX} characters.", where="password")
    name = username.strip().lower()
    now = _now(now)
    with db.transaction(SYSTEM, source=source) as tx:
        tx.bump_version = False       # nothing a cached page shows: see lib.store.db
        outcome = _attempt(tx, name, password, now, throttle.address_key(address))
    if outcome.user is None:
        raise LoginRefused(outcome.message, reason=outcome.reason, seconds=outcome.seconds)
    return outcome.user


_SCOPE_TEXT = {throttle.PAIR: "this account from this address", throttle.ACCOUNT: "this account",
               throttle.ADDRESS: "this address"}


def _where_from(address: str | None) -> str:
    return address or "unknown address"


def _throttled(tx, action: str, name: str, address: str | None, wait: throttle.Wait) -> None:
    tx.audit(action, "users", name, "address", _where_from(address),
             f"refused unchecked: {wait.seconds} s to wait ({_SCOPE_TEXT[wait.scope]})", username=name)


def _attempt(tx, name: str, password: str, now: datetime, address: str | None) -> Outcome:
    limits = throttle.Limits.read(tx.cur)
    wait = throttle.wait(tx.cur, name, address, now, limits)
    if wait is not None:      # refused before any hash: the answer is the same for every name
        _throttled(tx, "login_throttled", name, address, wait)
        return Outcome(None, f"Too many failed logins: this attempt was not checked. Try again in "
                             f"{wait.seconds} s.", "throttled", wait.seconds)
    row = _row(tx.cur, name)
    if row is None or row["role"] == "system" or not row["password_hash"]:
        verify_password(_dummy_hash(), password)       # one hash, as for a real account
        return _failed(tx, name, address, now, limits, "unknown user" if row is None else "no password")
    if not verify_password(row["password_hash"], password):
        return _failed(tx, name, address, now, limits, "wrong password")
    if not row["active"]:
        tx.audit("login_failed", "users", name, "address", _where_from(address), "deactivated", username=name)
        return Outcome(None, "This account is deactivated. Ask an admin if you need access again.",
                       "deactivated")
    if HASHER.check_needs_rehash(row["password_hash"]):
        tx.execute("UPDATE users SET password_hash = ? WHERE username = ?", [hash_password(password), name])
    throttle.succeeded(tx, name, address, now, limits)
    tx.audit("login", "users", name, "address", None, address, username=name)
    return Outcome(_as_user(row))


def _failed(tx, name: str, address: str | None, now: datetime, limits: throttle.Limits, what: str) -> Outcome:
    throttle.record_failure(tx, name, address, now, limits)
    wait = throttle.wait(tx.cur, name, address, now, limits)
    seconds = wait.seconds if wait else 0
    tx.audit("login_failed", "users", name, "address", _where_from(address),
             what + (f"; the next attempt waits {seconds} s ({_SCOPE_TEXT[wait.scope]})" if wait else ""),
             username=name)
    if wait is None:
        return Outcome(None, "Wrong username or password.")
    return Outcome(None, f"Wrong username or password. Wait {seconds} s before the next attempt.", "wait", seconds)


def record_sso_login(db, user: User, email: str) -> None:
    """Audit a single sign-on login of `user` (the identity provider checked the password)."""
    with db.transaction(SYSTEM, source="sso") as tx:
        tx.audit("login", "users", user.username, "email", None, email, username=user.username)


def record_sso_refused(db, email: str) -> None:
    """Audit a single sign-on identity that matches no active user."""
    with db.transaction(SYSTEM, source="sso") as tx:
        tx.audit("login_failed", "users", None, "email", None, (email or "")[:254] or "(no e-mail)",
                 username=(email or "sso")[:USERNAME_MAX])


def record_logout(db, user: User, reason: str = "logout") -> None:
    """Audit the end of a session (`reason`: logout or idle timeout)."""
    if user.role == "system":
        return
    with db.transaction(SYSTEM, source="session") as tx:
        tx.audit(reason, "users", user.username, username=user.username)


# ---------------------------------------------------------------------------- administration

def create_first_admin(db, username: str, display_name: str, password: str, email: str | None = None) -> User:
    """Create the first admin of a database that has none (the first start asks for it).
    Refused once an active admin with a password exists."""
    name = normalise_username(username)
    check_password(password)
    label, mail = _display_name(display_name, name), _email(email)
    pw_hash = hash_password(password)
    with db.transaction(SYSTEM, source="setup") as tx:
        if not needs_first_admin(tx.cur):
            raise PermissionDenied("Tandem already has accounts; ask an admin to create yours.")
        if _row(tx.cur, name) is not None:
            tx.update("users", {"username": name}, {"display_name": label, "role": "admin", "department": None,
                                                     "email": mail, "password_hash": pw_hash, "active": True})
            _clear_throttle(tx, name)
        else:
            tx.insert("users", {"username": name, "display_name": label, "role": "admin", "email": mail,
                                "password_hash": pw_hash})
    return User(name, "admin", None, label)


def create_user(db, actor: User, username: str, display_name: str, role: str,
                department: str | None = None, *, email: str | None = None,
                password: str | None = None) -> User:
    """Add an account (needs the "users" permission). Without a password the user can only
    sign in through single sign-on until an admin sets one."""
    name = normalise_username(username)
    label, mail = _display_name(display_name, name), _email(email)
    role, department = _role(role, department)
    pw_hash = hash_password(check_password(password)) if password is not None else None
    with db.transaction(actor, source="users", need="users") as tx:
        if _row(tx.cur, name) is not None:
            raise RuleViolation(f"The username {name!r} is already taken; choose another.")
        _refuse_duplicate_email(tx, mail, name)
        tx.insert("users", {"username": name, "display_name": label, "role": role, "department": department,
                            "email": mail, "password_hash": pw_hash})
    return User(name, role, department, label)


def _refuse_duplicate_email(tx, email: str | None, username: str) -> None:
    if email is None:
        return
    other = tx.cur.execute("SELECT username FROM users WHERE lower(email) = ? AND username <> ?",
                           [email, username]).fetchone()
    if other:
        raise RuleViolation(f"The e-mail {email} already belongs to {other[0]}; single sign-on needs "
                            "each e-mail on one account only.")


def _existing(tx, username: str) -> dict:
    from lib.errors import NotFound
    row = _row(tx.cur, str(username or "").strip().lower())
    if row is None or row["role"] == "system":
        raise NotFound(f"There is no user {username!r}.")
    return row


def _refuse_last_admin(tx, row: dict, *, role: str, active: bool) -> None:
    """Refuse a change that would leave no active admin."""
    if row["role"] != "admin" or not row["active"] or (role == "admin" and active):
        return
    others = tx.cur.execute("SELECT count(*) FROM users WHERE role = 'admin' AND active AND username <> ?",
                            [row["username"]]).fetchone()[0]
    if not others:
        raise RuleViolation(f"{row['username']} is the last active admin; make another user admin "
                            "first, or nobody could manage users any more.")


def update_user(db, actor: User, username: str, *, display_name: str | None = None, role: str | None = None,
                department: str | None = None, email: str | None = None) -> None:
    """Change a user's name, e-mail, role and department (needs "users"). A role or
    department change is audited as `role_change`; the last active admin keeps the role."""
    with db.transaction(actor, source="users", need="users") as tx:
        row = _existing(tx, username)
        name = row["username"]
        new_role, new_dept = _role(role if role is not None else row["role"],
                                   department if role is not None or department is not None else row["department"])
        _refuse_last_admin(tx, row, role=new_role, active=bool(row["active"]))
        changes = {}
        if display_name is not None:
            changes["display_name"] = _display_name(display_name, name)
        if email is not None:
            changes["email"] = _email(email)
            _refuse_duplicate_email(tx, changes["email"], name)
        if changes:
            tx.update("users", {"username": name}, changes)
        if (new_role, new_dept) != (row["role"], row["department"]):
            tx.execute("UPDATE users SET role = ?, department = ? WHERE username = ?", [new_role, new_dept, name])
            tx.touched.add("users")
            tx.audit("role_change", "users", name, "role",
                     _role_text(row["role"], row["department"]), _role_text(new_role, new_dept))


def _role_text(role: str, department: str | None) -> str:
    return f"{role}:{department}" if department else role


def set_active(db, actor: User, username: str, active: bool) -> None:
    """Deactivate (or reactivate) an account; a deactivated user cannot log in or act, and
    their sessions end. Nobody deactivates themselves, and the last active admin stays."""
    with db.transaction(actor, source="users", need="users") as tx:
        row = _existing(tx, username)
        if not active and row["username"] == actor.username:
            raise RuleViolation("You cannot deactivate your own account; ask another admin.")
        _refuse_last_admin(tx, row, role=row["role"], active=bool(active))
        tx.update("users", {"username": row["username"]}, {"active": bool(active)})
        if not active:
            _end_sessions(tx, row["username"], "deactivated")


def reset_password(db, actor: User, username: str, new_password: str) -> None:
    """Set a new password for `username` (needs "users"), lift its login throttling and end
    its sessions (whoever held one must sign in with the new password)."""
    check_password(new_password, "new password")
    pw_hash = hash_password(new_password)
    with db.transaction(actor, source="users", need="users") as tx:
        row = _existing(tx, username)
        tx.update("users", {"username": row["username"]}, {"password_hash": pw_hash})
        _clear_throttle(tx, row["username"])
        _end_sessions(tx, row["username"], "password")


def _end_sessions(tx, name: str, reason: str) -> int:
    """End every session of `name` in the transaction that made them invalid (lib.people.sessions)."""
    n = sessions.end_in(tx, name, reason)
    if n:
        tx.audit("sessions_ended", "users", name, "sessions", None, f"{n} ended ({reason})")
    return n


def unlock(db, actor: User, username: str) -> int:
    """Lift the login throttling of `username` before it runs out (needs "users"): every
    failure counter of the account, from each address and over all; returns how many."""
    with db.transaction(actor, source="users", need="users") as tx:
        return _clear_throttle(tx, _existing(tx, username)["username"])


def unlock_address(db, actor: User, address: str) -> int:
    """Lift the login throttling of a client address (needs "users"): its counter over all
    accounts and each account's from it; returns how many counters were removed."""
    key = throttle.address_key(address) or str(address or "").strip()
    with db.transaction(actor, source="users", need="users") as tx:
        n = throttle.clear_address(tx, key)
        if n:
            tx.audit("throttle_cleared", "login_throttle", key, "address", f"{n} counters", None)
        return n


def _clear_throttle(tx, name: str) -> int:
    n = throttle.clear_account(tx, name)
    if n:
        tx.audit("throttle_cleared", "login_throttle", name, "account", f"{n} counters", None)
    return n


def change_own_password(db, user: User, old_password: str, new_password: str, *,
                        address: str | None = None, now: datetime | None = None) -> None:
    """A logged-in user changes their own password; the current one must be given. A wrong
    current password counts as a failed login of the account from `address` (the client's
    address, None when unknown) and makes further tries wait like one; PasswordRefused says
    so. Every refusal is audited and committed before it is raised."""
    if user.role == DISPLAY:
        raise PermissionDenied(f"{user.label} is a display screen: it has no password to change.")
    check_password(new_password, "new password")
    if new_password == old_password:
        raise ValidationError("the new password must differ from the current one.", where="new password")
    now, address = _now(now), throttle.address_key(address)
    with db.transaction(SYSTEM, source="password") as tx:
        tx.bump_version = False       # a hash and sign-in bookkeeping, nothing a cached page shows
        outcome = _change_password(tx, user.username, old_password or "", new_password, now, address)
    if outcome.user is None:
        raise PasswordRefused(outcome.message, reason=outcome.reason, seconds=outcome.seconds)


def _change_password(tx, name: str, old: str, new: str, now: datetime, address: str | None) -> Outcome:
    limits = throttle.Limits.read(tx.cur)
    scopes = throttle.PASSWORD_SCOPES
    wait = throttle.wait(tx.cur, name, address, now, limits, scopes)
    if wait is not None:
        _throttled(tx, "password_throttled", name, address, wait)
        return Outcome(None, "Too many wrong current passwords: this try was not checked and the password "
                             f"was not changed. Try again in {wait.seconds} s.", "throttled", wait.seconds)
    row = _row(tx.cur, name)
    if row is None or not row["active"] or not verify_password(row["password_hash"], old):
        throttle.record_failure(tx, name, address, now, limits, scopes)
        wait = throttle.wait(tx.cur, name, address, now, limits, scopes)
        tx.audit("password_failed", "users", name, "address", _where_from(address), "wrong current password"
                 + (f"; the next try waits {wait.seconds} s ({_SCOPE_TEXT[wait.scope]})" if wait else ""),
                 username=name)
        message = "The current password is not right; the password was not changed."
        if wait is None:
            return Outcome(None, message)
        return Outcome(None, f"{message} Wait {wait.seconds} s before the next try.", "wait", wait.seconds)
    new_hash = hash_password(new)
    tx.execute("UPDATE users SET password_hash = ? WHERE username = ?", [new_hash, name])
    tx.audit("update", "users", name, "password_hash", row["password_hash"], new_hash, username=name)
    throttle.succeeded(tx, name, address, now, limits)
    return Outcome(_as_user(row))


def set_demo_passwords(tx) -> int:
    """Give the demo accounts (DEMO_USERNAMES) that have no password yet the password "demo",
    inside the demo generator's transaction; returns how many were set.

    The password is hashed once and the same salted hash is stored for every demo account:
    eight Argon2 hashes would cost a noticeable part of a second for accounts whose password
    is printed on the login screen anyway. The salt is fixed too, so the demo factory stays
    byte-for-byte reproducible from its seed; real accounts always get a random salt of their own.
    """
    targets = tx.query("SELECT username FROM users WHERE password_hash IS NULL AND username IN ("
                       + ", ".join("?" * len(DEMO_USERNAMES)) + ")", list(DEMO_USERNAMES))["username"].tolist()
    if not targets:
        return 0
    shared = _demo_hash()
    for name in targets:
        tx.update("users", {"username": name}, {"password_hash": shared})
    return len(targets)


def _demo_hash() -> str:
    from argon2.low_level import Type, hash_secret
    return hash_secret(DEMO_PASSWORD.encode(), b"tandem-demo-salt", time_cost=HASHER.time_cost,
                       memory_cost=HASHER.memory_cost, parallelism=HASHER.parallelism,
                       hash_len=HASHER.hash_len, type=Type.ID).decode()


def demo_accounts(con) -> pd.DataFrame:
    """The demo accounts present in this database (shown on the login screen in demo mode only)."""
    return con.execute("SELECT username, display_name, role, department FROM users WHERE username IN ("
                       + ", ".join("?" * len(DEMO_USERNAMES)) + ") AND active ORDER BY "
                       "list_position(?, username)", list(DEMO_USERNAMES) + [list(DEMO_USERNAMES)]).df()


# lockout: written before migration 050 (an automatic lock, no longer made); kept for old rows
ACCESS_ACTIONS = ("login", "login_failed", "login_throttled", "password_failed", "password_throttled",
                  "throttle_cleared", "lockout", "logout", "session_expired", "session_deactivated",
                  "sessions_ended", "role_change")


def access_log(con, limit: int = 200) -> pd.DataFrame:
    """The latest sign-in events and role changes, newest first (logged_at, username, action,
    row_key, column_name, old_value, new_value, source)."""
    return con.execute(
        "SELECT logged_at, username, action, row_key, column_name, old_value, new_value, source FROM audit_log "
        "WHERE action IN (" + ", ".join("?" * len(ACCESS_ACTIONS)) + ") "
        "OR (table_name = 'users' AND column_name IN ('active', 'password_hash', 'locked_until')) "
        "ORDER BY audit_id DESC LIMIT ?", list(ACCESS_ACTIONS) + [int(limit)]).df()
