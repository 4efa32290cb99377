package io.gapwatch.server.sweeps;

import io.gapwatch.server.web.FieldProblem;
import io.swagger.v3.oas.annotations.media.Schema;

import java.util.List;

/** {@code {"kernel":"K"}} or {@code {"previousSweep":true}}. */
public record BaselineRequest(
        @Schema(description = "compare with this kernel's series", example = "6.12.107+deb12-amd64") String kernel,
        @Schema(description = "compare with the previous sweep of the same schedule") Boolean previousSweep) {

    /** The baseline this names; problems go under {@code field}. */
    public Baseline toBaseline(String field, List<FieldProblem> problems) {
        boolean previous = Boolean.TRUE.equals(previousSweep);
        if (kernel != null && previous) {
            problems.add(new FieldProblem(field, "name a kernel or previousSweep, not both"));
            return null;
        }
        if (kernel != null) {
            if (kernel.isBlank() || kernel.length() > 200 || kernel.chars().anyMatch(Character::isISOControl)) {
                problems.add(new FieldProblem(field + ".kernel", "must be 1..200 characters without control characters"));
                return null;
            }
            return Baseline.ofKernel(kernel);
        }
        if (!previous) {
            problems.add(new FieldProblem(field, "name a kernel ({\"kernel\":\"...\"}) or {\"previousSweep\":true}"));
            return null;
        }
        return Baseline.ofPreviousSweep();
    }
}
