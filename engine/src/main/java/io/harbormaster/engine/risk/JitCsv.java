package io.harbormaster.engine.risk;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;

/**
 * Reads just-in-time defect data in the ApacheJIT layout: one change per row, the label in {@code buggy} or {@code
 * bug} (true/false or 1/0), the time in {@code author_date} or {@code date} (epoch seconds or ISO), and metric columns
 * under their usual names or aliases ({@code ent}/{@code entrophy}, {@code aexp}, {@code arexp}, {@code asexp}).
 * Other columns ({@code commit_id}, {@code project}, ...) are ignored, never used as features; absent metric columns
 * (ApacheJIT has no {@code lt}) are left out of the model and reported in the notes.
 */
public final class JitCsv {
    private JitCsv() {}

    /** Reads a CSV file. */
    public static TrainingData read(Path file) {
        try (var reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            return read(reader, file.toString());
        } catch (NoSuchFileException e) {
            throw new DatasetError(file + " does not exist");
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new DatasetError("cannot read " + file + ": it is not UTF-8 text; save the CSV as UTF-8");
        } catch (IOException e) {
            throw new DatasetError("cannot read " + file + ": " + e.getMessage());
        }
    }

    /** Reads CSV text from a reader; {@code name} is used in messages. */
    public static TrainingData read(BufferedReader reader, String name) throws IOException {
        var headerLine = reader.readLine();
        if (headerLine == null || headerLine.isBlank()) {
            throw new DatasetError(name + " is empty: expected a header line with buggy, author_date and metrics");
        }
        var header = split(headerLine);
        int label = -1;
        int date = -1;
        var metricColumns = new EnumMap<JitMetric, Integer>(JitMetric.class);
        for (int c = 0; c < header.size(); c++) {
            var h = header.get(c).trim().toLowerCase(Locale.ROOT);
            if (h.equals("buggy") || h.equals("bug")) {
                label = requireOnce(label, c, "label (buggy or bug)", name);
            } else if (h.equals("author_date") || h.equals("date")) {
                date = requireOnce(date, c, "time (author_date or date)", name);
            } else {
                int col = c;
                JitMetric.named(h).ifPresent(m -> {
                    if (metricColumns.put(m, col) != null) {
                        throw new DatasetError(name + " has two columns for " + m.key() + " (a name and its alias)");
                    }
                });
            }
        }
        if (label < 0) {
            throw new DatasetError(name + " has no label column: name it buggy or bug (values true/false or 1/0)");
        }
        if (date < 0) {
            throw new DatasetError(name + " has no time column: name it author_date or date (epoch seconds or ISO),"
                    + " so that rows can be put in time order");
        }
        if (metricColumns.isEmpty()) {
            throw new DatasetError(name + " has none of the change metric columns (ns, nd, nf, entropy, la, ld, lt,"
                    + " fix, ndev, age, nuc, exp, rexp, sexp)");
        }
        var metrics = List.copyOf(metricColumns.keySet());
        var rows = new ArrayList<double[]>();
        var labels = new ArrayList<Boolean>();
        var times = new ArrayList<Long>();
        String line;
        int lineNo = 1;
        while ((line = reader.readLine()) != null) {
            lineNo++;
            if (line.isBlank()) {
                continue;
            }
            var cells = split(line);
            if (cells.size() != header.size()) {
                throw new DatasetError(
                        name + " line " + lineNo + ": " + cells.size() + " cells, but the header has " + header.size());
            }
            labels.add(bool(cells.get(label), name, lineNo, header.get(label)));
            times.add(time(cells.get(date), name, lineNo, header.get(date)));
            var row = new double[metrics.size()];
            for (int j = 0; j < metrics.size(); j++) {
                var m = metrics.get(j);
                int c = metricColumns.get(m);
                row[j] = m.isFlag()
                        ? (bool(cells.get(c), name, lineNo, header.get(c)) ? 1 : 0)
                        : number(cells.get(c), name, lineNo, header.get(c));
            }
            rows.add(row);
        }
        if (rows.isEmpty()) {
            throw new DatasetError(name + " has a header but no rows");
        }
        var notes = new ArrayList<String>();
        var absent = new ArrayList<JitMetric>();
        for (var m : JitMetric.values()) {
            if (!metricColumns.containsKey(m)) {
                absent.add(m);
            }
        }
        if (!absent.isEmpty()) {
            notes.add("columns absent, so left out of the model: " + TrainingData.keys(absent));
        }
        for (var e : metricColumns.entrySet()) {
            var h = header.get(e.getValue()).trim().toLowerCase(Locale.ROOT);
            if (!h.equals(e.getKey().key())) {
                notes.add("column " + h + " read as " + e.getKey().key());
            }
        }
        var labelArray = new boolean[labels.size()];
        var timeArray = new long[times.size()];
        for (int i = 0; i < labelArray.length; i++) {
            labelArray[i] = labels.get(i);
            timeArray[i] = times.get(i);
        }
        return new TrainingData(metrics, rows.toArray(double[][]::new), labelArray, timeArray, notes);
    }

    private static int requireOnce(int existing, int column, String what, String name) {
        if (existing >= 0) {
            throw new DatasetError(name + " has two " + what + " columns; keep one");
        }
        return column;
    }

    private static boolean bool(String cell, String name, int line, String column) {
        return switch (cell.trim().toLowerCase(Locale.ROOT)) {
            case "true", "1", "1.0" -> true;
            case "false", "0", "0.0" -> false;
            default ->
                throw new DatasetError(
                        name + " line " + line + ", column " + column + ": '" + cell + "' is not true/false or 1/0");
        };
    }

    private static double number(String cell, String name, int line, String column) {
        double v;
        try {
            v = Double.parseDouble(cell.trim());
        } catch (NumberFormatException e) {
            throw new DatasetError(name + " line " + line + ", column " + column + ": '" + cell + "' is not a number");
        }
        if (!Double.isFinite(v) || v < 0) {
            throw new DatasetError(
                    name + " line " + line + ", column " + column + ": " + cell + " is not a non-negative number");
        }
        return v;
    }

    private static long time(String cell, String name, int line, String column) {
        var t = cell.trim();
        try {
            return (long) Double.parseDouble(t);
        } catch (NumberFormatException notEpoch) {
            // Not epoch seconds: try the ISO forms.
        }
        try {
            return OffsetDateTime.parse(t).toEpochSecond();
        } catch (DateTimeParseException e) {
            // next form
        }
        try {
            return Instant.parse(t).getEpochSecond();
        } catch (DateTimeParseException e) {
            // next form
        }
        try {
            return LocalDateTime.parse(t.replace(' ', 'T')).toEpochSecond(ZoneOffset.UTC);
        } catch (DateTimeParseException e) {
            // next form
        }
        try {
            return LocalDate.parse(t).atStartOfDay().toEpochSecond(ZoneOffset.UTC);
        } catch (DateTimeParseException e) {
            throw new DatasetError(name + " line " + line + ", column " + column + ": '" + cell
                    + "' is not a time (epoch seconds or ISO 8601)");
        }
    }

    // Splits one CSV line; quoted cells may hold commas and doubled quotes.
    static List<String> split(String line) {
        var cells = new ArrayList<String>();
        var cell = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quoted) {
                if (c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                    cell.append('"');
                    i++;
                } else if (c == '"') {
                    quoted = false;
                } else {
                    cell.append(c);
                }
            } else if (c == '"') {
                quoted = true;
            } else if (c == ',') {
                cells.add(cell.toString());
                cell.setLength(0);
            } else {
                cell.append(c);
            }
        }
        cells.add(cell.toString());
        return cells;
    }
}
