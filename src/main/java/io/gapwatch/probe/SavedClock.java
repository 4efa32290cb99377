package io.gapwatch.probe;

import io.gapwatch.kvm.ClockData;
import io.gapwatch.kvm.PvclockTimeInfo;

/** The clock state the source hands to the destination, per variant. */
sealed interface SavedClock {

    /** KVM_GET_CLOCK, and CLOCK_MONOTONIC right after it: clock-realtime and clock-frozen. */
    record Vm(ClockData data, long savedAtNs) implements SavedClock {
    }

    /** KVM_GET_CLOCK_GUEST plus the guest TSC it is a function of: clock-guest. */
    record Guest(PvclockTimeInfo pvti, long guestTsc, long tscKhz, long savedAtNs) implements SavedClock {
    }
}
