package io.gapwatch.bench;

import io.gapwatch.cli.Json;

import java.net.InetAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * bench/run's driver: given a running server on a throwaway PostgreSQL cluster (bench/run starts both), runs the
 * queue, ingest, idle-agent, agent, analysis and demo benchmarks, prints a table and writes the JSON results.
 * Ratios against pgbench, COPY and db-scheduler are measured in the same run on the same cluster: on a shared
 * machine they mean more than the absolute figures.
 */
public final class Bench {
    private final Map<String, String> args;
    private final boolean quick;
    private final List<String[]> table = new ArrayList<>();
    private final Map<String, Object> results = new LinkedHashMap<>();

    private Bench(Map<String, String> args) {
        this.args = args;
        this.quick = args.containsKey("quick");
    }

    public static void main(String[] argv) throws Exception {
        Map<String, String> args = new HashMap<>();
        for (int i = 0; i < argv.length; i++) {
            String key = argv[i].replaceFirst("^--", "");
            if (i + 1 < argv.length && !argv[i + 1].startsWith("--")) {
                args.put(key, argv[++i]);
            } else {
                args.put(key, "true");
            }
        }
        new Bench(args).run();
        System.exit(0); // db-scheduler's and HttpClient's threads are done with
    }

    private void run() throws Exception {
        long start = System.nanoTime();
        Api admin = new Api(URI.create(args.get("server")), args.get("admin"));
        Peers.Cluster cluster = new Peers.Cluster("127.0.0.1", Integer.parseInt(args.get("pg-port")), args.get("pg-user"),
                args.get("pgbin"));
        String database = args.get("db");
        Path scratch = Path.of(args.get("scratch"));
        Peers peers = new Peers(cluster);
        Map<String, Object> machine = new LinkedHashMap<>();
        machine.put("host", InetAddress.getLocalHost().getHostName());
        machine.put("cpus", Runtime.getRuntime().availableProcessors());
        machine.put("loadAverageAtStart", Files.readString(Path.of("/proc/loadavg")).trim());
        results.put("date", LocalDate.now(ZoneOffset.UTC).toString());
        results.put("quick", quick);
        results.put("revision", args.getOrDefault("revision", "?"));
        results.put("machine", machine);

        try {
            parts(admin, cluster, database, scratch, peers);
        } finally { // what was measured is printed and kept, also when a part failed
            machine.put("loadAverageAtEnd", Files.readString(Path.of("/proc/loadavg")).trim());
            results.put("seconds", Latencies.round((System.nanoTime() - start) / 1e9));
            results.put("table", table.stream().map(r -> String.join(" | ", r)).toList());
            print();
            Path out = Path.of(args.get("out"));
            Files.createDirectories(out.getParent());
            Files.writeString(out, Json.MAPPER.writeValueAsString(results) + "\n");
            System.out.println("\nwritten: " + out + " (" + Latencies.round((System.nanoTime() - start) / 1e9) + " s; load average "
                    + machine.get("loadAverageAtStart") + " at start, " + machine.get("loadAverageAtEnd") + " at end)");
        }
    }

    private void parts(Api admin, Peers.Cluster cluster, String database, Path scratch, Peers peers) throws Exception {
        // 1. queue, against pgbench and db-scheduler at the same concurrency
        if (part("queue")) {
        int seconds = quick ? 10 : 30;
        say("queue: pgbench -i (scale 10)");
        peers.pgbenchInit();
        List<Map<String, Object>> queue = new ArrayList<>();
        List<Integer> ks = args.containsKey("queue-k")
                ? List.of(args.get("queue-k").split(",")).stream().map(Integer::valueOf).toList()
                : quick ? List.of(8) : List.of(8, 64);
        for (int k : ks) {
            say("queue: " + k + " agents for " + seconds + " s");
            QueueBench.Result q = QueueBench.run(admin, scratch.resolve("queue-agents"), k, Duration.ofSeconds(seconds));
            say("queue: pgbench -N -c " + k + " -T " + seconds);
            double tps = peers.pgbench(k, seconds);
            int tasks = (int) Math.max(500, q.cycles());
            say("queue: db-scheduler, " + k + " threads, " + tasks + " one-time no-op tasks");
            double scheduler = peers.dbScheduler(k, tasks);
            Map<String, Object> row = new LinkedHashMap<>(q.json());
            row.put("pgbenchTps", Latencies.round(tps));
            row.put("dbSchedulerExecutionsPerSecond", Latencies.round(scheduler));
            row.put("dbSchedulerTasks", tasks);
            row.put("ratioToPgbench", ratio(q.cyclesPerSecond(), tps, 3));
            row.put("ratioToDbScheduler", ratio(q.cyclesPerSecond(), scheduler, 2));
            queue.add(row);
            row("queue K=" + k + ": cycles/s (create, lease, ack, result)", fmt(q.cyclesPerSecond()),
                    "pgbench -N " + fmt(tps) + " tps", ratio(q.cyclesPerSecond(), tps, 3) + "x", ">= 0.25x",
                    q.cyclesPerSecond() >= 0.25 * tps);
            row("queue K=" + k + ": vs db-scheduler", fmt(q.cyclesPerSecond()), "db-scheduler " + fmt(scheduler) + " exec/s",
                    ratio(q.cyclesPerSecond(), scheduler, 2) + "x", "> 1x", q.cyclesPerSecond() > scheduler);
            row("queue K=" + k + ": lease p50 / p99 ms", fmt(q.lease().percentileMs(50)) + " / " + fmt(q.lease().percentileMs(99)),
                    "", "", "", null);
            row("queue K=" + k + ": result p50 / p99 ms", fmt(q.result().percentileMs(50)) + " / " + fmt(q.result().percentileMs(99)),
                    "", "", "", null);
        }
        results.put("queue", queue);
        }

        // 2. ingest
        if (part("ingest")) {
        int ingestResults = quick ? 10 : 50;
        say("ingest: " + ingestResults + " results of " + IngestBench.MEASUREMENTS + " measurements, then COPY of the same rows");
        IngestBench.Result ingest = IngestBench.run(admin, cluster, database, scratch.resolve("ingest-agent"), ingestResults);
        results.put("ingest", ingest.json());
        double ingestRatio = ingest.measurementsPerSecond() / ingest.copyRowsPerSecond();
        row("ingest: measurements/s (results of 1,000)", fmt(ingest.measurementsPerSecond()),
                "COPY " + fmt(ingest.copyRowsPerSecond()) + " rows/s", String.format(Locale.ROOT, "%.2fx", ingestRatio),
                ">= 0.5x", ingestRatio >= 0.5);
        }

        // 4. memory and connections (before the analysis fills the database)
        if (part("idle")) {
        List<Map<String, Object>> idle = new ArrayList<>();
        try (IdleAgentsBench bench = new IdleAgentsBench(admin, cluster, database, Long.parseLong(args.get("server-pid")),
                scratch.resolve("idle-agents"))) {
            for (int n : quick ? List.of(100) : List.of(100, 1000)) {
                say("idle: " + n + " long-polling agents");
                Map<String, Object> m = bench.measure(n, Duration.ofSeconds(quick ? 10 : 30));
                idle.add(m);
                double rss = (double) m.get("serverRssMb");
                row("idle " + n + " agents: server RSS MB", fmt(rss), "", "", n == 100 ? "<= 512" : "",
                        n == 100 ? rss <= 512 : null);
                row("idle " + n + " agents: db transactions/s", fmt((double) m.get("transactionsPerSecond")), "", "", "", null);
                @SuppressWarnings("unchecked") Map<String, Object> api = (Map<String, Object>) m.get("apiRunsMs");
                row("idle " + n + " agents: GET /api/v1/runs p50 / p95 ms", api.get("p50Ms") + " / " + api.get("p95Ms"), "", "", "", null);
            }
        }
        results.put("idleAgents", idle);
        }
        if (part("agent")) {
        say("agent: RSS of a real sim agent");
        Map<String, Object> agent = Processes.agentRss(args.get("launcher"), admin, scratch.resolve("rss-agent"), quick ? 50 : 200);
        results.put("agent", agent);
        double agentRss = (double) agent.get("agentRssMb");
        row("agent RSS MB after " + agent.get("runs") + " runs", fmt(agentRss), "", "", "<= 128", agentRss <= 128);
        }

        // 3. analysis over a large history
        if (part("analysis")) {
        long measurements = quick ? 200_000 : 10_000_000;
        int series = quick ? 200 : 2000;
        AnalysisBench analysis = new AnalysisBench(admin, cluster, database, quick ? 5 : 20);
        say("analysis: generating " + measurements + " measurements in " + series + " series");
        long g0 = System.nanoTime();
        int kernels = analysis.generate(measurements, series);
        double generateSeconds = (System.nanoTime() - g0) / 1e9;
        Map<String, Object> a = new LinkedHashMap<>();
        a.put("measurements", measurements);
        a.put("series", series);
        a.put("generateSeconds", Latencies.round(generateSeconds));
        say("analysis: API calls");
        Map<String, Map<String, Object>> api = analysis.api(kernels);
        a.put("apiFirstByteMs", api);
        api.forEach((what, l) -> row("analysis: " + what + " p95 ms", String.valueOf(l.get("p95Ms")), "", "", "< 100",
                (double) l.get("p95Ms") < 100));
        say("analysis: regression detection for one sweep");
        Map<String, Object> sweep = analysis.sweepAnalysis(scratch.resolve("sweeper"), kernels);
        a.put("sweepAnalysisMs", sweep);
        row("analysis: regression detection, one sweep (10 runs) p95 ms", String.valueOf(sweep.get("p95Ms")), "", "", "< 100",
                (double) sweep.get("p95Ms") < 100);
        say("analysis: dashboard SQL");
        Map<String, Map<String, Object>> dashboards = analysis.dashboards();
        a.put("dashboardSqlMs", dashboards);
        dashboards.forEach((where, l) -> row("dashboard SQL " + where + " p95 ms", String.valueOf(l.get("p95Ms")), "", "",
                "< 100", (double) l.get("p95Ms") < 100));
        results.put("analysis", a);
        }

        if (part("demo")) {
            int runs = quick ? 50 : 1000;
            say("demo: gapwatch demo, then " + runs + " runs");
            Map<String, Object> demo = Processes.demoRss(args.get("launcher"), scratch.resolve("demo-home"),
                    Integer.parseInt(args.get("demo-port")), runs);
            results.put("demo", demo);
            row("demo RSS MB (java + PostgreSQL) after " + runs + " runs", fmt((double) demo.get("afterRunsRssMb")),
                    "at start " + fmt((double) demo.get("startedRssMb")), "", "", null);
        }

    }

    /** bench/run runs every part; BENCH_ONLY=queue,analysis (say) runs some, to look into one. */
    private boolean part(String name) {
        return !args.containsKey("only") || List.of(args.get("only").split(",")).contains(name);
    }

    private static String ratio(double a, double b, int digits) {
        return String.format(Locale.ROOT, "%." + digits + "f", a / b);
    }

    private static String fmt(double v) {
        return v >= 100 ? String.format(Locale.ROOT, "%.0f", v) : String.format(Locale.ROOT, "%.1f", v);
    }

    private void row(String what, String gapwatch, String reference, String ratio, String goal, Boolean met) {
        table.add(new String[]{what, gapwatch, reference, ratio, goal, met == null ? "" : met ? "met" : "MISSED"});
    }

    private void print() {
        String[] header = {"what", "gapwatch", "reference (same cluster, same run)", "ratio", "goal", ""};
        int[] width = new int[header.length];
        List<String[]> all = new ArrayList<>();
        all.add(header);
        all.addAll(table);
        for (String[] r : all) {
            for (int i = 0; i < r.length; i++) {
                width[i] = Math.max(width[i], r[i].length());
            }
        }
        System.out.println();
        for (String[] r : all) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < r.length; i++) {
                line.append(String.format("%-" + width[i] + "s", r[i])).append(i < r.length - 1 ? "  " : "");
            }
            System.out.println(line.toString().stripTrailing());
        }
    }

    private static void say(String line) {
        System.out.println("bench: " + line);
        System.out.flush();
    }
}
