-- begin_write
BEGIN;

-- commit
COMMIT;

-- rollback
ROLLBACK;

-- lockout.select
SELECT (SELECT state FROM regcore_lockout WHERE key = %s), CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT), (SELECT value FROM regcore_meta WHERE name = 'schema_version');

-- lockout.insert
INSERT INTO regcore_lockout (key, state, expires_at) SELECT CAST(%s AS TEXT), CAST(%s AS TEXT), CAST(%s AS BIGINT) WHERE (CAST(%s AS BIGINT) IS NULL OR ABS(CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT) - CAST(%s AS BIGINT)) <= CAST(%s AS BIGINT)) AND (SELECT value FROM regcore_meta WHERE name = 'schema_version') = 1 ON CONFLICT DO NOTHING;

-- lockout.update
UPDATE regcore_lockout SET state = %s, expires_at = %s WHERE key = %s AND state = %s AND (CAST(%s AS BIGINT) IS NULL OR ABS(CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT) - CAST(%s AS BIGINT)) <= CAST(%s AS BIGINT)) AND (SELECT value FROM regcore_meta WHERE name = 'schema_version') = 1;

-- lockout.delete
DELETE FROM regcore_lockout WHERE key = %s AND state = %s AND (CAST(%s AS BIGINT) IS NULL OR ABS(CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT) - CAST(%s AS BIGINT)) <= CAST(%s AS BIGINT)) AND (SELECT value FROM regcore_meta WHERE name = 'schema_version') = 1;

-- lockout.purge
DELETE FROM regcore_lockout WHERE expires_at IS NOT NULL AND expires_at <= COALESCE(CAST(%s AS BIGINT), CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT));

-- code.select
SELECT (SELECT state FROM regcore_code WHERE purpose = %s AND subject = %s), CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT), (SELECT value FROM regcore_meta WHERE name = 'schema_version');

-- code.insert
INSERT INTO regcore_code (purpose, subject, state, expires_at) SELECT CAST(%s AS TEXT), CAST(%s AS TEXT), CAST(%s AS TEXT), CAST(%s AS BIGINT) WHERE (CAST(%s AS BIGINT) IS NULL OR ABS(CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT) - CAST(%s AS BIGINT)) <= CAST(%s AS BIGINT)) AND (SELECT value FROM regcore_meta WHERE name = 'schema_version') = 1 ON CONFLICT DO NOTHING;

-- code.update
UPDATE regcore_code SET state = %s, expires_at = %s WHERE purpose = %s AND subject = %s AND state = %s AND (CAST(%s AS BIGINT) IS NULL OR ABS(CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT) - CAST(%s AS BIGINT)) <= CAST(%s AS BIGINT)) AND (SELECT value FROM regcore_meta WHERE name = 'schema_version') = 1;

-- code.delete
DELETE FROM regcore_code WHERE purpose = %s AND subject = %s AND state = %s AND (CAST(%s AS BIGINT) IS NULL OR ABS(CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT) - CAST(%s AS BIGINT)) <= CAST(%s AS BIGINT)) AND (SELECT value FROM regcore_meta WHERE name = 'schema_version') = 1;

-- code.purge
DELETE FROM regcore_code WHERE expires_at IS NOT NULL AND expires_at <= COALESCE(CAST(%s AS BIGINT), CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT));

-- session.select
SELECT (SELECT state FROM regcore_session WHERE key = %s), CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT), (SELECT value FROM regcore_meta WHERE name = 'schema_version');

-- session.insert
INSERT INTO regcore_session (key, state, expires_at) SELECT CAST(%s AS TEXT), CAST(%s AS TEXT), CAST(%s AS BIGINT) WHERE (CAST(%s AS BIGINT) IS NULL OR ABS(CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT) - CAST(%s AS BIGINT)) <= CAST(%s AS BIGINT)) AND (SELECT value FROM regcore_meta WHERE name = 'schema_version') = 1 ON CONFLICT DO NOTHING;

-- session.update
UPDATE regcore_session SET state = %s, expires_at = %s WHERE key = %s AND state = %s AND (CAST(%s AS BIGINT) IS NULL OR ABS(CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT) - CAST(%s AS BIGINT)) <= CAST(%s AS BIGINT)) AND (SELECT value FROM regcore_meta WHERE name = 'schema_version') = 1;

-- session.delete
DELETE FROM regcore_session WHERE key = %s AND state = %s AND (CAST(%s AS BIGINT) IS NULL OR ABS(CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT) - CAST(%s AS BIGINT)) <= CAST(%s AS BIGINT)) AND (SELECT value FROM regcore_meta WHERE name = 'schema_version') = 1;

-- session.purge
DELETE FROM regcore_session WHERE expires_at IS NOT NULL AND expires_at <= COALESCE(CAST(%s AS BIGINT), CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT));

-- server_now
SELECT CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT);

-- meta_exists
SELECT CAST(to_regclass(%s) IS NOT NULL AS INTEGER);

-- schema_version
SELECT value FROM regcore_meta WHERE name = 'schema_version';

-- migration_lock
SELECT pg_advisory_xact_lock(hashtext(%s));

-- insert_schema_version
INSERT INTO regcore_meta (name, value) VALUES ('schema_version', %s);

-- update_schema_version
UPDATE regcore_meta SET value = %s WHERE name = 'schema_version';

-- bindings_of(2)
SELECT activation_number, mpr_id, product, registration_key, first_issued_at FROM regcore_binding WHERE activation_number IN (%s, %s);

-- binding_for_update
SELECT activation_number, mpr_id, product, registration_key, first_issued_at FROM regcore_binding WHERE activation_number = %s FOR UPDATE;

-- insert_bindings(2)
INSERT INTO regcore_binding (activation_number, mpr_id, product, registration_key, first_issued_at) VALUES (%s, %s, %s, %s, %s), (%s, %s, %s, %s, %s) ON CONFLICT DO NOTHING;

-- rebind_binding
UPDATE regcore_binding SET mpr_id = %s, registration_key = %s, first_issued_at = %s WHERE activation_number = %s AND mpr_id = %s;

-- reserve_seq
UPDATE regcore_meta SET value = value + %s WHERE name = 'history_seq';

-- current_seq
SELECT value FROM regcore_meta WHERE name = 'history_seq';

-- insert_history(2)
INSERT INTO regcore_history (seq, at, event, mpr_id, activation_number, product, registration_key) VALUES (%s, %s, %s, %s, %s, %s, %s), (%s, %s, %s, %s, %s, %s, %s);

-- insert_rebind
INSERT INTO regcore_rebind (seq, at, activation_number, from_mpr_id, to_mpr_id, actor, reason) VALUES (%s, %s, %s, %s, %s, %s, %s);

-- bindings(all)
SELECT activation_number, mpr_id, product, registration_key, first_issued_at FROM regcore_binding ORDER BY activation_number;

-- bindings(mpr_id)
SELECT activation_number, mpr_id, product, registration_key, first_issued_at FROM regcore_binding WHERE mpr_id = %s ORDER BY activation_number;

-- bindings(activation_number)
SELECT activation_number, mpr_id, product, registration_key, first_issued_at FROM regcore_binding WHERE activation_number = %s ORDER BY activation_number;

-- rebinds
SELECT at, activation_number, from_mpr_id, to_mpr_id, actor, reason FROM regcore_rebind ORDER BY seq;

-- history
SELECT at, event, mpr_id, activation_number, product, registration_key FROM regcore_history ORDER BY at, seq;

-- history(range)
SELECT at, event, mpr_id, activation_number, product, registration_key FROM regcore_history WHERE at >= %s AND at < %s ORDER BY at, seq;

-- daily_counts
SELECT (at + CAST(%s AS BIGINT)) / 86400000, SUM(CASE WHEN event IN ('reissued') THEN 0 ELSE 1 END), SUM(CASE WHEN event IN ('reissued') THEN 1 ELSE 0 END) FROM regcore_history GROUP BY 1 ORDER BY 1;

-- daily_counts(range)
SELECT (at + CAST(%s AS BIGINT)) / 86400000, SUM(CASE WHEN event IN ('reissued') THEN 0 ELSE 1 END), SUM(CASE WHEN event IN ('reissued') THEN 1 ELSE 0 END) FROM regcore_history WHERE at >= %s AND at < %s GROUP BY 1 ORDER BY 1;

-- migration 1.0
CREATE TABLE regcore_meta (
    name  TEXT   PRIMARY KEY,
    value BIGINT NOT NULL
);

-- migration 1.1
INSERT INTO regcore_meta (name, value) VALUES ('history_seq', 0);

-- migration 1.2
CREATE TABLE regcore_lockout (
    key        TEXT   PRIMARY KEY,
    state      TEXT   NOT NULL,
    expires_at BIGINT
);

-- migration 1.3
CREATE INDEX regcore_lockout_expires ON regcore_lockout (expires_at);

-- migration 1.4
CREATE TABLE regcore_code (
    purpose    TEXT   NOT NULL,
    subject    TEXT   NOT NULL,
    state      TEXT   NOT NULL,
    expires_at BIGINT,
    PRIMARY KEY (purpose, subject)
);

-- migration 1.5
CREATE INDEX regcore_code_expires ON regcore_code (expires_at);

-- migration 1.6
CREATE TABLE regcore_session (
    key        TEXT   PRIMARY KEY,
    state      TEXT   NOT NULL,
    expires_at BIGINT
);

-- migration 1.7
CREATE INDEX regcore_session_expires ON regcore_session (expires_at);

-- migration 1.8
CREATE TABLE regcore_binding (
    activation_number TEXT    PRIMARY KEY,
    mpr_id            TEXT    NOT NULL,
    product           INTEGER NOT NULL,
    registration_key  TEXT    NOT NULL,
    first_issued_at   BIGINT  NOT NULL
);

-- migration 1.9
CREATE INDEX regcore_binding_mpr_id ON regcore_binding (mpr_id);

-- migration 1.10
CREATE TABLE regcore_history (
    seq               BIGINT  PRIMARY KEY,
    at                BIGINT  NOT NULL,
    event             TEXT    NOT NULL,
    mpr_id            TEXT    NOT NULL,
    activation_number TEXT    NOT NULL,
    product           INTEGER NOT NULL,
    registration_key  TEXT    NOT NULL
);

-- migration 1.11
CREATE INDEX regcore_history_at ON regcore_history (at);

-- migration 1.12
CREATE TABLE regcore_rebind (
    seq               BIGINT PRIMARY KEY,
    at                BIGINT NOT NULL,
    activation_number TEXT   NOT NULL,
    from_mpr_id       TEXT   NOT NULL,
    to_mpr_id         TEXT   NOT NULL,
    actor             TEXT   NOT NULL,
    reason            TEXT   NOT NULL
);

