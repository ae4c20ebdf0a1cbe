-- regcore store schema, version 1 (docs/storage.md).
--
-- One text for SQLite (3.24+) and PostgreSQL (12+): only portable types
-- (TEXT, BIGINT, INTEGER) and statements. `{prefix}` is replaced by the
-- store's table prefix (checked by core: 1-32 of a-z 0-9 _, from a letter, default `regcore`, so tables are `regcore_lockout`, …) before it runs.
-- Times are milliseconds since the Unix epoch (UTC) in BIGINT columns, so
-- both databases compare, index and group them identically.
-- Applied by an explicit `migrate()`, in one transaction, never at first use.

-- Schema version and the ledger's history sequence.
CREATE TABLE {prefix}_meta (
    name  TEXT   PRIMARY KEY,
    value BIGINT NOT NULL
);
INSERT INTO {prefix}_meta (name, value) VALUES ('history_seq', 0);

-- Lockout state per caller-chosen key (account, account + IP, device):
-- LockoutState.encode(). The encoded text is the compare-and-set token.
CREATE TABLE {prefix}_lockout (
    key        TEXT   PRIMARY KEY,
    state      TEXT   NOT NULL,
    expires_at BIGINT
);
CREATE INDEX {prefix}_lockout_expires ON {prefix}_lockout (expires_at);

-- One-time-code state per (purpose, subject): CodeState.encode().
CREATE TABLE {prefix}_code (
    purpose    TEXT   NOT NULL,
    subject    TEXT   NOT NULL,
    state      TEXT   NOT NULL,
    expires_at BIGINT,
    PRIMARY KEY (purpose, subject)
);
CREATE INDEX {prefix}_code_expires ON {prefix}_code (expires_at);

-- Session state per session id. A revoked session has no row.
CREATE TABLE {prefix}_session (
    key        TEXT   PRIMARY KEY,
    state      TEXT   NOT NULL,
    expires_at BIGINT
);
CREATE INDEX {prefix}_session_expires ON {prefix}_session (expires_at);

-- Pairing ledger (docs/pairing.md §1): one terminal per activation number, enforced
-- by the primary key (first writer wins).
CREATE TABLE {prefix}_binding (
    activation_number TEXT    PRIMARY KEY,
    mpr_id            TEXT    NOT NULL,
    product           INTEGER NOT NULL,
    registration_key  TEXT    NOT NULL,
    first_issued_at   BIGINT  NOT NULL
);
CREATE INDEX {prefix}_binding_mpr_id ON {prefix}_binding (mpr_id);

-- Issue history (issued, reissued, rebound), in commit order (seq).
CREATE TABLE {prefix}_history (
    seq               BIGINT  PRIMARY KEY,
    at                BIGINT  NOT NULL,
    event             TEXT    NOT NULL,
    mpr_id            TEXT    NOT NULL,
    activation_number TEXT    NOT NULL,
    product           INTEGER NOT NULL,
    registration_key  TEXT    NOT NULL
);
CREATE INDEX {prefix}_history_at ON {prefix}_history (at);

-- Audited administrative rebinds.
CREATE TABLE {prefix}_rebind (
    seq               BIGINT PRIMARY KEY,
    at                BIGINT NOT NULL,
    activation_number TEXT   NOT NULL,
    from_mpr_id       TEXT   NOT NULL,
    to_mpr_id         TEXT   NOT NULL,
    actor             TEXT   NOT NULL,
    reason            TEXT   NOT NULL
);
