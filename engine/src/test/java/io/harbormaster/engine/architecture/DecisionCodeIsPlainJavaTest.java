package io.harbormaster.engine.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.Test;

/** The engine's decision packages talk to the world only through ports: no framework or transport types inside. */
class DecisionCodeIsPlainJavaTest {
    static final String[] DECISION_PACKAGES = {
        "io.harbormaster.engine.risk..",
        "io.harbormaster.engine.canary..",
        "io.harbormaster.engine.rollout..",
        "io.harbormaster.engine.policy..",
        "io.harbormaster.engine.audit..",
        "io.harbormaster.engine.advice..",
    };

    static final String[] FORBIDDEN = {
        "com.slack..",
        "io.javalin..",
        "io.fabric8..",
        "org.apache.kafka..",
        "io.vertx..",
        "org.jooq..",
        "java.net.http..",
        "jakarta.servlet..",
        "org.eclipse.jetty..",
        "okhttp3..",
        "dev.langchain4j..",
        "io.prometheus..",
    };

    static final JavaClasses ENGINE = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.harbormaster.engine");

    @Test
    void decisionPackagesDependOnNoFrameworkOrTransportType() {
        ArchRule rule = noClasses()
                .that()
                .resideInAnyPackage(DECISION_PACKAGES)
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(FORBIDDEN)
                .orShould()
                .dependOnClassesThat()
                .haveFullyQualifiedName("java.net.HttpURLConnection")
                .allowEmptyShould(false);
        rule.check(ENGINE);
    }
}
