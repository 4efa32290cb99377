package io.gapwatch.lab;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.TimeUnit;

/**
 * Runs a host tool with an argument list (never through a shell: kernel names and paths come from users)
 * and always reaps it, also on timeout and interruption.
 */
final class Exec {
    /** Output kept for error messages; apt and dpkg say what went wrong in their last lines. */
    private static final int MAX_OUTPUT = 16 * 1024;

    record Result(int exitCode, String output) {
        boolean ok() {
            return exitCode == 0;
        }
    }

    private Exec() {
    }

    /** Runs {@code command} in {@code dir} with stdout and stderr merged, waiting at most {@code timeout}. */
    static Result run(List<String> command, Path dir, Duration timeout) throws LabException {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        if (dir != null) {
            builder.directory(dir.toFile());
        }
        return await(command, start(builder), timeout, true);
    }

    /** Runs {@code command} with its stdout written to {@code output} (a decompressor, say). */
    static Result runTo(List<String> command, Path output, Duration timeout) throws LabException {
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectOutput(output.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        return await(command, start(builder), timeout, false);
    }

    private static Process start(ProcessBuilder builder) throws LabException {
        try {
            return builder.start();
        } catch (IOException e) {
            throw new LabException("cannot run " + builder.command().get(0) + ": " + e.getMessage(), e);
        }
    }

    private static Result await(List<String> command, Process process, Duration timeout, boolean outputOnStdout)
            throws LabException {
        InputStream stream = outputOnStdout ? process.getInputStream() : process.getErrorStream();
        // Read on another thread: a hung tool that keeps its output open must not outlast the timeout.
        CompletableFuture<String> output = CompletableFuture.supplyAsync(() -> readBounded(stream), Exec::daemon);
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new LabException(String.join(" ", command) + " did not finish within " + timeout.toSeconds() + " s");
            }
            return new Result(process.exitValue(), output.get(10, TimeUnit.SECONDS));
        } catch (ExecutionException | TimeoutException e) {
            throw new LabException("reading the output of " + command.get(0) + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LabException("interrupted while waiting for " + command.get(0), e);
        } finally {
            process.destroyForcibly();
            reap(process);
        }
    }

    private static void daemon(Runnable task) {
        Thread thread = new Thread(task, "gapwatch-exec-output");
        thread.setDaemon(true);
        thread.start();
    }

    /** Waits for a killed process so it leaves no zombie; an interrupt is kept for the caller. */
    static void reap(Process process) {
        boolean interrupted = false;
        while (true) {
            try {
                process.waitFor();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** Reads to the end, keeping the last {@link #MAX_OUTPUT} bytes. */
    private static String readBounded(InputStream in) {
        try (in) {
            return readBoundedOrThrow(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String readBoundedOrThrow(InputStream in) throws IOException {
        byte[] kept = new byte[MAX_OUTPUT];
        long total = 0;
        byte[] buffer = new byte[8192];
        int n;
        while ((n = in.read(buffer)) > 0) {
            for (int i = 0; i < n; i++) {
                kept[(int) (total++ % MAX_OUTPUT)] = buffer[i];
            }
        }
        if (total <= MAX_OUTPUT) {
            return new String(kept, 0, (int) total, StandardCharsets.UTF_8);
        }
        int start = (int) (total % MAX_OUTPUT);
        byte[] ordered = new byte[MAX_OUTPUT];
        System.arraycopy(kept, start, ordered, 0, MAX_OUTPUT - start);
        System.arraycopy(kept, 0, ordered, MAX_OUTPUT - start, start);
        return new String(ordered, StandardCharsets.UTF_8);
    }
}
