package io.harbormaster.engine.intake;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.harbormaster.engine.rollout.AnnouncedBuild;
import io.harbormaster.engine.rollout.DeployRequest;
import io.harbormaster.engine.rollout.RequestSource;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CiDeployRequestTest {

    private static final Instant NOW = Instant.parse("2025-06-01T12:00:00Z");

    private static CiDeployRequest parsed(ObjectNode node) {
        ParseResult result = CiDeployRequest.parse(node.toString());
        assertThat(result).isInstanceOf(ParseResult.Parsed.class);
        return ((ParseResult.Parsed) result).request();
    }

    private static ParseResult.Refused refused(String json) {
        ParseResult result = CiDeployRequest.parse(json);
        assertThat(result).isInstanceOf(ParseResult.Refused.class);
        return (ParseResult.Refused) result;
    }

    /** The single problem a message has; fails if it has none or several. */
    private static Problem onlyProblem(ObjectNode node) {
        List<Problem> problems = refused(node.toString()).problems();
        assertThat(problems).hasSize(1);
        return problems.getFirst();
    }

    @Test
    void aCompleteMessageBecomesATypedRequestWithTheOriginalJsonKept() {
        ObjectNode node = CiRequests.valid();
        CiDeployRequest request = parsed(node);

        assertThat(request.service()).isEqualTo("payments");
        assertThat(request.version()).isEqualTo("1.4.2");
        assertThat(request.image()).isEqualTo("registry.example.com/shop/payments:1.4.2");
        assertThat(request.commitSha()).isEqualTo("9fceb02d0ae598e95dc970b74767f19372d61af8");
        assertThat(request.buildId()).isEqualTo("gha-8812345");
        assertThat(request.environment()).isEqualTo("production");
        assertThat(request.ciStatus()).isEqualTo(CiStatus.SUCCESS);
        assertThat(request.autoDeploy()).isTrue();
        assertThat(request.requestedBy()).contains("alice");
        assertThat(request.json()).isEqualTo(node.toString());
        assertThat(request.warnings()).isEmpty();

        ChangeMetadata change = request.change();
        assertThat(change.metrics()).hasSize(14).containsEntry("la", 120.0).containsEntry("fix", 0.0);
        assertThat(change.files()).containsExactly("src/main/java/Payment.java", "src/test/java/PaymentTest.java");
        assertThat(change.dependencies()).containsExactly("ledger");
        assertThat(change.commitMessages()).containsExactly("Fix rounding of refunds");
        assertThat(change.prTitle()).contains("Fix rounding of refunds");
        assertThat(change.json()).isEqualTo(node.get("change").toString());
    }

    @Test
    void optionalFieldsTakeTheirDefaults() {
        CiDeployRequest request = parsed(CiRequests.minimal());

        assertThat(request.environment()).isEqualTo("production");
        assertThat(request.ciStatus()).isEqualTo(CiStatus.UNKNOWN);
        assertThat(request.autoDeploy()).isFalse();
        assertThat(request.requestedBy()).isEmpty();
        assertThat(request.change().metrics()).isEmpty();
        assertThat(request.change().files()).isEmpty();
        assertThat(request.change().dependencies()).isEmpty();
        assertThat(request.change().prTitle()).isEmpty();
    }

    @Test
    void nullIsTheSameAsLeavingAnOptionalFieldOut() {
        ObjectNode node = CiRequests.minimal();
        node.putNull("environment").putNull("ci_status").putNull("auto_deploy").putNull("requested_by");
        CiDeployRequest request = parsed(node);

        assertThat(request.environment()).isEqualTo("production");
        assertThat(request.ciStatus()).isEqualTo(CiStatus.UNKNOWN);
        assertThat(request.autoDeploy()).isFalse();
    }

    @Test
    void unknownTopLevelFieldsAreIgnoredButNamedInAWarning() {
        ObjectNode node = CiRequests.valid();
        node.put("pipeline_url", "https://ci.example.com/1");
        CiDeployRequest request = parsed(node);

        assertThat(request.warnings()).singleElement().asString().contains("unknown field \"pipeline_url\" ignored");
    }

    @Test
    void aMisspeltMetricInsideChangeIsRefusedNamingTheClosestKnownKeyNotScoredAsMissing() {
        // before: kept in the change's JSON and dropped by the risk inputs, so entropy scored as missing, silently
        ObjectNode node = CiRequests.valid();
        ObjectNode change = (ObjectNode) node.get("change");
        change.remove("entropy");
        change.put("entrpy", 0.81);

        Problem problem = onlyProblem(node);

        assertThat(problem.field()).isEqualTo("change.entrpy");
        assertThat(problem.message())
                .isEqualTo("unknown key 'entrpy' (did you mean 'entropy'?); known keys: ns, nd, nf, entropy, la,"
                        + " ld, lt, fix, ndev, age, nuc, exp, rexp, sexp, files, dependencies, commit_messages,"
                        + " pr_title, author");
    }

    @Test
    void anUnknownKeyInsideChangeIsRefusedEvenWithNothingCloseToIt() {
        ObjectNode node = CiRequests.valid();
        ((ObjectNode) node.get("change")).put("schema_migration", true);

        Problem problem = onlyProblem(node);

        assertThat(problem.toString())
                .startsWith("change.schema_migration: unknown key 'schema_migration'; known keys: ns, nd,");
    }

    @Test
    void aMetricUnderItsApacheJitNameIsCheckedAndTakenOnce() {
        ObjectNode node = CiRequests.minimal();
        ((ObjectNode) node.get("change")).put("aexp", 275).put("ent", 1.2);
        assertThat(parsed(node).change().metrics()).containsEntry("exp", 275.0).containsEntry("entropy", 1.2);

        ((ObjectNode) node.get("change")).put("aexp", "many");
        assertThat(onlyProblem(node).toString()).isEqualTo("change.aexp: is a string (\"many\"): expected a number");

        ((ObjectNode) node.get("change")).put("aexp", 275).put("exp", 275);
        assertThat(onlyProblem(node).toString())
                .isEqualTo("change.exp: gives exp again (change.aexp gave it already): send it once, as \"exp\"");
    }

    @Test
    void everyProblemIsReportedAtOnceEachNamingItsField() {
        ObjectNode node = CiRequests.valid();
        node.put("service", "Payments");
        node.put("version", "-1");
        node.remove("build_id");
        ParseResult.Refused refused = refused(node.toString());

        assertThat(refused.problems()).extracting(Problem::field).containsExactly("service", "version", "build_id");
        assertThat(refused.message()).startsWith("deploy request refused, 3 problems: service: ");
    }

    @Nested
    class TheMessageAsAWhole {
        @Test
        void largerThan256KiBIsRefusedWithItsSize() {
            ObjectNode node = CiRequests.valid();
            ((ObjectNode) node.get("change")).put("pr_title", "x".repeat(CiDeployRequestParser.MAX_BYTES));
            Problem problem = refused(node.toString()).problems().getFirst();

            assertThat(problem.field()).isEqualTo("(message)");
            assertThat(problem.message())
                    .contains("at most 262144 bytes (256 KiB)")
                    .contains("leave bulky content");
        }

        @Test
        void justUnderTheLimitIsAccepted() {
            ObjectNode node = CiRequests.valid();
            int size = node.toString().getBytes(StandardCharsets.UTF_8).length;
            ((ObjectNode) node.get("change")).put("pr_title", "x".repeat(CiDeployRequestParser.MAX_BYTES - size - 40));
            assertThat(node.toString().getBytes(StandardCharsets.UTF_8).length)
                    .isLessThanOrEqualTo(CiDeployRequestParser.MAX_BYTES);
            parsed(node);
        }

        @Test
        void thatIsEmptyIsRefused() {
            assertThat(CiDeployRequest.parse(new byte[0]))
                    .isInstanceOfSatisfying(ParseResult.Refused.class, r -> assertThat(r.message())
                            .contains("is empty"));
            assertThat(CiDeployRequest.parse((byte[]) null)).isInstanceOf(ParseResult.Refused.class);
        }

        @Test
        void thatIsNotUtf8IsRefused() {
            byte[] latin1 = "{\"service\":\"caf\u00e9\"}".getBytes(StandardCharsets.ISO_8859_1);
            assertThat(refused(latin1).message()).contains("is not valid UTF-8");
        }

        /** The one problem of a message refused as a whole, checked to carry none of the parser's internals. */
        private String wholeMessageProblem(String json) {
            List<Problem> problems = refused(json).problems();
            assertThat(problems).hasSize(1);
            assertThat(problems.getFirst().field()).isEqualTo("(message)");
            String message = problems.getFirst().message();
            assertThat(message).doesNotContain("Source:", "com.fasterxml", "Feature", "(code ", "`", "REDACTED");
            return message;
        }

        @Test
        void thatIsCutShortIsRefusedSayingWhereAndWhatIsMissing() {
            // before: "is not valid JSON (Unexpected end-of-input: expected close marker for Object (start marker at
            // [Source: REDACTED (`StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION` disabled); line: 1, column: 1]) at
            // line 2, column 20): expected one JSON object"
            assertThat(wholeMessageProblem("{\"service\": \"payments\",\n \"version\": \"1.4.2\""))
                    .isEqualTo("is not valid JSON at line 2, column 20: the text ends before the object opened at line"
                            + " 1, column 1 is closed: a '}' is missing");
            assertThat(wholeMessageProblem("{\"service\": \"payments\","))
                    .isEqualTo("is not valid JSON at line 1, column 24: the text ends inside an object: a value or a"
                            + " '}' is missing");
        }

        @Test
        void withATrailingCommaIsRefusedSayingWhere() {
            assertThat(wholeMessageProblem("{\"service\": \"payments\",\n \"version\": \"1.4.2\",\n}"))
                    .isEqualTo("is not valid JSON at line 3, column 1: found '}' after a comma: JSON allows no comma"
                            + " after the last entry");
            assertThat(wholeMessageProblem("{\"change\": {\"files\": [\"a.java\",]}}"))
                    .isEqualTo("is not valid JSON at line 1, column 32: found ']' after a comma: JSON allows no comma"
                            + " after the last item");
        }

        @Test
        void withAWordThatIsNotAJsonValueIsRefusedWithoutRepeatingIt() {
            // a secret templated into the message without quotes must not reach the log, the DLQ header or the reply
            String secret = "ghp_" + "Zq8vN3xKp2LmW7rT0yB5cD1eF4gH6jK9aS2d";
            String message = wholeMessageProblem("{\"service\": \"payments\", \"requested_by\": " + secret + "}");
            assertThat(message)
                    .isEqualTo("is not valid JSON at line 1, column 81: a word that is not a JSON value (expected a"
                            + " number, \"text\", true, false, null, {an object} or [a list]; text takes double"
                            + " quotes)")
                    .doesNotContain("ghp_", secret.substring(10, 20));
        }

        @Test
        void thatIsNotAnObjectIsRefusedSayingWhatItIs() {
            assertThat(wholeMessageProblem("[1,2]"))
                    .isEqualTo("is a JSON list: expected a JSON object such as {\"service\": ...}");
            assertThat(wholeMessageProblem("\"payments 1.4.2\""))
                    .isEqualTo("is a JSON string: expected a JSON object such as {\"service\": ...}");
            assertThat(wholeMessageProblem("42"))
                    .isEqualTo("is a JSON number: expected a JSON object such as" + " {\"service\": ...}");
        }

        @Test
        void withFieldsOfTheWrongTypeNamesEachOneAndWhatItShouldBe() {
            ObjectNode node = CiRequests.valid();
            node.put("service", 42);
            node.put("auto_deploy", "yes");
            ((ObjectNode) node.get("change")).put("la", "many");
            List<Problem> problems = refused(node.toString()).problems();
            assertThat(problems)
                    .containsExactly(
                            new Problem("service", "is a number (42): expected a string"),
                            new Problem("auto_deploy", "is a string (\"yes\"): expected true or false"),
                            new Problem("change.la", "is a string (\"many\"): expected a number"));
            assertThat(refused(node.toString()).message()).doesNotContain("Source:", "com.fasterxml");
        }

        @Test
        void withAFieldGivenTwiceIsRefused() {
            String twice = CiRequests.valid().toString().replaceFirst("\\{", "{\"service\":\"orders\",");
            assertThat(wholeMessageProblem(twice))
                    .matches("is not valid JSON at line 1, column \\d+: the key" + " 'service' is given twice");
        }

        @Test
        void withTrailingContentIsRefused() {
            assertThat(wholeMessageProblem(CiRequests.valid() + " {}"))
                    .matches("is not valid JSON at line 1, column \\d+: there is more after the JSON value ends: a"
                            + " message holds one value");
        }

        private ParseResult.Refused refused(byte[] bytes) {
            ParseResult result = CiDeployRequest.parse(bytes);
            assertThat(result).isInstanceOf(ParseResult.Refused.class);
            return (ParseResult.Refused) result;
        }

        private ParseResult.Refused refused(String json) {
            return CiDeployRequestTest.refused(json);
        }
    }

    @Nested
    class EachField {
        @ParameterizedTest
        @ValueSource(strings = {"service", "version", "image", "commit_sha", "build_id", "change"})
        void aMissingRequiredFieldIsNamedWithWhatIsExpected(String field) {
            ObjectNode node = CiRequests.valid();
            node.remove(field);
            Problem problem = onlyProblem(node);

            assertThat(problem.field()).isEqualTo(field);
            assertThat(problem.message()).startsWith("is missing: expected ");
        }

        @ParameterizedTest
        @ValueSource(strings = {"Payments", "-payments", "payments-", "pay_ments", "pay.ments", ""})
        void aServiceThatIsNotACatalogNameIsRefused(String service) {
            ObjectNode node = CiRequests.valid();
            node.put("service", service);
            node.put("image", "registry.example.com/shop/x:1.4.2");
            Problem problem = onlyProblem(node);

            assertThat(problem.field()).isEqualTo("service");
            assertThat(problem.message()).contains("is not a catalog name: expected 1 to 63 lower-case letters");
        }

        @Test
        void aServiceNameOf64CharactersIsTooLong() {
            ObjectNode node = CiRequests.valid();
            node.put("service", "a".repeat(64));
            assertThat(onlyProblem(node).message()).contains("is not a catalog name");
            node.put("service", "a".repeat(63));
            parsed(node);
        }

        @Test
        void aServiceThatIsNotAStringSaysWhatItIs() {
            ObjectNode node = CiRequests.valid();
            node.put("service", 42);
            assertThat(onlyProblem(node)).isEqualTo(new Problem("service", "is a number (42): expected a string"));
        }

        @ParameterizedTest
        @ValueSource(strings = {".1", "-rc1", "1.4 beta", "v1/2", "1.4.2+build"})
        void aVersionThatIsNotAnImageTagIsRefused(String version) {
            ObjectNode node = CiRequests.valid();
            node.put("version", version);
            node.put("image", "registry.example.com/shop/payments");
            Problem problem = onlyProblem(node);

            assertThat(problem.field()).isEqualTo("version");
            assertThat(problem.message()).contains("is not an image tag: expected 1 to 128 letters, digits");
        }

        @Test
        void aVersionOf129CharactersIsTooLong() {
            ObjectNode node = CiRequests.valid();
            node.put("image", "registry.example.com/shop/payments");
            node.put("version", "v".repeat(129));
            assertThat(onlyProblem(node).field()).isEqualTo("version");
            node.put("version", "v".repeat(128));
            parsed(node);
        }

        @ParameterizedTest
        @ValueSource(
                strings = {
                    "registry.example.com/shop/payments:1.4.2",
                    "registry.example.com:5000/shop/payments:1.4.2",
                    "localhost/payments",
                    "docker.io/library/nginx",
                    "registry.example.com/shop/payments@sha256:"
                            + "a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90",
                    "registry.example.com/shop/pay__ments:1.4.2@sha256:"
                            + "a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90"
                })
        void imagesWithARegistryAndAnOptionalTagOrDigestAreAccepted(String image) {
            ObjectNode node = CiRequests.valid();
            node.put("image", image);
            assertThat(parsed(node).image()).isEqualTo(image);
        }

        @Test
        void anImageWithoutARegistryHostIsRefused() {
            ObjectNode node = CiRequests.valid();
            node.put("image", "shop/payments:1.4.2");
            Problem problem = onlyProblem(node);

            assertThat(problem.field()).isEqualTo("image");
            assertThat(problem.message()).contains("names no registry host").contains("docker.io/");
        }

        @Test
        void anImageWithUpperCaseInItsPathIsRefused() {
            ObjectNode node = CiRequests.valid();
            node.put("image", "registry.example.com/Shop/payments:1.4.2");
            assertThat(onlyProblem(node).message()).contains("has path component \"Shop\"");
        }

        @Test
        void anImageWithAMalformedDigestIsRefused() {
            ObjectNode node = CiRequests.valid();
            node.put("image", "registry.example.com/shop/payments@sha256:abc");
            assertThat(onlyProblem(node).message()).contains("has digest \"sha256:abc\"");
        }

        @Test
        void anImageTaggedOtherThanTheVersionIsRefused() {
            ObjectNode node = CiRequests.valid();
            node.put("image", "registry.example.com/shop/payments:1.4.1");
            assertThat(onlyProblem(node).message())
                    .contains("is tagged \"1.4.1\" but version is \"1.4.2\"")
                    .contains("pin the digest");
        }

        @ParameterizedTest
        @ValueSource(strings = {"9fceb0", "9fceb02z", "xxxxxxx"})
        void aCommitShaThatIsNotHexOf7To64DigitsIsRefused(String sha) {
            ObjectNode node = CiRequests.valid();
            node.put("commit_sha", sha);
            assertThat(onlyProblem(node).message()).contains("expected 7 to 64 hexadecimal digits");
        }

        @Test
        void aCommitShaIsKeptInLowerCase() {
            ObjectNode node = CiRequests.valid();
            node.put("commit_sha", "9FCEB02");
            assertThat(parsed(node).commitSha()).isEqualTo("9fceb02");
        }

        @Test
        void aBlankOrOverlongOrControlCharacterBuildIdIsRefused() {
            ObjectNode node = CiRequests.valid();
            node.put("build_id", "  ");
            assertThat(onlyProblem(node).message()).contains("is blank");
            node.put("build_id", "b".repeat(256));
            assertThat(onlyProblem(node).message()).contains("at most 255");
            node.put("build_id", "gha\n1");
            assertThat(onlyProblem(node).message()).contains("\"gha\\u000a1\" contains control characters");
        }

        @Test
        void anEnvironmentFollowsTheCatalogNameSyntax() {
            ObjectNode node = CiRequests.valid();
            node.put("environment", "Prod");
            assertThat(onlyProblem(node).field()).isEqualTo("environment");
            node.put("environment", "staging");
            assertThat(parsed(node).environment()).isEqualTo("staging");
        }

        @Test
        void aCiStatusOutsideTheFourKnownOnesIsRefusedListingThem() {
            ObjectNode node = CiRequests.valid();
            node.put("ci_status", "SUCCESS");
            assertThat(onlyProblem(node))
                    .isEqualTo(new Problem(
                            "ci_status",
                            "\"SUCCESS\" is not a CI status: expected one of \"success\", \"failed\", \"running\","
                                    + " \"unknown\""));
        }

        @Test
        void autoDeployMustBeABooleanNotAString() {
            ObjectNode node = CiRequests.valid();
            node.put("auto_deploy", "true");
            assertThat(onlyProblem(node))
                    .isEqualTo(new Problem("auto_deploy", "is a string (\"true\"): expected true or false"));
        }

        @Test
        void changeMustBeAnObject() {
            ObjectNode node = CiRequests.valid();
            node.put("change", "lots");
            assertThat(onlyProblem(node).message())
                    .isEqualTo("is a string: expected an object such as {\"files\": [...]}");
        }

        @Test
        void changeNeedsItsFilesList() {
            ObjectNode node = CiRequests.valid();
            ((ObjectNode) node.get("change")).remove("files");
            Problem problem = onlyProblem(node);
            assertThat(problem.field()).isEqualTo("change.files");
            assertThat(problem.message()).contains("is missing: expected a list of the changed paths");
        }

        @Test
        void aMetricThatIsNotANumberIsNamed() {
            ObjectNode node = CiRequests.valid();
            ((ObjectNode) node.get("change")).put("la", "120");
            assertThat(onlyProblem(node))
                    .isEqualTo(new Problem("change.la", "is a string (\"120\"): expected a number"));
        }

        @Test
        void aNegativeMetricIsRefused() {
            ObjectNode node = CiRequests.valid();
            ((ObjectNode) node.get("change")).put("entropy", -0.5);
            assertThat(onlyProblem(node))
                    .isEqualTo(new Problem("change.entropy", "is -0.5: expected a finite number >= 0"));
        }

        @Test
        void fixMayBeABooleanOrANumber() {
            ObjectNode node = CiRequests.valid();
            ((ObjectNode) node.get("change")).put("fix", true);
            assertThat(parsed(node).change().metric("fix")).contains(1.0);
            ((ObjectNode) node.get("change")).put("fix", 0);
            assertThat(parsed(node).change().metric("fix")).contains(0.0);
            ((ObjectNode) node.get("change")).put("fix", "yes");
            assertThat(onlyProblem(node).message()).contains("expected a number (0 or 1) or true/false");
        }

        @Test
        void aListItemThatIsNotAStringIsNamedByIndex() {
            ObjectNode node = CiRequests.valid();
            ((ObjectNode) node.get("change")).putArray("files").add("a.java").add(7);
            assertThat(onlyProblem(node)).isEqualTo(new Problem("change.files[1]", "is a number: expected a string"));
        }

        @Test
        void theChangesAuthorMustBeTextSinceTheAuthorMayNotApproveTheirOwnChange() {
            // a wrong-typed author would be no author at all, and the rule against approving one's own change with it
            ObjectNode node = CiRequests.valid();
            ((ObjectNode) node.get("change")).put("author", 42);
            assertThat(onlyProblem(node))
                    .isEqualTo(new Problem("change.author", "is a number (42): expected a string"));
            ((ObjectNode) node.get("change")).putObject("author").put("slack", "U0DEV");
            assertThat(onlyProblem(node).field()).isEqualTo("change.author");
            ((ObjectNode) node.get("change")).put("author", " ");
            assertThat(onlyProblem(node).field()).isEqualTo("change.author");
            ((ObjectNode) node.get("change")).put("author", "U0DEV\nU0OTHER");
            assertThat(onlyProblem(node).field()).isEqualTo("change.author");
            ((ObjectNode) node.get("change")).put("author", "U0DEV");
            assertThat(parsed(node).change().json()).contains("\"author\":\"U0DEV\"");
        }

        @Test
        void requestedByFollowsThePrintableTextRules() {
            ObjectNode node = CiRequests.valid();
            node.put("requested_by", "");
            assertThat(onlyProblem(node).field()).isEqualTo("requested_by");
        }
    }

    @Nested
    class IdempotencyAndConversion {
        @Test
        void theIdempotencyKeyIsTheServiceEnvironmentAndBuildId() {
            assertThat(parsed(CiRequests.valid()).idempotencyKey()).isEqualTo("ci:payments/production/gha-8812345");
        }

        @Test
        void twoServicesAnnouncedByOneBuildHaveDifferentKeys() {
            assertThat(parsed(CiRequests.valid("payments", "1.0", "b-1")).idempotencyKey())
                    .isNotEqualTo(
                            parsed(CiRequests.valid("orders", "1.0", "b-1")).idempotencyKey());
        }

        @Test
        void theSameBuildForAnotherEnvironmentHasAnotherKey() {
            ObjectNode staging = CiRequests.valid();
            staging.put("environment", "staging");
            assertThat(parsed(staging).idempotencyKey()).isEqualTo("ci:payments/staging/gha-8812345");
        }

        @Test
        void aKeyThatWouldBeTooLongCarriesTheBuildIdsHash() {
            ObjectNode node = CiRequests.valid();
            node.put("service", "s".repeat(63));
            node.put("image", "registry.example.com/shop/x:1.4.2");
            node.put("build_id", "b".repeat(255));
            String key = parsed(node).idempotencyKey();

            assertThat(key).hasSizeLessThanOrEqualTo(255).matches("ci:s{63}/production/sha256:[0-9a-f]{64}");
        }

        @Test
        void theDeployRequestCarriesTheOriginalJsonAndTheSource() {
            CiDeployRequest request = parsed(CiRequests.valid());
            DeployRequest deploy = request.toDeployRequest(RequestSource.KAFKA, NOW);

            assertThat(deploy)
                    .isEqualTo(new DeployRequest(
                            "ci:payments/production/gha-8812345",
                            RequestSource.KAFKA,
                            "payments",
                            "1.4.2",
                            "production",
                            "alice",
                            false,
                            request.json(),
                            NOW));
        }

        @Test
        void aRequestNamingNoRequesterIsRequestedByCi() {
            DeployRequest deploy = parsed(CiRequests.minimal()).toDeployRequest(RequestSource.HTTP, "ci:x", NOW);
            assertThat(deploy.requestedBy()).isEqualTo("ci");
            assertThat(deploy.idempotencyKey()).isEqualTo("ci:x");
        }

        @Test
        void theAnnouncedBuildCarriesTheChangeJson() {
            CiDeployRequest request = parsed(CiRequests.valid());
            assertThat(request.toAnnouncedBuild(NOW))
                    .isEqualTo(new AnnouncedBuild(
                            "payments",
                            "1.4.2",
                            "registry.example.com/shop/payments:1.4.2",
                            "9fceb02d0ae598e95dc970b74767f19372d61af8",
                            "gha-8812345",
                            "success",
                            request.change().json(),
                            NOW));
        }
    }

    @Test
    void problemsQuoteLongValuesCutAndEscaped() {
        ObjectNode node = CiRequests.valid();
        node.put("ci_status", "\"" + "z".repeat(100));
        String message = onlyProblem(node).message();
        assertThat(message).startsWith("\"\\\"zzz").contains("...\" is not a CI status");
        assertThat(Optional.of(message.length()))
                .hasValueSatisfying(n -> assertThat(n).isLessThan(200));
    }
}
