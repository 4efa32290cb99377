package io.gapwatch.server.reports;

import io.gapwatch.export.ExportedRun;
import io.gapwatch.export.JunitXml;
import io.gapwatch.export.Kcidb;
import io.gapwatch.export.Ktap;
import io.gapwatch.cli.Json;
import io.gapwatch.probe.ProbeReport;
import io.gapwatch.probe.TargetInfo;
import io.gapwatch.server.runs.RunService;
import io.gapwatch.server.runs.RunView;
import io.gapwatch.server.sweeps.SweepService;
import io.gapwatch.server.web.ConflictException;
import io.gapwatch.server.web.InvalidRequestException;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import java.util.List;
import java.util.Locale;

/** A finished run, or a sweep's finished runs, in the formats kernel CI reads: KTAP, JUnit XML, KCIDB v5.3. */
@RestController
@Tag(name = "reports", description = "Results as KTAP (kselftest), JUnit XML (Jenkins, GitLab) and KCIDB v5.3 (KernelCI)")
class ReportController {
    private static final String FORMATS = "ktap, junit, kcidb";

    private final RunService runs;
    private final SweepService sweeps;
    private final String defaultOrigin;

    ReportController(RunService runs, SweepService sweeps,
                     @Value("${gapwatch.export.kcidb-origin:gapwatch}") String defaultOrigin) {
        this.runs = runs;
        this.sweeps = sweeps;
        this.defaultOrigin = defaultOrigin;
    }

    @GetMapping(value = "/api/v1/runs/{id}/report",
            produces = {MediaType.TEXT_PLAIN_VALUE, MediaType.APPLICATION_XML_VALUE, MediaType.APPLICATION_JSON_VALUE})
    @Operation(summary = "A finished run as KTAP (one test point per iteration), JUnit XML or KCIDB v5.3; "
            + "409 while it has no verdict")
    ResponseEntity<String> run(@PathVariable long id,
                               @Parameter(description = FORMATS) @RequestParam(defaultValue = "ktap") String format,
                               @Parameter(description = "KCIDB origin (lowercase letters, digits, _); default gapwatch.export.kcidb-origin")
                               @RequestParam(required = false) String origin) {
        Format f = Format.parse(format);
        String o = origin(origin);
        RunView run = runs.get(id);
        if (run.verdict() == null) {
            throw new ConflictException("run " + id + " is " + run.state() + ": its report exists once it has a verdict");
        }
        ExportedRun exported = exported(run);
        return switch (f) {
            case KTAP -> body(MediaType.TEXT_PLAIN, Ktap.write(exported.report()));
            case JUNIT -> body(MediaType.APPLICATION_XML, JunitXml.write("gapwatch run " + id, List.of(exported)));
            case KCIDB -> body(MediaType.APPLICATION_JSON, Json.MAPPER.writeValueAsString(Kcidb.write(o, List.of(exported))));
        };
    }

    @GetMapping(value = "/api/v1/sweeps/{id}/report",
            produces = {MediaType.TEXT_PLAIN_VALUE, MediaType.APPLICATION_XML_VALUE, MediaType.APPLICATION_JSON_VALUE})
    @Operation(summary = "A sweep's finished runs as KTAP (nested: kernel, run, iteration), JUnit XML (a testsuite "
            + "per kernel) or KCIDB v5.3; runs still queued or running are left out")
    ResponseEntity<String> sweep(@PathVariable long id,
                                 @Parameter(description = FORMATS) @RequestParam(defaultValue = "ktap") String format,
                                 @Parameter(description = "KCIDB origin (lowercase letters, digits, _); default gapwatch.export.kcidb-origin")
                                 @RequestParam(required = false) String origin) {
        Format f = Format.parse(format);
        String o = origin(origin);
        sweeps.find(id); // 404 for an unknown sweep
        List<ExportedRun> finished = runs.finishedOfSweep(id).stream().map(ReportController::exported).toList();
        return switch (f) {
            case KTAP -> body(MediaType.TEXT_PLAIN, Ktap.writeSweep(id, finished));
            case JUNIT -> body(MediaType.APPLICATION_XML, JunitXml.write("gapwatch sweep " + id, finished));
            case KCIDB -> body(MediaType.APPLICATION_JSON, Json.MAPPER.writeValueAsString(Kcidb.write(o, finished)));
        };
    }

    private enum Format {
        KTAP, JUNIT, KCIDB;

        static Format parse(String value) {
            try {
                return valueOf(value.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new InvalidRequestException("format", "'" + value + "' is not one of " + FORMATS);
            }
        }
    }

    private String origin(String requested) {
        String o = requested == null ? defaultOrigin : requested;
        if (!Kcidb.ORIGIN.matcher(o).matches()) {
            throw new InvalidRequestException("origin", "a KCIDB origin is lowercase letters, digits and _ only");
        }
        return o;
    }

    private static ResponseEntity<String> body(MediaType type, String text) {
        return ResponseEntity.ok().contentType(new MediaType(type, java.nio.charset.StandardCharsets.UTF_8)).body(text);
    }

    /** The run as the exports see it. */
    static ExportedRun exported(RunView v) {
        RunView.TargetView t = v.target();
        ProbeReport report = new ProbeReport(v.variant(), v.gapMs(), v.iterations(), v.strict(),
                new TargetInfo(t.backend(), t.kernelRelease(), t.cpuModel(), t.accelerator()), v.clockPath(), v.verdict(),
                v.expectedVerdict(), v.asExpected(), v.skipReason(), v.error(),
                v.measurements() == null ? List.of() : v.measurements(), v.errorKind(), null);
        return new ExportedRun(v.id(), t.agent(), report, v.startedAt(), v.finishedAt());
    }
}
