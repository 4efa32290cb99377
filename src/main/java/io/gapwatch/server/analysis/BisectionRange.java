package io.gapwatch.server.analysis;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.IntStream;

/**
 * The kernels of one series from a known-good one to a known-bad one, in Debian version order, narrowed one
 * verdict at a time until the bad kernel follows the good one directly: that kernel is the first bad. A kernel that
 * cannot be tested (its build failed) is skipped, as {@code git bisect skip} does: the next step is the untested
 * kernel nearest the middle, and when only skipped kernels are left the answer is a list of candidates.
 *
 * @param kernels the good kernel, every available kernel strictly between, the bad kernel
 * @param good    index of the last kernel known good
 * @param bad     index of the first kernel known bad
 */
public record BisectionRange(List<String> kernels, int good, int bad) {

    public BisectionRange {
        kernels = List.copyOf(kernels);
        if (good < 0 || bad >= kernels.size() || good >= bad) {
            throw new IllegalArgumentException("a bisection needs a good kernel before a bad one");
        }
    }

    /**
     * Every kernel of {@code available} in the series of {@code good} and {@code bad} and strictly between them.
     *
     * @throws IllegalArgumentException if good and bad are of different series, or good is not older than bad
     */
    public static BisectionRange between(String good, String bad, Collection<String> available) {
        KernelVersion g = KernelVersion.parse(good);
        KernelVersion b = KernelVersion.parse(bad);
        if (!g.sameSeries(b)) {
            throw new IllegalArgumentException("'" + good + "' (series " + g.series() + ") and '" + bad
                    + "' (series " + b.series() + ") are not of one series");
        }
        if (g.compareTo(b) >= 0) {
            throw new IllegalArgumentException("good kernel '" + good + "' is not older than bad kernel '" + bad + "'");
        }
        List<String> kernels = new ArrayList<>();
        kernels.add(good);
        available.stream().distinct().map(KernelVersion::parse)
                .filter(k -> k.sameSeries(g) && k.compareTo(g) > 0 && k.compareTo(b) < 0)
                .sorted()
                .forEach(k -> kernels.add(k.release()));
        kernels.add(bad);
        return new BisectionRange(kernels, 0, kernels.size() - 1);
    }

    public boolean done() {
        return bad - good == 1;
    }

    /** The midpoint to run next. */
    public String next() {
        if (done()) {
            throw new IllegalStateException("the bisection is done: first bad is " + firstBad());
        }
        return kernels.get((good + bad) / 2);
    }

    /**
     * The kernel to run next when the {@code skipped} ones cannot be tested: the untested kernel of the open range
     * nearest its middle (the older one of two as near), or empty when only skipped kernels are left.
     */
    public Optional<String> next(Collection<String> skipped) {
        int middle = (good + bad) / 2;
        return IntStream.range(good + 1, bad).boxed()
                .filter(i -> !skipped.contains(kernels.get(i)))
                .min(Comparator.comparingInt((Integer i) -> Math.abs(i - middle)).thenComparingInt(i -> i))
                .map(kernels::get);
    }

    /** The kernels the first bad one can be when the {@code skipped} ones are not known: those of the open range, and the bad one. */
    public List<String> firstBadCandidates(Collection<String> skipped) {
        List<String> candidates = new ArrayList<>(kernels.subList(good + 1, bad).stream().filter(skipped::contains).toList());
        candidates.add(firstBad());
        return candidates;
    }

    /** The range after {@code kernel} (the one {@link #next()} named) was found good or bad. */
    public BisectionRange narrow(String kernel, boolean isBad) {
        int i = kernels.indexOf(kernel);
        if (i <= good || i >= bad) {
            throw new IllegalArgumentException("'" + kernel + "' is not inside the remaining range");
        }
        return isBad ? new BisectionRange(kernels, good, i) : new BisectionRange(kernels, i, bad);
    }

    public String lastGood() {
        return kernels.get(good);
    }

    public String firstBad() {
        return kernels.get(bad);
    }
}
