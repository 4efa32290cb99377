package io.gapwatch.cli;

import tools.jackson.databind.JsonNode;

import java.io.PrintStream;
import java.util.Locale;

/** A run as the API shows it, for people: table rows, one run in detail, and its kselftest exit code. */
final class RunText {
    private RunText() {
    }

    static Table table() {
        return new Table("RUN", "STATE", "VERDICT", "EXPECTED", "VARIANT", "GAP", "ITER", "KERNEL", "BACKEND", "AGENT", "CREATED");
    }

    static void row(Table t, JsonNode r) {
        JsonNode target = r.path("target");
        t.row(r.path("id").asLong(), r.path("state").asString(), verdict(r), text(r.path("expectedVerdict")),
                r.path("variant").asString(), r.path("gapMs").asInt() + " ms", r.path("iterations").asInt(),
                text(target.path("kernelRelease")),
                text(target.path("backend")) + (target.path("simulated").asBoolean() ? " (simulated)" : ""),
                text(target.path("agent")), text(r.path("createdAt")));
    }

    /** PASS, FAIL, ... with "!" when it is not the result the variant expects. */
    static String verdict(JsonNode r) {
        if (r.path("verdict").isNull() || r.path("verdict").isMissingNode()) {
            return "-";
        }
        return r.path("verdict").asString() + (r.path("asExpected").isBoolean() && !r.path("asExpected").asBoolean() ? " (unexpected)" : "");
    }

    static void details(JsonNode r, PrintStream out) {
        JsonNode target = r.path("target");
        out.printf("run %d: %s %s at a %d ms gap, %d iterations%s%n", r.path("id").asLong(), r.path("state").asString(),
                r.path("variant").asString(), r.path("gapMs").asInt(), r.path("iterations").asInt(),
                r.path("strict").asBoolean() ? ", strict" : "");
        out.printf("  target    %s on %s, agent %s%s%s%n", text(target.path("kernelRelease")), text(target.path("backend")),
                text(target.path("agent")), target.path("accelerator").isString() ? ", accelerator " + target.path("accelerator").asString() : "",
                target.path("simulated").asBoolean() ? " (sim backend: a model, not a kernel result)" : "");
        out.printf("  verdict   %s (expected %s%s)%n", text(r.path("verdict")), text(r.path("expectedVerdict")),
                r.path("asExpected").isBoolean() ? r.path("asExpected").asBoolean() ? ", as expected" : ", NOT as expected" : "");
        if (r.path("clockPath").isString()) {
            out.println("  clock     " + r.path("clockPath").asString());
        }
        if (r.path("skipReason").isString()) {
            out.println("  skipped   " + r.path("skipReason").asString());
        }
        if (r.path("error").isString()) {
            // an ERROR's cause, or why a FAIL ended early (the kernel refused to restore an iteration)
            String label = "ERROR".equals(r.path("verdict").asString()) ? "  error     " : "  reason    ";
            out.println(label + r.path("error").asString().replace("\n", "\n            "));
        }
        out.printf("  times     created %s, started %s, finished %s; attempts %d of %d%n", text(r.path("createdAt")),
                text(r.path("startedAt")), text(r.path("finishedAt")), r.path("attempts").asInt(), r.path("maxAttempts").asInt());
        JsonNode ms = r.path("measurements");
        if (ms.isArray() && !ms.isEmpty()) {
            Table t = new Table("ITER", "STEAL ms", "BRACKET ms", "HOST DELAY ms", "ERROR ms", "IN BRACKET", "PASS");
            for (JsonNode m : ms) {
                t.row(m.path("iteration").asInt(), ms(m.path("stealDeltaNs")),
                        "[" + ms(m.path("gapLowNs")) + ", " + ms(m.path("gapHighNs")) + "]",
                        m.path("hostRunDelayNs").isNumber() ? ms(m.path("hostRunDelayNs")) : "unavailable",
                        ms(m.path("errorNs")), m.path("withinBracket").asBoolean() ? "yes" : "NO",
                        m.path("pass").asBoolean() ? "yes" : "NO");
            }
            out.println();
            t.print(out);
        }
    }

    /** kselftest's codes: 0 when the verdict is the one the variant expects, 4 skip, 1 otherwise. */
    static int exitCode(JsonNode r) {
        String verdict = r.path("verdict").isString() ? r.path("verdict").asString() : "";
        return switch (verdict) {
            case "SKIP" -> ClientCli.EXIT_SKIP;
            case "PASS", "FAIL" -> r.path("asExpected").asBoolean() ? ClientCli.EXIT_PASS : ClientCli.EXIT_FAIL;
            default -> ClientCli.EXIT_FAIL; // ERROR, or cancelled without a verdict
        };
    }

    static boolean finished(JsonNode r) {
        String state = r.path("state").asString();
        return state.equals("COMPLETED") || state.equals("CANCELLED");
    }

    static String text(JsonNode n) {
        return n.isMissingNode() || n.isNull() ? "-" : n.asString();
    }

    static String ms(JsonNode ns) {
        return String.format(Locale.ROOT, "%.3f", ns.asLong() / 1e6);
    }
}
