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
 * <p>Not thread-safe: feed it from one thread (the listener's). {@link #stats()} may be called from
 * any thread.
 *
 * <p>Messages in flight that are dropped because of another frame or of time (interrupted, evicted,
 * expired) are reported to the drop listener given at construction, on the feeding thread.
 */
public final class Reassembler {

    private static final Logger log = LoggerFactory.getLogger(Reassembler.class);
    private static final int LEGACY_ID_LENGTH = 36;
    private static final int MAX_TOMBSTONES = 1_024;
    private static final RejectReason[] REASONS = RejectReason.values();

    private final ReassemblerOptions options;
    private final Consumer<Outcome.Rejected> onDrop;
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
    private long bufferedBytes;
    /** When the eldest message in flight may expire, or earlier; meaningless while none is in flight. */
    private long nextExpiryCheck;

    private final AtomicLongArray rejected = new AtomicLongArray(REASONS.length);
    private volatile long completed;
    private volatile long pending;
    private volatile int inFlightGauge;
    private volatile long bufferedGauge;

    /** A reassembler that ignores drops other than through its {@link #stats()}. */
    public Reassembler(ReassemblerOptions options) {
        this(options, rejected -> { });
    }

    /**
     * @param onDrop told of every message in flight that is dropped other than by its own frame
     *     (interrupted, evicted, expired); must not throw
     */
    public Reassembler(ReassemblerOptions options, Consumer<Outcome.Rejected> onDrop) {
        this(options, onDrop, System::nanoTime);
    }

    Reassembler(ReassemblerOptions options, Consumer<Outcome.Rejected> onDrop, LongSupplier nanoClock) {
        this.options = Objects.requireNonNull(options, "options");
        this.onDrop = Objects.requireNonNull(onDrop, "onDrop");
        this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
        this.expireAfterNanos = options.expireAfter().toNanos();
    }

    public ReassemblerOptions options() {
        return options;
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
            if (options.legacyFrames() && !FrameHeader.looksLikeV1(frame) && looksLikeLegacy(frame)) {
                return acceptLegacy(frame, now);
            }
            RejectReason invalid = header.parse(frame);
            if (invalid != null) {
                return reject(invalid, null, describeUnreadable(invalid, frame));
            }
            return acceptV1(frame, now);
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

    private Outcome acceptV1(String frame, long now) {
        String id = frame.substring(header.idStart, header.idEnd);
        char kind = header.kind;
        if (FrameHeader.isSingle(kind) || FrameHeader.isFirst(kind)) {
            Assembly previous = inFlight.get(id);
            if (previous != null) {
                drop(previous, RejectReason.INTERRUPTED, "a new message with the same id started");
            }
            tombstones.remove(id);
            if (FrameHeader.isSingle(kind)) {
                Payload payload = new Payload(frame, header.bodyStart);
                // A character takes 1 to 3 bytes per UTF-16 unit, so most frames need no count.
                long chars = frame.length() - header.bodyStart;
                if (chars * 3 > options.maxMessageBytes() && payload.size() > options.maxMessageBytes()) {
                    return reject(RejectReason.TOO_LARGE, id, tooLarge(payload.size()));
                }
                return complete(id, payload);
            }
            int declared = header.number;
            if (declared > options.maxMessageBytes()) {
                tombstone(id);
                return reject(RejectReason.TOO_LARGE, id, tooLarge(declared));
            }
            makeRoom(declared);
            Assembly assembly = new Assembly(id, now, declared);
            inFlight.put(id, assembly);
            reserve(declared);
            assembly.reserved = declared;
            if (inFlight.size() == 1) {
                nextExpiryCheck = now + expireAfterNanos;
            }
            return append(assembly, frame.getBytes(StandardCharsets.UTF_8), header.bodyStart, false);
        }
        Assembly assembly = inFlight.get(id);
        if (assembly == null) {
            return tombstones.containsKey(id)
                    ? reject(RejectReason.DISCARDED, id, "frame " + header.number + " of a dropped message")
                    : reject(RejectReason.ORPHAN, id, "frame " + header.number + " of a message whose start was missed");
        }
        int index = header.number;
        if (index != assembly.nextIndex) {
            RejectReason reason = index < assembly.nextIndex ? RejectReason.DUPLICATE : RejectReason.OUT_OF_ORDER;
            return dropOwn(assembly, reason, "got frame " + index + ", expected " + assembly.nextIndex);
        }
        return append(assembly, frame.getBytes(StandardCharsets.UTF_8), header.bodyStart, FrameHeader.isLast(kind));
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
        return complete(assembly.id, assembly.payload());
    }

    private boolean looksLikeLegacy(String frame) {
        if (frame.length() < LEGACY_ID_LENGTH + 2) {
            return false;
        }
        if (frame.startsWith("EOF", LEGACY_ID_LENGTH) && frame.length() == LEGACY_ID_LENGTH + 3) {
            return true;
        }
        int p = LEGACY_ID_LENGTH;
        while (p < frame.length() && p - LEGACY_ID_LENGTH < 10 && Character.isDigit(frame.charAt(p)) && frame.charAt(p) < 128) {
            p++;
        }
        return p > LEGACY_ID_LENGTH && p < frame.length() && frame.charAt(p) == ':';
    }

    /** Legacy frames: {@code <36-char id><character offset>:<chunk>} and {@code <36-char id>EOF}. */
    private Outcome acceptLegacy(String frame, long now) {
        String id = frame.substring(0, LEGACY_ID_LENGTH);
        Assembly assembly = inFlight.get(id);
        if (frame.length() == LEGACY_ID_LENGTH + 3 && frame.endsWith("EOF")) {
            if (assembly == null) {
                return tombstones.containsKey(id)
                        ? reject(RejectReason.DISCARDED, id, "end of a dropped legacy message")
                        : reject(RejectReason.ORPHAN, id, "end of a legacy message whose start was missed");
            }
            remove(assembly);
            return complete(id, assembly.payload());
        }
        int colon = frame.indexOf(':', LEGACY_ID_LENGTH);
        long counter = Long.parseLong(frame, LEGACY_ID_LENGTH, colon, 10);
        // A start while one is in flight is two changes of one row colliding (docs/protocol.md §3):
        // its counter mismatches below, so both are dropped rather than one completed with the other's end.
        if (counter == 0 && assembly == null) {
            tombstones.remove(id);
            makeRoom(0);
            assembly = new Assembly(id, now, options.maxMessageBytes());
            inFlight.put(id, assembly);
            if (inFlight.size() == 1) {
                nextExpiryCheck = now + expireAfterNanos;
            }
        } else if (assembly == null) {
            return tombstones.containsKey(id)
                    ? reject(RejectReason.DISCARDED, id, "chunk of a dropped legacy message")
                    : reject(RejectReason.ORPHAN, id, "chunk at " + counter + " of a legacy message whose start was missed");
        } else if (counter != assembly.characters) {
            RejectReason reason = counter < assembly.characters ? RejectReason.DUPLICATE : RejectReason.OUT_OF_ORDER;
            return dropOwn(assembly, reason, "chunk at character " + counter + ", expected " + assembly.characters);
        }
        byte[] chunk = frame.substring(colon + 1).getBytes(StandardCharsets.UTF_8);
        if (assembly.received + chunk.length > options.maxMessageBytes()) {
            return dropOwn(assembly, RejectReason.TOO_LARGE, tooLarge(assembly.received + (long) chunk.length));
        }
        // Legacy messages have no declared size: reserve as the bytes arrive.
        makeRoomFor(assembly, chunk.length);
        reserve(chunk.length);
        assembly.reserved += chunk.length;
        assembly.characters += frame.codePointCount(colon + 1, frame.length());
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
        tombstone(assembly.id);
        return reject(reason, assembly.id, detail);
    }

    private void drop(Assembly assembly, RejectReason reason, String detail) {
        remove(assembly);
        dropped(assembly, reason, detail);
    }

    private void dropped(Assembly assembly, RejectReason reason, String detail) {
        tombstone(assembly.id);
        count(reason);
        try {
            onDrop.accept(new Outcome.Rejected(reason, assembly.id, detail));
        } catch (RuntimeException e) {
            log.warn("drop listener failed", e);
        }
    }

    private void remove(Assembly assembly) {
        inFlight.remove(assembly.id);
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

    private Outcome complete(String id, Payload payload) {
        completed++;
        return new Outcome.Complete(id, payload);
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
        final String id;
        final long startedNanos;
        final int declared;
        long reserved;
        int nextIndex;
        long received;
        long characters;
        byte[][] parts;
        int[] starts;
        int count;

        Assembly(String id, long startedNanos, int declared) {
            this.id = id;
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
