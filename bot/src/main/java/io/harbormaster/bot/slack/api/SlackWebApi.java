package io.harbormaster.bot.slack.api;

import com.slack.api.app_backend.interactive_components.ActionResponseSender;
import com.slack.api.app_backend.interactive_components.response.ActionResponse;
import com.slack.api.methods.MethodsClient;
import com.slack.api.methods.SlackApiException;
import com.slack.api.methods.SlackApiTextResponse;
import io.harbormaster.bot.http.BotMetrics;
import io.harbormaster.bot.slack.messages.SlackMessage;
import io.harbormaster.engine.policy.PersonDirectory;
import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Slack Web API calls Harbormaster makes, asynchronous and safe to ignore: every call answers a
 * {@link SlackResult} and never throws into the caller's flow. A {@code 429} is retried after its {@code Retry-After}
 * (a bounded number of times), transport failures and 5xx a few times with backoff. Messages posted to one channel
 * go out in order and at most one per {@link Settings#perChannel()}, Slack's pace for {@code chat.postMessage}.
 */
public final class SlackWebApi implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SlackWebApi.class);
    private static final String LOOKUP_BY_EMAIL = "users.lookupByEmail";
    /** What a post to a request's {@code response_url} is called in the log and in the metrics. */
    private static final String RESPONSE_URL = "response_url";

    /**
     * How the client paces and retries.
     *
     * @param perChannel the least time between two messages posted to one channel
     * @param maxRetries retries after the first attempt
     * @param maxWait the longest a single retry waits, whatever {@code Retry-After} says
     */
    public record Settings(Duration perChannel, int maxRetries, Duration maxWait) {
        public static Settings defaults() {
            return new Settings(Duration.ofSeconds(1), 3, Duration.ofSeconds(30));
        }
    }

    private final MethodsClient client;
    private final ActionResponseSender responses;
    private final BotMetrics metrics;
    private final Settings settings;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final ConcurrentHashMap<String, CompletableFuture<?>> channelQueues = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Long> lastPost = new ConcurrentHashMap<>();

    /** {@code client} must carry the bot token ({@code Slack#methods(token)}). */
    public SlackWebApi(MethodsClient client, BotMetrics metrics, Settings settings) {
        this(client, new ActionResponseSender(com.slack.api.Slack.getInstance()), metrics, settings);
    }

    /**
     * ... and {@code responses} posts to a request's {@code response_url} ({@link #replaceCommandAnswer}) with the
     * same Slack client configuration as {@code client}.
     */
    public SlackWebApi(MethodsClient client, ActionResponseSender responses, BotMetrics metrics, Settings settings) {
        this.client = client;
        this.responses = responses;
        this.metrics = metrics;
        this.settings = settings;
    }

    /** A top-level message in {@code channel}. */
    public CompletableFuture<SlackResult> post(String channel, SlackMessage message) {
        return paced(channel, () -> postNow(channel, message, Optional.empty(), false));
    }

    /** A reply in a thread. */
    public CompletableFuture<SlackResult> reply(ThreadRef thread, SlackMessage message) {
        return paced(thread.channel(), () -> postNow(thread.channel(), message, Optional.of(thread.ts()), false));
    }

    /** A reply in a thread that is also shown in the channel ({@code reply_broadcast}), e.g. a rollback notice. */
    public CompletableFuture<SlackResult> broadcast(ThreadRef thread, SlackMessage message) {
        return paced(thread.channel(), () -> postNow(thread.channel(), message, Optional.of(thread.ts()), true));
    }

    /** Replaces a message the bot posted ({@code chat.update}): the deploy's parent message, a closed escalation. */
    public CompletableFuture<SlackResult> update(String channel, String ts, SlackMessage message) {
        return CompletableFuture.supplyAsync(
                () -> call("chat.update", () -> {
                    var r = client.chatUpdate(
                            b -> b.channel(channel).ts(ts).text(message.text()).blocks(message.blocks()));
                    return r.isOk() ? sent(r.getChannel(), r.getTs()) : failed("chat.update", r);
                }),
                executor);
    }

    /** A message only {@code user} sees. */
    public CompletableFuture<SlackResult> ephemeral(String channel, String user, SlackMessage message) {
        return CompletableFuture.supplyAsync(
                () -> call("chat.postEphemeral", () -> {
                    var r = client.chatPostEphemeral(b ->
                            b.channel(channel).user(user).text(message.text()).blocks(message.blocks()));
                    return r.isOk() ? sent(channel, r.getMessageTs()) : failed("chat.postEphemeral", r);
                }),
                executor);
    }

    /**
     * Replaces what a slash command's acknowledgement showed the person (its "Checking …") by {@code message}, through
     * the command's {@code response_url} with {@code replace_original}: still seen by that person only, in the same
     * place. Slack takes a response_url a few times within 30 minutes; a refusal, or Slack out of reach, is answered
     * as a failure (once, not retried: the caller tells the person another way).
     */
    public CompletableFuture<SlackResult> replaceCommandAnswer(String responseUrl, SlackMessage message) {
        return CompletableFuture.supplyAsync(
                () -> {
                    try {
                        var r = responses.send(
                                responseUrl,
                                ActionResponse.builder()
                                        .responseType("ephemeral")
                                        .replaceOriginal(true)
                                        .text(message.text())
                                        .blocks(message.blocks())
                                        .build());
                        if (r.getCode() != null && r.getCode() == 200) {
                            return sent("", "");
                        }
                        var body = r.getBody() == null ? "" : r.getBody().strip();
                        var error = body.isEmpty() || body.length() > 64 || body.contains(" ")
                                ? "http_" + r.getCode()
                                : body;
                        return refused(RESPONSE_URL, error);
                    } catch (IOException e) {
                        // the address is a credential of sorts: it is not logged
                        return refused(RESPONSE_URL, "unreachable");
                    } catch (RuntimeException e) {
                        log.warn(
                                "Slack {} failed: {}",
                                RESPONSE_URL,
                                e.getClass().getSimpleName());
                        return refused(RESPONSE_URL, "internal_error");
                    }
                },
                executor);
    }

    private SlackResult refused(String method, String error) {
        metrics.slackApiError(method, error);
        log.warn("Slack {} refused: {}", method, error);
        return new SlackResult.Failed(method, error);
    }

    /** A link to a message, e.g. the deploy thread for the rollback notice; empty if Slack cannot give one. */
    public CompletableFuture<Optional<String>> permalink(ThreadRef thread) {
        return CompletableFuture.supplyAsync(
                () -> {
                    var link = new String[1];
                    var result = call("chat.getPermalink", () -> {
                        var r = client.chatGetPermalink(
                                b -> b.channel(thread.channel()).messageTs(thread.ts()));
                        link[0] = r.getPermalink();
                        return r.isOk() ? sent(thread.channel(), thread.ts()) : failed("chat.getPermalink", r);
                    });
                    return result.ok() ? Optional.ofNullable(link[0]) : Optional.<String>empty();
                },
                executor);
    }

    /**
     * The bot token's scopes, from the {@code x-oauth-scopes} header Slack sends with its answer to
     * {@code auth.test}; empty when Slack could not be asked or did not say.
     */
    public Optional<java.util.Set<String>> grantedScopes() {
        try {
            var r = client.authTest(b -> b);
            var headers = r.getHttpResponseHeaders();
            if (!r.isOk() || headers == null) {
                return Optional.empty();
            }
            return headers.entrySet().stream()
                    .filter(e -> e.getKey() != null && e.getKey().equalsIgnoreCase("x-oauth-scopes"))
                    .flatMap(e -> e.getValue().stream())
                    .findFirst()
                    .map(v -> java.util.Arrays.stream(v.split(","))
                            .map(String::strip)
                            .filter(scope -> !scope.isEmpty())
                            .collect(java.util.stream.Collectors.toUnmodifiableSet()));
        } catch (IOException | SlackApiException | RuntimeException e) {
            log.debug("auth.test for the token's scopes failed", e);
            return Optional.empty();
        }
    }

    /**
     * Who in the workspace has {@code email} ({@code users.lookupByEmail}, which needs the {@code users:read.email}
     * scope): found, nobody, or why Slack could not say (with what would fix it when a person can).
     */
    public CompletableFuture<PersonDirectory.Lookup> memberByEmail(String email) {
        return CompletableFuture.supplyAsync(
                () -> {
                    var found = new String[1];
                    var result = call(LOOKUP_BY_EMAIL, () -> {
                        var r = client.usersLookupByEmail(b -> b.email(email));
                        if (r.isOk() && r.getUser() != null && r.getUser().getId() != null) {
                            found[0] = r.getUser().getId();
                            return sent("", "");
                        }
                        // Nobody has the address: an answer, not a failure.
                        return "users_not_found".equals(r.getError()) ? sent("", "") : failed(LOOKUP_BY_EMAIL, r);
                    });
                    return switch (result) {
                        case SlackResult.Sent s ->
                            found[0] != null
                                    ? new PersonDirectory.Lookup.Found(found[0])
                                    : new PersonDirectory.Lookup.NotFound();
                        case SlackResult.Failed(var method, var error)
                        when error.equals("missing_scope") ->
                            new PersonDirectory.Lookup.Unavailable(
                                    "Slack refused to look the address up (missing_scope:"
                                            + " the Slack app needs the users:read.email scope; add it, as slack-app.yml has it,"
                                            + " and reinstall the app)");
                        case SlackResult.Failed(var method, var error) ->
                            new PersonDirectory.Lookup.Unavailable(
                                    "Slack could not be asked who has that address (" + error + ")");
                    };
                },
                executor);
    }

    @Override
    public void close() {
        executor.shutdown();
    }

    private SlackResult postNow(String channel, SlackMessage message, Optional<String> threadTs, boolean broadcast) {
        return call("chat.postMessage", () -> {
            var r = client.chatPostMessage(b -> {
                b.channel(channel).text(message.text()).blocks(message.blocks());
                threadTs.ifPresent(ts -> b.threadTs(ts).replyBroadcast(broadcast));
                return b;
            });
            return r.isOk() ? sent(r.getChannel(), r.getTs()) : failed("chat.postMessage", r);
        });
    }

    /** Runs {@code post} after every earlier post to the channel, and no sooner than the pace allows. */
    private CompletableFuture<SlackResult> paced(String channel, java.util.function.Supplier<SlackResult> post) {
        var result = new CompletableFuture<SlackResult>();
        channelQueues.compute(channel, (k, previous) -> {
            var before = previous == null ? CompletableFuture.completedFuture(null) : previous;
            return before.handleAsync(
                    (ignored, error) -> {
                        waitForTurn(channel);
                        try {
                            result.complete(post.get());
                        } catch (RuntimeException e) {
                            result.complete(new SlackResult.Failed("chat.postMessage", "internal_error"));
                        } finally {
                            lastPost.put(channel, System.nanoTime());
                        }
                        return null;
                    },
                    executor);
        });
        return result;
    }

    private void waitForTurn(String channel) {
        var last = lastPost.get(channel);
        if (last != null) {
            sleep(Duration.ofNanos(last + settings.perChannel().toNanos() - System.nanoTime()));
        }
    }

    /** One Web API method call. */
    @FunctionalInterface
    private interface Attempt {
        SlackResult run() throws IOException, SlackApiException;
    }

    private SlackResult call(String method, Attempt attempt) {
        String lastError = "internal_error";
        for (int i = 0; i <= settings.maxRetries(); i++) {
            if (i > 0) {
                metrics.slackApiRetry(method);
            }
            try {
                var result = attempt.run();
                if (result instanceof SlackResult.Failed f) {
                    metrics.slackApiError(method, f.error());
                    log.warn("Slack {} refused: {}", method, f.error());
                }
                return result;
            } catch (SlackApiException e) {
                int status = e.getResponse().code();
                if (status == 429) {
                    lastError = "ratelimited";
                    var wait = retryAfter(e.getResponse().header("Retry-After"));
                    log.info("Slack {} rate limited; retrying after {} s", method, wait.toSeconds());
                    if (i < settings.maxRetries()) {
                        sleep(wait);
                    }
                } else if (status >= 500) {
                    lastError = "http_" + status;
                    if (i < settings.maxRetries()) {
                        sleep(backoff(i));
                    }
                } else {
                    lastError = "http_" + status;
                    break;
                }
            } catch (IOException e) {
                lastError = "unreachable";
                log.warn("Slack {} unreachable: {}", method, e.getClass().getSimpleName());
                if (i < settings.maxRetries()) {
                    sleep(backoff(i));
                }
            } catch (RuntimeException e) {
                lastError = "internal_error";
                log.warn("Slack {} failed: {}", method, e.toString());
                break;
            }
        }
        metrics.slackApiError(method, lastError);
        log.warn("Slack {} gave up: {}", method, lastError);
        return new SlackResult.Failed(method, lastError);
    }

    private Duration retryAfter(String header) {
        long seconds = 1;
        try {
            seconds = header == null ? 1 : Math.max(0, Long.parseLong(header.strip()));
        } catch (NumberFormatException e) {
            // Slack sends whole seconds; anything else is treated as one second.
        }
        var wait = Duration.ofSeconds(seconds);
        return wait.compareTo(settings.maxWait()) > 0 ? settings.maxWait() : wait;
    }

    private Duration backoff(int attempt) {
        var wait = Duration.ofMillis(200L << Math.min(attempt, 6));
        return wait.compareTo(settings.maxWait()) > 0 ? settings.maxWait() : wait;
    }

    private static void sleep(Duration d) {
        if (d.isNegative() || d.isZero()) {
            return;
        }
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static SlackResult sent(String channel, String ts) {
        return new SlackResult.Sent(channel, ts);
    }

    private static SlackResult failed(String method, SlackApiTextResponse r) {
        return new SlackResult.Failed(method, r.getError() == null ? "unknown_error" : r.getError());
    }
}
