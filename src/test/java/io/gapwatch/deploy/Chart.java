package io.gapwatch.deploy;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

import java.io.IOException;
import java.nio.file.FileVisitOption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The Helm chart under test, driven through Helm 3 itself (helm-java's native library): values are given as
 * YAML overlays on the chart's own values.yaml, exactly as {@code helm template -f overlay.yaml} would.
 */
final class Chart {
    static final Path DIR = Path.of("helm", "gapwatch");
    static final YAMLMapper YAML = YAMLMapper.builder().build();

    /** The smallest values an install needs: an external PostgreSQL and the Secret with its credentials. */
    static final String DATABASE = """
            database:
              url: jdbc:postgresql://postgres.db:5432/gapwatch
              existingSecret: gapwatch-db
            """;

    private Chart() {
    }

    /** {@code helm template} with the given overlays, parsed into one document per manifest. */
    static List<JsonNode> template(Path workDir, String... overlays) throws IOException {
        var command = new Helm(DIR).template().withName("gw").withNamespace("gapwatch").withKubeVersion("1.31.0");
        for (int i = 0; i < overlays.length; i++) {
            Path file = workDir.resolve("values-" + i + ".yaml");
            Files.writeString(file, overlays[i]);
            command = command.withValuesFile(file);
        }
        return documents(command.call());
    }

    /**
     * {@code helm lint --strict} on a copy of the chart whose values.yaml carries the overlays (lint takes no
     * values files here); the copy follows the symlinks to config/, as {@code helm package} does.
     */
    static LintResult lint(Path workDir, String... overlays) throws IOException {
        Path copy = workDir.resolve("chart-" + System.nanoTime()).resolve("gapwatch");
        try (var files = Files.walk(DIR, FileVisitOption.FOLLOW_LINKS)) {
            for (Path source : files.toList()) {
                Path target = copy.resolve(DIR.relativize(source).toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(source, target);
                }
            }
        }
        ObjectNode values = (ObjectNode) YAML.readTree(DIR.resolve("values.yaml").toFile());
        for (String overlay : overlays) {
            merge(values, (ObjectNode) YAML.readTree(overlay));
        }
        YAML.writeValue(copy.resolve("values.yaml").toFile(), values);
        return new Helm(copy).lint().strict().call();
    }

    static List<JsonNode> documents(String yaml) {
        List<JsonNode> docs = new ArrayList<>();
        try (var it = YAML.readerFor(JsonNode.class).<JsonNode>readValues(yaml)) {
            while (it.hasNext()) {
                JsonNode doc = it.next();
                if (doc != null && !doc.isNull() && !doc.isMissingNode() && doc.size() > 0) {
                    docs.add(doc);
                }
            }
        }
        return docs;
    }

    private static void merge(ObjectNode into, ObjectNode overlay) {
        for (Iterator<Map.Entry<String, JsonNode>> it = overlay.properties().iterator(); it.hasNext(); ) {
            var e = it.next();
            if (e.getValue().isObject() && into.get(e.getKey()) instanceof ObjectNode existing) {
                merge(existing, (ObjectNode) e.getValue());
            } else {
                into.set(e.getKey(), e.getValue());
            }
        }
    }
}
