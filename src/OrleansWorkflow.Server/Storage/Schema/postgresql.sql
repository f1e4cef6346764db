-- OrleansWorkflow's PostgreSQL schema for the Orleans ADO.NET grain storage, reminder and clustering providers.
-- Written for this project from the providers' documented behaviour (docs/ARCHITECTURE.md, "Storage").
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

-- Cluster membership: one version row per cluster (the only concurrency token) and one row per silo incarnation.
CREATE TABLE IF NOT EXISTS owf_membership_version (
    deployment_id text        PRIMARY KEY,
    version       integer     NOT NULL DEFAULT 0,
    created_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS owf_membership (
    deployment_id   text        NOT NULL REFERENCES owf_membership_version (deployment_id) ON DELETE CASCADE,
    address         text        NOT NULL,
    port            integer     NOT NULL,
    generation      integer     NOT NULL,
    silo_name       text        NOT NULL,
    host_name       text        NOT NULL,
    status          integer     NOT NULL,
    proxy_port      integer     NOT NULL DEFAULT 0,
    suspect_times   text,
    start_time      timestamptz NOT NULL,
    i_am_alive_time timestamptz NOT NULL,
    PRIMARY KEY (deployment_id, address, port, generation)
);

-- Adds a silo and bumps the cluster's version, both or neither: false when the version moved or the silo exists.
CREATE OR REPLACE FUNCTION owf_insert_member(
    p_deployment_id text, p_address text, p_port integer, p_generation integer, p_silo_name text, p_host_name text,
    p_status integer, p_proxy_port integer, p_start_time timestamptz, p_i_am_alive_time timestamptz, p_version integer)
RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
    UPDATE owf_membership_version SET version = version + 1
     WHERE deployment_id = p_deployment_id AND version = p_version;
    IF NOT FOUND THEN
        RETURN false;
    END IF;
    INSERT INTO owf_membership (deployment_id, address, port, generation, silo_name, host_name, status, proxy_port,
                                start_time, i_am_alive_time)
    VALUES (p_deployment_id, p_address, p_port, p_generation, p_silo_name, p_host_name, p_status, p_proxy_port,
            p_start_time, p_i_am_alive_time);
    RETURN true;
EXCEPTION WHEN unique_violation THEN
    RETURN false; -- the block's implicit savepoint undoes the version bump
END;
$$;

-- Changes a silo's status and suspicions and bumps the cluster's version, both or neither.
CREATE OR REPLACE FUNCTION owf_update_member(
    p_deployment_id text, p_address text, p_port integer, p_generation integer, p_status integer,
    p_suspect_times text, p_i_am_alive_time timestamptz, p_version integer)
RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
    UPDATE owf_membership_version SET version = version + 1
     WHERE deployment_id = p_deployment_id AND version = p_version;
    IF NOT FOUND THEN
        RETURN false;
    END IF;
    UPDATE owf_membership
       SET status = p_status, suspect_times = p_suspect_times, i_am_alive_time = p_i_am_alive_time
     WHERE deployment_id = p_deployment_id AND address = p_address AND port = p_port AND generation = p_generation;
    IF NOT FOUND THEN
        RAISE EXCEPTION USING ERRCODE = 'no_data_found';
    END IF;
    RETURN true;
EXCEPTION WHEN no_data_found THEN
    RETURN false; -- no such silo: the version bump is undone with the block
END;
$$;

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
$q$),
('MembershipReadAllKey', $q$
SELECT v.version AS Version, m.address AS Address, m.port AS Port, m.generation AS Generation, m.silo_name AS SiloName,
       m.host_name AS HostName, m.status AS Status, m.proxy_port AS ProxyPort, m.suspect_times AS SuspectTimes,
       m.start_time AS StartTime, m.i_am_alive_time AS IAmAliveTime
  FROM owf_membership_version v
  LEFT JOIN owf_membership m ON m.deployment_id = v.deployment_id
 WHERE v.deployment_id = @DeploymentId
$q$),
('MembershipReadRowKey', $q$
SELECT v.version AS Version, m.address AS Address, m.port AS Port, m.generation AS Generation, m.silo_name AS SiloName,
       m.host_name AS HostName, m.status AS Status, m.proxy_port AS ProxyPort, m.suspect_times AS SuspectTimes,
       m.start_time AS StartTime, m.i_am_alive_time AS IAmAliveTime
  FROM owf_membership_version v
  LEFT JOIN owf_membership m ON m.deployment_id = v.deployment_id
       AND m.address = @Address AND m.port = @Port AND m.generation = @Generation
 WHERE v.deployment_id = @DeploymentId
$q$),
('InsertMembershipVersionKey', $q$
WITH created AS (
    INSERT INTO owf_membership_version (deployment_id) VALUES (@DeploymentId)
    ON CONFLICT (deployment_id) DO NOTHING
    RETURNING 1)
SELECT count(*) > 0 FROM created
$q$),
('InsertMembershipKey', $q$
SELECT owf_insert_member(@DeploymentId, @Address, @Port, @Generation, @SiloName, @HostName, @Status, @ProxyPort,
                         @StartTime, @IAmAliveTime, @Version)
$q$),
('UpdateMembershipKey', $q$
SELECT owf_update_member(@DeploymentId, @Address, @Port, @Generation, @Status, @SuspectTimes, @IAmAliveTime, @Version)
$q$),
('UpdateIAmAlivetimeKey', $q$
UPDATE owf_membership SET i_am_alive_time = GREATEST(i_am_alive_time, @IAmAliveTime)
 WHERE deployment_id = @DeploymentId AND address = @Address AND port = @Port AND generation = @Generation
$q$),
('GatewaysQueryKey', $q$
SELECT address AS Address, proxy_port AS ProxyPort, generation AS Generation
  FROM owf_membership
 WHERE deployment_id = @DeploymentId AND status = @Status AND proxy_port > 0
$q$),
('DeleteMembershipTableEntriesKey', $q$
DELETE FROM owf_membership WHERE deployment_id = @DeploymentId;
DELETE FROM owf_membership_version WHERE deployment_id = @DeploymentId
$q$),
('CleanupDefunctSiloEntriesKey', $q$
DELETE FROM owf_membership
 WHERE deployment_id = @DeploymentId AND status = 6
   AND i_am_alive_time < @IAmAliveTime AND start_time < @IAmAliveTime
$q$)
ON CONFLICT (querykey) DO UPDATE SET querytext = EXCLUDED.querytext;

-- The incident catalog: one row per incident, kept by its incident grain when its status changes, so incidents can
-- be listed and filtered (status, kind, newest first) without waking every incident grain.
CREATE TABLE IF NOT EXISTS owf_incident (
    service_id    text        NOT NULL,
    incident_id   uuid        NOT NULL,
    name          text        NOT NULL,
    kind          text        NOT NULL,
    incident_date timestamptz NOT NULL,
    status        text        NOT NULL,
    created_at    timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL,
    reason        text,
    PRIMARY KEY (service_id, incident_id)
);

CREATE INDEX IF NOT EXISTS owf_incident_newest ON owf_incident (service_id, created_at DESC);

-- Retention: when the incident's working data (handler and simulation state) was purged; its record stays.
ALTER TABLE owf_incident ADD COLUMN IF NOT EXISTS purged_at timestamptz;
CREATE INDEX IF NOT EXISTS owf_incident_unpurged ON owf_incident (service_id, updated_at)
    WHERE purged_at IS NULL AND status IN ('Completed', 'Cancelled');

-- Append-only journals: what a long incident adds is written once, never rewritten, so a handled message costs the
-- same whether it is the incident's first or its ten-thousandth.
--
-- One row per message a handler handled for an incident: its Persist.Put documents and the effects to carry out
-- (cleared once carried out). seq numbers the handler's messages: a row is written only as the successor of the last
-- one its writer read, so two activations of one handler can never both commit (the second meets the key).
CREATE TABLE IF NOT EXISTS owf_handler_step (
    service_id  text    NOT NULL,
    incident_id uuid    NOT NULL,
    queue       text    NOT NULL,
    seq         integer NOT NULL,
    message_id  text    NOT NULL,
    documents   text[]  NOT NULL,
    outbox      bytea,
    PRIMARY KEY (service_id, incident_id, queue, seq),
    CONSTRAINT owf_handler_step_message UNIQUE (service_id, incident_id, queue, message_id)
);
-- What each handled message changed in its handler's joins (JSON events); added after the table first shipped.
ALTER TABLE owf_handler_step ADD COLUMN IF NOT EXISTS joins text[];

-- A handler that did not read its state (its incident had no record of it) refuses to start a journal over a state
-- row an earlier version wrote: a crash of that version may have lost the incident's record of a step it stored.
CREATE INDEX IF NOT EXISTS owf_grain_state_handler ON owf_grain_state (grain_id_n0, grain_id_n1, key_extension)
    WHERE state_name = 'handler' AND payload IS NOT NULL;

CREATE OR REPLACE FUNCTION owf_refuse_earlier_handler_row(p_service_id text, p_n0 bigint, p_n1 bigint, p_queue text)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM owf_grain_state
                WHERE state_name = 'handler' AND payload IS NOT NULL AND grain_id_n0 = p_n0 AND grain_id_n1 = p_n1
                  AND key_extension = p_queue AND service_id = p_service_id) THEN
        RAISE unique_violation USING MESSAGE = 'the handler has a state row of an earlier version', TABLE = 'owf_grain_state';
    END IF;
END;
$$;

-- One row per ended step of an incident (the edges of its graph), written in the same transaction as its handler's
-- row when it completed, or by the incident grain otherwise; version guards a row that is written again.
CREATE TABLE IF NOT EXISTS owf_incident_step (
    service_id  text        NOT NULL,
    incident_id uuid        NOT NULL,
    step_no     integer     NOT NULL,
    version     integer     NOT NULL,
    queue       text        NOT NULL,
    message_id  text        NOT NULL,
    originator  text,
    started_at  timestamptz NOT NULL,
    ended_at    timestamptz,
    outcome     smallint    NOT NULL,
    sent_to     text[]      NOT NULL,
    error       text,
    PRIMARY KEY (service_id, incident_id, step_no)
);

-- One row per message of an incident that went to a dead-letter queue.
CREATE TABLE IF NOT EXISTS owf_incident_dead_letter (
    service_id  text        NOT NULL,
    incident_id uuid        NOT NULL,
    letter_no   bigint      GENERATED ALWAYS AS IDENTITY,
    queue       text        NOT NULL,
    message_id  text,
    reason      text        NOT NULL,
    at          timestamptz NOT NULL,
    PRIMARY KEY (service_id, incident_id, letter_no)
);

-- Workflow versions: the version of its kind an incident was created with (NULL: created before versions were recorded,
-- which is version 1).
ALTER TABLE owf_incident ADD COLUMN IF NOT EXISTS workflow_version int;

-- Messages of incidents whose workflow version no live silo runs, kept until one does, then published again to the
-- queue they were consumed from (with their MessageID).
CREATE TABLE IF NOT EXISTS owf_held_message (
    service_id       text        NOT NULL,
    queue            text        NOT NULL,
    message_id       text        NOT NULL,
    incident_id      uuid        NOT NULL,
    kind             text        NOT NULL,
    workflow_version int         NOT NULL,
    body             bytea       NOT NULL,
    trace_parent     text,
    held_at          timestamptz NOT NULL,
    PRIMARY KEY (service_id, queue, message_id)
);

-- One writer per step: since steps are named by (incident, queue, MessageID), the handler that ran a message records
-- its step in its own row (when it started and ended, who sent it, where it sent on); the incident's timeline is read
-- from these rows in the order of `recorded` (owf_incident_step keeps the steps earlier versions numbered). Rows an
-- earlier version wrote have no started_at and are read from owf_incident_step instead.
CREATE SEQUENCE IF NOT EXISTS owf_step_order;
ALTER TABLE owf_handler_step ADD COLUMN IF NOT EXISTS originator text;
ALTER TABLE owf_handler_step ADD COLUMN IF NOT EXISTS started_at timestamptz;
ALTER TABLE owf_handler_step ADD COLUMN IF NOT EXISTS ended_at timestamptz;
ALTER TABLE owf_handler_step ADD COLUMN IF NOT EXISTS sent_to text[];
ALTER TABLE owf_handler_step ADD COLUMN IF NOT EXISTS recorded bigint;
ALTER TABLE owf_handler_step ALTER COLUMN recorded SET DEFAULT nextval('owf_step_order');

-- Attempts at a message that did not complete (the handler threw, timed out or waited for a machine; no silo ran the
-- incident's version): appended by the delivery that made them, never updated.
CREATE TABLE IF NOT EXISTS owf_step_attempt (
    service_id  text        NOT NULL,
    incident_id uuid        NOT NULL,
    recorded    bigint      NOT NULL DEFAULT nextval('owf_step_order'),
    queue       text        NOT NULL,
    message_id  text        NOT NULL,
    originator  text,
    started_at  timestamptz NOT NULL,
    ended_at    timestamptz NOT NULL,
    error       text        NOT NULL,
    PRIMARY KEY (service_id, incident_id, recorded)
);

-- A handler's step commits only while its incident is unfinished: the incident's row is locked for the check, so an
-- end being written waits for the steps under way, and a step after it sees the end and fails (SQLSTATE OWF01).
CREATE OR REPLACE FUNCTION owf_incident_open(p_service_id text, p_incident_id uuid)
RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE
    stored text;
BEGIN
    -- Locked whatever its status (a row filtered by status would be passed over while its end is being written).
    SELECT status INTO stored FROM owf_incident WHERE service_id = p_service_id AND incident_id = p_incident_id FOR SHARE;
    IF stored IN ('Completed', 'Cancelled') THEN
        RAISE EXCEPTION 'incident % is already %', p_incident_id, stored USING ERRCODE = 'OWF01';
    END IF;
    RETURN true;
END;
$$;

-- The same refusal as owf_refuse_earlier_handler_row, as a condition of the append itself (one statement, not two).
CREATE OR REPLACE FUNCTION owf_no_earlier_handler_row(p_service_id text, p_n0 bigint, p_n1 bigint, p_queue text)
RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
    PERFORM owf_refuse_earlier_handler_row(p_service_id, p_n0, p_n1, p_queue);
    RETURN true;
END;
$$;

-- Least privilege. owf_owner owns the schema's objects (so a later setup may run as a login in it, not as a
-- superuser); owf_engine may read and write rows and call the functions, nothing else: no DDL, no other database's
-- data. Silos connect as a login that is a member of owf_engine (CREATE ROLE owf LOGIN PASSWORD '...' IN ROLE
-- owf_engine). Roles are shared by every database of the server; two setups creating them at once both succeed.
DO $roles$
BEGIN
    BEGIN
        CREATE ROLE owf_owner NOLOGIN;
    EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
    END;
    BEGIN
        CREATE ROLE owf_engine NOLOGIN;
    EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
    END;
END
$roles$;

DO $privileges$
DECLARE
    object record;
    hand_over boolean := (SELECT rolsuper FROM pg_roles WHERE rolname = current_user); -- a setup run by owf_owner owns them already
BEGIN
    EXECUTE format('GRANT USAGE ON SCHEMA %I TO owf_engine', current_schema());
    FOR object IN SELECT c.relname AS name, c.relkind AS kind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                   WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'S')
                     AND (c.relname LIKE 'owf\_%' OR c.relname = 'orleansquery') LOOP
        -- A table's identity sequences go with it (they cannot be handed over on their own).
        IF hand_over AND object.kind = 'r' THEN
            EXECUTE format('ALTER TABLE %I OWNER TO owf_owner', object.name);
        END IF;
        IF object.kind = 'S' THEN
            EXECUTE format('GRANT USAGE, SELECT ON SEQUENCE %I TO owf_engine', object.name);
        ELSIF object.name = 'orleansquery' THEN
            -- The query texts are the engine's program: it reads them, it never changes them.
            EXECUTE format('GRANT SELECT ON TABLE %I TO owf_engine', object.name);
        ELSE
            EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE %I TO owf_engine', object.name);
        END IF;
    END LOOP;
    FOR object IN SELECT p.oid::regprocedure AS signature FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
                   WHERE n.nspname = current_schema() AND p.proname LIKE 'owf\_%' LOOP
        IF hand_over THEN
            EXECUTE format('ALTER FUNCTION %s OWNER TO owf_owner', object.signature);
        END IF;
        EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO owf_engine', object.signature);
    END LOOP;
END
$privileges$;
