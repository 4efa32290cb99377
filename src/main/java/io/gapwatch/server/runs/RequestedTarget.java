package io.gapwatch.server.runs;

/** The target a run asked for; a null field means "any". */
public record RequestedTarget(String agent, String kernelRelease, String backend) {
}
