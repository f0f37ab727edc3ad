"""Sign-ins that survive a reload, and display tokens for the projector (table `sessions`,
`display_tokens`, migration 070).

After a login (lib.people.users.authenticate, or single sign-on) `issue` makes a session: a
random token the browser keeps in a cookie. The database keeps only the token's SHA-256, the
user, when the session was created and last seen, and whether (and why) it was revoked. Every
script run checks its session (`check`), so a session ended anywhere ends in every tab at that
tab's next click:

* logout ends every session of its user (`end_user`): every tab and every device;
* idle: no activity for `idle_timeout_minutes` (last seen is written at most once a minute,
  `TOUCH_SECONDS`, or a quarter of the idle timeout if that is shorter: a session may end up to
  that much before its idle time is quite over, never after);
* expired: `session_hours` after the session was created, whatever its activity;
* an admin ends a user's sessions (`end_by_admin`, the Users page), as do an admin's password
  reset and deactivating the account; a user changing their own password ends their other
  sessions.

Tokens come from Python's `secrets` (32 random bytes, 256 bits: not guessable) and are hashed
with SHA-256 from `hashlib`. Nothing is signed, so there is no key to keep secret or rotate: the
table alone says whether a token is good, and revoking is one UPDATE. A plain hash is enough
because the token is random; a password needs Argon2 because a person chose it.

    >>> from lib.store.db import Database
    >>> db = Database(":memory:")
    >>> t0 = datetime(2026, 11, 25, 9, 0)
    >>> token = issue(db, "chair", now=t0)
    >>> check(db, token_hash(token), now=t0 + timedelta(minutes=30)).username
    'chair'
    >>> end_user(db, "chair", "logout", now=t0 + timedelta(minutes=31))
    1
    >>> check(db, token_hash(token), now=t0 + timedelta(minutes=32)).reason
    'logout'

A display token lets a read-only screen stay signed in: an admin issues one (`issue_display`),
named for the screen; the screen opens the app with `?token=...` and acts as a user of role
`display` (lib.people.auth.DISPLAY), which reads and never writes. Revoking the token
(`revoke_display`) ends it at the screen's next refresh. A display never idles out: nobody
touches a projector.

Sessions are sign-in bookkeeping: written as the system user with `bump_version = False` (like
the login throttle), so a login, a reload or a logout does not empty every session's cache.
"""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import pandas as pd

from lib import settings
from lib.errors import NotFound, ValidationError
from lib.people.auth import DISPLAY, SYSTEM, User

TOKEN_BYTES = 32              # secrets.token_urlsafe: 43 URL-safe characters
TOUCH_SECONDS = 60            # last seen is written at most this often per session
KEEP_DAYS = 30                # ended sessions are deleted this long after they ended
REASONS = ("logout", "idle", "expired", "admin", "password", "deactivated")
# what the sign-in log calls each end (lib.people.users.ACCESS_ACTIONS)
END_ACTION = {"logout": "logout", "idle": "session_expired", "expired": "session_expired",
              "admin": "sessions_ended", "password": "sessions_ended", "deactivated": "session_deactivated"}

CYCLE_MIN, CYCLE_MAX = 10, 3600   # seconds per section of a display that cycles (0: it follows the meeting)
DISPLAY_LANGS = ("auto", "zh", "en")
NAME_MAX = 100


def new_token() -> str:
    """A fresh random token (256 bits, URL-safe text)."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_hash(token: str) -> str:
    """The SHA-256 of a token as stored (64 hex digits); the token itself is never stored.

    >>> token_hash("abc")[:16]
    'ba7816bf8f01cfea'
    """
    return hashlib.sha256(str(token).encode("utf-8")).hexdigest()


def _now(now: datetime | None) -> datetime:
    return (now or datetime.now()).replace(microsecond=0)


def _bookkeeping(db, source: str = "session"):
    """A write transaction of the system user for sign-in bookkeeping (no cache is emptied)."""
    return db.transaction(SYSTEM, source=source)


@dataclass(frozen=True)
class Limits:
    """How long a session lasts: idle minutes (`idle_timeout_minutes`), hours in all (`session_hours`)."""
    idle_minutes: int = 60
    max_hours: int = 12

    @classmethod
    def read(cls, con) -> "Limits":
        return cls(max(1, int(settings.get("idle_timeout_minutes", con))),
                   max(1, int(settings.get("session_hours", con))))

    @property
    def idle(self) -> timedelta:
        return timedelta(minutes=self.idle_minutes)

    @property
    def lifetime(self) -> timedelta:
        return timedelta(hours=self.max_hours)


@dataclass(frozen=True)
class Verdict:
    """What `check` found: the session's user when it is good, else why not (`reason`:
    unknown, or one of REASONS)."""
    username: str | None
    reason: str | None = None

    @property
    def ok(self) -> bool:
        return self.username is not None


# ---------------------------------------------------------------------------- sessions

def issue(db, username: str, *, now: datetime | None = None) -> str:
    """Start a session for `username` (who has just proved who they are); returns the token
    for the browser's cookie. Sessions that ended more than KEEP_DAYS ago are deleted."""
    now = _now(now)
    token = new_token()
    with _bookkeeping(db) as tx:
        tx.bump_version = False
        tx.execute("DELETE FROM sessions WHERE coalesce(revoked_at, last_seen_at) < ?",
                   [now - timedelta(days=KEEP_DAYS)])
        tx.execute("INSERT INTO sessions (token_hash, username, created_at, last_seen_at) VALUES (?, ?, ?, ?)",
                   [token_hash(token), username, now, now])
    return token


def _ending(created: datetime, seen: datetime, now: datetime, limits: Limits) -> str | None:
    if now - created > limits.lifetime:
        return "expired"
    if now - seen > limits.idle:
        return "idle"
    return None


def check(db, key: str, *, now: datetime | None = None, limits: Limits | None = None) -> Verdict:
    """Whether the session whose token hashes to `key` is good at `now`, and whose it is.

    A session past its idle time or its lifetime is revoked here (so raising the limits later
    does not bring it back) and its end is in the sign-in log; a good one is marked seen when it
    was last seen TOUCH_SECONDS ago or more (a quarter of the idle timeout if shorter; activity:
    the script runs of its tabs)."""
    now = _now(now)
    with db.cursor() as cur:
        row = cur.execute("SELECT username, created_at, last_seen_at, revoked_reason FROM sessions "
                          "WHERE token_hash = ?", [str(key)]).fetchone()
        limits = limits or Limits.read(cur)
    if row is None:
        return Verdict(None, "unknown")
    username, created, seen, revoked = row
    if revoked:
        return Verdict(None, revoked)
    ending = _ending(created, seen, now, limits)
    if ending:
        with _bookkeeping(db) as tx:
            tx.bump_version = False
            if _revoke(tx, "token_hash = ?", [key], ending, now):
                tx.audit(END_ACTION[ending], "users", username, "session", None, ending, username=username)
        return Verdict(None, ending)
    if (now - seen).total_seconds() >= min(TOUCH_SECONDS, limits.idle.total_seconds() / 4):
        with _bookkeeping(db) as tx:
            tx.bump_version = False
            tx.execute("UPDATE sessions SET last_seen_at = ? WHERE token_hash = ? AND revoked_at IS NULL",
                       [now, key])
    return Verdict(username)


def _revoke(tx, where: str, params: list, reason: str, now: datetime) -> int:
    """Revoke the live sessions matching `where`; returns how many."""
    if reason not in REASONS:
        raise ValueError(f"unknown reason {reason!r}")
    n = tx.execute(f"UPDATE sessions SET revoked_at = ?, revoked_reason = ? WHERE revoked_at IS NULL AND {where}",
                   [now, reason] + list(params)).fetchone()[0]
    return int(n)


def end_in(tx, username: str, reason: str, *, now: datetime | None = None, keep: str | None = None) -> int:
    """Revoke every live session of `username` inside the caller's transaction (a password
    reset, a deactivation), but the one whose hash is `keep`; returns how many. The caller audits."""
    if keep is None:
        return _revoke(tx, "username = ?", [username], reason, _now(now))
    return _revoke(tx, "username = ? AND token_hash <> ?", [username, keep], reason, _now(now))


def end_user(db, username: str, reason: str = "logout", *, now: datetime | None = None,
             keep: str | None = None) -> int:
    """End every session of `username` (logout: every tab and device; `keep`: the hash of one
    to spare, e.g. the session that just changed its password); audited; returns how many."""
    with _bookkeeping(db) as tx:
        tx.bump_version = False
        n = end_in(tx, username, reason, now=now, keep=keep)
        tx.audit(END_ACTION[reason], "users", username, "sessions", None, f"{n} ended" if n else None,
                 username=username)
    return n


def end_by_admin(db, actor: User, username: str, *, now: datetime | None = None) -> int:
    """An admin ends every session of `username` (a stolen cookie, a lost laptop): needs the
    "users" permission; audited under the admin's name; returns how many were live."""
    with db.transaction(actor, source="users", need="users") as tx:
        n = end_in(tx, username, "admin", now=now)
        tx.audit("sessions_ended", "users", username, "sessions", None, f"{n} ended")
    return n


def live_by_user(con, *, now: datetime | None = None, limits: Limits | None = None) -> pd.DataFrame:
    """Per user with a live session (not revoked, idle or expired at `now`): `sessions` (how
    many), `last_seen` (the latest activity), `signed_in` (the oldest live session's start)."""
    now = _now(now)
    limits = limits or Limits.read(con)
    return con.execute(
        "SELECT username, count(*) AS sessions, max(last_seen_at) AS last_seen, min(created_at) AS signed_in "
        "FROM sessions WHERE revoked_at IS NULL AND created_at >= ? AND last_seen_at >= ? "
        "GROUP BY username ORDER BY username",
        [now - limits.lifetime, now - limits.idle]).df()


# ---------------------------------------------------------------------------- display tokens

@dataclass(frozen=True)
class Display:
    """A display token's screen: its name, seconds per section when it cycles (0: it follows
    the running meeting), its language (auto: the screen's browser)."""
    display_id: int
    name: str
    cycle_seconds: int = 0
    lang: str = "auto"
    last_used_at: datetime | None = None

    @property
    def user(self) -> User:
        """The acting user of the screen: role display, named as the admin named the screen
        (its username has a colon, which no account's may, so it is never an account's)."""
        return User(f"display:{self.display_id}", DISPLAY, None, self.name)


def _display_name(name: str | None) -> str:
    text = (name or "").strip()
    if not text:
        raise ValidationError("name the screen, e.g. “Meeting room projector”.", where="display name")
    if len(text) > NAME_MAX:
        raise ValidationError(f"at most {NAME_MAX} characters (this one has {len(text)}).", where="display name")
    if any(ord(ch) < 32 for ch in text):
        raise ValidationError("no line breaks or control characters.", where="display name")
    return text


def _cycle(seconds) -> int:
    try:
        value = int(seconds or 0)
    except (TypeError, ValueError):
        raise ValidationError(f"{seconds!r} is not a whole number of seconds.", where="seconds per section") from None
    if value != 0 and not CYCLE_MIN <= value <= CYCLE_MAX:
        raise ValidationError(f"0 (follow the meeting) or {CYCLE_MIN}–{CYCLE_MAX} seconds, not {value}.",
                              where="seconds per section")
    return value


def _lang(lang: str | None) -> str:
    value = (lang or "auto").strip().lower()
    if value not in DISPLAY_LANGS:
        raise ValidationError(f"{lang!r} is not one of {', '.join(DISPLAY_LANGS)}.", where="language")
    return value


def issue_display(db, actor: User, name: str, *, cycle_seconds: int = 0, lang: str = "auto",
                  now: datetime | None = None) -> tuple[Display, str]:
    """Issue a display token (needs "users"): returns the screen and its token, which is shown
    once (only its hash is kept). Audited without the token."""
    name, cycle, lang = _display_name(name), _cycle(cycle_seconds), _lang(lang)
    now = _now(now)
    token = new_token()
    with db.transaction(actor, source="users", need="users") as tx:
        display_id = int(tx.execute(
            "INSERT INTO display_tokens (name, token_hash, cycle_seconds, lang, created_by, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?) RETURNING display_id",
            [name, token_hash(token), cycle, lang, actor.username, now]).fetchone()[0])
        for column, value in (("name", name), ("cycle_seconds", cycle), ("lang", lang)):
            tx.audit("insert", "display_tokens", display_id, column, None, value)
    return Display(display_id, name, cycle, lang), token


def _display_row(tx, display_id: int) -> dict:
    row = tx.fetch("display_tokens", {"display_id": int(display_id)})
    if row is None:
        raise NotFound(f"There is no display token #{display_id}.")
    return row


def update_display(db, actor: User, display_id: int, *, name: str | None = None, cycle_seconds: int | None = None,
                   lang: str | None = None) -> None:
    """Rename a display token or change how its screen cycles or its language (needs "users")."""
    changes = {}
    if name is not None:
        changes["name"] = _display_name(name)
    if cycle_seconds is not None:
        changes["cycle_seconds"] = _cycle(cycle_seconds)
    if lang is not None:
        changes["lang"] = _lang(lang)
    with db.transaction(actor, source="users", need="users") as tx:
        old = _display_row(tx, display_id)
        changed = {c: v for c, v in changes.items() if v != old[c]}
        if changed:
            tx.execute("UPDATE display_tokens SET " + ", ".join(f"{c} = ?" for c in changed)
                       + " WHERE display_id = ?", list(changed.values()) + [int(display_id)])
        for c, v in changed.items():
            tx.audit("update", "display_tokens", int(display_id), c, old[c], v)


def revoke_display(db, actor: User, display_id: int, *, now: datetime | None = None) -> bool:
    """Revoke a display token (needs "users"): its screen is signed out at its next refresh.
    Returns False when it was revoked already."""
    now = _now(now)
    with db.transaction(actor, source="users", need="users") as tx:
        old = _display_row(tx, display_id)
        if old["revoked_at"] is not None:
            return False
        tx.execute("UPDATE display_tokens SET revoked_at = ?, revoked_by = ? WHERE display_id = ?",
                   [now, actor.username, int(display_id)])
        tx.audit("update", "display_tokens", int(display_id), "revoked_at", None, now)
    return True


def display_for(con, key: str) -> Display | None:
    """The screen of the display token whose hash is `key`, or None (unknown or revoked)."""
    row = con.execute("SELECT display_id, name, cycle_seconds, lang, last_used_at FROM display_tokens "
                      "WHERE token_hash = ? AND revoked_at IS NULL", [str(key)]).fetchone()
    if row is None:
        return None
    return Display(int(row[0]), row[1], int(row[2]), row[3], row[4])


def display_seen(db, display: Display, *, now: datetime | None = None) -> None:
    """Note that `display`'s screen is showing (at most once every TOUCH_SECONDS)."""
    now = _now(now)
    last = display.last_used_at
    if last is not None and (now - pd.Timestamp(last).to_pydatetime()).total_seconds() < TOUCH_SECONDS:
        return
    with _bookkeeping(db, "display") as tx:
        tx.bump_version = False
        tx.execute("UPDATE display_tokens SET last_used_at = ? WHERE display_id = ? AND revoked_at IS NULL",
                   [now, display.display_id])


def list_displays(con) -> pd.DataFrame:
    """Every display token, newest first, without its hash: display_id, name, cycle_seconds, lang,
    created_by, created_at, last_used_at, revoked_at, revoked_by."""
    return con.execute("SELECT display_id, name, cycle_seconds, lang, created_by, created_at, last_used_at, "
                       "revoked_at, revoked_by FROM display_tokens ORDER BY revoked_at IS NOT NULL, "
                       "display_id DESC").df()
