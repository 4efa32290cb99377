package io.gapwatch.server.auth;

import io.gapwatch.cli.GapwatchHome;
import io.gapwatch.cli.SecretFile;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

import java.io.PrintStream;
import java.nio.file.Path;

/**
 * Makes sure an admin can get in on a new database: the token it makes is written to a file only its owner
 * reads ($GAPWATCH_HOME/admin.token, mode 0600), never into the log, which says where it is.
 */
@Component
class Bootstrap {
    private final TokenService tokens;
    private final String adminToken;
    private final String enrollmentToken;
    private final Path tokenFile;

    Bootstrap(TokenService tokens, @Value("${gapwatch.security.admin-token:${GAPWATCH_ADMIN_TOKEN:}}") String adminToken,
              @Value("${gapwatch.security.enrollment-token:${GAPWATCH_ENROLLMENT_TOKEN:}}") String enrollmentToken,
              @Value("${gapwatch.security.admin-token-file:}") String tokenFile) {
        this.tokens = tokens;
        this.adminToken = adminToken;
        this.enrollmentToken = enrollmentToken;
        this.tokenFile = tokenFile.isBlank() ? GapwatchHome.path().resolve("admin.token") : Path.of(tokenFile);
    }

    @EventListener(ApplicationReadyEvent.class)
    void ensureAdmin() {
        tokens.bootstrap(adminToken, enrollmentToken).ifPresent(token -> {
            SecretFile.write(tokenFile, token);
            PrintStream out = System.out;
            out.println("gapwatch: bootstrap admin token written to " + tokenFile + " (mode 0600; it is shown nowhere else)");
            out.println("gapwatch: use it with: export GAPWATCH_TOKEN=$(cat " + tokenFile + "); gapwatch token create --role operator");
            out.flush();
        });
    }
}
