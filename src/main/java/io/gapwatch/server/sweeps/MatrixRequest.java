package io.gapwatch.server.sweeps;

import io.gapwatch.probe.ProbeRequest;
import io.gapwatch.probe.TargetInfo;
import io.gapwatch.probe.Variant;
import io.gapwatch.server.web.FieldProblem;
import io.swagger.v3.oas.annotations.media.Schema;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** A sweep's matrix as a client sends it; everything has a default. */
public record MatrixRequest(
        @Schema(description = "kernel releases; left out: every kernel a registered agent serves",
                example = "[\"6.12.113+deb12-amd64\",\"6.12.117+deb12-amd64\"]")
        List<String> kernels,
        @Schema(description = "kvm, lab or sim; left out: any backend serving the kernel", example = "lab")
        String backend,
        @Schema(description = "variants to run", example = "[\"clock-realtime\",\"clock-frozen\"]",
                defaultValue = "[\"clock-realtime\",\"clock-frozen\"]")
        List<String> variants,
        @Schema(description = "migration gaps in ms, each 1..60000", example = "[10,50]", defaultValue = "[10]")
        List<Integer> gapsMs,
        @Schema(description = "probes per run, 1..1000", example = "5", defaultValue = "5")
        Integer iterations,
        @Schema(description = "runs per cell (kernel x variant x gap), 1..100", example = "3", defaultValue = "1")
        Integer repeats,
        @Schema(description = "an iteration outside its accuracy bracket fails the run", defaultValue = "false")
        Boolean strict) {

    static final int MAX_KERNELS = 1000;
    static final int MAX_GAPS = 50;
    static final int MAX_REPEATS = 100;
    static final int DEFAULT_ITERATIONS = 5;
    private static final int MAX_NAME = 200;

    /**
     * The matrix this asks for, with defaults filled in; problems are added under {@code field} (e.g. "matrix").
     * A matrix naming its kernels that expands to more than {@code maxRuns} runs is refused here, before anything
     * is looked up; one that leaves them out is counted once the served kernels are known.
     */
    public Matrix toMatrix(String field, long maxRuns, List<FieldProblem> problems) {
        int before = problems.size();
        List<String> k = null;
        if (kernels != null) {
            if (kernels.isEmpty()) {
                problems.add(new FieldProblem(field + ".kernels",
                        "must name at least one kernel, or be left out for every kernel the agents serve"));
            } else if (kernels.size() > MAX_KERNELS) {
                problems.add(new FieldProblem(field + ".kernels", "names " + kernels.size() + " kernels; at most " + MAX_KERNELS));
            } else {
                k = distinctNames(field + ".kernels", kernels, problems);
            }
        }
        if (backend != null && !TargetInfo.BACKENDS.contains(backend)) {
            problems.add(new FieldProblem(field + ".backend", "must be one of kvm, lab, sim; was '" + backend + "'"));
        }
        List<Variant> v = List.of(Variant.CLOCK_REALTIME, Variant.CLOCK_FROZEN);
        if (variants != null) {
            v = variants(field + ".variants", problems);
        }
        List<Integer> g = List.of(ProbeRequest.DEFAULT_GAP_MS);
        if (gapsMs != null) {
            g = gaps(field + ".gapsMs", problems);
        }
        int it = iterations == null ? DEFAULT_ITERATIONS : iterations;
        if (it < 1 || it > ProbeRequest.MAX_ITERATIONS) {
            problems.add(new FieldProblem(field + ".iterations", "must be between 1 and " + ProbeRequest.MAX_ITERATIONS + ", was " + it));
        }
        int rep = repeats == null ? 1 : repeats;
        if (rep < 1 || rep > MAX_REPEATS) {
            problems.add(new FieldProblem(field + ".repeats", "must be between 1 and " + MAX_REPEATS + ", was " + rep));
        }
        if (problems.size() > before) {
            return null;
        }
        Matrix matrix = new Matrix(k, backend, v, g, it, rep, Boolean.TRUE.equals(strict));
        if (k != null) {
            checkSize(field, matrix, k.size(), maxRuns, problems);
        }
        return problems.size() > before ? null : matrix;
    }

    /** Refuses a matrix of more than {@code maxRuns} runs, saying how it multiplies up. */
    static void checkSize(String field, Matrix m, int kernelCount, long maxRuns, List<FieldProblem> problems) {
        long runs = kernelCount * m.runsPerKernel();
        if (runs > maxRuns) {
            problems.add(new FieldProblem(field, "expands to " + runs + " runs (" + kernelCount + " kernels x "
                    + m.variants().size() + " variants x " + m.gapsMs().size() + " gaps x " + m.repeats()
                    + " repeats); a sweep may have at most " + maxRuns));
        }
    }

    private static List<String> distinctNames(String field, List<String> names, List<FieldProblem> problems) {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < names.size(); i++) {
            String n = names.get(i);
            if (n == null || n.isBlank() || n.length() > MAX_NAME || n.chars().anyMatch(Character::isISOControl)) {
                problems.add(new FieldProblem(field + "[" + i + "]", "must be 1.." + MAX_NAME + " characters without control characters"));
            } else if (!seen.add(n)) {
                problems.add(new FieldProblem(field + "[" + i + "]", "'" + n + "' is named twice"));
            }
        }
        return List.copyOf(names.stream().filter(n -> n != null).toList());
    }

    private List<Variant> variants(String field, List<FieldProblem> problems) {
        if (variants.isEmpty()) {
            problems.add(new FieldProblem(field, "must name at least one variant: " + Variant.ids()));
            return List.of();
        }
        List<Variant> result = new ArrayList<>();
        for (int i = 0; i < variants.size(); i++) {
            try {
                Variant variant = Variant.fromId(variants.get(i));
                if (result.contains(variant)) {
                    problems.add(new FieldProblem(field + "[" + i + "]", "'" + variant + "' is named twice"));
                }
                result.add(variant);
            } catch (IllegalArgumentException e) {
                problems.add(new FieldProblem(field + "[" + i + "]", e.getMessage()));
            }
        }
        return List.copyOf(result);
    }

    private List<Integer> gaps(String field, List<FieldProblem> problems) {
        if (gapsMs.isEmpty()) {
            problems.add(new FieldProblem(field, "must name at least one gap (ms)"));
            return List.of();
        }
        if (gapsMs.size() > MAX_GAPS) {
            problems.add(new FieldProblem(field, "names " + gapsMs.size() + " gaps; at most " + MAX_GAPS));
            return List.of();
        }
        List<Integer> result = new ArrayList<>();
        for (int i = 0; i < gapsMs.size(); i++) {
            Integer gap = gapsMs.get(i);
            if (gap == null || gap < 1 || gap > ProbeRequest.MAX_GAP_MS) {
                problems.add(new FieldProblem(field + "[" + i + "]", "must be between 1 and " + ProbeRequest.MAX_GAP_MS + " ms, was " + gap));
            } else if (result.contains(gap)) {
                problems.add(new FieldProblem(field + "[" + i + "]", gap + " is named twice"));
            } else {
                result.add(gap);
            }
        }
        return List.copyOf(result);
    }
}
