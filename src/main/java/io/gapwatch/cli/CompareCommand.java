package io.gapwatch.cli;

import io.gapwatch.client.GapwatchClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import tools.jackson.databind.JsonNode;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "compare", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Compare kernel HEAD with kernel BASE, series by series (variant, gap, backend): regression, fixed,",
                "still-failing, new-pass, unchanged or insufficient-data, with the tests behind each.",
                "Exit code: 1 when any series regressed, else 0."})
final class CompareCommand implements Callable<Integer> {
    @ParentCommand
    ClientCli cli;
    @Mixin
    ClientCli.ConnectionOptions connection;

    @Parameters(index = "0", paramLabel = "BASE", description = "the baseline kernel")
    String base;
    @Parameters(index = "1", paramLabel = "HEAD", description = "the kernel under test")
    String head;
    @Option(names = "--variant", description = "only this variant")
    String variant;
    @Option(names = "--gap-ms", description = "only this gap")
    Integer gapMs;
    @Option(names = "--format", defaultValue = "text", description = "text or json (default ${DEFAULT-VALUE})")
    ClientCli.Format format;

    @Override
    public Integer call() {
        if (format.isReport()) {
            throw new IllegalArgumentException("--format " + format.id() + ": a comparison is text or json");
        }
        Map<String, Object> q = new LinkedHashMap<>();
        q.put("base", base);
        q.put("head", head);
        q.put("variant", variant);
        q.put("gapMs", gapMs);
        JsonNode compare = cli.client(connection).get("/api/v1/compare" + GapwatchClient.query(q));
        boolean regressed = false;
        for (JsonNode s : compare.path("series")) {
            regressed |= s.path("category").asString().equals("regression");
        }
        if (format == ClientCli.Format.JSON) {
            cli.out.println(compare);
            return regressed ? ClientCli.EXIT_FAIL : ClientCli.EXIT_PASS;
        }
        cli.out.println("compare " + base + " -> " + head
                + (compare.path("simulated").asBoolean() ? " (sim backend: a model, not a kernel result)" : ""));
        Table t = new Table("VARIANT", "GAP", "BACKEND", "CATEGORY", "BASE n", "HEAD n", "BASE PASS", "HEAD PASS",
                "BASE median ERROR ms", "HEAD median ERROR ms", "REASON");
        for (JsonNode s : compare.path("series")) {
            JsonNode b = s.path("base");
            JsonNode h = s.path("head");
            t.row(s.path("variant").asString(), s.path("gapMs").asInt() + " ms", s.path("backend").asString(),
                    s.path("category").asString(), b.path("n").asInt(), h.path("n").asInt(), rate(b.path("passRate")),
                    rate(h.path("passRate")), ms(b.path("medianErrorNs")), ms(h.path("medianErrorNs")),
                    RunText.text(s.path("reason")));
        }
        t.print(cli.out);
        StringBuilder summary = new StringBuilder();
        compare.path("summary").properties().forEach(e -> summary.append(summary.isEmpty() ? "" : ", ")
                .append(e.getValue().asLong()).append(' ').append(e.getKey()));
        cli.out.println(summary.isEmpty() ? "no series in common" : summary.toString());
        return regressed ? ClientCli.EXIT_FAIL : ClientCli.EXIT_PASS;
    }

    private static String rate(JsonNode r) {
        return r.isNumber() ? String.format(Locale.ROOT, "%.0f%%", r.asDouble() * 100) : "-";
    }

    private static String ms(JsonNode ns) {
        return ns.isNumber() ? String.format(Locale.ROOT, "%.3f", ns.asDouble() / 1e6) : "-";
    }
}
