package dev.bridge.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bridge.core.port.ChangeHandler;
import dev.bridge.core.port.ChangeSource;
import dev.bridge.core.port.Subscription;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Partitions spread keys evenly, and a source's default partition drops the others' changes but passes every checkpoint. */
class PartitioningTest {

    @Test
    void keysSpreadEvenlyAndAKeyStaysInItsPartition() {
        int[] counts = new int[8];
        for (int i = 0; i < 16_000; i++) {
            Key key = new Key("orders", "o-" + i);
            int p = Partitioning.partition(key, 8);
            assertThat(Partitioning.partition(new Key("orders", "o-" + i), 8)).isEqualTo(p);
            counts[p]++;
        }
        for (int count : counts) {
            assertThat(count).isBetween(1_800, 2_200);
        }
        assertThat(Partitioning.partition(new Key("orders", "x"), 1)).isZero();
        assertThatThrownBy(() -> Partitioning.partition(new Key("orders", "x"), 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void jsonStringsAreWrittenAsPostgresWritesThem() {
        assertThat(Partitioning.jsonString("a\"b\\c\n\t\b\f\r\u0001\u001f\u007fé/")).isEqualTo("\"a\\\"b\\\\c\\n\\t\\b\\f\\r\\u0001\\u001f\u007fé/\"");
    }

    @Test
    void aSourcesDefaultPartitionDropsTheOthersChangesAndPassesEveryCheckpoint() throws Exception {
        List<Change> changes = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            changes.add(new Change(Op.INSERT, "orders", "o-" + i, 1, Instant.EPOCH, Json.parse("{}"), null, i + 1));
        }
        ChangeSource source = (from, handler) -> {
            try {
                for (Change c : changes) {
                    handler.onChange(c);
                    handler.onCheckpoint(new Checkpoint(Long.toString(c.seq())));
                }
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            return new Subscription() {
                @Override
                public boolean isActive() {
                    return false;
                }

                @Override
                public void close() {
                }
            };
        };
        List<Change> got = new ArrayList<>();
        List<Checkpoint> checkpoints = new ArrayList<>();
        source.partition(2, 3).subscribe(Optional.empty(), new ChangeHandler() {
            @Override
            public void onChange(Change change) {
                got.add(change);
            }

            @Override
            public void onCheckpoint(Checkpoint checkpoint) {
                checkpoints.add(checkpoint);
            }
        });
        assertThat(got).isNotEmpty().allMatch(c -> Partitioning.partition(c.key(), 3) == 2)
                .hasSize((int) changes.stream().filter(c -> Partitioning.partition(c.key(), 3) == 2).count());
        assertThat(checkpoints).hasSize(200);
        assertThatThrownBy(() -> source.partition(3, 3)).isInstanceOf(IllegalArgumentException.class);
    }
}
