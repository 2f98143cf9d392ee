package io.harbormaster.bot.bench;

import io.harbormaster.bot.slack.standin.SlackRequests;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * Slack's side of the ack benchmark (BENCHMARKS.md section 3): signed slash commands sent at a steady rate to a running
 * bot's {@code /slack/events}, each timed from send to the HTTP answer (the ack Slack waits 3 s for).
 */
public final class AckBenchmark {
    /** What to send: how fast, how long, and which commands in turn. */
    public record Plan(URI events, String signingSecret, double rate, Duration duration, List<String> commands) {}

    private final Plan plan;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final BooleanSupplier stop;

    /** @param stop whether to stop sending (Ctrl-C): checked before each request */
    public AckBenchmark(Plan plan, BooleanSupplier stop) {
        this.plan = plan;
        this.stop = stop;
    }

    /** Sends open-loop (a late answer does not delay the next request) and returns the figures. */
    public Map<String, Object> run() {
        var latencies = new ConcurrentLinkedQueue<Double>();
        var errors = new AtomicLong();
        var firstError = new java.util.concurrent.atomic.AtomicReference<String>();
        var statuses = new java.util.concurrent.ConcurrentHashMap<Integer, AtomicLong>();
        var pending = new ArrayList<CompletableFuture<?>>();
        long total = Math.round(plan.rate() * plan.duration().toMillis() / 1000.0);
        long periodNanos = (long) (1e9 / plan.rate());
        long start = System.nanoTime();
        for (long i = 0; i < total; i++) {
            if (stop.getAsBoolean()) {
                throw new CancellationException("the benchmark was asked to stop");
            }
            long due = start + i * periodNanos;
            long wait = due - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
            var text = plan.commands().get((int) (i % plan.commands().size()));
            int space = text.indexOf(' ');
            var command = space < 0 ? text : text.substring(0, space);
            var args = space < 0 ? "" : text.substring(space + 1);
            var origin = new SlackRequests.Origin("U0BENCH" + (i % 50), "bench" + (i % 50), "C0BENCH", "bench");
            var body = SlackRequests.slashCommandBody(origin, command, args);
            long ts = System.currentTimeMillis() / 1000;
            var request = HttpRequest.newBuilder(plan.events())
                    .timeout(Duration.ofSeconds(10))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .header("X-Slack-Request-Timestamp", Long.toString(ts))
                    .header("X-Slack-Signature", SlackRequests.signature(plan.signingSecret(), ts, body))
                    .POST(HttpRequest.BodyPublishers.ofString(body))
                    .build();
            long sent = System.nanoTime();
            pending.add(http.sendAsync(request, HttpResponse.BodyHandlers.discarding())
                    .whenComplete((response, error) -> {
                        // Only an ack (200) is timed: a refused connection or a 401 is fast, and no ack at all.
                        if (error != null) {
                            errors.incrementAndGet();
                            firstError.compareAndSet(null, describe(error));
                        } else {
                            statuses.computeIfAbsent(response.statusCode(), k -> new AtomicLong())
                                    .incrementAndGet();
                            if (response.statusCode() != 200) {
                                errors.incrementAndGet();
                                firstError.compareAndSet(null, "HTTP " + response.statusCode());
                            } else {
                                latencies.add((System.nanoTime() - sent) / 1e6);
                            }
                        }
                    }));
        }
        CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new))
                .exceptionally(e -> null)
                .join();
        double seconds = (System.nanoTime() - start) / 1e9;
        var sorted = latencies.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(sorted);
        var figures = new LinkedHashMap<String, Object>();
        figures.put("sent", total);
        figures.put("acked", (long) sorted.length);
        figures.put("rate_per_s", AuditBenchmark.round(total / seconds, 1));
        figures.put("seconds", AuditBenchmark.round(seconds, 1));
        if (sorted.length > 0) { // without one ack there is no latency to report (the command says so)
            figures.put("ack_p50_ms", AuditBenchmark.round(AuditBenchmark.percentile(sorted, 0.50), 2));
            figures.put("ack_p99_ms", AuditBenchmark.round(AuditBenchmark.percentile(sorted, 0.99), 2));
        }
        figures.put("ack_max_ms", AuditBenchmark.round(sorted.length == 0 ? 0 : sorted[sorted.length - 1], 2));
        figures.put("errors", errors.get());
        var byStatus = new LinkedHashMap<String, Long>();
        statuses.forEach((k, v) -> byStatus.put(Integer.toString(k), v.get()));
        figures.put("statuses", byStatus);
        if (firstError.get() != null) {
            figures.put("first_error", firstError.get());
        }
        return figures;
    }

    /** A failed request in words: what failed ({@code ConnectException}), with its message when it has one. */
    private static String describe(Throwable error) {
        Throwable t = error;
        while (t instanceof java.util.concurrent.CompletionException && t.getCause() != null) {
            t = t.getCause();
        }
        var name = t.getClass().getSimpleName();
        return t.getMessage() == null || t.getMessage().isBlank() ? name : name + ": " + t.getMessage();
    }
}
