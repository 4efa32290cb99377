package io.gapwatch.probe;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.OptionalLong;

/** The real clocks: System.nanoTime is CLOCK_MONOTONIC on Linux; run_delay from /proc/thread-self/schedstat. */
public final class SystemHostClock implements HostClock {
    private static final Path SCHEDSTAT = Path.of("/proc/thread-self/schedstat");

    @Override
    public long monotonicNs() {
        return System.nanoTime();
    }

    @Override
    public long realtimeNs() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    @Override
    public void sleep(long ns) throws InterruptedException {
        Thread.sleep(ns / 1_000_000L, (int) (ns % 1_000_000L));
    }

    /** Second field of schedstat; empty where it cannot be read (no /proc, no schedstats), never a made-up 0. */
    @Override
    public OptionalLong runDelayNs() {
        try {
            String[] fields = Files.readString(SCHEDSTAT).trim().split("\\s+");
            return OptionalLong.of(Long.parseLong(fields[1]));
        } catch (IOException | RuntimeException e) {
            return OptionalLong.empty();
        }
    }
}
