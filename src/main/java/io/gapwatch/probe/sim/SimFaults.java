package io.gapwatch.probe.sim;

import java.util.Locale;

/**
 * Faults the simulated kernel can be told to have, to prove the harness notices them.
 *
 * @param lostGap       KVM_SET_CLOCK ignores KVM_CLOCK_REALTIME: the gap never reaches kvmclock
 * @param extraErrorNs  extra steal booked at the destination's first entry (an over-accounting kernel)
 * @param jitterNs      up to this much random extra steal per entry
 * @param noXen         built without CONFIG_KVM_XEN: KVM_CAP_XEN_HVM answers 0
 * @param clockGuest    the kernel has the proposed KVM_[GS]ET_CLOCK_GUEST ioctls
 */
public record SimFaults(boolean lostGap, long extraErrorNs, long jitterNs, boolean noXen, boolean clockGuest) {

    public static SimFaults none() {
        return new SimFaults(false, 0, 0, false, false);
    }

    /** These faults and {@code more}: either's flags, the sum of their extra error and jitter. */
    public SimFaults and(SimFaults more) {
        return new SimFaults(lostGap || more.lostGap, extraErrorNs + more.extraErrorNs, jitterNs + more.jitterNs,
                noXen || more.noXen, clockGuest || more.clockGuest);
    }

    /**
     * Parses a comma-separated list: {@code lost-gap, extra-error-ns=N, jitter-ns=N, no-xen, clock-guest}.
     */
    public static SimFaults parse(String spec) {
        SimFaults f = none();
        if (spec == null || spec.isBlank()) {
            return f;
        }
        for (String item : spec.split(",")) {
            String[] kv = item.trim().toLowerCase(Locale.ROOT).split("=", 2);
            switch (kv[0]) {
                case "lost-gap" -> f = new SimFaults(true, f.extraErrorNs, f.jitterNs, f.noXen, f.clockGuest);
                case "extra-error-ns" -> f = new SimFaults(f.lostGap, number(kv), f.jitterNs, f.noXen, f.clockGuest);
                case "jitter-ns" -> f = new SimFaults(f.lostGap, f.extraErrorNs, number(kv), f.noXen, f.clockGuest);
                case "no-xen" -> f = new SimFaults(f.lostGap, f.extraErrorNs, f.jitterNs, true, f.clockGuest);
                case "clock-guest" -> f = new SimFaults(f.lostGap, f.extraErrorNs, f.jitterNs, f.noXen, true);
                default -> throw new IllegalArgumentException("unknown sim fault '" + kv[0]
                        + "'; expected lost-gap, extra-error-ns=N, jitter-ns=N, no-xen, clock-guest");
            }
        }
        return f;
    }

    private static long number(String[] kv) {
        if (kv.length != 2) {
            throw new IllegalArgumentException("sim fault '" + kv[0] + "' needs a value, e.g. " + kv[0] + "=1000000");
        }
        try {
            long n = Long.parseLong(kv[1]);
            if (n < 0) {
                throw new IllegalArgumentException("sim fault '" + kv[0] + "' must not be negative");
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("sim fault '" + kv[0] + "' needs a number, got '" + kv[1] + "'");
        }
    }
}
