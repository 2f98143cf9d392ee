package io.harbormaster.engine.risk;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Labelled changes in time order, as columns of metric values: the form the trainers and the backtest read.
 *
 * <p>Rows are sorted by time before anything else, so that the validation slice is the most recent part.
 */
public final class TrainingData {
    private final List<JitMetric> metrics;
    private final double[][] rows;
    private final boolean[] buggy;
    private final long[] time;
    private final List<String> notes;

    /**
     * @param metrics the metrics present, in the order of each row's values
     * @param rows one array of metric values per change
     * @param buggy whether each change turned out bad (buggy, rolled back, or caused an incident)
     * @param time when each change was made (epoch seconds), used only for ordering
     * @param notes what the reader noticed (absent columns, aliases used), in words
     */
    public TrainingData(List<JitMetric> metrics, double[][] rows, boolean[] buggy, long[] time, List<String> notes) {
        if (rows.length != buggy.length || rows.length != time.length) {
            throw new IllegalArgumentException("rows, labels and times differ in length");
        }
        this.metrics = List.copyOf(metrics);
        this.notes = List.copyOf(notes);
        // Stable sort by time, so equal timestamps keep file order.
        var order = new ArrayList<Integer>(rows.length);
        for (int i = 0; i < rows.length; i++) {
            order.add(i);
        }
        order.sort((a, b) -> Long.compare(time[a], time[b]));
        this.rows = new double[rows.length][];
        this.buggy = new boolean[rows.length];
        this.time = new long[rows.length];
        for (int i = 0; i < rows.length; i++) {
            int k = order.get(i);
            if (rows[k].length != metrics.size()) {
                throw new IllegalArgumentException("row " + k + " has " + rows[k].length + " values");
            }
            this.rows[i] = rows[k].clone();
            this.buggy[i] = buggy[k];
            this.time[i] = time[k];
        }
    }

    /**
     * The bot's own deploy history: every metric that all labelled changes carry becomes a column; a deploy is bad
     * when it was rolled back or caused an incident.
     */
    public static TrainingData from(OutcomeHistory history) {
        var changes = history.labelledChanges();
        Set<JitMetric> common = EnumSet.allOf(JitMetric.class);
        for (var c : changes) {
            common.retainAll(c.metrics().values().keySet());
        }
        var metrics = List.copyOf(common);
        var rows = new double[changes.size()][];
        var labels = new boolean[changes.size()];
        var times = new long[changes.size()];
        for (int i = 0; i < changes.size(); i++) {
            var c = changes.get(i);
            var row = new double[metrics.size()];
            for (int j = 0; j < metrics.size(); j++) {
                row[j] = c.metrics().value(metrics.get(j)).orElseThrow();
            }
            rows[i] = row;
            labels[i] = c.failed();
            times[i] = c.deployedAt().getEpochSecond();
        }
        var absent = EnumSet.allOf(JitMetric.class);
        absent.removeAll(common);
        var notes = absent.isEmpty()
                ? List.<String>of()
                : List.of("metrics not carried by every deploy, left out: " + keys(List.copyOf(absent)));
        return new TrainingData(metrics, rows, labels, times, notes);
    }

    static String keys(List<JitMetric> ms) {
        var out = new ArrayList<String>();
        for (var m : ms) {
            out.add(m.key());
        }
        return String.join(", ", out);
    }

    /** The metrics present, in column order. */
    public List<JitMetric> metrics() {
        return metrics;
    }

    /** Number of changes. */
    public int size() {
        return rows.length;
    }

    /** The metric values of change {@code i} (a shared array: do not modify). */
    public double[] row(int i) {
        return rows[i];
    }

    /** Whether change {@code i} turned out bad. */
    public boolean buggy(int i) {
        return buggy[i];
    }

    /** When change {@code i} was made, in epoch seconds. */
    public long time(int i) {
        return time[i];
    }

    /** Number of bad changes. */
    public int positives() {
        int p = 0;
        for (var b : buggy) {
            p += b ? 1 : 0;
        }
        return p;
    }

    /** What the reader noticed, in words. */
    public List<String> notes() {
        return notes;
    }

    /** Change {@code i} as metrics keyed by name. */
    public ChangeMetrics metricsOf(int i) {
        var map = new java.util.EnumMap<JitMetric, Double>(JitMetric.class);
        for (int j = 0; j < metrics.size(); j++) {
            map.put(metrics.get(j), rows[i][j]);
        }
        return new ChangeMetrics(map);
    }
}
