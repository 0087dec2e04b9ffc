package dev.bridge.core.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bridge.core.Change;
import dev.bridge.core.DeadLetter;
import dev.bridge.core.port.Ack;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DeadLetterReplayTest {

    private final InMemoryChangeLog log = new InMemoryChangeLog();
    private final InMemoryStores.DeadLetters store = new InMemoryStores.DeadLetters();
    private final ScriptedSink hooks = new ScriptedSink("hooks");
    private final ScriptedSink cache = new ScriptedSink("cache");
    private final List<DeadLetterReplay.Outcome> heard = new ArrayList<>();

    private DeadLetterReplay replay() {
        return replay(hooks, cache);
    }

    private DeadLetterReplay replay(ScriptedSink... sinks) {
        List<SinkBinding> bindings = new ArrayList<>();
        for (ScriptedSink sink : sinks) {
            bindings.add(new SinkBinding(sink, SinkFilter.all(), DeliveryPolicy.defaults()));
        }
        return new DeadLetterReplay(store, bindings);
    }

    private DeadLetter letter(String sink, String id) {
        Change change = log.append("orders", id, 1);
        return store.add(sink, change, "503", 8);
    }

    @Test
    void eachLetterGoesToItsOwnSinkAndOnlyThoseDeliveredLeaveTheStore() {
        DeadLetter a = letter("hooks", "a");
        DeadLetter b = letter("cache", "b");
        DeadLetter c = letter("hooks", "c");
        DeadLetter gone = letter("removed-sink", "d");
        hooks.script = change -> change.id().equals("c") ? Ack.retry("still 503") : Ack.delivered();

        int replayed = replay().replay(Optional.empty(), Set.of(), 100, heard::add);

        assertThat(replayed).isEqualTo(2);
        assertThat(hooks.delivered).containsExactly(a.change());
        assertThat(cache.delivered).containsExactly(b.change());
        assertThat(store.letters).containsExactly(c, gone);
        assertThat(heard).containsExactly(new DeadLetterReplay.Outcome.Replayed(a), new DeadLetterReplay.Outcome.Replayed(b),
                new DeadLetterReplay.Outcome.NotDelivered(c, Ack.retry("still 503")), new DeadLetterReplay.Outcome.NoSuchSink(gone));
        assertThat(hooks.stopped).isTrue();
        assertThat(cache.stopped).isTrue();
    }

    @Test
    void onlyTheLettersAskedForUpToTheLimit() {
        DeadLetter a = letter("hooks", "a");
        letter("cache", "b");
        DeadLetter c = letter("hooks", "c");
        DeadLetter d = letter("hooks", "d");

        assertThat(replay().replay(Optional.of("hooks"), Set.of(), 2, heard::add)).isEqualTo(2);
        assertThat(hooks.delivered).containsExactly(a.change(), c.change());
        assertThat(cache.delivered).isEmpty();

        assertThat(cache.stopped).as("a sink with no letter to replay is never started or stopped").isFalse();
        ScriptedSink again = new ScriptedSink("hooks");
        assertThat(replay(again, cache).replay(Optional.empty(), Set.of(d.id()), 100, heard::add)).isEqualTo(1);
        assertThat(again.delivered).containsExactly(d.change());
        assertThat(store.letters).extracting(DeadLetter::sink).containsExactly("cache");
    }
}
