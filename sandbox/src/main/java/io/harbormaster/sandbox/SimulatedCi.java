package io.harbormaster.sandbox;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * A CI system for the sandbox: a fixed set of builds of the sandbox's services, each announced the way a real CI job
 * announces one (the JSON of {@code POST /api/v1/deploy-requests} and of the {@code deploy.requests} topic), with the
 * change metadata the risk engine reads. The set shows every path a newcomer should see: ordinary small changes that
 * go out on their own, one with a schema migration and one with a new dependency that wait for an approver, and one
 * whose version is faulty and is rolled back.
 */
public final class SimulatedCi {

    /** What kind of change a build is, which decides what the pipeline will do with it. */
    public enum Kind {
        SMALL("small change"),
        MIGRATION("schema migration"),
        NEW_DEPENDENCY("new dependency"),
        FAULTY("faulty version");

        private final String label;

        Kind(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    /**
     * A build CI can announce.
     *
     * @param author the Slack member id of the change's author
     * @param fault what is wrong with the version at run time ({@link Fault#NONE} for a healthy one)
     * @param change the {@code change} object of the announcement, as JSON
     */
    public record Build(
            String service, String version, Kind kind, String title, String author, Fault fault, String change) {

        /** The image CI built, in the sandbox's registry. */
        public String image() {
            return REGISTRY + "/" + service + ":" + version;
        }

        /** CI's id for the build: stable, so that announcing it again is recognised as the same build. */
        public String buildId() {
            return "sandbox-" + service + "-" + version;
        }

        /** The announcement; {@code autoDeploy} also asks for the deploy, as a pipeline's deploy stage would. */
        public String requestJson(boolean autoDeploy) {
            return """
                    {"service":"%s","version":"%s","image":"%s","commit_sha":"%s","build_id":"%s",\
                    "ci_status":"success","auto_deploy":%s,"requested_by":"sandbox-ci","change":%s}""".formatted(service, version, image(), commitSha(), buildId(), autoDeploy, change);
        }

        private String commitSha() {
            // A stable fake commit per build, 12 hex digits like a short SHA.
            return String.format(Locale.ROOT, "%012x", (service + "@" + version).hashCode() & 0xffffffffffffL);
        }
    }

    /** The registry the sandbox's images come from. */
    public static final String REGISTRY = "registry.sandbox.local/shop";

    /** The member id of the engineer who wrote the sandbox's changes. */
    public static final String ENGINEER = "U0ENGINEER";

    /** Each service of the sandbox's catalog and the version it runs when the sandbox is new. */
    static final List<Stable> STANDARD_STABLE = List.of(
            new Stable("checkout", "1.4.0", 4),
            new Stable("payments", "2.9.3", 4),
            new Stable("inventory", "2.7.5", 3),
            new Stable("search", "5.1.0", 3));

    /** A service as first installed in the simulated cluster. */
    public record Stable(String service, String version, int replicas) {
        public String image() {
            return REGISTRY + "/" + service + ":" + version;
        }
    }

    private final List<Build> builds;
    private final List<Stable> stable;

    /** @param stable each service and the version it runs before any deploy */
    public SimulatedCi(List<Build> builds, List<Stable> stable) {
        this.builds = List.copyOf(builds);
        this.stable = List.copyOf(stable);
    }

    /** Each service and the version it runs when the sandbox is new. */
    public List<Stable> stable() {
        return stable;
    }

    /**
     * One small, healthy build for each of {@code services} (running 1.0.0, built 1.0.1): what a benchmark deploys
     * many of.
     */
    public static SimulatedCi smallChanges(List<String> services) {
        var builds = new ArrayList<Build>();
        var stable = new ArrayList<Stable>();
        for (var s : services) {
            stable.add(new Stable(s, "1.0.0", 4));
            builds.add(new Build(
                    s,
                    "1.0.1",
                    Kind.SMALL,
                    "Tidy up",
                    ENGINEER,
                    Fault.NONE,
                    change("Tidy up", List.of("src/main/java/App.java"), List.of(), 4, 1, 200)));
        }
        return new SimulatedCi(builds, stable);
    }

    /** The sandbox's builds. */
    public static SimulatedCi standard() {
        var b = new ArrayList<Build>();
        b.add(new Build(
                "checkout",
                "1.4.1",
                Kind.SMALL,
                "Round cart totals half-even",
                ENGINEER,
                Fault.NONE,
                change(
                        "Round cart totals half-even",
                        List.of("src/main/java/shop/checkout/CartTotals.java"),
                        List.of(),
                        6,
                        2,
                        240)));
        b.add(new Build(
                "inventory",
                "2.7.6",
                Kind.SMALL,
                "Log the warehouse id on stock misses",
                ENGINEER,
                Fault.NONE,
                change(
                        "Log the warehouse id on stock misses",
                        List.of("src/main/java/shop/inventory/StockLookup.java"),
                        List.of(),
                        3,
                        1,
                        180)));
        b.add(new Build(
                "payments",
                "3.0.0",
                Kind.MIGRATION,
                "Store refund reasons",
                ENGINEER,
                Fault.NONE,
                change(
                        "Store refund reasons",
                        List.of(
                                "src/main/resources/db/migration/V12__refund_reasons.sql",
                                "src/main/java/shop/payments/Refunds.java"),
                        List.of(),
                        48,
                        3,
                        310)));
        b.add(new Build(
                "checkout",
                "1.5.0",
                Kind.NEW_DEPENDENCY,
                "Show recommendations in the cart",
                ENGINEER,
                Fault.NONE,
                change(
                        "Show recommendations in the cart",
                        List.of("src/main/java/shop/checkout/CartPage.java"),
                        List.of("payments", "inventory", "recommendations"),
                        30,
                        4,
                        260)));
        b.add(new Build(
                "search",
                "5.2.0",
                Kind.FAULTY,
                "Cache query plans per tenant",
                ENGINEER,
                Fault.errors(0.15),
                change(
                        "Cache query plans per tenant",
                        List.of("src/main/java/shop/search/QueryPlans.java"),
                        List.of(),
                        9,
                        3,
                        200)));
        return new SimulatedCi(b, STANDARD_STABLE);
    }

    /**
     * The {@code change} object of a small change to {@code file} by {@link #ENGINEER}, every metric announced: what
     * the simulated CI's small builds send, for an announcement written elsewhere (the start-up output's example).
     */
    public static String smallChange(String title, String file, int added, int deleted, int linesBefore) {
        return change(title, List.of(file), List.of(), added, deleted, linesBefore);
    }

    private static String change(
            String title, List<String> files, List<String> dependencies, int added, int deleted, int linesBefore) {
        // A seasoned author changing one file of a mature module: the risk model's low-risk shape. What makes a
        // build risky in the sandbox is what the rules see (a migration, a new dependency), not these numbers.
        return """
                {"ns":1,"nd":1,"nf":%d,"entropy":%s,"la":%d,"ld":%d,"lt":%d,"fix":false,"ndev":4,"age":40,"nuc":3,\
                "exp":1200,"rexp":300,"sexp":500,"files":%s,"dependencies":%s,"commit_messages":["%s"],\
                "pr_title":"%s","author":"%s"}""".formatted(
                        files.size(),
                        files.size() > 1 ? "0.9" : "0",
                        added,
                        deleted,
                        linesBefore,
                        jsonList(files),
                        jsonList(dependencies),
                        title,
                        title,
                        ENGINEER);
    }

    private static String jsonList(List<String> values) {
        return values.stream()
                .map(v -> "\"" + v + "\"")
                .reduce((a, c) -> a + "," + c)
                .map(s -> "[" + s + "]")
                .orElse("[]");
    }

    public List<Build> builds() {
        return builds;
    }

    /** The build of {@code service} at {@code version}, if CI has one. */
    public Optional<Build> build(String service, String version) {
        return builds.stream()
                .filter(b -> b.service().equals(service) && b.version().equals(version))
                .findFirst();
    }

    /** Announces every build without asking for a deploy, as CI does when each build finishes. */
    public void announceAll(Consumer<String> requests) {
        builds.forEach(b -> requests.accept(b.requestJson(false)));
    }
}
