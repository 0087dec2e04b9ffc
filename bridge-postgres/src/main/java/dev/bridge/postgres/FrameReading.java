package dev.bridge.postgres;

import dev.bridge.core.Change;
import dev.bridge.core.ChangeJson;
import dev.bridge.core.MalformedChangeException;
import dev.bridge.core.port.ChangeHandler;
import dev.bridge.core.protocol.FrameKey;
import dev.bridge.core.protocol.Outcome;
import dev.bridge.core.protocol.Payload;
import dev.bridge.core.protocol.Reassembler;
import dev.bridge.core.protocol.ReassemblyStats;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.Arrays;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * At-most-once: changes are reassembled from the signed frames that notifications carry; what is
 * committed while disconnected is not seen.
 */
final class FrameReading implements ListenMode {

    private static final Logger log = LoggerFactory.getLogger(PostgresListener.class);

    private final PostgresOptions options;
    private final ChangeHandler handler;
    private final ListenerCounters counts;
    private final LogThrottle throttle;
    /** Made once the frame key is read, on the first connection. */
    private volatile Reassembler reassembler;
    private byte[] frameKey;
    private final ReplayGuard replays = new ReplayGuard();

    FrameReading(PostgresOptions options, ChangeHandler handler, ListenerCounters counts, LogThrottle throttle) {
        this.options = options;
        this.handler = handler;
        this.counts = counts;
        this.throttle = throttle;
    }


    @Override
    public boolean missesWhileDisconnected() {
        return true;
    }

    @Override
    public void step(Connection c, PGConnection pg, long now, int waitMillis) throws SQLException, InterruptedException {
        PGNotification[] received = pg.getNotifications(waitMillis);
        if (received != null) {
            handleAll(received);
        }
    }

    /** Handles the notifications that came before the check's answer, then lets the replay guard forget what is old by now. */
    @Override
    public void checked(PGConnection pg, String snapshot) throws SQLException, InterruptedException {
        reassembler.expire();
        PGNotification[] received = pg.getNotifications();
        if (received != null) {
            handleAll(received);
        }
        replays.checked(ReplayGuard.Snapshot.parse(snapshot));
    }


    @Override
    public ReassemblyStats reassembly() {
        Reassembler frames = reassembler;
        return frames == null ? ReassemblyStats.none() : frames.stats();
    }

    /**
     * At-most-once, before LISTEN: reads the schema's frame key (a new reassembler if it changed)
     * and the snapshot that tells messages of this session from older ones.
     */
    @Override
    public void prepare(Connection c) throws SQLException {
        byte[] key;
        try (PreparedStatement ps = c.prepareStatement("SELECT key FROM " + options.quotedSchema() + ".bridge_frame_keys WHERE id = 1");
                ResultSet rs = ps.executeQuery()) {
            key = rs.next() ? rs.getBytes(1) : null;
        } catch (SQLException e) {
            throw new SQLException("could not read the frame key of schema " + options.schema() + " (" + e.getMessage()
                    + "); the schema must be at version 5 (`bridge schema install`) and this role needs SELECT on"
                    + " bridge_frame_keys (`bridge schema grant`)", e.getSQLState(), e);
        }
        if (key == null) {
            throw new SQLException("schema " + options.schema() + " has no frame key; run `bridge schema install`", "55000");
        }
        if (frameKey == null || !Arrays.equals(frameKey, key)) {
            if (frameKey != null) {
                log.warn("the frame key of schema {} changed; messages in flight under the old key are dropped", options.schema());
            }
            reassembler = new Reassembler(options.reassembly(), FrameKey.of(key), this::logDrop);
            reassembler.refuseReplays(replays::seen);
            frameKey = key;
        }
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT pg_current_snapshot()::text")) {
            rs.next();
            replays.listening(ReplayGuard.Snapshot.parse(rs.getString(1)));
        }
    }

    private void handleAll(PGNotification[] received) throws InterruptedException {
        for (PGNotification n : received) {
            if (options.channel().equals(n.getName())) {
                counts.notifications++;
                handle(n.getParameter());
            }
        }
    }

    private void handle(String frame) throws InterruptedException {
        Outcome outcome = reassembler.accept(frame);
        if (outcome instanceof Outcome.Complete complete) {
            Change change = decode(complete);
            if (change != null) {
                counts.changes++;
                handler.onChange(change);
            }
        } else if (outcome instanceof Outcome.Rejected rejected) {
            logDrop(rejected);
        }
    }

    /** The change a complete message carries, or null (counted and logged) if it is not one or is a replay. */
    private Change decode(Outcome.Complete complete) {
        try {
            return switch (complete.version()) {
                case Outcome.LEGACY -> ChangeJson.read(complete.payload().asString(), Instant.now());
                case 1 -> ChangeJson.read(complete.payload().asString());
                default -> signed(complete);
            };
        } catch (MalformedChangeException e) {
            counts.malformed++;
            long held = throttle.admit("message:malformed");
            if (held >= 0) {
                log.warn("dropped message {} on channel {}: not a valid change: {}{}", complete.messageId(), options.channel(),
                        e.getMessage(), LogThrottle.held(held, "10 s"));
            }
            return null;
        }
    }

    /** A signed message: {@code txid ":" change}, the change's seq being its message id; null if a replay. */
    private Change signed(Outcome.Complete complete) {
        Payload payload = complete.payload();
        String head = payload.asString(0, Math.min(payload.size(), 21));
        int colon = head.indexOf(':');
        long txid;
        long id;
        try {
            txid = Long.parseUnsignedLong(head, 0, Math.max(colon, 0), 10);
            id = Long.parseUnsignedLong(complete.messageId(), 16);
        } catch (NumberFormatException | IndexOutOfBoundsException e) {
            throw new MalformedChangeException("a signed message starts with its transaction id and a colon, and its id is its seq in hexadecimal");
        }
        Change change = ChangeJson.read(payload.asString(colon + 1, payload.size()));
        if (change.seq() != id) {
            throw new MalformedChangeException("its change has seq " + change.seq() + ", not the message id's " + id);
        }
        String replay = replays.admit(txid, change.seq());
        if (replay != null) {
            counts.replayedMessages++;
            long held = throttle.admit("message:replayed");
            if (held >= 0) {
                log.warn("ignored message {} on channel {}, sent again: {}{}", complete.messageId(), options.channel(), replay,
                        LogThrottle.held(held, "10 s"));
            }
            return null;
        }
        return change;
    }

    private void logDrop(Outcome.Rejected rejected) {
        long held = throttle.admit("frame:" + rejected.reason());
        if (held >= 0) {
            log.warn("rejected a frame on channel {}: {}{} ({}){}", options.channel(), rejected.reason(),
                    rejected.messageId() == null ? "" : " of message " + rejected.messageId(), rejected.detail(),
                    LogThrottle.held(held, "10 s"));
        } else if (log.isDebugEnabled()) {
            log.debug("rejected a frame on channel {}: {} ({})", options.channel(), rejected.reason(), rejected.detail());
        }
    }
}
