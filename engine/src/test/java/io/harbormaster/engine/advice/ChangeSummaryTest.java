package io.harbormaster.engine.advice;

import static org.assertj.core.api.Assertions.assertThat;

import io.harbormaster.engine.rollout.AnnouncedBuild;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The announced change in words. */
class ChangeSummaryTest {
    static ChangeSummary of(String change) {
        return ChangeSummary.of(Optional.of(
                new AnnouncedBuild("orders", "1.0", "img", "abc1234", "b", "success", change, Instant.EPOCH)));
    }

    @Test
    void filesAreGroupedByTheirFirstMeaningfulDirectoryAndMigrationsAreRecognised() {
        var c = of("""
                {"la":12,"ld":3,"files":["src/main/resources/db/migration/V7__x.sql","src/main/java/api/Orders.java",
                 "README.md"],"pr_title":"Split payments","commit_messages":["first line\\nsecond line"]}""");
        assertThat(c.subsystems()).containsExactly("db", "api", "(root)");
        assertThat(c.filesInWords()).startsWith("3 files in db, api, (root): ").endsWith("+12/-3 lines");
        assertThat(c.touchesMigration()).isTrue();
        assertThat(c.firstFiles(1)).containsExactly("src/main/resources/db/migration/V7__x.sql");
        assertThat(c.searchText("orders")).startsWith("orders. Split payments. first line");
        assertThat(of("{\"files\":[\"src/GraphQLSchema.java\"]}").touchesMigration())
                .isFalse();
        assertThat(of("{\"files\":[\"src/GraphQLSchema.java\"]}").filesInWords())
                .startsWith("1 file in (root): ");
    }

    @Test
    void noBuildAndUnreadableMetadataAreSaidPlainly() {
        assertThat(ChangeSummary.of(Optional.empty()).filesInWords()).contains("no build announced");
        assertThat(of("not json").filesInWords()).isEqualTo("no files listed; +0/-0 lines");
    }
}
