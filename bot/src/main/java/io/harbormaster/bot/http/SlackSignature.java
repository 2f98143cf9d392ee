package io.harbormaster.bot.http;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Optional;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Slack's request signature ({@code X-Slack-Signature: v0=<hex HMAC-SHA256 of "v0:{timestamp}:{raw body}">}), checked
 * before a byte of the body is read as a payload. A timestamp more than 5 minutes off the server's clock, in either
 * direction, is refused (a request stamped in the future would otherwise stay replayable until then), and the signature
 * is compared in constant time.
 */
final class SlackSignature {
    static final String SIGNATURE_HEADER = "X-Slack-Signature";
    static final String TIMESTAMP_HEADER = "X-Slack-Request-Timestamp";
    static final Duration MAX_SKEW = Duration.ofMinutes(5);

    /** Unix seconds: digits only, so that no sign, space or exponent reaches the comparison. */
    private static final Pattern SECONDS = Pattern.compile("[0-9]{1,12}");

    private final byte[] secret;

    SlackSignature(String signingSecret) {
        this.secret = signingSecret == null ? new byte[0] : signingSecret.getBytes(StandardCharsets.UTF_8);
    }

    /** Why the request is refused, or empty when it is signed with the secret within the allowed skew of {@code now}. */
    Optional<String> refusal(String timestamp, String signature, byte[] body, Instant now) {
        if (secret.length == 0) {
            return Optional.of("no signing secret is configured");
        }
        if (timestamp == null || signature == null) {
            return Optional.of("unsigned request");
        }
        if (!SECONDS.matcher(timestamp).matches()) {
            return Optional.of("malformed timestamp");
        }
        long skew = Math.abs(now.getEpochSecond() - Long.parseLong(timestamp)); // 12 digits: no overflow
        if (skew > MAX_SKEW.toSeconds()) {
            return Optional.of("timestamp more than 5 minutes off");
        }
        var expected = sign(timestamp, body).getBytes(StandardCharsets.US_ASCII);
        if (!MessageDigest.isEqual(expected, signature.getBytes(StandardCharsets.UTF_8))) {
            return Optional.of("bad signature");
        }
        return Optional.empty();
    }

    private String sign(String timestamp, byte[] body) {
        try {
            var mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            mac.update(("v0:" + timestamp + ":").getBytes(StandardCharsets.US_ASCII));
            return "v0=" + HexFormat.of().formatHex(mac.doFinal(body));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every Java runtime", e);
        }
    }
}
