package io.harbormaster.bot.slack;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.harbormaster.bot.http.BotMetrics;
import io.harbormaster.bot.slack.api.SlackWebApi;
import io.harbormaster.bot.slack.commands.DeployCommandParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SlackAppManifestTest {

    private static JsonNode manifest() throws Exception {
        // Tests run in bot/; the manifest sits at the repository root.
        var file = Path.of("..", "slack-app.yml");
        if (!Files.exists(file)) {
            file = Path.of("slack-app.yml");
        }
        return new ObjectMapper(new YAMLFactory()).readTree(file.toFile());
    }

    @Test
    void theManifestDeclaresExactlyTheCommandsTheBotAnswersAllPointingAtTheEventsRoute() throws Exception {
        var manifest = manifest();
        var declared = new HashSet<String>();
        for (var command : manifest.path("features").path("slash_commands")) {
            declared.add(command.path("command").asText());
            assertThat(command.path("url").asText()).endsWith("/slack/events");
            assertThat(command.path("description").asText()).isNotBlank().hasSizeLessThanOrEqualTo(100);
            assertThat(command.path("usage_hint").asText()).hasSizeLessThanOrEqualTo(100);
        }
        try (var frontEnd = new SlackFrontEnd(
                new SlackSettings("secret", "xoxb-unused", Optional.of("http://127.0.0.1:9/api/")),
                new FakeDeployDesk(),
                new SlackFixture.DenyingAuditDesk(),
                new DeployCommandParser(TestCatalog.catalog(), Set.of()),
                new BotMetrics(),
                Clock.systemUTC(),
                SlackWebApi.Settings.defaults())) {
            assertThat(declared).isEqualTo(frontEnd.commands());
            assertThat(frontEnd.actions()).isNotEmpty();
        }
        var interactivity = manifest.path("settings").path("interactivity");
        assertThat(interactivity.path("is_enabled").asBoolean()).isTrue();
        assertThat(interactivity.path("request_url").asText()).endsWith("/slack/events");
    }

    @Test
    void theManifestAsksForTheScopesTheBotUsesAndNoOthers() throws Exception {
        var scopes = new HashSet<String>();
        manifest().path("oauth_config").path("scopes").path("bot").forEach(s -> scopes.add(s.asText()));
        assertThat(scopes)
                .containsExactlyInAnyOrder(
                        "commands", "chat:write", "chat:write.public", "users:read", "users:read.email");
        // The stand-in the tests and the sandbox run against grants the token what the manifest asks for.
        assertThat(scopes).isEqualTo(io.harbormaster.bot.slack.standin.SlackStandIn.APP_SCOPES);
    }

    @Test
    void theManifestIsInstallableAsIs() throws Exception {
        var manifest = manifest();
        assertThat(manifest.path("display_information").path("name").asText()).isEqualTo("Harbormaster");
        assertThat(manifest.path("display_information")
                        .path("long_description")
                        .asText()
                        .length())
                .isBetween(175, 4000);
        assertThat(manifest.path("features")
                        .path("bot_user")
                        .path("display_name")
                        .asText())
                .isNotBlank();
        assertThat(manifest.path("settings").path("socket_mode_enabled").asBoolean())
                .isFalse();
    }
}
