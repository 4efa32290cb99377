package io.gapwatch.server.series;

import io.gapwatch.probe.ProbeRequest;
import io.gapwatch.probe.TargetInfo;
import io.gapwatch.probe.Variant;
import io.gapwatch.server.web.InvalidRequestException;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/api/v1")
@Tag(name = "series", description = "Statistics per series (kernel, variant, gapMs, backend) and kernel-to-kernel compare")
class SeriesController {
    private final SeriesService service;

    SeriesController(SeriesService service) {
        this.service = service;
    }

    @GetMapping("/series")
    @Operation(summary = "Series with n, pass and withinBracket rates, median, p95 and MAD of errorNs, from every measurement")
    SeriesView.Page list(@RequestParam(required = false) String kernel,
                         @RequestParam(required = false) String variant,
                         @RequestParam(required = false) Integer gapMs,
                         @RequestParam(required = false) String backend,
                         @RequestParam(defaultValue = "0") int page,
                         @RequestParam(defaultValue = "50") int size) {
        if (page < 0) {
            throw new InvalidRequestException("page", "must be 0 or more, was " + page);
        }
        if (size < 1 || size > 500) {
            throw new InvalidRequestException("size", "must be between 1 and 500, was " + size);
        }
        if (backend != null && !TargetInfo.BACKENDS.contains(backend)) {
            throw new InvalidRequestException("backend", "must be one of kvm, lab, sim; was '" + backend + "'");
        }
        return service.list(new SeriesFilter(kernel("kernel", kernel, false), variant(variant), gapMs(gapMs), backend),
                page, size);
    }

    @GetMapping("/compare")
    @Operation(summary = "Compare every series of kernel head with kernel base: a category (regression, fixed, "
            + "still-failing, new-pass, unchanged, insufficient-data) with the tests, p-values and effect sizes behind it")
    CompareView compare(@Parameter(description = "the baseline kernel", example = "sim:6.12.107") @RequestParam(required = false) String base,
                        @Parameter(description = "the kernel under test", example = "sim:6.12.111") @RequestParam(required = false) String head,
                        @RequestParam(required = false) String variant,
                        @RequestParam(required = false) Integer gapMs) {
        return service.compare(kernel("base", base, true), kernel("head", head, true), variant(variant), gapMs(gapMs));
    }

    static String kernel(String field, String value, boolean required) {
        if (value == null || value.isBlank()) {
            if (required) {
                throw new InvalidRequestException(field, "is required: a kernel release, e.g. 6.12.117+deb12-amd64");
            }
            return null;
        }
        if (value.length() > 200 || value.chars().anyMatch(Character::isISOControl)) {
            throw new InvalidRequestException(field, "must be at most 200 characters without control characters");
        }
        return value;
    }

    static String variant(String value) {
        if (value == null) {
            return null;
        }
        try {
            return Variant.fromId(value).id();
        } catch (IllegalArgumentException e) {
            throw new InvalidRequestException("variant", e.getMessage());
        }
    }

    static Integer gapMs(Integer value) {
        if (value != null && (value < 1 || value > ProbeRequest.MAX_GAP_MS)) {
            throw new InvalidRequestException("gapMs", "must be between 1 and " + ProbeRequest.MAX_GAP_MS + ", was " + value);
        }
        return value;
    }
}
