-- 070: sign-ins that survive a reload, and display tokens for the projector (issue 16, item 1).
--
-- Before: a login lived only in the server's memory of one browser tab, so reloading the page
-- logged you out (the projector too) and logging out ended only the tab it was clicked in.

-- One row per login: the browser keeps a random token in a cookie, the database only its
-- SHA-256 (a stolen backup holds no usable token). A session ends when it is revoked (logout
-- ends every session of its user), when it has been idle longer than `idle_timeout_minutes`,
-- or `session_hours` after it was created (lib.people.sessions).
CREATE TABLE sessions (
    token_hash     VARCHAR PRIMARY KEY CHECK (length(token_hash) = 64),
    username       VARCHAR NOT NULL,
    created_at     TIMESTAMP NOT NULL,
    last_seen_at   TIMESTAMP NOT NULL,
    revoked_at     TIMESTAMP,
    revoked_reason VARCHAR CHECK (revoked_reason IN ('logout', 'idle', 'expired', 'admin', 'password',
                                                     'deactivated')),
    CHECK ((revoked_at IS NULL) = (revoked_reason IS NULL))
);

-- A display token: a read-only screen (the meeting room's projector) opens
-- /display?token=... and stays signed in until an admin revokes the token. Only the token's
-- SHA-256 is kept; the admin sees the link once, when it is issued.
CREATE SEQUENCE seq_display START 1;
CREATE TABLE display_tokens (
    display_id    INTEGER PRIMARY KEY DEFAULT nextval('seq_display'),
    name          VARCHAR NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    token_hash    VARCHAR NOT NULL UNIQUE CHECK (length(token_hash) = 64),
    cycle_seconds INTEGER NOT NULL DEFAULT 0 CHECK (cycle_seconds = 0 OR cycle_seconds BETWEEN 10 AND 3600),
    lang          VARCHAR NOT NULL DEFAULT 'auto' CHECK (lang IN ('auto', 'zh', 'en')),
    created_by    VARCHAR NOT NULL,
    created_at    TIMESTAMP NOT NULL,
    last_used_at  TIMESTAMP,
    revoked_at    TIMESTAMP,
    revoked_by    VARCHAR
);
