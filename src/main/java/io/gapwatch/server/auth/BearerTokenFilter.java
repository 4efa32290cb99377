package io.gapwatch.server.auth;

import io.gapwatch.cli.Json;
import io.gapwatch.server.agents.AgentRepository;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.dao.DataAccessException;
import org.springframework.transaction.TransactionException;
import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.filter.OncePerRequestFilter;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Resolves "Authorization: Bearer <secret>" to a {@link Caller}. Authorities: ROLE_VIEWER / ROLE_OPERATOR /
 * ROLE_ADMIN (each including the ones before it), ROLE_ENROLLMENT, ROLE_AGENT. An unknown secret leaves the
 * request anonymous, and the authorization rules answer 401.
 */
final class BearerTokenFilter extends OncePerRequestFilter {
    private final TokenService tokens;

    BearerTokenFilter(TokenService tokens) {
        this.tokens = tokens;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String header = request.getHeader("Authorization");
        if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7) && header.length() > 7
                && header.length() < 512) {
            try {
                String secret = header.substring(7).trim();
                var caller = tokens.authenticate(secret);
                if (caller.isPresent()) {
                    SecurityContextHolder.getContext().setAuthentication(new CallerAuthentication(caller.get()));
                } else {
                    var revoked = tokens.revokedAgent(secret);
                    if (revoked.isPresent()) {
                        revokedAgent(response, revoked.get(), request.getRequestURI());
                        return;
                    }
                }
            } catch (DataAccessException | TransactionException e) {
                // tokens live in the database: without it nobody can be identified, so come back later (a lookup's
                // transaction that cannot begin is a TransactionException, not a DataAccessException)
                response.setStatus(503);
                response.setHeader("Retry-After", "5");
                response.setContentType("application/problem+json");
                response.getWriter().write("{\"title\":\"Database unavailable\",\"status\":503,"
                        + "\"detail\":\"the database cannot be reached; retry later\"}");
                return;
            }
        }
        chain.doFilter(request, response);
    }

    /** Problem type of the 401 a revoked agent gets: the agent stops on it instead of enrolling again. */
    static final String AGENT_REVOKED = "urn:gapwatch:problem:agent-revoked";

    private static void revokedAgent(HttpServletResponse response, AgentRepository.AgentRow agent, String instance)
            throws IOException {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", AGENT_REVOKED);
        body.put("title", "Agent revoked");
        body.put("status", 401);
        body.put("detail", "agent " + agent.name() + " (id " + agent.id() + ") was revoked at " + agent.revokedAt()
                + " and stays revoked until an admin deletes it (DELETE /api/v1/agents/" + agent.id()
                + "), after which it may enroll again");
        body.put("instance", instance);
        response.setStatus(401);
        response.setHeader("WWW-Authenticate", "Bearer error=\"invalid_token\"");
        response.setContentType("application/problem+json");
        response.getWriter().write(Json.MAPPER.writeValueAsString(body));
    }

    static final class CallerAuthentication extends AbstractAuthenticationToken {
        private final Caller caller;

        CallerAuthentication(Caller caller) {
            super(authorities(caller));
            this.caller = caller;
            setAuthenticated(true);
        }

        private static List<SimpleGrantedAuthority> authorities(Caller caller) {
            if (caller instanceof Caller.TokenHolder t) {
                return switch (t.role()) {
                    case VIEWER -> roles("VIEWER");
                    case OPERATOR -> roles("VIEWER", "OPERATOR");
                    case ADMIN -> roles("VIEWER", "OPERATOR", "ADMIN");
                    case ENROLLMENT -> roles("ENROLLMENT");
                };
            }
            return roles("AGENT");
        }

        private static List<SimpleGrantedAuthority> roles(String... names) {
            return java.util.Arrays.stream(names).map(n -> new SimpleGrantedAuthority("ROLE_" + n)).toList();
        }

        @Override
        public Object getCredentials() {
            return "";
        }

        @Override
        public Object getPrincipal() {
            return caller;
        }
    }
}
