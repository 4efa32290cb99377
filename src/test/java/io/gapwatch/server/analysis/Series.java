package io.gapwatch.server.analysis;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Generated measurements: a seeded random source, so every test sees the same "noise" every time. */
final class Series {
    private final Random random;

    Series(long seed) {
        random = new Random(seed);
    }

    /** Iterations of a kernel that passes, errorNs = shift + uniform noise in [0, jitter), within the bracket if the error is under 1 ms. */
    List<Sample> passing(int n, long shiftNs, long jitterNs) {
        List<Sample> samples = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            long error = shiftNs + (jitterNs == 0 ? 0 : (long) (random.nextDouble() * jitterNs));
            samples.add(new Sample(error, true, Math.abs(error) < 1_000_000));
        }
        return samples;
    }

    /** Iterations of the negative control: the gap is lost, so the error is minus the gap. */
    List<Sample> frozen(int n, int gapMs) {
        List<Sample> samples = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            samples.add(new Sample(-gapMs * 1_000_000L + (long) (random.nextDouble() * 50_000), false, false));
        }
        return samples;
    }

    double[] levels(int n, double level, double noise) {
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = level + random.nextGaussian() * noise;
        }
        return x;
    }

    static double[] concat(double[] a, double[] b) {
        double[] x = new double[a.length + b.length];
        System.arraycopy(a, 0, x, 0, a.length);
        System.arraycopy(b, 0, x, a.length, b.length);
        return x;
    }
}
