package io.gapwatch.server.metrics;

import io.gapwatch.cli.Json;
import org.yaml.snakeyaml.Yaml;
import tools.jackson.databind.JsonNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The dashboards in config/grafana/dashboards and the rules in config/prometheus, read as Grafana and
 * Prometheus read them: every PromQL expression and SQL query they hold, with the Grafana variables and
 * macros substituted the way Grafana would, so the checks can hand them to promtool, Prometheus and PostgreSQL.
 */
public final class GrafanaConfig { // public for bench/run (io.gapwatch.bench)
    static final Path DASHBOARDS = Path.of("config/grafana/dashboards");
    static final Path RULES = Path.of("config/prometheus");
    static final String PROMETHEUS_UID = "gapwatch-prometheus";
    static final String POSTGRES_UID = "gapwatch-postgres";
    /** The time range SQL macros expand to, and the interval $__interval stands for. */
    static final String RANGE_FROM = "now() - interval '6 hours'";
    static final String RANGE_TO = "now() + interval '1 minute'";
    static final String INTERVAL = "1m";

    private GrafanaConfig() {
    }

    /** A query found in a file, and where: "fleet.json panel 4 (Lease wait ...) B". */
    public record Query(String where, String text, String format) {
    }

    public static List<Path> dashboards() {
        try (Stream<Path> files = Files.list(DASHBOARDS)) {
            return files.filter(p -> p.toString().endsWith(".json")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<Path> ruleFiles() {
        try (Stream<Path> files = Files.list(RULES)) {
            return files.filter(p -> p.toString().endsWith(".yml") && !p.toString().endsWith(".test.yml")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static JsonNode read(Path dashboard) {
        try {
            return Json.MAPPER.readTree(Files.readString(dashboard));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<JsonNode> panels(JsonNode dashboard) {
        List<JsonNode> panels = new ArrayList<>();
        for (JsonNode p : dashboard.path("panels")) {
            panels.add(p);
            p.path("panels").forEach(panels::add); // inside a collapsed row
        }
        return panels;
    }

    /** The data source uid a target uses: its own, else its panel's. */
    static String datasourceUid(JsonNode panel, JsonNode target) {
        String own = target.path("datasource").path("uid").asString("");
        return own.isEmpty() ? panel.path("datasource").path("uid").asString("") : own;
    }

    /** Every PromQL expression of a dashboard, raw (Grafana variables still in). */
    static List<Query> promql(Path dashboard) {
        List<Query> queries = new ArrayList<>();
        for (JsonNode panel : panels(read(dashboard))) {
            for (JsonNode target : panel.path("targets")) {
                if (datasourceUid(panel, target).equals(PROMETHEUS_UID)) {
                    queries.add(new Query(where(dashboard, panel, target), target.path("expr").asString(), null));
                }
            }
        }
        return queries;
    }

    /** Every SQL query of a dashboard (panels, annotations, variables), raw. */
    public static List<Query> sql(Path dashboard) {
        JsonNode d = read(dashboard);
        List<Query> queries = new ArrayList<>();
        for (JsonNode panel : panels(d)) {
            for (JsonNode target : panel.path("targets")) {
                if (datasourceUid(panel, target).equals(POSTGRES_UID)) {
                    queries.add(new Query(where(dashboard, panel, target), target.path("rawSql").asString(),
                            target.path("format").asString("table")));
                }
            }
        }
        for (JsonNode a : d.path("annotations").path("list")) {
            if (a.path("datasource").path("uid").asString("").equals(POSTGRES_UID)) {
                queries.add(new Query(dashboard.getFileName() + " annotation " + a.path("name").asString(),
                        a.path("rawQuery").asString(), "annotation"));
            }
        }
        return queries;
    }

    /** Every alert and recording rule expression of the rule files. */
    @SuppressWarnings("unchecked")
    static List<Query> ruleExpressions() {
        List<Query> queries = new ArrayList<>();
        for (Path file : ruleFiles()) {
            try {
                Map<String, Object> doc = new Yaml().load(Files.readString(file));
                for (Map<String, Object> group : (List<Map<String, Object>>) doc.get("groups")) {
                    for (Map<String, Object> rule : (List<Map<String, Object>>) group.get("rules")) {
                        Object name = rule.containsKey("alert") ? rule.get("alert") : rule.get("record");
                        queries.add(new Query(file.getFileName() + " " + name, (String) rule.get("expr"), null));
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return queries;
    }

    /** The dashboard's template variables, name to definition. */
    public static Map<String, JsonNode> variables(JsonNode dashboard) {
        Map<String, JsonNode> vars = new LinkedHashMap<>();
        dashboard.path("templating").path("list").forEach(v -> vars.put(v.path("name").asString(), v));
        return vars;
    }

    /** The values a custom variable offers. */
    public static List<String> customValues(JsonNode variable) {
        return List.of(variable.path("query").asString().split("\\s*,\\s*"));
    }

    /**
     * PromQL as Grafana sends it: each variable as the regex alternation of its values (multi-value "All"),
     * the interval variables as {@link #INTERVAL}.
     */
    static String substitutePromql(String expr, Map<String, List<String>> values) {
        String out = expr.replace("$__rate_interval", INTERVAL).replace("$__interval", INTERVAL).replace("$__range", "6h");
        for (var e : values.entrySet()) {
            String alternation = e.getValue().size() == 1 ? e.getValue().get(0)
                    : "(" + String.join("|", e.getValue().stream().map(GrafanaConfig::regexEscape).toList()) + ")";
            out = out.replace("${" + e.getKey() + "}", alternation).replace("$" + e.getKey(), alternation);
        }
        return out;
    }

    /**
     * A variable's values as Grafana offers them: multi-value ones with "All" selected (every value), single-value
     * ones at their first value (the default, e.g. the latest sweep).
     */
    public static List<String> selected(JsonNode variable, List<String> offered) {
        boolean all = variable.path("multi").asBoolean(false) || variable.path("includeAll").asBoolean(false);
        return all ? offered : offered.subList(0, Math.min(1, offered.size()));
    }

    /**
     * SQL as Grafana's PostgreSQL data source sends it: variables as quoted, comma-separated lists, then the
     * macros used by the dashboards ($__timeFilter, $__timeGroupAlias, $__timeGroup) over {@link #RANGE_FROM}.
     */
    static String substituteSql(String sql, Map<String, List<String>> values, Set<String> singleValued) {
        return substituteSql(sql, values, singleValued, RANGE_FROM, RANGE_TO);
    }

    /** The same over another time range (bench/run uses the dashboards' default, 7 days). */
    public static String substituteSql(String sql, Map<String, List<String>> values, Set<String> singleValued,
                                       String rangeFrom, String rangeTo) {
        String out = sql.replace("$__interval", INTERVAL);
        for (var e : values.entrySet()) {
            // Grafana quotes the values of a multi-value variable; a single value goes in as it is
            String list = e.getValue().size() == 1 && singleValued.contains(e.getKey()) ? e.getValue().get(0)
                    : String.join(",", e.getValue().stream().map(v -> "'" + v.replace("'", "''") + "'").toList());
            out = out.replace("${" + e.getKey() + "}", list).replace("$" + e.getKey(), list);
        }
        out = replaceMacro(out, "$__timeFilter", args -> args.get(0) + " BETWEEN " + rangeFrom + " AND " + rangeTo);
        out = replaceMacro(out, "$__timeGroupAlias", args -> timeGroup(args) + " AS \"time\"");
        out = replaceMacro(out, "$__timeGroup", GrafanaConfig::timeGroup);
        if (out.contains("$")) {
            Matcher leftover = Pattern.compile("\\$\\w+").matcher(out);
            if (leftover.find() && !out.contains("$$")) {
                throw new IllegalArgumentException("no substitution for " + leftover.group() + " in: " + sql);
            }
        }
        return out;
    }

    private static String timeGroup(List<String> args) {
        String interval = args.get(1).replace("'", "").trim();
        long seconds = switch (interval.charAt(interval.length() - 1)) {
            case 's' -> Long.parseLong(interval.substring(0, interval.length() - 1));
            case 'm' -> 60 * Long.parseLong(interval.substring(0, interval.length() - 1));
            case 'h' -> 3600 * Long.parseLong(interval.substring(0, interval.length() - 1));
            case 'd' -> 86400 * Long.parseLong(interval.substring(0, interval.length() - 1));
            default -> throw new IllegalArgumentException("interval " + interval);
        };
        return "floor(extract(epoch from " + args.get(0) + ")/" + seconds + ")*" + seconds;
    }

    private static String replaceMacro(String sql, String macro, java.util.function.Function<List<String>, String> expand) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (true) {
            int at = sql.indexOf(macro + "(", i);
            if (at < 0) {
                return out.append(sql.substring(i)).toString();
            }
            int depth = 0;
            int end = at + macro.length();
            List<String> args = new ArrayList<>();
            int argStart = end + 1;
            for (int j = end; j < sql.length(); j++) {
                char c = sql.charAt(j);
                if (c == '(') {
                    depth++;
                } else if (c == ')' && --depth == 0) {
                    args.add(sql.substring(argStart, j).trim());
                    end = j + 1;
                    break;
                } else if (c == ',' && depth == 1) {
                    args.add(sql.substring(argStart, j).trim());
                    argStart = j + 1;
                }
            }
            out.append(sql, i, at).append(expand.apply(args));
            i = end;
        }
    }

    private static final Set<String> PROMQL_WORDS = Set.of("by", "without", "on", "ignoring", "group_left", "group_right",
            "bool", "and", "or", "unless", "offset", "inf", "nan");

    /** The metric names a PromQL expression selects (not functions, keywords, label names or strings). */
    static Set<String> metricNames(String expr) {
        String s = expr.replaceAll("\"(\\\\.|[^\"\\\\])*\"", "\"\"") // string literals
                .replaceAll("\\{[^}]*}", " ")                         // label matchers
                .replaceAll("\\[[^]]*]", " ")                         // range durations
                .replaceAll("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", " "); // label lists
        Set<String> names = new TreeSet<>();
        Matcher m = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*").matcher(s);
        while (m.find()) {
            String word = m.group();
            int next = m.end();
            while (next < s.length() && Character.isWhitespace(s.charAt(next))) {
                next++;
            }
            boolean call = next < s.length() && s.charAt(next) == '(';
            boolean partOfNumber = m.start() > 0 && Character.isDigit(s.charAt(m.start() - 1));
            if (!call && !partOfNumber && !PROMQL_WORDS.contains(word.toLowerCase())) {
                names.add(word);
            }
        }
        return names;
    }

    /** The metric names present in a Prometheus text exposition (samples, not just HELP/TYPE lines). */
    static Set<String> exposedNames(String exposition) {
        Set<String> names = new TreeSet<>();
        for (String line : exposition.lines().toList()) {
            if (!line.isBlank() && !line.startsWith("#")) {
                Matcher m = Pattern.compile("^[a-zA-Z_:][a-zA-Z0-9_:]*").matcher(line);
                if (m.find()) {
                    names.add(m.group());
                }
            }
        }
        return names;
    }

    /** Of the given queries, the metric names that are not in the exposition, each with where it is used. */
    static Map<String, String> missingMetrics(List<Query> queries, Set<String> exposed) {
        Map<String, String> missing = new LinkedHashMap<>();
        for (Query q : queries) {
            for (String name : metricNames(q.text())) {
                if (!exposed.contains(name)) {
                    missing.putIfAbsent(name, q.where());
                }
            }
        }
        return missing;
    }

    private static String where(Path dashboard, JsonNode panel, JsonNode target) {
        return dashboard.getFileName() + " panel " + panel.path("id").asInt() + " (" + panel.path("title").asString() + ") "
                + target.path("refId").asString();
    }

    private static String regexEscape(String value) {
        return value.replaceAll("[\\\\.^$|?*+()\\[\\]{}]", "\\\\\\\\$0");
    }
}
