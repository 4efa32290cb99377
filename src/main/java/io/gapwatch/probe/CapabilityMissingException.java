package io.gapwatch.probe;

/** The kernel or host lacks something this variant needs: the run is SKIP with this reason. */
public class CapabilityMissingException extends Exception {
    public CapabilityMissingException(String reason) {
        super(reason);
    }
}
