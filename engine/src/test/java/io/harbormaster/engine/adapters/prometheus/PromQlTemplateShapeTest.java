package io.harbormaster.engine.adapters.prometheus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A template whose brackets, quotes or operators do not fit together is refused when it is read (by config check),
 * not at the first canary, when Prometheus refuses it; valid PromQL of every usual shape is still taken.
 */
class PromQlTemplateShapeTest {

    private static final String SEL = "service=\"{service}\",track=\"{track}\"";

    /** Valid PromQL of every usual shape (PromQlTemplatePromtoolTest has promtool confirm it). */
    static final List<String> VALID = List.of(
            "histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket{" + SEL
                    + "}[{interval}])))",
            "histogram_quantile(0.5, sum(increase(lat_bucket{" + SEL + "}[{interval}])) by (le)) * 1e3",
            "sum(increase(http_requests_total{" + SEL + ",code=~\"5..\"}[{interval}])) or sum(up{" + SEL + "}) * 0",
            "sum(rate(errors_total{" + SEL + "}[{interval}])) / sum(rate(requests_total{" + SEL + "}[{interval}]))",
            "-1 * -sum(delta(gauge{" + SEL + "}[{interval}] offset -1m))",
            "sum without (pod) (job:http_requests:rate5m{" + SEL + "}) > bool 0",
            "sum(a{" + SEL + "}) / on() group_left sum(b{" + SEL + "}) unless sum(c{" + SEL + "}) == 0",
            "max_over_time(rate(x{" + SEL + "}[1m])[{interval}:15s]) ^ 2 % 7",
            "sum(x{" + SEL + ",quote='it\\'s'}) # a comment ( with [ an unbalanced { ) and a trailing +",
            "count(x{" + SEL + ",path!~\"/(health|ready)\",and=\"label\"} @ end())",
            "sum(x{" + SEL + "})\n  -\n  sum(y{" + SEL + "} offset {interval})",
            "clamp_min(sum(x{" + SEL + "}) - 1.5e-3, 0)",
            "sum(x{" + SEL + ",msg=\"a ) b \\\" ] c\"})",
            "sum(x{" + SEL + ",}) AND sum(y{" + SEL + "})",
            // calls, label lists and offsets the word check reads
            "SUM BY (le) (rate(x{" + SEL + "}[{interval}]))",
            "sum(label_replace(x{" + SEL + "}, \"by\", \"$1\", \"offset\", \"(.*)\")) by (by, offset)",
            "sum by (rate) (x{" + SEL + ",sum=\"1\",rate=\"2\"}) / ignoring (offset) group_left (topk) sum(y{" + SEL
                    + "})",
            "histogram_quantile(0.9, sum(rate(x_bucket{" + SEL + "}[{interval}] offset 1m)) without (pod))",
            "sum(x{" + SEL + "} offset -{interval}) > bool (0)",
            "sum(x{" + SEL + "}) atan2 (sum(y{" + SEL + "}))",
            "quantile_over_time(0.9, x{" + SEL + "}[{interval}]) and on (pod) (absent(y{" + SEL + "}) or"
                    + " vector(1))",
            "count_values(\"v\", round(avg_over_time(x{" + SEL + "}[{interval}]), 0.1))",
            "holt_winters(x{" + SEL + "}[{interval}], 0.5, 0.5) + clamp(sgn(deriv(y{" + SEL + "}[{interval}])),"
                    + " -1, 1) + timestamp(x{" + SEL + "}) - time() + hour() + deg(vector(pi()))");

    @Test
    void realisticValidTemplatesAreTaken() {
        for (var t : VALID) {
            assertThatCode(() -> PromQlTemplate.parse("p99", t)).as(t).doesNotThrowAnyException();
        }
        for (var m : CanaryMetric.values()) { // the built-in ones
            assertThatCode(() -> PromQlTemplate.parse(m.configName(), PromQlTemplates.DEFAULTS.template(m)))
                    .doesNotThrowAnyException();
        }
    }

    private static String refusal(String template) {
        return assertThatThrownBy(() -> PromQlTemplate.parse("p99", template))
                .isInstanceOf(IllegalArgumentException.class)
                .actual()
                .getMessage();
    }

    @Test
    void unbalancedDelimitersAreRefusedSayingWhereAndWhatToWrite() {
        assertThat(refusal("sum(rate(x{" + SEL + "}[{interval}])"))
                .contains(
                        "PromQL template for p99 is invalid",
                        "the '(' at column 4 is never closed",
                        "close it with ')'");
        assertThat(refusal("sum(x{" + SEL + "}[{interval}]))"))
                .contains("')' at column", "closes nothing", "open '(' before it");
        assertThat(refusal("sum(rate(x{" + SEL + "}[{interval})))"))
                .contains("the '[' at column", "is closed by ')'", "close it with ']' first");
        assertThat(refusal("sum(x{" + SEL + ")")).contains("the '{' at column 6", "close it with '}' first");
        assertThat(refusal("sum(x{" + SEL + ",code=\"5..})")).contains("is never closed");
    }

    @Test
    void anOperatorWithNothingToWorkOnIsRefused() {
        assertThat(refusal("sum(x{" + SEL + "}) /"))
                .contains("'/' at column", "has nothing after it", "write an expression after it or remove it");
        assertThat(refusal("sum(x{" + SEL + "}) or")).contains("'or' at column", "has nothing after it");
        assertThat(refusal("* sum(x{" + SEL + "})")).contains("'*' at column 1 has nothing before it");
        assertThat(refusal("and sum(x{" + SEL + "})")).contains("'and' at column 1 has nothing before it");
        assertThat(refusal("sum(x{" + SEL + "} +)")).contains("'+' at column", "has nothing after it");
        assertThat(refusal("sum(x{" + SEL + "}) - # nothing after\n")).contains("'-' at column", "nothing after it");
        assertThat(refusal("sum(x{" + SEL + "}) * / 2")).contains("'*' at column", "nothing after it");
    }

    @Test
    void anUnknownFunctionIsRefusedNamingTheClosestOne() {
        // before: taken, and refused by Prometheus only at the first canary
        assertThat(refusal("sum(rat(x{" + SEL + "}[{interval}]))"))
                .contains(
                        "PromQL template for p99 is invalid",
                        "unknown function 'rat' at column 5 (did you mean 'rate'?); use one of PromQL's functions,"
                                + " listed at https://prometheus.io/docs/prometheus/latest/querying/functions/");
        assertThat(refusal("histogram_quantil(0.99, sum by (le) (rate(x{" + SEL + "}[{interval}])))"))
                .contains("unknown function 'histogram_quantil' at column 1 (did you mean 'histogram_quantile'?)");
        // names are case-sensitive in Prometheus, aggregations (keywords) are not
        assertThat(refusal("SUM(RATE(x{" + SEL + "}[{interval}]))"))
                .contains("unknown function 'RATE' at column 5 (did you mean 'rate'?)");
        assertThat(refusal("sum(frobnicate(x{" + SEL + "}))"))
                .contains("unknown function 'frobnicate' at column 5; use one of PromQL's functions");
        assertThat(refusal("summ by (le) (x{" + SEL + "}) + sum(summ(x{" + SEL + "}))"))
                .contains("unknown function 'summ' at column");
    }

    @Test
    void everyDocumentedFunctionAndAggregationIsTaken() {
        for (var f : PromQlTemplate.FUNCTIONS) {
            assertThatCode(() -> PromQlTemplate.parse("p99", f + "(x{" + SEL + "}[{interval}])"))
                    .as(f)
                    .doesNotThrowAnyException();
        }
        for (var a : PromQlTemplate.AGGREGATIONS) {
            assertThatCode(() -> PromQlTemplate.parse("p99", a + "(x{" + SEL + "})"))
                    .as(a)
                    .doesNotThrowAnyException();
        }
    }

    @Test
    void aGroupingOrOffsetWithNothingAfterItIsRefused() {
        // before: both taken
        assertThat(refusal("sum(rate(x{" + SEL + "}[{interval}])) by"))
                .contains(
                        "'by' at column",
                        "has no label list after it; write by (label, ...), e.g. sum by (job)"
                                + " (...), or remove it");
        assertThat(refusal("sum(x{" + SEL + "}) / on sum(y{" + SEL + "})"))
                .contains("'on' at column", "has no label list after it; write on (label, ...), e.g. a / on (job) b");
        assertThat(refusal("sum(x{" + SEL + "} offset)"))
                .contains("'offset' at column", "has no duration after it; write e.g. offset 5m, or remove it");
        assertThat(refusal("sum(x{" + SEL + "}) offset")).contains("'offset' at column", "has no duration after it");
    }
}
