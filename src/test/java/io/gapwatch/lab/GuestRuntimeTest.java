package io.gapwatch.lab;

import io.gapwatch.cli.GapwatchHome;
import io.gapwatch.cli.Json;
import io.gapwatch.probe.ProbeReport;
import io.gapwatch.probe.Verdict;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The guest's Java runtime, built from the packaged gapwatch.jar (tag {@code lab}: it needs the jar), holds
 * what the probe needs and nothing else of the host, and runs the probe: checked here on the host with the
 * sim backend, in seconds, rather than in a guest.
 */
@Tag("lab")
class GuestRuntimeTest {
    @TempDir
    Path unpacked;

    @Test
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    void theTrimmedRuntimeRunsTheProbeAndHoldsNothingElse() throws Exception {
        Path jar = KernelLab.defaultJar();
        Assumptions.assumeTrue(jar != null && Files.isRegularFile(jar), "needs -Dgapwatch.jar (the packaged jar)");
        Path archive = GuestRuntime.forJar(GapwatchHome.path(), jar, Path.of(System.getProperty("java.home")),
                HostTools.find());

        Map<String, NewcReader.Entry> entries;
        try (InputStream in = Files.newInputStream(archive)) {
            entries = NewcReader.read(in);
        }
        assertThat(entries.keySet()).as("the probe's runtime and the C libraries it links, nothing else")
                .allMatch(p -> p.equals("TRAILER!!!") || p.startsWith("gapwatch") || p.startsWith("lib"));
        assertThat(entries.keySet()).contains("gapwatch/jre/bin/java", "gapwatch/native/libjnidispatch.so",
                "gapwatch/app/gapwatch-probe.jar");
        assertThat(entries.keySet()).anyMatch(p -> p.matches("lib/x86_64-linux-gnu/libc\\.so\\.6"));
        String release = new String(entries.get("gapwatch/jre/release").content(), StandardCharsets.UTF_8);
        assertThat(release).contains("java.base", "java.logging", "java.xml").doesNotContain("java.desktop", "java.sql");
        assertThat(entries.keySet()).filteredOn(p -> p.startsWith("gapwatch/app/"))
                .allMatch(p -> p.matches("gapwatch/app/(gapwatch-probe|jna-.*|jackson-(core|databind|annotations)-.*)\\.jar"));

        for (NewcReader.Entry e : entries.values()) {
            Path p = unpacked.resolve(e.name());
            if ((e.mode() & 0170000) == 0040000) {
                Files.createDirectories(p);
            } else if ((e.mode() & 0170000) == 0100000) {
                Files.createDirectories(p.getParent());
                Files.write(p, e.content());
                Files.setPosixFilePermissions(p, PosixFilePermissions.fromString((e.mode() & 0111) != 0 ? "rwxr-xr-x" : "rw-r--r--"));
            }
        }
        Path app = unpacked.resolve("gapwatch/app");
        String classpath;
        try (var jars = Files.list(app)) {
            classpath = String.join(":", jars.map(Path::toString).sorted().toList());
        }
        ProbeReport sim = probe(classpath, "sim");
        assertThat(sim.verdict()).isEqualTo(Verdict.PASS);
        assertThat(sim.measurements()).hasSize(2);
        // The kvm backend loads JNA and its native library from the runtime: whatever this host's /dev/kvm
        // offers (PASS, or SKIP without one or without Xen), never an ERROR of a runtime that lacks something.
        ProbeReport kvm = probe(classpath, "kvm");
        assertThat(kvm.verdict()).as(kvm.error()).isNotEqualTo(Verdict.ERROR);
    }

    private ProbeReport probe(String classpath, String backend) throws Exception {
        Process probe = new ProcessBuilder(unpacked.resolve("gapwatch/jre/bin/java").toString(),
                "-Djna.boot.library.path=" + unpacked.resolve("gapwatch/native"), "-Djna.nounpack=true",
                "-cp", classpath, "io.gapwatch.Gapwatch",
                "probe", "--backend", backend, "--iterations", "2", "--format", "json")
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String json = new String(probe.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(probe.waitFor(2, TimeUnit.MINUTES)).as("the probe (" + backend + ") in the trimmed runtime ended").isTrue();
        return Json.MAPPER.readValue(json, ProbeReport.class);
    }
}
