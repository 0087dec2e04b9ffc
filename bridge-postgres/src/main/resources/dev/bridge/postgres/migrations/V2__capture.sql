-- Bridge schema, version 2: the frame encoder and the capture triggers' functions.
-- Later versions replace these functions with CREATE OR REPLACE in a migration of their own.

-- The user tables whose changes are captured, as named to `capture add`.
CREATE TABLE ${schema}.bridge_captured_tables (
    table_name text        PRIMARY KEY,
    bucket     text        NOT NULL,
    added_at   timestamptz NOT NULL DEFAULT now()
);

-- The frames of one message, exactly as docs/protocol.md §2.3 specifies (tested against the golden
-- vectors). The database encoding must be UTF8, so text and its UTF-8 bytes are the same thing.
CREATE OR REPLACE FUNCTION ${schema}.bridge_frames(msg_id text, message text, max_bytes integer DEFAULT 7999)
RETURNS SETOF text
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
AS $fn$
DECLARE
    bytes  bytea   := convert_to(message, 'UTF8');
    n      integer := octet_length(bytes);
    header text;
    pos    integer := 0;
    idx    integer := 0;
    cut    integer;
BEGIN
    IF max_bytes < 64 OR max_bytes > 7999 THEN
        RAISE EXCEPTION 'bridge: max_bytes must be between 64 and 7999, got %', max_bytes;
    END IF;
    IF msg_id !~ '^[0-9A-Za-z]{1,32}$' THEN
        RAISE EXCEPTION 'bridge: message id must be 1 to 32 ASCII letters and digits';
    END IF;
    IF octet_length('B1=' || msg_id || ':') + n <= max_bytes THEN
        RETURN NEXT 'B1=' || msg_id || ':' || message;
        RETURN;
    END IF;
    header := 'B1<' || msg_id || ':' || n || ':';
    LOOP
        IF idx > 0 THEN
            header := 'B1+' || msg_id || ':' || idx || ':';
            IF n - pos <= max_bytes - octet_length(header) THEN
                RETURN NEXT 'B1>' || msg_id || ':' || idx || ':'
                    || convert_from(substring(bytes FROM pos + 1), 'UTF8');
                RETURN;
            END IF;
        END IF;
        cut := pos + max_bytes - octet_length(header);
        -- get_byte counts from 0; step back while the cut falls on a continuation byte (10xxxxxx).
        WHILE (get_byte(bytes, cut) & 192) = 128 LOOP
            cut := cut - 1;
        END LOOP;
        RETURN NEXT header || convert_from(substring(bytes FROM pos + 1 FOR cut - pos), 'UTF8');
        pos := cut;
        idx := idx + 1;
    END LOOP;
END
$fn$;

-- A change's JSON (docs/protocol.md §1), compact, members in the documented order.
CREATE OR REPLACE FUNCTION ${schema}.bridge_change_json(
    op text, bucket text, id text, version bigint, ts timestamptz, seq bigint, val jsonb, old jsonb)
RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE
AS $fn$
    SELECT '{"op":' || to_json(op)::text
        || ',"bucket":' || to_json(bucket)::text
        || ',"id":' || to_json(id)::text
        || ',"version":' || version
        || ',"ts":"' || to_char(ts AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') || '"'
        || ',"seq":' || seq
        || ',"val":' || coalesce(val::text, 'null')
        || ',"old":' || coalesce(old::text, 'null')
        || '}'
$fn$;

-- Sends one change on a channel as frames; its message id is its seq in hexadecimal.
CREATE OR REPLACE FUNCTION ${schema}.bridge_send(channel text, max_bytes integer, seq bigint, change text)
RETURNS void
LANGUAGE plpgsql
AS $fn$
DECLARE
    frame text;
BEGIN
    FOR frame IN SELECT f FROM ${schema}.bridge_frames(to_hex(seq), change, max_bytes) AS f LOOP
        PERFORM pg_notify(channel, frame);
    END LOOP;
END
$fn$;

-- Trigger on bridge_snaps. Arguments: channel, max frame bytes.
CREATE OR REPLACE FUNCTION ${schema}.bridge_capture_snaps()
RETURNS trigger
LANGUAGE plpgsql
AS $fn$
DECLARE
    seq bigint := nextval('${schema}.bridge_change_seq');
BEGIN
    IF TG_OP = 'DELETE' THEN
        PERFORM ${schema}.bridge_send(TG_ARGV[0], TG_ARGV[1]::integer, seq,
            ${schema}.bridge_change_json(TG_OP, OLD.bucket, OLD.id, OLD.version, now(), seq, NULL, OLD.val));
        RETURN OLD;
    END IF;
    PERFORM ${schema}.bridge_send(TG_ARGV[0], TG_ARGV[1]::integer, seq,
        ${schema}.bridge_change_json(TG_OP, NEW.bucket, NEW.id, NEW.version, NEW.ts, seq,
            NEW.val, CASE WHEN TG_OP = 'UPDATE' THEN OLD.val END));
    RETURN NEW;
END
$fn$;

-- Trigger on a user table. Arguments: channel, max frame bytes, bucket, then the primary key's
-- columns. The id is the key's value as text, or a JSON array of the values for a composite key.
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
    IF TG_NARGS = 4 THEN
        id := rec ->> TG_ARGV[3];
    ELSE
        FOR i IN 3 .. TG_NARGS - 1 LOOP
            keys := keys || jsonb_build_array(rec -> TG_ARGV[i]);
        END LOOP;
        id := keys::text;
    END IF;
    PERFORM ${schema}.bridge_send(TG_ARGV[0], TG_ARGV[1]::integer, seq,
        ${schema}.bridge_change_json(TG_OP, TG_ARGV[2], id, 0, now(), seq,
            CASE WHEN TG_OP = 'DELETE' THEN NULL ELSE to_jsonb(NEW) END,
            CASE WHEN TG_OP = 'INSERT' THEN NULL ELSE to_jsonb(OLD) END));
    RETURN NULL;
END
$fn$;
