-- 050: login throttling that cannot be turned against the user (issue 12, item 7).
--
-- Before: 5 wrong passwords locked an account for 15 minutes (users.failed_logins /
-- users.locked_until), so anyone could lock anyone out, again and again. Now failures are
-- counted per account and client address, per account over all addresses, and per address
-- over all accounts (lib.people.throttle); each counter makes further attempts in its scope
-- wait, doubling up to a cap, and never refuses the real user at an address it signed in from.

-- One counter per scope; '' stands for "every": (account, address) is the pair,
-- (account, '') the account over all addresses, ('', address) the address over all accounts.
-- `account` is the username as tried, whether or not it exists (so that a refusal says
-- nothing about which usernames exist); `address` is the client address (an IPv6 address
-- as its /64 network).
CREATE TABLE login_throttle (
    account        VARCHAR NOT NULL,
    address        VARCHAR NOT NULL,
    failures       INTEGER NOT NULL CHECK (failures >= 1),
    last_failed_at TIMESTAMP NOT NULL,
    blocked_until  TIMESTAMP,             -- attempts in this scope are refused before this time
    PRIMARY KEY (account, address),
    CHECK (account <> '' OR address <> ''),
    CHECK (length(account) <= 64 AND length(address) <= 64)
);

-- Addresses an account signed in from successfully: the account-wide wait (a distributed
-- attack on the account) does not apply there.
CREATE TABLE login_addresses (
    username      VARCHAR NOT NULL,
    address       VARCHAR NOT NULL,
    last_login_at TIMESTAMP NOT NULL,
    PRIMARY KEY (username, address)
);

-- users.failed_logins and users.locked_until are no longer read or written. They stay in the
-- table (older backups, the demo generator and anything else that names them keep working;
-- deactivating an account is the admin's explicit lock). A lock still running is lifted:
-- the new counters start from zero. Each lifted lock is audited.
INSERT INTO audit_log (username, action, table_name, row_key, column_name, old_value, new_value, source)
SELECT 'system', 'update', 'users', username, 'locked_until', CAST(locked_until AS VARCHAR), NULL,
       'migration 050_login_throttle'
FROM users WHERE locked_until IS NOT NULL;
UPDATE users SET failed_logins = 0, locked_until = NULL
WHERE failed_logins <> 0 OR locked_until IS NOT NULL;

-- An admin's choice of the old settings carries over to the per-account-and-address counter,
-- which is what they governed for the real user: "N failures in a row" becomes "waits begin
-- after N failures", "locked M minutes" becomes "waits at most M x 60 seconds". A value that
-- is not a number (never written by the app) is dropped, so the default applies.
INSERT INTO settings (key, value, updated_by, updated_at)
SELECT CASE key WHEN 'lockout_attempts' THEN 'throttle_pair_failures' ELSE 'throttle_pair_max_seconds' END,
       CAST(CASE key WHEN 'lockout_attempts' THEN TRY_CAST(value AS INTEGER)
                     ELSE TRY_CAST(value AS INTEGER) * 60 END AS VARCHAR),
       updated_by, updated_at
FROM settings
WHERE key IN ('lockout_attempts', 'lockout_minutes') AND TRY_CAST(value AS INTEGER) > 0;
INSERT INTO audit_log (username, action, table_name, row_key, column_name, old_value, new_value, source)
SELECT 'system', 'update', 'settings', key, 'value', value, NULL, 'migration 050_login_throttle'
FROM settings WHERE key IN ('lockout_attempts', 'lockout_minutes');
INSERT INTO audit_log (username, action, table_name, row_key, column_name, old_value, new_value, source)
SELECT 'system', 'insert', 'settings', key, 'value', NULL, value, 'migration 050_login_throttle'
FROM settings WHERE key IN ('throttle_pair_failures', 'throttle_pair_max_seconds');
DELETE FROM settings WHERE key IN ('lockout_attempts', 'lockout_minutes');
