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

/** The PL/pgSQL encoders, unsigned and signed, produce byte for byte the frames of the Java encoders. */
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
    void reproducesEverySignedGoldenVector() throws SQLException {
        List<GoldenVectors.Vector> vectors = GoldenVectors.loadSigned();
        assertThat(vectors).hasSizeGreaterThan(10);
        byte[][] pads = pads("decode('" + GoldenVectors.SIGNED_KEY_HEX + "', 'hex')");
        for (GoldenVectors.Vector v : vectors) {
            assertThat(signedFrames(pads, v.id(), v.payload(), v.maxFrameBytes())).as(v.name()).containsExactlyElementsOf(v.frames());
        }
        assertThatThrownBy(() -> signedFrames(pads, "1", "x", 127)).hasMessageContaining("between 128 and 7999");
    }

    @Test
    void theSchemaHasARandomKeyWhosePadsAreItsOwn() throws SQLException {
        String s = OPTIONS.schema();
        assertThat(TestPostgres.queryString(DB, "SELECT octet_length(key) FROM " + s + ".bridge_frame_keys")).isEqualTo("32");
        byte[][] stored = pads("NULL");
        byte[][] derived = pads("(SELECT key FROM " + s + ".bridge_frame_keys)");
        assertThat(stored[2]).isEqualTo(derived[0]);
        assertThat(stored[3]).isEqualTo(derived[1]);
        PostgresOptions other = TestPostgres.freshOptions();
        TestPostgres.bridge(other).schema().install();
        assertThat(TestPostgres.queryString(DB, "SELECT (SELECT key FROM " + s + ".bridge_frame_keys) = (SELECT key FROM "
                + other.schema() + ".bridge_frame_keys)")).as("each schema draws its own").isEqualTo("f");
    }

    /** The inner and outer pads of {@code keyExpression}, then the schema's stored ones. */
    private static byte[][] pads(String keyExpression) throws SQLException {
        String s = OPTIONS.schema();
        try (Connection c = DB.getConnection();
                PreparedStatement ps = c.prepareStatement("SELECT (p).ipad, (p).opad, k.ipad, k.opad FROM (SELECT " + s
                        + ".bridge_hmac_pads(" + keyExpression + ") AS p) x, " + s + ".bridge_frame_keys k");
                ResultSet rs = ps.executeQuery()) {
            rs.next();
            return new byte[][] {rs.getBytes(1), rs.getBytes(2), rs.getBytes(3), rs.getBytes(4)};
        }
    }

    private static List<String> signedFrames(byte[][] pads, String id, String payload, int max) throws SQLException {
        try (Connection c = DB.getConnection();
                PreparedStatement ps = c.prepareStatement("SELECT f FROM " + OPTIONS.schema() + ".bridge_signed_frames(?, ?, ?, ?, ?) AS f")) {
            ps.setBytes(1, pads[0]);
            ps.setBytes(2, pads[1]);
            ps.setString(3, id);
            ps.setString(4, payload);
            ps.setInt(5, max);
            List<String> frames = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    frames.add(rs.getString(1));
                }
            }
            return frames;
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
