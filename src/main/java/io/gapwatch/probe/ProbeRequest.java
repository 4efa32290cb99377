package io.gapwatch.probe;

/** What to execute: {@code iterations} probes of one variant at one gap. */
public record ProbeRequest(Variant variant, int gapMs, int iterations, VerdictRules rules) {
    public static final int DEFAULT_GAP_MS = 10;
    public static final int MAX_GAP_MS = 60_000;
    public static final int MAX_ITERATIONS = 1000;

    public ProbeRequest {
        if (gapMs < 1 || gapMs > MAX_GAP_MS) {
            throw new IllegalArgumentException("gapMs must be between 1 and " + MAX_GAP_MS + ", was " + gapMs);
        }
        if (iterations < 1 || iterations > MAX_ITERATIONS) {
            throw new IllegalArgumentException("iterations must be between 1 and " + MAX_ITERATIONS + ", was " + iterations);
        }
    }
}
