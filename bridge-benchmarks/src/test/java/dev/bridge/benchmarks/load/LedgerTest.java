package dev.bridge.benchmarks.load;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LedgerTest {

    private static final long MS = 1_000_000;

    /** Two writers over ten ids, two warm-up changes and eight measured ones. */
    private final Workload workload = new Workload(10, 0, 2, 2, 8);
    private final Ledger ledger = new Ledger(workload);

    @Test
    void countsLostDuplicatedAndUnexpectedArrivalsAndTimesTheFirstArrivalOfEach() {
        sendAll(1_000 * MS);
        for (int w = 0; w < 2; w++) {
            for (int j = 0; j < workload.changesOf(w); j++) {
                if (w == 1 && j == 4) {
                    continue; // lost
                }
                ledger.arrived(workload.id(w, j), workload.version(w, j), (1_000 + 3) * MS);
            }
        }
        ledger.arrived(workload.id(0, 3), workload.version(0, 3), 2_000 * MS);
        ledger.arrived(workload.id(0, 0), workload.version(0, 0), 2_000 * MS);
        ledger.arrived(9_999, 1, 2_000 * MS);
        ledger.arrived(workload.id(0, 0), 99, 2_000 * MS);

        Ledger.Tally tally = ledger.tally(8);
        assertThat(tally.received()).isEqualTo(7);
        assertThat(tally.lost()).isEqualTo(1);
        assertThat(tally.duplicates()).as("a measured and a warm-up change again").isEqualTo(2);
        assertThat(tally.unexpected()).isEqualTo(2);
        assertThat(ledger.warmupReceived()).isEqualTo(2);
        assertThat(tally.latency().getTotalCount()).as("first arrivals of measured changes only").isEqualTo(7);
        assertThat(tally.latency().getMaxValue()).isBetween(2_990L, 3_010L);
        assertThat(tally.lastArrival()).isEqualTo(1_003 * MS);
    }

    @Test
    void aChangeThatArrivesBeforeItsSendIsNotedIsUnexpected() {
        ledger.arrived(workload.id(0, 0), workload.version(0, 0), 5 * MS);
        assertThat(ledger.tally(8).unexpected()).isEqualTo(1);
        assertThat(ledger.warmupReceived()).isZero();
    }

    @Test
    void nothingArrivedMeansEverythingIsLost() {
        sendAll(MS);
        Ledger.Tally tally = ledger.tally(8);
        assertThat(tally.lost()).isEqualTo(8);
        assertThat(tally.latency().getTotalCount()).isZero();
    }

    private void sendAll(long at) {
        for (int w = 0; w < 2; w++) {
            for (int j = 0; j < workload.changesOf(w); j++) {
                ledger.sent(workload.slot(w, j), at);
            }
        }
    }
}
