package io.gapwatch.probe;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import io.gapwatch.kvm.ClockData;

/**
 * How a run carried the vCPU's clock across the gap: the variant asks, the kernel decides. clock-realtime
 * takes {@link #KVM_CLOCK_REALTIME} where KVM_CAP_ADJUST_CLOCK lists KVM_CLOCK_REALTIME (5.16 on), else
 * {@link #ELAPSED_MONOTONIC}: before 5.16 KVM_SET_CLOCK refuses every flag with EINVAL.
 */
public enum ClockPath {
    /** KVM_SET_CLOCK with KVM_CLOCK_REALTIME: the kernel adds CLOCK_REALTIME's advance since the save. */
    KVM_CLOCK_REALTIME("kvm-clock-realtime"),
    /** KVM_SET_CLOCK with flags 0, the saved clock plus the CLOCK_MONOTONIC time elapsed since the save, added by the probe. */
    ELAPSED_MONOTONIC("elapsed-monotonic"),
    /** KVM_SET_CLOCK with flags 0 and the saved clock unchanged: clock-frozen, the gap is lost on purpose. */
    FROZEN("frozen"),
    /** KVM_SET_CLOCK_GUEST plus the guest TSC moved on by the gap: clock-guest. */
    CLOCK_GUEST("clock-guest");

    private final String id;

    ClockPath(String id) {
        this.id = id;
    }

    /** The name in reports, the API and the database. */
    @JsonValue
    public String id() {
        return id;
    }

    @JsonCreator
    public static ClockPath fromId(String id) {
        for (ClockPath p : values()) {
            if (p.id.equals(id)) {
                return p;
            }
        }
        throw new IllegalArgumentException("unknown clock path '" + id + "'");
    }

    /** The path of {@code variant} on a kernel whose KVM_CHECK_EXTENSION(KVM_CAP_ADJUST_CLOCK) is {@code adjustClockFlags}. */
    public static ClockPath of(Variant variant, int adjustClockFlags) {
        return switch (variant) {
            case CLOCK_REALTIME -> (adjustClockFlags & ClockData.REALTIME) != 0
                    ? KVM_CLOCK_REALTIME : ELAPSED_MONOTONIC;
            case CLOCK_FROZEN -> FROZEN;
            case CLOCK_GUEST -> CLOCK_GUEST;
        };
    }

    @Override
    public String toString() {
        return id;
    }
}
