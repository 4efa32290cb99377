package io.gapwatch.server.series;

import io.gapwatch.probe.ProbeRequest;
import io.gapwatch.probe.TargetInfo;
import io.gapwatch.probe.Variant;
import io.gapwatch.server.web.InvalidRequestException;
import io.gapwatch.server.web.ListParams;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import java.time.Instant;
import java.time.format.DateTimeParseException;

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
        ListParams.requirePage(page, size, 500);
        if (backend != null && !TargetInfo.BACKENDS.contains(backend)) {
            throw new InvalidRequestException("backend", "must be one of kvm, lab, sim; was '" + backend + "'");
        }
        return service.list(new SeriesFilter(kernel("kernel", kernel, false), variant(variant), gapMs(gapMs), backend),
                page, size);
    }

    @GetMapping("/series/points")
    @Operation(summary = "One series (kernel, variant, gapMs) over time, downsampled by the server: per time bucket "
            + "the count and the median, p5, p95, min and max of errorNs; with the change points of the bucket medians")
    SeriesPoints points(@Parameter(example = "sim:6.12.112") @RequestParam(required = false) String kernel,
                        @Parameter(example = "clock-realtime") @RequestParam(required = false) String variant,
                        @Parameter(example = "10") @RequestParam(required = false) Integer gapMs,
                        @Parameter(description = "needed only when the kernel is measured on two backends")
                        @RequestParam(required = false) String backend,
                        @Parameter(description = "ISO-8601 instant; default: the series' first measurement")
                        @RequestParam(required = false) String from,
                        @Parameter(description = "ISO-8601 instant; default: the series' last measurement")
                        @RequestParam(required = false) String to,
                        @Parameter(description = "at most this many time buckets, 1 to " + MAX_BUCKETS)
                        @RequestParam(defaultValue = "200") int buckets) {
        if (variant == null) {
            throw new InvalidRequestException("variant", "is required: clock-realtime, clock-frozen or clock-guest");
        }
        if (gapMs == null) {
            throw new InvalidRequestException("gapMs", "is required: the gap in ms, 1 to " + ProbeRequest.MAX_GAP_MS);
        }
        if (backend != null && !TargetInfo.BACKENDS.contains(backend)) {
            throw new InvalidRequestException("backend", "must be one of kvm, lab, sim; was '" + backend + "'");
        }
        if (buckets < 1 || buckets > MAX_BUCKETS) {
            throw new InvalidRequestException("buckets", "must be between 1 and " + MAX_BUCKETS + ", was " + buckets);
        }
        return service.points(kernel("kernel", kernel, true), variant(variant), gapMs(gapMs), backend,
                instant("from", from), instant("to", to), buckets);
    }

    /** The change-point search holds a buckets x buckets table: 1000 is 8 MB. */
    private static final int MAX_BUCKETS = 1000;
    /** What PostgreSQL's timestamptz and a span in milliseconds both hold with room to spare. */
    private static final Instant EARLIEST = Instant.parse("1970-01-01T00:00:00Z");
    private static final Instant LATEST = Instant.parse("9999-12-31T23:59:59Z");

    static Instant instant(String field, String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        Instant t;
        try {
            t = Instant.parse(value);
        } catch (DateTimeParseException e) {
            throw new InvalidRequestException(field, "must be an ISO-8601 instant such as 2026-11-27T16:00:00Z, was '"
                    + (value.length() > 40 ? value.substring(0, 40) + "..." : value) + "'");
        }
        if (t.isBefore(EARLIEST) || t.isAfter(LATEST)) {
            throw new InvalidRequestException(field, "must be between " + EARLIEST + " and " + LATEST + ", was " + t);
        }
        return t;
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
