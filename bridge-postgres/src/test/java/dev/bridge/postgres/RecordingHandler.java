package dev.bridge.postgres;

import dev.bridge.core.Change;
import dev.bridge.core.Gap;
import dev.bridge.core.port.ChangeHandler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/** Collects what a listener hands over, and waits for it. */
final class RecordingHandler implements ChangeHandler {

    final List<Change> changes = new CopyOnWriteArrayList<>();
    final List<Gap> gaps = new CopyOnWriteArrayList<>();

    @Override
    public void onChange(Change change) {
        changes.add(change);
    }

    @Override
    public void onGap(Gap gap) {
        gaps.add(gap);
    }

    List<Change> awaitChanges(int count, Duration timeout) throws InterruptedException {
        awaitTrue(() -> changes.size() >= count, timeout, () -> "expected " + count + " changes, got " + changes.size());
        return new ArrayList<>(changes);
    }

    Change awaitChange(Predicate<Change> match, Duration timeout) throws InterruptedException {
        awaitTrue(() -> changes.stream().anyMatch(match), timeout, () -> "no matching change among " + changes.size());
        return changes.stream().filter(match).findFirst().orElseThrow();
    }

    static void awaitTrue(java.util.function.BooleanSupplier condition, Duration timeout, java.util.function.Supplier<String> failure)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(failure.get());
            }
            Thread.sleep(10);
        }
    }
}
