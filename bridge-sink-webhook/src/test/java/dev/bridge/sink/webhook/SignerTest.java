package dev.bridge.sink.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class SignerTest {

    /** The published example of the Standard Webhooks reference libraries (standard-webhooks/standard-webhooks). */
    private static final String SPEC_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    private static final String SPEC_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    private static final long SPEC_TIMESTAMP = 1614265330;
    private static final byte[] SPEC_PAYLOAD = "{\"test\": 2432232314}".getBytes(StandardCharsets.UTF_8);
    private static final String SPEC_SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

    private static final String OTHER_SECRET = "whsec_" + java.util.Base64.getEncoder().encodeToString(new byte[32]);

    @Test
    void matchesTheSpecificationsExample() {
        assertThat(new Signer(List.of(SPEC_SECRET)).sign(SPEC_ID, SPEC_TIMESTAMP, SPEC_PAYLOAD)).isEqualTo(SPEC_SIGNATURE);
    }

    @Test
    void signsOncePerSecretSpaceSeparatedInOrder() {
        String both = new Signer(List.of(OTHER_SECRET, SPEC_SECRET)).sign(SPEC_ID, SPEC_TIMESTAMP, SPEC_PAYLOAD);

        assertThat(both.split(" ")).hasSize(2).allMatch(s -> s.startsWith("v1,")).endsWith(SPEC_SIGNATURE);
        assertThat(both.split(" ")[0]).isEqualTo(new Signer(List.of(OTHER_SECRET)).sign(SPEC_ID, SPEC_TIMESTAMP, SPEC_PAYLOAD));
    }

    @Test
    void anyChangeOfIdTimestampOrBodyChangesTheSignature() {
        Signer signer = new Signer(List.of(SPEC_SECRET));

        assertThat(signer.sign("msg_2", SPEC_TIMESTAMP, SPEC_PAYLOAD)).isNotEqualTo(SPEC_SIGNATURE);
        assertThat(signer.sign(SPEC_ID, SPEC_TIMESTAMP + 1, SPEC_PAYLOAD)).isNotEqualTo(SPEC_SIGNATURE);
        assertThat(signer.sign(SPEC_ID, SPEC_TIMESTAMP, "{\"test\":2432232314}".getBytes(StandardCharsets.UTF_8)))
                .isNotEqualTo(SPEC_SIGNATURE);
    }

    @Test
    void noSecretsNoSignature() {
        assertThat(new Signer(List.of()).signs()).isFalse();
    }

    @Test
    void rejectsMalformedSecretsWithoutShowingThem() {
        assertThatThrownBy(() -> Signer.key("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "secrets[0]"))
                .hasMessage("secrets[0] must start with whsec_ followed by base64 of the key")
                .message().doesNotContain("MfKQ9r8");
        assertThatThrownBy(() -> Signer.key("whsec_not*base64!", "secrets[1]"))
                .hasMessage("secrets[1] is not valid base64 after whsec_");
        assertThatThrownBy(() -> Signer.key("whsec_c2hvcnQ=", "secrets[2]"))
                .hasMessage("secrets[2] must hold 24 to 64 key bytes (the specification's range), got 5");
    }

    @Test
    void neverPrintsItsKeys() {
        assertThat(new Signer(List.of(SPEC_SECRET)).toString()).isEqualTo("Signer[1 key(s)]");
    }
}
