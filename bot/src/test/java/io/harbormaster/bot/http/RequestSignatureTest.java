package io.harbormaster.bot.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class RequestSignatureTest {
    private static final Instant NOW = Instant.ofEpochSecond(1_800_000_000L);

    @Test
    void theSkewWindowIsFiveMinutesEitherWayAndAbsurdTimestampsDoNotWrapIntoIt() {
        long now = NOW.getEpochSecond();
        assertThat(RequestSignature.withinSkew(now - 300, NOW)).isTrue();
        assertThat(RequestSignature.withinSkew(now + 300, NOW)).isTrue();
        assertThat(RequestSignature.withinSkew(now - 301, NOW)).isFalse();
        assertThat(RequestSignature.withinSkew(now + 301, NOW)).isFalse();
        // |now - ts| overflows for these: they must still be outside the window
        assertThat(RequestSignature.withinSkew(Long.MIN_VALUE, NOW)).isFalse();
        assertThat(RequestSignature.withinSkew(Long.MIN_VALUE + now, NOW)).isFalse();
        assertThat(RequestSignature.withinSkew(Long.MAX_VALUE, NOW)).isFalse();
    }

    @Test
    void eachVersionSignsWithItsOwnPrefixAndOnlyItsOwnSignatureMatches() {
        byte[] body = "token=x&text=hello".getBytes(StandardCharsets.UTF_8);
        var slack = RequestSignature.slack("secret");
        var ci = new RequestSignature("v1", "secret");
        String ts = Long.toString(NOW.getEpochSecond());
        assertThat(slack.sign(ts, body)).startsWith("v0=").hasSize(3 + 64);
        assertThat(ci.sign(ts, body)).startsWith("v1=");
        assertThat(slack.matches(ts, body, slack.sign(ts, body))).isTrue();
        assertThat(slack.matches(ts, body, ci.sign(ts, body))).isFalse();
        assertThat(slack.refusal(ts, slack.sign(ts, body), body, NOW)).isEmpty();
        assertThat(slack.refusal(ts, new RequestSignature("v0", "other").sign(ts, body), body, NOW))
                .contains("bad signature");
    }
}
