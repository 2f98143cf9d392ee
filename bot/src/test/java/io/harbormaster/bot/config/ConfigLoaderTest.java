package io.harbormaster.bot.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.harbormaster.engine.canary.CanaryPolicy;
import io.harbormaster.engine.policy.Criticality;
import io.harbormaster.engine.policy.GatewayRoute;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConfigLoaderTest {
    static String example() throws IOException {
        try (var in = ConfigLoader.class.getResourceAsStream("harbormaster.example.yml")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    static List<String> problems(String yaml) {
        try {
            ConfigLoader.parse("harbormaster.yml", yaml);
        } catch (ConfigException e) {
            return e.problems();
        }
        throw new AssertionError("expected the configuration to be refused");
    }

    static final String MINIMAL = """
            groups:
              ops: [U01AAA]
            services:
              web:
                namespace: default
                approvers: ops
            """;

    @Test
    void theShippedExampleIsValidAndMeansWhatItSays() throws IOException {
        var config = ConfigLoader.parse("example", example());
        var catalog = config.catalog();
        assertThat(catalog.services()).containsOnlyKeys("checkout", "payments", "inventory");
        var checkout = catalog.service("checkout").orElseThrow();
        assertThat(checkout.criticality()).isEqualTo(Criticality.HIGH);
        assertThat(checkout.requiredApprovals()).isEqualTo(2);
        assertThat(checkout.dependency("payments").orElseThrow().minVersion()).contains("2.3.0");
        assertThat(checkout.inWindow(Instant.parse("2026-11-23T10:00:00Z"))).isTrue(); // Monday 11:00 in Berlin
        assertThat(checkout.inWindow(Instant.parse("2026-11-22T10:00:00Z"))).isFalse(); // Sunday
        assertThat(catalog.dependents("payments")).containsExactly("checkout");
        assertThat(catalog.service("payments")
                        .orElseThrow()
                        .canary()
                        .hardTriggers()
                        .maxErrorRate())
                .isEqualTo(0.02);
        assertThat(catalog.service("inventory").orElseThrow().deployment()).isEqualTo("inventory");
        assertThat(checkout.deployerGroup()).contains("payments-deployers");
        assertThat(catalog.service("inventory").orElseThrow().deployerGroup()).isEmpty();
        assertThat(catalog.people().member("Pay.Eng@example.com")).contains("U03PAYENG");
        assertThat(catalog.freezes().getFirst().covers("checkout", Instant.parse("2026-11-28T12:00:00Z")))
                .isTrue();
        assertThat(config.approvalTimeout()).isEqualTo(Duration.ofHours(4));
        assertThat(config.incidentBlock()).isEqualTo(Duration.ofHours(1));
        assertThat(config.readinessTimeout()).isEqualTo(Duration.ofMinutes(5));
        assertThat(config.prometheus())
                .hasValueSatisfying(u -> assertThat(u.getHost()).isEqualTo("prometheus.monitoring"));
    }

    @Test
    void theShippedExamplesCanaryPolicyIsTheCodedDefault() throws IOException {
        // the example spells the canary defaults out; a service that does not override them must get exactly the
        // policy a file without a canary section gets, or the example teaches a schedule the product does not run
        var config = ConfigLoader.parse("example", example());
        var inventory = config.catalog().service("inventory").orElseThrow();
        assertThat(inventory.canary().steps()).isEqualTo(CanaryPolicy.defaults().steps());
        assertThat(inventory.canary()).isEqualTo(CanaryPolicy.defaults());
    }

    @Test
    void aMinimalFileGetsTheDocumentedDefaults() {
        var config = ConfigLoader.parse("harbormaster.yml", MINIMAL);
        var web = config.catalog().service("web").orElseThrow();
        assertThat(web.deployment()).isEqualTo("web");
        assertThat(web.container()).isEqualTo("web");
        assertThat(web.criticality()).isEqualTo(Criticality.MEDIUM);
        assertThat(web.requiredApprovals()).isEqualTo(1);
        assertThat(web.channel()).isEqualTo("#deploys");
        assertThat(config.autoDeployBlock()).isEqualTo(Duration.ofHours(1));
        assertThat(config.incidentBlock()).isEqualTo(Duration.ofHours(1));
        assertThat(config.readinessTimeout()).isEqualTo(Duration.ofMinutes(5));
        assertThat(config.environment()).isEqualTo("production");
        assertThat(config.prometheus()).isEmpty();
        assertThat(config.socketMode()).isFalse();
        assertThat(config.advisor().provider()).isEqualTo(AdvisorSettings.Provider.NONE);
        assertThat(config.advisor().timeout()).isEqualTo(Duration.ofSeconds(20));
    }

    @Test
    void howLongADependencysIncidentHoldsDeploysBackIsADurationUnderDefaultsReadAtStartOnly() {
        var config = ConfigLoader.parse("harbormaster.yml", "defaults: {incident_block: 20m}\n" + MINIMAL);
        assertThat(config.incidentBlock()).isEqualTo(Duration.ofMinutes(20));
        assertThat(problems("defaults: {incident_block: forever}\n" + MINIMAL))
                .singleElement()
                .asString()
                .contains("defaults.incident_block", "expected a duration such as 90s, 30m, 4h or 1d");
        assertThat(LiveConfig.restartOnly(ConfigLoader.parse("harbormaster.yml", MINIMAL), config))
                .containsExactly("defaults.incident_block");
        assertThat(ConfigLoader.parse("sandbox", sandboxYml()).incidentBlock())
                .as("the sandbox's times are scaled down as its automatic-deploy block is")
                .isEqualTo(Duration.ofMinutes(2));
    }

    static String sandboxYml() {
        try (var in = ConfigLoaderTest.class.getResourceAsStream("/io/harbormaster/bot/sandbox/sandbox.yml")) {
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void theAdvisorTakesAnOpenAiCompatibleEndpointAndRefusesWhatItCannotUse() {
        var config = ConfigLoader.parse("harbormaster.yml", MINIMAL + """
                advisor:
                  provider: openai
                  base_url: http://ollama:11434/v1
                  model: llama3.1:8b
                  timeout: 8s
                  max_tokens: 300
                """);
        var advisor = config.advisor();
        assertThat(advisor.provider()).isEqualTo(AdvisorSettings.Provider.OPENAI);
        assertThat(advisor.baseUrl()).hasToString("http://ollama:11434/v1");
        assertThat(advisor.model()).isEqualTo("llama3.1:8b");
        assertThat(advisor.timeout()).isEqualTo(Duration.ofSeconds(8));
        assertThat(advisor.maxTokens()).isEqualTo(300);

        assertThat(problems(MINIMAL + "advisor: {provider: openai}\n"))
                .singleElement()
                .asString()
                .contains("advisor.model", "is required");
        assertThat(problems(MINIMAL + "advisor: {provider: claude, model: m}\n"))
                .singleElement()
                .asString()
                .contains("advisor.provider", "'claude' is not a provider", "anthropic");
        assertThat(problems(MINIMAL + "advisor: {provider: openai, model: m, base_url: 'ftp://x', api_key: k}\n"))
                .hasSize(2)
                .anySatisfy(p -> assertThat(p).contains("advisor.base_url", "not an http(s) URL"))
                .anySatisfy(p -> assertThat(p).contains("unknown key 'api_key'"));
    }

    @Test
    void credentialsWrittenIntoAUrlAreRefusedWithoutRepeatingThem() {
        // secrets come from the environment: one in the file would be read by anyone who reads the file, and shown
        // wherever the URL is
        var problems = problems(MINIMAL
                + "prometheus: {url: 'https://metrics:s3cret-pw@prometheus.example:9090'}\n"
                + "advisor: {provider: openai, model: m, base_url: 'https://me:sk-s3cret@llm.example/v1'}\n");

        assertThat(problems)
                .hasSize(2)
                .anySatisfy(
                        p -> assertThat(p).contains("prometheus.url", "credentials", "https://prometheus.example:9090"))
                .anySatisfy(p -> assertThat(p).contains("advisor.base_url", "credentials", "HARBORMASTER_LLM_API_KEY"))
                .noneSatisfy(p -> assertThat(p).containsAnyOf("s3cret", "metrics:", "me:"));
    }

    @Test
    void theAdvisorTakesAnthropicWithAModelAndItsOwnDefaultBaseUrl() {
        var config = ConfigLoader.parse(
                "harbormaster.yml", MINIMAL + "advisor: {provider: anthropic, model: claude-3-5-haiku-latest}\n");
        var advisor = config.advisor();
        assertThat(advisor.provider()).isEqualTo(AdvisorSettings.Provider.ANTHROPIC);
        assertThat(advisor.baseUrl()).hasToString("https://api.anthropic.com/v1");
        assertThat(advisor.model()).isEqualTo("claude-3-5-haiku-latest");
        assertThat(advisor.timeout()).isEqualTo(Duration.ofSeconds(20));
        assertThat(advisor.maxTokens()).isEqualTo(400);

        var proxied = ConfigLoader.parse("harbormaster.yml", MINIMAL + """
                        advisor:
                          provider: Anthropic
                          base_url: http://llm-proxy.internal:8080/anthropic/v1
                          model: claude-3-5-haiku-latest
                          timeout: 8s
                          max_tokens: 300
                        """).advisor();
        assertThat(proxied.provider()).isEqualTo(AdvisorSettings.Provider.ANTHROPIC);
        assertThat(proxied.baseUrl()).hasToString("http://llm-proxy.internal:8080/anthropic/v1");
        assertThat(proxied.timeout()).isEqualTo(Duration.ofSeconds(8));
        assertThat(proxied.maxTokens()).isEqualTo(300);

        assertThat(problems(MINIMAL + "advisor: {provider: anthropic}\n"))
                .singleElement()
                .asString()
                .contains("advisor.model", "is required");
        // the key is never read from the file: it is an unknown key here, and HARBORMASTER_LLM_API_KEY is checked
        // when the bot starts (AdvisorPartsTest, ServeCommandTest)
        assertThat(problems(MINIMAL + "advisor: {provider: anthropic, model: m, api_key: sk-ant-x}\n"))
                .singleElement()
                .asString()
                .contains("unknown key 'api_key'");
    }

    @Test
    void socketModeIsSwitchedOnUnderSlackAndOnlyByABoolean() {
        assertThat(ConfigLoader.parse("harbormaster.yml", MINIMAL + "slack: {socket_mode: true}\n")
                        .socketMode())
                .isTrue();
        assertThat(problems(MINIMAL + "slack: {socket_mode: \"yes please\"}\n"))
                .containsExactly("harbormaster.yml:7: slack.socket_mode: expected true or false, got \"yes please\"");
        assertThat(problems(MINIMAL + "slack: {socketmode: true}\n"))
                .singleElement()
                .asString()
                .contains("unknown key 'socketmode' (did you mean 'socket_mode'?)");
    }

    @Test
    void aMisspeltKeyIsNamedWithItsLineAndTheLikelyFix() {
        var p = problems(MINIMAL + "    namespce: other\n");
        assertThat(p)
                .containsExactly("harbormaster.yml:7: services.web.namespce: unknown key 'namespce' (did you mean"
                        + " 'namespace'?); known keys here: namespace, deployment, container, criticality, dependencies,"
                        + " approvers, approvals, windows, canary, escalated_canary, metrics, channel, deployers,"
                        + " oncall_channel, traffic");
    }

    private static java.util.Optional<GatewayRoute> route(String yaml, String service) {
        return ConfigLoader.parse("harbormaster.yml", yaml)
                .catalog()
                .service(service)
                .orElseThrow()
                .gatewayRoute();
    }

    @Test
    void aServiceMayDivideItsCanaryTrafficByAGatewayApiRouteWhoseNamesDefaultToItsOwn() {
        assertThat(route(MINIMAL, "web")).isEmpty();
        assertThat(route(MINIMAL + "    traffic: replica_ratio\n", "web")).isEmpty();
        assertThat(route(MINIMAL + "    traffic: {gateway_api: {route: storefront}}\n", "web"))
                .contains(new GatewayRoute("default", "storefront", "web"));
        assertThat(route(
                        MINIMAL + "    deployment: web-v2\n    traffic:\n      gateway_api:\n        namespace:"
                                + " gateways\n        service: web-http\n",
                        "web"))
                .contains(new GatewayRoute("gateways", "web-v2", "web-http"));
        // `gateway_api:` with nothing after it: every name by default
        assertThat(route(MINIMAL + "    deployment: shop-web\n    traffic:\n      gateway_api:\n", "web"))
                .contains(new GatewayRoute("default", "shop-web", "shop-web"));
    }

    @Test
    void aDefaultRouteAppliesToEveryServiceThatSaysNothingAndAServiceMayOptOutOrOverrideAKey() {
        var yaml = """
                groups:
                  ops: [U01AAA]
                defaults:
                  traffic: {gateway_api: {namespace: gateways, route: public}}
                services:
                  web: {namespace: shop, approvers: ops}
                  api: {namespace: shop, approvers: ops, traffic: {gateway_api: {service: api-http}}}
                  batch: {namespace: jobs, approvers: ops, traffic: replica_ratio}
                """;
        assertThat(route(yaml, "web")).contains(new GatewayRoute("gateways", "public", "web"));
        assertThat(route(yaml, "api")).contains(new GatewayRoute("gateways", "public", "api-http"));
        assertThat(route(yaml, "batch")).isEmpty();
    }

    @Test
    void everyMistakeInTrafficIsRefusedWithItsLineAndWhatToWriteInstead() {
        assertThat(problems(MINIMAL + "    traffic: weights\n"))
                .containsExactly("harbormaster.yml:7: services.web.traffic: 'weights' is not a way to divide traffic:"
                        + " write replica_ratio (traffic follows pods, the default) or {gateway_api: {route: <HTTPRoute"
                        + " name>}}");
        assertThat(problems(MINIMAL + "    traffic: gateway_api\n"))
                .singleElement()
                .asString()
                .contains("services.web.traffic: gateway_api is a mapping with the HTTPRoute's name");
        assertThat(problems(MINIMAL + "    traffic: {}\n"))
                .singleElement()
                .asString()
                .contains("harbormaster.yml:7: services.web.traffic: expected a way to divide the canary's traffic");
        assertThat(problems(MINIMAL + "    traffic:\n      gateway-api: {route: web}\n"))
                .containsExactly("harbormaster.yml:8: services.web.traffic.gateway-api: unknown key 'gateway-api' (did"
                        + " you mean 'gateway_api'?): write replica_ratio (traffic follows pods, the default) or"
                        + " {gateway_api: {route: <HTTPRoute name>}}");
        assertThat(problems(MINIMAL + "    traffic: {gateway_api: storefront}\n"))
                .singleElement()
                .asString()
                .contains("services.web.traffic.gateway_api: expected a mapping such as {route: storefront}");
        assertThat(problems(MINIMAL + "    traffic:\n      gateway_api:\n        rout: web\n"))
                .singleElement()
                .asString()
                .contains("harbormaster.yml:9: services.web.traffic.gateway_api.rout: unknown key 'rout' (did you mean"
                        + " 'route'?)");
        assertThat(problems(MINIMAL + "    traffic:\n      gateway_api:\n        route: Store_Front\n"))
                .containsExactly("harbormaster.yml:9: services.web.traffic.gateway_api.route: 'Store_Front' is not an"
                        + " HTTPRoute name (lower-case letters, digits and '-' and '.', at most 253 characters)");
        assertThat(problems(MINIMAL + "    traffic: {gateway_api: {route: web, namespace: a.b}}\n"))
                .singleElement()
                .asString()
                .contains("services.web.traffic.gateway_api.namespace: 'a.b' is not a namespace name");
        assertThat(problems(MINIMAL + "    traffic: {gateway_api: {service: 8080-web}}\n"))
                .singleElement()
                .asString()
                .contains("services.web.traffic.gateway_api.service: '8080-web' is not a Service name")
                .contains("starting with a letter");
        var long55 = "w".repeat(55);
        assertThat(problems(MINIMAL + "    traffic: {gateway_api: {service: " + long55 + "}}\n"))
                .containsExactly("harbormaster.yml:7: services.web.traffic.gateway_api.service: '" + long55 + "' has 55"
                        + " characters: the baseline's Service is named '" + long55
                        + "-baseline', which must fit in 63;"
                        + " use a Service name of at most 54 characters");
        // a name that is only a default is said at the route, with the key to set
        assertThat(problems(MINIMAL + "    deployment: 2fa\n    traffic: {gateway_api: {route: auth}}\n"))
                .containsExactly("harbormaster.yml:8: services.web.traffic.gateway_api: the Service is the deployment's"
                        + " name by default, and '2fa' is not a Service name (lower-case letters, digits and '-',"
                        + " starting with a letter, at most 54 characters): set service: to the Service the route"
                        + " sends to");
        assertThat(problems("defaults:\n  traffic: {gateway_api: {service: web}}\n" + MINIMAL))
                .singleElement()
                .asString()
                .contains("harbormaster.yml:2: defaults.traffic.gateway_api.service: a Service is one service's own");
    }

    @Test
    void ingressWeightsAreRefusedSayingWhyTheBaselineCouldNotGetItsOwn() {
        assertThat(problems(MINIMAL + "    traffic: {ingress: {name: web}}\n"))
                .containsExactly("harbormaster.yml:7: services.web.traffic.ingress: ingress weights are not supported:"
                        + " ingress-nginx's canary annotations give an Ingress one canary backend, so the baseline could"
                        + " not get a weight of its own and canary and baseline would not be compared on equal traffic;"
                        + " use gateway_api (an HTTPRoute) or replica_ratio");
        assertThat(problems("defaults:\n  traffic: ingress\n" + MINIMAL))
                .singleElement()
                .asString()
                .startsWith("harbormaster.yml:2: defaults.traffic: ingress weights are not supported");
    }

    @Test
    void anOnCallChannelIsSetByDefaultOrPerServiceAndMustBeAChannel() {
        assertThat(ConfigLoader.parse("harbormaster.yml", MINIMAL)
                        .catalog()
                        .service("web")
                        .orElseThrow()
                        .oncallChannel())
                .isEmpty();
        var config = ConfigLoader.parse(
                "harbormaster.yml",
                "defaults:\n  oncall_channel: \"#oncall\"\n" + MINIMAL + "  api:\n    namespace: default\n"
                        + "    approvers: ops\n    oncall_channel: C0APIONCALL\n");
        assertThat(config.catalog().service("web").orElseThrow().oncallChannel())
                .contains("#oncall");
        assertThat(config.catalog().service("api").orElseThrow().oncallChannel())
                .contains("C0APIONCALL");
        assertThat(problems(MINIMAL + "    oncall_channel: On Call\n"))
                .singleElement()
                .asString()
                .contains("services.web.oncall_channel: 'On Call' is not a Slack channel");
    }

    @Test
    void deployersAreAGroupPerServiceOrByDefaultAndAnUndefinedOneIsRefusedWithItsLine() {
        var config = ConfigLoader.parse("harbormaster.yml", """
                groups:
                  ops: [U01AAA]
                  shippers: [U02BBB]
                  core: [U03CCC]
                defaults:
                  deployers: shippers
                services:
                  web: {namespace: default, approvers: ops}
                  api: {namespace: default, approvers: ops, deployers: core}
                """);
        assertThat(config.catalog().service("web").orElseThrow().deployerGroup())
                .contains("shippers");
        assertThat(config.catalog().service("api").orElseThrow().deployerGroup())
                .contains("core");
        assertThat(config.openToAnyoneNote()).isEmpty();
        assertThat(ConfigLoader.parse("harbormaster.yml", MINIMAL)
                        .catalog()
                        .service("web")
                        .orElseThrow()
                        .deployerGroup())
                .isEmpty();

        assertThat(problems(MINIMAL.replace("approvers: ops", "approvers: ops\n    deployers: shipers")))
                .containsExactly(
                        "harbormaster.yml:7: services.web.deployers: no group 'shipers': define it under" + " groups:");
        assertThat(problems("defaults:\n  deployers: opz\n" + MINIMAL))
                .containsExactly("harbormaster.yml:2: defaults.deployers: no group 'opz': define it under groups:"
                        + " (did you mean 'ops'?)");
    }

    @Test
    void withoutDeployersTheConfigurationSaysInOneNoteWhoMayDeploy() {
        assertThat(ConfigLoader.parse("harbormaster.yml", MINIMAL).openToAnyoneNote())
                .contains("anyone in Slack may deploy, roll back, lock and unlock every service (no deployers group is"
                        + " set); set defaults.deployers or services.<name>.deployers to restrict that to a group and"
                        + " the approvers");
        var some = ConfigLoader.parse(
                "harbormaster.yml",
                MINIMAL.replace("approvers: ops", "approvers: ops\n    deployers: ops")
                        + "  api: {namespace: default, approvers: ops}\n");
        assertThat(some.openToAnyoneNote()).hasValueSatisfying(n -> assertThat(n)
                .startsWith("anyone in Slack may deploy, roll back, lock and unlock api (no deployers group);"));
    }

    @Test
    void peopleMapsAMemberIdToTheOtherNamesCiGivesThemEachNameToOnePerson() {
        var config = ConfigLoader.parse("harbormaster.yml", """
                people:
                  U01AAA: [octocat, " Octo@Example.com "]
                  U02BBB: [hubot]
                """ + MINIMAL);
        var people = config.catalog().people();
        assertThat(people.member("OCTOCAT")).contains("U01AAA");
        assertThat(people.member("octo@example.com")).contains("U01AAA");
        assertThat(people.member("hubot")).contains("U02BBB");
        assertThat(people.member("nobody")).isEmpty();

        var p = problems("""
                people:
                  bob: [bob-gh]
                  U01AAA: [octocat, U02BBB, "a@b@c", 7]
                  U02BBB: [OctoCat]
                  U03CCC: []
                """ + MINIMAL);
        assertThat(p)
                .anySatisfy(
                        l -> assertThat(l).startsWith("harbormaster.yml:2: people.bob: 'bob' is not a Slack member"))
                .anySatisfy(l -> assertThat(l)
                        .startsWith("harbormaster.yml:3: people.U01AAA[1]: 'U02BBB' is a Slack member id, which stands"
                                + " for itself"))
                .anySatisfy(l -> assertThat(l)
                        .isEqualTo("harbormaster.yml:3: people.U01AAA[2]: 'a@b@c' is neither a GitHub login nor an"
                                + " email address"))
                .anySatisfy(l -> assertThat(l)
                        .isEqualTo("harbormaster.yml:3: people.U01AAA[3]: expected a GitHub login or an email address"))
                .anySatisfy(l -> assertThat(l)
                        .isEqualTo("harbormaster.yml:4: people.U02BBB[0]: 'OctoCat' is listed under U01AAA already"
                                + " (people.U01AAA[0]): a name belongs to one person"))
                .anySatisfy(l ->
                        assertThat(l).startsWith("harbormaster.yml:5: people.U03CCC: expected a non-empty" + " list"));
    }

    @Test
    void everyProblemIsReportedAtOnceEachWithItsLine() {
        var p = problems("""
                groups:
                  ops: [U01AAA, bob]
                services:
                  Web_1:
                    namespace: default
                    approvers: opz
                    criticality: extreme
                    dependencies:
                      db: {}
                    windows:
                      - {days: [mon, funday], from: "17:00", to: "09:00"}
                """);
        assertThat(p).anySatisfy(l -> assertThat(l)
                .startsWith("harbormaster.yml:2: groups.ops[1]: 'bob' is not a Slack user id"));
        assertThat(p).anySatisfy(l -> assertThat(l)
                .startsWith("harbormaster.yml:4: services.Web_1: a service name is lower-case"));
        assertThat(p)
                .anySatisfy(
                        l -> assertThat(l)
                                .isEqualTo(
                                        "harbormaster.yml:6: services.Web_1.approvers: no group 'opz': define it under groups: (did you mean 'ops'?)"));
        assertThat(p)
                .anySatisfy(l -> assertThat(l).startsWith("harbormaster.yml:7: services.Web_1.criticality: 'extreme'"));
        assertThat(p).anySatisfy(l -> assertThat(l)
                .startsWith("harbormaster.yml:9: services.Web_1.dependencies.db: no service 'db'"));
        assertThat(p).anySatisfy(l -> assertThat(l).contains("'funday' is not a day"));
        assertThat(p).anySatisfy(l -> assertThat(l).contains("must start (from) before it ends (to)"));
    }

    @Test
    void theEnvironmentThisInstanceDeploysToIsANameRequestsCanGive() {
        var staging = ConfigLoader.parse("harbormaster.yml", "defaults: {environment: staging}\n" + MINIMAL);
        assertThat(staging.environment()).isEqualTo("staging");
        assertThat(problems("defaults: {environment: Production}\n" + MINIMAL))
                .singleElement()
                .asString()
                .contains("defaults.environment", "'Production' is not an environment name");
    }

    @Test
    void moreApprovalsThanApproversIsRefused() {
        var p = problems(MINIMAL + "    approvals: 2\n");
        assertThat(p)
                .singleElement()
                .asString()
                .contains("2 approvals are required but group 'ops' has only 1 member: add members or lower approvals");
    }

    @Test
    void brokenYamlAndDuplicateKeysAreRefusedWithTheirLine() {
        assertThat(problems("services:\n  web: [unclosed\n"))
                .singleElement()
                .asString()
                .startsWith("harbormaster.yml:");
        assertThat(problems(MINIMAL + "    namespace: again\n"))
                .singleElement()
                .asString()
                .isEqualTo(
                        "harbormaster.yml:7: services.web.namespace: this key appears twice (first on line 5); keep one");
    }

    @Test
    void canaryPolicyErrorsPointAtTheirKeyInTheCanarySection() {
        var p = problems(MINIMAL + "    canary:\n      hard_triggers: {max_eror_rate: 0.1}\n");
        assertThat(p)
                .singleElement()
                .asString()
                .startsWith("harbormaster.yml:8: services.web.canary.hard_triggers.max_eror_rate: unknown key"
                        + " 'max_eror_rate'");
    }

    /**
     * QA's repro on the shipped example: before, both were reported at the canary: line (32) as "defaults.canary: …",
     * and -5 was "expected a whole number from 0 to 1000000" while 0 was "interval_seconds must be positive".
     */
    @Test
    void eachCanaryProblemIsReportedAtItsKeysLineWithItsFullPathAndOneRangePerKey() throws IOException {
        var example = example();
        var lines = example.lines().toList();
        int interval = lines.indexOf("    interval_seconds: 10") + 1;
        int step = lines.indexOf("      - {weight: 25, intervals: 18}") + 1;
        assertThat(interval).isPositive();
        assertThat(step).isGreaterThan(interval);
        for (var value : List.of("-5", "0")) {
            var p = problems(example.replace("    interval_seconds: 10", "    interval_seconds: " + value)
                    .replace("      - {weight: 25, intervals: 18}", "      - {weight: 250, intervals: 18}"));
            assertThat(p)
                    .as(value)
                    .containsExactly(
                            "harbormaster.yml:" + step + ": defaults.canary.steps[1].weight: a step of 250% is not a"
                                    + " canary: steps stay below 100, and promotion gives the new version 100%; remove"
                                    + " this step or give it a weight below 100",
                            "harbormaster.yml:" + interval + ": defaults.canary.interval_seconds: expected a whole"
                                    + " number from 1 to 1000000, got " + value);
        }
        // a key of a sub-section, and the engine's own word for a range, at the key's line too
        var sub = problems(MINIMAL + "    canary:\n      sequential:\n        alpha: 2\n      hard_triggers:\n"
                + "        p99_window_seconds: 0\n");
        assertThat(sub)
                .containsExactlyInAnyOrder(
                        "harbormaster.yml:9: services.web.canary.sequential.alpha: must be between 0 and 1 (a"
                                + " probability, 0.008 is 0.8%), got 2.0",
                        "harbormaster.yml:11: services.web.canary.hard_triggers.p99_window_seconds: expected a whole"
                                + " number from 1 to 1000000, got 0");
    }

    @Test
    void aServiceMaySetItsOwnBakeTimeAndTheRestKeepsTheDefaults() {
        var config = ConfigLoader.parse("harbormaster.yml", MINIMAL + "    canary:\n      min_promote_seconds: 600\n");
        var canary = config.catalog().service("web").orElseThrow().canary();
        assertThat(canary.minPromoteSeconds()).isEqualTo(600);
        assertThat(canary.minStepSeconds())
                .isEqualTo(io.harbormaster.engine.canary.CanaryPolicy.defaults().minStepSeconds());
        assertThat(problems(MINIMAL + "    canary:\n      min_promote_seconds: -1\n"))
                .singleElement()
                .asString()
                .contains("min_promote_seconds: expected a whole number from 0");
    }

    @Test
    void anEscalatedChangesCanaryIsTheServicesOwnMadeCautiousUnlessTheFileSaysOtherwise() {
        // unset: the cautious form of the service's own policy
        var web = ConfigLoader.parse("harbormaster.yml", MINIMAL + "    canary:\n      min_step_seconds: 40\n")
                .catalog()
                .service("web")
                .orElseThrow();
        assertThat(web.escalatedCanary()).isEqualTo(web.canary().cautious());
        assertThat(web.escalatedCanary().minStepSeconds()).isEqualTo(40);
        assertThat(web.escalatedCanary().minPromoteSeconds()).isEqualTo(300);
        assertThat(web.canaryFor(false)).isSameAs(web.canary());
        assertThat(web.canaryFor(true)).isSameAs(web.escalatedCanary());

        // {} under defaults: escalated changes are judged as any other
        var off = ConfigLoader.parse("harbormaster.yml", "defaults:\n  escalated_canary: {}\n" + MINIMAL)
                .catalog()
                .service("web")
                .orElseThrow();
        assertThat(off.escalatedCanary()).isEqualTo(off.canary());

        // the defaults' overrides go over each service's own policy, then the service's own over those
        var set = ConfigLoader.parse(
                        "harbormaster.yml",
                        "defaults:\n  escalated_canary: {min_promote_seconds: 420}\n" + MINIMAL
                                + "    canary:\n      min_step_seconds: 40\n"
                                + "    escalated_canary:\n      hold_error_z: -0.5\n")
                .catalog()
                .service("web")
                .orElseThrow();
        assertThat(set.escalatedCanary().minPromoteSeconds()).isEqualTo(420);
        assertThat(set.escalatedCanary().minStepSeconds()).isEqualTo(40);
        assertThat(set.escalatedCanary().holdErrorZ()).isEqualTo(-0.5);
        assertThat(set.escalatedCanary().lastStepAfterSeconds())
                .isEqualTo(CanaryPolicy.defaults().lastStepAfterSeconds());
        assertThat(set.canary().minPromoteSeconds())
                .isEqualTo(CanaryPolicy.defaults().minPromoteSeconds());

        // mistakes are named with their key, once
        assertThat(problems("defaults:\n  escalated_canary: {min_promote_secs: 420}\n" + MINIMAL))
                .singleElement()
                .asString()
                .contains("defaults.escalated_canary")
                .contains("min_promote_seconds");
        assertThat(problems(MINIMAL + "    escalated_canary:\n      closing_alpha: 2\n"))
                .singleElement()
                .asString()
                .contains("services.web.escalated_canary")
                .contains("closing_alpha");
    }

    @Test
    void aServiceMaySetHowLongASuspiciousCanaryIsWatchedAndNonsenseIsRefused() {
        var config = ConfigLoader.parse(
                "harbormaster.yml",
                MINIMAL + "    canary:\n      last_step_after_seconds: 90\n      promote_by_seconds: 300\n"
                        + "      hold_error_z: 1.2\n      hold_latency_t: 2.5\n      escalate_e_value: 8\n"
                        + "      closing_test_seconds: 420\n      closing_alpha: 0.001\n");
        var canary = config.catalog().service("web").orElseThrow().canary();
        assertThat(canary.lastStepAfterSeconds()).isEqualTo(90);
        assertThat(canary.promoteBySeconds()).isEqualTo(300);
        assertThat(canary.holdErrorZ()).isEqualTo(1.2);
        assertThat(canary.holdLatencyT()).isEqualTo(2.5);
        assertThat(canary.closingTestSeconds()).isEqualTo(420);
        assertThat(canary.closingAlpha()).isEqualTo(0.001);
        assertThat(problems(MINIMAL + "    canary:\n      hold_latency_t: high\n"))
                .singleElement()
                .asString()
                .contains("hold_latency_t: expected a number");
        assertThat(problems(MINIMAL + "    canary:\n      closing_alpha: -0.1\n"))
                .singleElement()
                .asString()
                .contains("closing test's alpha must be 0 (off) or more");
        assertThat(problems(MINIMAL + "    canary:\n      hold_latency_e_value: 0.6\n"))
                .singleElement()
                .asString()
                .contains("canary.hold_latency_e_value: no longer a key", "use hold_latency_t");
        assertThat(canary.escalateEValue()).isEqualTo(8);
        assertThat(problems(MINIMAL + "    canary:\n      promote_by_seconds: -5\n"))
                .singleElement()
                .asString()
                .contains("promote_by_seconds: expected a whole number from 0");
        assertThat(problems(MINIMAL + "    canary:\n      promote_by_seconds: 0\n"))
                .singleElement()
                .asString()
                .contains("promote_by_seconds: got 0, which comes before min_promote_seconds (210)", "210 or more");
        var slowBake =
                ConfigLoader.parse("harbormaster.yml", MINIMAL + "    canary:\n      min_promote_seconds: 300\n");
        assertThat(slowBake.catalog().service("web").orElseThrow().canary().promoteBySeconds())
                .as("unset, promote_by follows a longer bake time")
                .isEqualTo(300);
        assertThat(problems(MINIMAL + "    canary:\n      escalate_e_value: 0\n"))
                .singleElement()
                .asString()
                .contains("must be a positive number");
    }

    @Test
    void theLatencyNoiseHistoryIsThirtyReadingsUnlessTheServiceTurnsItOff() {
        var defaults = ConfigLoader.parse("harbormaster.yml", MINIMAL);
        assertThat(defaults.catalog()
                        .service("web")
                        .orElseThrow()
                        .canary()
                        .sequential()
                        .noiseHistory())
                .isEqualTo(30);
        var off = ConfigLoader.parse(
                "harbormaster.yml", MINIMAL + "    canary:\n      sequential:\n        noise_history: 0\n");
        assertThat(off.catalog()
                        .service("web")
                        .orElseThrow()
                        .canary()
                        .sequential()
                        .noiseHistory())
                .isZero();
    }

    @Test
    void aFirstCanaryReadsTenMinutesOfItsStableTrackUnlessTheServiceTurnsItOff() {
        var defaults = ConfigLoader.parse("harbormaster.yml", MINIMAL);
        assertThat(defaults.catalog()
                        .service("web")
                        .orElseThrow()
                        .canary()
                        .sequential()
                        .stableNoiseMinutes())
                .isEqualTo(10);
        var off = ConfigLoader.parse(
                "harbormaster.yml", MINIMAL + "    canary:\n      sequential:\n        stable_noise_minutes: 0\n");
        assertThat(off.catalog()
                        .service("web")
                        .orElseThrow()
                        .canary()
                        .sequential()
                        .stableNoiseMinutes())
                .isZero();
    }

    @Test
    void aCanaryStepTooShortToEverEndIsRefused() {
        var p = problems(MINIMAL + "    canary:\n      steps: [{weight: 10, intervals: 2}]\n");
        assertThat(p)
                .singleElement()
                .asString()
                .isEqualTo("harbormaster.yml:8: services.web.canary.steps[0].intervals: expected a whole number from 3"
                        + " to 1000000, got 2: a step needs at least 3 intervals with data before it can end");
    }

    @Test
    void anEmptyFileSaysWhatIsMissing() {
        assertThat(problems("")).singleElement().asString().contains("list at least one service");
    }

    @Test
    void anUnreadableFileSaysHowToPointAtTheRightOne() {
        assertThatThrownBy(() -> ConfigLoader.load(java.nio.file.Path.of("/nonexistent/harbormaster.yml")))
                .hasMessageContaining("no such file")
                .hasMessageContaining("--config or HARBORMASTER_CONFIG");
    }

    @Test
    void aFileThatIsNotTextOrIsADirectorySaysSoInWords(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws IOException {
        // before: "cannot read the configuration (Input length = 1)"
        var binary = java.nio.file.Files.write(dir.resolve("harbormaster.yml"), new byte[] {0, 1, (byte) 0xff, 0x0a});
        assertThatThrownBy(() -> ConfigLoader.load(binary))
                .hasMessageContaining("is not UTF-8 text")
                .hasMessageNotContaining("Input length");
        assertThatThrownBy(() -> ConfigLoader.load(dir)).hasMessageContaining("is a directory");
    }

    @Test
    void aCanaryPolicyThatWouldRollBackEveryCanaryOrPromoteOnNoScoreIsRefusedNamingTheKey() {
        String[][] cases = {
            {"hard_triggers:\n        max_error_rate: -0.5", "hard_triggers.max_error_rate: is a share of requests"},
            {
                "hard_triggers:\n        max_restarts: -1",
                "hard_triggers.max_restarts: expected a whole number from 1 to 1000000, got -1"
            },
            {"hard_triggers:\n        max_restarts: 0", "max_restarts: expected a whole number from 1 to 1000000, got 0"
            },
            {"scoring:\n        group_weights: {errors: -50}", "scoring.group_weights.errors: must be a weight of 0"},
            {"scoring:\n        group_weights: {errors: 0, latency: 0}", "must give some group a weight above 0"},
            {"scoring:\n        group_weights: {eror: 5}", "unknown group 'eror'"},
            {"scoring:\n        critical_metrics: [nonsense]", "critical_metrics: unknown metric 'nonsense'"},
            {"scoring:\n        pass: 50\n        marginal: 90", "0 <= marginal <= pass <= 100"},
            {"max_no_data_seconds: -5", "max_no_data_seconds: expected a whole number from 1 to 1000000, got -5"},
            {"max_no_data_seconds: 0", "max_no_data_seconds: expected a whole number from 1 to 1000000, got 0"},
            {"min_step_seconds: 10.9", "min_step_seconds: expected a whole number from 0 to 1000000, got 10.9"},
            {"interval_seconds: 99999999999999999999999", "interval_seconds: expected a whole number from 1 to"},
            {"closing_test_seconds: 10000000", "closing_test_seconds: expected a whole number from 0 to 1000000"},
            {"sequential:\n        alpha: 2", "sequential.alpha: must be between 0 and 1"},
            {"sequential:\n        alpah: 0.01", "sequential.alpah: unknown key 'alpah' (did you mean 'alpha'?)"},
            {"sequential:\n        error_ratio: 0.5", "sequential.error_ratio: must be above 1"},
            {"sequential:\n        noise_history: 2.5", "sequential.noise_history: expected a whole number"},
            {"sequential:\n        noise_histroy: 30", "unknown key 'noise_histroy' (did you mean 'noise_history'?)"},
            {"sequential:\n        stable_noise_minutes: -1", "sequential.stable_noise_minutes: expected a whole number"
            },
            {
                "sequential:\n        stable_noise_minutes: 2.5",
                "sequential.stable_noise_minutes: expected a whole number"
            },
            {
                "sequential:\n        stable_noise_minutes: 1441",
                "sequential.stable_noise_minutes: expected a whole number from 0 to 1440, got 1441"
            },
            {"sequential:\n        stable_noise_minute: 10", "(did you mean 'stable_noise_minutes'?)"},
            {"mann_whitney:\n        allowed_increase: 0.5", "mann_whitney.allowed_increase and allowed_decrease"},
            {"steps: [{weight: 5.5, intervals: 6}]", "steps[0].weight: expected a whole number from 1 to 99, got 5.5"},
        };
        for (String[] c : cases) {
            assertThat(problems(MINIMAL + "    canary:\n      " + c[0] + "\n"))
                    .as(c[0])
                    .singleElement()
                    .asString()
                    .contains(c[1]);
        }
    }

    @Test
    void aYamlSyntaxErrorSaysWhatIsWrongOnWhichLineAndWhatToDo() {
        // before: "harbormaster.yml:2: not valid YAML: while parsing a block mapping", neither the problem nor its line
        assertThat(problems("services:\n  web:\n    namespace: default\n   approvers: ops\n"))
                .singleElement()
                .asString()
                .startsWith("harbormaster.yml:4: not valid YAML: this line is indented differently")
                .doesNotContain("while parsing");
        assertThat(problems("groups:\n  ops: [U01AAA\nservices: {}\n"))
                .singleElement()
                .asString()
                .contains("not valid YAML: a bracket or a quote opened on this line or above is not closed");
        assertThat(problems("groups:\n  ops: \"U01AAA\nservices: {}\n"))
                .singleElement()
                .asString()
                .contains("a bracket or a quote opened on this line or above is not closed");
        assertThat(problems("groups:\n  ops: [U01AAA]\nservices:\n  web: {namespace: a: b}\n"))
                .singleElement()
                .asString()
                .contains("harbormaster.yml:4: not valid YAML:");
    }

    @Test
    void aMetricsTemplateThatServeCouldNotRunIsRefusedNamingItsKey() {
        // before: accepted by config check, then sent to Prometheus with {intervall} in it
        assertThat(problems(
                        MINIMAL + "    metrics:\n      p99: 'max(rate(lat_ms{service=\"{service}\"}[{intervall}]))'\n"))
                .singleElement()
                .asString()
                .contains("services.web.metrics.p99", "{intervall}");
        assertThat(problems(MINIMAL + "    metrics:\n      errors: 'sum(errs{service={service}})'\n"))
                .singleElement()
                .asString()
                .contains("services.web.metrics.errors");
    }

    @Test
    void aWholeNumberTooLargeForALongIsOutOfItsKeysRangeNotInvalidYamlNorReadModulo() {
        // before: "not valid YAML: Numeric value (...) out of range of long", naming neither the key nor its range
        assertThat(problems(MINIMAL + "audit:\n  checkpoint_every: 99999999999999999999999\n"))
                .singleElement()
                .asString()
                .contains(
                        "audit.checkpoint_every: expected a whole number from 1 to 1000000, got 99999999999999999999999")
                .doesNotContain("YAML", "long");
        // 2^64 + 1 is not 1
        assertThat(problems(MINIMAL.replace("approvers: ops", "approvers: ops\n    approvals: 18446744073709551617")))
                .singleElement()
                .asString()
                .contains("services.web.approvals: expected a whole number from 1 to 10, got 18446744073709551617");
    }

    @Test
    void everyIndependentMistakeInACanarySectionIsReportedAtOnceNamingItsKey() {
        // before: only the first was reported (here the unknown key), and the next only after fixing it
        var p = problems(MINIMAL + """
                    canary:
                      hard_triggers:
                        max_eror_rate: 0.1
                      sequential:
                        alpha: 2
                      steps: [{weight: 5.5, intervals: 6}]
                      max_no_data_seconds: 0
                """);
        // each at its own key's line, with its full path
        assertThat(p)
                .containsExactlyInAnyOrder(
                        "harbormaster.yml:9: services.web.canary.hard_triggers.max_eror_rate: unknown key"
                                + " 'max_eror_rate' (did you mean 'max_error_rate'?); known keys: max_error_rate,"
                                + " error_window_seconds, max_p99_ms, p99_window_seconds, max_restarts,"
                                + " restart_window_seconds, min_requests",
                        "harbormaster.yml:11: services.web.canary.sequential.alpha: must be between 0 and 1 (a"
                                + " probability, 0.008 is 0.8%), got 2.0",
                        "harbormaster.yml:12: services.web.canary.steps[0].weight: expected a whole number from 1 to"
                                + " 99, got 5.5: the canary's share of traffic, in percent",
                        "harbormaster.yml:13: services.web.canary.max_no_data_seconds: expected a whole number from 1"
                                + " to 1000000, got 0");
    }

    @Test
    void severalMistakesInOneCanarySubSectionAndAmongTheTopLevelNumbersAreEachReported() {
        var p = problems(MINIMAL + """
                    canary:
                      interval_seconds: 0
                      escalate_e_value: 0
                      closing_alpha: -1
                      hold_error_z: high
                      scoring:
                        pas: 90
                        critical_metrics: [nonsense, 7]
                        group_weights: {errors: x}
                      steps: [{weight: 0, intervals: 18}, {weight: 50}]
                """);
        String at = "harbormaster.yml:%d: services.web.canary.";
        assertThat(p)
                .containsExactlyInAnyOrder(
                        at.formatted(8) + "interval_seconds: expected a whole number from 1 to 1000000, got 0",
                        at.formatted(9) + "escalate_e_value: the escalate e-value must be a positive number, got 0.0",
                        at.formatted(10) + "closing_alpha: the closing test's alpha must be 0 (off) or more, and with"
                                + " the sequential alpha below 1, got -1.0",
                        at.formatted(11) + "hold_error_z: expected a number, got \"high\"",
                        at.formatted(13) + "scoring.pas: unknown key 'pas' (did you mean 'pass'?); known keys: pass,"
                                + " marginal, critical_metrics, group_weights",
                        at.formatted(14) + "scoring.critical_metrics: expected metric names, got 7",
                        at.formatted(15) + "scoring.group_weights.errors: expected a number, got \"x\"",
                        at.formatted(16) + "steps[0].weight: a step of 0% gives the canary no traffic: give it a"
                                + " weight from 1 to 99, or remove this step",
                        at.formatted(16) + "steps[1]: needs intervals: a step is {weight, intervals}, e.g. {weight:"
                                + " 25, intervals: 18}");
    }

    @Test
    void canaryMistakesThatDependOnEachOtherAreReportedOnce() {
        assertThat(problems(MINIMAL + "    canary:\n      closing_alpha: 0.5\n      sequential: {alpha: 0.6}\n"))
                .singleElement()
                .asString()
                .contains("closing_alpha: the closing test's alpha must be 0 (off) or more, and with the sequential"
                        + " alpha below 1, got 0.5");
        // the closing test's alpha is judged with the sequential alpha given, not the default's
        var config = ConfigLoader.parse(
                "harbormaster.yml",
                MINIMAL + "    canary:\n      closing_alpha: 0.001\n      sequential: {alpha: 0.9985}\n");
        var canary = config.catalog().service("web").orElseThrow().canary();
        assertThat(canary.closingAlpha()).isEqualTo(0.001);
        assertThat(canary.sequential().alpha()).isEqualTo(0.9985);
        // a sequential alpha too large for even the default closing alpha: reported once, and no number that is fine
        // on its own (min_step_seconds) is blamed for it
        assertThat(problems(MINIMAL + "    canary:\n      sequential: {alpha: 0.999}\n      closing_alpha: 0.01\n"
                        + "      min_step_seconds: 20\n"))
                .singleElement()
                .asString()
                .contains("the closing test's alpha must be 0 (off) or more, and with the sequential alpha below 1, got"
                        + " 0.01")
                .doesNotContain("min_step_seconds");
    }

    @Test
    void everyTopLevelCanaryNumberAServiceSetsIsTheOneItGets() {
        var config = ConfigLoader.parse("harbormaster.yml", MINIMAL + """
                    canary:
                      interval_seconds: 15
                      steps: [{weight: 10, intervals: 12}, {weight: 60, intervals: 20}]
                      min_step_seconds: 45
                      min_promote_seconds: 300
                      last_step_after_seconds: 200
                      promote_by_seconds: 360
                      hold_error_z: 0.7
                      hold_latency_t: 1.7
                      escalate_e_value: 6
                      closing_test_seconds: 400
                      closing_alpha: 0.003
                      max_no_data_seconds: 150
                      hard_triggers: {max_error_rate: 0.1, min_requests: 40}
                      mann_whitney: {confidence: 0.95}
                      scoring: {pass: 90, marginal: 70, critical_metrics: [p99_ms], group_weights: {errors: 30}}
                      sequential: {alpha: 0.01, warmup_intervals: 2, noise_history: 10, stable_noise_minutes: 5}
                """);
        var d = CanaryPolicy.defaults();
        var scoring = d.scoring();
        assertThat(config.catalog().service("web").orElseThrow().canary())
                .isEqualTo(new CanaryPolicy(
                        15,
                        List.of(
                                new io.harbormaster.engine.canary.CanaryStep(10, 12),
                                new io.harbormaster.engine.canary.CanaryStep(60, 20)),
                        45,
                        300,
                        200,
                        360,
                        0.7,
                        1.7,
                        6,
                        400,
                        0.003,
                        150,
                        new io.harbormaster.engine.canary.HardTriggerPolicy(0.1, 120, 2000, 180, 3, 300, 40),
                        d.mannWhitney().withConfidence(0.95),
                        new io.harbormaster.engine.canary.ScoringPolicy(
                                java.util.Map.of("errors", 30.0, "latency", 50.0),
                                scoring.metricGroups(),
                                java.util.Set.of("p99_ms"),
                                90,
                                70),
                        new io.harbormaster.engine.canary.SequentialPolicy(
                                0.01, 0.05, 2.0, 0.005, 0.10, 0.20, 2, 10, 5)));
    }

    private static final String TWO = """
            groups:
              ops: [U01AAA]
            services:
              a:
                namespace: default
                approvers: ops
                dependencies:
                  b: {min_version: %s}
              b:
                namespace: default
                approvers: ops
            """;

    @Test
    void anUnquotedMinVersionIsRefusedAsTheNumberYamlReadsSayingToQuoteIt() {
        // before: 2.10 was read as 2.1, so b at 2.9 passed the preflight's version check
        assertThat(problems(TWO.formatted("2.10")))
                .singleElement()
                .asString()
                .isEqualTo("harbormaster.yml:8: services.a.dependencies.b.min_version: 2.10 unquoted is a number to"
                        + " YAML (2.1), not a version; quote it: min_version: \"2.10\"");
        assertThat(problems(TWO.formatted("2.0")))
                .singleElement()
                .asString()
                .contains("services.a.dependencies.b.min_version: 2.0 unquoted is a number", "\"2.0\"");
        // a whole number reads the same as text: taken as written
        assertThat(ConfigLoader.parse("harbormaster.yml", TWO.formatted("3"))
                        .catalog()
                        .service("a")
                        .orElseThrow()
                        .dependency("b")
                        .orElseThrow()
                        .minVersion())
                .contains("3");
        var ok = ConfigLoader.parse("harbormaster.yml", TWO.formatted("\"2.10\""));
        assertThat(ok.catalog()
                        .service("a")
                        .orElseThrow()
                        .dependency("b")
                        .orElseThrow()
                        .minVersion())
                .contains("2.10");
        for (var v : List.of("v1.4.0", "3.0.0-rc1", "1.2.3+build.5", "'10'")) {
            assertThat(ConfigLoader.parse("harbormaster.yml", TWO.formatted(v))
                            .catalog()
                            .service("a")
                            .orElseThrow()
                            .dependency("b")
                            .orElseThrow()
                            .minVersion())
                    .as(v)
                    .isPresent();
        }
    }

    @Test
    void aMinVersionThatIsNotAVersionIsRefusedInsteadOfCountingAsZero() {
        // before: 'banana' compared as 0, so every version of b satisfied it
        for (var v : List.of("banana", "\"\"", "\"2..1\"", "\">=2.0\"", "\"latest\"", "[2]")) {
            assertThat(problems(TWO.formatted(v)))
                    .as(v)
                    .singleElement()
                    .asString()
                    .startsWith("harbormaster.yml:8: services.a.dependencies.b.min_version: ")
                    .contains("is not a version: write numbers separated by dots, in quotes", "\"2.10\"");
        }
    }

    @Test
    void deploymentAndContainerNamesMustBeKubernetesNamesLikeTheNamespace() {
        var p = problems(MINIMAL + "    deployment: \"Bad Name!\"\n    container: \"-x-\"\n");
        assertThat(p)
                .containsExactly(
                        "harbormaster.yml:7: services.web.deployment: 'Bad Name!' is not a Deployment name (lower-case"
                                + " letters, digits and '-' and '.', at most 253 characters): write the stable"
                                + " Deployment's name",
                        "harbormaster.yml:8: services.web.container: '-x-' is not a container name (lower-case letters,"
                                + " digits and '-', at most 63 characters): write the name of the container whose image"
                                + " is replaced, as the Deployment's pod template names it");
        assertThat(problems(MINIMAL + "    container: web.app\n"))
                .singleElement()
                .asString()
                .contains("services.web.container: 'web.app' is not a container name");
        var ok = ConfigLoader.parse("harbormaster.yml", MINIMAL + "    deployment: web.v2\n    container: app-1\n");
        var web = ok.catalog().service("web").orElseThrow();
        assertThat(web.deployment()).isEqualTo("web.v2");
        assertThat(web.container()).isEqualTo("app-1");
    }

    @Test
    void canaryStepsMustIncreaseAndStayBelowAHundredPercent() {
        assertThat(problems(MINIMAL
                        + "    canary:\n      steps: [{weight: 25, intervals: 18}, {weight: 10, intervals: 18}]\n"))
                .singleElement()
                .asString()
                .isEqualTo("harbormaster.yml:8: services.web.canary.steps[1].weight: 10% after 25%: each step must"
                        + " give the canary more traffic than the one before (e.g. 5, 25, 50); reorder the steps or"
                        + " raise this weight");
        assertThat(problems(MINIMAL
                        + "    canary:\n      steps: [{weight: 25, intervals: 18}, {weight: 25, intervals: 18}]\n"))
                .singleElement()
                .asString()
                .contains("steps[1].weight: 25% after 25%");
        assertThat(problems(MINIMAL
                        + "    canary:\n      steps: [{weight: 50, intervals: 18}, {weight: 100, intervals: 18}]\n"))
                .singleElement()
                .asString()
                .isEqualTo("harbormaster.yml:8: services.web.canary.steps[1].weight: a step of 100% is not a canary:"
                        + " steps stay below 100, and promotion gives the new version 100%; remove this step or give"
                        + " it a weight below 100");
        // before: 150 was told the old range ("from 1 to 100"), which 100 itself breaks
        assertThat(problems(MINIMAL
                        + "    canary:\n      steps: [{weight: 50, intervals: 18}, {weight: 150, intervals: 18}]\n"))
                .singleElement()
                .asString()
                .startsWith("harbormaster.yml:8: services.web.canary.steps[1].weight: a step of 150% is not a canary:");
        // a step refused for its size is not compared with the next; the last step that was one is
        assertThat(problems(MINIMAL + "    canary:\n      steps: [{weight: 50, intervals: 18}, {weight: 100,"
                        + " intervals: 18}, {weight: 30, intervals: 18}]\n"))
                .extracting(p -> p.substring(p.indexOf("steps[")))
                .containsExactly(
                        "steps[1].weight: a step of 100% is not a canary: steps stay below 100, and promotion gives"
                                + " the new version 100%; remove this step or give it a weight below 100",
                        "steps[2].weight: 30% after 50%: each step must give the canary more traffic than the one"
                                + " before (e.g. 5, 25, 50); reorder the steps or raise this weight");
        var ok = ConfigLoader.parse(
                "harbormaster.yml",
                MINIMAL + "    canary:\n      steps: [{weight: 1, intervals: 3}, {weight: 99, intervals: 3}]\n");
        assertThat(ok.catalog().service("web").orElseThrow().canary().steps()).hasSize(2);
    }

    @Test
    void aMetricsTemplateWithBrokenSyntaxIsRefusedByConfigCheckNotAtTheFirstCanary() {
        var p = problems(
                MINIMAL + "    metrics:\n      p99: 'histogram_quantile(0.99, sum by (le) (rate(lat_bucket{"
                        + "service=\"{service}\",track=\"{track}\"}[{interval}]))'\n      errors: 'sum(errs{track=\"{track}\"}) /'\n");
        assertThat(p).hasSize(2);
        assertThat(p.get(0))
                .startsWith("harbormaster.yml:8: services.web.metrics.p99: ")
                .contains("is never closed");
        assertThat(p.get(1))
                .startsWith("harbormaster.yml:9: services.web.metrics.errors: ")
                .contains("'/' at column 28 has nothing after it");
        var ok = ConfigLoader.parse(
                "harbormaster.yml",
                MINIMAL + "    metrics:\n      p99: 'histogram_quantile(0.99, sum by (le) (rate("
                        + "http_request_duration_seconds_bucket{service=\"{service}\",track=\"{track}\"}[{interval}])))'\n");
        assertThat(ok.catalog().service("web").orElseThrow().metricTemplates()).containsKey("p99");
    }

    @Test
    void dependenciesThatGoRoundAreRefusedNamingTheCycle() {
        var p = problems("""
                groups:
                  ops: [U01AAA]
                services:
                  a:
                    namespace: default
                    approvers: ops
                    dependencies: {b: {}}
                  b:
                    namespace: default
                    approvers: ops
                    dependencies: {c: {}}
                  c:
                    namespace: default
                    approvers: ops
                    dependencies: {a: {}}
                  d:
                    namespace: default
                    approvers: ops
                    dependencies: {a: {}, e: {}}
                  e:
                    namespace: default
                    approvers: ops
                    dependencies: {d: {}}
                """);
        assertThat(p)
                .containsExactly(
                        "harbormaster.yml:15: services.c.dependencies.a: the dependencies go round: a -> b -> c -> a;"
                                + " a service cannot depend on itself through others either: remove one of these"
                                + " dependencies",
                        "harbormaster.yml:23: services.e.dependencies.d: the dependencies go round: d -> e -> d; a"
                                + " service cannot depend on itself through others either: remove one of these"
                                + " dependencies");
        // a diamond is not a cycle
        ConfigLoader.parse("harbormaster.yml", """
                groups:
                  ops: [U01AAA]
                services:
                  a: {namespace: default, approvers: ops, dependencies: {b: {}, c: {}}}
                  b: {namespace: default, approvers: ops, dependencies: {d: {}}}
                  c: {namespace: default, approvers: ops, dependencies: {d: {}}}
                  d: {namespace: default, approvers: ops}
                """);
    }
}
