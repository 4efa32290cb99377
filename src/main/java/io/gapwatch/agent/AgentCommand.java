package io.gapwatch.agent;

import io.gapwatch.cli.Options;
import io.gapwatch.cli.UsageException;
import io.gapwatch.client.BuildRecipe;
import io.gapwatch.lab.KernelLab;
import io.gapwatch.lab.LabException;
import io.gapwatch.probe.HostInfo;
import io.gapwatch.probe.SystemHostClock;
import io.gapwatch.probe.kvm.KvmHypervisor;
import io.gapwatch.probe.sim.SimFaults;
import io.gapwatch.probe.sim.SimKernel;
import io.gapwatch.probe.sim.SimSeries;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;

/** {@code gapwatch agent --server URL}: a worker that leases runs and executes them. */
public final class AgentCommand {
    public static final String HELP = """
            Usage: gapwatch agent --server URL [options]
              Register this machine's targets with the server, lease runs, execute them, report.

              --server URL[,URL]  the gapwatch server(s), e.g. http://127.0.0.1:8080 (required); with several
                                  (one database behind them) the agent moves on when one is unreachable
              --name NAME         agent name (default: <hostname>-<backend>); a restarted agent keeps its name
              --backend B         auto (default: kvm when /dev/kvm is usable, else sim), kvm, sim, lab
              --kernels A,B,C     lab only: kernels to offer, one target each: Debian releases (flavours amd64,
                                  cloud-amd64, rt-amd64) or vmlinuz paths (modules beside their boot/)
              --build-source V,W  lab only: build kernels from the Debian source of these versions (e.g. 6.12.117)
                                  and run on them: one builder target each (build:6.12.117), which serves runs of
                                  patch series (POST /api/v1/series); sources, objects and kernels are kept in
                                  $GAPWATCH_HOME/lab (needs apt-get install git make gcc flex bison bc libelf-dev libssl-dev)
              --parallel N        lab only: boot up to N guests at once (default: half the cores, at least 1;
                                  under TCG a guest keeps a core busy)
              --sim-faults LIST   sim only: lost-gap, extra-error-ns=N, jitter-ns=N, no-xen, clock-guest,
                                  pre-5.16 (registers sim:5.15-model), stale-guest-area
              --sim-kernels A,B   sim only: a series of simulated kernels, one target each (sim:A, sim:B, ...),
                                  e.g. 6.12.100,6.12.101,6.12.107,6.12.111
              --sim-faults-from V:LIST
                                  sim series only: the kernels from version V on have the faults LIST
                                  (--sim-faults syntax), e.g. 6.12.111:extra-error-ns=3000000
              --token T           enrollment token (or $GAPWATCH_TOKEN); the agent then keeps its own secret
                                  in <home>/agents/<name>.secret and uses it from then on
              --home DIR          spool and secret (default $GAPWATCH_HOME, ~/.gapwatch)
              --metrics-port N    serve this agent's metrics (spool depth, probe duration, last lease) for
                                  Prometheus at http://<host>:N/metrics
            """;

    private AgentCommand() {
    }

    /**
     * How many runs a lab agent executes at once. Other backends run one at a time: probes on the host's own
     * /dev/kvm would disturb each other's timing.
     */
    public static int parallelRuns(String backend, Options o) {
        if (!backend.equals("lab")) {
            if (o.has("parallel")) {
                throw new UsageException("agent: --parallel is for --backend lab (host probes run one at a time)");
            }
            return 1;
        }
        return o.getInt("parallel", Math.max(1, Runtime.getRuntime().availableProcessors() / 2), 1, 64);
    }

    public static int main(String[] args, PrintStream out) {
        Options o = Options.parse("agent", args, Set.of("server", "name", "backend", "kernels", "sim-faults", "sim-kernels",
                        "sim-faults-from", "home", "token", "metrics-port", "parallel", "build-source"),
                Set.of("help"));
        if (o.has("help")) {
            out.print(HELP);
            return 0;
        }
        if (!o.has("server")) {
            throw new UsageException("agent: --server URL is required");
        }
        List<URI> servers = java.util.Arrays.stream(o.get("server", null).split(",")).map(AgentCommand::serverUri).toList();
        String backend = o.get("backend", "auto");
        if (backend.equals("auto")) {
            backend = kvmUsable() ? "kvm" : "sim";
            if (backend.equals("sim")) {
                out.println("agent: /dev/kvm is not usable here; offering the sim backend (a model, not a kernel)");
            }
        }
        List<TargetExecutor> executors = executors(backend, o);
        String name = o.get("name", HostInfo.hostname() + "-" + backend);
        Path home = Path.of(o.get("home", io.gapwatch.cli.GapwatchHome.path().toString()));
        Spool spool = new Spool(home.resolve("spool").resolve(name));
        Credentials credentials = new Credentials(home.resolve("agents").resolve(name + ".secret"),
                o.get("token", System.getenv("GAPWATCH_TOKEN")));
        if (credentials.bearer() == null) {
            throw new UsageException("agent: an enrollment token is needed the first time: --token T or $GAPWATCH_TOKEN"
                    + " (an admin creates one with: gapwatch token create --role enrollment)");
        }
        Agent agent = new Agent(name, new ServerClient(servers, credentials), credentials, spool, executors,
                line -> out.println(Instant.now() + " " + line), parallelRuns(backend, o));
        if (o.has("metrics-port")) {
            int port = metricsPort(o.get("metrics-port", null));
            try {
                agent.metrics().serve(new InetSocketAddress(port));
            } catch (IOException e) {
                throw new UsageException("agent: cannot serve metrics on port " + port + ": " + e.getMessage());
            }
            out.println("agent: metrics at http://" + HostInfo.hostname() + ":" + port + "/metrics");
        }
        Runtime.getRuntime().addShutdownHook(new Thread(agent::stop));
        try (AgentMetrics metrics = agent.metrics()) {
            agent.run();
        }
        return agent.refusal().isPresent() ? 1 : 0;
    }

    static int metricsPort(String raw) {
        try {
            int port = Integer.parseInt(raw);
            if (port >= 1 && port <= 65535) {
                return port;
            }
        } catch (NumberFormatException notANumber) {
            // reported below
        }
        throw new UsageException("agent: --metrics-port must be a port number 1..65535, was '" + raw + "'");
    }

    static URI serverUri(String raw) {
        try {
            URI uri = URI.create(raw.endsWith("/") ? raw : raw + "/");
            if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null) {
                throw new IllegalArgumentException("not an http(s) URL");
            }
            return uri;
        } catch (IllegalArgumentException e) {
            throw new UsageException("agent: --server must be an http(s) URL like http://127.0.0.1:8080, was '" + raw + "'");
        }
    }

    /** The local executors for a backend name; the demo uses this too. */
    public static List<TargetExecutor> executors(String backend, Options o) {
        var clock = new SystemHostClock();
        List<TargetExecutor> executors = new ArrayList<>();
        switch (backend) {
            case "sim" -> {
                try {
                    SimFaults faults = SimFaults.parse(o.get("sim-faults", null));
                    if (o.has("sim-kernels")) {
                        SimSeries.FaultsFrom from = o.has("sim-faults-from")
                                ? SimSeries.FaultsFrom.parse(o.get("sim-faults-from", null)) : null;
                        for (SimSeries.Member m : SimSeries.of(o.get("sim-kernels", null), from, faults).members()) {
                            executors.add(simExecutor(clock, m.faults(), m.kernelRelease()));
                        }
                    } else {
                        executors.add(simExecutor(clock, faults, SimKernel.defaultRelease(faults)));
                    }
                } catch (IllegalArgumentException e) {
                    throw new UsageException("agent: " + e.getMessage());
                }
            }
            case "kvm" -> executors.add(new LocalExecutor(HostInfo.target("kvm"), clock, KvmHypervisor::open));
            case "lab" -> {
                List<String> kernels = o.has("kernels") ? List.of(o.get("kernels", "").split(",")) : List.of();
                List<String> sources = o.has("build-source") ? List.of(o.get("build-source", "").split(",")) : List.of();
                if (kernels.isEmpty() && sources.isEmpty() || kernels.stream().anyMatch(String::isBlank)) {
                    throw new UsageException("agent: --backend lab needs --kernels A,B,C (Debian releases or vmlinuz paths)"
                            + " and/or --build-source V (a kernel version to build from, e.g. 6.12.117)");
                }
                for (String base : sources) {
                    try {
                        new BuildRecipe(base, List.of(), "");
                    } catch (IllegalArgumentException e) {
                        throw new UsageException("agent: --build-source: " + e.getMessage());
                    }
                }
                try {
                    executors.add(LabExecutor.open(KernelLab.fromEnvironment(), kernels, sources));
                } catch (LabException e) {
                    throw new UsageException("agent: the kernel lab cannot start: " + e.getMessage());
                }
            }
            default -> throw new UsageException("agent: --backend must be auto, kvm, sim or lab, was '" + backend + "'");
        }
        if ((o.has("kernels") || o.has("build-source")) && !backend.equals("lab")) {
            throw new UsageException("agent: --kernels and --build-source are for --backend lab");
        }
        if ((o.has("sim-kernels") || o.has("sim-faults")) && !backend.equals("sim")) {
            throw new UsageException("agent: --sim-kernels and --sim-faults are for --backend sim");
        }
        if (o.has("sim-faults-from") && !o.has("sim-kernels")) {
            throw new UsageException("agent: --sim-faults-from needs a series: --sim-kernels A,B,C");
        }
        return executors;
    }

    private static LocalExecutor simExecutor(SystemHostClock clock, SimFaults faults, String kernelRelease) {
        return new LocalExecutor(new SimKernel(clock, faults, new Random(), kernelRelease).target(), clock,
                () -> new SimKernel(clock, faults, new Random(), kernelRelease));
    }

    public static boolean kvmUsable() {
        Path kvm = Path.of("/dev/kvm");
        return Files.isReadable(kvm) && Files.isWritable(kvm);
    }
}
