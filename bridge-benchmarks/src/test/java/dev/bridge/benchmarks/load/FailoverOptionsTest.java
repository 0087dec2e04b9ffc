package dev.bridge.benchmarks.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class FailoverOptionsTest {

    @Test
    void failoverDefaultsAreTheIssuesMeasurement() {
        FailoverOptions o = FailoverOptions.parse("failover");
        assertThat(o.mode()).isEqualTo(FailoverOptions.Mode.FAILOVER);
        assertThat(o.kills()).isEqualTo(22);
        assertThat(o.terms()).isEqualTo(10);
        assertThat(o.signals()).hasSize(32).startsWith(true).endsWith(false);
        assertThat(o.signals().stream().filter(kill -> kill).count()).isEqualTo(22);
        assertThat(o.rate()).isEqualTo(200);
        assertThat(o.keys()).isEqualTo(100);
        assertThat(o.receiverDelay()).isZero();
        assertThat(o.leaseTime()).isEqualTo(Duration.ofSeconds(1));
        assertThat(o.jar()).isEqualTo(Path.of("bridge-app/target/bridge.jar"));
        assertThat(o.childJvm()).containsExactly("-Xmx256m");
    }

    @Test
    void scaleOutDefaultsHaveTheSlowReceiverAndTheShippedSinkSettings() {
        FailoverOptions o = FailoverOptions.parse("scale-out");
        assertThat(o.mode()).isEqualTo(FailoverOptions.Mode.SCALE_OUT);
        assertThat(o.receiverDelay()).isEqualTo(Duration.ofMillis(20));
        assertThat(o.receiverThreads()).isEqualTo(256);
        assertThat(o.processes()).isEqualTo(3);
        assertThat(o.partitions()).isEqualTo(6);
        assertThat(o.keys()).isEqualTo(10_000);
        assertThat(o.maxInFlight()).isEqualTo(16);
        assertThat(o.parallelism()).isEqualTo(4);
        assertThat(o.batchSize()).isEqualTo(100);
    }

    @Test
    void readsEveryOption() {
        FailoverOptions o = FailoverOptions.parse("scale-out", "--jar", "/x/bridge.jar", "--child-jvm", " -Xmx128m  -XX:+UseSerialGC ",
                "--writers=3", "--keys", "300", "--size", "4KB", "--receiver-delay", "5ms", "--receiver-threads", "64",
                "--max-in-flight", "8", "--parallelism", "2", "--batch-size", "50", "--lease-time", "500ms",
                "--checkpoint-interval", "200ms", "--drain-idle", "5s", "--pg-data-dir", "/var/tmp/pg", "--kills", "0", "--terms", "3",
                "--rate", "50", "--pause", "1s", "--processes", "4", "--partitions", "12", "--backlog", "1000");
        assertThat(o.jar()).isEqualTo(Path.of("/x/bridge.jar"));
        assertThat(o.childJvm()).containsExactly("-Xmx128m", "-XX:+UseSerialGC");
        assertThat(o.writers()).isEqualTo(3);
        assertThat(o.keys()).isEqualTo(300);
        assertThat(o.valueBytes()).isEqualTo(4096);
        assertThat(o.receiverDelay()).isEqualTo(Duration.ofMillis(5));
        assertThat(o.maxInFlight()).isEqualTo(8);
        assertThat(o.leaseTime()).isEqualTo(Duration.ofMillis(500));
        assertThat(o.checkpointInterval()).isEqualTo(Duration.ofMillis(200));
        assertThat(o.signals()).containsExactly(false, false, false);
        assertThat(o.processes()).isEqualTo(4);
        assertThat(o.partitions()).isEqualTo(12);
        assertThat(o.backlog()).isEqualTo(1000);
        assertThat(o.pgDataDir()).contains(Path.of("/var/tmp/pg"));
        assertThat(FailoverOptions.parse("--help").help()).isTrue();
        assertThat(FailoverOptions.parse("failover", "-h").help()).isTrue();
    }

    @Test
    void badInputIsNamed() {
        List.of(
                List.of(), List.of("--kills", "3"), List.of("takeover"), List.of("failover", "--frobnicate"), List.of("failover", "--rate"),
                List.of("failover", "--rate", "0"), List.of("failover", "--kills", "0", "--terms", "0"), List.of("failover", "--kills", "-1"),
                List.of("failover", "--writers", "5"), List.of("failover", "--keys", "1", "--writers", "2"),
                List.of("failover", "--lease-time", "100ms"), List.of("scale-out", "--processes", "1"),
                List.of("scale-out", "--partitions", "2000"), List.of("scale-out", "--receiver-delay", "fast"),
                List.of("scale-out", "--drain-idle", "0s")
        ).forEach(args -> assertThatThrownBy(() -> FailoverOptions.parse(args.toArray(String[]::new)))
                .as("%s", args)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageMatching("(?s).*(--|unknown option|mode).*"));
    }
}
