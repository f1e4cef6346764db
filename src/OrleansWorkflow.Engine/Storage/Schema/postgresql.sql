-- OrleansWorkflow's PostgreSQL schema for the Orleans ADO.NET grain storage and reminder providers.
-- Written for this project from the providers' contract (shared/ORLEANS-ADONET-CONTRACT.md).
-- Idempotent: run it as often as you like; it only creates what is missing and refreshes the query texts.

-- The providers look every query up by key in this table, by its unquoted (lower-case) name.
CREATE TABLE IF NOT EXISTS orleansquery (
    querykey  text PRIMARY KEY,
    querytext text NOT NULL
);

-- Grain state. A row is one grain's one named state; its identity is the grain key (n0, n1, extension),
-- the state name and the service. The hashes only narrow the index search; every lookup compares the identity.
CREATE TABLE IF NOT EXISTS owf_grain_state (
    service_id      text        NOT NULL,
    grain_id_hash   integer     NOT NULL,
    grain_id_n0     bigint      NOT NULL,
    grain_id_n1     bigint      NOT NULL,
    state_name_hash integer     NOT NULL,
    state_name      text        NOT NULL,
    key_extension   text,
    payload         bytea,
    version         integer     NOT NULL,
    modified_at     timestamptz NOT NULL DEFAULT now()
);

CREATE UNIQUE INDEX IF NOT EXISTS owf_grain_state_identity ON owf_grain_state
    (grain_id_hash, state_name_hash, service_id, state_name, grain_id_n0, grain_id_n1, key_extension) NULLS NOT DISTINCT;

-- First write (no version yet) inserts, and loses quietly to a concurrent first write; later writes succeed
-- only against the version the grain read. Either way the caller gets the new version, or NULL on a conflict.
CREATE OR REPLACE FUNCTION owf_write_grain_state(
    p_service_id text, p_grain_id_hash integer, p_n0 bigint, p_n1 bigint,
    p_state_name_hash integer, p_state_name text, p_key_extension text,
    p_expected_version integer, p_payload bytea)
RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
    written integer;
BEGIN
    IF p_expected_version IS NULL THEN
        INSERT INTO owf_grain_state (service_id, grain_id_hash, grain_id_n0, grain_id_n1,
                                     state_name_hash, state_name, key_extension, payload, version)
        VALUES (p_service_id, p_grain_id_hash, p_n0, p_n1, p_state_name_hash, p_state_name, p_key_extension, p_payload, 1)
        ON CONFLICT DO NOTHING
        RETURNING version INTO written;
    ELSE
        UPDATE owf_grain_state
           SET payload = p_payload, version = version + 1, modified_at = now()
         WHERE grain_id_hash = p_grain_id_hash AND state_name_hash = p_state_name_hash
           AND service_id = p_service_id AND state_name = p_state_name
           AND grain_id_n0 = p_n0 AND grain_id_n1 = p_n1
           AND key_extension IS NOT DISTINCT FROM p_key_extension
           AND version = p_expected_version
        RETURNING version INTO written;
    END IF;
    RETURN written;
END;
$$;

-- Reminders: one row per grain and reminder name; grain_hash places it on the ring for range reads.
CREATE TABLE IF NOT EXISTS owf_reminders (
    service_id    text        NOT NULL,
    grain_id      text        NOT NULL,
    reminder_name text        NOT NULL,
    start_time    timestamptz NOT NULL,
    period        bigint      NOT NULL,
    grain_hash    integer     NOT NULL,
    version       integer     NOT NULL,
    PRIMARY KEY (service_id, grain_id, reminder_name)
);

CREATE INDEX IF NOT EXISTS owf_reminders_ring ON owf_reminders (service_id, grain_hash);

-- The query texts. Parameters are bound by name (@Name); the column aliases are the names the providers read.
INSERT INTO orleansquery (querykey, querytext) VALUES
('ReadFromStorageKey', $q$
SELECT payload AS PayloadBinary, version AS Version
  FROM owf_grain_state
 WHERE grain_id_hash = @GrainIdHash AND state_name_hash = @GrainTypeHash
   AND service_id = @ServiceId AND state_name = @GrainTypeString
   AND grain_id_n0 = @GrainIdN0 AND grain_id_n1 = @GrainIdN1
   AND key_extension IS NOT DISTINCT FROM @GrainIdExtensionString
$q$),
('WriteToStorageKey', $q$
SELECT owf_write_grain_state(@ServiceId, @GrainIdHash, @GrainIdN0, @GrainIdN1, @GrainTypeHash, @GrainTypeString,
                             @GrainIdExtensionString, @GrainStateVersion, @PayloadBinary) AS NewGrainStateVersion
$q$),
('ClearStorageKey', $q$
UPDATE owf_grain_state
   SET payload = NULL, version = version + 1, modified_at = now()
 WHERE grain_id_hash = @GrainIdHash AND state_name_hash = @GrainTypeHash
   AND service_id = @ServiceId AND state_name = @GrainTypeString
   AND grain_id_n0 = @GrainIdN0 AND grain_id_n1 = @GrainIdN1
   AND key_extension IS NOT DISTINCT FROM @GrainIdExtensionString
   AND version = @GrainStateVersion
RETURNING version
$q$),
('DeleteStorageKey', $q$
DELETE FROM owf_grain_state
 WHERE grain_id_hash = @GrainIdHash AND state_name_hash = @GrainTypeHash
   AND service_id = @ServiceId AND state_name = @GrainTypeString
   AND grain_id_n0 = @GrainIdN0 AND grain_id_n1 = @GrainIdN1
   AND key_extension IS NOT DISTINCT FROM @GrainIdExtensionString
   AND version = @GrainStateVersion
RETURNING version + 1
$q$),
('ReadReminderRowsKey', $q$
SELECT grain_id AS GrainId, reminder_name AS ReminderName, start_time AS StartTime, period AS Period, version AS Version
  FROM owf_reminders
 WHERE service_id = @ServiceId AND grain_id = @GrainId
$q$),
('ReadReminderRowKey', $q$
SELECT grain_id AS GrainId, reminder_name AS ReminderName, start_time AS StartTime, period AS Period, version AS Version
  FROM owf_reminders
 WHERE service_id = @ServiceId AND grain_id = @GrainId AND reminder_name = @ReminderName
$q$),
('ReadRangeRows1Key', $q$
SELECT grain_id AS GrainId, reminder_name AS ReminderName, start_time AS StartTime, period AS Period, version AS Version
  FROM owf_reminders
 WHERE service_id = @ServiceId AND grain_hash > @BeginHash AND grain_hash <= @EndHash
$q$),
('ReadRangeRows2Key', $q$
SELECT grain_id AS GrainId, reminder_name AS ReminderName, start_time AS StartTime, period AS Period, version AS Version
  FROM owf_reminders
 WHERE service_id = @ServiceId AND (grain_hash > @BeginHash OR grain_hash <= @EndHash)
$q$),
('UpsertReminderRowKey', $q$
INSERT INTO owf_reminders (service_id, grain_id, reminder_name, start_time, period, grain_hash, version)
VALUES (@ServiceId, @GrainId, @ReminderName, @StartTime, @Period, @GrainHash, 1)
ON CONFLICT (service_id, grain_id, reminder_name) DO UPDATE
   SET start_time = EXCLUDED.start_time, period = EXCLUDED.period, grain_hash = EXCLUDED.grain_hash,
       version = owf_reminders.version + 1
RETURNING version AS Version
$q$),
('DeleteReminderRowKey', $q$
WITH deleted AS (
    DELETE FROM owf_reminders
     WHERE service_id = @ServiceId AND grain_id = @GrainId AND reminder_name = @ReminderName AND version = @Version
    RETURNING 1)
SELECT count(*) > 0 FROM deleted
$q$),
('DeleteReminderRowsKey', $q$
DELETE FROM owf_reminders WHERE service_id = @ServiceId
$q$)
ON CONFLICT (querykey) DO UPDATE SET querytext = EXCLUDED.querytext;
