package dev.bridge.core.settings;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bridge.core.InvalidSettingException;
import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class MapSettingsTest {

    private static Settings settings(Object... keysAndValues) {
        Map<String, Object> values = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            values.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return new MapSettings("bridge.sinks[1]", values);
    }

    private static void assertInvalid(Runnable read, String message) {
        assertThatThrownBy(read::run).isInstanceOf(InvalidSettingException.class).hasMessage(message);
    }

    @Test
    void pathIsTheBlocksPath() {
        assertThat(settings().path()).isEqualTo("bridge.sinks[1]");
    }

    @Test
    void absentKeysAreEmpty() {
        Settings s = settings("other", "x");

        assertThat(s.string("url")).isEmpty();
        assertThat(s.integer("port")).isEmpty();
        assertThat(s.bool("tls")).isEmpty();
        assertThat(s.duration("timeout")).isEmpty();
        assertThat(s.stringList("channels")).isEmpty();
        assertThat(s.stringMap("headers")).isEmpty();
    }

    @Test
    void aNullValueCountsAsAbsent() {
        Map<String, Object> values = new HashMap<>();
        values.put("url", null);

        assertThat(new MapSettings("s", values).string("url")).isEmpty();
    }

    @Test
    void stringsFromTextNumbersAndBooleans() {
        Settings s = settings("url", "http://h/x", "port", 6379, "tls", true);

        assertThat(s.string("url")).contains("http://h/x");
        assertThat(s.string("port")).contains("6379");
        assertThat(s.string("tls")).contains("true");
        assertInvalid(() -> settings("url", List.of("a")).string("url"), "bridge.sinks[1].url must be text, got a list");
        assertInvalid(() -> settings("url", Map.of("a", "b")).string("url"), "bridge.sinks[1].url must be text, got a block");
        assertInvalid(() -> settings("url", Duration.ofSeconds(1)).string("url"), "bridge.sinks[1].url must be text, got PT1S");
    }

    @Test
    void integersFromWholeNumbersAndNumericText() {
        Settings s = settings("a", 7, "b", 7L, "c", " 42 ", "d", 7.0, "e", (short) 3, "f", BigInteger.TEN, "g", -1);

        assertThat(List.of(s.integer("a"), s.integer("b"), s.integer("c"), s.integer("d"), s.integer("e"), s.integer("f"), s.integer("g")))
                .containsExactly(Optional.of(7), Optional.of(7), Optional.of(42), Optional.of(7), Optional.of(3), Optional.of(10), Optional.of(-1));
        assertInvalid(() -> settings("port", "ten").integer("port"), "bridge.sinks[1].port must be a whole number, got 'ten'");
        assertInvalid(() -> settings("port", 2.5).integer("port"), "bridge.sinks[1].port must be a whole number, got 2.5");
        assertInvalid(() -> settings("port", true).integer("port"), "bridge.sinks[1].port must be a whole number, got true");
        assertInvalid(() -> settings("port", 99_999_999_999L).integer("port"),
                "bridge.sinks[1].port must be a whole number between -2147483648 and 2147483647, got 99999999999");
    }

    @Test
    void booleansFromBooleansAndTrueOrFalseInAnyCase() {
        Settings s = settings("a", true, "b", "FALSE", "c", "True");

        assertThat(List.of(s.bool("a"), s.bool("b"), s.bool("c"))).containsExactly(Optional.of(true), Optional.of(false), Optional.of(true));
        assertInvalid(() -> settings("tls", "yes").bool("tls"), "bridge.sinks[1].tls must be true or false, got 'yes'");
        assertInvalid(() -> settings("tls", 1).bool("tls"), "bridge.sinks[1].tls must be true or false, got 1");
    }

    @Test
    void durationsFromDurationsMillisecondsUnitsAndIso8601() {
        Object[][] cases = {
            {Duration.ofSeconds(5), Duration.ofSeconds(5)},
            {250, Duration.ofMillis(250)},
            {250L, Duration.ofMillis(250)},
            {"500", Duration.ofMillis(500)},
            {"250ms", Duration.ofMillis(250)},
            {"5s", Duration.ofSeconds(5)},
            {"5 s", Duration.ofSeconds(5)},
            {"2m", Duration.ofMinutes(2)},
            {"1h", Duration.ofHours(1)},
            {"1d", Duration.ofDays(1)},
            {"PT5S", Duration.ofSeconds(5)},
            {"P1DT2H", Duration.ofHours(26)},
            {"0s", Duration.ZERO},
        };
        for (Object[] c : cases) {
            assertThat(settings("timeout", c[0]).duration("timeout")).as("%s", c[0]).contains((Duration) c[1]);
        }
    }

    @Test
    void rejectsWhatIsNotADuration() {
        String expected = "bridge.sinks[1].timeout must be a duration such as 500ms, 5s or 2m, got ";
        assertInvalid(() -> settings("timeout", "soon").duration("timeout"), expected + "'soon'");
        assertInvalid(() -> settings("timeout", "1.5s").duration("timeout"), expected + "'1.5s'");
        assertInvalid(() -> settings("timeout", "5 seconds").duration("timeout"), expected + "'5 seconds'");
        assertInvalid(() -> settings("timeout", "5S").duration("timeout"), expected + "'5S'");
        assertInvalid(() -> settings("timeout", "PT5X").duration("timeout"), expected + "'PT5X'");
        assertInvalid(() -> settings("timeout", "99999999999999999999d").duration("timeout"), expected + "'99999999999999999999d'");
        assertInvalid(() -> settings("timeout", "9999999999999999d").duration("timeout"), expected + "'9999999999999999d'");
        assertInvalid(() -> settings("timeout", 1.5).duration("timeout"), expected + "1.5");
        assertInvalid(() -> settings("timeout", List.of("5s")).duration("timeout"), expected + "a list");
    }

    @Test
    void rejectsNegativeDurations() {
        assertInvalid(() -> settings("timeout", "-5s").duration("timeout"), "bridge.sinks[1].timeout must not be negative, got '-5s'");
        assertInvalid(() -> settings("timeout", -1).duration("timeout"), "bridge.sinks[1].timeout must not be negative, got -1");
        assertInvalid(() -> settings("timeout", "PT-1S").duration("timeout"), "bridge.sinks[1].timeout must not be negative, got 'PT-1S'");
        assertInvalid(() -> settings("timeout", Duration.ofSeconds(-2)).duration("timeout"),
                "bridge.sinks[1].timeout must not be negative, got PT-2S");
    }

    @Test
    void stringListsInOrder() {
        Settings s = settings("channels", List.of("b", "a", 3));

        assertThat(s.stringList("channels")).containsExactly("b", "a", "3");
        assertThatThrownBy(() -> s.stringList("channels").add("x")).isInstanceOf(UnsupportedOperationException.class);
        assertInvalid(() -> settings("channels", "a,b").stringList("channels"),
                "bridge.sinks[1].channels must be a list of text values, got 'a,b'");
        assertInvalid(() -> settings("channels", List.of("a", Map.of())).stringList("channels"),
                "bridge.sinks[1].channels[1] must be text, got a block");
        List<Object> withNull = new ArrayList<>();
        withNull.add(null);
        assertInvalid(() -> settings("channels", withNull).stringList("channels"), "bridge.sinks[1].channels[0] must be text, got nothing");
    }

    @Test
    void stringMapsInTheOrderWritten() {
        Map<String, Object> headers = new LinkedHashMap<>();
        headers.put("X-Z", "z");
        headers.put("X-A", 1);
        Settings s = settings("headers", headers);

        assertThat(s.stringMap("headers")).containsExactly(Map.entry("X-Z", "z"), Map.entry("X-A", "1"));
        assertThatThrownBy(() -> s.stringMap("headers").put("x", "y")).isInstanceOf(UnsupportedOperationException.class);
        assertInvalid(() -> settings("headers", List.of()).stringMap("headers"), "bridge.sinks[1].headers must be a block of text values, got a list");
        assertInvalid(() -> settings("headers", Map.of("X-List", List.of(1))).stringMap("headers"),
                "bridge.sinks[1].headers.X-List must be text, got a list");
    }

    @Test
    void dottedKeysReachNestedBlocks() {
        Settings s = settings("tls", Map.of("enabled", true, "ca", Map.of("file", "/ca.pem")), "a.b", "literal");

        assertThat(s.bool("tls.enabled")).contains(true);
        assertThat(s.string("tls.ca.file")).contains("/ca.pem");
        assertThat(s.string("a.b")).contains("literal");
        assertThat(s.string("tls.missing")).isEmpty();
        assertInvalid(() -> settings("tls", Map.of("enabled", "sometimes")).bool("tls.enabled"),
                "bridge.sinks[1].tls.enabled must be true or false, got 'sometimes'");
    }

    @Test
    void requireStringInsistsOnText() {
        assertThat(settings("url", "http://h").requireString("url")).isEqualTo("http://h");
        assertInvalid(() -> settings().requireString("url"), "bridge.sinks[1].url is required; set it in the sink's block");
        assertInvalid(() -> settings("url", " ").requireString("url"), "bridge.sinks[1].url must not be blank");
    }

    @Test
    void neverShowsTheValueOfASecretLookingKey() {
        assertInvalid(() -> settings("password", "hunter2").integer("password"), "bridge.sinks[1].password must be a whole number, got <hidden>");
        assertInvalid(() -> settings("apiToken", "tok-123").duration("apiToken"),
                "bridge.sinks[1].apiToken must be a duration such as 500ms, 5s or 2m, got <hidden>");
        assertInvalid(() -> settings("clientSECRET", 42).bool("clientSECRET"), "bridge.sinks[1].clientSECRET must be true or false, got <hidden>");
        assertInvalid(() -> settings("signingKey", "k").integer("signingKey"), "bridge.sinks[1].signingKey must be a whole number, got <hidden>");
        assertInvalid(() -> settings("auth", Map.of("ttl", "forever")).duration("auth.ttl"),
                "bridge.sinks[1].auth.ttl must be a duration such as 500ms, 5s or 2m, got <hidden>");
        assertInvalid(() -> settings("password", List.of("x")).string("password"), "bridge.sinks[1].password must be text, got a list");
    }

    @Test
    void looksSecretMatchesTheUsualWordsInAnyCase() {
        assertThat(List.of("password", "dbPassword", "SECRET", "token", "apiKey", "Authorization", "credentials"))
                .allMatch(Settings::looksSecret);
        assertThat(List.of("url", "stream", "timeout", "channels")).noneMatch(Settings::looksSecret);
    }

    @Test
    void showsLongValuesShortened() {
        String value = "v".repeat(500);

        assertThatThrownBy(() -> settings("port", value).integer("port"))
                .hasMessage("bridge.sinks[1].port must be a whole number, got '" + "v".repeat(100) + "…'");
    }

    @Test
    void invalidBuildsAnErrorNamingTheFullPath() {
        InvalidSettingException e = settings().invalid("mode", "must be fast or safe, got 'slow'");

        assertThat(e).hasMessage("bridge.sinks[1].mode must be fast or safe, got 'slow'");
        assertThat(e.path()).isEqualTo("bridge.sinks[1].mode");
    }

    @Test
    void isACopyThatChangesToTheMapDoNotReach() {
        Map<String, Object> values = new HashMap<>();
        List<Object> channels = new ArrayList<>(List.of("a"));
        values.put("channels", channels);
        values.put("url", "before");
        Settings s = new MapSettings("s", values);

        values.put("url", "after");
        channels.add("b");

        assertThat(s.string("url")).contains("before");
        assertThat(s.stringList("channels")).containsExactly("a");
    }

    @Test
    void toStringShowsKeysButNoValues() {
        assertThat(settings("url", "http://h", "password", "hunter2").toString())
                .isEqualTo("MapSettings[bridge.sinks[1]: url, password]");
    }

    @Test
    void rejectsABlankPath() {
        assertThatThrownBy(() -> new MapSettings(" ", Map.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("path must not be blank, got ' '");
    }
}
