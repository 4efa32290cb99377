package io.gapwatch.demo;

import io.gapwatch.agent.AgentCommand;
import io.gapwatch.agent.TargetExecutor;
import io.gapwatch.cli.Options;
import tools.jackson.databind.JsonNode;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The demo's series of simulated kernels, sim:6.12.100 ... sim:6.12.113, with one fault planted from sim:6.12.111
 * on, and a short schedule sweeping every fourth of them: within minutes a newcomer sees sweeps, the regression
 * they reveal at sim:6.12.112 and the bisection that finds sim:6.12.111 first bad. All of it simulated.
 */
final class SimSeriesDemo {
    static final String KERNELS = "6.12.100,6.12.101,6.12.102,6.12.103,6.12.104,6.12.105,6.12.106,6.12.107,6.12.108,"
            + "6.12.109,6.12.110,6.12.111,6.12.112,6.12.113";
    static final String FAULT = "6.12.111:extra-error-ns=3000000";
    static final String SCHEDULE = "demo-sim-series";
    static final String CRON = "*/5 * * * *";
    static final List<String> SWEPT = List.of("sim:6.12.100", "sim:6.12.104", "sim:6.12.108", "sim:6.12.112");
    static final String BASELINE = "sim:6.12.100";

    private SimSeriesDemo() {
    }

    /** One simulated target per kernel of the series. */
    static List<TargetExecutor> executors() {
        return AgentCommand.executors("sim", Options.parse("demo", new String[]{"--sim-kernels", KERNELS,
                "--sim-faults-from", FAULT}, Set.of("sim-kernels", "sim-faults-from"), Set.of()));
    }

    /** The body of POST /api/v1/schedules for the demo's schedule. */
    static Map<String, Object> schedule() {
        return Map.of("name", SCHEDULE, "cron", CRON, "timeZone", "UTC",
                "matrix", Map.of("kernels", SWEPT, "variants", List.of("clock-realtime", "clock-frozen"),
                        "gapsMs", List.of(10), "iterations", 5, "repeats", 2),
                "baseline", Map.of("kernel", BASELINE));
    }

    /** What the demo prints about the series, with the commands to follow it. */
    static String intro(JsonNode sweep, String base, String tokenFile) {
        String curl = "  curl -s -H \"Authorization: Bearer $(cat " + tokenFile + ")\" ";
        long id = sweep.path("id").asLong();
        return "Sim series (simulated kernels: a model, not kernel results): sim:6.12.100 ... sim:6.12.113, a fault\n"
                + "planted from sim:6.12.111 on (3 ms more steal than the gap). Schedule '" + SCHEDULE + "' sweeps\n"
                + String.join(", ", SWEPT) + " every 5 minutes against " + BASELINE + ".\n"
                + "Sweep " + id + " started now; within minutes:\n"
                + curl + "\"" + base + "/api/v1/sweeps/" + id + "\"                 # progress, the outcome grid\n"
                + curl + "\"" + base + "/api/v1/regressions?state=ACTIVE\"   # what it finds\n"
                + curl + "\"" + base + "/api/v1/bisections\"                 # the first bad kernel\n\n";
    }
}
