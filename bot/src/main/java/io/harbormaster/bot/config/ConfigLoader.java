package io.harbormaster.bot.config;

import com.fasterxml.jackson.databind.JsonNode;
import io.harbormaster.engine.adapters.prometheus.PromQlTemplates;
import io.harbormaster.engine.canary.CanaryPolicy;
import io.harbormaster.engine.policy.Criticality;
import io.harbormaster.engine.policy.Dependency;
import io.harbormaster.engine.policy.DeployWindow;
import io.harbormaster.engine.policy.GatewayRoute;
import io.harbormaster.engine.policy.Names;
import io.harbormaster.engine.policy.People;
import io.harbormaster.engine.policy.ServiceCatalog;
import io.harbormaster.engine.policy.ServiceSpec;
import io.harbormaster.engine.policy.Versions;
import io.harbormaster.engine.risk.DatasetError;
import io.harbormaster.engine.risk.RiskModelJson;
import io.harbormaster.engine.text.Numbers;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads and validates {@code harbormaster.yml}. Every problem found is reported, each as one line naming the file,
 * the line, the key path and what to do, so a person fixes them all in one pass. See the README's configuration
 * reference for every key.
 */
public final class ConfigLoader {
    static final Pattern SERVICE_NAME = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");
    static final Pattern K8S_NAME = Pattern.compile("[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?");
    static final Pattern SLACK_ID = Pattern.compile("[UW][A-Z0-9]{2,20}");
    static final Pattern CHANNEL = Pattern.compile("#?[a-z0-9][a-z0-9_-]{0,79}|[CG][A-Z0-9]{2,20}");
    /**
     * A version as {@link Versions} orders it: dot-separated numbers, an optional leading {@code v}, an optional
     * pre-release after {@code -} and build metadata after {@code +} (which the order ignores).
     */
    static final Pattern VERSION =
            Pattern.compile("[vV]?[0-9]{1,18}(\\.[0-9]{1,18})*(-[0-9A-Za-z.-]+)?(\\+[0-9A-Za-z.-]+)?");

    static final Pattern DURATION = Pattern.compile("(\\d{1,6})(s|m|h|d)");
    static final Set<String> METRICS = Set.of("requests", "errors", "p50", "p99", "restarts");
    static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");
    /** A Service name (DNS-1035: starts with a letter) that leaves room for {@code -baseline} within 63 characters. */
    static final Pattern SERVICE = Pattern.compile("[a-z]([a-z0-9-]*[a-z0-9])?");

    static final int LONGEST_SERVICE = 63 - "-baseline".length();
    static final String TRAFFIC_WAYS =
            "write replica_ratio (traffic follows pods, the default) or {gateway_api: {route: <HTTPRoute name>}}";
    static final String NO_INGRESS = "ingress weights are not supported: ingress-nginx's canary annotations give an"
            + " Ingress one canary backend, so the baseline could not get a weight of its own and canary and baseline"
            + " would not be compared on equal traffic; use gateway_api (an HTTPRoute) or replica_ratio";

    private final LocatedYaml yaml;
    private final String policyVersion;
    private final List<String> problems = new ArrayList<>();

    private ConfigLoader(LocatedYaml yaml, String policyVersion) {
        this.yaml = yaml;
        this.policyVersion = policyVersion;
    }

    /** Reads a configuration file. */
    public static HarbormasterConfig load(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            var why =
                    switch (e) {
                        case java.nio.file.NoSuchFileException n -> "no such file";
                        case java.nio.charset.CharacterCodingException c -> "it is not UTF-8 text";
                        case java.nio.file.AccessDeniedException a -> "permission denied";
                        default -> Files.isDirectory(file) ? "it is a directory" : e.getMessage();
                    };
            throw new ConfigException(file + ": cannot read the configuration (" + why
                    + "); give the path of harbormaster.yml with --config or HARBORMASTER_CONFIG");
        }
        return parse(file.toString(), text);
    }

    /** Parses configuration text; {@code file} names it in messages. */
    public static HarbormasterConfig parse(String file, String text) {
        var loader = new ConfigLoader(LocatedYaml.parse(file, text), HarbormasterConfig.policyVersionOf(text));
        var config = loader.read();
        if (!loader.problems.isEmpty()) {
            throw new ConfigException(loader.problems);
        }
        return config;
    }

    private HarbormasterConfig read() {
        var root = yaml.root;
        if (!root.isObject()) {
            problem("", "the configuration must be a mapping with keys such as services:, groups:, defaults:");
            return null;
        }
        known(
                root,
                "",
                "groups",
                "people",
                "audit",
                "defaults",
                "freezes",
                "services",
                "prometheus",
                "slack",
                "advisor",
                "risk");

        Map<String, Set<String>> groups = groups(root.path("groups"));
        People people = people(root.path("people"));
        var audit = section(root, "audit");
        known(audit, "audit", "auditors", "checkpoint_every");
        String auditors = text(audit, "audit.auditors", "auditors");
        if (audit.has("auditors") && !groups.containsKey(auditors)) {
            problem(
                    "audit.auditors",
                    "no group '" + auditors + "': define it under groups:" + suggestion(auditors, groups.keySet()));
        }
        int checkpointEvery = (int) integer(audit, "audit.checkpoint_every", 1000, 1, 1_000_000);

        var defaults = section(root, "defaults");
        known(
                defaults,
                "defaults",
                "environment",
                "approvals",
                "approval_timeout",
                "auto_deploy_block",
                "incident_block",
                "readiness_timeout",
                "channel",
                "canary",
                "escalated_canary",
                "deployers",
                "oncall_channel",
                "traffic");
        String environment = environment(defaults, "defaults.environment");
        int approvals = (int) integer(defaults, "defaults.approvals", 1, 1, 10);
        Duration approvalTimeout = duration(defaults, "defaults.approval_timeout", Duration.ofHours(4));
        Duration block = duration(defaults, "defaults.auto_deploy_block", Duration.ofHours(1));
        Duration incidentBlock = duration(defaults, "defaults.incident_block", Duration.ofHours(1));
        Duration readiness = duration(defaults, "defaults.readiness_timeout", Duration.ofMinutes(5));
        String channel = channel(defaults, "defaults.channel", "#deploys");
        CanaryPolicy canaryDefaults = canary(defaults.get("canary"), "defaults.canary", CanaryPolicy.defaults());
        // checked once here; each service applies it over its own canary policy
        JsonNode escalatedDefaults = defaults.get("escalated_canary");
        int beforeEscalated = problems.size();
        canary(escalatedDefaults, "defaults.escalated_canary", canaryDefaults);
        boolean escalatedDefaultsOk = problems.size() == beforeEscalated;
        Optional<String> deployers = group(defaults, "defaults.deployers", groups);
        Optional<String> oncall = optionalChannel(defaults, "defaults.oncall_channel", Optional.empty());
        Traffic traffic = traffic(defaults.get("traffic"), "defaults.traffic", Traffic.REPLICA_RATIO, true);

        var services = new LinkedHashMap<String, ServiceSpec>();
        var servicesNode = root.path("services");
        if (!servicesNode.isObject() || servicesNode.isEmpty()) {
            problem("services", "list at least one service under services: (name: {namespace: ..., approvers: ...})");
        } else {
            servicesNode.fields().forEachRemaining(e -> service(
                            e.getKey(),
                            e.getValue(),
                            groups,
                            approvals,
                            channel,
                            canaryDefaults,
                            escalatedDefaultsOk ? escalatedDefaults : null,
                            deployers,
                            oncall,
                            traffic)
                    .ifPresent(s -> services.put(s.name(), s)));
            checkDependencies(services, servicesNode);
        }

        var freezes = freezes(root.path("freezes"), servicesNode);
        Optional<URI> prometheus = prometheus(root.path("prometheus"));
        var slack = section(root, "slack");
        known(slack, "slack", "socket_mode");
        boolean socketMode = bool(slack, "slack.socket_mode", false);
        AdvisorSettings advisor = advisor(section(root, "advisor"));
        RiskSettings risk = risk(section(root, "risk"));
        return new HarbormasterConfig(
                new ServiceCatalog(services, groups, freezes, auditors, people),
                environment,
                approvalTimeout,
                block,
                incidentBlock,
                readiness,
                channel,
                checkpointEvery,
                prometheus,
                socketMode,
                advisor,
                risk,
                policyVersion);
    }

    private Map<String, Set<String>> groups(JsonNode node) {
        var groups = new LinkedHashMap<String, Set<String>>();
        if (node.isMissingNode() || node.isNull()) {
            return groups;
        }
        if (!node.isObject()) {
            problem("groups", "expected a mapping of group name to a list of Slack user ids, e.g. approvers: [U01ABC]");
            return groups;
        }
        node.fields().forEachRemaining(e -> {
            var path = "groups." + e.getKey();
            var members = new LinkedHashSet<String>();
            if (!e.getValue().isArray() || e.getValue().isEmpty()) {
                problem(path, "expected a non-empty list of Slack user ids, e.g. [U01ABC, U02DEF]");
            } else {
                for (int i = 0; i < e.getValue().size(); i++) {
                    var id = e.getValue().get(i).asText();
                    if (!SLACK_ID.matcher(id).matches()) {
                        problem(
                                path + "[" + i + "]",
                                "'" + id + "' is not a Slack user id (U or W followed by capitals and"
                                        + " digits, as shown in a Slack profile under 'Copy member ID')");
                    }
                    members.add(id);
                }
            }
            groups.put(e.getKey(), Set.copyOf(members));
        });
        return groups;
    }

    private Optional<ServiceSpec> service(
            String name,
            JsonNode node,
            Map<String, Set<String>> groups,
            int approvals,
            String channel,
            CanaryPolicy canaryDefaults,
            JsonNode escalatedDefaults,
            Optional<String> defaultDeployers,
            Optional<String> defaultOncall,
            Traffic defaultTraffic) {
        var path = "services." + name;
        int before = problems.size();
        if (!SERVICE_NAME.matcher(name).matches()) {
            problem(
                    path,
                    "a service name is lower-case letters, digits and '-', at most 63 characters (a Kubernetes name)");
        }
        if (!node.isObject()) {
            problem(path, "expected a mapping with at least namespace: and approvers:");
            return Optional.empty();
        }
        known(
                node,
                path,
                "namespace",
                "deployment",
                "container",
                "criticality",
                "dependencies",
                "approvers",
                "approvals",
                "windows",
                "canary",
                "escalated_canary",
                "metrics",
                "channel",
                "deployers",
                "oncall_channel",
                "traffic");
        var namespace = required(node, path + ".namespace", "namespace");
        if (namespace != null && !K8S_NAME.matcher(namespace).matches()) {
            problem(path + ".namespace", "'" + namespace + "' is not a Kubernetes namespace name");
        }
        var deployment = text(node, path + ".deployment", name);
        if (node.has("deployment")) {
            nameProblem(deployment, K8S_NAME, 253, "a Deployment name")
                    .ifPresent(p -> problem(path + ".deployment", p + ": write the stable Deployment's name"));
        }
        var container = text(node, path + ".container", name);
        if (node.has("container")) {
            nameProblem(container, DNS_LABEL, 63, "a container name")
                    .ifPresent(p -> problem(
                            path + ".container",
                            p + ": write the name of the container whose image is replaced, as the Deployment's pod"
                                    + " template names it"));
        }
        var criticality = criticality(node, path + ".criticality");
        var approvers = required(node, path + ".approvers", "approvers");
        if (approvers != null && !groups.containsKey(approvers)) {
            problem(
                    path + ".approvers",
                    "no group '" + approvers + "': define it under groups:" + suggestion(approvers, groups.keySet()));
        }
        var deployers = node.has("deployers") ? group(node, path + ".deployers", groups) : defaultDeployers;
        int required = (int) integer(node, path + ".approvals", approvals, 1, 10);
        if (approvers != null
                && groups.containsKey(approvers)
                && groups.get(approvers).size() < required) {
            problem(
                    path + ".approvals",
                    Numbers.count(required, "approval is", "approvals are") + " required but group '" + approvers
                            + "' has only "
                            + Numbers.count(groups.get(approvers).size(), "member", "members")
                            + ": add members or lower approvals");
        }
        var windows = windows(node.path("windows"), path + ".windows");
        var canary = canary(node.get("canary"), path + ".canary", canaryDefaults);
        var escalated = escalatedCanary(node.get("escalated_canary"), path, canary, escalatedDefaults);
        var metrics = new LinkedHashMap<String, String>();
        var metricsNode = node.path("metrics");
        if (!metricsNode.isMissingNode()) {
            if (!metricsNode.isObject()) {
                problem(
                        path + ".metrics",
                        "expected a mapping of metric (" + String.join(", ", METRICS) + ") to a PromQL template");
            } else {
                known(metricsNode, path + ".metrics", METRICS.toArray(String[]::new));
                metricsNode.fields().forEachRemaining(m -> {
                    if (!METRICS.contains(m.getKey())) {
                        return; // reported as unknown above
                    }
                    try { // as serve will run it: an unknown placeholder, or one where it cannot go, is refused now
                        PromQlTemplates.DEFAULTS.with(
                                Map.of(m.getKey(), m.getValue().asText()));
                        metrics.put(m.getKey(), m.getValue().asText());
                    } catch (IllegalArgumentException e) {
                        problem(path + ".metrics." + m.getKey(), e.getMessage());
                    }
                });
            }
        }
        var dependencies = new ArrayList<Dependency>();
        var deps = node.path("dependencies");
        if (!deps.isMissingNode() && !deps.isNull()) {
            if (!deps.isObject()) {
                problem(path + ".dependencies", "expected a mapping of service name to {min_version: X} (or {})");
            } else {
                deps.fields().forEachRemaining(d -> {
                    var dpath = path + ".dependencies." + d.getKey();
                    Optional<String> min = Optional.empty();
                    if (d.getValue().isObject()) {
                        known(d.getValue(), dpath, "min_version");
                        if (d.getValue().has("min_version")) {
                            min = minVersion(d.getValue().get("min_version"), dpath + ".min_version");
                        }
                    } else if (!d.getValue().isNull()) {
                        problem(dpath, "expected {min_version: X} or {}");
                    }
                    dependencies.add(new Dependency(d.getKey(), min));
                });
            }
        }
        var serviceChannel = channel(node, path + ".channel", channel);
        var oncall = optionalChannel(node, path + ".oncall_channel", defaultOncall);
        var traffic = traffic(node.get("traffic"), path + ".traffic", defaultTraffic, false);
        var gatewayRoute = namespace == null
                ? Optional.<GatewayRoute>empty()
                : gatewayRoute(path + ".traffic.gateway_api", traffic, namespace, deployment);
        if (problems.size() > before || namespace == null || approvers == null) {
            return Optional.empty();
        }
        return Optional.of(new ServiceSpec(
                name,
                namespace,
                deployment,
                container,
                criticality,
                dependencies,
                approvers,
                required,
                windows,
                canary,
                escalated,
                metrics,
                serviceChannel,
                deployers,
                oncall,
                gatewayRoute));
    }

    /**
     * A dependency's minimum version, as text the preflight's {@link Versions#atLeast} compares part by part. An
     * unquoted number with a dot is refused: YAML reads {@code 2.10} as the number 2.1, which {@code 2.9} would
     * satisfy (an unquoted whole number, {@code 3}, reads the same as text and is taken); so is
     * text that is not a version, which compares as 0 and would be satisfied by every version.
     */
    private Optional<String> minVersion(JsonNode v, String path) {
        if (v.isNumber()) {
            var written = yaml.numberAsWritten(path).orElse(v.asText());
            if (written.matches("[0-9]+")) {
                return Optional.of(written); // a whole number reads the same either way: min_version: 3
            }
            problem(
                    path,
                    written + " unquoted is a number to YAML"
                            + (written.equals(v.asText()) ? "" : " (" + v.asText() + ")")
                            + ", not a version; quote it: min_version: \"" + written + "\"");
            return Optional.empty();
        }
        if (!v.isTextual() || !VERSION.matcher(v.asText().strip()).matches()) {
            problem(
                    path,
                    "'" + v.asText() + "' is not a version: write numbers separated by dots, in quotes, optionally"
                            + " with a leading v and a pre-release after '-', e.g. \"2.10\", \"v1.4.0\" or \"3.0.0-rc1\"");
            return Optional.empty();
        }
        return Optional.of(v.asText().strip());
    }

    /**
     * How a service's canary traffic is divided, as {@code traffic:} says (of a service, or of {@code defaults}): by
     * replica ratio, or by a Gateway API route with the keys given so far (a service's own over the defaults').
     */
    private record Traffic(boolean gatewayApi, Map<String, String> keys) {
        static final Traffic REPLICA_RATIO = new Traffic(false, Map.of());
    }

    /**
     * Reads {@code traffic:}: the word {@code replica_ratio}, or {@code {gateway_api: {route, namespace, service}}}
     * (in {@code defaults}, no {@code service}: a Service is one service's own). Absent: {@code fallback}. Each value
     * given is checked here, with its line; what a service leaves out comes from {@code fallback} when that is a route
     * too, else from the service ({@link #gatewayRoute}).
     */
    private Traffic traffic(JsonNode v, String path, Traffic fallback, boolean isDefault) {
        if (v == null || v.isNull()) {
            return fallback;
        }
        if (v.isTextual()) {
            switch (v.asText().strip()) {
                case "replica_ratio" -> {
                    return Traffic.REPLICA_RATIO;
                }
                case "gateway_api" ->
                    problem(
                            path,
                            "gateway_api is a mapping with the HTTPRoute's name: write {gateway_api: {route:"
                                    + " <HTTPRoute name>}}");
                case "ingress" -> problem(path, NO_INGRESS);
                default -> problem(path, "'" + v.asText() + "' is not a way to divide traffic: " + TRAFFIC_WAYS);
            }
            return fallback;
        }
        if (!v.isObject() || v.isEmpty()) {
            problem(path, "expected a way to divide the canary's traffic: " + TRAFFIC_WAYS);
            return fallback;
        }
        int before = problems.size();
        for (Iterator<String> it = v.fieldNames(); it.hasNext(); ) {
            var key = it.next();
            if (key.equals("ingress")) {
                problem(path + ".ingress", NO_INGRESS);
            } else if (!key.equals("gateway_api")) {
                problem(
                        path + "." + key,
                        "unknown key '" + key + "'" + suggestion(key, List.of("gateway_api")) + ": " + TRAFFIC_WAYS);
            }
        }
        if (problems.size() > before) {
            return fallback;
        }
        var gateway = v.get("gateway_api");
        var gpath = path + ".gateway_api";
        if (gateway != null && !gateway.isNull() && !gateway.isObject()) {
            problem(
                    gpath,
                    "expected a mapping such as {route: storefront}: the HTTPRoute's name, and optionally its namespace"
                            + " and the Service it sends to");
            return fallback;
        }
        var keys = new LinkedHashMap<String, String>(fallback.gatewayApi() ? fallback.keys() : Map.of());
        if (gateway != null && gateway.isObject()) {
            if (isDefault && gateway.has("service")) {
                problem(
                        gpath + ".service",
                        "a Service is one service's own: set it under services.<name>.traffic.gateway_api.service (it"
                                + " is the deployment's name by default)");
            }
            known(gateway, gpath, "route", "namespace", "service");
            routeKey(gateway, gpath, "route", K8S_NAME, 253, "an HTTPRoute name")
                    .ifPresent(r -> keys.put("route", r));
            routeKey(gateway, gpath, "namespace", DNS_LABEL, 63, "a namespace name")
                    .ifPresent(n -> keys.put("namespace", n));
            if (!isDefault) {
                routeKey(gateway, gpath, "service", SERVICE, LONGEST_SERVICE, "a Service name")
                        .ifPresent(n -> keys.put("service", n));
            }
        }
        return new Traffic(true, keys);
    }

    /** One name under {@code traffic.gateway_api}, if given and valid (else the problem is said). */
    private Optional<String> routeKey(
            JsonNode gateway, String gpath, String key, Pattern form, int longest, String what) {
        var value = text(gateway, gpath + "." + key, null);
        if (value == null) {
            return Optional.empty();
        }
        var problem = nameProblem(value.strip(), form, longest, what);
        problem.ifPresent(p -> problem(gpath + "." + key, p));
        return problem.isPresent() ? Optional.empty() : Optional.of(value.strip());
    }

    /**
     * What is wrong with a Kubernetes name, if anything. A Service name must leave room for {@code -baseline}:
     * canary and baseline get Services of their own, named after it.
     */
    private static Optional<String> nameProblem(String name, Pattern form, int longest, String what) {
        if (form.matcher(name).matches() && name.length() <= longest) {
            return Optional.empty();
        }
        if (form == SERVICE && name.length() > longest && form.matcher(name).matches()) {
            return Optional.of("'" + name + "' has " + name.length() + " characters: the baseline's Service is named '"
                    + name + "-baseline', which must fit in 63; use a Service name of at most " + longest
                    + " characters");
        }
        return Optional.of("'" + name + "' is not " + what + " (lower-case letters, digits and '-'"
                + (form == K8S_NAME ? " and '.'" : "") + (form == SERVICE ? ", starting with a letter" : "")
                + ", at most " + longest + " characters)");
    }

    /**
     * The Gateway API route of a service divided by one: the route named (by default the deployment's name) in the
     * namespace named (by default the service's), sending to the Service named (by default the deployment's name).
     * A default that is not a valid name is said, with the key to set.
     */
    private Optional<GatewayRoute> gatewayRoute(String gpath, Traffic traffic, String namespace, String deployment) {
        if (!traffic.gatewayApi()) {
            return Optional.empty();
        }
        var keys = traffic.keys();
        var route = keys.getOrDefault("route", deployment);
        var service = keys.getOrDefault("service", deployment);
        int before = problems.size();
        if (!keys.containsKey("route")) {
            nameProblem(route, K8S_NAME, 253, "an HTTPRoute name")
                    .ifPresent(p -> problem(
                            gpath,
                            "the route is the deployment's name by default, and " + p
                                    + ": set route: to the HTTPRoute's name"));
        }
        if (!keys.containsKey("service")) {
            nameProblem(service, SERVICE, LONGEST_SERVICE, "a Service name")
                    .ifPresent(p -> problem(
                            gpath,
                            "the Service is the deployment's name by default, and " + p
                                    + ": set service: to the Service the route sends to"));
        }
        if (problems.size() > before) {
            return Optional.empty();
        }
        return Optional.of(new GatewayRoute(keys.getOrDefault("namespace", namespace), route, service));
    }

    /** An optional group name under {@code path}, which must be defined under {@code groups:}. */
    private Optional<String> group(JsonNode node, String path, Map<String, Set<String>> groups) {
        var v = valueAt(node, path);
        if (v == null || v.isNull()) {
            return Optional.empty();
        }
        var name = text(node, path, null);
        if (name == null) {
            return Optional.empty(); // reported by text()
        }
        if (!groups.containsKey(name)) {
            problem(path, "no group '" + name + "': define it under groups:" + suggestion(name, groups.keySet()));
            return Optional.empty();
        }
        return Optional.of(name);
    }

    /**
     * {@code people:}: a Slack member id, then the other names CI may give that person (GitHub logins, email
     * addresses). Each name belongs to one person, compared as {@link People#canonical} compares them.
     */
    private People people(JsonNode node) {
        var members = new LinkedHashMap<String, String>();
        if (node.isMissingNode() || node.isNull()) {
            return People.NONE;
        }
        if (!node.isObject()) {
            problem(
                    "people",
                    "expected a mapping of Slack member id to the person's other names, e.g. U01ABC: [octocat,"
                            + " octo@example.com]");
            return People.NONE;
        }
        var where = new LinkedHashMap<String, String>();
        node.fields().forEachRemaining(e -> {
            var id = e.getKey();
            var path = "people." + id;
            if (!SLACK_ID.matcher(id).matches()) {
                problem(
                        path,
                        "'" + id + "' is not a Slack member id (U or W followed by capitals and digits, as shown in a"
                                + " Slack profile under 'Copy member ID')");
            }
            if (!e.getValue().isArray() || e.getValue().isEmpty()) {
                problem(
                        path,
                        "expected a non-empty list of the GitHub logins and email addresses CI names this person by,"
                                + " e.g. [octocat, octo@example.com]");
                return;
            }
            for (int i = 0; i < e.getValue().size(); i++) {
                var item = e.getValue().get(i);
                var ipath = path + "[" + i + "]";
                var name = item.isValueNode() ? People.canonical(item.asText()) : "";
                if (!item.isTextual() || name.isEmpty()) {
                    problem(ipath, "expected a GitHub login or an email address");
                } else if (People.isMemberId(name)) {
                    problem(
                            ipath,
                            "'" + item.asText().strip() + "' is a Slack member id, which stands for itself: list"
                                    + " the person's other names (GitHub logins, email addresses) here");
                } else if (name.contains("@") && !People.isEmail(name)) {
                    problem(ipath, "'" + item.asText().strip() + "' is neither a GitHub login nor an email address");
                } else if (where.containsKey(name) && !members.get(name).equals(id)) {
                    problem(
                            ipath,
                            "'" + item.asText().strip() + "' is listed under " + members.get(name) + " already ("
                                    + where.get(name) + "): a name belongs to one person");
                } else {
                    members.putIfAbsent(name, id);
                    where.putIfAbsent(name, ipath);
                }
            }
        });
        return new People(members);
    }

    private void checkDependencies(Map<String, ServiceSpec> services, JsonNode servicesNode) {
        servicesNode.fields().forEachRemaining(e -> e.getValue()
                .path("dependencies")
                .fieldNames()
                .forEachRemaining(dep -> {
                    if (!servicesNode.has(dep)) {
                        problem(
                                "services." + e.getKey() + ".dependencies." + dep,
                                "no service '" + dep + "' in the catalog: add it under"
                                        + " services: or remove the dependency"
                                        + suggestion(dep, iterable(servicesNode.fieldNames())));
                    } else if (dep.equals(e.getKey())) {
                        problem("services." + e.getKey() + ".dependencies." + dep, "a service cannot depend on itself");
                    }
                }));
        checkCycles(servicesNode);
    }

    /**
     * Refuses dependencies that go round ({@code a -> b -> c -> a}), as a service depending on itself is refused:
     * there is no order in which to bring such services up, each after what it needs. Each cycle is said once, at the dependency that closes it as the file
     * lists the services. A service depending on itself is said above.
     */
    private void checkCycles(JsonNode servicesNode) {
        var graph = new LinkedHashMap<String, List<String>>();
        servicesNode.fields().forEachRemaining(e -> {
            var deps = new ArrayList<String>();
            e.getValue().path("dependencies").fieldNames().forEachRemaining(d -> {
                if (servicesNode.has(d) && !d.equals(e.getKey())) {
                    deps.add(d);
                }
            });
            graph.put(e.getKey(), deps);
        });
        var done = new LinkedHashSet<String>();
        for (var start : graph.keySet()) {
            cycleFrom(start, graph, new ArrayList<>(), done);
        }
    }

    /** Depth first from {@code service}; {@code trail} is the path to it, {@code done} the services fully searched. */
    private void cycleFrom(String service, Map<String, List<String>> graph, List<String> trail, Set<String> done) {
        if (done.contains(service)) {
            return;
        }
        int at = trail.indexOf(service);
        if (at >= 0) {
            var cycle = new ArrayList<>(trail.subList(at, trail.size()));
            cycle.add(service);
            var last = trail.getLast();
            problem(
                    "services." + last + ".dependencies." + service,
                    "the dependencies go round: " + String.join(" -> ", cycle)
                            + "; a service cannot depend on itself through others either: remove one of these"
                            + " dependencies");
            return;
        }
        trail.add(service);
        for (var dep : graph.getOrDefault(service, List.of())) {
            cycleFrom(dep, graph, trail, done);
        }
        trail.removeLast();
        done.add(service);
    }

    private List<ServiceCatalog.ConfiguredFreeze> freezes(JsonNode node, JsonNode servicesNode) {
        var out = new ArrayList<ServiceCatalog.ConfiguredFreeze>();
        if (node.isMissingNode() || node.isNull()) {
            return out;
        }
        if (!node.isArray()) {
            problem("freezes", "expected a list of {from, to, reason, services (optional)}");
            return out;
        }
        for (int i = 0; i < node.size(); i++) {
            var f = node.get(i);
            var path = "freezes[" + i + "]";
            known(f, path, "from", "to", "reason", "services");
            var from = instant(f, path + ".from");
            var to = instant(f, path + ".to");
            var reason = required(f, path + ".reason", "reason");
            var services = new LinkedHashSet<String>();
            f.path("services").forEach(s -> {
                if (!servicesNode.has(s.asText())) {
                    problem(
                            path + ".services",
                            "no service '" + s.asText() + "' in the catalog"
                                    + suggestion(s.asText(), iterable(servicesNode.fieldNames())));
                }
                services.add(s.asText());
            });
            if (from != null && to != null && !from.isBefore(to)) {
                problem(path, "the freeze must start (from) before it ends (to)");
            } else if (from != null && to != null && reason != null) {
                out.add(new ServiceCatalog.ConfiguredFreeze(Set.copyOf(services), from, to, reason));
            }
        }
        return out;
    }

    private List<DeployWindow> windows(JsonNode node, String path) {
        var out = new ArrayList<DeployWindow>();
        if (node.isMissingNode() || node.isNull()) {
            return out;
        }
        if (!node.isArray()) {
            problem(
                    path,
                    "expected a list of {days: [mon, tue, ...], from: \"09:00\", to: \"17:00\", zone: Europe/Berlin}");
            return out;
        }
        for (int i = 0; i < node.size(); i++) {
            var w = node.get(i);
            var wpath = path + "[" + i + "]";
            known(w, wpath, "days", "from", "to", "zone");
            var days = EnumSet.noneOf(DayOfWeek.class);
            var daysNode = w.path("days");
            if (!daysNode.isArray() || daysNode.isEmpty()) {
                problem(wpath + ".days", "expected a list of days such as [mon, tue, wed, thu, fri]");
            }
            daysNode.forEach(d -> day(d.asText())
                    .ifPresentOrElse(
                            days::add,
                            () -> problem(
                                    wpath + ".days",
                                    "'" + d.asText() + "' is not a day: use mon, tue, wed, thu, fri, sat, sun")));
            var from = time(w, wpath + ".from");
            var to = time(w, wpath + ".to");
            ZoneId zone = ZoneOffset.UTC;
            if (w.has("zone")) {
                try {
                    zone = ZoneId.of(w.get("zone").asText());
                } catch (RuntimeException e) {
                    problem(
                            wpath + ".zone",
                            "'" + w.get("zone").asText() + "' is not a time zone: use a name such as"
                                    + " Europe/Berlin or UTC");
                }
            }
            if (from != null && to != null && !days.isEmpty()) {
                if (!from.isBefore(to)) {
                    problem(
                            wpath,
                            "the window must start (from) before it ends (to); split windows that cross midnight");
                } else {
                    out.add(new DeployWindow(days, from, to, zone));
                }
            }
        }
        return out;
    }

    /**
     * The canary policy of a service's escalated changes: its own canary policy, then {@code defaults.escalated_canary}
     * over it (unset: {@link CanaryPolicy#cautious()}; {@code {}}: nothing changed), then the service's own
     * {@code escalated_canary} over that.
     */
    private CanaryPolicy escalatedCanary(JsonNode own, String path, CanaryPolicy canary, JsonNode escalatedDefaults) {
        CanaryPolicy base;
        if (escalatedDefaults == null) {
            base = canary.cautious();
        } else {
            var found = new ArrayList<CanaryPolicyYaml.Problem>();
            base = CanaryPolicyYaml.parse(escalatedDefaults, canary, found);
            found.forEach(p -> problem(
                    path + ".canary", "with defaults.escalated_canary over this service's canary policy: " + p));
        }
        return canary(own, path + ".escalated_canary", base);
    }

    /**
     * The canary section over {@code base}; every problem in it is reported at its own key's line, with the key's full
     * path ({@code defaults.canary.steps[1].weight}), or at the section's when no one key is to blame.
     */
    private CanaryPolicy canary(JsonNode node, String path, CanaryPolicy base) {
        var found = new ArrayList<CanaryPolicyYaml.Problem>();
        var policy = CanaryPolicyYaml.parse(node, base, found);
        found.forEach(p -> problem(p.key().isEmpty() ? path : path + "." + p.key(), p.message()));
        return policy;
    }

    private Optional<URI> prometheus(JsonNode node) {
        if (node.isMissingNode() || node.isNull()) {
            return Optional.empty();
        }
        known(node, "prometheus", "url");
        var url = required(node, "prometheus.url", "url");
        if (url == null) {
            return Optional.empty();
        }
        return httpUrl(
                "prometheus.url",
                url,
                "http://prometheus.monitoring:9090",
                "give the bot a Prometheus address it may read without them");
    }

    /**
     * {@code url} as an absolute http(s) URL with a host and no {@code user:password@}, or empty with the problem
     * said under {@code key}: {@code examples} of what is meant, {@code instead} what to do with credentials (the
     * URL is then shown without them).
     */
    private Optional<URI> httpUrl(String key, String url, String examples, String instead) {
        try {
            var uri = URI.create(url);
            if (uri.getScheme() == null || !uri.getScheme().matches("https?") || uri.getHost() == null) {
                throw new IllegalArgumentException();
            }
            if (uri.getRawUserInfo() != null) {
                problem(
                        key,
                        "'" + withoutUserInfo(uri) + "' is written with credentials (user:password@): harbormaster.yml"
                                + " holds no secrets; " + instead);
                return Optional.empty();
            }
            return Optional.of(uri);
        } catch (IllegalArgumentException e) {
            problem(key, "'" + url + "' is not an http(s) URL such as " + examples);
            return Optional.empty();
        }
    }

    /** A URL as it may be shown: without the user:password@ part, which is never repeated. */
    private static String withoutUserInfo(URI uri) {
        return uri.getScheme() + "://" + uri.getHost() + (uri.getPort() == -1 ? "" : ":" + uri.getPort())
                + (uri.getRawPath() == null ? "" : uri.getRawPath());
    }

    private AdvisorSettings advisor(JsonNode node) {
        known(node, "advisor", "provider", "base_url", "model", "timeout", "max_tokens");
        var none = AdvisorSettings.none();
        var provider = text(node, "advisor.provider", "none").toLowerCase(Locale.ROOT);
        var timeout = duration(node, "advisor.timeout", none.timeout());
        int maxTokens = (int) integer(node, "advisor.max_tokens", none.maxTokens(), 50, 8000);
        var standard = provider.equals("anthropic") ? AdvisorSettings.ANTHROPIC : AdvisorSettings.OPENAI;
        var url = text(node, "advisor.base_url", standard.toString());
        URI baseUrl = httpUrl(
                        "advisor.base_url",
                        url.strip(),
                        "https://api.openai.com/v1, http://ollama:11434/v1 or https://api.anthropic.com/v1",
                        "put the API key in HARBORMASTER_LLM_API_KEY instead")
                .orElse(standard);
        switch (provider) {
            case "none" -> {
                return new AdvisorSettings(AdvisorSettings.Provider.NONE, baseUrl, "", timeout, maxTokens);
            }
            case "openai" -> {
                var model = required(node, "advisor.model", "model");
                return new AdvisorSettings(
                        AdvisorSettings.Provider.OPENAI, baseUrl, model == null ? "" : model, timeout, maxTokens);
            }
            case "anthropic" -> {
                // The key is checked where it is read, when the bot starts: it is never in this file.
                var model = required(node, "advisor.model", "model");
                return new AdvisorSettings(
                        AdvisorSettings.Provider.ANTHROPIC, baseUrl, model == null ? "" : model, timeout, maxTokens);
            }
            default -> {
                problem(
                        "advisor.provider",
                        "'" + provider + "' is not a provider: use none, openai (any OpenAI-compatible API,"
                                + " such as Ollama or vLLM, with base_url) or anthropic");
                return none;
            }
        }
    }

    /**
     * The {@code risk:} section: the model file (read now, so that a missing or broken file is a problem of this file,
     * with its line) or {@code database}, and the target escalation rate, which must be the model's own.
     */
    private RiskSettings risk(JsonNode node) {
        known(node, "risk", "model", "target_escalation_rate");
        var rate = escalationRate(node.get("target_escalation_rate"));
        var given = text(node, "risk.model", null);
        if (given == null) {
            var settings = new RiskSettings(new RiskSettings.Shipped(), rate);
            if (rate.isPresent()) { // the model is read only to check the rate against it
                settings.rateProblem(RiskModelJson.defaultModel(), "the shipped model")
                        .ifPresent(p -> problem("risk.target_escalation_rate", p));
            }
            return settings;
        }
        if (given.strip().equals(RiskSettings.DATABASE)) {
            // read when the bot starts, and checked against the rate then
            return new RiskSettings(new RiskSettings.Stored(), rate);
        }
        var file = modelFile(given.strip());
        if (file.isEmpty()) {
            return new RiskSettings(new RiskSettings.Shipped(), rate); // the problem is said; nothing will run
        }
        var settings = new RiskSettings(file.get(), rate);
        settings.rateProblem(file.get().model(), file.get().path().toString())
                .ifPresent(p -> problem("risk.target_escalation_rate", p));
        return settings;
    }

    private OptionalDouble escalationRate(JsonNode v) {
        if (v == null || v.isNull()) {
            return OptionalDouble.empty();
        }
        if (!v.isNumber() || !(v.asDouble() > 0 && v.asDouble() < 1)) {
            problem(
                    "risk.target_escalation_rate",
                    "expected a share of deploys between 0 and 1, such as 0.11 for 11%, got " + v
                            + (v.isNumber() && v.asDouble() > 1 && v.asDouble() < 100
                                    ? " (a percentage? write it as a share)"
                                    : ""));
            return OptionalDouble.empty();
        }
        return OptionalDouble.of(v.asDouble());
    }

    /** The model file {@code risk.model} names, read from the directory of this file when relative. */
    private Optional<RiskSettings.ModelFile> modelFile(String given) {
        Path path;
        try {
            path = Path.of(given);
            if (!path.isAbsolute()) {
                var dir = Path.of(yaml.file).getParent();
                path = dir == null ? path : dir.resolve(path);
            }
        } catch (java.nio.file.InvalidPathException e) {
            problem("risk.model", "'" + given + "' is not a file path (" + e.getReason() + ")");
            return Optional.empty();
        }
        try {
            return Optional.of(new RiskSettings.ModelFile(path, RiskModelJson.read(path)));
        } catch (DatasetError e) {
            problem(
                    "risk.model",
                    e.getMessage() + "; give a model `harbormaster risk train --out` wrote (a relative path is read"
                            + " from this file's directory), `database` for the model `risk train --store` stored, or"
                            + " remove risk.model to score with the shipped model");
            return Optional.empty();
        }
    }

    // --- small typed readers: each records a problem and returns a fallback, so reading goes on ---

    private JsonNode section(JsonNode root, String name) {
        var n = root.path(name);
        if (n.isMissingNode() || n.isNull()) {
            return yamlEmpty();
        }
        if (!n.isObject()) {
            problem(name, "expected a mapping");
            return yamlEmpty();
        }
        return n;
    }

    private static JsonNode yamlEmpty() {
        return com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
    }

    private String required(JsonNode node, String path, String key) {
        var v = node.get(key);
        if (v == null || v.isNull() || v.asText().isBlank()) {
            problem(path, "is required");
            return null;
        }
        if (!v.isValueNode()) {
            problem(path, "expected a single value");
            return null;
        }
        return v.asText();
    }

    private String text(JsonNode node, String path, String fallback) {
        var v = valueAt(node, path);
        if (v == null || v.isNull()) {
            return fallback;
        }
        if (!v.isValueNode() || v.asText().isBlank()) {
            problem(path, "expected a non-empty text value");
            return fallback;
        }
        return v.asText();
    }

    /** The one environment this instance deploys to: a name that `/deploy ... to <env>` and CI requests can give. */
    private String environment(JsonNode node, String path) {
        var env = text(node, path, io.harbormaster.engine.rollout.PipelineSettings.DEFAULT_ENVIRONMENT);
        if (!env.matches("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?")) {
            problem(
                    path,
                    "'" + env + "' is not an environment name: lower-case letters, digits and '-', such as production"
                            + " or staging (requests name it this way)");
        }
        return env;
    }

    private long integer(JsonNode node, String path, long fallback, long min, long max) {
        var v = valueAt(node, path);
        if (v == null || v.isNull()) {
            return fallback;
        }
        if (!v.isIntegralNumber() || !v.canConvertToLong() || v.asLong() < min || v.asLong() > max) {
            problem(path, "expected a whole number from " + min + " to " + max + ", got " + v);
            return fallback;
        }
        return v.asLong();
    }

    private boolean bool(JsonNode node, String path, boolean fallback) {
        var v = valueAt(node, path);
        if (v == null || v.isNull()) {
            return fallback;
        }
        if (!v.isBoolean()) {
            problem(path, "expected true or false, got " + v);
            return fallback;
        }
        return v.asBoolean();
    }

    private Duration duration(JsonNode node, String path, Duration fallback) {
        var v = valueAt(node, path);
        if (v == null || v.isNull()) {
            return fallback;
        }
        var m = DURATION.matcher(v.asText().strip());
        if (!m.matches() || Long.parseLong(m.group(1)) == 0) {
            problem(path, "expected a duration such as 90s, 30m, 4h or 1d, got '" + v.asText() + "'");
            return fallback;
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
        };
    }

    private String channel(JsonNode node, String path, String fallback) {
        return optionalChannel(node, path, Optional.of(fallback)).orElseThrow();
    }

    /** A channel that may be left out ({@code fallback}); one that is not a channel is a problem, and the fallback. */
    private Optional<String> optionalChannel(JsonNode node, String path, Optional<String> fallback) {
        var c = text(node, path, null);
        if (c == null) {
            return fallback;
        }
        if (!CHANNEL.matcher(c).matches()) {
            problem(
                    path,
                    "'" + c + "' is not a Slack channel: use #name (lower case) or a channel id such as C0123ABC");
            return fallback;
        }
        return Optional.of(c);
    }

    private Criticality criticality(JsonNode node, String path) {
        var v = text(node, path, "medium");
        try {
            return Criticality.valueOf(v.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            problem(path, "'" + v + "' is not a criticality: use low, medium, high or critical");
            return Criticality.MEDIUM;
        }
    }

    private Instant instant(JsonNode node, String path) {
        var v = valueAt(node, path);
        if (v == null || v.isNull()) {
            problem(path, "is required (2026-11-27T00:00:00Z or 2026-11-27)");
            return null;
        }
        var s = v.asText();
        try {
            return s.length() == 10
                    ? LocalDate.parse(s).atStartOfDay(ZoneOffset.UTC).toInstant()
                    : Instant.parse(s);
        } catch (RuntimeException e) {
            problem(path, "'" + s + "' is not a time: use 2026-11-27T00:00:00Z or 2026-11-27 (midnight UTC)");
            return null;
        }
    }

    private LocalTime time(JsonNode node, String path) {
        var v = valueAt(node, path);
        if (v == null || v.isNull()) {
            problem(path, "is required, as \"HH:MM\" (quoted)");
            return null;
        }
        try {
            return LocalTime.parse(v.asText());
        } catch (RuntimeException e) {
            problem(path, "'" + v.asText() + "' is not a time of day: use \"HH:MM\" in quotes, e.g. \"09:00\"");
            return null;
        }
    }

    /** The value under the last key of {@code path} in {@code node}, or null when absent. */
    private static JsonNode valueAt(JsonNode node, String path) {
        return node.get(path.substring(path.lastIndexOf('.') + 1));
    }

    private static Optional<DayOfWeek> day(String s) {
        for (var d : DayOfWeek.values()) {
            if (d.name().substring(0, 3).equalsIgnoreCase(s) || d.name().equalsIgnoreCase(s)) {
                return Optional.of(d);
            }
        }
        return Optional.empty();
    }

    private void known(JsonNode node, String path, String... keys) {
        if (!node.isObject()) {
            return;
        }
        var allowed = List.of(keys);
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            var k = it.next();
            if (!allowed.contains(k)) {
                var where = path.isEmpty() ? k : path + "." + k;
                problem(
                        where,
                        "unknown key '" + k + "'" + suggestion(k, allowed) + "; known keys here: "
                                + String.join(", ", keys));
            }
        }
    }

    private static String suggestion(String name, Iterable<String> candidates) {
        var list = new ArrayList<String>();
        candidates.forEach(list::add);
        return Names.closest(name, list)
                .map(c -> " (did you mean '" + c + "'?)")
                .orElse("");
    }

    private static Iterable<String> iterable(Iterator<String> it) {
        var list = new ArrayList<String>();
        it.forEachRemaining(list::add);
        return list;
    }

    private void problem(String path, String message) {
        problems.add(yaml.at(path, message));
    }
}
