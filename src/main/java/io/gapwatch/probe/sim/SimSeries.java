package io.gapwatch.probe.sim;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A series of simulated kernels ({@code sim:6.12.100}, {@code sim:6.12.101}, ...), one target each, where a
 * fault can apply from one kernel on: the shape of a kernel regression, so sweeps, regressions and bisection
 * can be exercised without a kernel. Versions compare numerically part by part, as kernel versions do.
 */
public record SimSeries(List<Member> members) {
    private static final Pattern VERSION = Pattern.compile("\\d{1,6}(\\.\\d{1,6}){0,3}");

    /** One simulated kernel of the series and the faults it has. */
    public record Member(String kernelRelease, SimFaults faults) {
    }

    /** Where in the series a fault starts: every kernel at or after {@code fromVersion} has {@code faults}. */
    public record FaultsFrom(String fromVersion, SimFaults faults) {
        /** Parses {@code VERSION:FAULTS}, FAULTS in the syntax of {@link SimFaults#parse}. */
        public static FaultsFrom parse(String spec) {
            String s = spec.trim();
            if (s.startsWith(SimKernel.RELEASE_PREFIX)) {
                s = s.substring(SimKernel.RELEASE_PREFIX.length());
            }
            int colon = s.indexOf(':');
            if (colon < 0) {
                throw new IllegalArgumentException("--sim-faults-from needs VERSION:FAULTS, e.g. 6.12.111:extra-error-ns=3000000; was '"
                        + spec + "'");
            }
            String version = version(s.substring(0, colon));
            String faults = s.substring(colon + 1);
            if (faults.isBlank()) {
                throw new IllegalArgumentException("--sim-faults-from " + version + ": names no fault");
            }
            return new FaultsFrom(version, SimFaults.parse(faults));
        }
    }

    /**
     * @param kernels     comma-separated versions, e.g. {@code 6.12.100,6.12.101} ({@code sim:} prefix optional)
     * @param faultsFrom  where a fault starts, or null
     * @param everywhere  faults every kernel of the series has (--sim-faults)
     */
    public static SimSeries of(String kernels, FaultsFrom faultsFrom, SimFaults everywhere) {
        List<Member> members = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (String raw : kernels.split(",", -1)) {
            String v = raw.trim();
            if (v.startsWith(SimKernel.RELEASE_PREFIX)) {
                v = v.substring(SimKernel.RELEASE_PREFIX.length());
            }
            String version = version(v);
            if (!seen.add(version)) {
                throw new IllegalArgumentException("--sim-kernels names " + version + " twice");
            }
            SimFaults faults = faultsFrom != null && compare(version, faultsFrom.fromVersion()) >= 0
                    ? everywhere.and(faultsFrom.faults()) : everywhere;
            members.add(new Member(SimKernel.RELEASE_PREFIX + version, faults));
        }
        return new SimSeries(List.copyOf(members));
    }

    /** Orders kernel versions numerically: 6.12.9 < 6.12.10 < 6.13. */
    public static int compare(String a, String b) {
        String[] x = a.split("\\.");
        String[] y = b.split("\\.");
        for (int i = 0; i < Math.min(x.length, y.length); i++) {
            int c = Integer.compare(Integer.parseInt(x[i]), Integer.parseInt(y[i]));
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(x.length, y.length);
    }

    private static String version(String s) {
        if (!VERSION.matcher(s).matches()) {
            throw new IllegalArgumentException("a sim kernel is a version like 6.12.100, was '" + s + "'");
        }
        return s;
    }
}
