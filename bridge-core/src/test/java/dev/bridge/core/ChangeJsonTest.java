package dev.bridge.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bridge.core.protocol.FrameEncoder;
import dev.bridge.core.protocol.Outcome;
import dev.bridge.core.protocol.Payload;
import dev.bridge.core.protocol.Reassembler;
import dev.bridge.core.protocol.ReassemblerOptions;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class ChangeJsonTest {

    private static final Instant TS = Instant.parse("2026-11-24T10:15:30.123456Z");

    @Test
    void writesTheDocumentedFormInOrder() {
        Change change = new Change(Op.UPDATE, "orders", "42", 7, TS,
                Json.parse("{\"status\":\"paid\"}"), Json.parse("{\"status\":\"new\"}"), 1051);

        assertThat(ChangeJson.toJson(change)).isEqualTo("{\"op\":\"UPDATE\",\"bucket\":\"orders\",\"id\":\"42\","
                + "\"version\":7,\"ts\":\"2026-11-24T10:15:30.123456Z\",\"seq\":1051,"
                + "\"val\":{\"status\":\"paid\"},\"old\":{\"status\":\"new\"}}");
    }

    @Test
    void roundTripsKeepingValAndOldVerbatim() {
        Change change = new Change(Op.INSERT, "b", "ключ 😀", 1, TS,
                Json.parse("{\"a\": [1, 2.50, \"x\"],  \"b\" : null, \"c\": \"é\\u00e9\"}"), null, 3);

        Change back = ChangeJson.read(ChangeJson.toJson(change));

        assertThat(back).isEqualTo(change);
        assertThat(back.val().text()).isEqualTo("{\"a\": [1, 2.50, \"x\"],  \"b\" : null, \"c\": \"é\\u00e9\"}");
        assertThat(back.old()).isNull();
    }

    @Test
    void sizeIsTheLengthOfTheBytesWithoutBuildingThem() {
        for (Change change : new Change[] {
            new Change(Op.INSERT, "b", "ключ 😀\"", 1, TS, Json.parse("{\"a\": \"é€😀\\u00e9\", \"b\": [1, null]}"), null, 3),
            new Change(Op.DELETE, "orders", "1", 0, TS, null, Json.parse("{\"x\":\"" + "中".repeat(1000) + "\"}"), 0),
            new Change(Op.UPDATE, "b", "2", 2, TS, Json.parse("12"), Json.parse("\"s\""), Long.MAX_VALUE)}) {
            assertThat(ChangeJson.size(change)).isEqualTo(ChangeJson.toBytes(change).length);
        }
    }

    @Test
    void scalarValuesAreCapturedWhole() {
        for (String val : new String[] {"\"text with \\\" quote\"", "12345678901234567890", "-1.5e3", "true", "[]", "{}"}) {
            Change back = ChangeJson.read("{\"op\":\"INSERT\",\"bucket\":\"b\",\"id\":\"1\",\"ts\":\"2026-11-24T10:15:30Z\","
                    + "\"val\":" + val + ",\"old\":null}");
            assertThat(back.val().text()).isEqualTo(val);
        }
    }

    @Test
    void readsAChangeSplitOverManyFrames() {
        String big = "x".repeat(50_000) + "é".repeat(10_000);
        Change change = new Change(Op.UPDATE, "b", "1", 2, TS, Json.of(java.util.Map.of("big", big)), Json.parse("{}"), 9);
        Reassembler reassembler = new Reassembler(ReassemblerOptions.defaults());
        Outcome outcome = null;
        for (String frame : new FrameEncoder().encode("9", ChangeJson.toJson(change))) {
            outcome = reassembler.accept(frame);
        }

        Change back = ChangeJson.read(((Outcome.Complete) outcome).payload().asString());

        assertThat(back).isEqualTo(change);
    }

    @Test
    void readsValuesBeyondJacksonsDefaultLimits() {
        String deep = "[".repeat(5_000) + "]".repeat(5_000);
        String longString = "\"" + "y".repeat(21_000_000) + "\"";
        for (String val : new String[] {deep, longString}) {
            Change back = ChangeJson.read("{\"op\":\"INSERT\",\"bucket\":\"b\",\"id\":\"1\",\"ts\":\"2026-11-24T10:15:30Z\",\"val\":" + val + "}");
            assertThat(back.val().text()).hasSize(val.length());
        }
    }

    @Test
    void acceptsMembersInAnyOrderAndIgnoresUnknownOnes() {
        Change back = ChangeJson.read("{\"future\":{\"x\":[1]},\"seq\":5,\"val\":1,\"id\":\"i\",\"ts\":\"2026-11-24T11:15:30+01:00\","
                + "\"bucket\":\"b\",\"op\":\"DELETE\",\"version\":3}");

        assertThat(back).isEqualTo(new Change(Op.DELETE, "b", "i", 3, Instant.parse("2026-11-24T10:15:30Z"), Json.parse("1"), null, 5));
    }

    @Test
    void readsTheOriginalDesignsPayloadInLegacyMode() {
        Instant received = Instant.parse("2026-01-01T00:00:00Z");
        Change back = ChangeJson.read("{\"op\":\"INSERT\",\"bucket\":\"b\",\"id\":\"1\",\"val\":{\"k\":1},\"old\":null}", received);

        assertThat(back).isEqualTo(new Change(Op.INSERT, "b", "1", 0, received, Json.parse("{\"k\":1}"), null, 0));
    }

    @Test
    void rejectsBadChangesWithAMessageThatNamesTheProblemButNotTheContent() {
        String secret = "s3cr3t-value";
        assertMalformed("[1]", "must be a JSON object");
        assertMalformed("{\"op\":\"INSERT\",\"bucket\":\"b\",\"ts\":\"2026-11-24T10:15:30Z\",\"val\":\"" + secret + "\"}",
                "required member 'id'");
        assertMalformed("{\"op\":\"UPSERT\",\"bucket\":\"b\",\"id\":\"1\",\"ts\":\"2026-11-24T10:15:30Z\"}", "INSERT, UPDATE or DELETE");
        assertThat(ChangeJson.read("{\"op\":\"INSERT\",\"bucket\":\"b\",\"id\":\"1\"}").ts()).as("ts may be left out")
                .isCloseTo(Instant.now(), org.assertj.core.api.Assertions.within(1, java.time.temporal.ChronoUnit.MINUTES));
        assertMalformed("{\"op\":\"INSERT\",\"bucket\":\"b\",\"id\":\"1\",\"ts\":\"yesterday\"}", "RFC 3339");
        assertMalformed("{\"op\":\"INSERT\",\"bucket\":\"\",\"id\":\"1\",\"ts\":\"2026-11-24T10:15:30Z\"}", "bucket must not be empty");
        assertMalformed("{\"op\":\"INSERT\",\"bucket\":\"b\",\"id\":1,\"ts\":\"2026-11-24T10:15:30Z\"}", "'id' must be a string");
        assertMalformed("{\"op\":\"INSERT\",\"bucket\":\"b\",\"id\":\"1\",\"version\":\"2\",\"ts\":\"2026-11-24T10:15:30Z\"}", "'version' must be an integer");
        assertMalformed("{\"op\":\"INSERT\",\"op\":\"DELETE\",\"bucket\":\"b\",\"id\":\"1\",\"ts\":\"2026-11-24T10:15:30Z\"}", "not valid JSON");
        assertMalformed("{\"op\":\"INSERT\",\"bucket\":\"b\",\"id\":\"1\",\"ts\":\"2026-11-24T10:15:30Z\",\"val\":{\"" + secret, "not valid JSON");
        assertMalformed("{\"op\":\"INSERT\",\"bucket\":\"b\",\"id\":\"1\",\"ts\":\"2026-11-24T10:15:30Z\"} {}", "continues after");
        assertThatThrownBy(() -> ChangeJson.read("{\"op\":\"INSERT\",\"bucket\":\"b\",\"ts\":\"x\",\"val\":\"" + secret + "\"}"))
                .hasMessageNotContaining(secret);
    }

    private static void assertMalformed(String json, String messagePart) {
        assertThatThrownBy(() -> ChangeJson.read(json))
                .isInstanceOf(MalformedChangeException.class)
                .hasMessageContaining(messagePart)
                .hasMessageNotContaining("s3cr3t");
    }
}
