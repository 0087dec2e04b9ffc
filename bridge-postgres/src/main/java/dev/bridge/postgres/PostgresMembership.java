package dev.bridge.postgres;

import dev.bridge.core.port.Leader;
import dev.bridge.core.port.Lease;
import dev.bridge.core.port.Leadership;
import dev.bridge.core.port.Membership;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.zip.CRC32;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One process among those of a consumer. A thread of its own, on a connection of its own, every
 * fifth of the lease time: renews the leases it holds (a lease whose row now has another epoch is
 * lost), marks itself alive, counts the live members and takes or hands over partitions until it
 * leads its share: {@code partitions / members}, one more for the oldest {@code partitions % members}.
 * A partition is taken with a session advisory lock, which its holder keeps until it lets go or its
 * session ends (at once when its process dies), and a new epoch in its lease row. When the previous
 * leader did not hand over, the new one delivers only once the previous lease has run out, by which
 * time that leader, if it lives, has stopped by itself: a watchdog ends every lease not renewed
 * within the lease time. A leader whose session lives on but stopped renewing (its network cut) is
 * ended with {@code pg_terminate_backend} by the process that wants its partition.
 */
final class PostgresMembership implements Membership {

    private static final Logger log = LoggerFactory.getLogger(PostgresMembership.class);
    private static final int LOCK_KEY = Ddl.LOCK_NAMESPACE + 2;
    /** How often a wait between rounds looks at this process's own news while it waits for the others'. */
    private static final long WAKE_SLICE_MILLIS = 10;
    /** How long a member that stopped renewing stays in bridge_members before it is deleted. */
    private static final long FORGET_MEMBERS_MILLIS = 60_000;

    private enum State { PENDING, LEADING, HANDING_OVER, HANDED_OVER, ENDED }

    private final ConnectionFactory connections;
    private final PostgresOptions options;
    private final String consumer;
    private final int partitions;
    private final Leadership leadership;
    private final String member;
    private final long leaseNanos;
    private final long renewNanos;
    private final long leaseMillis;
    private final String schema;
    private final Map<Integer, Held> held = new ConcurrentHashMap<>();
    private final Semaphore wakeups = new Semaphore(0);
    /** The channel on which the processes of this schema tell each other to do a round now: a partition was let go, or one joined. */
    private final String wakeChannel;
    private final CountDownLatch left = new CountDownLatch(1);
    private final Thread thread;
    private final ScheduledExecutorService watchdog;
    private final ExecutorService callbacks;
    private final LogThrottle throttle = new LogThrottle(30, TimeUnit.SECONDS, System::nanoTime);
    private volatile List<Leader> leaders = List.of();
    private volatile boolean connected;
    private volatile String problem;
    private volatile boolean closing;
    private long cycles;

    PostgresMembership(ConnectionFactory connections, PostgresOptions options, String consumer, int partitions, Leadership leadership,
            String member) {
        this.connections = connections;
        this.options = options;
        this.consumer = consumer;
        this.partitions = partitions;
        this.leadership = leadership;
        this.member = member;
        this.leaseNanos = options.leaseTime().toNanos();
        this.renewNanos = leaseNanos / 5;
        this.leaseMillis = options.leaseTime().toMillis();
        this.schema = options.quotedSchema();
        this.wakeChannel = "bridge_rounds_" + Long.toHexString(crc32(options.schema()));
        this.thread = new Thread(this::run, "bridge-coordinator-" + consumer);
        this.thread.setDaemon(true);
        this.watchdog = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "bridge-lease-watchdog-" + consumer));
        this.callbacks = Executors.newCachedThreadPool(r -> daemon(r, "bridge-leadership-" + consumer));
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    void start() {
        thread.start();
        long every = Math.max(1, TimeUnit.NANOSECONDS.toMillis(renewNanos) / 4);
        watchdog.scheduleWithFixedDelay(this::expire, every, every, TimeUnit.MILLISECONDS);
    }

    @Override
    public String member() {
        return member;
    }

    @Override
    public boolean connected() {
        return connected;
    }

    @Override
    public java.util.Optional<String> problem() {
        return java.util.Optional.ofNullable(problem);
    }

    @Override
    public Set<Integer> leading() {
        Set<Integer> parts = new TreeSet<>();
        held.forEach((part, h) -> {
            State s = h.state.get();
            if ((s == State.LEADING || s == State.HANDING_OVER) && h.valid()) {
                parts.add(part);
            }
        });
        return parts;
    }

    @Override
    public List<Leader> leaders() {
        return leaders;
    }

    @Override
    public void close() {
        closing = true;
        wakeups.release();
        try {
            left.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        watchdog.shutdownNow();
        callbacks.shutdown();
    }

    private void run() {
        long backoff = options.reconnectMin().toMillis();
        try {
            while (!(closing && held.isEmpty())) {
                try (Connection c = connections.open()) {
                    c.setAutoCommit(true);
                    c.setNetworkTimeout(Runnable::run, (int) Math.max(leaseMillis, 250));
                    try (Statement st = c.createStatement()) {
                        st.execute("LISTEN " + Identifiers.quote("channel", wakeChannel));
                    }
                    connected = true;
                    boolean joined = false;
                    while (true) {
                        long t0 = System.nanoTime();
                        if (cycle(c, t0)) {
                            leave(c);
                            return;
                        }
                        if (!joined) {
                            wakeOthers(c);
                            joined = true;
                        }
                        backoff = options.reconnectMin().toMillis();
                        awaitRound(c, nextRound(t0));
                    }
                } catch (SQLException | RuntimeException e) {
                    connected = false;
                    loseAll("its connection failed: " + e.getMessage());
                    if (closing) {
                        return;
                    }
                    long delay = ThreadLocalRandom.current().nextLong(backoff + 1);
                    long suppressed = throttle.admit("connection");
                    if (suppressed >= 0) {
                        boolean denied = e instanceof SQLException sql && "42501".equals(sql.getSQLState());
                        log.warn("member {} of consumer {} lost touch with the other processes ({}); trying again in {} ms{}{}", member,
                                consumer, describe(e), delay, denied ? "; the schema's owner grants what is missing with `bridge schema"
                                + " grant ROLE` (docs/security.md)" : "", LogThrottle.held(suppressed, "30 s"));
                    }
                    backoff = Math.min(backoff * 2, options.reconnectMax().toMillis());
                    if (wakeups.tryAcquire(delay, TimeUnit.MILLISECONDS)) {
                        wakeups.drainPermits();
                    }
                }
            }
        } catch (InterruptedException e) {
            loseAll("it was interrupted");
        } finally {
            connected = false;
            left.countDown();
        }
    }

    /** Waits {@code nanos}, or less if this process has news (a hand-over ended) or another one says so on the channel. */
    private void awaitRound(Connection c, long nanos) throws SQLException, InterruptedException {
        long until = System.nanoTime() + nanos;
        PGConnection pg = c.unwrap(PGConnection.class);
        while (true) {
            if (wakeups.tryAcquire()) {
                wakeups.drainPermits();
                return;
            }
            long left = until - System.nanoTime();
            if (left <= 0) {
                return;
            }
            PGNotification[] received = pg.getNotifications((int) Math.max(1, Math.min(WAKE_SLICE_MILLIS, TimeUnit.NANOSECONDS.toMillis(left))));
            if (received != null && received.length > 0) {
                return;
            }
        }
    }

    private void wakeOthers(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_notify(?, ?)")) {
            ps.setString(1, wakeChannel);
            ps.setString(2, consumer);
            ps.executeQuery().close();
        }
    }

    /** One round; true once closing and nothing is held any more. */
    private boolean cycle(Connection c, long t0) throws SQLException {
        renew(c, t0);
        List<Peer> members = members(c);
        leaders = readLeaders(c);
        held.values().forEach(this::startIfDue);
        for (Held h : List.copyOf(held.values())) {
            State s = h.state.get();
            if (s == State.HANDED_OVER || s == State.ENDED) {
                let(c, h, s == State.HANDED_OVER);
            }
        }
        int quota = closing ? 0 : quota(members);
        List<Held> active = new ArrayList<>();
        for (Held h : held.values()) {
            State s = h.state.get();
            if (s == State.PENDING || s == State.LEADING) {
                active.add(h);
            }
        }
        if (active.size() > quota) {
            active.sort((a, b) -> Integer.compare(b.part, a.part));
            for (Held h : active.subList(0, active.size() - quota)) {
                handOver(h);
            }
        } else if (active.size() < quota) {
            int taken = active.size();
            int start = Math.floorMod(myIndex(members) * partitions / Math.max(1, members.size()), partitions);
            for (int i = 0; i < partitions && taken < quota; i++) {
                int part = (start + i) % partitions;
                if (!held.containsKey(part) && take(c, part, t0)) {
                    taken++;
                }
            }
        }
        return closing && held.isEmpty();
    }

    /** Leads a partition taken once the previous leader's lease has run out. */
    private void startIfDue(Held h) {
        if (h.state.get() == State.PENDING && System.nanoTime() - h.startAt >= 0 && h.valid()
                && h.state.compareAndSet(State.PENDING, State.LEADING)) {
            log.info("member {} of consumer {} leads partition {} of {} (epoch {})", member, consumer, h.part, partitions, h.epoch);
            leadership.lead(h);
        }
    }

    /** Until the next round: a fifth of the lease time after {@code t0}, or sooner when a taken partition may start. */
    private long nextRound(long t0) {
        long next = t0 + renewNanos;
        for (Held h : held.values()) {
            if (h.state.get() == State.PENDING && h.startAt - next < 0) {
                next = h.startAt;
            }
        }
        return next - System.nanoTime();
    }

    private void renew(Connection c, long t0) throws SQLException {
        if (held.isEmpty()) {
            return;
        }
        Map<Integer, Long> epochs = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement("UPDATE " + schema + ".bridge_leases SET renewed_at = now()"
                + " WHERE consumer = ? AND holder = ? AND part = ANY(?) RETURNING part, epoch")) {
            ps.setString(1, consumer);
            ps.setString(2, member);
            ps.setArray(3, c.createArrayOf("int4", held.keySet().toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    epochs.put(rs.getInt(1), rs.getLong(2));
                }
            }
        }
        for (Held h : held.values()) {
            Long epoch = epochs.get(h.part);
            if (epoch != null && epoch == h.epoch) {
                h.renewed(t0);
            } else {
                lose(h, "its lease row has epoch " + epoch + " now: another process took it");
            }
        }
    }

    /** A live member as this one sees it. */
    private record Peer(String member, int parts) {
    }

    /** Marks this member alive; returns the live members that agree with the oldest on the partitions, oldest first. */
    private List<Peer> members(Connection c) throws SQLException {
        if (!closing) {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + schema + ".bridge_members (consumer, member, parts, pid)"
                    + " VALUES (?, ?, ?, pg_backend_pid()) ON CONFLICT (consumer, member) DO UPDATE SET seen_at = now(),"
                    + " parts = excluded.parts, pid = excluded.pid,"
                    // A member back after being silent for longer than a lease counts as new: the others took its partitions meanwhile.
                    + " joined_at = CASE WHEN bridge_members.seen_at < now() - ? * interval '1 millisecond' THEN now()"
                    + " ELSE bridge_members.joined_at END")) {
                ps.setString(1, consumer);
                ps.setString(2, member);
                ps.setInt(3, partitions);
                ps.setLong(4, leaseMillis);
                ps.executeUpdate();
            }
        }
        if (cycles++ % 100 == 0) {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + schema + ".bridge_members WHERE consumer = ?"
                    + " AND seen_at < now() - ? * interval '1 millisecond'")) {
                ps.setString(1, consumer);
                ps.setLong(2, FORGET_MEMBERS_MILLIS);
                ps.executeUpdate();
            }
        }
        List<Peer> live = new ArrayList<>();
        // Live: seen within a lease time, and its session still there (a killed process's session ends at once).
        try (PreparedStatement ps = c.prepareStatement("SELECT member, parts FROM " + schema + ".bridge_members m WHERE consumer = ?"
                + " AND seen_at > now() - ? * interval '1 millisecond' AND EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.pid = m.pid)"
                + " ORDER BY joined_at, member")) {
            ps.setString(1, consumer);
            ps.setLong(2, leaseMillis);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    live.add(new Peer(rs.getString(1), rs.getInt(2)));
                }
            }
        }
        if (live.isEmpty()) {
            return live;
        }
        int agreed = live.get(0).parts();
        problem = agreed == partitions ? null : "set to " + partitions + " partitions, but the longest-running"
                + " process of the consumer, " + live.get(0).member() + ", to " + agreed + ": it leads none until all have the same bridge.partitions";
        if (problem != null) {
            long suppressed = throttle.admit("parts");
            if (suppressed >= 0) {
                log.error("member {} of consumer {} is set to {} partitions, but the longest-running member {} to {}: it leads none until"
                        + " every process of the consumer has the same bridge.partitions (stop the others, then start them with the new"
                        + " count){}", member, consumer, partitions, live.get(0).member(), agreed, LogThrottle.held(suppressed, "30 s"));
            }
        }
        return live.stream().filter(m -> m.parts() == agreed).toList();
    }

    private int myIndex(List<Peer> members) {
        for (int i = 0; i < members.size(); i++) {
            if (members.get(i).member().equals(member)) {
                return i;
            }
        }
        return -1;
    }

    /** This member's share: partitions / members, one more for each of the oldest partitions % members. */
    private int quota(List<Peer> members) {
        int i = myIndex(members);
        if (i < 0) {
            return 0;
        }
        int m = members.size();
        return partitions / m + (i < partitions % m ? 1 : 0);
    }

    private List<Leader> readLeaders(Connection c) throws SQLException {
        List<Leader> now = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT part, holder, epoch, since FROM " + schema + ".bridge_leases"
                + " WHERE consumer = ? AND NOT released AND renewed_at > now() - ? * interval '1 millisecond' ORDER BY part")) {
            ps.setString(1, consumer);
            ps.setLong(2, leaseMillis);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    now.add(new Leader(rs.getInt(1), rs.getString(2), rs.getLong(3), rs.getObject(4, OffsetDateTime.class).toInstant()));
                }
            }
        }
        return List.copyOf(now);
    }

    /** Takes a partition if no session holds it; ends the session of a leader that stopped renewing. */
    private boolean take(Connection c, int part, long t0) throws SQLException {
        long key = key(part);
        boolean locked;
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_try_advisory_lock(?, ?)")) {
            ps.setInt(1, LOCK_KEY);
            ps.setInt(2, (int) key);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                locked = rs.getBoolean(1);
            }
        }
        if (!locked) {
            endStaleHolder(c, part, key);
            return false;
        }
        long epoch;
        long waitMillis = 0;
        String previous = null;
        c.setAutoCommit(false);
        try {
            try (PreparedStatement ps = c.prepareStatement("SELECT holder, released, greatest(0, ceil(extract(epoch FROM renewed_at"
                    + " + ? * interval '1 millisecond' - clock_timestamp()) * 1000))::bigint FROM " + schema + ".bridge_leases"
                    + " WHERE consumer = ? AND part = ? FOR UPDATE")) {
                ps.setLong(1, leaseMillis);
                ps.setString(2, consumer);
                ps.setInt(3, part);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next() && !rs.getBoolean(2) && !member.equals(rs.getString(1))) {
                        previous = rs.getString(1);
                        waitMillis = rs.getLong(3);
                    }
                }
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + schema + ".bridge_leases (consumer, part, parts, epoch, holder,"
                    + " holder_pid, since, renewed_at) VALUES (?, ?, ?, 1, ?, pg_backend_pid(), now(), now()) ON CONFLICT (consumer, part)"
                    + " DO UPDATE SET epoch = bridge_leases.epoch + 1, parts = excluded.parts, holder = excluded.holder, holder_pid ="
                    + " excluded.holder_pid, since = now(), renewed_at = now(), released = false RETURNING epoch")) {
                ps.setString(1, consumer);
                ps.setInt(2, part);
                ps.setInt(3, partitions);
                ps.setString(4, member);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    epoch = rs.getLong(1);
                }
            }
            c.commit();
        } catch (SQLException | RuntimeException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(true);
        }
        Held h = new Held(part, epoch, t0, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMillis));
        held.put(part, h);
        if (waitMillis > 0) {
            log.info("member {} of consumer {} took partition {} (epoch {}) from {}, which did not hand it over: it delivers in {} ms,"
                    + " once that leader's lease has run out", member, consumer, part, epoch, previous, waitMillis);
        } else {
            startIfDue(h);
        }
        return true;
    }

    /**
     * A leader that stopped renewing for longer than the lease but whose session still holds the
     * lock (its network cut, its process frozen) has stopped delivering by its own watchdog; its
     * session is ended so that the partition can be taken.
     */
    private void endStaleHolder(Connection c, int part, long key) {
        String sql = "SELECT l.holder, l.holder_pid, pg_terminate_backend(l.holder_pid) FROM " + schema + ".bridge_leases l"
                + " WHERE l.consumer = ? AND l.part = ? AND NOT l.released AND l.renewed_at < now() - ? * interval '1 millisecond'"
                + " AND EXISTS (SELECT 1 FROM pg_locks k WHERE k.locktype = 'advisory' AND k.classid = ?::bigint::oid"
                + " AND k.objid = ?::bigint::oid AND k.objsubid = 2 AND k.granted AND k.pid = l.holder_pid)";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, consumer);
            ps.setInt(2, part);
            ps.setLong(3, leaseMillis);
            ps.setLong(4, LOCK_KEY);
            ps.setLong(5, key);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    log.warn("partition {} of consumer {}: its leader {} stopped renewing its lease, but its session (backend pid {}) still"
                            + " holds the partition; {}", part, consumer, rs.getString(1), rs.getInt(2), rs.getBoolean(3)
                            ? "ended that session so that the partition can be taken" : "could not end that session");
                }
            }
        } catch (SQLException e) {
            long suppressed = throttle.admit("terminate");
            if (suppressed >= 0) {
                log.warn("partition {} of consumer {}: could not end the session of a leader that stopped renewing its lease ({}); the"
                        + " partition is taken once PostgreSQL drops that session. Run every process of a consumer as one role, or grant"
                        + " it pg_signal_backend{}", part, consumer, describe(e), LogThrottle.held(suppressed, "30 s"));
            }
        }
    }

    private void handOver(Held h) {
        // Taken but not led yet: let go without marking it released, so that the next leader still waits for the lease this
        // member took it under to run out, which covers the lease of the leader before.
        if (h.state.compareAndSet(State.PENDING, State.ENDED)) {
            h.invalidate();
            return;
        }
        if (!h.state.compareAndSet(State.LEADING, State.HANDING_OVER)) {
            return;
        }
        log.info("member {} of consumer {} hands partition {} over (epoch {})", member, consumer, h.part, h.epoch);
        callbacks.execute(() -> {
            try {
                leadership.handOver(h);
            } catch (RuntimeException e) {
                log.warn("handing partition {} of consumer {} over failed", h.part, consumer, e);
            } finally {
                h.state.compareAndSet(State.HANDING_OVER, State.HANDED_OVER);
                h.invalidate();
                wakeups.release();
            }
        });
    }

    /** Lets go of a partition: released (the next leader need not wait) if handed over, then unlocked. */
    private void let(Connection c, Held h, boolean handedOver) throws SQLException {
        if (handedOver) {
            try (PreparedStatement ps = c.prepareStatement("UPDATE " + schema + ".bridge_leases SET released = true"
                    + " WHERE consumer = ? AND part = ? AND epoch = ?")) {
                ps.setString(1, consumer);
                ps.setInt(2, h.part);
                ps.setLong(3, h.epoch);
                ps.executeUpdate();
            }
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_advisory_unlock(?, ?)")) {
            ps.setInt(1, LOCK_KEY);
            ps.setInt(2, (int) key(h.part));
            ps.executeQuery().close();
        }
        held.remove(h.part, h);
        if (handedOver) {
            wakeOthers(c);
        }
    }

    private void leave(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + schema + ".bridge_members WHERE consumer = ? AND member = ?")) {
            ps.setString(1, consumer);
            ps.setString(2, member);
            ps.executeUpdate();
        }
        log.info("member {} of consumer {} left", member, consumer);
    }

    /** The watchdog: a lease not renewed within the lease time is lost, whatever the connection is doing. */
    private void expire() {
        for (Held h : held.values()) {
            if (!h.valid()) {
                lose(h, "it was not renewed within " + leaseMillis + " ms");
            }
        }
    }

    private void lose(Held h, String why) {
        h.invalidate();
        while (true) {
            State s = h.state.get();
            if (s == State.ENDED || s == State.HANDED_OVER) {
                return;
            }
            if (h.state.compareAndSet(s, State.ENDED)) {
                if (s != State.PENDING) {
                    log.warn("member {} of consumer {} lost partition {} (epoch {}): {}", member, consumer, h.part, h.epoch, why);
                    callbacks.execute(() -> leadership.lost(h));
                }
                return;
            }
        }
    }

    /** The connection is gone, and the locks with it. */
    private void loseAll(String why) {
        for (Held h : List.copyOf(held.values())) {
            lose(h, why);
            held.remove(h.part, h);
        }
    }

    /** The second key of a partition's advisory lock: a hash of the schema, the consumer and the partition, not negative. */
    private long key(int part) {
        return crc32(options.schema() + "/" + consumer + "/" + part) & 0x7fffffffL;
    }

    private static long crc32(String text) {
        CRC32 crc = new CRC32();
        crc.update(text.getBytes(StandardCharsets.UTF_8));
        return crc.getValue();
    }

    private String describe(Exception e) {
        return PostgresListener.describe(e, connections);
    }

    /** A partition this member holds the lock of. */
    private final class Held implements Lease {
        final int part;
        final long epoch;
        final long startAt;
        final AtomicReference<State> state = new AtomicReference<>(State.PENDING);
        private volatile long validUntil;
        private volatile boolean invalid;

        Held(int part, long epoch, long renewedAt, long startAt) {
            this.part = part;
            this.epoch = epoch;
            this.startAt = startAt;
            this.validUntil = renewedAt + leaseNanos;
        }

        void renewed(long at) {
            validUntil = at + leaseNanos;
        }

        void invalidate() {
            invalid = true;
        }

        @Override
        public String consumer() {
            return consumer;
        }

        @Override
        public int partition() {
            return part;
        }

        @Override
        public int partitions() {
            return partitions;
        }

        @Override
        public long epoch() {
            return epoch;
        }

        @Override
        public boolean valid() {
            return !invalid && System.nanoTime() - validUntil < 0;
        }
    }
}
