package io.harbormaster.engine.risk;

import java.util.List;

/**
 * The configurable parts of the always-escalate rules (from {@code harbormaster.yml}).
 *
 * @param schemaMigrations paths that hold database schema migrations
 * @param deployConfiguration paths that hold deploy or infrastructure configuration
 */
public record EscalationRulesConfig(PathPatterns schemaMigrations, PathPatterns deployConfiguration) {

    /** Patterns that cover the usual layouts (Flyway, Liquibase, Rails/Django migrations, Docker, Helm, Terraform). */
    public static EscalationRulesConfig defaults() {
        return new EscalationRulesConfig(
                new PathPatterns(List.of("**/db/migration/**", "**/migrations/**", "**/liquibase/**", "*.sql")),
                new PathPatterns(List.of(
                        "Dockerfile",
                        "*.dockerfile",
                        "docker-compose*.yml",
                        "docker-compose*.yaml",
                        "Jenkinsfile",
                        "*.tf",
                        "*.tfvars",
                        "kustomization.yaml",
                        "harbormaster.yml",
                        "**/helm/**",
                        "**/charts/**",
                        "**/k8s/**",
                        "**/kubernetes/**",
                        "**/manifests/**",
                        "**/deploy/**",
                        "**/terraform/**",
                        "**/.github/workflows/**",
                        "**/.gitlab-ci.yml")));
    }
}
