package io.gapwatch.probe;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Arrays;
import java.util.stream.Collectors;

/** How the vCPU's clock crosses the migration gap. */
public enum Variant {
    /** The seed as written: KVM_GET_CLOCK_GUEST / KVM_SET_CLOCK_GUEST (proposed, not in mainline) plus the guest TSC. */
    CLOCK_GUEST("clock-guest", Verdict.PASS),
    /** KVM_GET_CLOCK / KVM_SET_CLOCK with KVM_CLOCK_REALTIME (mainline 5.16+): the gap reaches kvmclock. */
    CLOCK_REALTIME("clock-realtime", Verdict.PASS),
    /** KVM_SET_CLOCK with flags 0, as a naive VMM does: the gap is lost. The negative control. */
    CLOCK_FROZEN("clock-frozen", Verdict.FAIL);

    private final String id;
    private final Verdict expectedVerdict;

    Variant(String id, Verdict expectedVerdict) {
        this.id = id;
        this.expectedVerdict = expectedVerdict;
    }

    /** The name used on the command line, in the API and in the database. */
    @JsonValue
    public String id() {
        return id;
    }

    public Verdict expectedVerdict() {
        return expectedVerdict;
    }

    @JsonCreator
    public static Variant fromId(String id) {
        for (Variant v : values()) {
            if (v.id.equals(id)) {
                return v;
            }
        }
        throw new IllegalArgumentException("unknown variant '" + id + "'; expected one of " + ids());
    }

    public static String ids() {
        return Arrays.stream(values()).map(Variant::id).collect(Collectors.joining(", "));
    }

    @Override
    public String toString() {
        return id;
    }
}
