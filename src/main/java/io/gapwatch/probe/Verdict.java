package io.gapwatch.probe;

/** The outcome of an iteration or a run. */
public enum Verdict {
    PASS, FAIL,
    /** A capability is missing: the kernel cannot run this variant. Not a failure of the kernel. */
    SKIP,
    /** The harness itself broke (an unexpected ioctl failure, a lost agent): says nothing about the kernel. */
    ERROR
}
