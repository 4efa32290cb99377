package io.gapwatch.server.auth;

import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Locale;

/**
 * What a token may do. viewer reads; operator also creates and cancels runs; admin also manages tokens
 * and agents. An enrollment token only registers new agents, which then hold their own secret.
 */
public enum Role {
    VIEWER, OPERATOR, ADMIN, ENROLLMENT;

    @JsonValue
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Role fromId(String id) {
        for (Role r : values()) {
            if (r.id().equals(id)) {
                return r;
            }
        }
        throw new IllegalArgumentException("unknown role '" + id + "'; expected viewer, operator, admin or enrollment");
    }
}
