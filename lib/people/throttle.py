"""Login throttling: failed logins make further attempts wait; nobody is ever locked out.

Failures are counted in three scopes (table `login_throttle`, migration 050):

* pair — one account from one client address: after `throttle_pair_failures` failures each
  further attempt from that address waits 1 s, doubling with every failure, at most
  `throttle_pair_max_seconds`. This is what stops guessing from one place. A successful
  login from the address clears it.
* account — one account from all addresses together: the same with a much higher threshold
  (`throttle_account_failures`) and a small cap (`throttle_account_max_seconds`), so a
  guessing attack spread over many addresses slows down. It never applies at an address the
  account has signed in from in the last `throttle_known_days` (table `login_addresses`), so
  an attacker elsewhere cannot make the real user at their usual address wait.
* address — one address on all accounts together (`throttle_address_failures`,
  `throttle_address_max_seconds`): trying one password on many accounts slows that address.

A wait is enforced by refusing attempts until a time (`blocked_until`), never by sleeping: a
refused attempt is not checked and not counted, so hammering a wait does not make it longer.
A counter is forgotten `throttle_forget_minutes` after its wait is over (or after its last
failure, if it had none). An unknown client address (None: a proxy in front, or localhost)
has no pair or address counters: only the account scope applies. IPv6 addresses are counted
by their /64 network, which one machine can otherwise hop around in at will.

Unknown usernames are counted exactly like real ones, so neither the answer nor its timing
tells whether an account exists. The counters live in the database, so every process on it
shares them. Callers run `wait`, then `record_failure` or `succeeded`, inside one
`db.transaction` and audit each attempt themselves (lib.people.users).

The delay after the k-th failure in a scope with threshold n and cap c:

    >>> [delay_seconds(k, 5, 900) for k in (1, 4, 5, 6, 7, 14, 15, 40)]
    [0, 0, 1, 2, 4, 512, 900, 900]
"""
from __future__ import annotations

import ipaddress
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

import pandas as pd

from lib import settings

PAIR, ACCOUNT, ADDRESS = "pair", "account", "address"
LOGIN_SCOPES = (PAIR, ACCOUNT, ADDRESS)
# a wrong current password in "change password": the person already holds a session, so it is
# guessing at one account from one place (and, without an address, at the account)
PASSWORD_SCOPES = (PAIR, ACCOUNT)

SETTING_KEYS = tuple(k for k in settings.SETTINGS if k.startswith("throttle_"))


@dataclass(frozen=True)
class Limits:
    """The throttle settings in force (see lib.settings, keys throttle_*)."""
    pair_failures: int = 5
    pair_max_seconds: int = 900
    account_failures: int = 20
    account_max_seconds: int = 30
    address_failures: int = 10
    address_max_seconds: int = 300
    forget_minutes: int = 60
    known_days: int = 90

    @classmethod
    def read(cls, con=None) -> Limits:
        """The limits from the settings (environment, settings table, defaults)."""
        return cls(**{k.removeprefix("throttle_"): int(settings.get(k, con)) for k in SETTING_KEYS})

    def of(self, scope: str) -> tuple[int, int]:
        """(failures before waits begin, longest wait in seconds) of `scope`."""
        return getattr(self, f"{scope}_failures"), getattr(self, f"{scope}_max_seconds")


@dataclass(frozen=True)
class Wait:
    """An attempt refused until `until`: `seconds` from now, set by the counter of `scope`."""
    seconds: int
    scope: str
    until: datetime


def delay_seconds(failures: int, after: int, cap: int) -> int:
    """Seconds the next attempt waits after `failures` failures in a scope whose waits begin
    after `after` failures: 0 before that, then 1, 2, 4, ... at most `cap`."""
    if failures < after:
        return 0
    step = failures - after
    return cap if step >= 31 else min(cap, 2 ** step)


def forwarded_client(peer: str | None, forwarded_for: str | None, trusted: str) -> str | None:
    """The client address to count, behind a reverse proxy: the right-most X-Forwarded-For entry
    that is not one of the `trusted` proxies (comma-separated addresses, the TANDEM_TRUSTED_PROXIES
    setting), when the connection comes from a trusted proxy or from this machine (peer None);
    otherwise the peer itself. With no proxy trusted the header is ignored: anyone can send it.

    >>> forwarded_client(None, "203.0.113.7", "127.0.0.1")          # nginx on this machine
    '203.0.113.7'
    >>> forwarded_client(None, "198.51.100.9, 203.0.113.7", "127.0.0.1")   # a spoofed first entry is not used
    '203.0.113.7'
    >>> forwarded_client("10.0.0.2", "203.0.113.7, 10.0.0.3", "10.0.0.2, 10.0.0.3")   # two proxies
    '203.0.113.7'
    >>> forwarded_client("192.0.2.1", "203.0.113.7", "10.0.0.2"), forwarded_client(None, "203.0.113.7", "")
    ('192.0.2.1', None)
    """
    proxies = {address_key(p) for p in str(trusted or "").split(",") if address_key(p)}
    if not proxies or (peer is not None and address_key(peer) not in proxies):
        return peer
    for entry in reversed([e.strip() for e in str(forwarded_for or "").split(",") if e.strip()]):
        if address_key(entry) is None:
            return None                          # not an address: nothing can be trusted to its left
        if address_key(entry) not in proxies:
            return entry
    return peer


def address_key(address: str | None) -> str | None:
    """The key a client address is counted under: an IPv4 address as it is, an IPv6 address as
    its /64 network, None when the address is unknown or not an address.

    >>> address_key("2001:db8:1:2:aaaa::5"), address_key("::ffff:10.0.0.5"), address_key(" 10.0.0.5 ")
    ('2001:db8:1:2::/64', '10.0.0.5', '10.0.0.5')
    >>> address_key(None), address_key("not an address")
    (None, None)
    """
    try:
        ip = ipaddress.ip_address(str(address or "").strip())
    except ValueError:
        return None
    if ip.version == 6 and ip.ipv4_mapped is not None:
        return str(ip.ipv4_mapped)
    if ip.version == 6:
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def _keys(account: str, address: str | None, scopes) -> list[tuple[str, str, str]]:
    """(scope, account column, address column) of each counter an attempt touches."""
    keys = []
    for scope in scopes:
        if scope == ACCOUNT:
            keys.append((scope, account, ""))
        elif address is not None:
            keys.append((scope, account, address) if scope == PAIR else (scope, "", address))
    return keys


def is_known(con, account: str, address: str | None, now: datetime, limits: Limits) -> bool:
    """True when `account` signed in successfully from `address` within `known_days`."""
    if address is None or limits.known_days <= 0:
        return False
    since = now - timedelta(days=limits.known_days)
    return con.execute("SELECT count(*) FROM login_addresses WHERE username = ? AND address = ? "
                       "AND last_login_at > ?", [account, address, since]).fetchone()[0] > 0


def wait(con, account: str, address: str | None, now: datetime, limits: Limits,
         scopes=LOGIN_SCOPES) -> Wait | None:
    """The wait an attempt on `account` from `address` (an `address_key`) faces at `now`, or
    None when it may be checked: the latest `blocked_until` still ahead among its counters."""
    keys = _keys(account, address, scopes)
    if ACCOUNT in scopes and is_known(con, account, address, now, limits):
        keys = [k for k in keys if k[0] != ACCOUNT]
    if not keys:
        return None
    rows = con.execute(
        "SELECT account, address, blocked_until FROM login_throttle WHERE blocked_until > ? AND ("
        + " OR ".join("(account = ? AND address = ?)" for _ in keys) + ") ORDER BY blocked_until DESC",
        [now] + [v for _, a, x in keys for v in (a, x)]).fetchall()
    if not rows:
        return None
    account_col, address_col, until = rows[0]
    scope = next(s for s, a, x in keys if (a, x) == (account_col, address_col))
    return Wait(math.ceil((until - now).total_seconds()), scope, until)


def _forget_before(now: datetime, limits: Limits) -> datetime:
    return now - timedelta(minutes=limits.forget_minutes)


def record_failure(tx, account: str, address: str | None, now: datetime, limits: Limits,
                   scopes=LOGIN_SCOPES) -> None:
    """Count a failed attempt in each of its counters and set when the next attempt may come."""
    tx.execute("DELETE FROM login_throttle WHERE coalesce(blocked_until, last_failed_at) < ?",
               [_forget_before(now, limits)])
    for scope, account_col, address_col in _keys(account, address, scopes):
        row = tx.execute("SELECT failures, blocked_until FROM login_throttle WHERE account = ? AND address = ?",
                         [account_col, address_col]).fetchone()
        failures = (row[0] if row else 0) + 1
        seconds = delay_seconds(failures, *limits.of(scope))
        until = now + timedelta(seconds=seconds) if seconds else None
        if row and row[1] is not None and (until is None or row[1] > until):
            until = row[1]     # a wait already running is never shortened (e.g. after a settings change)
        tx.execute("INSERT INTO login_throttle (account, address, failures, last_failed_at, blocked_until) "
                   "VALUES (?, ?, ?, ?, ?) ON CONFLICT (account, address) DO UPDATE SET "
                   "failures = excluded.failures, last_failed_at = excluded.last_failed_at, "
                   "blocked_until = excluded.blocked_until",
                   [account_col, address_col, failures, now, until])


def succeeded(tx, account: str, address: str | None, now: datetime, limits: Limits) -> None:
    """A successful sign-in (or password check) of `account` from `address`: its pair counter
    is cleared and the address becomes known to the account. The account and address counters
    stay: one success proves nothing about the other attempts they count."""
    if address is None:
        return
    tx.execute("DELETE FROM login_throttle WHERE account = ? AND address = ?", [account, address])
    tx.execute("INSERT INTO login_addresses (username, address, last_login_at) VALUES (?, ?, ?) "
               "ON CONFLICT (username, address) DO UPDATE SET last_login_at = excluded.last_login_at",
               [account, address, now])
    tx.execute("DELETE FROM login_addresses WHERE username = ? AND last_login_at <= ?",
               [account, now - timedelta(days=max(limits.known_days, 0))])


def clear_account(tx, account: str) -> int:
    """Remove every counter of `account` (each address's and the account's); return how many."""
    if not account:
        return 0
    n = tx.execute("SELECT count(*) FROM login_throttle WHERE account = ?", [account]).fetchone()[0]
    tx.execute("DELETE FROM login_throttle WHERE account = ?", [account])
    return int(n)


def clear_address(tx, address: str) -> int:
    """Remove every counter of `address` (each account's from it and the address's); return how many."""
    if not address:
        return 0
    n = tx.execute("SELECT count(*) FROM login_throttle WHERE address = ?", [address]).fetchone()[0]
    tx.execute("DELETE FROM login_throttle WHERE address = ?", [address])
    return int(n)


def counters(con, now: datetime, limits: Limits, limit: int = 500) -> pd.DataFrame:
    """The counters not yet forgotten, those making attempts wait first: account ('' = every
    account), address ('' = every address), failures, last_failed_at, blocked_until (only
    while still ahead of `now`)."""
    return con.execute(
        "SELECT account, address, failures, last_failed_at, "
        "CASE WHEN blocked_until > ? THEN blocked_until END AS blocked_until FROM login_throttle "
        "WHERE coalesce(blocked_until, last_failed_at) >= ? "
        "ORDER BY blocked_until > ? DESC NULLS LAST, blocked_until DESC NULLS LAST, failures DESC, account, address "
        "LIMIT ?", [now, _forget_before(now, limits), now, int(limit)]).df()


def by_account(con, now: datetime, limits: Limits) -> pd.DataFrame:
    """Per account with live counters: failures (over all addresses, not yet forgotten) and
    throttled_until (the latest wait still ahead from any address, or for the account)."""
    return con.execute(
        "SELECT account, max(failures) FILTER (WHERE address = '') AS failures, "
        "max(blocked_until) FILTER (WHERE blocked_until > ?) AS throttled_until FROM login_throttle "
        "WHERE account <> '' AND coalesce(blocked_until, last_failed_at) >= ? GROUP BY account",
        [now, _forget_before(now, limits)]).df()
