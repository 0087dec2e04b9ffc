package dev.bridge.benchmarks.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bridge.postgres.DeliveryMode;
import java.util.List;
import org.junit.jupiter.api.Test;

class LoadOptionsTest {

    @Test
    void defaultsAreTheFullMatrixOfTheIssue() {
        LoadOptions o = LoadOptions.parse();
        assertThat(o.writers()).containsExactly(1, 4);
        assertThat(o.sizes()).containsExactly(200, 4096, 65536);
        assertThat(o.modes()).containsExactly(DeliveryMode.AT_LEAST_ONCE, DeliveryMode.AT_MOST_ONCE);
        assertThat(o.arrival().closed()).isTrue();
        assertThat(o.postgres()).isEmpty();
        assertThat(o.redisUri()).isEmpty();
        // Per size and writers: the ceiling, the naive path, Bridge in both modes.
        assertThat(o.configurations()).hasSize(3 * 2 * 4);
        assertThat(o.configurations().subList(0, 4)).containsExactly(
                new Configuration(Configuration.Kind.NO_TRIGGER, null, 1, 200),
                new Configuration(Configuration.Kind.NAIVE, null, 1, 200),
                new Configuration(Configuration.Kind.BRIDGE, DeliveryMode.AT_LEAST_ONCE, 1, 200),
                new Configuration(Configuration.Kind.BRIDGE, DeliveryMode.AT_MOST_ONCE, 1, 200));
    }

    @Test
    void quickShrinksTheWorkloadAndExplicitOptionsWinInAnyOrder() {
        LoadOptions quick = LoadOptions.parse("--quick");
        assertThat(quick.changes()).isLessThan(LoadOptions.parse().changes());
        assertThat(quick.configurations()).hasSize(24);
        assertThat(LoadOptions.parse("--changes", "77", "--quick").changes()).isEqualTo(77);
        assertThat(LoadOptions.parse("--quick", "--changes=77").changes()).isEqualTo(77);
    }

    @Test
    void readsEveryOption() {
        LoadOptions o = LoadOptions.parse("--paths", "bridge", "--modes", "at-most-once", "--writers", "2,8", "--sizes", "1k,300B",
                "--arrival", "poisson:250", "--warmup", "0", "--drain-idle", "3", "--csv", "out/x.csv",
                "--jdbc-url", "jdbc:postgresql://db/x", "--user", "u", "--password", "p", "--redis-uri", "redis://r:1");
        assertThat(o.configurations()).containsExactly(
                new Configuration(Configuration.Kind.BRIDGE, DeliveryMode.AT_MOST_ONCE, 2, 1024),
                new Configuration(Configuration.Kind.BRIDGE, DeliveryMode.AT_MOST_ONCE, 8, 1024),
                new Configuration(Configuration.Kind.BRIDGE, DeliveryMode.AT_MOST_ONCE, 2, 300),
                new Configuration(Configuration.Kind.BRIDGE, DeliveryMode.AT_MOST_ONCE, 8, 300));
        assertThat(o.arrival()).isEqualTo(new Arrival(Arrival.Kind.POISSON, 250));
        assertThat(o.warmup()).isZero();
        assertThat(o.postgres().orElseThrow().toString()).isEqualTo("jdbc:postgresql://db/x as u");
        assertThat(o.redisUri()).contains("redis://r:1");
    }

    @Test
    void badInputIsNamed() {
        List.of(
                List.of("--frobnicate"), List.of("--changes"), List.of("--changes", "0"), List.of("--changes", "many"),
                List.of("--paths", "kafka"), List.of("--modes", "exactly-once"), List.of("--sizes", "5"),
                List.of("--arrival", "burst"), List.of("--user", "u"), List.of("--writers", "")
        ).forEach(args -> assertThatThrownBy(() -> LoadOptions.parse(args.toArray(String[]::new)))
                .as("%s", args)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageMatching("(?s).*(--|unknown option).*"));
    }
}
