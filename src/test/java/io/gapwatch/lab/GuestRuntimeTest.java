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
import java.util.ArrayList;
import java.util.List;
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
    /** Each probe's class-load log ({@code -Xlog:class+load}): where every class came from. */
    @TempDir
    Path logs;

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
        String tree = new String(entries.get(GuestRuntime.POINTER).content(), StandardCharsets.UTF_8).strip();
        assertThat(Path.of(tree)).as("the guest finds the runtime where the host built it").isDirectory();
        String in = tree.substring(1) + "/";
        assertThat(entries.keySet()).as("the probe's runtime and the C libraries it links, nothing else")
                .allMatch(p -> p.equals("TRAILER!!!") || p.equals(GuestRuntime.POINTER) || p.startsWith("lib")
                        || (tree.substring(1) + "/").startsWith(p + "/") || p.startsWith(in));
        assertThat(entries.keySet()).contains(in + "jre/bin/java", in + "native/libjnidispatch.so",
                in + "app/gapwatch-probe.jar", in + "app.jsa", in + "classpath");
        assertThat(entries.keySet()).anyMatch(p -> p.matches("lib/x86_64-linux-gnu/libc\\.so\\.6"));
        String release = new String(entries.get(in + "jre/release").content(), StandardCharsets.UTF_8);
        assertThat(release).contains("java.base", "java.logging", "java.xml").doesNotContain("java.desktop", "java.sql");
        assertThat(entries.keySet()).filteredOn(p -> p.startsWith(in + "app/"))
                .allMatch(p -> p.substring(in.length()).matches("app/(gapwatch-probe|jna-.*|jackson-(core|databind|annotations)-.*)\\.jar"));

        // The guest's command, run here on the same paths: -Xshare:on fails if the class-data archive is unusable.
        ProbeReport sim = probe(Path.of(tree), "sim");
        assertThat(sim.verdict()).isEqualTo(Verdict.PASS);
        assertThat(sim.measurements()).hasSize(2);
        // The kvm backend loads JNA and its native library from the runtime: whatever this host's /dev/kvm
        // offers (PASS, or SKIP without one or without Xen), never an ERROR of a runtime that lacks something.
        ProbeReport kvm = probe(Path.of(tree), "kvm");
        assertThat(kvm.verdict()).as(kvm.error()).isNotEqualTo(Verdict.ERROR);
        // Under TCG a class read from a jar (parsed, verified) costs what the archive saves: none is.
        for (String backend : List.of("sim", "kvm")) {
            assertThat(Files.readAllLines(logs.resolve(backend + ".log")))
                    .as("classes the %s probe read from a jar instead of the class-data archive", backend)
                    .filteredOn(l -> l.contains("source: file:")).isEmpty();
        }
    }

    private ProbeReport probe(Path tree, String backend) throws Exception {
        List<String> command = new ArrayList<>(List.of(tree.resolve("jre/bin/java").toString()));
        command.addAll(GuestRuntime.JVM_OPTIONS);
        command.addAll(List.of("-Xshare:on", "-XX:SharedArchiveFile=" + tree.resolve("app.jsa"),
                "-Xlog:class+load:file=" + logs.resolve(backend + ".log"),
                "-Djna.boot.library.path=" + tree.resolve("native"), "-Djna.nounpack=true",
                "-cp", Files.readString(tree.resolve("classpath")), "io.gapwatch.Gapwatch",
                "probe", "--backend", backend, "--iterations", "2", "--format", "json"));
        Process probe = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String json = new String(probe.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(probe.waitFor(2, TimeUnit.MINUTES)).as("the probe (" + backend + ") in the trimmed runtime ended").isTrue();
        return Json.MAPPER.readValue(json, ProbeReport.class);
    }
}
