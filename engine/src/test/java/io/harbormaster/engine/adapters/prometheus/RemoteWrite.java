package io.harbormaster.engine.adapters.prometheus;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Pushes samples into a Prometheus started with {@code --web.enable-remote-write-receiver}, over remote write 1.0:
 * a protobuf {@code WriteRequest}, snappy-compressed. Unlike promtool's backfill this can write staleness markers, the
 * NaN Prometheus stores when a scrape fails or a target goes away. Samples must be newer than any backfilled block,
 * and each series' samples in time order.
 */
final class RemoteWrite {

    /** Prometheus' staleness marker: a NaN with this exact bit pattern. */
    static final double STALE = Double.longBitsToDouble(0x7ff0000000000002L);

    /** One sample. */
    record Sample(long epochMillis, double value) {}

    /** One series; its labels include {@code __name__}. */
    record Series(Map<String, String> labels, List<Sample> samples) {}

    private RemoteWrite() {}

    /** Sends {@code series} in one request; fails unless Prometheus answers 2xx. */
    static void push(URI prometheus, List<Series> series) throws IOException {
        ByteArrayOutputStream request = new ByteArrayOutputStream();
        for (Series s : series) {
            ByteArrayOutputStream timeSeries = new ByteArrayOutputStream();
            // Prometheus wants the labels sorted by name.
            for (Map.Entry<String, String> label : new TreeMap<>(s.labels()).entrySet()) {
                ByteArrayOutputStream pair = new ByteArrayOutputStream();
                bytesField(pair, 1, label.getKey().getBytes(StandardCharsets.UTF_8));
                bytesField(pair, 2, label.getValue().getBytes(StandardCharsets.UTF_8));
                bytesField(timeSeries, 1, pair.toByteArray());
            }
            for (Sample sample : s.samples()) {
                ByteArrayOutputStream encoded = new ByteArrayOutputStream();
                varint(encoded, (1 << 3) | 1); // value: double, fixed 64 bits
                long bits = Double.doubleToRawLongBits(sample.value());
                for (int i = 0; i < 8; i++) {
                    encoded.write((int) (bits >>> (8 * i)));
                }
                varint(encoded, 2 << 3); // timestamp: int64 varint, milliseconds
                varint(encoded, sample.epochMillis());
                bytesField(timeSeries, 2, encoded.toByteArray());
            }
            bytesField(request, 1, timeSeries.toByteArray());
        }
        HttpRequest post = HttpRequest.newBuilder(prometheus.resolve("/api/v1/write"))
                .timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/x-protobuf")
                .header("Content-Encoding", "snappy")
                .header("X-Prometheus-Remote-Write-Version", "0.1.0")
                .POST(HttpRequest.BodyPublishers.ofByteArray(snappyUncompressed(request.toByteArray())))
                .build();
        try (HttpClient client = HttpClient.newHttpClient()) {
            HttpResponse<String> response = client.send(post, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() / 100 != 2) {
                throw new IOException("remote write refused: HTTP " + response.statusCode() + " " + response.body());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted during remote write", e);
        }
    }

    /** A snappy block holding {@code data} as one literal: valid snappy, just not smaller. */
    static byte[] snappyUncompressed(byte[] data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        varint(out, data.length);
        if (data.length > 0) {
            out.write(63 << 2); // a literal whose length - 1 follows in 4 little-endian bytes
            int n = data.length - 1;
            for (int i = 0; i < 4; i++) {
                out.write(n >>> (8 * i));
            }
            out.write(data, 0, data.length);
        }
        return out.toByteArray();
    }

    private static void bytesField(ByteArrayOutputStream out, int field, byte[] value) {
        varint(out, ((long) field << 3) | 2);
        varint(out, value.length);
        out.write(value, 0, value.length);
    }

    private static void varint(ByteArrayOutputStream out, long value) {
        while ((value & ~0x7FL) != 0) {
            out.write((int) ((value & 0x7F) | 0x80));
            value >>>= 7;
        }
        out.write((int) value);
    }
}
