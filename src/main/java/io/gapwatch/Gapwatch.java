package io.gapwatch;

import io.gapwatch.agent.AgentCommand;
import io.gapwatch.cli.ClientCli;
import io.gapwatch.cli.UsageException;
import io.gapwatch.client.TokenCommand;
import io.gapwatch.demo.DemoCommand;
import io.gapwatch.lab.LabCommand;
import io.gapwatch.probe.ProbeCommand;
import io.gapwatch.server.ServerCommand;

import java.util.Arrays;

/** One jar, one launcher: dispatches to server, agent, probe, lab and demo. */
public final class Gapwatch {
    static final String HELP = """
            Usage: gapwatch <command> [options]    (gapwatch <command> --help for its options)

              demo     embedded PostgreSQL + server + a local agent, one command
              server   the control plane: REST API, PostgreSQL, leases, metrics
              agent    a worker: registers its targets, leases runs, executes the probe, reports
              probe    execute the migration-gap sequence once, here, now (KTAP/JSON)
              lab      boot a kernel under QEMU and run the probe inside it
              token    create, list and revoke API tokens (admin)

            Client commands (talk to a server: --server/$GAPWATCH_SERVER, --token/$GAPWATCH_TOKEN; a running
            demo is found by itself):
              run          queue a run; --wait follows it and exits with its kselftest code
              sweep        start a sweep over kernels x variants x gaps; --wait follows it, then prints the grid
              runs         runs, newest first (--kernel --variant --verdict --state --sweep --limit)
              show         one run with every measurement (--format text|json|ktap|junit|kcidb)
              agents       the agents and the targets they serve
              compare      kernel HEAD against kernel BASE, a category per series; exits 1 on a regression
              regressions  what the sweeps found, with its bisection (--state ACTIVE)
              bisect       the first bad kernel between GOOD and BAD (--variant V); --wait follows it
              schedules    the schedules that start sweeps
              export       a run or a sweep as KTAP, JUnit XML or KCIDB v5.3 (export kcidb --sweep ID --output F)
            """;

    private Gapwatch() {
    }

    public static void main(String[] args) {
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("help")) {
            System.out.print(HELP);
            System.exit(args.length == 0 ? ProbeCommand.EXIT_USAGE : 0);
        }
        if (ClientCli.COMMANDS.contains(args[0])) {
            System.exit(ClientCli.main(args)); // picocli reports its own usage errors
        }
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        try {
            int exit = switch (args[0]) {
                case "probe" -> ProbeCommand.main(rest, System.out, System.err);
                case "agent" -> AgentCommand.main(rest, System.out);
                case "server" -> ServerCommand.main(rest, System.out);
                case "demo" -> DemoCommand.main(rest, System.out);
                case "token" -> TokenCommand.main(rest, System.out);
                case "lab" -> LabCommand.main(rest, System.out, System.err);
                default -> throw new UsageException("unknown command '" + args[0] + "'\n" + HELP);
            };
            if (exit >= 0) {
                System.exit(exit);
            }
        } catch (UsageException e) {
            System.err.println("gapwatch " + e.getMessage());
            System.exit(ProbeCommand.EXIT_USAGE);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            System.exit(1);
        } catch (RuntimeException e) {
            // a server or demo that failed to start must not linger on its non-daemon threads
            System.err.println("gapwatch " + args[0] + ": " + e.getMessage());
            e.printStackTrace();
            System.exit(1);
        }
    }
}
