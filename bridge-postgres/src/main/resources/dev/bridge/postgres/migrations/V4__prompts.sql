-- At-least-once: the listener reads every change from the log, so NOTIFY only needs to wake it.
-- An empty prompt, folded by PostgreSQL into one per transaction, replaces the frames or the
-- reference each change used to send; and no prompt at all while every listener of the channel
-- reads the log back to back anyway. That spares busy writers the lock every notifying
-- transaction holds through its commit. inline_bytes is no longer read; it stays in the signature
-- so the triggers installed by version 3 keep working until they are reinstalled.

-- The listeners of each channel in at-least-once mode, by backend pid: prompts is false while the
-- listener is busy reading the log. Unlogged: after a crash it is empty, and empty means "prompt".
CREATE UNLOGGED TABLE ${schema}.bridge_listeners (
    pid          integer PRIMARY KEY,
    channel_name text    NOT NULL,
    prompts      boolean NOT NULL
);

CREATE OR REPLACE FUNCTION ${schema}.bridge_publish(
    channel text, max_bytes integer, mode text, inline_bytes integer, seq bigint, change text)
RETURNS void
LANGUAGE plpgsql
AS $fn$
DECLARE
    frame  text;
    wanted boolean;
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
    FOR frame IN SELECT f FROM ${schema}.bridge_frames(to_hex(seq), change, max_bytes) AS f LOOP
        PERFORM pg_notify(channel, frame);
    END LOOP;
END
$fn$;
