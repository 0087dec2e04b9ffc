package dev.bridge.benchmarks.load;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ReceiptsTest {

    private static final long MS = 1_000_000;

    /** One writer over two ids, no warm-up, six changes: each id goes to versions 2, 3 and 4. */
    private final Workload workload = new Workload(2, 1, 1, 0, 6);
    private final Ledger sends = new Ledger(workload);
    private final Receipts receipts = new Receipts(workload, sends, 2);

    @Test
    void keepsTheFirstArrivalOfEachChangeAndCountsRepeatsStrangersAndChangesOutOfOrder() {
        for (int j = 0; j < 6; j++) {
            sends.sent(workload.slot(0, j), MS);
        }
        receipts.arrived(0, 2, 10 * MS);
        receipts.arrived(0, 4, 11 * MS);
        receipts.arrived(0, 3, 12 * MS); // after version 4
        receipts.arrived(0, 2, 13 * MS); // again
        receipts.arrived(1, 2, 14 * MS);
        receipts.arrived(1, 3, 15 * MS);
        receipts.arrived(1, 9, 16 * MS); // never sent
        receipts.arrived(-1, -1, 17 * MS); // another bucket

        Receipts.Counts c = receipts.counts();
        assertThat(c.received()).isEqualTo(5);
        assertThat(c.duplicates()).isEqualTo(1);
        assertThat(c.unexpected()).isEqualTo(2);
        assertThat(c.reordered()).isEqualTo(1);
        assertThat(receipts.firstArrival(workload.slotOf(0, 2))).isEqualTo(10 * MS);
        assertThat(receipts.firstArrival(workload.slotOf(1, 4))).isZero();
    }

    @Test
    void aChangeThatArrivesBeforeItsSendIsNotedIsUnexpected() {
        receipts.arrived(0, 2, MS);
        assertThat(receipts.counts().unexpected()).isEqualTo(1);
        assertThat(receipts.received()).isZero();
    }
}
