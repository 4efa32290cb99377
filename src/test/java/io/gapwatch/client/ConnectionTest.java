package io.gapwatch.client;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Where the command line finds its server and token: options, then the environment, then a running demo. */
class ConnectionTest {
    @TempDir
    Path home;

    @Test
    void a_running_demo_is_found_with_its_token() throws Exception {
        Files.writeString(home.resolve("demo.url"), "http://127.0.0.1:18901\n");
        Files.writeString(home.resolve("demo.token"), "gw_a_demo\n");

        Connection c = Connection.resolve(null, null, Map.of(), home);

        assertThat(c.server().toString()).isEqualTo("http://127.0.0.1:18901");
        assertThat(c.token()).isEqualTo("gw_a_demo");
    }

    @Test
    void options_and_environment_come_first_and_the_demos_token_goes_to_the_demo_only() throws Exception {
        Files.writeString(home.resolve("demo.url"), "http://127.0.0.1:18901\n");
        Files.writeString(home.resolve("demo.token"), "gw_a_demo\n");

        Connection env = Connection.resolve(null, null,
                Map.of("GAPWATCH_SERVER", "https://gapwatch.example/", "GAPWATCH_TOKEN", "gw_o_ci"), home);
        Connection elsewhere = Connection.resolve("https://gapwatch.example", null, Map.of(), home);
        Connection option = Connection.resolve("http://127.0.0.1:18901", "gw_v_mine", Map.of("GAPWATCH_TOKEN", "gw_o_ci"), home);

        assertThat(env.server().toString()).isEqualTo("https://gapwatch.example");
        assertThat(env.token()).isEqualTo("gw_o_ci");
        assertThat(elsewhere.token()).as("the demo's admin token is never sent elsewhere").isNull();
        assertThat(option.token()).isEqualTo("gw_v_mine");
    }

    @Test
    void without_a_demo_the_default_is_the_local_server() {
        Connection c = Connection.resolve(null, null, Map.of(), home);

        assertThat(c.server().toString()).isEqualTo("http://127.0.0.1:8080");
        assertThat(c.token()).isNull();
        assertThatThrownBy(() -> Connection.resolve("ftp://x", null, Map.of(), home))
                .hasMessageContaining("is not a URL like http://127.0.0.1:8080");
    }
}
