package io.gapwatch.server.web;

import java.util.Arrays;
import java.util.Locale;

/** The query parameters every list endpoint shares, checked the same way: 400 naming the field, never a 500. */
public final class ListParams {
    private ListParams() {
    }

    /** {@code page} counts from 0; {@code size} is 1 to {@code maxSize}. */
    public static void requirePage(int page, int size, int maxSize) {
        if (page < 0) {
            throw new InvalidRequestException("page", "must be 0 or more, was " + page);
        }
        if (size < 1 || size > maxSize) {
            throw new InvalidRequestException("size", "must be between 1 and " + maxSize + ", was " + size);
        }
    }

    /** A state (or verdict) named in any case; null when the parameter is absent. */
    public static <E extends Enum<E>> E oneOf(String field, String value, Class<E> type) {
        if (value == null) {
            return null;
        }
        try {
            return Enum.valueOf(type, value.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new InvalidRequestException(field, "'" + value + "' is not one of " + Arrays.toString(type.getEnumConstants()));
        }
    }
}
