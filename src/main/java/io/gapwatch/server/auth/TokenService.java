package io.gapwatch.server.auth;

import io.gapwatch.server.ServerClock;
import io.gapwatch.server.agents.AgentRepository;
import io.gapwatch.server.web.FieldProblem;
import io.gapwatch.server.web.InvalidRequestException;
import io.gapwatch.server.web.NotFoundException;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** API tokens: created (the secret shown once), listed, revoked; and who a bearer secret belongs to. */
@Service
public class TokenService {
    private static final int MAX_NAME = 100;

    private final TokenRepository tokens;
    private final AgentRepository agents;
    private final ServerClock clock;

    public TokenService(TokenRepository tokens, AgentRepository agents, ServerClock clock) {
        this.tokens = tokens;
        this.agents = agents;
        this.clock = clock;
    }

    /** A new token; {@code token} is the secret, which is not stored and cannot be shown again. */
    public record CreatedToken(long id, String name, Role role, String token) {
    }

    public record CreateTokenRequest(String role, String name) {
    }

    @Transactional
    public CreatedToken create(CreateTokenRequest request) {
        List<FieldProblem> problems = new ArrayList<>();
        Role role = null;
        try {
            role = request.role() == null ? null : Role.fromId(request.role());
        } catch (IllegalArgumentException e) {
            problems.add(new FieldProblem("role", e.getMessage()));
        }
        if (request.role() == null) {
            problems.add(new FieldProblem("role", "is required: viewer, operator, admin or enrollment"));
        }
        String name = request.name() == null ? "unnamed" : request.name();
        if (name.isBlank() || name.length() > MAX_NAME) {
            problems.add(new FieldProblem("name", "must be 1.." + MAX_NAME + " characters"));
        }
        if (!problems.isEmpty()) {
            throw new InvalidRequestException(problems);
        }
        return issue(name, role);
    }

    CreatedToken issue(String name, Role role) {
        String secret = Secrets.generate("gw_" + role.id().charAt(0) + "_");
        TokenRepository.TokenRow row = tokens.insert(name, role, Secrets.hash(secret), clock.now());
        return new CreatedToken(row.id(), row.name(), row.role(), secret);
    }

    public List<TokenRepository.TokenRow> all() {
        return tokens.all();
    }

    @Transactional
    public TokenRepository.TokenRow revoke(long id) {
        if (!tokens.revoke(id, clock.now())) {
            throw new NotFoundException("token " + id + " does not exist");
        }
        return tokens.find(id).orElseThrow();
    }

    /** Who holds this bearer secret: a live token, or a live agent secret (one query either way). */
    public Optional<Caller> authenticate(String secret) {
        String hash = Secrets.hash(secret);
        if (Secrets.isAgentSecret(secret)) {
            return agents.findActiveBySecretHash(hash).map(a -> new Caller.AgentCaller(a.id(), a.name()));
        }
        Optional<TokenRepository.TokenRow> token = tokens.findActiveByHash(hash);
        if (token.isPresent()) {
            TokenRepository.TokenRow t = token.get();
            return Optional.of(new Caller.TokenHolder(t.id(), t.name(), t.role()));
        }
        return Optional.empty();
    }

    /** The revoked agent this secret belonged to, if any: it is told why it is refused, and stops. */
    public Optional<AgentRepository.AgentRow> revokedAgent(String secret) {
        return agents.findRevokedBySecretHash(Secrets.hash(secret));
    }

    /**
     * The first start of a server on a database: the admin token given in GAPWATCH_ADMIN_TOKEN is recorded,
     * or, when there is none and no admin token exists yet, one is made and returned to be printed once.
     * An enrollment token given in GAPWATCH_ENROLLMENT_TOKEN is recorded too, so a deployment can hand the
     * same secret to its agents (the Helm chart keeps both in Secrets).
     */
    @Transactional
    public Optional<String> bootstrap(String configuredAdminToken, String configuredEnrollmentToken) {
        tokens.lockBootstrap();
        recordConfigured(configuredEnrollmentToken, Role.ENROLLMENT, "bootstrap (GAPWATCH_ENROLLMENT_TOKEN)");
        if (recordConfigured(configuredAdminToken, Role.ADMIN, "bootstrap (GAPWATCH_ADMIN_TOKEN)")
                || tokens.anyActiveAdmin()) {
            return Optional.empty();
        }
        return Optional.of(issue("bootstrap", Role.ADMIN).token());
    }

    /** Records a configured secret once (a restart finds it there); false when none is configured. */
    private boolean recordConfigured(String secret, Role role, String name) {
        if (secret == null || secret.isBlank()) {
            return false;
        }
        String hash = Secrets.hash(secret);
        if (!tokens.existsByHash(hash)) {
            tokens.insert(name, role, hash, clock.now());
        }
        return true;
    }
}
