package io.gapwatch.agent;

import io.gapwatch.cli.Json;
import io.gapwatch.probe.ProbeReport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.stream.Stream;

/**
 * Finished results on disk until the server has them: written before the first delivery attempt,
 * removed only when the server answered. Nothing measured is lost to an outage or an agent restart.
 */
public final class Spool {
    private final Path dir;
    private final Path refused;

    public Spool(Path dir) {
        this.dir = dir;
        this.refused = dir.resolve("refused");
        try {
            Files.createDirectories(refused);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the result spool " + dir, e);
        }
    }

    /** One spooled result: the lease token it belongs to and the report. */
    public record Entry(long token, ProbeReport report) {
    }

    /** Atomically: a crash leaves either the whole file or none. */
    public void put(long token, ProbeReport report) throws IOException {
        Path tmp = dir.resolve(token + ".json.tmp");
        Files.writeString(tmp, Json.MAPPER.writeValueAsString(new Entry(token, report)));
        Files.move(tmp, dir.resolve(token + ".json"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    public List<Entry> pending() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".json"))
                    .sorted()
                    .map(p -> Json.MAPPER.readValue(p.toFile(), Entry.class))
                    .toList();
        }
    }

    /** How many results wait for delivery. */
    public long depth() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".json")).count();
        }
    }

    public void remove(long token) throws IOException {
        Files.deleteIfExists(dir.resolve(token + ".json"));
    }

    /** The server will never take this result (stale lease, invalid): kept aside for a person to look at. */
    public void refuse(long token, String why) throws IOException {
        Path file = dir.resolve(token + ".json");
        if (Files.exists(file)) {
            Files.move(file, refused.resolve(token + ".json"), StandardCopyOption.REPLACE_EXISTING);
            Files.writeString(refused.resolve(token + ".why"), why);
        }
    }
}
