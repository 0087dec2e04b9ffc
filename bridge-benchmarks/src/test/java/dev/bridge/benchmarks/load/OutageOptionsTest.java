package dev.bridge.benchmarks.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class OutageOptionsTest {

    @Test
    void defaultsAreTheIssuesMeasurement() {
        OutageOptions o = OutageOptions.parse();
        assertThat(o.rate()).isEqualTo(500);
        assertThat(o.warmup()).isEqualTo(Duration.ofSeconds(15));
        assertThat(o.baseline()).isEqualTo(Duration.ofSeconds(60));
        assertThat(o.outage()).isEqualTo(Duration.ofMinutes(2));
        assertThat(o.outageKind()).isEqualTo(WebhookReceiver.Outage.REFUSE);
        assertThat(o.backlog()).isEqualTo(60_000);
        assertThat(o.slots()).as("the pre-fill and 500/s over 15 + 60 + 120 + 900 + 10 + 60 s").isEqualTo(60_000 + 500 * 1165);
    }

    @Test
    void readsEveryOption() {
        OutageOptions o = OutageOptions.parse("--rate", "250", "--writers=4", "--size", "4KB", "--backlog", "1000", "--warmup", "0",
                "--baseline", "10s", "--outage", "2m", "--outage-kind", "503", "--tail", "500ms", "--max-recovery", "90",
                "--drain-idle", "5s", "--pg-data-dir", "/var/tmp/pg");
        assertThat(o.writers()).isEqualTo(4);
        assertThat(o.valueBytes()).isEqualTo(4096);
        assertThat(o.warmup()).isZero();
        assertThat(o.outage()).isEqualTo(Duration.ofSeconds(120));
        assertThat(o.outageKind()).isEqualTo(WebhookReceiver.Outage.UNAVAILABLE);
        assertThat(o.tail()).isEqualTo(Duration.ofMillis(500));
        assertThat(o.maxRecovery()).isEqualTo(Duration.ofSeconds(90));
        assertThat(o.pgDataDir()).isPresent();
        assertThat(OutageOptions.parse("--outage-kind", "HANG").outageKind()).isEqualTo(WebhookReceiver.Outage.HANG);
        assertThat(OutageOptions.parse("-h").help()).isTrue();
    }

    @Test
    void badInputIsNamed() {
        List.of(
                List.of("--frobnicate"), List.of("--rate"), List.of("--rate", "0"), List.of("--rate", "fast"), List.of("--writers", "5"),
                List.of("--size", "5"), List.of("--outage", "0s"), List.of("--outage", "2h"), List.of("--outage-kind", "flaky"),
                List.of("--backlog", "0")
        ).forEach(args -> assertThatThrownBy(() -> OutageOptions.parse(args.toArray(String[]::new)))
                .as("%s", args)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageMatching("(?s).*(--|unknown option).*"));
    }
}
