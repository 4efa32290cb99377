package io.gapwatch.server.metrics;

import io.gapwatch.cli.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;
import tools.jackson.databind.JsonNode;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The dashboards and alert rules as files: valid dashboard JSON for Grafana, every PromQL expression accepted
 * by promtool, and the alerts' behaviour under promtool's rule unit tests. No server needed.
 */
class DashboardStructureTest {
    private static final Set<String> UIDS = Set.of(GrafanaConfig.PROMETHEUS_UID, GrafanaConfig.POSTGRES_UID);
    private static final Pattern VARIABLE = Pattern.compile("\\$\\{?(\\w+)");

    @TempDir
    Path tmp;

    @Test
    void the_dashboards_are_the_three_the_product_promises_each_in_its_own_file() {
        assertThat(GrafanaConfig.dashboards()).extracting(p -> p.getFileName().toString())
                .containsExactlyInAnyOrder("steal-accuracy.json", "kernel-sweep.json", "fleet.json");
        Set<String> uids = new HashSet<>();
        for (Path file : GrafanaConfig.dashboards()) {
            JsonNode d = GrafanaConfig.read(file);
            assertThat(uids.add(d.path("uid").asString())).as("dashboard uid unique: " + file).isTrue();
            assertThat(d.path("title").asString()).as(file + " title").startsWith("gapwatch: ");
        }
    }

    @Test
    void every_panel_has_a_unique_id_a_place_inside_24_columns_and_one_of_the_two_provisioned_datasources() {
        for (Path file : GrafanaConfig.dashboards()) {
            List<String> problems = structureProblems(GrafanaConfig.read(file));
            assertThat(problems).as(file.toString()).isEmpty();
        }
    }

    @Test
    void a_dashboard_with_a_duplicate_id_an_overflowing_panel_or_a_foreign_datasource_is_caught() throws Exception {
        String broken = Files.readString(GrafanaConfig.DASHBOARDS.resolve("fleet.json"))
                .replaceFirst("\"id\": 2,", "\"id\": 1,")
                .replaceFirst("\"x\": 16,", "\"x\": 20,")
                .replaceFirst("\"uid\": \"gapwatch-postgres\"", "\"uid\": \"some-other-postgres\"");

        List<String> problems = structureProblems(Json.MAPPER.readTree(broken));

        assertThat(problems).anyMatch(p -> p.contains("id 1 used twice"))
                .anyMatch(p -> p.contains("beyond 24 columns"))
                .anyMatch(p -> p.contains("some-other-postgres"));
    }

    @Test
    void steal_accuracy_and_kernel_sweep_offer_kernel_variant_gap_and_backend_and_every_variable_used_is_defined() {
        for (String name : List.of("steal-accuracy.json", "kernel-sweep.json")) {
            assertThat(GrafanaConfig.variables(GrafanaConfig.read(GrafanaConfig.DASHBOARDS.resolve(name))).keySet())
                    .as(name).contains("kernel", "variant", "gap", "backend");
        }
        for (Path file : GrafanaConfig.dashboards()) {
            Set<String> defined = GrafanaConfig.variables(GrafanaConfig.read(file)).keySet();
            List<GrafanaConfig.Query> queries = new ArrayList<>(GrafanaConfig.promql(file));
            queries.addAll(GrafanaConfig.sql(file));
            for (GrafanaConfig.Query q : queries) {
                Matcher m = VARIABLE.matcher(q.text());
                while (m.find()) {
                    String name = m.group(1);
                    assertThat(name.startsWith("__") || defined.contains(name))
                            .as(q.where() + " uses $" + name + ", which the dashboard does not define").isTrue();
                }
            }
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void provisioning_declares_exactly_the_two_datasources_the_panels_name_and_loads_the_dashboards() throws Exception {
        Map<String, Object> doc = new Yaml().load(Files.readString(Path.of("config/grafana/provisioning/datasources/gapwatch.yaml")));
        Map<String, String> typeByUid = new HashMap<>();
        for (Map<String, Object> ds : (List<Map<String, Object>>) doc.get("datasources")) {
            typeByUid.put((String) ds.get("uid"), (String) ds.get("type"));
        }
        assertThat(typeByUid).containsExactlyInAnyOrderEntriesOf(Map.of(
                GrafanaConfig.PROMETHEUS_UID, "prometheus", GrafanaConfig.POSTGRES_UID, "postgres"));
        Map<String, Object> providers = new Yaml().load(Files.readString(Path.of("config/grafana/provisioning/dashboards/gapwatch.yaml")));
        assertThat(((List<Map<String, Object>>) providers.get("providers")).get(0).get("type")).isEqualTo("file");
    }

    @Test
    void promtool_accepts_every_dashboard_expression_with_the_grafana_variables_substituted() throws Exception {
        List<GrafanaConfig.Query> expressions = substitutedDashboardExpressions(GrafanaConfig.dashboards());
        assertThat(expressions).hasSizeGreaterThan(10);

        Promtool.Result check = Promtool.run(tmp, "check", "rules", Promtool.recordingRules(tmp, expressions).toString());

        assertThat(check.exitCode()).as(check.output()).isZero();
        assertThat(check.output()).contains("SUCCESS: " + expressions.size() + " rules found");
    }

    @Test
    void promtool_rejects_a_dashboard_copy_with_a_broken_expression() throws Exception {
        Path copy = tmp.resolve("broken.json");
        Files.writeString(copy, Files.readString(GrafanaConfig.DASHBOARDS.resolve("fleet.json"))
                .replace("max(gapwatch_runs_queued)", "max(gapwatch_runs_queued"));

        Promtool.Result check = Promtool.run(tmp, "check", "rules",
                Promtool.recordingRules(tmp, substitutedDashboardExpressions(List.of(copy))).toString());

        assertThat(check.exitCode()).as(check.output()).isNotZero();
        assertThat(check.output()).contains("unclosed left parenthesis");
    }

    @Test
    void promtool_accepts_the_alert_rules_and_every_alert_has_a_summary_description_and_runbook() throws Exception {
        for (Path file : GrafanaConfig.ruleFiles()) {
            Promtool.Result check = Promtool.run(tmp, "check", "rules", file.toAbsolutePath().toString());
            assertThat(check.exitCode()).as(check.output()).isZero();
            String text = Files.readString(file);
            long alerts = text.lines().filter(l -> l.trim().startsWith("- alert:")).count();
            assertThat(text.lines().filter(l -> l.trim().startsWith("summary:")).count()).as(file + " summaries").isEqualTo(alerts);
            assertThat(text.lines().filter(l -> l.trim().startsWith("description:")).count()).as(file + " descriptions").isEqualTo(alerts);
            assertThat(text.lines().filter(l -> l.trim().startsWith("runbook:")).count()).as(file + " runbooks").isEqualTo(alerts);
            String readme = Files.readString(Path.of("README.md"));
            text.lines().filter(l -> l.trim().startsWith("- alert:")).map(l -> l.substring(l.indexOf(':') + 1).trim())
                    .forEach(alert -> assertThat(readme.contains("`" + alert + "`")).as("README has a runbook line for " + alert).isTrue());
        }
    }

    @Test
    void the_alerts_behave_as_their_promtool_unit_tests_say() throws Exception {
        try (var tests = Files.list(GrafanaConfig.RULES)) {
            for (Path test : tests.filter(p -> p.toString().endsWith(".test.yml")).toList()) {
                Promtool.Result result = Promtool.run(GrafanaConfig.RULES, "test", "rules", test.getFileName().toString());
                assertThat(result.exitCode()).as(result.output()).isZero();
            }
        }
    }

    /** Every panel's expressions with the variables as Grafana's "All" of a fresh install would send them. */
    static List<GrafanaConfig.Query> substitutedDashboardExpressions(List<Path> dashboards) {
        List<GrafanaConfig.Query> out = new ArrayList<>();
        for (Path file : dashboards) {
            Map<String, List<String>> values = new HashMap<>();
            GrafanaConfig.variables(GrafanaConfig.read(file)).forEach((name, v) -> values.put(name,
                    v.path("type").asString().equals("custom") ? GrafanaConfig.customValues(v) : List.of("sim:6.12-model", "6.12.117+deb12-amd64")));
            for (GrafanaConfig.Query q : GrafanaConfig.promql(file)) {
                out.add(new GrafanaConfig.Query(q.where(), GrafanaConfig.substitutePromql(q.text(), values), null));
            }
        }
        return out;
    }

    static List<String> structureProblems(JsonNode dashboard) {
        List<String> problems = new ArrayList<>();
        Set<Integer> ids = new HashSet<>();
        for (JsonNode panel : GrafanaConfig.panels(dashboard)) {
            int id = panel.path("id").asInt(-1);
            String name = "panel " + id + " (" + panel.path("title").asString() + ")";
            if (id < 1 || !ids.add(id)) {
                problems.add(name + ": id " + id + " used twice or missing");
            }
            JsonNode grid = panel.path("gridPos");
            int x = grid.path("x").asInt(-1);
            int w = grid.path("w").asInt(-1);
            if (x < 0 || w < 1 || grid.path("h").asInt(-1) < 1 || grid.path("y").asInt(-1) < 0) {
                problems.add(name + ": gridPos incomplete: " + grid);
            } else if (x + w > 24) {
                problems.add(name + ": x " + x + " + w " + w + " reaches beyond 24 columns");
            }
            if (!UIDS.contains(panel.path("datasource").path("uid").asString(""))) {
                problems.add(name + ": datasource " + panel.path("datasource") + " is not one of " + UIDS);
            }
            if (panel.path("type").asString("").isEmpty() || panel.path("targets").isEmpty()) {
                problems.add(name + ": needs a type and at least one target");
            }
            for (JsonNode target : panel.path("targets")) {
                String uid = GrafanaConfig.datasourceUid(panel, target);
                if (!UIDS.contains(uid)) {
                    problems.add(name + " target " + target.path("refId").asString() + ": datasource " + uid + " is not one of " + UIDS);
                }
                boolean prometheus = uid.equals(GrafanaConfig.PROMETHEUS_UID);
                if (target.path(prometheus ? "expr" : "rawSql").asString("").isBlank()) {
                    problems.add(name + " target " + target.path("refId").asString() + ": no " + (prometheus ? "expr" : "rawSql"));
                }
            }
        }
        for (JsonNode v : dashboard.path("templating").path("list")) {
            if (v.path("type").asString().equals("query") && !UIDS.contains(v.path("datasource").path("uid").asString(""))) {
                problems.add("variable " + v.path("name").asString() + ": datasource is not one of " + UIDS);
            }
        }
        for (JsonNode a : dashboard.path("annotations").path("list")) {
            if (!UIDS.contains(a.path("datasource").path("uid").asString(""))) {
                problems.add("annotation " + a.path("name").asString() + ": datasource is not one of " + UIDS);
            }
        }
        return problems;
    }
}
