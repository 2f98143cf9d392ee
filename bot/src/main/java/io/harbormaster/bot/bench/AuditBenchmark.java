package io.harbormaster.bot.bench;

import io.harbormaster.engine.audit.AuditExport;
import io.harbormaster.engine.audit.AuditQuery;
import io.harbormaster.engine.audit.AuditRecord;
import io.harbormaster.storage.audit.JooqAuditLog;
import java.io.BufferedWriter;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;

/**
 * The audit-log benchmark of BENCHMARKS.md section 3: sustained chained appends, verification of the whole chain, an
 * {@code /audit}-style filter, and a CSV export, each with the heap it took.
 */
public final class AuditBenchmark {
    /** What to run. */
    public record Plan(
            long entries, int appendThreads, int appendMeasured, int queries, int exportEntries, long seed) {}

    static final String[] SERVICES = java.util.stream.IntStream.range(0, 20)
            .mapToObj(i -> "service-" + i)
            .toArray(String[]::new);
    static final Instant START = Instant.parse("2026-10-01T00:00:00Z");
    static final Duration SPAN = Duration.ofDays(30);

    private final JooqAuditLog log;
    private final Plan plan;
    private final SplittableRandom random;
    private final BooleanSupplier stop;

    /** @param stop whether to stop (Ctrl-C): checked before each append, batch and query */
    public AuditBenchmark(JooqAuditLog log, Plan plan, BooleanSupplier stop) {
        this.log = log;
        this.plan = plan;
        this.random = new SplittableRandom(plan.seed());
        this.stop = stop;
    }

    /** Runs every phase and returns the figures by their BENCHMARKS.md names. */
    public Map<String, Object> run() throws Exception {
        var figures = new LinkedHashMap<String, Object>();
        long step = Math.max(1, SPAN.toMillis() / Math.max(1, plan.entries()));

        // 1. Sustained single appends from several threads: each append is its own transaction, chained.
        int measured = (int) Math.min(plan.appendMeasured(), plan.entries());
        var pool = Executors.newFixedThreadPool(plan.appendThreads());
        long t0 = System.nanoTime();
        long transactionsBefore = log.appendTransactions();
        long entriesBefore = log.appendedEntries();
        try {
            var tasks = new ArrayList<Callable<Void>>();
            int perThread = measured / plan.appendThreads();
            for (int t = 0; t < plan.appendThreads(); t++) {
                long seed = plan.seed() + t;
                int threadIndex = t;
                tasks.add(() -> {
                    var r = new SplittableRandom(seed);
                    for (int i = 0; i < perThread; i++) {
                        stopIfAsked();
                        log.append(record(r, (long) (threadIndex * perThread + i) * step));
                    }
                    return null;
                });
            }
            for (var f : pool.invokeAll(tasks)) {
                f.get();
            }
            measured = perThread * plan.appendThreads();
        } finally {
            pool.shutdown();
        }
        double appendSeconds = (System.nanoTime() - t0) / 1e9;
        figures.put("append_per_s", round(measured / appendSeconds, 0));
        figures.put("append_measured_entries", measured);
        figures.put("append_threads", plan.appendThreads());
        // entries per commit: how much the group commit shared the cost of each transaction's flush
        long transactions = log.appendTransactions() - transactionsBefore;
        figures.put(
                "append_per_commit",
                round((double) (log.appendedEntries() - entriesBefore) / Math.max(1, transactions), 2));

        // 2. Fill the rest in chained batches (the same chaining code, fewer transactions), so the later phases
        // run over the full size.
        long filled = measured;
        long fillStart = System.nanoTime();
        while (filled < plan.entries()) {
            stopIfAsked();
            int n = (int) Math.min(1_000, plan.entries() - filled);
            var batch = new ArrayList<AuditRecord>(n);
            for (int i = 0; i < n; i++) {
                batch.add(record(random, (filled + i) * step));
            }
            log.appendAll(batch);
            filled += n;
        }
        if (filled > measured) {
            figures.put("fill_batched_per_s", round((filled - measured) / ((System.nanoTime() - fillStart) / 1e9), 0));
        }
        log.checkpoint();
        figures.put("entries", filled);

        // 3. Verify the whole chain.
        var verifyHeap = new HeapPeak();
        long v0 = System.nanoTime();
        var report = log.verify();
        double verifySeconds = (System.nanoTime() - v0) / 1e9;
        verifyHeap.close();
        if (!report.valid()) {
            throw new IllegalStateException("the benchmark's own log does not verify: " + report.reason());
        }
        figures.put("verify_s", round(verifySeconds, 2));
        figures.put("verify_1m_s", round(verifySeconds * 1_000_000.0 / filled, 2));
        figures.put("verify_heap_peak_mb", verifyHeap.mb());

        // 4. /audit-style filters: a service, a one-day window, sometimes a decision; count plus the newest 20.
        var latencies = new double[plan.queries()];
        for (int i = 0; i < plan.queries(); i++) {
            stopIfAsked();
            var since = START.plus(Duration.ofHours(random.nextInt((int) SPAN.toHours() - 24)));
            var q = AuditQuery.all()
                    .withService(SERVICES[random.nextInt(SERVICES.length)])
                    .withSince(since)
                    .withUntil(since.plus(Duration.ofDays(1)));
            if (random.nextBoolean()) {
                q = q.withDecision(random.nextBoolean() ? "rollback" : "escalate");
            }
            long q0 = System.nanoTime();
            log.summarize(q, 20);
            latencies[i] = (System.nanoTime() - q0) / 1e6;
        }
        Arrays.sort(latencies);
        figures.put("query_p50_ms", round(percentile(latencies, 0.50), 2));
        figures.put("query_p95_ms", round(percentile(latencies, 0.95), 2));

        // 5. Export entries as CSV to a sink that discards them, measuring time and heap.
        int exportN = (int) Math.min(plan.exportEntries(), filled);
        var exportHeap = new HeapPeak();
        long e0 = System.nanoTime();
        var counting = new CountingStream();
        var writer = new BufferedWriter(new OutputStreamWriter(counting, StandardCharsets.UTF_8), 1 << 16);
        AuditExport.csvHeader(writer);
        log.scan(AuditQuery.all().withLimit(exportN), e -> AuditExport.csvEntry(writer, e));
        writer.flush();
        double exportSeconds = (System.nanoTime() - e0) / 1e9;
        exportHeap.close();
        figures.put("export_entries", exportN);
        figures.put("export_100k_s", round(exportSeconds * 100_000.0 / exportN, 2));
        figures.put("export_mb", round(counting.bytes / 1e6, 1));
        figures.put("export_heap_peak_mb", exportHeap.mb());
        figures.put("max_heap_mb", Runtime.getRuntime().maxMemory() / (1 << 20));
        return figures;
    }

    /** Each loop stops at its next turn once asked to (Ctrl-C), instead of going on with a closing database. */
    private void stopIfAsked() throws InterruptedException {
        if (stop.getAsBoolean()) {
            throw new InterruptedException("the benchmark was asked to stop");
        }
    }

    private static final String[] DECISIONS = {"auto", "escalate", "approve", "reject", "promote", "rollback"};
    private static final double[] DECISION_CUMULATIVE = {0.70, 0.81, 0.90, 0.92, 0.97, 1.0};

    private static AuditRecord record(SplittableRandom r, long offsetMillis) {
        double u = r.nextDouble();
        int d = 0;
        while (u > DECISION_CUMULATIVE[d]) {
            d++;
        }
        var service = SERVICES[r.nextInt(SERVICES.length)];
        var reasoning = "{\"score\":" + r.nextInt(100) + ",\"threshold\":61.2,\"factors\":[{\"name\":\"lines added\","
                + "\"contribution\":" + r.nextInt(30) + "},{\"name\":\"author experience\",\"contribution\":-"
                + r.nextInt(10) + "}],\"model\":\"apachejit-lr-v1\",\"preflight\":[\"window\",\"lock\",\"freeze\"]}";
        return new AuditRecord(
                START.plusMillis(offsetMillis),
                d >= 2 && d <= 3 ? "U0" + r.nextInt(50) : "engine",
                "deploy." + DECISIONS[d],
                "d-" + r.nextInt(1_000_000),
                service,
                "1." + r.nextInt(50) + "." + r.nextInt(100),
                DECISIONS[d],
                reasoning,
                "engine-0.1.0",
                "policy-1");
    }

    /** Samples the total heap in use every few milliseconds, so a phase's peak is the real peak, not a sum. */
    private static final class HeapPeak implements AutoCloseable {
        private final java.util.concurrent.atomic.AtomicLong peak = new java.util.concurrent.atomic.AtomicLong();
        private final Thread sampler;
        private volatile boolean running = true;

        HeapPeak() {
            System.gc();
            var memory = ManagementFactory.getMemoryMXBean();
            sampler = Thread.ofPlatform().daemon().start(() -> {
                while (running) {
                    peak.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max);
                    java.util.concurrent.locks.LockSupport.parkNanos(5_000_000);
                }
            });
        }

        long mb() {
            return peak.get() / (1 << 20);
        }

        @Override
        public void close() throws InterruptedException {
            running = false;
            sampler.join();
        }
    }

    static double percentile(double[] sorted, double q) {
        int i = (int) Math.ceil(q * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }

    static Double round(double v, int digits) {
        double f = Math.pow(10, digits);
        return Math.round(v * f) / f;
    }

    private static final class CountingStream extends OutputStream {
        long bytes;

        @Override
        public void write(int b) {
            bytes++;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            bytes += len;
        }
    }
}
