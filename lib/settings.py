"""Every setting, declared once with its default and help text.

A value comes from, in order: the environment variable `TANDEM_<KEY>` (deployment-level
overrides such as the database path or a fixed language), the `settings` table (what a
manager changes in the app: targets, working days), else the default declared here.
A meta-test checks that every setting has help text.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Setting:
    key: str
    default: object
    help: str
    kind: type = str
    in_db: bool = True   # False: deployment setting, environment only

    @property
    def env(self) -> str:
        return "TANDEM_" + self.key.upper()


_DECLARED = [
    Setting("db", str(ROOT / "data" / "tandem.duckdb"),
            "Path of the DuckDB database file (env TANDEM_DB), or a PostgreSQL URL "
            "(postgresql://user@host:port/db) to share one database between several app processes.",
            str, in_db=False),
    Setting("plant", "main", "With a PostgreSQL database: the plant, one PostgreSQL schema per plant "
            "(letters, digits and _; env TANDEM_PLANT).", str, in_db=False),
    Setting("lang", "auto", "UI language: zh, en, or auto (follow the browser).", str, in_db=False),
    Setting("auth", "auto", "Login: on, off, or auto (on once a user with a password exists).", str, in_db=False),
    Setting("as_of", "", "Fix 'today' for the engines (YYYY-MM-DD); blank = the real date.", str, in_db=False),
    Setting("trusted_proxies", "",
            "Reverse proxies in front of the dashboard (comma-separated addresses, e.g. 127.0.0.1 for "
            "nginx on this machine): login throttling then counts the browser's address from their "
            "X-Forwarded-For header. Blank: the header is ignored (anyone can send it).", str, in_db=False),
    Setting("working_weekdays", "1,2,3,4,5",
            "The factory's working weekdays, ISO numbers (1 = Monday ... 7 = Sunday).", str),
    Setting("shipping_buffer_days", 0, "Calendar days added after the last step to get the promise date.", int),
    Setting("horizon_days", 365, "Planning horizon for a promise, in days after today.", int),
    Setting("load_weeks", 12, "Weeks shown ahead in the capacity heatmap.", int),
    Setting("max_overtime_hours", 4, "Most overtime hours a work center can add on one working day, for "
            "'what it would take' (the capacity page and the promise).", float),
    Setting("stale_days", 7, "A section not updated for this many days is marked stale on the Overview.", int),
    Setting("idle_timeout_minutes", 60, "A logged-in session with no activity for this long must log in again.", int),
    Setting("session_hours", 12,
            "Hours a sign-in lasts, reloads and new tabs included, before its password is asked again "
            "(the browser keeps it in a cookie; idle sessions end sooner, after the idle timeout). "
            "Logging out ends it at once in every tab and on every device.", int),
    # login throttling (lib.people.throttle): after N failures in a scope, each further attempt
    # in it waits 1 s, doubling with every failure, up to the scope's cap; nothing is ever locked
    Setting("throttle_pair_failures", 5,
            "Failed logins to one account from one address before further attempts from there wait "
            "(1 s, doubling with each failure). A successful login starts again from zero.", int),
    Setting("throttle_pair_max_seconds", 900,
            "Longest wait, in seconds, between attempts to one account from one address.", int),
    Setting("throttle_account_failures", 20,
            "Failed logins to one account from all addresses together before attempts from addresses "
            "the account has not signed in from wait (against a guessing attack from many addresses).", int),
    Setting("throttle_account_max_seconds", 30,
            "Longest wait, in seconds, for an attempt to an account under attack from many addresses. "
            "Keep it small: the real user signing in from a new address waits this long too.", int),
    Setting("throttle_address_failures", 10,
            "Failed logins from one address to all accounts together before further attempts from "
            "there wait (against trying one password on many accounts). Raise it if many people "
            "share one address.", int),
    Setting("throttle_address_max_seconds", 300,
            "Longest wait, in seconds, between attempts from one address that failed on many accounts.", int),
    Setting("throttle_forget_minutes", 60,
            "A failure counter starts again from zero after this many minutes without failures "
            "once its wait is over.", int),
    Setting("throttle_known_days", 90,
            "Days an address stays known to an account after a successful login from it; attempts "
            "from a known address never wait for an attack on the account from other addresses.", int),
    Setting("sso", "off", "Single sign-on through the identity provider configured in .streamlit/secrets.toml "
            "[auth] (OpenID Connect): on or off. A signed-in e-mail must match an active user's e-mail.",
            str, in_db=False),
    # import files are measured against these before they are parsed (deployment settings: they protect the server)
    Setting("import_max_file_mb", 50, "Largest import file accepted (CSV or .xlsx as uploaded), in MB.", int, in_db=False),
    Setting("import_max_rows", 1_000_000, "Most data rows an import file may have (CSV, or an .xlsx sheet's last row).",
            int, in_db=False),
    Setting("import_max_columns", 200, "Most columns an import file may have (an .xlsx sheet's last column counts).",
            int, in_db=False),
    Setting("import_max_cells", 20_000_000,
            "Most cells (rows x columns of the used area) an import file may have.", int, in_db=False),
    Setting("import_max_cell_chars", 10_000, "Longest text one cell of an import file may hold, in characters.",
            int, in_db=False),
    Setting("import_xlsx_max_uncompressed_mb", 1_000,
            "Most an .xlsx may expand to when unzipped (all its parts together), in MB.", int, in_db=False),
    Setting("import_xlsx_max_ratio", 200,
            "Highest compression ratio (unzipped / zipped size) of a large part of an .xlsx; past it the file "
            "is a zip bomb, not a spreadsheet.", int, in_db=False),
    Setting("import_reader_memory_mb", 4_096,
            "Memory (address space) the separate process that reads .xlsx cells may use, in MB.", int, in_db=False),
    Setting("import_reader_timeout_s", 300,
            "Seconds the separate process that reads .xlsx cells may take before the file is refused.", int,
            in_db=False),
    Setting("import_excel_date_min", "1990-01-01",
            "Earliest date an Excel serial number (a plain number in a date column) may stand for.", str, in_db=False),
    Setting("import_excel_date_max", "2100-12-31",
            "Latest date an Excel serial number (a plain number in a date column) may stand for.", str, in_db=False),
    # targets (KPI tiles turn green at or better than target, amber within the band, red beyond)
    Setting("target_otd", 0.95, "Target OTD (on-time delivery), share of lines shipped on time.", float),
    Setting("target_otif", 0.90, "Target OTIF, share of due lines shipped on time and in full.", float),
    Setting("target_plan_achievement", 0.95, "Target plan achievement, actual good output / plan.", float),
    Setting("target_peak_load", 0.90, "Highest acceptable work-center load (load hours / capacity).", float),
    Setting("target_supplier_otd", 0.95, "Target supplier on-time, qty received by due date / qty due.", float),
    Setting("target_incoming_fp", 0.98, "Target incoming first-pass rate, lots passed first time / lots.", float),
    Setting("target_fpy", 0.97, "Target first-pass yield in process and final, good / inspected.", float),
    Setting("target_shortage_idle", 0.02, "Highest acceptable shortage idle rate, idle hours / actual hours.", float),
    Setting("target_price_variance", 0.0, "Highest acceptable price variance per period (currency).", float),
    Setting("target_drawing_ontime", 0.90, "Target share of drawings released by their planned date.", float),
    Setting("target_npi_ontime", 0.90, "Target share of NPI milestones met on plan.", float),
    Setting("target_action_closure", 0.90, "Target share of actions verified by their due date.", float),
    Setting("target_open_complaints", 5, "Most open customer complaints acceptable at one time.", int),
    Setting("target_repromise_rate", 0.10,
            "Most re-promises acceptable per order line promised or re-promised in the period.", float),
    Setting("target_complaint_days", 14, "Target average calendar days from receiving a complaint to closing it.", float),
    Setting("amber_band", 0.05, "How far from target (as a share) a KPI is amber before it turns red.", float),
]

SETTINGS: dict[str, Setting] = {s.key: s for s in _DECLARED}


def _coerce(setting: Setting, raw: object):
    if raw is None:
        return setting.default
    try:
        return setting.kind(raw)
    except (TypeError, ValueError):
        return setting.default


def env_value(key: str):
    """The environment override of a setting, or None."""
    raw = os.environ.get(SETTINGS[key].env)
    return None if raw in (None, "") else _coerce(SETTINGS[key], raw)


def get(key: str, con=None):
    """The value of setting `key`: environment, then the settings table (when `con` given), then default.

    >>> get("horizon_days")
    365
    """
    setting = SETTINGS[key]
    value = env_value(key)
    if value is not None:
        return value
    if con is not None and setting.in_db:
        row = con.execute("SELECT value FROM settings WHERE key = ?", [key]).fetchone()
        if row is not None:
            return _coerce(setting, row[0])
    return setting.default


def all_values(con=None) -> dict:
    """Every setting's current value."""
    return {k: get(k, con) for k in SETTINGS}


def working_weekdays(con=None) -> list[int]:
    """The working weekdays as ISO numbers, e.g. [1, 2, 3, 4, 5]."""
    raw = str(get("working_weekdays", con))
    days = sorted({int(x) for x in raw.replace(" ", "").split(",") if x.isdigit() and 1 <= int(x) <= 7})
    return days or [1, 2, 3, 4, 5]


def as_of() -> date:
    """'Today' for the engines: the TANDEM_AS_OF setting, else the real date (one rule for the app
    and the command line). A value that is not a date is refused, never silently ignored: the
    command line exits 2 with the message at start, the app shows it."""
    raw = get("as_of")
    if raw:
        try:
            return date.fromisoformat(str(raw).strip())
        except ValueError:
            from lib.errors import ValidationError
            raise ValidationError(f"{raw!r} is not a date; expected YYYY-MM-DD (e.g. 2026-11-25), or leave it "
                                  "unset for the real date.", where="TANDEM_AS_OF", title="Bad setting") from None
    return date.today()


def db_path() -> str:
    """The database file (or PostgreSQL URL) the app and the command line use."""
    return str(get("db"))


def plant() -> str:
    """The plant a PostgreSQL database is opened on (its schema)."""
    return str(get("plant") or "main")


# The login rules: only a user with the "users" permission (the admin) changes them — the chair
# manages the meeting's targets and working rules, not how hard it is to guess a password.
LOGIN_RULES = frozenset({"idle_timeout_minutes", "session_hours", *(k for k in SETTINGS if k.startswith("throttle_"))})

# the bounds a value written in the app must respect (key: (lowest, highest))
BOUNDS: dict[str, tuple[float, float]] = {
    "idle_timeout_minutes": (1, 24 * 60),
    "session_hours": (1, 90 * 24),
    "throttle_pair_failures": (1, 100), "throttle_pair_max_seconds": (1, 24 * 3600),
    "throttle_account_failures": (1, 1000), "throttle_account_max_seconds": (1, 300),
    "throttle_address_failures": (1, 1000), "throttle_address_max_seconds": (1, 24 * 3600),
    "throttle_forget_minutes": (1, 7 * 24 * 60), "throttle_known_days": (0, 3650),
    "shipping_buffer_days": (0, 365), "horizon_days": (7, 3 * 365), "load_weeks": (1, 104),
    "max_overtime_hours": (0, 16),
    "stale_days": (1, 365), "amber_band": (0, 1),
}


def set_value(db, user, key: str, value) -> object:
    """Store setting `key` in the settings table as `user` (needs the "settings" permission);
    returns the value as stored. Refuses deployment settings and values of the wrong kind or
    outside BOUNDS with a message naming the setting.

    >>> from lib.store.db import Database; from lib.people.auth import SYSTEM
    >>> set_value(Database(":memory:"), SYSTEM, "idle_timeout_minutes", "30")
    30
    """
    from lib.errors import ValidationError
    setting = SETTINGS.get(key)
    if setting is None:
        raise ValidationError(f"there is no setting {key!r}.", where="settings")
    if not setting.in_db:
        raise ValidationError(f"{key} is a deployment setting; set the environment variable {setting.env} "
                              "where Tandem is started.", where=key)
    try:
        typed = setting.kind(str(value).strip()) if setting.kind is not str else str(value).strip()
    except (TypeError, ValueError):
        raise ValidationError(f"{value!r} is not a valid {setting.kind.__name__}.", where=key) from None
    low, high = BOUNDS.get(key, (None, None))
    if low is not None and not (low <= typed <= high):
        raise ValidationError(f"{typed} is outside {low:g}–{high:g}.", where=key)
    with db.transaction(user, source="settings", need="settings") as tx:
        if tx.fetch("settings", {"key": key}) is None:
            tx.insert("settings", {"key": key, "value": str(typed), "updated_by": user.username})
        else:
            tx.update("settings", {"key": key}, {"value": str(typed), "updated_by": user.username,
                                                 "updated_at": _now()})
    return typed


def _now():
    from datetime import datetime
    return datetime.now().replace(microsecond=0)


def save_values(db, user, values: dict) -> int:
    """Store settings a manager changed (targets, working days) in one audited transaction.

    Like `set_value` for many settings at once: only declared, database-held settings are
    accepted; each value must convert to the setting's type, numbers must be finite, not
    negative and within BOUNDS. Returns how many changed.
    Needs the `settings` permission (lib.people.auth).
    """
    import math
    from datetime import datetime

    from lib.errors import ValidationError
    clean = {}
    for key, raw in values.items():
        setting = SETTINGS.get(key)
        if setting is None or not setting.in_db:
            raise ValidationError("is not a setting that can be changed in the app.", where=key)
        try:
            value = setting.kind(raw)
        except (TypeError, ValueError):
            raise ValidationError(f"{raw!r} is not a valid {setting.kind.__name__}.", where=key) from None
        if isinstance(value, (int, float)) and (not math.isfinite(value) or value < 0):
            raise ValidationError(f"{raw!r} must be a number of at least 0.", where=key)
        low, high = BOUNDS.get(key, (None, None))
        if low is not None and not (low <= value <= high):
            raise ValidationError(f"{value} is outside {low:g}–{high:g}.", where=key)
        if key == "working_weekdays":
            parts = str(value).replace(" ", "").split(",")
            if not parts or not all(p.isdigit() and 1 <= int(p) <= 7 for p in parts):
                raise ValidationError(f"{raw!r} must be weekday numbers 1 to 7 separated by commas, "
                                      "e.g. 1,2,3,4,5.", where=key)
            value = ",".join(str(d) for d in sorted({int(p) for p in parts}))
        clean[key] = value
    changed = 0
    with db.transaction(user, source="form", need="settings") as tx:
        for key, value in clean.items():
            text = str(value)
            old = tx.fetch("settings", {"key": key})
            if old is None:
                if text == str(SETTINGS[key].default):
                    continue
                tx.insert("settings", {"key": key, "value": text, "updated_by": user.username})
                changed += 1
            elif old["value"] != text:
                tx.update("settings", {"key": key}, {"value": text, "updated_by": user.username,
                                                     "updated_at": datetime.now()})
                changed += 1
    return changed
