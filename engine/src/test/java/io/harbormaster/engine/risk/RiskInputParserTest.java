package io.harbormaster.engine.risk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.harbormaster.engine.policy.Criticality;
import java.time.DayOfWeek;
import java.util.List;
import org.junit.jupiter.api.Test;

class RiskInputParserTest {
    static final String VALID = """
            {"service":"payments","version":"1.4.2",
             "change":{"ns":1,"nd":2,"nf":3,"entrophy":1.2,"la":40,"ld":8,"lt":300,"fix":false,"ndev":2,"age":10.5,
                       "nuc":15,"aexp":275,"arexp":230,"asexp":49,"files":["src/A.java"],"dependencies":["ledger"]},
             "context":{"criticality":"high","recent_rollbacks":0,"recent_incidents":1,"dependents":4,
                        "catalog_dependencies":["ledger"],"local_time":"2024-05-03T14:30","ci_status":"green"}}
            """;

    static RiskInput valid(String json) {
        return assertInstanceOf(ParsedInput.Valid.class, RiskInputParser.parse(json))
                .input();
    }

    static List<String> problems(String json) {
        return assertInstanceOf(ParsedInput.Invalid.class, RiskInputParser.parse(json))
                .problems();
    }

    @Test
    void aCompleteChangeParsesWithAliasesAndNoAssumptions() {
        var in = valid(VALID);
        assertEquals("payments", in.service());
        assertEquals(1.2, in.metrics().value(JitMetric.ENTROPY).getAsDouble());
        assertEquals(275, in.metrics().value(JitMetric.EXP).getAsDouble());
        assertEquals(0, in.metrics().value(JitMetric.FIX).getAsDouble());
        assertEquals(DayOfWeek.FRIDAY, in.context().dayOfWeek());
        assertEquals(14, in.context().hour());
        assertEquals(CiStatus.GREEN, in.context().ciStatus());
        assertTrue(in.announced());
        assertTrue(in.assumptions().isEmpty(), in.assumptions().toString());
    }

    @Test
    void aNegativeMetricIsRefusedWithWhatItMeans() {
        var p = problems(VALID.replace("\"la\":40", "\"la\":-40"));
        assertEquals(List.of("change.la is -40, but lines added cannot be negative"), p);
    }

    @Test
    void moreDirectoriesThanFilesIsImpossible() {
        var p = problems(VALID.replace("\"nd\":2", "\"nd\":9"));
        assertTrue(p.getFirst().contains("cannot touch more directories than files"), p.toString());
    }

    @Test
    void entropyAboveWhatTheFileCountAllowsIsRefused() {
        var p = problems(VALID.replace("\"entrophy\":1.2", "\"entrophy\":7"));
        // before: "change.entropy is 7, above the most 3 files allow (log2 of the file count)"
        assertTrue(
                p.getFirst().startsWith("change.entropy is 7, but with 3 files touched it can be at most 1.58"),
                p.toString());
    }

    @Test
    void everyProblemIsReportedAtOnce() {
        var p = problems("""
                {"change":{"la":"many","fix":"maybe","lx":1}}
                """);
        assertTrue(p.contains("service is missing: name the service being deployed"), p.toString());
        assertTrue(p.contains("version is missing: name the version being deployed"), p.toString());
        assertTrue(
                p.stream()
                        .anyMatch(s ->
                                s.startsWith("change.lx: unknown key 'lx' (did you mean 'la'?); known keys: ns, nd,")),
                p.toString());
        assertTrue(p.contains("change.la must be a number (lines added), not \"many\""), p.toString());
        assertTrue(p.contains("change.fix must be true or false, not \"maybe\""), p.toString());
        assertTrue(p.stream().anyMatch(s -> s.startsWith("change.files is missing")), p.toString());
    }

    @Test
    void malformedJsonSaysWhere() {
        var p = problems("{\"service\": ");
        assertTrue(p.getFirst().startsWith("the change is not valid JSON"), p.toString());
        // where and what, in words rather than the parser's
        assertEquals(
                List.of("the change is not valid JSON: line 1, column 16: found '}' after a comma: JSON allows no comma"
                        + " after the last entry"),
                problems("{\"service\":\"s\",}"));
        // a second object after the first is not silently ignored
        assertTrue(problems(VALID + " {\"service\":\"t\"}")
                .getFirst()
                .contains("there is more after the JSON value" + " ends"));
    }

    @Test
    void anUnknownCriticalityListsTheAllowedOnes() {
        var p = problems(VALID.replace("\"high\"", "\"extreme\""));
        assertEquals(List.of("context.criticality is \"extreme\"; use one of low, medium, high, critical"), p);
    }

    @Test
    void missingContextGetsConservativeDefaultsThatSaySo() {
        var in = valid("""
                {"service":"s","version":"1","change":{"la":1,"files":[]}}
                """);
        assertEquals(Criticality.HIGH, in.context().criticality());
        assertEquals(1, in.context().recentRollbacks());
        assertEquals(CiStatus.UNKNOWN, in.context().ciStatus());
        assertEquals(DayOfWeek.FRIDAY, in.context().dayOfWeek());
        assertTrue(
                in.assumptions().contains("context.criticality missing: assumed high"),
                in.assumptions().toString());
        assertTrue(in.assumptions().contains("context.ci_status missing: assumed unknown"));
        assertTrue(in.assumptions().stream().anyMatch(a -> a.contains("outside working hours")));
    }

    @Test
    void aVersionWithoutAnnouncedChangeIsUnknownNotInvalid() {
        var in = valid("""
                {"service":"s","version":"9.9.9","context":{"ci_status":"green"}}
                """);
        assertFalse(in.announced());
        assertTrue(in.metrics().values().isEmpty());
    }
}
