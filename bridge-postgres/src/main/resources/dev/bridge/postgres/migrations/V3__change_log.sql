-- Bridge schema, version 3: the change log behind at-least-once delivery, consumers and their
-- checkpoints, dead letters; triggers that log each change in the writer's transaction.

-- Every change, written in the same transaction as the change itself. txid is the writer's
-- transaction: a consumer's checkpoint is a snapshot, and a change is past it once its txid is
-- visible in it (docs/postgres.md, "Catch-up").
CREATE TABLE ${schema}.bridge_changes (
    seq        bigint      PRIMARY KEY,
    txid       xid8        NOT NULL DEFAULT pg_current_xact_id(),
    created_at timestamptz NOT NULL DEFAULT now(),
    change     text        NOT NULL
);
CREATE INDEX bridge_changes_txid ON ${schema}.bridge_changes (txid);

CREATE TABLE ${schema}.bridge_consumers (
    name       text        PRIMARY KEY,
    checkpoint text        NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE ${schema}.bridge_dead_letters (
    id        bigserial   PRIMARY KEY,
    sink      text        NOT NULL,
    seq       bigint      NOT NULL,
    change    text        NOT NULL,
    reason    text        NOT NULL,
    attempts  integer     NOT NULL,
    failed_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX bridge_dead_letters_sink ON ${schema}.bridge_dead_letters (sink, id);

-- Logs (in at-least-once mode) and announces one change. A change larger than inline_bytes is
-- announced by a small reference message ({"ref":seq}); the listener reads it from the log.
CREATE OR REPLACE FUNCTION ${schema}.bridge_publish(
    channel text, max_bytes integer, mode text, inline_bytes integer, seq bigint, change text)
RETURNS void
LANGUAGE plpgsql
AS $fn$
DECLARE
    frame   text;
    message text := change;
BEGIN
    IF mode = 'at-least-once' THEN
        INSERT INTO ${schema}.bridge_changes (seq, change) VALUES (seq, change);
        IF octet_length(change) > inline_bytes THEN
            message := '{"ref":' || seq || '}';
        END IF;
    ELSIF mode <> 'at-most-once' THEN
        RAISE EXCEPTION 'bridge: unknown delivery mode %', mode;
    END IF;
    FOR frame IN SELECT f FROM ${schema}.bridge_frames(to_hex(seq), message, max_bytes) AS f LOOP
        PERFORM pg_notify(channel, frame);
    END LOOP;
END
$fn$;

-- Trigger on bridge_snaps. Arguments: channel, max frame bytes, mode, inline bytes.
CREATE OR REPLACE FUNCTION ${schema}.bridge_capture_snaps()
RETURNS trigger
LANGUAGE plpgsql
AS $fn$
DECLARE
    seq bigint := nextval('${schema}.bridge_change_seq');
BEGIN
    IF TG_OP = 'DELETE' THEN
        PERFORM ${schema}.bridge_publish(TG_ARGV[0], TG_ARGV[1]::integer, TG_ARGV[2], TG_ARGV[3]::integer, seq,
            ${schema}.bridge_change_json(TG_OP, OLD.bucket, OLD.id, OLD.version, now(), seq, NULL, OLD.val));
        RETURN OLD;
    END IF;
    PERFORM ${schema}.bridge_publish(TG_ARGV[0], TG_ARGV[1]::integer, TG_ARGV[2], TG_ARGV[3]::integer, seq,
        ${schema}.bridge_change_json(TG_OP, NEW.bucket, NEW.id, NEW.version, NEW.ts, seq,
            NEW.val, CASE WHEN TG_OP = 'UPDATE' THEN OLD.val END));
    RETURN NEW;
END
$fn$;

-- Trigger on a user table. Arguments: channel, max frame bytes, mode, inline bytes, bucket, then
-- the primary key's columns.
CREATE OR REPLACE FUNCTION ${schema}.bridge_capture_table()
RETURNS trigger
LANGUAGE plpgsql
AS $fn$
DECLARE
    seq  bigint := nextval('${schema}.bridge_change_seq');
    rec  jsonb  := CASE WHEN TG_OP = 'DELETE' THEN to_jsonb(OLD) ELSE to_jsonb(NEW) END;
    id   text;
    keys jsonb  := '[]'::jsonb;
    i    integer;
BEGIN
    IF TG_NARGS = 6 THEN
        id := rec ->> TG_ARGV[5];
    ELSE
        FOR i IN 5 .. TG_NARGS - 1 LOOP
            keys := keys || jsonb_build_array(rec -> TG_ARGV[i]);
        END LOOP;
        id := keys::text;
    END IF;
    PERFORM ${schema}.bridge_publish(TG_ARGV[0], TG_ARGV[1]::integer, TG_ARGV[2], TG_ARGV[3]::integer, seq,
        ${schema}.bridge_change_json(TG_OP, TG_ARGV[4], id, 0, now(), seq,
            CASE WHEN TG_OP = 'DELETE' THEN NULL ELSE to_jsonb(NEW) END,
            CASE WHEN TG_OP = 'INSERT' THEN NULL ELSE to_jsonb(OLD) END));
    RETURN NULL;
END
$fn$;

DROP FUNCTION ${schema}.bridge_send(text, integer, bigint, text);
