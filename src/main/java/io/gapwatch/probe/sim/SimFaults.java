package io.gapwatch.probe.sim;

import java.util.Locale;

/**
 * Faults the simulated kernel can be told to have, to prove the harness notices them.
 *
 * @param lostGap         KVM_SET_CLOCK ignores KVM_CLOCK_REALTIME: the gap never reaches kvmclock
 * @param extraErrorNs    extra steal booked at the destination's first entry (an over-accounting kernel)
 * @param jitterNs        up to this much random extra steal per entry
 * @param noXen           built without CONFIG_KVM_XEN: KVM_CAP_XEN_HVM answers 0
 * @param clockGuest      the kernel has the proposed KVM_[GS]ET_CLOCK_GUEST ioctls
 * @param pre516Clock     the clock uAPI of 5.12-5.15: KVM_CAP_ADJUST_CLOCK answers KVM_CLOCK_TSC_STABLE only,
 *                        KVM_GET_CLOCK gives no realtime, KVM_SET_CLOCK refuses any flag with EINVAL
 * @param staleGuestArea  the guest's runstate area is written with time_runnable as it was before the
 *                        transition's accounting, so after a migration it lacks the gap the ioctl reports
 */
public record SimFaults(boolean lostGap, long extraErrorNs, long jitterNs, boolean noXen, boolean clockGuest,
                        boolean pre516Clock, boolean staleGuestArea) {
    private static final String NAMES =
            "lost-gap, extra-error-ns=N, jitter-ns=N, no-xen, clock-guest, pre-5.16, stale-guest-area";

    public static SimFaults none() {
        return new SimFaults(false, 0, 0, false, false, false, false);
    }

    /** These faults and {@code more}: either's flags, the sum of their extra error and jitter. */
    public SimFaults and(SimFaults more) {
        return new SimFaults(lostGap || more.lostGap, extraErrorNs + more.extraErrorNs, jitterNs + more.jitterNs,
                noXen || more.noXen, clockGuest || more.clockGuest, pre516Clock || more.pre516Clock,
                staleGuestArea || more.staleGuestArea);
    }

    /** Parses a comma-separated list of {@value #NAMES}. */
    public static SimFaults parse(String spec) {
        SimFaults f = none();
        if (spec == null || spec.isBlank()) {
            return f;
        }
        for (String item : spec.split(",")) {
            String[] kv = item.trim().toLowerCase(Locale.ROOT).split("=", 2);
            SimFaults one = switch (kv[0]) {
                case "lost-gap" -> new SimFaults(true, 0, 0, false, false, false, false);
                case "extra-error-ns" -> new SimFaults(false, number(kv), 0, false, false, false, false);
                case "jitter-ns" -> new SimFaults(false, 0, number(kv), false, false, false, false);
                case "no-xen" -> new SimFaults(false, 0, 0, true, false, false, false);
                case "clock-guest" -> new SimFaults(false, 0, 0, false, true, false, false);
                case "pre-5.16" -> new SimFaults(false, 0, 0, false, false, true, false);
                case "stale-guest-area" -> new SimFaults(false, 0, 0, false, false, false, true);
                default -> throw new IllegalArgumentException("unknown sim fault '" + kv[0] + "'; expected " + NAMES);
            };
            f = f.and(one);
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
