package io.gapwatch.probe;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** What this host says about itself: kernel release (uname -r) and CPU model. */
public final class HostInfo {
    private HostInfo() {
    }

    public static String kernelRelease() {
        return read(Path.of("/proc/sys/kernel/osrelease"), System.getProperty("os.version"));
    }

    public static String cpuModel() {
        try (var lines = Files.lines(Path.of("/proc/cpuinfo"))) {
            return lines.filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).trim())
                    .findFirst().orElse("unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }

    public static String hostname() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "unknown";
        }
    }

    public static TargetInfo target(String backend) {
        return new TargetInfo(backend, kernelRelease(), cpuModel(), null);
    }

    private static String read(Path path, String fallback) {
        try {
            return Files.readString(path).trim();
        } catch (IOException e) {
            return fallback;
        }
    }
}
