package io.harbormaster.engine.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

class DeployEventJsonTest {

    private static final Instant AT = Instant.parse("2025-06-01T12:00:00.123Z");

    private final DeployEvent promoting = new DeployEvent(
            42,
            3,
            "payments",
            "1.4.2",
            "production",
            Optional.of(DeployState.CANARY),
            DeployState.PROMOTING,
            2,
            "engine",
            "all metrics passed at 50%",
            AT);

    @Test
    void anEventIsWrittenWithTheDocumentedFieldsInTheDocumentedOrder() {
        assertThat(DeployEventJson.toJson(promoting))
                .isEqualTo("{\"schema_version\":1,\"type\":\"deploy.transition\",\"deploy_id\":42,\"sequence\":3,"
                        + "\"service\":\"payments\",\"version\":\"1.4.2\",\"environment\":\"production\","
                        + "\"from\":\"canary\",\"to\":\"promoting\",\"terminal\":false,\"step\":2,\"actor\":\"engine\","
                        + "\"reason\":\"all metrics passed at 50%\",\"at\":\"2025-06-01T12:00:00.123Z\"}");
    }

    @Test
    void theFirstEventOfADeployHasNoFromState() throws Exception {
        DeployEvent first = new DeployEvent(
                42,
                1,
                "payments",
                "1.4.2",
                "production",
                Optional.empty(),
                DeployState.REQUESTED,
                0,
                "alice",
                "ci",
                AT);
        var node = new ObjectMapper().readTree(DeployEventJson.toJson(first));

        assertThat(node.get("from").isNull()).isTrue();
        assertThat(DeployEventJson.fromJson(DeployEventJson.toJson(first))).isEqualTo(first);
    }

    @Test
    void anEventReadsBackAsItWasWrittenIgnoringFieldsItDoesNotKnow() {
        String json = DeployEventJson.toJson(promoting).replace("{", "{\"added_later\":true,");
        assertThat(DeployEventJson.fromJson(json)).isEqualTo(promoting);
    }

    @Test
    void anotherSchemaVersionIsRefused() {
        String json = DeployEventJson.toJson(promoting).replace("\"schema_version\":1", "\"schema_version\":2");
        assertThatThrownBy(() -> DeployEventJson.fromJson(json)).hasMessageContaining("schema_version 2");
    }

    @Test
    void aTerminalStateIsMarkedSo() {
        DeployEvent promoted = new DeployEvent(
                42,
                4,
                "payments",
                "1.4.2",
                "production",
                Optional.of(DeployState.PROMOTING),
                DeployState.PROMOTED,
                4,
                "engine",
                "done",
                AT);
        assertThat(DeployEventJson.toJson(promoted)).contains("\"to\":\"promoted\",\"terminal\":true");
    }

    @Test
    void theEventForAStoredTransitionTakesTheDeploysNamesAndTheTransitionsFacts() {
        Deploy deploy = new Deploy(
                42,
                7,
                "payments",
                "1.4.2",
                "production",
                DeployState.PROMOTING,
                2,
                OptionalDouble.of(12),
                Optional.of(false),
                false,
                AT,
                AT,
                5);
        Transition transition = new Transition(
                42, 3, DeployState.CANARY, DeployState.PROMOTING, "engine", "all metrics passed at 50%", AT);

        assertThat(DeployEvent.of(deploy, transition)).isEqualTo(promoting);
    }
}
