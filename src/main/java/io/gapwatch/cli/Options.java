package io.gapwatch.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The options of one sub-command: {@code --name value}, {@code --name=value} and bare {@code --flag}s.
 * Unknown names and malformed values are usage errors (exit 2).
 */
public final class Options {
    private final String command;
    private final Map<String, String> values;

    private Options(String command, Map<String, String> values) {
        this.command = command;
        this.values = values;
    }

    /**
     * @param valued the option names that take a value
     * @param flags  the option names that take none
     */
    public static Options parse(String command, String[] args, Set<String> valued, Set<String> flags) {
        Map<String, String> values = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (!arg.startsWith("--")) {
                throw new UsageException(command + ": unexpected argument '" + arg + "'");
            }
            String name = arg.substring(2);
            String value = null;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            }
            if (flags.contains(name)) {
                if (value != null) {
                    throw new UsageException(command + ": --" + name + " takes no value");
                }
                values.put(name, "true");
            } else if (valued.contains(name)) {
                if (value == null) {
                    if (i + 1 >= args.length) {
                        throw new UsageException(command + ": --" + name + " needs a value");
                    }
                    value = args[++i];
                }
                values.put(name, value);
            } else {
                throw new UsageException(command + ": unknown option --" + name);
            }
        }
        return new Options(command, values);
    }

    /** The sub-command these options belong to, for messages. */
    public String command() {
        return command;
    }

    public boolean has(String name) {
        return values.containsKey(name);
    }

    public String get(String name, String fallback) {
        return values.getOrDefault(name, fallback);
    }

    public int getInt(String name, int fallback, int min, int max) {
        String raw = values.get(name);
        if (raw == null) {
            return fallback;
        }
        try {
            int n = Integer.parseInt(raw);
            if (n < min || n > max) {
                throw new UsageException(command + ": --" + name + " must be between " + min + " and " + max + ", was " + n);
            }
            return n;
        } catch (NumberFormatException e) {
            throw new UsageException(command + ": --" + name + " needs a whole number, got '" + raw + "'");
        }
    }

    public double getDouble(String name, double fallback) {
        String raw = values.get(name);
        if (raw == null) {
            return fallback;
        }
        try {
            double d = Double.parseDouble(raw);
            if (!(d >= 0) || Double.isInfinite(d)) {
                throw new UsageException(command + ": --" + name + " must be a non-negative number, was " + raw);
            }
            return d;
        } catch (NumberFormatException e) {
            throw new UsageException(command + ": --" + name + " needs a number, got '" + raw + "'");
        }
    }
}
