package io.gapwatch.server.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What can really go wrong with a run in a fault test, read from the run's events and the agents' logs: a run
 * executed twice (a second agent, or the same one again, started it), or a result accepted under a lease
 * that was not the run's latest. A second copy of a measurement cannot happen (the primary key forbids it),
 * so counting those would prove nothing.
 */
public final class RunLedger {
    /** Results accepted under a token other than that of the lease the run was given last before it. */
    public static final String RESULTS_FROM_A_STALE_LEASE = """
            SELECT count(*) FROM run_events a
            WHERE a.kind = 'RESULT_ACCEPTED'
              AND substring(a.detail from 'lease token ([0-9]+)') IS DISTINCT FROM (
                  SELECT substring(l.detail from 'lease token ([0-9]+)') FROM run_events l
                  WHERE l.run_id = a.run_id AND l.kind = 'LEASED' AND l.id < a.id ORDER BY l.id DESC LIMIT 1)""";
    /** The token of each run's accepted result. */
    public static final String ACCEPTED_TOKEN = """
            SELECT substring(detail from 'lease token ([0-9]+)')::bigint FROM run_events
            WHERE run_id = :id AND kind = 'RESULT_ACCEPTED'""";

    /** The line an agent logs when it starts executing a run (Agent.execute). */
    private static final Pattern STARTED = Pattern.compile("run (\\d+): \\S+ gap \\d+ ms x\\d+ on ");

    private RunLedger() {
    }

    /** How many times each run was started, over all the agents' logs. */
    public static Map<Long, Integer> executions(List<Path> agentLogs) throws IOException {
        Map<Long, Integer> started = new TreeMap<>();
        for (Path log : agentLogs) {
            Matcher m = STARTED.matcher(Files.readString(log));
            while (m.find()) {
                started.merge(Long.parseLong(m.group(1)), 1, Integer::sum);
            }
        }
        return started;
    }

    /** The runs started more than once. */
    public static long executedTwice(List<Path> agentLogs) throws IOException {
        return executions(agentLogs).values().stream().filter(n -> n > 1).count();
    }
}
