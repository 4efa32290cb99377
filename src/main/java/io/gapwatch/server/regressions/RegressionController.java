package io.gapwatch.server.regressions;

import io.gapwatch.server.web.ListParams;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;


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
        ListParams.requirePage(page, size, 500);
        RegressionState s = ListParams.oneOf("state", state, RegressionState.class);
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
