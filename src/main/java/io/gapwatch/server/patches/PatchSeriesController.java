package io.gapwatch.server.patches;

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


/**
 * Patch series under /api/v1/series: POST submits one, GET /{id} (numeric) reads one, GET /submitted lists them.
 * GET /api/v1/series without an id stays the measurement series query (series package).
 */
@RestController
@RequestMapping("/api/v1/series")
@Tag(name = "patch series", description = "Test a patch series before it lands: build the base and the series, "
        + "sweep both, compare, and bisect a regression to the first bad patch")
class PatchSeriesController {
    private final PatchSeriesService service;

    PatchSeriesController(PatchSeriesService service) {
        this.service = service;
    }

    @PostMapping
    @Operation(summary = "Submit a patch series against a base kernel source: the base and the full series are built "
            + "by a builder agent (--build-source), swept twice each and compared; a regression is bisected over the "
            + "prefixes to the first bad patch")
    ResponseEntity<PatchSeriesView> submit(@RequestBody SubmitSeriesRequest request) {
        PatchSeries s = service.submit(request);
        var location = ServletUriComponentsBuilder.fromCurrentRequest().path("/{id}").buildAndExpand(s.id()).toUri();
        return ResponseEntity.created(location).body(service.get(s.id()));
    }

    @GetMapping("/{id:\\d+}")
    @Operation(summary = "One patch series: its state, patches, every build with its runs, the bisection's steps, "
            + "and the answer (no regression, or the first bad patch's position and subject)")
    PatchSeriesView get(@PathVariable long id) {
        return service.get(id);
    }

    @GetMapping("/submitted")
    @Operation(summary = "Submitted patch series, newest first")
    PatchSeriesView.Page list(@RequestParam(required = false) String state,
                              @RequestParam(defaultValue = "0") int page,
                              @RequestParam(defaultValue = "20") int size) {
        ListParams.requirePage(page, size, 100);
        PatchSeriesState s = ListParams.oneOf("state", state, PatchSeriesState.class);
        return service.list(s, page, size);
    }
}
