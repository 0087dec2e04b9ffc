package dev.bridge.benchmarks.load;

import com.sun.management.GarbageCollectionNotificationInfo;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import javax.management.ListenerNotFoundException;
import javax.management.Notification;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;

/**
 * The heap this JVM uses while one configuration runs, two ways: the highest heap in use, sampled
 * every 10 ms (garbage not yet collected included, so it follows the collector's heuristics and
 * {@code -Xmx} as much as the program), and the highest heap still in use right after a
 * collection, from the collectors' notifications (close to the live data; after a young collection
 * it still counts old garbage, so it errs high). The second is the one to hold against a heap
 * budget. Both cover the whole JVM: the harness's own data (two arrays of 8 and 4 bytes per change,
 * the histogram, the values) is included.
 */
final class HeapMeter implements AutoCloseable {

    private final Set<String> heapPools = ManagementFactory.getMemoryPoolMXBeans().stream()
            .filter(p -> p.getType() == MemoryType.HEAP).map(MemoryPoolMXBean::getName).collect(Collectors.toSet());
    private final AtomicLong peak = new AtomicLong();
    private final AtomicLong afterGc = new AtomicLong();
    private final List<NotificationEmitter> emitters = new ArrayList<>();
    private final NotificationListener listener = this::collected;
    private final Thread sampler;
    private volatile boolean running = true;

    private HeapMeter() {
        afterGc.set(ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            if (gc instanceof NotificationEmitter emitter) {
                emitter.addNotificationListener(listener, null, null);
                emitters.add(emitter);
            }
        }
        sampler = new Thread(this::sample, "heap-meter");
        sampler.setDaemon(true);
        sampler.start();
    }

    /** Collects what earlier configurations left, then starts measuring from what is still in use. */
    static HeapMeter start() {
        System.gc();
        return new HeapMeter();
    }

    /** The highest heap in use seen so far, in bytes. */
    long peak() {
        return peak.get();
    }

    /** The highest heap in use right after a collection so far (the one at the start included), in bytes. */
    long afterGc() {
        return afterGc.get();
    }

    private void sample() {
        while (running) {
            peak.accumulateAndGet(ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed(), Math::max);
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void collected(Notification n, Object handback) {
        if (!n.getType().equals(GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION)) {
            return;
        }
        GarbageCollectionNotificationInfo info = GarbageCollectionNotificationInfo.from((CompositeData) n.getUserData());
        long used = 0;
        for (var pool : info.getGcInfo().getMemoryUsageAfterGc().entrySet()) {
            if (heapPools.contains(pool.getKey())) {
                MemoryUsage usage = pool.getValue();
                used += usage.getUsed();
            }
        }
        afterGc.accumulateAndGet(used, Math::max);
    }

    @Override
    public void close() {
        running = false;
        sampler.interrupt();
        for (NotificationEmitter emitter : emitters) {
            try {
                emitter.removeNotificationListener(listener);
            } catch (ListenerNotFoundException ignored) {
                // already gone
            }
        }
    }
}
