package io.gapwatch.cli;

import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "export", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"A finished run, or a sweep's finished runs, as KTAP, JUnit XML or KCIDB v5.3 JSON.",
                "  gapwatch export kcidb --sweep 7 --output kcidb.json    (a file a KernelCI submitter can send)"})
final class ExportCommand implements Callable<Integer> {
    @ParentCommand
    ClientCli cli;
    @Mixin
    ClientCli.ConnectionOptions connection;

    @Parameters(paramLabel = "FORMAT", description = "ktap, junit or kcidb")
    ClientCli.Format format;
    @ArgGroup(multiplicity = "1")
    Subject subject;
    @Option(names = "--output", paramLabel = "FILE", description = "write it here (default: stdout)")
    Path output;
    @Option(names = "--origin", description = "KCIDB origin: lowercase letters, digits, _ (default: the server's, gapwatch)")
    String origin;

    static final class Subject {
        @Option(names = "--run", required = true, description = "a finished run")
        Long run;
        @Option(names = "--sweep", required = true, description = "a sweep (its finished runs)")
        Long sweep;
    }

    @Override
    public Integer call() throws IOException {
        if (!format.isReport()) {
            throw new IllegalArgumentException("FORMAT must be ktap, junit or kcidb, was " + format.id());
        }
        String path = subject.run != null ? "/api/v1/runs/" + subject.run + "/report" : "/api/v1/sweeps/" + subject.sweep + "/report";
        String report = cli.client(connection).getText(path + ClientCli.reportQuery(format, origin));
        if (output == null) {
            cli.out.print(report);
        } else {
            Files.writeString(output, report);
            cli.err.println("gapwatch export: wrote " + output + " (" + format.id() + ", "
                    + (subject.run != null ? "run " + subject.run : "sweep " + subject.sweep) + ")");
        }
        return ClientCli.EXIT_PASS;
    }
}
