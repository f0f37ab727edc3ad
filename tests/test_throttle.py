"""Login throttling (lib.people.throttle through lib.people.users): waits that grow per account and
address, per account and per address; nothing an attacker elsewhere does keeps the real user out.
Every expected time and wait below is worked out by hand from the default settings:
waits begin after 5 failures of one account from one address (cap 900 s), 20 of one account
from all addresses (cap 30 s), 10 from one address on all accounts (cap 300 s), and are
1 s, 2 s, 4 s, ... from the failure that reaches the threshold."""
import shutil
import subprocess
import sys
import textwrap
from datetime import datetime, timedelta

import pytest

from lib import settings
from lib.people import throttle, users
from lib.people.auth import SYSTEM, User
from lib.store.db import Database
from tests.conftest import ROOT

NOW = datetime(2026, 11, 25, 9, 0, 0)
PW = "correct horse battery"
HOME = "10.0.0.5"          # pat's own PC


def at(hh_mm_ss: str) -> datetime:
    return datetime.combine(NOW.date(), datetime.strptime(hh_mm_ss, "%H:%M:%S").time())


@pytest.fixture
def accounts(db):
    users.create_user(db, SYSTEM, "boss", "Boss", "admin", password=PW)
    users.create_user(db, SYSTEM, "pat", "Pat Wu", "head", "pmc", password=PW)
    return db


def attempt(db, username, password, when, address):
    """(reason, seconds) of a refused login, ("ok", 0) of a successful one."""
    try:
        users.authenticate(db, username, password, now=when, address=address)
    except users.LoginRefused as e:
        return e.reason, e.seconds
    return "ok", 0


def audit(db, *actions):
    with db.cursor() as cur:
        return [list(r) for r in cur.execute(
            "SELECT username, action, row_key, column_name, old_value, new_value FROM audit_log "
            "WHERE action IN (" + ", ".join("?" * len(actions)) + ") ORDER BY audit_id", list(actions)).fetchall()]


# ---------------------------------------------------------------------------- the rules

@pytest.mark.parametrize("failures,after,cap,seconds", [
    (0, 5, 900, 0), (4, 5, 900, 0), (5, 5, 900, 1), (6, 5, 900, 2), (9, 5, 900, 16),
    (14, 5, 900, 512), (15, 5, 900, 900), (10_000, 5, 900, 900),
    (19, 20, 30, 0), (20, 20, 30, 1), (24, 20, 30, 16), (25, 20, 30, 30),
    (1, 1, 1, 1), (2, 1, 1, 1),
])
def test_delay_doubles_from_the_threshold_up_to_the_cap(failures, after, cap, seconds):
    assert throttle.delay_seconds(failures, after, cap) == seconds


@pytest.mark.parametrize("address,key", [
    ("10.0.0.5", "10.0.0.5"), (" 10.0.0.5\n", "10.0.0.5"), ("::ffff:10.0.0.5", "10.0.0.5"),
    ("2001:db8:1:2:aaaa::5", "2001:db8:1:2::/64"), ("2001:DB8:1:2:bbbb::9", "2001:db8:1:2::/64"),
    (None, None), ("", None), ("unknown", None), ("10.0.0.256", None), ("10.0.0.5; DROP TABLE users", None),
])
def test_addresses_are_counted_by_machine_and_ipv6_by_its_64_network(address, key):
    assert throttle.address_key(address) == key


def test_every_throttle_setting_is_bounded():
    for key in throttle.SETTING_KEYS:
        assert key in settings.BOUNDS, key
    assert set(vars(throttle.Limits())) == {k.removeprefix("throttle_") for k in throttle.SETTING_KEYS}
    assert throttle.Limits() == throttle.Limits.read()          # the dataclass defaults are the settings'


# ---------------------------------------------------------------------------- one account, one address

# pat mistypes from their own PC again and again, each time as soon as allowed: (time, reason, seconds)
SEQUENCE = [
    ("09:00:00", "wrong", 0), ("09:00:00", "wrong", 0), ("09:00:00", "wrong", 0), ("09:00:00", "wrong", 0),
    ("09:00:00", "wait", 1),          # 5th failure: the next attempt from here waits 1 s
    ("09:00:00", "throttled", 1),     # not checked, not counted
    ("09:00:01", "wait", 2), ("09:00:03", "wait", 4), ("09:00:07", "wait", 8), ("09:00:15", "wait", 16),
    ("09:00:31", "wait", 32), ("09:01:03", "wait", 64), ("09:02:07", "wait", 128), ("09:04:15", "wait", 256),
    ("09:08:31", "wait", 512), ("09:17:03", "wait", 900), ("09:32:03", "wait", 900),
    ("09:46:00", "throttled", 63),    # 09:47:03 - 09:46:00
]


def test_the_wait_per_account_and_address_doubles_up_to_its_cap(accounts):
    got = [(hms, *attempt(accounts, "pat", "mistyped", at(hms), HOME)) for hms, _, _ in SEQUENCE]
    assert got == SEQUENCE
    assert accounts.query("SELECT account, address, failures, blocked_until FROM login_throttle "
                          "WHERE account = 'pat' AND address = ?", [HOME]).values.tolist() \
        == [["pat", HOME, 16, at("09:47:03")]]
    # the right password is not even checked before the wait is over, then it logs in
    assert attempt(accounts, "pat", PW, at("09:47:02"), HOME) == ("throttled", 1)
    assert attempt(accounts, "pat", PW, at("09:47:03"), HOME) == ("ok", 0)
    assert accounts.scalar("SELECT count(*) FROM login_throttle WHERE account = 'pat' AND address = ?", [HOME]) == 0


def test_a_wait_is_never_made_longer_by_attempts_during_it(accounts):
    for _ in range(5):
        attempt(accounts, "pat", "mistyped", NOW, HOME)
    for _ in range(60):                   # hammering the wait: refused, not counted
        assert attempt(accounts, "pat", "mistyped", NOW, HOME) == ("throttled", 1)
    assert attempt(accounts, "pat", PW, NOW + timedelta(seconds=1), HOME) == ("ok", 0)


@pytest.mark.parametrize("quiet,answer", [
    (timedelta(minutes=60), ("wait", 2)),                      # still remembered: the 6th failure
    (timedelta(minutes=60, seconds=1), ("wrong", 0)),          # forgotten: the 1st failure again
])
def test_a_counter_is_forgotten_an_hour_after_its_wait_is_over(accounts, quiet, answer):
    for _ in range(5):
        attempt(accounts, "pat", "mistyped", NOW, HOME)        # wait until 09:00:01
    assert attempt(accounts, "pat", "mistyped", at("09:00:01") + quiet, HOME) == answer


# ---------------------------------------------------------------------------- attackers

def test_an_attacker_at_another_address_cannot_make_the_real_user_wait(accounts):
    for _ in range(40):
        attempt(accounts, "pat", "guess guess", NOW, "203.0.113.66")
    assert attempt(accounts, "pat", "guess guess", NOW, "203.0.113.66") == ("throttled", 1)
    assert attempt(accounts, "pat", PW, NOW, HOME) == ("ok", 0)
    # 5 guesses were checked, 36 refused unchecked
    assert len(audit(accounts, "login_failed")) == 5 and len(audit(accounts, "login_throttled")) == 36


def test_many_addresses_slow_new_addresses_to_at_most_30_s_and_never_the_users_own(accounts):
    assert attempt(accounts, "pat", PW, NOW - timedelta(days=1), HOME) == ("ok", 0)   # pat's usual PC
    answers = [attempt(accounts, "pat", "guess guess", NOW, f"198.51.100.{i}") for i in range(1, 21)]
    assert answers == [("wrong", 0)] * 19 + [("wait", 1)]      # 20 failures over all addresses
    bot = iter(range(21, 40))
    timeline = [("09:00:00", "throttled", 1), ("09:00:01", "wait", 2), ("09:00:03", "wait", 4),
                ("09:00:07", "wait", 8), ("09:00:15", "wait", 16), ("09:00:31", "wait", 30),
                ("09:01:01", "wait", 30)]
    got = [(hms, *attempt(accounts, "pat", "guess guess", at(hms), f"198.51.100.{next(bot)}"))
           for hms, _, _ in timeline]
    assert got == timeline
    # 09:01:11: the account waits until 09:01:31 for addresses it never signed in from ...
    assert attempt(accounts, "pat", PW, at("09:01:11"), "192.0.2.200") == ("throttled", 20)
    # ... but pat's own PC is not slowed at all
    assert attempt(accounts, "pat", PW, at("09:01:11"), HOME) == ("ok", 0)
    assert attempt(accounts, "pat", PW, at("09:01:31"), "192.0.2.200") == ("ok", 0)
    # a login from nowhere in particular (no address: a proxy in front) waits like a new address
    attempt(accounts, "pat", "guess guess", at("09:01:31"), "198.51.100.99")
    assert attempt(accounts, "pat", PW, at("09:01:41"), None) == ("throttled", 20)


def test_an_address_as_old_as_the_known_days_is_new_again(accounts):
    attempt(accounts, "pat", PW, NOW - timedelta(days=90), HOME)
    for i in range(1, 21):
        attempt(accounts, "pat", "guess guess", NOW, f"198.51.100.{i}")
    assert attempt(accounts, "pat", PW, NOW, HOME) == ("throttled", 1)


def test_spraying_from_one_address_slows_that_address_on_every_account(accounts):
    sprayer = "203.0.113.7"
    names = ["boss", "pat", "admin", "root", "sales", "pmc", "wang", "li", "zhang", "chen"]
    answers = [attempt(accounts, name, "Factory2026!", NOW, sprayer) for name in names]
    assert answers == [("wrong", 0)] * 9 + [("wait", 1)]          # 10 failures from one address
    assert attempt(accounts, "liu", "Factory2026!", NOW, sprayer) == ("throttled", 1)
    assert attempt(accounts, "boss", PW, NOW, sprayer) == ("throttled", 1)
    assert attempt(accounts, "liu", "Factory2026!", at("09:00:01"), sprayer) == ("wait", 2)
    # the address is slowed, not the accounts: everyone elsewhere logs in
    assert attempt(accounts, "boss", PW, NOW, "10.0.0.8") == ("ok", 0)
    assert attempt(accounts, "pat", PW, NOW, HOME) == ("ok", 0)


def test_unknown_usernames_are_counted_and_answered_like_real_ones(accounts):
    def story(name, address):
        return [attempt(accounts, name, "guess guess", NOW + timedelta(seconds=s), address) for s in (0, 0, 0, 0, 0, 0, 1)]
    assert story("pat", "192.0.2.1") == story("ghost", "192.0.2.2") == \
        [("wrong", 0)] * 4 + [("wait", 1), ("throttled", 1), ("wait", 2)]
    assert accounts.scalar("SELECT failures FROM login_throttle WHERE account = 'ghost' AND address = ''") == 6


def test_every_checked_attempt_costs_one_hash_and_a_refused_one_none(accounts, monkeypatch):
    """What the time of an answer could give away: an unknown name, an account without a password
    (single sign-on only) and a wrong password each cost exactly one Argon2 verification."""
    users.create_user(accounts, SYSTEM, "sso.only", "SSO", "viewer")
    calls = []              # the stored hashes verified against (None or "" would cost nothing)
    real = users.verify_password
    monkeypatch.setattr(users, "verify_password", lambda h, p: calls.append(h) or real(h, p))
    costs = {}
    for name in ("ghost", "sso.only", "pat"):
        calls.clear()
        attempt(accounts, name, "guess guess", NOW, "192.0.2.1")
        costs[name] = len([h for h in calls if h])
    for _ in range(4):                                         # pat's 5th failure from there: wait 1 s
        attempt(accounts, "pat", "guess guess", NOW, "192.0.2.1")
    calls.clear()
    assert attempt(accounts, "pat", "guess guess", NOW, "192.0.2.1") == ("throttled", 1)
    assert costs == {"ghost": 1, "sso.only": 1, "pat": 1} and calls == []
    assert audit(accounts, "login_failed")[1][-1] == "no password"


# ---------------------------------------------------------------------------- change password

def test_wrong_current_passwords_count_per_account_and_address(accounts):
    pat = User("pat", "head", "pmc")
    answers = []
    for _ in range(5):
        with pytest.raises(users.PasswordRefused) as e:
            users.change_own_password(accounts, pat, "not my password", "brand new pass", address=HOME, now=NOW)
        answers.append((e.value.reason, e.value.seconds))
    assert answers == [("wrong", 0)] * 4 + [("wait", 1)]
    # now even the right current password is not checked until 09:00:01 ...
    with pytest.raises(users.PasswordRefused, match="Try again in 1 s") as e:
        users.change_own_password(accounts, pat, PW, "brand new pass", address=HOME, now=NOW)
    assert e.value.reason == "throttled"
    # ... and the same counter holds logins of pat from that address; elsewhere pat is not slowed
    assert attempt(accounts, "pat", PW, NOW, HOME) == ("throttled", 1)
    assert attempt(accounts, "pat", PW, NOW, "10.0.0.6") == ("ok", 0)
    users.change_own_password(accounts, pat, PW, "brand new pass", address=HOME, now=at("09:00:01"))
    assert attempt(accounts, "pat", "brand new pass", at("09:00:01"), HOME) == ("ok", 0)
    assert [r[1] for r in audit(accounts, "password_failed", "password_throttled")] == \
        ["password_failed"] * 5 + ["password_throttled"]


def test_wrong_current_passwords_without_an_address_count_for_the_account(accounts):
    pat = User("pat", "head", "pmc")
    for _ in range(19):
        with pytest.raises(users.PasswordRefused, match="^The current password is not right"):
            users.change_own_password(accounts, pat, "not my password", "brand new pass", now=NOW)
    with pytest.raises(users.PasswordRefused, match="Wait 1 s") as e:
        users.change_own_password(accounts, pat, "not my password", "brand new pass", now=NOW)
    assert e.value.reason == "wait"


# ---------------------------------------------------------------------------- audit

def test_every_failure_and_every_refused_attempt_is_audited_with_its_address(accounts):
    attempt(accounts, "ghost", "guess guess", NOW, "192.0.2.9")
    for _ in range(5):
        attempt(accounts, "pat", "guess guess", NOW, HOME)
    attempt(accounts, "pat", PW, NOW, HOME)
    attempt(accounts, "pat", PW, at("09:00:01"), "2001:db8:1:2:aaaa::5")
    with pytest.raises(users.PasswordRefused):
        users.change_own_password(accounts, User("pat", "head", "pmc"), "not it", "brand new pass", now=NOW)
    assert audit(accounts, "login", "login_failed", "login_throttled", "password_failed") == [
        ["ghost", "login_failed", "ghost", "address", "192.0.2.9", "unknown user"],
        *[["pat", "login_failed", "pat", "address", HOME, "wrong password"]] * 4,
        ["pat", "login_failed", "pat", "address", HOME,
         "wrong password; the next attempt waits 1 s (this account from this address)"],
        ["pat", "login_throttled", "pat", "address", HOME,
         "refused unchecked: 1 s to wait (this account from this address)"],
        ["pat", "login", "pat", "address", None, "2001:db8:1:2::/64"],
        ["pat", "password_failed", "pat", "address", "unknown address", "wrong current password"],
    ]
    shown = users.access_log(accounts._con)
    assert {"login_throttled", "password_failed"} <= set(shown["action"])


def test_login_attempts_leave_the_data_version_so_no_cached_page_is_computed_again(accounts):
    version = accounts.data_version()
    for _ in range(8):                                        # 5 checked, 3 refused unchecked
        attempt(accounts, "pat", "guess guess", NOW, HOME)
    attempt(accounts, "boss", PW, NOW, "10.0.0.8")
    with pytest.raises(users.PasswordRefused):
        users.change_own_password(accounts, User("boss", "admin"), "not it", "brand new pass", now=NOW)
    assert accounts.data_version() == version
    assert accounts.scalar("SELECT count(*) FROM audit_log WHERE source IN ('login', 'password')") == 10
    users.unlock(accounts, User("boss", "admin"), "pat")     # an admin's change is a change like any other
    assert accounts.data_version() == version + 1


# ---------------------------------------------------------------------------- storage

def test_counters_live_in_the_database_so_another_process_sees_them(tmp_path):
    path = tmp_path / "t.duckdb"
    one = Database(path)
    users.create_user(one, SYSTEM, "pat", "Pat", "chair", password=PW)
    for _ in range(5):
        attempt(one, "pat", "guess guess", NOW, HOME)
    one.close()
    script = textwrap.dedent(f"""
        from datetime import datetime
        from lib.people import users
        from lib.store.db import Database
        try:
            users.authenticate(Database({str(path)!r}), "pat", {PW!r}, now=datetime(2026, 11, 25, 9, 0, 0),
                               address={HOME!r})
        except users.LoginRefused as e:
            print(e.reason, e.seconds)
        """)
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert (out.stdout.strip(), out.stderr) == ("throttled 1", "")


def _database_before_050(path, monkeypatch, tmp_path):
    from lib.store import db as gateway
    older = tmp_path / "migrations"
    older.mkdir()
    for step in sorted(gateway.MIGRATIONS_DIR.glob("*.sql")):
        if step.name < "050":
            shutil.copy(step, older / step.name)
    with monkeypatch.context() as m:
        m.setattr(gateway, "MIGRATIONS_DIR", older)
        d = Database(path)
    return d


@pytest.mark.parametrize("stored,carried", [
    ({"lockout_attempts": "7", "lockout_minutes": "20"},
     {"throttle_pair_failures": "7", "throttle_pair_max_seconds": "1200"}),
    ({"lockout_minutes": "soon"}, {}),                                   # not a number: the default applies
    ({}, {}),
])
def test_migration_050_lifts_old_locks_and_carries_the_old_settings_over(tmp_path, monkeypatch, stored, carried):
    path = tmp_path / "old.duckdb"
    old = _database_before_050(path, monkeypatch, tmp_path)
    assert "login_throttle" not in old.tables()
    with old.transaction(SYSTEM, source="test") as tx:
        tx.insert("users", {"username": "boss", "display_name": "Boss", "role": "admin",
                            "password_hash": users.hash_password(PW), "failed_logins": 2,
                            "locked_until": datetime(2030, 1, 1, 9, 15)})
        for key, value in stored.items():
            tx.execute("INSERT INTO settings (key, value, updated_by) VALUES (?, ?, 'boss')", [key, value])
    old.close()
    d = Database(path)                       # applies 050
    assert "050_login_throttle" in d.applied_migrations()
    assert d.scalar("SELECT [failed_logins::VARCHAR, locked_until::VARCHAR] FROM users") == ["0", None]
    assert dict(d.query("SELECT key, value FROM settings").values.tolist()) == carried
    assert d.query("SELECT row_key, column_name, old_value, new_value, source FROM audit_log "
                   "WHERE source LIKE 'migration%' AND table_name = 'users'").values.tolist() == \
        [["boss", "locked_until", "2030-01-01 09:15:00", None, "migration 050_login_throttle"]]
    limits = throttle.Limits.read(d._con)
    assert (limits.pair_failures, limits.pair_max_seconds) == (int(carried.get("throttle_pair_failures", 5)),
                                                               int(carried.get("throttle_pair_max_seconds", 900)))
    # the old lock no longer holds, and throttling works on the upgraded file
    assert attempt(d, "boss", PW, NOW, HOME) == ("ok", 0)
    d.close()
