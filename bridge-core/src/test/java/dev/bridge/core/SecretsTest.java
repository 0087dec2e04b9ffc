package dev.bridge.core;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SecretsTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "redis://:s3cret@h:6379/0        | redis://***@h:6379/0",
        "Redis://:s3cret@h:6379          | Redis://***@h:6379",
        "redis:/:s3cret@h                | redis:/***@h",
        "redis://:pa/ss@wo@rd@h:6379     | redis://***@h:6379",
        "http//admin:s3cret@h/x          | http//***@h/x",
        "admin:s3cret@h                  | admin:***@h",
        "s3cret@h                        | ***@h",
        "https://h/hooks?token=s3cret    | https://h/hooks?***",
        "https://u:p@h/x?token=t#frag    | https://***@h/x?***",
        "https://h/x#s3cret              | https://h/x#***",
        "jdbc:postgresql://db:5432/app   | jdbc:postgresql://db:5432/app",
        "redis://h:6379                  | redis://h:6379",
        "https://hooks.slack.com/services/T0/B0/s3cret | https://hooks.slack.com/services/***",
        "https://discord.com/api/webhooks/1/s3cret?wait=true | https://discord.com/api/***?***",
        "jdbc:postgresql://db:5432/app/s3cret | jdbc:postgresql://db:5432/app/***",
        "https://h/hook/                 | https://h/hook/",
        "https://h/                      | https://h/"})
    void userInfoQueryFragmentAndPathBeyondItsFirstSegmentNeverShow(String uri, String shown) {
        assertThat(Secrets.maskUri(uri)).isEqualTo(shown).doesNotContain("s3cret", "pa/ss", "token=");
    }
}
