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
 * Slack's request signing scheme, which the CI intake uses too with its own version: a signature header
 * {@code <version>=<hex HMAC-SHA256 of "<version>:{timestamp}:{raw body}">} beside a timestamp header in unix seconds.
 * Slack's is {@code v0} ({@code X-Slack-Signature}, {@code X-Slack-Request-Timestamp}), checked before a byte of the
 * body is read as a payload; the CI intake's is {@code v1} ({@link DeployRequestsApi}). A timestamp more than 5
 * minutes off the server's clock, in either direction, is refused (a request stamped in the future would otherwise
 * stay replayable until then), and the signature is compared in constant time.
 */
final class RequestSignature {
    static final String SLACK_SIGNATURE_HEADER = "X-Slack-Signature";
    static final String SLACK_TIMESTAMP_HEADER = "X-Slack-Request-Timestamp";
    static final Duration MAX_SKEW = Duration.ofMinutes(5);

    /** Unix seconds: digits only, so that no sign, space or exponent reaches the comparison. */
    private static final Pattern SECONDS = Pattern.compile("[0-9]{1,12}");

    private final String version;
    private final byte[] secret;

    /** @param version the scheme's version, {@code v0} for Slack's requests */
    RequestSignature(String version, String signingSecret) {
        this.version = version;
        this.secret = signingSecret == null ? new byte[0] : signingSecret.getBytes(StandardCharsets.UTF_8);
    }

    /** Slack's scheme with the app's signing secret. */
    static RequestSignature slack(String signingSecret) {
        return new RequestSignature("v0", signingSecret);
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
        if (!withinSkew(Long.parseLong(timestamp), now)) { // 12 digits: parses
            return Optional.of("timestamp more than 5 minutes off");
        }
        if (!matches(timestamp, body, signature)) {
            return Optional.of("bad signature");
        }
        return Optional.empty();
    }

    /** Whether {@code seconds} is within {@link #MAX_SKEW} of {@code now}, either way (no overflow for any long). */
    static boolean withinSkew(long seconds, Instant now) {
        long nowSeconds = now.getEpochSecond();
        return seconds >= nowSeconds - MAX_SKEW.toSeconds() && seconds <= nowSeconds + MAX_SKEW.toSeconds();
    }

    /** Whether {@code given} is the signature of {@code body} at {@code timestamp} (constant time). */
    boolean matches(String timestamp, byte[] body, String given) {
        return MessageDigest.isEqual(
                sign(timestamp, body).getBytes(StandardCharsets.US_ASCII), given.getBytes(StandardCharsets.UTF_8));
    }

    /** The signature header's value for {@code body} sent with {@code timestamp}. */
    String sign(String timestamp, byte[] body) {
        try {
            var mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            mac.update((version + ":" + timestamp + ":").getBytes(StandardCharsets.UTF_8));
            return version + "=" + HexFormat.of().formatHex(mac.doFinal(body));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every Java runtime", e);
        }
    }
}
