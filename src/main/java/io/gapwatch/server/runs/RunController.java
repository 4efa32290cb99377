package io.gapwatch.server.runs;

import io.gapwatch.probe.Variant;
import io.gapwatch.probe.Verdict;
import io.gapwatch.server.web.InvalidRequestException;
import io.gapwatch.server.web.ListParams;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.support.ServletUriComponentsBuilder;

import java.util.function.Function;

@RestController
@RequestMapping("/api/v1/runs")
@Tag(name = "runs", description = "Trigger migration-gap runs and read their verdicts and measurements")
class RunController {
    private final RunService service;

    RunController(RunService service) {
        this.service = service;
    }

    @PostMapping
    @Operation(summary = "Queue a run: N iterations of one variant at one gap on a target")
    ResponseEntity<RunView> create(@RequestBody CreateRunRequest request) {
        Run run = service.create(request);
        var location = ServletUriComponentsBuilder.fromCurrentRequest().path("/{id}").buildAndExpand(run.id()).toUri();
        return ResponseEntity.created(location).body(service.get(run.id()));
    }

    @GetMapping("/{id}")
    @Operation(summary = "One run with its measurements and history")
    RunView get(@PathVariable long id) {
        return service.get(id);
    }

    @GetMapping
    @Operation(summary = "Runs, newest first, filtered and paged")
    RunPage list(@RequestParam(required = false) String state,
                 @RequestParam(required = false) String verdict,
                 @RequestParam(required = false) String kernel,
                 @RequestParam(required = false) String variant,
                 @RequestParam(required = false) String agent,
                 @RequestParam(required = false) Long sweep,
                 @RequestParam(defaultValue = "0") int page,
                 @RequestParam(defaultValue = "50") int size) {
        ListParams.requirePage(page, size, 500);
        requirePlainText("kernel", kernel);
        requirePlainText("agent", agent);
        RunFilter filter = new RunFilter(
                ListParams.oneOf("state", state, RunState.class),
                ListParams.oneOf("verdict", verdict, Verdict.class),
                kernel,
                parse("variant", variant, Variant::fromId, Variant.ids()),
                agent, sweep);
        return service.list(filter, page, size);
    }

    @PostMapping("/{id}/cancel")
    @Operation(summary = "Cancel a run that has not finished; an agent's later result for it is refused")
    RunView cancel(@PathVariable long id) {
        return service.cancel(id);
    }

    private static void requirePlainText(String field, String value) {
        if (value != null && (value.length() > 200 || value.chars().anyMatch(Character::isISOControl))) {
            throw new InvalidRequestException(field, "must be at most 200 characters without control characters");
        }
    }

    private static <T> T parse(String field, String value, Function<String, T> parser, String expected) {
        if (value == null) {
            return null;
        }
        try {
            return parser.apply(value);
        } catch (IllegalArgumentException e) {
            throw new InvalidRequestException(field, "'" + value + "' is not one of " + expected);
        }
    }
}
