package io.harbormaster.storage.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.harbormaster.engine.rollout.Deploy;
import io.harbormaster.engine.rollout.DeployPipeline;
import io.harbormaster.engine.rollout.DeployRequest;
import io.harbormaster.engine.rollout.DeployState;
import io.harbormaster.engine.rollout.Intake;
import io.harbormaster.engine.rollout.RequestSource;
import io.harbormaster.storage.Database;
import io.harbormaster.storage.DatabaseConfig;
import io.harbormaster.storage.TestDatabases;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntFunction;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A request that repeats a deploy in flight (the engine's rule, {@link DeployPipeline#repeats}) is looked for and
 * stored in one step per service: requests racing through two stores with pools of their own (two replicas) over one
 * database, on H2 and on a real PostgreSQL.
 */
class DeployIntakeStoreTest {
    static final Instant T0 = Instant.parse("2026-11-23T10:00:00Z");
    static final int CALLERS = 12;

    static Database.Vendor[] vendors() {
        return TestDatabases.vendors();
    }

    static DeployRequest request(String key, String service, String version, boolean emergency) {
        return new DeployRequest(key, RequestSource.SLACK, service, version, "production", "U123", emergency, "{}", T0);
    }

    /** {@code CALLERS} intakes released at once, alternating between the stores; the outcomes in caller order. */
    static List<Intake> race(List<JooqDeployStore> stores, IntFunction<DeployRequest> requestOf) throws Exception {
        var start = new CountDownLatch(1);
        var futures = new ArrayList<Future<Intake>>();
        try (var pool = Executors.newFixedThreadPool(CALLERS)) {
            for (int i = 0; i < CALLERS; i++) {
                var store = stores.get(i % stores.size());
                var request = requestOf.apply(i);
                futures.add(pool.submit(() -> {
                    start.await();
                    return store.intake(request, DeployPipeline.repeats(request));
                }));
            }
            start.countDown();
        }
        var out = new ArrayList<Intake>();
        for (var f : futures) {
            out.add(f.get());
        }
        return out;
    }

    static long deploysOf(Database db, String service, String version) {
        return db.dsl()
                .fetchCount(
                        io.harbormaster.storage.jooq.Tables.DEPLOY,
                        io.harbormaster.storage.jooq.Tables.DEPLOY
                                .SERVICE
                                .eq(service)
                                .and(io.harbormaster.storage.jooq.Tables.DEPLOY.VERSION.eq(version)));
    }

    @ParameterizedTest
    @MethodSource("vendors")
    void manyRequestsForTheSameVersionAtOnceOnTwoReplicasCreateOneDeployAndTheOthersAreGivenIt(Database.Vendor vendor)
            throws Exception {
        var url = TestDatabases.url(vendor);
        try (var one = Database.open(DatabaseConfig.of(url));
                var two = Database.open(DatabaseConfig.of(url))) {
            var stores = List.of(new JooqDeployStore(one), new JooqDeployStore(two));
            for (int round = 0; round < 5; round++) {
                var version = "1.4." + round;
                var what = "round " + round;
                // each a request of its own (typed by several people, announced by CI): no key repeats another
                var results = race(stores, i -> request("slack:" + version + ":" + i, "checkout", version, false));

                var created = results.stream()
                        .filter(r -> r instanceof Intake.Created)
                        .toList();
                assertThat(created).as(what).hasSize(1);
                var deploy = created.getFirst().deploy();
                assertThat(results)
                        .as(what)
                        .filteredOn(r -> r instanceof Intake.AlreadyInFlight)
                        .hasSize(CALLERS - 1)
                        .allMatch(r -> r.deploy().id() == deploy.id());
                assertThat(deploysOf(one, "checkout", version)).as(what).isEqualTo(1);
                assertThat(one.dsl().fetchCount(io.harbormaster.storage.jooq.Tables.DEPLOY_REQUEST))
                        .as(what + ": the repeats are not stored")
                        .isEqualTo(round + 1);
            }
            // the versions before are still in flight: a new version queues behind them, it is not a repeat
            assertThat(stores.getLast().inFlight("checkout")).hasSize(5);
        }
    }

    @ParameterizedTest
    @MethodSource("vendors")
    void differentVersionsOfOneServiceAtOnceAreEachCreated(Database.Vendor vendor) throws Exception {
        var url = TestDatabases.url(vendor);
        try (var one = Database.open(DatabaseConfig.of(url));
                var two = Database.open(DatabaseConfig.of(url))) {
            var stores = List.of(new JooqDeployStore(one), new JooqDeployStore(two));
            // two requests for each of six versions
            var results = race(stores, i -> request("slack:v" + i, "checkout", "2.0." + (i / 2), false));

            assertThat(results).filteredOn(r -> r instanceof Intake.Created).hasSize(CALLERS / 2);
            assertThat(results)
                    .filteredOn(r -> r instanceof Intake.AlreadyInFlight)
                    .hasSize(CALLERS / 2);
            assertThat(stores.getFirst().inFlight("checkout"))
                    .extracting(Deploy::version)
                    .containsExactlyInAnyOrder("2.0.0", "2.0.1", "2.0.2", "2.0.3", "2.0.4", "2.0.5");
            for (int i = 0; i < CALLERS; i += 2) {
                assertThat(results.get(i).deploy().id())
                        .as("the two requests for 2.0." + (i / 2))
                        .isEqualTo(results.get(i + 1).deploy().id());
            }
        }
    }

    @ParameterizedTest
    @MethodSource("vendors")
    void theStoreAppliesTheEnginesRuleToTheServicesDeploysInFlight(Database.Vendor vendor) {
        try (var db = TestDatabases.open(vendor)) {
            var store = new JooqDeployStore(db);
            var ordinary = intake(store, request("k1", "checkout", "1.5.0", false));
            assertThat(ordinary).isInstanceOf(Intake.Created.class);

            // an emergency request does not repeat an ordinary deploy that has not reached its canary
            var emergency = intake(store, request("k2", "checkout", "1.5.0", true));
            assertThat(emergency).isInstanceOf(Intake.Created.class);
            // ... but an emergency deploy of the same version in flight it does; and an ordinary request repeats the
            // oldest of the two
            assertThat(intake(store, request("k3", "checkout", "1.5.0", true)))
                    .isEqualTo(new Intake.AlreadyInFlight(emergency.deploy()));
            assertThat(intake(store, request("k4", "checkout", "1.5.0", false)))
                    .isEqualTo(new Intake.AlreadyInFlight(ordinary.deploy()));

            // another service's deploy of the same version is not repeated
            assertThat(intake(store, request("k5", "payments", "1.5.0", false))).isInstanceOf(Intake.Created.class);

            // once the ordinary one is in its canary, an emergency request repeats it
            var inCanary = moveTo(store, ordinary.deploy(), DeployState.CANARY);
            moveTo(store, emergency.deploy(), DeployState.FAILED);
            assertThat(intake(store, request("k6", "checkout", "1.5.0", true)))
                    .isEqualTo(new Intake.AlreadyInFlight(inCanary));

            // a version on its way out is not repeated: asking again waits its turn
            var rollingBack = moveTo(store, inCanary, DeployState.ROLLING_BACK);
            var retry = intake(store, request("k7", "checkout", "1.5.0", false));
            assertThat(retry).isInstanceOf(Intake.Created.class);
            assertThat(retry.deploy().id()).isNotEqualTo(rollingBack.id());

            // a redelivered request is still its own first delivery's, once nothing in flight is repeated
            moveTo(store, retry.deploy(), DeployState.FAILED);
            assertThat(intake(store, request("k7", "checkout", "1.5.0", false)))
                    .isEqualTo(
                            new Intake.Duplicate(store.find(retry.deploy().id()).orElseThrow()));
            assertThat(db.dsl().fetchCount(io.harbormaster.storage.jooq.Tables.DEPLOY_REQUEST))
                    .isEqualTo(4);
        }
    }

    @ParameterizedTest
    @MethodSource("vendors")
    void theRuleIsGivenEachDeployInFlightWithTheRequestItWasCreatedFor(Database.Vendor vendor) {
        try (var db = TestDatabases.open(vendor)) {
            var store = new JooqDeployStore(db);
            // a request that made no deploy (one the database refused takes a number all the same): the ids of requests
            // and deploys differ from here on, so a deploy read with its request cannot be mistaken for it
            db.dsl()
                    .insertInto(io.harbormaster.storage.jooq.Tables.DEPLOY_REQUEST)
                    .set(io.harbormaster.storage.jooq.Tables.DEPLOY_REQUEST.IDEMPOTENCY_KEY, "none")
                    .set(io.harbormaster.storage.jooq.Tables.DEPLOY_REQUEST.SOURCE, "SLACK")
                    .set(io.harbormaster.storage.jooq.Tables.DEPLOY_REQUEST.SERVICE, "checkout")
                    .set(io.harbormaster.storage.jooq.Tables.DEPLOY_REQUEST.VERSION, "0.0.1")
                    .set(io.harbormaster.storage.jooq.Tables.DEPLOY_REQUEST.ENVIRONMENT, "production")
                    .set(io.harbormaster.storage.jooq.Tables.DEPLOY_REQUEST.REQUESTED_BY, "U0DEV")
                    .set(io.harbormaster.storage.jooq.Tables.DEPLOY_REQUEST.EMERGENCY, false)
                    .set(io.harbormaster.storage.jooq.Tables.DEPLOY_REQUEST.PAYLOAD, "{}")
                    .set(
                            io.harbormaster.storage.jooq.Tables.DEPLOY_REQUEST.RECEIVED_AT,
                            io.harbormaster.storage.Sql.odt(T0))
                    .execute();
            // a revert the pipeline stored (of deploy #7, back to 1.3.0): requested, so before any canary by its state
            var revert = new DeployRequest(
                    "revert:7:1",
                    RequestSource.SLACK,
                    "checkout",
                    "1.3.0",
                    "production",
                    "U0OPS",
                    false,
                    "{\"revert\":{\"reverts_deploy\":7,\"from_version\":\"1.4.0\","
                            + "\"to_image\":\"registry.example/checkout:1.3.0\",\"to_image_from\":\"test\","
                            + "\"request_key\":\"slack:r1\"}}",
                    T0);
            var reverting = store.intake(revert, (d, r) -> true);
            assertThat(reverting).isInstanceOf(Intake.Created.class);
            assertThat(reverting.deploy().requestId())
                    .isNotEqualTo(reverting.deploy().id());

            var seen = new ArrayList<DeployRequest>();
            var emergency = request("k1", "checkout", "1.3.0", true);
            var answer = store.intake(emergency, (d, r) -> {
                seen.add(r);
                return DeployPipeline.repeats(emergency).test(d, r);
            });

            assertThat(seen).extracting(DeployRequest::idempotencyKey).containsExactly("revert:7:1");
            // the engine's rule tells a revert by its request: an emergency request repeats it, requested or not
            assertThat(answer).isEqualTo(new Intake.AlreadyInFlight(reverting.deploy()));
        }
    }

    static Intake intake(JooqDeployStore store, DeployRequest request) {
        return store.intake(request, DeployPipeline.repeats(request));
    }

    @ParameterizedTest
    @MethodSource("vendors")
    void aRequestWaitsItsTurnWhileAnotherReplicasIntakeOfTheServiceTakesLongerThanH2sLockTimeout(Database.Vendor vendor)
            throws Exception {
        var url = TestDatabases.url(vendor);
        try (var one = Database.open(DatabaseConfig.of(url));
                var two = Database.open(DatabaseConfig.of(url))) {
            var here = new JooqDeployStore(one);
            var otherReplica = new JooqDeployStore(two);
            here.intake(request("k0", "checkout", "1.4.0", false)); // in flight: what the slow intake looks at
            var looking = new CountDownLatch(1);
            try (var pool = Executors.newSingleThreadExecutor()) {
                var slow = pool.submit(() -> otherReplica.intake(request("k1", "checkout", "1.5.0", false), (d, r) -> {
                    looking.countDown();
                    try {
                        Thread.sleep(2500); // H2's lock timeout is one second
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    return false;
                }));
                assertThat(looking.await(30, java.util.concurrent.TimeUnit.SECONDS))
                        .isTrue();

                // before: on H2, the intake row's creation gave up waiting for the row after one lock timeout
                var next = here.intake(request("k2", "checkout", "1.6.0", false));

                assertThat(slow.get(30, java.util.concurrent.TimeUnit.SECONDS)).isInstanceOf(Intake.Created.class);
                assertThat(next).isInstanceOf(Intake.Created.class);
            }
            assertThat(here.inFlight("checkout"))
                    .extracting(Deploy::version)
                    .containsExactly("1.4.0", "1.5.0", "1.6.0");
        }
    }

    static Deploy moveTo(JooqDeployStore store, Deploy d, DeployState to) {
        var current = store.find(d.id()).orElseThrow();
        return store.transition(current.id(), current.revision(), to, 0, "engine", "test", T0);
    }
}
