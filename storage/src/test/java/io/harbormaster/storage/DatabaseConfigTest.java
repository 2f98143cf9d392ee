package io.harbormaster.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The pool size from the environment: two connections at least, since an approval needs two at once. */
class DatabaseConfigTest {
    @Test
    void aPoolOfOneConnectionIsRefusedWithWhatItWouldBreak() {
        assertThatThrownBy(() -> DatabaseConfig.fromEnvironment(Map.of("HARBORMASTER_DB_POOL_SIZE", "1"), null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("HARBORMASTER_DB_POOL_SIZE")
                .hasMessageContaining("at least 2, got 1")
                .hasMessageContaining("audit entry");
    }

    @Test
    void twoConnectionsAndTheDefaultAreTaken() {
        assertThat(DatabaseConfig.fromEnvironment(Map.of("HARBORMASTER_DB_POOL_SIZE", "2"), null)
                        .maxPoolSize())
                .isEqualTo(2);
        assertThat(DatabaseConfig.fromEnvironment(Map.of(), null).maxPoolSize()).isEqualTo(10);
    }
}
