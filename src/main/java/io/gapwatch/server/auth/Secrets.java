package io.gapwatch.server.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/**
 * Bearer secrets: 256 random bits, stored only as SHA-256 (a fast hash is enough for secrets this long:
 * there is nothing to brute-force).
 */
public final class Secrets {
    private static final SecureRandom RANDOM = new SecureRandom();

    private static final String AGENT_PREFIX = "gwa_";

    private Secrets() {
    }

    public static String agentSecret() {
        return generate(AGENT_PREFIX);
    }

    /** Agent secrets and API tokens have distinct prefixes, so a caller is looked up in one table only. */
    static boolean isAgentSecret(String secret) {
        return secret.startsWith(AGENT_PREFIX);
    }

    public static String generate(String prefix) {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return prefix + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    public static String hash(String secret) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
