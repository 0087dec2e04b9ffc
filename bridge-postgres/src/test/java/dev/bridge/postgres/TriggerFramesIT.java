package dev.bridge.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bridge.core.protocol.GoldenVectors;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The PL/pgSQL encoder produces byte for byte the frames of the Java encoder. */
class TriggerFramesIT {

    private static final DataSource DB = TestPostgres.dataSource();
    private static final PostgresOptions OPTIONS = TestPostgres.freshOptions();

    @BeforeAll
    static void install() {
        TestPostgres.bridge(OPTIONS).schema().install();
    }

    @Test
    void reproducesEveryGoldenVector() throws SQLException {
        List<GoldenVectors.Vector> vectors = GoldenVectors.load();
        assertThat(vectors).hasSizeGreaterThan(10);
        for (GoldenVectors.Vector v : vectors) {
            assertThat(frames(v.id(), v.payload(), v.maxFrameBytes())).as(v.name()).containsExactlyElementsOf(v.frames());
        }
    }

    @Test
    void refusesLimitsAndIdsOutsideTheProtocol() {
        assertThatThrownBy(() -> frames("1", "x", 63)).hasMessageContaining("max_bytes must be between 64 and 7999");
        assertThatThrownBy(() -> frames("1", "x", 8000)).hasMessageContaining("max_bytes must be between 64 and 7999");
        assertThatThrownBy(() -> frames("a-b", "x", 100)).hasMessageContaining("message id");
    }

    private static List<String> frames(String id, String payload, int max) throws SQLException {
        try (Connection c = DB.getConnection();
                PreparedStatement ps = c.prepareStatement("SELECT f FROM " + OPTIONS.schema() + ".bridge_frames(?, ?, ?) AS f")) {
            ps.setString(1, id);
            ps.setString(2, payload);
            ps.setInt(3, max);
            List<String> frames = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    frames.add(rs.getString(1));
                }
            }
            return frames;
        }
    }
}
