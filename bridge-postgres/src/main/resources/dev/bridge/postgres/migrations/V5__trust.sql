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
    IF NOT FOUND THEN
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

-- A row as JSON without running any code of another role's. to_jsonb would use a type's cast to
-- json, whose function the type's owner writes, and run it with the capture function's rights; it
-- also finds a cast created while the row is converted. So only values of built-in types (and
-- arrays and rows of them, which can have no such cast) go through to_jsonb: a domain over a
-- built-in type as that type, any other type made after initdb (an enum, a composite, a range, an
-- extension's type) as its text, which its output function — C, a superuser's — makes.
-- Called only by the capture function, whose search_path it keeps.
CREATE TABLE ${schema}.bridge_row_sql (
    relation oid PRIMARY KEY,
    columns  text NOT NULL,
    query    text NOT NULL
);

CREATE FUNCTION ${schema}.bridge_row_json(rec anyelement, relation oid)
RETURNS jsonb
LANGUAGE plpgsql
AS $fn$
DECLARE
    shape  text;
    sql    text;
    pairs  text[] := '{}';
    parts  text[] := '{}';
    col    record;
    base   oid;
    kind   "char";
    result jsonb;
BEGIN
    -- The query for a table's rows is made once for each shape of the table (its columns' names and types).
    shape := (SELECT pg_catalog.string_agg(a.attname || ' ' || a.atttypid, ',' ORDER BY a.attnum) FROM pg_catalog.pg_attribute a
        WHERE a.attrelid = relation AND a.attnum > 0 AND NOT a.attisdropped);
    SELECT q.query INTO sql FROM ${schema}.bridge_row_sql q WHERE q.relation = bridge_row_json.relation AND q.columns = shape;
    IF sql IS NULL THEN
        FOR col IN SELECT a.attname, a.atttypid, t.typtype FROM pg_catalog.pg_attribute a
                JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
                WHERE a.attrelid = relation AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum LOOP
            base := col.atttypid;
            kind := col.typtype;
            WHILE kind = 'd' LOOP
                SELECT y.typbasetype INTO base FROM pg_catalog.pg_type y WHERE y.oid = base;
                SELECT y.typtype INTO kind FROM pg_catalog.pg_type y WHERE y.oid = base;
            END LOOP;
            pairs := pairs || (pg_catalog.quote_literal(col.attname) || ', ' || CASE
                WHEN col.atttypid < 16384 THEN pg_catalog.format('pg_catalog.to_jsonb(r.%I)', col.attname)
                WHEN base < 16384 THEN pg_catalog.format('pg_catalog.to_jsonb(r.%I::%s)', col.attname, base::pg_catalog.regtype)
                ELSE pg_catalog.format('CASE WHEN pg_catalog.num_nulls(r.%I) = 0 THEN pg_catalog.to_jsonb(pg_catalog.format(''%%s'', r.%I))'
                    ' END', col.attname, col.attname) END);
            IF pg_catalog.cardinality(pairs) = 50 THEN
                parts := parts || ('pg_catalog.jsonb_build_object(' || pg_catalog.array_to_string(pairs, ', ') || ')');
                pairs := '{}';
            END IF;
        END LOOP;
        IF pg_catalog.cardinality(pairs) > 0 OR pg_catalog.cardinality(parts) = 0 THEN
            parts := parts || ('pg_catalog.jsonb_build_object(' || pg_catalog.array_to_string(pairs, ', ') || ')');
        END IF;
        sql := 'SELECT ' || pg_catalog.array_to_string(parts, ' OPERATOR(pg_catalog.||) ') || ' FROM (SELECT ($1).*) AS r';
        INSERT INTO ${schema}.bridge_row_sql (relation, columns, query) VALUES (relation, shape, sql)
            ON CONFLICT ON CONSTRAINT bridge_row_sql_pkey DO UPDATE SET columns = EXCLUDED.columns, query = EXCLUDED.query;
    END IF;
    EXECUTE sql INTO result USING rec;
    RETURN result;
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
    careful boolean;
    newrec jsonb;
    oldrec jsonb;
    newid  text;
    oldid  text;
    seq    bigint;
BEGIN
    -- A table of built-in types only (its columns cannot change while this write holds its lock) takes to_jsonb as it is.
    careful := EXISTS (SELECT 1 FROM pg_catalog.pg_attribute a WHERE a.attrelid = TG_RELID AND a.attnum > 0
        AND NOT a.attisdropped AND a.atttypid >= 16384);
    IF TG_OP <> 'DELETE' THEN
        newrec := CASE WHEN careful THEN ${schema}.bridge_row_json(NEW, TG_RELID) ELSE to_jsonb(NEW) END;
    END IF;
    IF TG_OP <> 'INSERT' THEN
        oldrec := CASE WHEN careful THEN ${schema}.bridge_row_json(OLD, TG_RELID) ELSE to_jsonb(OLD) END;
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
