package dev.bridge.core.engine;

import dev.bridge.core.DeadLetter;
import dev.bridge.core.port.Ack;
import dev.bridge.core.port.ChangeSink;
import dev.bridge.core.port.DeadLetterStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * Delivers dead letters again, each to the sink that gave up on it, one at a time and oldest
 * first, and removes each one that sink acknowledges as delivered; the others stay. Each sink is
 * started before its first letter and stopped at the end. Not for a sink an engine is running:
 * give it sinks of their own.
 */
public final class DeadLetterReplay {

    /** What became of one letter. */
    public sealed interface Outcome {
        DeadLetter letter();

        /** Delivered and removed from the store. */
        record Replayed(DeadLetter letter) implements Outcome {
        }

        /** Not delivered (the sink's acknowledgement says why); it stays in the store. */
        record NotDelivered(DeadLetter letter, Ack ack) implements Outcome {
        }

        /** Its sink is not among those given; it stays in the store. */
        record NoSuchSink(DeadLetter letter) implements Outcome {
        }
    }

    private final DeadLetterStore store;
    private final Map<String, SinkBinding> sinks = new LinkedHashMap<>();

    /** @param sinks the sinks letters may go to, by their names; unstarted */
    public DeadLetterReplay(DeadLetterStore store, List<SinkBinding> sinks) {
        this.store = Objects.requireNonNull(store, "store");
        sinks.forEach(b -> this.sinks.put(b.sink().name(), b));
    }

    /**
     * @param sink only this sink's letters; empty for every sink's
     * @param ids only the letters of these ids; empty for all
     * @param limit at most this many letters
     * @param each hears of each letter's outcome as it happens
     * @return how many letters were replayed
     */
    public int replay(Optional<String> sink, Set<Long> ids, int limit, Consumer<Outcome> each) {
        Map<String, ChangeSink> started = new LinkedHashMap<>();
        int replayed = 0;
        try {
            for (DeadLetter letter : letters(sink.orElse(null), ids, limit)) {
                SinkBinding binding = sinks.get(letter.sink());
                if (binding == null) {
                    each.accept(new Outcome.NoSuchSink(letter));
                    continue;
                }
                ChangeSink target = started.computeIfAbsent(letter.sink(), n -> {
                    binding.sink().start();
                    return binding.sink();
                });
                Ack ack = deliver(target, letter, binding.policy().ackTimeout());
                if (ack instanceof Ack.Delivered) {
                    store.remove(letter.id());
                    replayed++;
                    each.accept(new Outcome.Replayed(letter));
                } else {
                    each.accept(new Outcome.NotDelivered(letter, ack));
                }
            }
        } finally {
            started.values().forEach(ChangeSink::stop);
        }
        return replayed;
    }

    private List<DeadLetter> letters(String sink, Set<Long> ids, int limit) {
        List<DeadLetter> letters = new ArrayList<>();
        long after = 0;
        while (letters.size() < limit) {
            List<DeadLetter> page = store.list(sink, after, 500);
            if (page.isEmpty()) {
                break;
            }
            for (DeadLetter letter : page) {
                if ((ids.isEmpty() || ids.contains(letter.id())) && letters.size() < limit) {
                    letters.add(letter);
                }
            }
            after = page.get(page.size() - 1).id();
        }
        return letters;
    }

    private static Ack deliver(ChangeSink sink, DeadLetter letter, Duration timeout) {
        CompletableFuture<Ack> outcome = new CompletableFuture<>();
        try {
            sink.deliver(List.of(letter.change()), (change, ack) -> outcome.complete(ack));
            return outcome.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            return Ack.retry("no answer within " + timeout.toSeconds() + " s");
        } catch (ExecutionException e) {
            return Ack.retry(String.valueOf(e.getCause()));
        } catch (RuntimeException e) {
            return Ack.retry("the sink threw " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Ack.retry("interrupted");
        }
    }
}
