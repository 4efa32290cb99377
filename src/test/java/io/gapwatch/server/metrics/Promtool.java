package io.gapwatch.server.metrics;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Prometheus's own checker (Debian package prometheus; .ci/run installs it). */
final class Promtool {
    private Promtool() {
    }

    record Result(int exitCode, String output) {
    }

    static Path binary() {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
            Path p = Path.of(dir, "promtool");
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        throw new IllegalStateException("promtool is not installed: apt-get install prometheus (CI's .ci/run does)");
    }

    static Result run(Path workingDir, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(binary().toString()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).directory(workingDir.toFile()).redirectErrorStream(true).start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("promtool " + String.join(" ", args) + " did not finish in 120 s");
        }
        return new Result(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    /** A rules file with one recording rule per expression, so promtool parses each of them. */
    static Path recordingRules(Path dir, List<GrafanaConfig.Query> queries) throws IOException {
        StringBuilder yaml = new StringBuilder("groups:\n  - name: dashboard-expressions\n    rules:\n");
        for (int i = 0; i < queries.size(); i++) {
            yaml.append("      # ").append(queries.get(i).where().replace('\n', ' ')).append('\n')
                    .append("      - record: gapwatch_dashboard_expression_").append(i).append('\n')
                    .append("        expr: '").append(queries.get(i).text().replace("'", "''")).append("'\n");
        }
        Path file = dir.resolve("dashboard-expressions.yml");
        Files.writeString(file, yaml);
        return file;
    }
}
