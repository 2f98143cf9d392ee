package io.harbormaster.engine.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The parts of an image reference the pipeline reads: its tag, and its repository for another tag of it. */
class ImageNamesTest {

    @Test
    void theRepositoryIsTheReferenceWithoutItsTagAndDigestAndKeepsARegistryPort() {
        assertThat(DeployPipeline.repositoryOf("registry.example/shop/checkout:1.4.0"))
                .isEqualTo("registry.example/shop/checkout");
        // a tag and a digest both: the tag used to be left in ("checkout:1.4.0" + ":1.4.1")
        assertThat(DeployPipeline.repositoryOf("registry.example/shop/checkout:1.4.0@sha256:" + "ab".repeat(32)))
                .isEqualTo("registry.example/shop/checkout");
        assertThat(DeployPipeline.repositoryOf("registry.example/shop/checkout@sha256:" + "ab".repeat(32)))
                .isEqualTo("registry.example/shop/checkout");
        assertThat(DeployPipeline.repositoryOf("localhost:5000/checkout")).isEqualTo("localhost:5000/checkout");
        assertThat(DeployPipeline.repositoryOf("localhost:5000/checkout:2.0")).isEqualTo("localhost:5000/checkout");
    }

    @Test
    void theTagIsWhatFollowsTheLastColonOfTheNameNotARegistryPort() {
        assertThat(DeployPipeline.tagOf("registry.example/shop/checkout:1.4.0@sha256:" + "ab".repeat(32)))
                .contains("1.4.0");
        assertThat(DeployPipeline.tagOf("localhost:5000/checkout")).isEmpty();
    }
}
