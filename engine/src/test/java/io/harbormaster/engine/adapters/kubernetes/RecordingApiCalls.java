package io.harbormaster.engine.adapters.kubernetes;

import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.Interceptor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.stream.Collectors;

/**
 * Records, as RBAC names them, the API requests of the clients it is installed in (the adapter's, not the test
 * controller's): per recorder, and in {@link #RECORDED} across all Kubernetes tests of the run, which
 * {@link #writeReport()} writes to {@code target/k8s-api-calls.txt} (one {@code verb group resource} per line, sorted,
 * the core group as {@code ""}).
 */
final class RecordingApiCalls implements Interceptor {
    /** Every call any adapter made in this test run (the union over all Kubernetes tests so far). */
    static final Set<ApiCall> RECORDED = new ConcurrentSkipListSet<>();

    static final Path REPORT = Path.of(System.getProperty("basedir", "."), "target", "k8s-api-calls.txt");

    private final Set<ApiCall> calls = new ConcurrentSkipListSet<>();
    private final List<ApiCall> log = Collections.synchronizedList(new ArrayList<>());

    @Override
    public void before(BasicBuilder builder, HttpRequest request, RequestTags tags) {
        ApiCall call = ApiCall.fromHttp(request.method(), request.uri());
        calls.add(call);
        log.add(call);
        RECORDED.add(call);
    }

    /** How many requests the clients this recorder is installed in have sent so far: a mark for {@link #since}. */
    int made() {
        return log.size();
    }

    /** The requests sent since {@code mark}, in order (one entry per request, repeats included). */
    List<ApiCall> since(int mark) {
        synchronized (log) {
            return List.copyOf(log.subList(mark, log.size()));
        }
    }

    /** The calls of the clients this recorder is installed in. */
    SortedSet<ApiCall> calls() {
        return Collections.unmodifiableSortedSet(new TreeSet<>(calls));
    }

    /** Writes the union recorded so far (each Kubernetes test class calls it when done, so the last write has all). */
    static synchronized void writeReport() {
        String lines = new TreeSet<>(RECORDED).stream().map(ApiCall::line).collect(Collectors.joining("\n", "", "\n"));
        try {
            Files.createDirectories(REPORT.getParent());
            Files.writeString(REPORT, lines, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
