package io.gapwatch.probe;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * The probe process's open file descriptors and resident memory (from /proc/self), and its Java heap in use. Sampled by the hidden
 * {@code probe --resource-report} option at the start, every tenth of the run and at the end, so a long
 * run (the lab's soak) shows whether a VM's fds or memory leak across iterations.
 */
public final class ResourceUsage {
    private ResourceUsage() {
    }

    /**
     * One stderr line: {@code # resources: at=<when> fds=<n> rssKb=<n> heapUsedKb=<n>} (-1 where /proc has no
     * answer). Collects garbage first, between iterations and outside their measured window: otherwise RSS
     * grows with garbage waiting for its collection (eden pages touched for the first time), which looks like
     * a leak and is not one; after a collection, growth of either figure is memory the probe keeps.
     */
    public static String line(String when) {
        System.gc();
        Runtime rt = Runtime.getRuntime();
        long heapUsedKb = (rt.totalMemory() - rt.freeMemory()) / 1024;
        return "# resources: at=" + when + " fds=" + openFds() + " rssKb=" + rssKb() + " heapUsedKb=" + heapUsedKb;
    }

    static long openFds() {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count() - 1; // less the directory stream that lists them
        } catch (IOException e) {
            return -1;
        }
    }

    static long rssKb() {
        try (Stream<String> lines = Files.lines(Path.of("/proc/self/status"))) {
            return lines.filter(l -> l.startsWith("VmRSS:"))
                    .map(l -> Long.parseLong(l.replaceAll("\\D", "")))
                    .findFirst().orElse(-1L);
        } catch (IOException e) {
            return -1;
        }
    }
}
