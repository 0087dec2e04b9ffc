package dev.bridge.core.protocol;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts messages back together from their frames ({@code docs/protocol.md} §2.4), safely under any
 * input: every frame yields an {@link Outcome}, nothing is thrown for bad frames, and memory stays
 * within the {@link ReassemblerOptions}.
 *
 * <p>Made with a {@link FrameKey}, it reads signed version-2 frames: a frame whose tag does not
 * verify is rejected before it can touch any message in flight, a genuine frame that repeats or
 * comes out of place is ignored without harming its message (as is one of the last 1,024 signed
 * messages completed, should it come again), and unsigned version-1 and legacy
 * frames are read only where the options allow them. Made without a key, it reads version-1
 * frames (and legacy ones where allowed) and rejects version-2 frames, which it cannot verify.
 *
 * <p>Not thread-safe: feed it from one thread (the listener's). {@link #stats()} may be called from
 * any thread.
 *
 * <p>Messages in flight that are dropped because of another frame or of time (interrupted, evicted,
 * expired) are reported to the drop listener given at construction, on the feeding thread.
 */
public final class Reassembler {

    private static final Logger log = LoggerFactory.getLogger(Reassembler.class);
    private static final int MAX_TOMBSTONES = 1_024;
    private static final RejectReason[] REASONS = RejectReason.values();

    private final ReassemblerOptions options;
    private final FrameKey key;
    private final Consumer<Outcome.Rejected> onDrop;
    private Replays replays = Replays.NONE;
    private final LongSupplier nanoClock;
    private final long expireAfterNanos;
    private final FrameHeader header = new FrameHeader();
    /** In start order, so the eldest is first. */
    private final LinkedHashMap<String, Assembly> inFlight = new LinkedHashMap<>();
    /** Ids of recently dropped messages, so their remaining frames count as discarded, not orphans. */
    private final LinkedHashMap<String, Boolean> tombstones = new LinkedHashMap<>(64, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > MAX_TOMBSTONES;
        }
    };
    /** Slots of recently completed signed messages, so a genuine frame of one again counts as replayed. */
    private final LinkedHashMap<String, Boolean> completedSigned = new LinkedHashMap<>(64, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > MAX_TOMBSTONES;
        }
    };
    private long bufferedBytes;
    /** When the eldest message in flight may expire, or earlier; meaningless while none is in flight. */
    private long nextExpiryCheck;

    private final AtomicLongArray rejected = new AtomicLongArray(REASONS.length);
    private volatile long completed;
    private volatile long pending;
    private volatile int inFlightGauge;
    private volatile long bufferedGauge;

    /** A reassembler of unsigned frames that ignores drops other than through its {@link #stats()}. */
    public Reassembler(ReassemblerOptions options) {
        this(options, null, rejected -> { });
    }

    /**
     * @param key verifies version-2 frames; null for a reader of unsigned frames only
     * @param onDrop told of every message in flight that is dropped other than by its own frame
     *     (interrupted, evicted, expired); must not throw
     */
    public Reassembler(ReassemblerOptions options, FrameKey key, Consumer<Outcome.Rejected> onDrop) {
        this(options, key, onDrop, System::nanoTime);
    }

    Reassembler(ReassemblerOptions options, FrameKey key, Consumer<Outcome.Rejected> onDrop, LongSupplier nanoClock) {
        this.options = Objects.requireNonNull(options, "options");
        this.key = key;
        this.onDrop = Objects.requireNonNull(onDrop, "onDrop");
        this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
        this.expireAfterNanos = options.expireAfter().toNanos();
    }

    public ReassemblerOptions options() {
        return options;
    }

    /**
     * Tells, from its first frame, a signed message that was delivered before: its writer's
     * transaction id (the start of the message) and its message id.
     */
    @FunctionalInterface
    public interface Replays {
        Replays NONE = (txid, messageId) -> false;

        boolean seen(long txid, String messageId);
    }

    /**
     * Refuses the first frame of a signed message that {@code replays} has seen, before any memory
     * is reserved for it: a replayed start could otherwise evict genuine messages in flight.
     * The reader's thread only.
     */
    public void refuseReplays(Replays replays) {
        this.replays = Objects.requireNonNull(replays, "replays");
    }

    /** Takes one frame and says what became of it. Never throws; a null frame is foreign. */
    public Outcome accept(String frame) {
        long now = nanoClock.getAsLong();
        if (!inFlight.isEmpty() && now - nextExpiryCheck >= 0) {
            expire(now);
        }
        try {
            if (frame == null) {
                return reject(RejectReason.FOREIGN, null, "null frame");
            }
            LegacyFrame legacy = options.legacyFrames() && !FrameHeader.looksLikeBridge(frame) ? LegacyFrame.read(frame) : null;
            if (legacy != null) {
                return acceptLegacy(frame, legacy, now);
            }
            RejectReason invalid = header.parse(frame);
            if (invalid != null) {
                return reject(invalid, null, describeUnreadable(invalid, frame));
            }
            String id = frame.substring(header.idStart, header.idEnd);
            if (header.version == 1) {
                if (key != null && !options.unsignedFrames()) {
                    return reject(RejectReason.UNSIGNED, id, "an unsigned (version 1) frame; only signed frames are read");
                }
                return acceptFrame(frame, null, "1" + id, id, false, now);
            }
            byte[] bytes = frame.getBytes(StandardCharsets.UTF_8);
            if (key == null) {
                return reject(RejectReason.FORGED, id, "a signed (version 2) frame, and no key to verify it");
            }
            if (!key.verifies(bytes, header.tagStart, header.bodyStart)) {
                return reject(RejectReason.FORGED, id, "its tag does not verify");
            }
            return acceptFrame(frame, bytes, "2" + id, id, true, now);
        } catch (RuntimeException e) {
            // A bug here must not stop the listener; the frame is dropped and the bug made visible.
            log.error("reassembler failed on a frame; dropping it", e);
            return reject(RejectReason.MALFORMED, null, "internal error: " + e.getClass().getSimpleName());
        }
    }

    /** Drops the messages that have been incomplete for too long; call it when frames are scarce. */
    public void expire() {
        expire(nanoClock.getAsLong());
    }

    /** A snapshot of the counters; safe from any thread. */
    public ReassemblyStats stats() {
        Map<RejectReason, Long> byReason = new EnumMap<>(RejectReason.class);
        for (RejectReason reason : REASONS) {
            byReason.put(reason, rejected.get(reason.ordinal()));
        }
        return new ReassemblyStats(completed, pending, byReason, inFlightGauge, bufferedGauge);
    }

    /**
     * A frame of version 1 or 2 whose header is parsed. Messages of each version and the legacy
     * format are kept apart by {@code slot}, so frames of one can never disturb another. A genuine
     * (signed) frame that would break its message — a second start, a repeated or early index — can
     * only be a replay, since a real sender never reuses an id: it is ignored, and the message kept.
     * {@code bytes} is the frame's UTF-8 encoding, or null until it is needed.
     */
    private Outcome acceptFrame(String frame, byte[] bytes, String slot, String id, boolean genuine, long now) {
        char kind = header.kind;
        if (genuine && completedSigned.containsKey(slot)) {
            return reject(RejectReason.REPLAYED, id, "a frame of a message already completed");
        }
        if (FrameHeader.isSingle(kind) || FrameHeader.isFirst(kind)) {
            Assembly previous = inFlight.get(slot);
            if (previous != null) {
                if (genuine) {
                    return reject(RejectReason.REPLAYED, id, "a repeated start of a message in flight");
                }
                drop(previous, RejectReason.INTERRUPTED, "a new message with the same id started");
            }
            tombstones.remove(slot);
            if (FrameHeader.isSingle(kind)) {
                Payload payload = new Payload(frame, header.bodyStart);
                // A character takes 1 to 3 bytes per UTF-16 unit, so most frames need no count.
                long chars = frame.length() - header.bodyStart;
                if (chars * 3 > options.maxMessageBytes() && payload.size() > options.maxMessageBytes()) {
                    return reject(RejectReason.TOO_LARGE, id, tooLarge(payload.size()));
                }
                if (genuine) {
                    completedSigned.put(slot, Boolean.TRUE);
                }
                return complete(id, payload, header.version);
            }
            if (genuine && replays.seen(transactionOf(frame, header.bodyStart), id)) {
                return reject(RejectReason.REPLAYED, id, "the start of a message delivered before");
            }
            int declared = header.number;
            if (declared > options.maxMessageBytes()) {
                tombstone(slot);
                return reject(RejectReason.TOO_LARGE, id, tooLarge(declared));
            }
            makeRoom(declared);
            Assembly assembly = new Assembly(slot, id, header.version, now, declared);
            inFlight.put(slot, assembly);
            reserve(declared);
            assembly.reserved = declared;
            if (inFlight.size() == 1) {
                nextExpiryCheck = now + expireAfterNanos;
            }
            return append(assembly, bytes == null ? frame.getBytes(StandardCharsets.UTF_8) : bytes, header.bodyStart, false);
        }
        Assembly assembly = inFlight.get(slot);
        if (assembly == null) {
            return tombstones.containsKey(slot)
                    ? reject(RejectReason.DISCARDED, id, "frame " + header.number + " of a dropped message")
                    : reject(RejectReason.ORPHAN, id, "frame " + header.number + " of a message whose start was missed");
        }
        int index = header.number;
        if (index != assembly.nextIndex) {
            if (genuine) {
                return reject(RejectReason.REPLAYED, id, "frame " + index + " again or early, expected " + assembly.nextIndex);
            }
            RejectReason reason = index < assembly.nextIndex ? RejectReason.DUPLICATE : RejectReason.OUT_OF_ORDER;
            return dropOwn(assembly, reason, "got frame " + index + ", expected " + assembly.nextIndex);
        }
        return append(assembly, bytes == null ? frame.getBytes(StandardCharsets.UTF_8) : bytes, header.bodyStart,
                FrameHeader.isLast(kind));
    }

    private Outcome append(Assembly assembly, byte[] frameBytes, int bodyStart, boolean last) {
        assembly.add(frameBytes, bodyStart);
        if (assembly.received > assembly.declared) {
            return dropOwn(assembly, RejectReason.SIZE_MISMATCH,
                    "received more than the declared " + assembly.declared + " bytes");
        }
        if (!last) {
            return pending(assembly.id);
        }
        if (assembly.received != assembly.declared) {
            return dropOwn(assembly, RejectReason.SIZE_MISMATCH,
                    "declared " + assembly.declared + " bytes, received " + assembly.received);
        }
        remove(assembly);
        if (assembly.version == 2) {
            completedSigned.put(assembly.slot, Boolean.TRUE);
        }
        return complete(assembly.id, assembly.payload(), assembly.version);
    }

    /** The transaction id a signed message starts with, or -1. */
    private static long transactionOf(String frame, int bodyStart) {
        long txid = 0;
        for (int p = bodyStart; p < frame.length() && p - bodyStart <= 20; p++) {
            char c = frame.charAt(p);
            if (c == ':') {
                return p > bodyStart ? txid : -1;
            }
            if (c < '0' || c > '9' || txid > (Long.MAX_VALUE - 9) / 10) {
                return -1;
            }
            txid = txid * 10 + (c - '0');
        }
        return -1;
    }

    /** A frame of the original design's trigger; see {@link LegacyFrame} for how it labels its chunks. */
    private Outcome acceptLegacy(String frame, LegacyFrame legacy, long now) {
        String id = legacy.id();
        String slot = "L" + id;
        Assembly assembly = inFlight.get(slot);
        if (legacy.end()) {
            if (assembly == null) {
                return tombstones.containsKey(slot)
                        ? reject(RejectReason.DISCARDED, id, "end of a dropped legacy message")
                        : reject(RejectReason.ORPHAN, id, "an end with no chunks before it: they were missed, or the row's val is"
                                + " NULL, for which the original trigger sends the end alone");
            }
            remove(assembly);
            return complete(id, assembly.payload(), Outcome.LEGACY);
        }
        long counter = legacy.label();
        if (counter == 0) {
            if (assembly != null) {
                // Two changes of one row in one transaction: PostgreSQL folds their identical ends into one,
                // so the second never ends. It is given up now rather than holding the row until it expires.
                drop(assembly, RejectReason.INTERRUPTED, "a new change of this row started before this one ended (the original"
                        + " trigger's two changes of one row in one transaction share one end)");
            }
            tombstones.remove(slot);
            makeRoom(0);
            assembly = new Assembly(slot, id, Outcome.LEGACY, now, options.maxMessageBytes());
            inFlight.put(slot, assembly);
            if (inFlight.size() == 1) {
                nextExpiryCheck = now + expireAfterNanos;
            }
        } else if (assembly == null) {
            return tombstones.containsKey(slot)
                    ? reject(RejectReason.DISCARDED, id, "chunk of a dropped legacy message")
                    : reject(RejectReason.ORPHAN, id, "chunk at " + counter + " of a legacy message whose start was missed");
        } else {
            if (assembly.labelShift < 0) {
                assembly.labelShift = legacy.shiftAfter(assembly.characters);
            }
            long expected = assembly.characters + Math.max(assembly.labelShift, 0);
            if (counter != expected) {
                RejectReason reason = counter < expected ? RejectReason.DUPLICATE : RejectReason.OUT_OF_ORDER;
                return dropOwn(assembly, reason, "chunk labelled " + counter + " after " + assembly.characters + " characters, expected "
                        + (assembly.labelShift < 0 ? assembly.characters + " or " + (assembly.characters + 1) : expected));
            }
        }
        byte[] chunk = frame.substring(legacy.chunkStart()).getBytes(StandardCharsets.UTF_8);
        if (assembly.received + chunk.length > options.maxMessageBytes()) {
            return dropOwn(assembly, RejectReason.TOO_LARGE, tooLarge(assembly.received + (long) chunk.length));
        }
        // Legacy messages have no declared size: reserve as the bytes arrive.
        makeRoomFor(assembly, chunk.length);
        reserve(chunk.length);
        assembly.reserved += chunk.length;
        assembly.characters += frame.codePointCount(legacy.chunkStart(), frame.length());
        assembly.add(chunk, 0);
        return pending(id);
    }

    /** Evicts the eldest messages until one more, of {@code bytes}, fits within the bounds. */
    private void makeRoom(long bytes) {
        Iterator<Assembly> eldest = inFlight.values().iterator();
        while (eldest.hasNext() && (inFlight.size() >= options.maxMessagesInFlight()
                || bufferedBytes + bytes > options.maxBufferedBytes())) {
            Assembly victim = eldest.next();
            eldest.remove();
            release(victim);
            dropped(victim, RejectReason.EVICTED, "too many messages or bytes in flight");
        }
    }

    /** Like {@link #makeRoom} for a message already in flight that grows by {@code bytes}. */
    private void makeRoomFor(Assembly growing, long bytes) {
        Iterator<Assembly> eldest = inFlight.values().iterator();
        while (eldest.hasNext() && bufferedBytes + bytes > options.maxBufferedBytes()) {
            Assembly victim = eldest.next();
            if (victim == growing) {
                continue;
            }
            eldest.remove();
            release(victim);
            dropped(victim, RejectReason.EVICTED, "too many bytes in flight");
        }
    }

    private void expire(long now) {
        Iterator<Assembly> eldest = inFlight.values().iterator();
        while (eldest.hasNext()) {
            Assembly assembly = eldest.next();
            if (now - assembly.startedNanos < expireAfterNanos) {
                nextExpiryCheck = assembly.startedNanos + expireAfterNanos;
                updateGauges();
                return;
            }
            eldest.remove();
            release(assembly);
            dropped(assembly, RejectReason.EXPIRED, "incomplete after " + options.expireAfter());
        }
        updateGauges();
    }

    private Outcome dropOwn(Assembly assembly, RejectReason reason, String detail) {
        remove(assembly);
        tombstone(assembly.slot);
        return reject(reason, assembly.id, detail);
    }

    private void drop(Assembly assembly, RejectReason reason, String detail) {
        remove(assembly);
        dropped(assembly, reason, detail);
    }

    private void dropped(Assembly assembly, RejectReason reason, String detail) {
        tombstone(assembly.slot);
        count(reason);
        try {
            onDrop.accept(new Outcome.Rejected(reason, assembly.id, detail));
        } catch (RuntimeException e) {
            log.warn("drop listener failed", e);
        }
    }

    private void remove(Assembly assembly) {
        inFlight.remove(assembly.slot);
        release(assembly);
    }

    private void reserve(long bytes) {
        bufferedBytes += bytes;
        updateGauges();
    }

    private void release(Assembly assembly) {
        bufferedBytes -= assembly.reserved;
        assembly.reserved = 0;
        updateGauges();
    }

    private void updateGauges() {
        bufferedGauge = bufferedBytes;
        inFlightGauge = inFlight.size();
    }

    private void tombstone(String id) {
        tombstones.put(id, Boolean.TRUE);
    }

    private Outcome complete(String id, Payload payload, int version) {
        completed++;
        return new Outcome.Complete(id, payload, version);
    }

    private Outcome pending(String id) {
        pending++;
        return new Outcome.Pending(id);
    }

    private Outcome reject(RejectReason reason, String id, String detail) {
        count(reason);
        return new Outcome.Rejected(reason, id, detail);
    }

    private void count(RejectReason reason) {
        int i = reason.ordinal();
        rejected.lazySet(i, rejected.get(i) + 1);
    }

    private String tooLarge(long size) {
        return "message of " + size + " bytes exceeds the limit of " + options.maxMessageBytes();
    }

    /** A reason and the start of the header only: frames may carry data that must not reach logs. */
    private static String describeUnreadable(RejectReason reason, String frame) {
        // Up to the first ':' is header; after it may come data, which must not reach logs.
        int end = 0;
        while (end < Math.min(frame.length(), 12) && frame.charAt(end) != ':' && frame.charAt(end) > ' ' && frame.charAt(end) < 127) {
            end++;
        }
        String start = frame.substring(0, end);
        return switch (reason) {
            case FOREIGN -> "not a Bridge frame (" + frame.length() + " characters)";
            case UNSUPPORTED_VERSION -> "unsupported protocol version in '" + start + "'";
            default -> "malformed header starting '" + start + "'";
        };
    }

    /** One incomplete message: its frames' bytes, kept as they came. */
    private static final class Assembly {
        /** The message's key in flight: its format and its id. */
        final String slot;
        final String id;
        final int version;
        final long startedNanos;
        final int declared;
        long reserved;
        int nextIndex;
        long received;
        long characters;
        /** Legacy: how far chunk labels run ahead of the characters received: 1 as the original trigger cuts, 0, or -1 until known. */
        int labelShift = -1;
        byte[][] parts;
        int[] starts;
        int count;

        Assembly(String slot, String id, int version, long startedNanos, int declared) {
            this.slot = slot;
            this.id = id;
            this.version = version;
            this.startedNanos = startedNanos;
            this.declared = declared;
            this.parts = new byte[8][];
            this.starts = new int[8];
        }

        void add(byte[] bytes, int start) {
            if (count == parts.length) {
                parts = Arrays.copyOf(parts, count * 2);
                starts = Arrays.copyOf(starts, count * 2);
            }
            parts[count] = bytes;
            starts[count] = start;
            count++;
            received += bytes.length - start;
            nextIndex++;
        }

        Payload payload() {
            return new Payload(Arrays.copyOf(parts, count), Arrays.copyOf(starts, count), (int) received);
        }
    }
}
