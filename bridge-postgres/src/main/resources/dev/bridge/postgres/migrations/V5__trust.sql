-- Bridge schema, version 5: the trust model (docs/security.md). Capture runs with the rights of the
-- schema's owner, not the writer's, so writers need no privilege on this schema; nothing in it is
-- granted to PUBLIC, so only the capture triggers (and the owner) can add to the change log. Frames
-- sent in at-most-once mode are signed (protocol version 2) with a key only Bridge's roles can read.
-- Trigger arguments are unchanged: no captured table is touched by this upgrade.

-- The key that signs frames: 32 random bytes, and HMAC's inner and outer padded keys (the key,
-- zero-padded to 64 bytes, XOR 0x36 and XOR 0x5c), so that signing needs nothing but sha256().
CREATE TABLE ${schema}.bridge_frame_keys (
    id         smallint    PRIMARY KEY CHECK (id = 1),
    key        bytea       NOT NULL CHECK (octet_length(key) BETWEEN 16 AND 64),
    ipad       bytea       NOT NULL CHECK (octet_length(ipad) = 64),
    opad       bytea       NOT NULL CHECK (octet_length(opad) = 64),
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE FUNCTION ${schema}.bridge_hmac_pads(key bytea, OUT ipad bytea, OUT opad bytea)
LANGUAGE plpgsql IMMUTABLE STRICT
AS $fn$
DECLARE
    i integer;
BEGIN
    IF octet_length(key) > 64 THEN
        RAISE EXCEPTION 'bridge: an HMAC-SHA256 key is at most 64 bytes, got %', octet_length(key);
    END IF;
    ipad := key || decode(repeat('00', 64 - octet_length(key)), 'hex');
    opad := ipad;
    FOR i IN 0 .. 63 LOOP
        ipad := set_byte(ipad, i, get_byte(ipad, i) # 54);
        opad := set_byte(opad, i, get_byte(opad, i) # 92);
    END LOOP;
END
$fn$;

-- gen_random_uuid() draws from the server's strong random source: 244 random bits, hashed to 32 bytes.
INSERT INTO ${schema}.bridge_frame_keys (id, key, ipad, opad)
SELECT 1, k.key, (k.pads).ipad, (k.pads).opad
FROM (SELECT r.key, ${schema}.bridge_hmac_pads(r.key) AS pads
      FROM (SELECT sha256(uuid_send(gen_random_uuid()) || uuid_send(gen_random_uuid())) AS key) r) k;

-- One signed frame: the header up to its tag, the tag (the first 16 bytes of HMAC-SHA256 of the
-- header and the body, in hexadecimal), a colon, the body.
CREATE FUNCTION ${schema}.bridge_signed_frame(ipad bytea, opad bytea, header text, body bytea)
RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $fn$
    SELECT header || substr(encode(sha256(opad || sha256(ipad || convert_to(header, 'UTF8') || body)), 'hex'), 1, 32)
        || ':' || convert_from(body, 'UTF8')
$fn$;

-- The signed frames of one message, exactly as docs/protocol.md §2.3 specifies for version 2
-- (tested against the golden vectors).
CREATE FUNCTION ${schema}.bridge_signed_frames(ipad bytea, opad bytea, msg_id text, message text, max_bytes integer DEFAULT 7999)
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
    IF max_bytes < 128 OR max_bytes > 7999 THEN
        RAISE EXCEPTION 'bridge: max_bytes of signed frames must be between 128 and 7999, got %', max_bytes;
    END IF;
    IF msg_id !~ '^[0-9A-Za-z]{1,32}$' THEN
        RAISE EXCEPTION 'bridge: message id must be 1 to 32 ASCII letters and digits';
    END IF;
    -- Each header is followed by its 32-character tag and a colon: 33 bytes.
    IF octet_length('B2=' || msg_id || ':') + 33 + n <= max_bytes THEN
        RETURN NEXT ${schema}.bridge_signed_frame(ipad, opad, 'B2=' || msg_id || ':', bytes);
        RETURN;
    END IF;
    header := 'B2<' || msg_id || ':' || n || ':';
    LOOP
        IF idx > 0 THEN
            header := 'B2+' || msg_id || ':' || idx || ':';
            IF n - pos <= max_bytes - octet_length(header) - 33 THEN
                RETURN NEXT ${schema}.bridge_signed_frame(ipad, opad, 'B2>' || msg_id || ':' || idx || ':',
                    substring(bytes FROM pos + 1));
                RETURN;
            END IF;
        END IF;
        cut := pos + max_bytes - octet_length(header) - 33;
        WHILE (get_byte(bytes, cut) & 192) = 128 LOOP
            cut := cut - 1;
        END LOOP;
        RETURN NEXT ${schema}.bridge_signed_frame(ipad, opad, header, substring(bytes FROM pos + 1 FOR cut - pos));
        pos := cut;
        idx := idx + 1;
    END LOOP;
END
$fn$;

-- Logs and prompts (at-least-once) or sends the change as signed frames (at-most-once). A signed
-- message is the writer's transaction id, a colon and the change, so that the listener can tell a
-- replay of an old message from a new one. Called only by the capture functions, as their owner.
CREATE OR REPLACE FUNCTION ${schema}.bridge_publish(
    channel text, max_bytes integer, mode text, inline_bytes integer, seq bigint, change text)
RETURNS void
LANGUAGE plpgsql
AS $fn$
DECLARE
    frame  text;
    wanted boolean;
    k      record;
BEGIN
    IF mode = 'at-least-once' THEN
        INSERT INTO ${schema}.bridge_changes (seq, change) VALUES (seq, change);
        -- One prompt per transaction is all PostgreSQL delivers: later rows skip the lookup once it is sent.
        IF current_setting('bridge.prompted', true) IS DISTINCT FROM channel THEN
            SELECT bool_or(l.prompts) INTO wanted FROM ${schema}.bridge_listeners l WHERE l.channel_name = channel;
            IF wanted IS NOT FALSE THEN
                PERFORM pg_notify(channel, '');
                PERFORM set_config('bridge.prompted', channel, true);
            END IF;
        END IF;
        RETURN;
    ELSIF mode <> 'at-most-once' THEN
        RAISE EXCEPTION 'bridge: unknown delivery mode %', mode;
    END IF;
    SELECT f.ipad, f.opad INTO k FROM ${schema}.bridge_frame_keys f WHERE f.id = 1;
    IF NOT FOUND OR k.ipad IS NULL OR k.opad IS NULL THEN
        -- Sending nothing would lose the change without a word.
        RAISE EXCEPTION 'bridge: schema ${schema} has no frame key, so the change cannot be sent signed'
            USING ERRCODE = '55000', HINT = 'run bridge schema install as the owner of the Bridge schema';
    END IF;
    -- Frames below 128 bytes leave no room for a tag; a trigger installed with a smaller size sends 128.
    FOR frame IN SELECT f FROM ${schema}.bridge_signed_frames(k.ipad, k.opad, to_hex(seq),
            pg_current_xact_id()::text || ':' || change, greatest(max_bytes, 128)) AS f LOOP
        PERFORM pg_notify(channel, frame);
    END LOOP;
END
$fn$;

-- Changes pruned after the maximum retention although a consumer had not read them, by consumer:
-- how many in all, and when the last of them was made.
ALTER TABLE ${schema}.bridge_consumers ADD COLUMN lost bigint NOT NULL DEFAULT 0;
ALTER TABLE ${schema}.bridge_consumers ADD COLUMN lost_until timestamptz;

-- An event-store write may not take the bucket of a captured table: it would pass for that table's change.
CREATE INDEX bridge_captured_tables_bucket ON ${schema}.bridge_captured_tables (bucket);

-- Trigger on bridge_snaps. Arguments: channel, max frame bytes, mode, a slot no longer read.
CREATE OR REPLACE FUNCTION ${schema}.bridge_capture_snaps()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    seq    bigint;
    target text := CASE WHEN TG_OP = 'DELETE' THEN OLD.bucket ELSE NEW.bucket END;
BEGIN
    IF EXISTS (SELECT 1 FROM ${schema}.bridge_captured_tables t WHERE t.bucket = target) THEN
        RAISE EXCEPTION 'bridge: the event store cannot write bucket %: it is the bucket of a captured table', target
            USING ERRCODE = '42501';
    END IF;
    seq := nextval('${schema}.bridge_change_seq');
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

-- A row's id: its key column's value as text, or a JSON array of the values of a composite key.
-- args are the trigger's arguments, the key's columns from the sixth on.
CREATE FUNCTION ${schema}.bridge_row_id(rec jsonb, args text[], nargs integer)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $fn$
    SELECT CASE WHEN nargs = 6 THEN rec ->> args[5]
        ELSE (SELECT jsonb_agg(rec -> args[i] ORDER BY i) FROM generate_series(5, nargs - 1) AS i)::text END
$fn$;

-- Refuses to turn a row of the table into JSON when a type among its columns' (through arrays,
-- domains and composites) has a cast to json or jsonb through a function that neither a superuser
-- nor the schema's owner owns: to_jsonb would run that function with the owner's rights. Only types
-- made after initdb can have such a cast (a cast needs its type's ownership), so only they are
-- followed, one catalog lookup each.
-- Called only by the capture function, whose search_path it keeps.
CREATE FUNCTION ${schema}.bridge_refuse_unsafe_casts(relation oid)
RETURNS void
LANGUAGE plpgsql
AS $fn$
DECLARE
    owner  oid := (SELECT n.nspowner FROM pg_catalog.pg_namespace n WHERE n.oid = '${schema}'::pg_catalog.regnamespace);
    todo   oid[];
    seen   oid[] := '{}';
    t      oid;
    y      record;
    hit    record;
BEGIN
    todo := ARRAY(SELECT a.atttypid FROM pg_catalog.pg_attribute a WHERE a.attrelid = relation AND a.attnum > 0
        AND NOT a.attisdropped AND a.atttypid >= 16384);
    WHILE pg_catalog.cardinality(todo) > 0 LOOP
        t := todo[1];
        todo := todo[2:];
        CONTINUE WHEN t < 16384 OR t = ANY (seen);
        seen := seen || t;
        SELECT pg_catalog.format_type(k.castsource, NULL) AS source, k.castfunc::pg_catalog.regprocedure::text AS func,
                pg_catalog.pg_get_userbyid(p.proowner) AS owner INTO hit
            FROM pg_catalog.pg_cast k JOIN pg_catalog.pg_proc p ON p.oid = k.castfunc JOIN pg_catalog.pg_roles o ON o.oid = p.proowner
            WHERE k.castsource = t AND k.casttarget IN ('pg_catalog.json'::pg_catalog.regtype, 'pg_catalog.jsonb'::pg_catalog.regtype)
            AND NOT o.rolsuper AND p.proowner <> owner
            LIMIT 1;
        IF hit IS NOT NULL THEN
            RAISE EXCEPTION 'bridge: will not capture this change of %: its columns'' type % has a cast to json through %, owned by %,'
                ' which the capture would run with the rights of Bridge''s owner', relation::pg_catalog.regclass, hit.source, hit.func,
                hit.owner USING ERRCODE = '42501',
                HINT = 'drop that cast, or stop capturing the table (bridge capture remove); docs/security.md';
        END IF;
        SELECT x.typbasetype, x.typelem, x.typrelid INTO y FROM pg_catalog.pg_type x WHERE x.oid = t;
        IF y.typbasetype <> 0 THEN
            todo := todo || y.typbasetype;
        END IF;
        IF y.typelem <> 0 THEN
            todo := todo || y.typelem;
        END IF;
        IF y.typrelid <> 0 THEN
            todo := todo || ARRAY(SELECT a.atttypid FROM pg_catalog.pg_attribute a WHERE a.attrelid = y.typrelid AND a.attnum > 0
                AND NOT a.attisdropped);
        END IF;
    END LOOP;
END
$fn$;

-- Trigger on a user table, with the owner's rights. Arguments: channel, max frame bytes, mode, a
-- slot no longer read, bucket, then the primary key's columns. An UPDATE that changes the key ends
-- one object and starts another: it is sent as a DELETE of the old id, then an INSERT of the new.
CREATE OR REPLACE FUNCTION ${schema}.bridge_capture_table()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    newrec jsonb;
    oldrec jsonb;
    newid  text;
    oldid  text;
    seq    bigint;
BEGIN
    -- Casts to json through a function, made after initdb, are rare: look closer only when the database has one.
    IF EXISTS (SELECT 1 FROM pg_catalog.pg_cast k WHERE k.casttarget IN ('json'::regtype, 'jsonb'::regtype)
            AND k.castfunc <> 0 AND k.oid >= 16384) THEN
        PERFORM ${schema}.bridge_refuse_unsafe_casts(TG_RELID);
    END IF;
    IF TG_OP <> 'DELETE' THEN
        newrec := to_jsonb(NEW);
    END IF;
    IF TG_OP <> 'INSERT' THEN
        oldrec := to_jsonb(OLD);
    END IF;
    IF newrec IS NOT NULL THEN
        newid := ${schema}.bridge_row_id(newrec, TG_ARGV, TG_NARGS);
    END IF;
    IF oldrec IS NOT NULL THEN
        oldid := ${schema}.bridge_row_id(oldrec, TG_ARGV, TG_NARGS);
    END IF;
    IF TG_OP = 'UPDATE' AND newid IS DISTINCT FROM oldid THEN
        seq := nextval('${schema}.bridge_change_seq');
        PERFORM ${schema}.bridge_publish(TG_ARGV[0], TG_ARGV[1]::integer, TG_ARGV[2], TG_ARGV[3]::integer, seq,
            ${schema}.bridge_change_json('DELETE', TG_ARGV[4], oldid, 0, now(), seq, NULL, oldrec));
        seq := nextval('${schema}.bridge_change_seq');
        PERFORM ${schema}.bridge_publish(TG_ARGV[0], TG_ARGV[1]::integer, TG_ARGV[2], TG_ARGV[3]::integer, seq,
            ${schema}.bridge_change_json('INSERT', TG_ARGV[4], newid, 0, now(), seq, newrec, NULL));
        RETURN NULL;
    END IF;
    seq := nextval('${schema}.bridge_change_seq');
    PERFORM ${schema}.bridge_publish(TG_ARGV[0], TG_ARGV[1]::integer, TG_ARGV[2], TG_ARGV[3]::integer, seq,
        ${schema}.bridge_change_json(TG_OP, TG_ARGV[4], coalesce(newid, oldid), 0, now(), seq, newrec, oldrec));
    RETURN NULL;
END
$fn$;

-- Nothing of Bridge's is anyone's but the owner's until granted (`bridge schema grant`,
-- docs/security.md). Functions are executable by PUBLIC unless revoked: the capture triggers still
-- run, since a trigger's function is not checked for EXECUTE when it fires, only when it is created.
-- Only Bridge's objects are revoked, by name, and the schema itself only when it holds nothing else,
-- so that a schema shared with an application (public, say) keeps what the application granted.
DO $do$
DECLARE
    o record;
BEGIN
    FOR o IN SELECT c.oid::regclass AS name, c.relkind FROM pg_catalog.pg_class c
            WHERE c.relnamespace = '${schema}'::regnamespace AND c.relname LIKE 'bridge\_%' AND c.relkind IN ('r', 'p', 'S') LOOP
        EXECUTE format('REVOKE ALL ON %s %s FROM PUBLIC', CASE WHEN o.relkind = 'S' THEN 'SEQUENCE' ELSE 'TABLE' END, o.name);
    END LOOP;
    FOR o IN SELECT p.oid::regprocedure AS name FROM pg_catalog.pg_proc p
            WHERE p.pronamespace = '${schema}'::regnamespace AND p.proname LIKE 'bridge\_%' LOOP
        EXECUTE format('REVOKE ALL ON FUNCTION %s FROM PUBLIC', o.name);
    END LOOP;
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_class c WHERE c.relnamespace = '${schema}'::regnamespace AND c.relname NOT LIKE 'bridge\_%')
            AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_proc p WHERE p.pronamespace = '${schema}'::regnamespace
                AND p.proname NOT LIKE 'bridge\_%') THEN
        REVOKE ALL ON SCHEMA ${schema} FROM PUBLIC;
    END IF;
END
$do$;
