package io.gapwatch.server.auth;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** The bootstrap admin token of a new database goes to a file only its owner reads; the log says which, not what. */
class BootstrapTest {
    private static final String TOKEN = "gw_a_bootstrap-token-of-this-test";

    @Test
    void the_bootstrap_admin_token_is_written_to_a_0600_file_and_the_log_names_the_file_not_the_token(@TempDir Path home)
            throws Exception {
        Path file = home.resolve("admin.token");
        TokenService newDatabase = new TokenService(null, null, null) {
            @Override
            public Optional<String> bootstrap(String configuredAdminToken, String configuredEnrollmentToken) {
                return Optional.of(TOKEN);
            }
        };

        String printed = printedBy(() -> new Bootstrap(newDatabase, "", "", file.toString()).ensureAdmin());

        assertThat(Files.readString(file).trim()).isEqualTo(TOKEN);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(printed).contains("bootstrap admin token written to " + file).doesNotContain(TOKEN);
    }

    private static String printedBy(Runnable action) {
        PrintStream original = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            action.run();
        } finally {
            System.setOut(original);
        }
        return captured.toString(StandardCharsets.UTF_8);
    }
}
