package io.gapwatch.server.regressions;

import io.gapwatch.server.web.InvalidRequestException;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import java.util.Arrays;
import java.util.Locale;

@RestController
@RequestMapping("/api/v1/regressions")
@Tag(name = "regressions", description = "Regressions found after sweeps: confirmed by re-runs, bisected, tracked until FIXED or ACKNOWLEDGED")
class RegressionController {
    private final RegressionService service;

    RegressionController(RegressionService service) {
        this.service = service;
    }

    @GetMapping
    @Operation(summary = "Regressions, newest first; ?state=ACTIVE for the ones that need attention")
    RegressionView.Page list(@RequestParam(required = false) String state,
                             @RequestParam(defaultValue = "0") int page,
                             @RequestParam(defaultValue = "50") int size) {
        if (page < 0) {
            throw new InvalidRequestException("page", "must be 0 or more, was " + page);
        }
        if (size < 1 || size > 500) {
            throw new InvalidRequestException("size", "must be between 1 and 500, was " + size);
        }
        RegressionState s = null;
        if (state != null) {
            try {
                s = RegressionState.valueOf(state.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new InvalidRequestException("state", "'" + state + "' is not one of "
                        + Arrays.toString(RegressionState.values()));
            }
        }
        return service.list(s, page, size);
    }

    @GetMapping("/{id}")
    @Operation(summary = "One regression with its numbers, evidence runs and bisection")
    RegressionView get(@PathVariable long id) {
        return service.get(id);
    }

    @PostMapping("/{id}/acknowledge")
    @Operation(summary = "Mark an ACTIVE regression a known issue, with the reason")
    RegressionView acknowledge(@PathVariable long id, @RequestBody AcknowledgeRequest request) {
        return service.acknowledge(id, request);
    }
}
