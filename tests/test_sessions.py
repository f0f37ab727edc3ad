"""Sessions that survive a reload and display tokens (lib.people.sessions), with injected times:
issue, check, idle and lifetime expiry, logout everywhere, admin and password ends, display
tokens issued, verified, changed and revoked, and a display that can never write."""
from datetime import datetime, timedelta

import pytest

from lib import settings
from lib.errors import NotFound, PermissionDenied, ValidationError
from lib.people import auth, sessions, users
from lib.people.auth import SYSTEM, User

T0 = datetime(2026, 11, 25, 9, 0, 0)
ADMIN = User("boss", "admin", None, "Boss")
PW = "correct horse battery"


def minutes(n: float) -> datetime:
    return T0 + timedelta(minutes=n)


@pytest.fixture
def accounts(db):
    users.create_user(db, SYSTEM, "boss", "Boss", "admin", password=PW)
    users.create_user(db, SYSTEM, "pat", "Pat Wu", "head", "pmc", password=PW)
    return db


def rows(db, sql: str, params=None) -> list[list]:
    return db.query(sql, params).values.tolist()


def stored(db) -> list[list]:
    return rows(db, "SELECT username, created_at, last_seen_at, revoked_at, revoked_reason FROM sessions "
                    "ORDER BY created_at, username")


# ---------------------------------------------------------------------------- tokens

def test_a_token_is_random_and_only_its_hash_is_stored(db):
    a, b = sessions.issue(db, "pat", now=T0), sessions.issue(db, "pat", now=T0)
    assert a != b and len(a) == 43 and set(a) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
    kept = [r[0] for r in rows(db, "SELECT token_hash FROM sessions")]
    assert sorted(kept) == sorted([sessions.token_hash(a), sessions.token_hash(b)])
    # the token is nowhere in the database: not in the table, not in the audit log
    everything = rows(db, "SELECT * FROM sessions") + rows(db, "SELECT * FROM audit_log")
    assert not any(a in str(v) or b in str(v) for r in everything for v in r)


def test_a_good_session_names_its_user_and_an_unknown_token_none(db):
    token = sessions.issue(db, "pat", now=T0)
    assert sessions.check(db, sessions.token_hash(token), now=minutes(5)) == sessions.Verdict("pat")
    assert sessions.check(db, sessions.token_hash("made up"), now=minutes(5)) == sessions.Verdict(None, "unknown")
    assert sessions.check(db, token, now=minutes(5)).reason == "unknown"      # the token itself is not the key


def test_last_seen_is_written_at_most_once_a_minute(db):
    key = sessions.token_hash(sessions.issue(db, "pat", now=T0))
    seen = "SELECT last_seen_at FROM sessions"
    sessions.check(db, key, now=T0 + timedelta(seconds=59))
    assert rows(db, seen) == [[T0]]
    sessions.check(db, key, now=T0 + timedelta(seconds=60))
    assert rows(db, seen) == [[T0 + timedelta(seconds=60)]]


# ---------------------------------------------------------------------------- idle and lifetime

def test_idle_for_longer_than_the_timeout_ends_the_session(db):
    key = sessions.token_hash(sessions.issue(db, "pat", now=T0))
    assert sessions.check(db, key, now=minutes(60)).ok                # default 60 minutes: not yet
    assert sessions.check(db, key, now=minutes(120)).ok               # seen at 60: idle again from there
    assert sessions.check(db, key, now=minutes(180.5)) == sessions.Verdict(None, "idle")
    assert stored(db) == [["pat", T0, minutes(120), minutes(180.5).replace(microsecond=0), "idle"]]
    # revoked for good: a longer timeout set afterwards does not bring it back
    settings.set_value(db, SYSTEM, "idle_timeout_minutes", 600)
    assert sessions.check(db, key, now=minutes(181)).reason == "idle"
    assert rows(db, "SELECT username, action, new_value FROM audit_log WHERE action = 'session_expired'") == [
        ["pat", "session_expired", "idle"]]


def test_the_idle_timeout_is_the_setting(db):
    settings.set_value(db, SYSTEM, "idle_timeout_minutes", 5)
    key = sessions.token_hash(sessions.issue(db, "pat", now=T0))
    assert sessions.check(db, key, now=minutes(5)).ok
    assert sessions.check(db, key, now=minutes(10.5)).reason == "idle"


def test_a_short_idle_timeout_is_not_missed_between_writes_of_last_seen(db):
    settings.set_value(db, SYSTEM, "idle_timeout_minutes", 1)      # last seen written every 15 s at least
    key = sessions.token_hash(sessions.issue(db, "pat", now=T0))
    for s in range(50, 501, 50):                                    # a click every 50 s
        assert sessions.check(db, key, now=T0 + timedelta(seconds=s)).ok, s
    assert sessions.check(db, key, now=T0 + timedelta(seconds=561)).reason == "idle"


def test_a_session_ends_after_session_hours_however_active(db):
    settings.set_value(db, SYSTEM, "session_hours", 2)
    key = sessions.token_hash(sessions.issue(db, "pat", now=T0))
    for m in range(30, 121, 30):                                       # active every half hour
        assert sessions.check(db, key, now=minutes(m)).ok, m
    assert sessions.check(db, key, now=minutes(121)) == sessions.Verdict(None, "expired")


def test_live_sessions_per_user_leave_out_the_ended_idle_and_expired(db):
    a = sessions.issue(db, "pat", now=T0)
    sessions.issue(db, "pat", now=minutes(30))
    sessions.issue(db, "ann", now=T0 - timedelta(hours=13))          # older than 12 hours
    sessions.issue(db, "bo", now=minutes(-61))                       # idle for more than an hour
    sessions.issue(db, "cy", now=minutes(10))
    sessions.end_user(db, "cy", "logout", now=minutes(20))
    sessions.check(db, sessions.token_hash(a), now=minutes(40))      # pat active at 40
    with db.cursor() as cur:
        live = sessions.live_by_user(cur, now=minutes(45))
    assert live.values.tolist() == [["pat", 2, minutes(40), T0]]


def test_sessions_ended_a_month_ago_are_deleted_at_the_next_login(db):
    sessions.issue(db, "pat", now=T0)
    sessions.end_user(db, "pat", "logout", now=minutes(1))
    sessions.issue(db, "ann", now=T0 + timedelta(days=30))
    assert [r[0] for r in stored(db)] == ["pat", "ann"]
    sessions.issue(db, "bo", now=T0 + timedelta(days=30, minutes=2))
    assert [r[0] for r in stored(db)] == ["ann", "bo"]


# ---------------------------------------------------------------------------- ending

def test_logout_ends_every_session_of_the_user_and_no_one_elses(db):
    tabs = [sessions.token_hash(sessions.issue(db, "pat", now=minutes(m))) for m in (0, 1, 2)]   # tabs, devices
    other = sessions.token_hash(sessions.issue(db, "ann", now=T0))
    assert sessions.end_user(db, "pat", "logout", now=minutes(3)) == 3
    assert [sessions.check(db, k, now=minutes(4)).reason for k in tabs] == ["logout"] * 3
    assert sessions.check(db, other, now=minutes(4)).ok
    assert rows(db, "SELECT username, action, new_value FROM audit_log WHERE action = 'logout'") == [
        ["pat", "logout", "3 ended"]]
    assert sessions.end_user(db, "pat", "logout", now=minutes(5)) == 0     # nothing left to end


def test_changing_ones_password_ends_the_other_sessions_only(db):
    here, there = (sessions.token_hash(sessions.issue(db, "pat", now=T0)) for _ in range(2))
    assert sessions.end_user(db, "pat", "password", now=minutes(1), keep=here) == 1
    assert sessions.check(db, here, now=minutes(2)).ok
    assert sessions.check(db, there, now=minutes(2)).reason == "password"


def test_an_admin_ends_a_users_sessions_and_a_head_may_not(accounts):
    key = sessions.token_hash(sessions.issue(accounts, "pat", now=T0))
    with pytest.raises(PermissionDenied):
        sessions.end_by_admin(accounts, User("pat", "head", "pmc"), "pat", now=minutes(1))
    assert sessions.check(accounts, key, now=minutes(1)).ok
    assert sessions.end_by_admin(accounts, ADMIN, "pat", now=minutes(2)) == 1
    assert sessions.check(accounts, key, now=minutes(3)).reason == "admin"
    assert rows(accounts, "SELECT username, action, row_key, new_value FROM audit_log "
                          "WHERE action = 'sessions_ended'") == [["boss", "sessions_ended", "pat", "1 ended"]]


@pytest.mark.parametrize("change,reason", [
    (lambda db: users.reset_password(db, ADMIN, "pat", "another password"), "password"),
    (lambda db: users.set_active(db, ADMIN, "pat", False), "deactivated"),
])
def test_a_password_reset_or_a_deactivation_ends_the_users_sessions(accounts, change, reason):
    key = sessions.token_hash(sessions.issue(accounts, "pat"))
    boss = sessions.token_hash(sessions.issue(accounts, "boss"))
    change(accounts)
    assert sessions.check(accounts, key).reason == reason
    assert sessions.check(accounts, boss).ok


def test_a_session_cannot_be_ended_for_no_reason(db):
    with pytest.raises(ValueError):
        sessions.end_user(db, "pat", "because")


# ---------------------------------------------------------------------------- display tokens

def test_a_display_token_is_issued_once_and_signs_in_a_read_only_screen(accounts):
    screen, token = sessions.issue_display(accounts, ADMIN, "  Meeting room projector ", cycle_seconds=30,
                                           lang="zh", now=T0)
    assert screen == sessions.Display(screen.display_id, "Meeting room projector", 30, "zh")
    with accounts.cursor() as cur:
        found = sessions.display_for(cur, sessions.token_hash(token))
        assert sessions.display_for(cur, token) is None                  # only the hash is a key
        listed = sessions.list_displays(cur)
    assert (found.display_id, found.name, found.cycle_seconds, found.lang) == (screen.display_id,
                                                                              "Meeting room projector", 30, "zh")
    assert found.user == User(f"display:{screen.display_id}", auth.DISPLAY, None, "Meeting room projector")
    assert "token_hash" not in listed.columns and listed["name"].tolist() == ["Meeting room projector"]
    audited = rows(accounts, "SELECT username, action, table_name, column_name, new_value FROM audit_log "
                             "WHERE table_name = 'display_tokens' ORDER BY audit_id")
    assert audited == [["boss", "insert", "display_tokens", "name", "Meeting room projector"],
                       ["boss", "insert", "display_tokens", "cycle_seconds", "30"],
                       ["boss", "insert", "display_tokens", "lang", "zh"]]
    everything = rows(accounts, "SELECT * FROM display_tokens") + rows(accounts, "SELECT * FROM audit_log")
    assert not any(token in str(v) for r in everything for v in r)


def test_a_revoked_display_token_signs_in_nothing(accounts):
    screen, token = sessions.issue_display(accounts, ADMIN, "Lobby", now=T0)
    assert sessions.revoke_display(accounts, ADMIN, screen.display_id, now=minutes(1))
    assert not sessions.revoke_display(accounts, ADMIN, screen.display_id, now=minutes(2))   # already
    with accounts.cursor() as cur:
        assert sessions.display_for(cur, sessions.token_hash(token)) is None
        assert sessions.list_displays(cur)[["revoked_at", "revoked_by"]].values.tolist() == [[minutes(1), "boss"]]
    with pytest.raises(NotFound):
        sessions.revoke_display(accounts, ADMIN, 999)


def test_a_display_is_changed_by_the_admin_and_its_use_noted_once_a_minute(accounts):
    screen, token = sessions.issue_display(accounts, ADMIN, "Lobby", now=T0)
    sessions.update_display(accounts, ADMIN, screen.display_id, name="Lobby TV", cycle_seconds=60, lang="en")
    key = sessions.token_hash(token)
    with accounts.cursor() as cur:
        shown = sessions.display_for(cur, key)
    assert (shown.name, shown.cycle_seconds, shown.lang, shown.last_used_at) == ("Lobby TV", 60, "en", None)
    sessions.display_seen(accounts, shown, now=minutes(1))
    with accounts.cursor() as cur:
        shown = sessions.display_for(cur, key)
    sessions.display_seen(accounts, shown, now=minutes(1.5))           # less than a minute later: not written
    assert rows(accounts, "SELECT last_used_at FROM display_tokens") == [[minutes(1)]]
    assert rows(accounts, "SELECT column_name, old_value, new_value FROM audit_log WHERE action = 'update' "
                          "AND table_name = 'display_tokens' ORDER BY audit_id") == [
        ["name", "Lobby", "Lobby TV"], ["cycle_seconds", "0", "60"], ["lang", "auto", "en"]]


@pytest.mark.parametrize("kwargs,where,message", [
    ({"name": "  "}, "display name", "name the screen"),
    ({"name": "x" * 101}, "display name", "at most 100 characters"),
    ({"name": "two\nlines"}, "display name", "no line breaks"),
    ({"name": "Lobby", "cycle_seconds": 5}, "seconds per section", r"0 \(follow the meeting\) or 10–3600 seconds, not 5"),
    ({"name": "Lobby", "cycle_seconds": 3601}, "seconds per section", "not 3601"),
    ({"name": "Lobby", "cycle_seconds": "soon"}, "seconds per section", "not a whole number"),
    ({"name": "Lobby", "lang": "fr"}, "language", "'fr' is not one of auto, zh, en"),
])
def test_a_display_token_refuses_bad_input(accounts, kwargs, where, message):
    with pytest.raises(ValidationError, match=message) as e:
        sessions.issue_display(accounts, ADMIN, **kwargs)
    assert e.value.where == where
    assert rows(accounts, "SELECT count(*) FROM display_tokens") == [[0]]


@pytest.mark.parametrize("actor", [User("pat", "head", "pmc"), User("chair", "chair"), User("wall", "viewer")])
def test_only_an_admin_issues_or_revokes_display_tokens(accounts, actor):
    with pytest.raises(PermissionDenied):
        sessions.issue_display(accounts, actor, "Lobby")
    screen, _ = sessions.issue_display(accounts, ADMIN, "Lobby")
    with pytest.raises(PermissionDenied):
        sessions.revoke_display(accounts, actor, screen.display_id)


def test_a_display_can_read_but_never_write(accounts):
    screen, _ = sessions.issue_display(accounts, ADMIN, "Lobby")
    shown = screen.user
    assert not auth.may_write(shown) and not any(auth.can(shown, need) for need in auth.NEEDS)
    with pytest.raises(PermissionDenied, match="read-only access"):
        with accounts.transaction(shown, source="test") as tx:
            tx.insert("customers", {"customer": "C9", "name": "Never"})
    with pytest.raises(PermissionDenied):
        sessions.issue_display(accounts, shown, "Another screen")
    assert rows(accounts, "SELECT count(*) FROM customers WHERE customer = 'C9'") == [[0]]
    # its username cannot be an account's (a colon is not allowed in one)
    with pytest.raises(ValidationError):
        users.normalise_username(shown.username)
