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

    @Test
    void realisticValidTemplatesAreTaken() {
        var valid = List.of(
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
                "sum(x{" + SEL + ",}) AND sum(y{" + SEL + "})");
        for (var t : valid) {
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
}
