package io.gapwatch.server.auth;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

import java.io.PrintStream;

/** Makes sure an admin can get in on a new database, and says how once. */
@Component
class Bootstrap {
    private final TokenService tokens;
    private final String adminToken;

    Bootstrap(TokenService tokens, @Value("${gapwatch.security.admin-token:${GAPWATCH_ADMIN_TOKEN:}}") String adminToken) {
        this.tokens = tokens;
        this.adminToken = adminToken;
    }

    @EventListener(ApplicationReadyEvent.class)
    void ensureAdmin() {
        tokens.bootstrap(adminToken).ifPresent(token -> {
            PrintStream out = System.out;
            out.println("gapwatch: bootstrap admin token (shown once, keep it): " + token);
            out.println("gapwatch: create others with: gapwatch token create --role operator --token <admin token>");
            out.flush();
        });
    }
}
