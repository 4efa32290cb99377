package io.gapwatch.probe;

import java.util.List;

/**
 * A {@link ProbeReport} as JSON, written by hand: what {@code gapwatch probe --format json} prints, and so what
 * the kernel lab's guest sends the host. Inside a TCG guest every class the JVM loads costs (measured: Jackson's
 * databind writing one report took about 2.7 s of a run); this writer loads no class beyond these records.
 * The text is the one {@code Json.MAPPER} (Jackson, indented) writes for the same report, field for field,
 * and every reader parses it with Jackson ({@code ReportJsonTest} holds the two together).
 */
public final class ReportJson {
    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private final StringBuilder out = new StringBuilder(2048);

    private ReportJson() {
    }

    /** The report, indented as Jackson's default pretty printer does, without a final newline. */
    public static String write(ProbeReport report) {
        ReportJson json = new ReportJson();
        json.report(report);
        return json.out.toString();
    }

    private void report(ProbeReport r) {
        out.append('{');
        field(1, "variant", true).string(r.variant() == null ? null : r.variant().id());
        field(1, "gapMs", false).append(r.gapMs());
        field(1, "iterations", false).append(r.iterations());
        field(1, "strict", false).append(r.strict());
        field(1, "target", false);
        target(r.target());
        field(1, "clockPath", false).string(r.clockPath() == null ? null : r.clockPath().id());
        field(1, "verdict", false).string(r.verdict() == null ? null : r.verdict().name());
        field(1, "expectedVerdict", false).string(r.expectedVerdict() == null ? null : r.expectedVerdict().name());
        field(1, "asExpected", false).append(r.asExpected());
        field(1, "skipReason", false).string(r.skipReason());
        field(1, "error", false).string(r.error());
        field(1, "measurements", false);
        measurements(r.measurements());
        field(1, "errorKind", false).string(r.errorKind() == null ? null : r.errorKind().name());
        field(1, "build", false);
        build(r.build());
        out.append("\n}");
    }

    private void build(ProbeReport.Build b) {
        if (b == null) {
            out.append("null");
            return;
        }
        out.append('{');
        field(2, "release", true).string(b.release());
        field(2, "seconds", false);
        if (Double.isFinite(b.seconds())) {
            out.append(b.seconds()); // Double.toString, as Jackson writes a double
        } else {
            string(Double.toString(b.seconds())); // "NaN", "Infinity": Jackson's quoted non-numbers
        }
        field(2, "reused", false).append(b.reused());
        field(2, "logPath", false).string(b.logPath());
        out.append("\n  }");
    }

    private void target(TargetInfo t) {
        if (t == null) {
            out.append("null");
            return;
        }
        out.append('{');
        field(2, "backend", true).string(t.backend());
        field(2, "kernelRelease", false).string(t.kernelRelease());
        field(2, "cpuModel", false).string(t.cpuModel());
        field(2, "accelerator", false).string(t.accelerator());
        out.append("\n  }");
    }

    private void measurements(List<Measurement> measurements) {
        if (measurements == null) {
            out.append("null");
            return;
        }
        if (measurements.isEmpty()) {
            out.append("[ ]");
            return;
        }
        out.append("[ ");
        for (int i = 0; i < measurements.size(); i++) {
            if (i > 0) {
                out.append(", ");
            }
            measurement(measurements.get(i));
        }
        out.append(" ]");
    }

    private void measurement(Measurement m) {
        out.append('{');
        field(2, "iteration", true).append(m.iteration());
        field(2, "savedRunnableNs", false).append(m.savedRunnableNs());
        field(2, "restoredRunnableNs", false).append(m.restoredRunnableNs());
        field(2, "stealDeltaNs", false).append(m.stealDeltaNs());
        field(2, "guestAreaRunnableNs", false).append(m.guestAreaRunnableNs());
        field(2, "gapLowNs", false).append(m.gapLowNs());
        field(2, "gapHighNs", false).append(m.gapHighNs());
        field(2, "hostRunDelayNs", false).append(m.hostRunDelayNs());
        field(2, "errorNs", false).append(m.errorNs());
        field(2, "withinBracket", false).append(m.withinBracket());
        field(2, "pass", false).append(m.pass());
        field(2, "createNs", false).append(m.createNs());
        field(2, "saveNs", false).append(m.saveNs());
        field(2, "restoreNs", false).append(m.restoreNs());
        field(2, "runNs", false).append(m.runNs());
        field(2, "guestAreaAgrees", false).append(m.guestAreaAgrees());
        out.append("\n  }");
    }

    /** Starts a member on a new line at {@code depth}; returns the buffer for its value. */
    private ReportJson field(int depth, String name, boolean first) {
        out.append(first ? "\n" : ",\n").append("  ".repeat(depth)).append('"').append(name).append("\" : ");
        return this;
    }

    private ReportJson append(Object scalar) {
        out.append(scalar); // a number, a boolean or null: their JSON is their Java text
        return this;
    }

    /** A JSON string as Jackson escapes it: quote, backslash and control characters; the rest as is (UTF-8 out). */
    private void string(String s) {
        if (s == null) {
            out.append("null");
            return;
        }
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    if (c < 0x20) {
                        out.append("\\u00").append(HEX[c >> 4]).append(HEX[c & 0xF]);
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
