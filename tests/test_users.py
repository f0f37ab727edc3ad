"""Accounts and logins: passwords, throttling as the Users page and an admin see it, deactivation,
bad input, the last admin, SSO mapping (the throttle's own rules: tests/test_throttle.py)."""
import logging
from datetime import datetime, timedelta

import pandas as pd
import pytest

from lib import settings
from lib.errors import NotFound, PermissionDenied, RuleViolation, ValidationError
from lib.people import users
from lib.people.auth import SYSTEM, User

NOW = datetime(2026, 11, 25, 9, 0, 0)
ADMIN = User("boss", "admin", None, "Boss")
PW = "correct horse battery"


@pytest.fixture
def accounts(db):
    """An admin (boss), a PMC head (pat) and a viewer (wall), each with their own password."""
    users.create_user(db, SYSTEM, "boss", "Boss", "admin", password=PW)
    users.create_user(db, SYSTEM, "pat", "Pat Wu", "head", "pmc", email="Pat@Plant.example", password=PW)
    users.create_user(db, SYSTEM, "wall", "Meeting room", "viewer", password="projector-2026")
    return db


def audit(db, action=None):
    sql = "SELECT username, action, row_key, column_name, old_value, new_value FROM audit_log"
    return db.query(sql + (" WHERE action = ?" if action else "") + " ORDER BY audit_id", [action] if action else [])


# ---------------------------------------------------------------------------- login

def test_right_password_logs_in_and_is_audited(accounts):
    user = users.authenticate(accounts, "  PAT ", PW, now=NOW)
    assert user == User("pat", "head", "pmc", "Pat Wu")
    rows = audit(accounts, "login")
    assert rows[["username", "row_key"]].values.tolist() == [["pat", "pat"]]


@pytest.mark.parametrize("username,password", [("pat", "wrong password"), ("nobody", PW), ("pat", PW.upper())])
def test_wrong_password_and_unknown_user_get_the_same_answer(accounts, username, password):
    with pytest.raises(users.LoginRefused, match="^Wrong username or password.$") as e:
        users.authenticate(accounts, username, password, now=NOW)
    assert e.value.reason == "wrong"
    assert audit(accounts, "login_failed")["username"].tolist() == [username]


def test_failed_logins_are_counted_and_a_success_clears_those_from_its_address(accounts):
    for _ in range(2):
        with pytest.raises(users.LoginRefused):
            users.authenticate(accounts, "pat", "nope nope", now=NOW, address="10.0.0.5")
    counters = "SELECT account, address, failures FROM login_throttle ORDER BY account, address"
    assert accounts.query(counters).values.tolist() == [["", "10.0.0.5", 2], ["pat", "", 2], ["pat", "10.0.0.5", 2]]
    assert users.list_users(accounts._con, NOW).set_index("username").at["pat", "failures"] == 2
    users.authenticate(accounts, "pat", PW, now=NOW, address="10.0.0.5")
    # the account's count over all addresses and the address's over all accounts stay
    assert accounts.query(counters).values.tolist() == [["", "10.0.0.5", 2], ["pat", "", 2]]


def test_the_users_list_shows_a_throttled_account_until_its_wait_is_over(accounts):
    for _ in range(5):
        with pytest.raises(users.LoginRefused):
            users.authenticate(accounts, "pat", "guess guess", now=NOW, address="10.0.0.5")
    listed = users.list_users(accounts._con, NOW).set_index("username")
    assert listed.at["pat", "failures"] == 5
    assert listed.at["pat", "throttled_until"] == NOW + timedelta(seconds=1)
    assert listed["throttled_until"].isna().tolist() == [False if n == "pat" else True for n in listed.index]
    later = users.list_users(accounts._con, NOW + timedelta(seconds=1)).set_index("username")
    assert pd.isna(later.at["pat", "throttled_until"]) and later.at["pat", "failures"] == 5


def test_admin_clears_the_throttling_of_an_account(accounts):
    for address in ("10.0.0.5", "10.0.0.6"):
        for _ in range(5):
            with pytest.raises(users.LoginRefused):
                users.authenticate(accounts, "pat", "guess guess", now=NOW, address=address)
    with pytest.raises(users.LoginRefused, match="Try again in 1 s"):
        users.authenticate(accounts, "pat", PW, now=NOW, address="10.0.0.5")
    assert users.unlock(accounts, ADMIN, "pat") == 3          # two addresses and the account
    assert users.authenticate(accounts, "pat", PW, now=NOW, address="10.0.0.5").username == "pat"
    assert audit(accounts, "throttle_cleared")[["username", "row_key", "column_name", "old_value"]].values.tolist() \
        == [["boss", "pat", "account", "3 counters"]]
    # the addresses' own counters (over all accounts) are the address's, cleared per address
    assert users.unlock_address(accounts, ADMIN, "10.0.0.6") == 1
    assert accounts.scalar("SELECT count(*) FROM login_throttle") == 1      # 10.0.0.5 over all accounts


def test_admin_reset_password_clears_the_throttling_too(accounts):
    for _ in range(6):
        with pytest.raises(users.LoginRefused):
            users.authenticate(accounts, "pat", "guess guess", now=NOW, address="10.0.0.5")
    users.reset_password(accounts, ADMIN, "pat", "a fresh password")
    assert users.authenticate(accounts, "pat", "a fresh password", now=NOW, address="10.0.0.5").username == "pat"


def test_deactivated_user_cannot_log_in(accounts):
    users.set_active(accounts, ADMIN, "pat", False)
    with pytest.raises(users.LoginRefused, match="deactivated") as e:
        users.authenticate(accounts, "pat", PW, now=NOW)
    assert e.value.reason == "deactivated"
    # a wrong password does not reveal that the account is deactivated
    with pytest.raises(users.LoginRefused, match="^Wrong username or password.$"):
        users.authenticate(accounts, "pat", "not it at all", now=NOW)
    assert users.get_user(accounts._con, "pat") is None
    users.set_active(accounts, ADMIN, "pat", True)
    assert users.authenticate(accounts, "pat", PW, now=NOW).username == "pat"


@pytest.mark.parametrize("username,password,message", [
    ("", PW, "enter your username"),
    ("   ", PW, "enter your username"),
    ("pat", "", "enter your password"),
    ("p" * 65, PW, "at most 64"),
    ("pat", "x" * 257, "at most 256"),
])
def test_login_refuses_empty_and_oversized_input(accounts, username, password, message):
    with pytest.raises(ValidationError, match=message):
        users.authenticate(accounts, username, password, now=NOW)


@pytest.mark.parametrize("username", ["pat' OR '1'='1", "<script>alert(1)</script>", "pat; DROP TABLE users; --"])
def test_login_with_sql_or_html_in_the_username_is_just_a_wrong_login(accounts, username):
    with pytest.raises(users.LoginRefused, match="Wrong username or password"):
        users.authenticate(accounts, username, PW, now=NOW)
    assert accounts.scalar("SELECT count(*) FROM users") == 3


# ---------------------------------------------------------------------------- hashes and secrets

def test_password_hash_is_argon2id_salted_and_never_the_password(accounts):
    hashes = accounts.query("SELECT username, password_hash FROM users ORDER BY username")
    boss, pat = hashes.set_index("username").loc[["boss", "pat"], "password_hash"]
    assert boss.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert boss != PW and PW not in boss
    assert boss != pat          # same password, different salt
    assert users.verify_password(boss, PW) and not users.verify_password(boss, PW + "!")
    assert not users.verify_password(None, PW) and not users.verify_password("garbage", PW)


def test_neither_password_nor_hash_reaches_the_logs_or_the_audit(db, caplog):
    caplog.set_level(logging.DEBUG)
    secret, later = "Sekret-Pass-123", "Other-Pass-456"
    users.create_user(db, SYSTEM, "boss", "Boss", "admin", password=secret)
    users.authenticate(db, "boss", secret)
    with pytest.raises(users.LoginRefused):
        users.authenticate(db, "boss", "Wrong-Pass-789")
    users.reset_password(db, ADMIN, "boss", later)
    users.change_own_password(db, ADMIN, later, secret)
    stored = db.scalar("SELECT password_hash FROM users WHERE username = 'boss'")
    everything = " ".join(str(v) for v in db.query("SELECT * FROM audit_log").to_numpy().ravel())
    for text in (secret, later, "Wrong-Pass-789", stored, stored.split("$")[-1]):
        assert text not in everything
        assert text not in caplog.text
    changes = db._con.execute("SELECT action, old_value, new_value FROM audit_log "
                              "WHERE column_name = 'password_hash' ORDER BY audit_id").fetchall()
    assert changes == [("insert", None, "(secret)"), ("update", "(secret)", "(secret)"),
                       ("update", "(secret)", "(secret)")]


def test_a_hash_with_old_parameters_is_upgraded_at_login(db):
    from argon2 import PasswordHasher
    old = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash(PW)
    with db.transaction(SYSTEM) as tx:
        tx.insert("users", {"username": "old", "display_name": "Old", "role": "chair", "password_hash": old})
    users.authenticate(db, "old", PW)
    new = db.scalar("SELECT password_hash FROM users WHERE username = 'old'")
    assert new != old and new.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert users.verify_password(new, PW)


def test_change_own_password_needs_the_current_one(accounts):
    pat = User("pat", "head", "pmc")
    with pytest.raises(PermissionDenied, match="current password is not right"):
        users.change_own_password(accounts, pat, "not my password", "brand new pass")
    users.change_own_password(accounts, pat, PW, "brand new pass")
    assert users.authenticate(accounts, "pat", "brand new pass").username == "pat"


# ---------------------------------------------------------------------------- administration

@pytest.mark.parametrize("kwargs,error,message", [
    ({"username": ""}, ValidationError, "username: enter a username"),
    ({"username": "   "}, ValidationError, "username: enter a username"),
    ({"username": "u" * 65}, ValidationError, "at most 64 characters .this one has 65"),
    ({"username": "robert'); DROP TABLE users;--"}, ValidationError, "only letters a–z"),
    ({"username": "<script>alert(1)</script>"}, ValidationError, "only letters a–z"),
    ({"username": "ann smith"}, ValidationError, "only letters a–z"),
    ({"username": "PAT"}, RuleViolation, "'pat' is already taken"),
    ({"password": ""}, ValidationError, "password: enter a password"),
    ({"password": "short"}, ValidationError, "at least 8 characters"),
    ({"password": "        "}, ValidationError, "only spaces"),
    ({"password": "p" * 257}, ValidationError, "at most 256 characters"),
    ({"role": "system"}, ValidationError, "'system' is not a role"),
    ({"role": "head", "department": None}, ValidationError, "needs a department"),
    ({"role": "head", "department": "finance"}, ValidationError, "needs a department"),
    ({"email": "not-an-email"}, ValidationError, "is not an e-mail address"),
    ({"email": "PAT@plant.example"}, RuleViolation, "already belongs to pat"),
    ({"display_name": "x" * 101}, ValidationError, "display name: at most 100"),
    ({"display_name": "two\nlines"}, ValidationError, "no line breaks"),
])
def test_create_user_refuses_bad_input(accounts, kwargs, error, message):
    args = {"username": "newbie", "display_name": "New", "role": "head", "department": "sales",
            "email": None, "password": "long enough"} | kwargs
    before = accounts.scalar("SELECT count(*) FROM users")
    with pytest.raises(error, match=message):
        users.create_user(accounts, ADMIN, args.pop("username"), args.pop("display_name"), args.pop("role"),
                          args.pop("department"), **args)
    assert accounts.scalar("SELECT count(*) FROM users") == before


def test_create_user_stores_a_clean_account(accounts):
    user = users.create_user(accounts, ADMIN, " Quinn.Q ", "  Quinn  ", "chair", "sales", email=" Q@Plant.Example ",
                             password="long enough")
    assert user == User("quinn.q", "chair", None, "Quinn")    # only a head keeps a department
    row = accounts.query("SELECT email, active, failed_logins FROM users WHERE username = 'quinn.q'")
    assert row.values.tolist() == [["q@plant.example", True, 0]]


def test_user_without_password_cannot_log_in_with_any_password(accounts):
    users.create_user(accounts, ADMIN, "sso.only", "SSO", "viewer", email="sso@plant.example")
    with pytest.raises(users.LoginRefused, match="Wrong username or password"):
        users.authenticate(accounts, "sso.only", "anything at all")


def test_role_change_is_audited_as_role_change(accounts):
    users.update_user(accounts, ADMIN, "pat", role="head", department="quality")
    users.update_user(accounts, ADMIN, "pat", role="chair")
    users.update_user(accounts, ADMIN, "pat", display_name="Pat W.")   # no role change: no role_change row
    rows = audit(accounts, "role_change")
    assert rows[["username", "row_key", "old_value", "new_value"]].values.tolist() == [
        ["boss", "pat", "head:pmc", "head:quality"], ["boss", "pat", "head:quality", "chair"]]
    assert users.get_user(accounts._con, "pat") == User("pat", "chair", None, "Pat W.")


def test_the_last_admin_cannot_be_removed(accounts):
    with pytest.raises(RuleViolation, match="boss is the last active admin"):
        users.update_user(accounts, ADMIN, "boss", role="chair")
    with pytest.raises(RuleViolation, match="last active admin"):
        users.set_active(accounts, SYSTEM, "boss", False)
    with pytest.raises(RuleViolation, match="your own account"):
        users.set_active(accounts, ADMIN, "boss", False)
    users.update_user(accounts, ADMIN, "pat", role="admin")
    users.update_user(accounts, ADMIN, "boss", role="viewer")       # now pat is still an admin
    assert accounts.scalar("SELECT role FROM users WHERE username = 'boss'") == "viewer"


def test_changing_a_missing_user_says_so(accounts):
    with pytest.raises(NotFound, match="no user 'ghost'"):
        users.reset_password(accounts, ADMIN, "ghost", "long enough")


def test_first_admin_only_on_a_database_without_accounts(db):
    assert users.needs_first_admin(db._con)
    admin = users.create_first_admin(db, "Root", "", "first admin pass")
    assert admin == User("root", "admin", None, "root")
    assert not users.needs_first_admin(db._con)
    with pytest.raises(PermissionDenied, match="already has accounts"):
        users.create_first_admin(db, "intruder", "", "second admin pass")
    assert db.scalar("SELECT count(*) FROM users WHERE role = 'admin'") == 1


@pytest.mark.parametrize("mode,has_users,required", [
    ("on", False, True), ("on", True, True), ("off", True, False), ("off", False, False),
    ("auto", False, False), ("auto", True, True),
])
def test_login_required_follows_the_auth_setting(db, monkeypatch, mode, has_users, required):
    monkeypatch.setenv("TANDEM_AUTH", mode)
    if has_users:
        users.create_user(db, SYSTEM, "boss", "Boss", "admin", password=PW)
    assert users.login_required(db._con) is required


# ---------------------------------------------------------------------------- demo and single sign-on

def test_set_demo_passwords_gives_each_demo_account_the_password_demo(db):
    with db.transaction(SYSTEM, source="demo") as tx:
        for name, role, dept in [("admin", "admin", None), ("chair", "chair", None), ("sales", "head", "sales"),
                                 ("pmc", "head", "pmc"), ("purchasing", "head", "purchasing"),
                                 ("quality", "head", "quality"), ("engineering", "head", "engineering"),
                                 ("viewer", "viewer", None), ("real.person", "chair", None)]:
            tx.insert("users", {"username": name, "display_name": name, "role": role, "department": dept})
    with db.transaction(SYSTEM, source="demo") as tx:
        assert users.set_demo_passwords(tx) == 8
    for name in users.DEMO_USERNAMES:
        assert users.authenticate(db, name, "demo").username == name
    assert db.scalar("SELECT count(DISTINCT password_hash) FROM users WHERE password_hash IS NOT NULL") == 1
    assert db.scalar("SELECT password_hash FROM users WHERE username = 'real.person'") is None
    with db.transaction(SYSTEM, source="demo") as tx:
        assert users.set_demo_passwords(tx) == 0
    assert users.demo_accounts(db._con)["username"].tolist() == list(users.DEMO_USERNAMES)


@pytest.mark.parametrize("claims,username", [
    ({"is_logged_in": True, "email": "pat@plant.example", "email_verified": True}, "pat"),
    ({"is_logged_in": True, "email": "  PAT@Plant.Example "}, "pat"),
    ({"is_logged_in": True, "email": "pat@plant.example", "email_verified": False}, None),
    ({"is_logged_in": False, "email": "pat@plant.example"}, None),
    ({"is_logged_in": True, "email": "stranger@plant.example"}, None),
    ({"is_logged_in": True}, None),
    (None, None),
])
def test_single_sign_on_maps_a_verified_email_to_an_active_user(accounts, claims, username):
    user = users.user_for_identity(accounts._con, claims)
    assert (user.username if user else None) == username


def test_single_sign_on_refuses_a_deactivated_user(accounts):
    users.set_active(accounts, ADMIN, "pat", False)
    assert users.user_for_identity(accounts._con, {"is_logged_in": True, "email": "pat@plant.example"}) is None


# ---------------------------------------------------------------------------- settings

@pytest.mark.parametrize("key,value,message", [
    ("nope", 1, "there is no setting 'nope'"),
    ("db", "/tmp/x", "deployment setting"),
    ("auth", "off", "TANDEM_AUTH"),
    ("idle_timeout_minutes", "soon", "'soon' is not a valid int"),
    ("idle_timeout_minutes", 0, "outside 1–1440"),
    ("throttle_pair_failures", 101, "outside 1–100"),
    ("throttle_pair_failures", 0, "outside 1–100"),
    ("throttle_account_max_seconds", 301, "outside 1–300"),
    ("throttle_known_days", -1, "outside 0–3650"),
])
def test_settings_refuse_bad_values(db, key, value, message):
    with pytest.raises(ValidationError, match=message):
        settings.set_value(db, SYSTEM, key, value)


def test_settings_write_is_stored_and_read_back(db):
    assert settings.set_value(db, SYSTEM, "idle_timeout_minutes", " 30 ") == 30
    settings.set_value(db, SYSTEM, "idle_timeout_minutes", 45)
    assert settings.get("idle_timeout_minutes", db._con) == 45
    assert db.scalar("SELECT count(*) FROM audit_log WHERE table_name = 'settings' AND column_name = 'value'") == 2
