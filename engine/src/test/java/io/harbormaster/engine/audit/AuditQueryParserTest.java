package io.harbormaster.engine.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class AuditQueryParserTest {
    static final Instant NOW = Instant.parse("2026-11-23T12:00:00Z");

    @Test
    void filtersAreParsedFromKeyValueWords() {
        var q = AuditQueryParser.parse(
                List.of("service=checkout", "since=7d", "until=2026-11-23", "decision=rollback"), NOW);
        assertThat(q.service()).contains("checkout");
        assertThat(q.since()).contains(Instant.parse("2026-11-16T12:00:00Z"));
        assertThat(q.until()).contains(Instant.parse("2026-11-23T00:00:00Z"));
        assertThat(q.decision()).contains("rollback");
    }

    @Test
    void badFiltersSayWhatIsAccepted() {
        assertThatThrownBy(() -> AuditQueryParser.parse(List.of("owner=bob"), NOW))
                .hasMessageContaining("unknown filter 'owner'")
                .hasMessageContaining("service");
        assertThatThrownBy(() -> AuditQueryParser.parse(List.of("checkout"), NOW))
                .hasMessageContaining("key=value");
        assertThatThrownBy(() -> AuditQueryParser.parse(List.of("since=yesterday"), NOW))
                .hasMessageContaining("90m, 24h, 7d");
        assertThatThrownBy(() -> AuditQueryParser.parse(List.of("since=1d", "until=2d"), NOW))
                .hasMessageContaining("must be after");
        assertThatThrownBy(() -> AuditQueryParser.parse(List.of("service=a'b"), NOW))
                .hasMessageContaining("letters");
    }

    @Test
    void aFilterGivenTwiceIsRefusedRatherThanTheLastOneKept() {
        assertThatThrownBy(() -> AuditQueryParser.parse(List.of("service=search", "service=checkout"), NOW))
                .hasMessageContaining("service is given twice (service=search, service=checkout)")
                .hasMessageContaining("give it once");
    }
}
