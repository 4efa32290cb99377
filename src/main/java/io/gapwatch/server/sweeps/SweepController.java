package io.gapwatch.server.sweeps;

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


@RestController
@RequestMapping("/api/v1/sweeps")
@Tag(name = "sweeps", description = "Run a matrix of kernels x variants x gaps now, follow its progress and outcome")
class SweepController {
    private final SweepService service;

    SweepController(SweepService service) {
        this.service = service;
    }

    @PostMapping
    @Operation(summary = "Start a sweep: the matrix is expanded into runs against the registered targets; "
            + "cells no agent serves are reported in `unserved`")
    ResponseEntity<SweepView> create(@RequestBody CreateSweepRequest request) {
        Sweep sweep = service.create(request);
        var location = ServletUriComponentsBuilder.fromCurrentRequest().path("/{id}").buildAndExpand(sweep.id()).toUri();
        return ResponseEntity.created(location).body(service.get(sweep.id()));
    }

    @GetMapping("/{id}")
    @Operation(summary = "One sweep: progress (runs by state and verdict) and the outcome grid")
    SweepView get(@PathVariable long id) {
        return service.get(id);
    }

    @GetMapping
    @Operation(summary = "Sweeps, newest first, with their progress")
    SweepPage list(@RequestParam(required = false) String state,
                   @RequestParam(required = false) Long schedule,
                   @RequestParam(defaultValue = "0") int page,
                   @RequestParam(defaultValue = "20") int size) {
        ListParams.requirePage(page, size, 100);
        SweepState s = ListParams.oneOf("state", state, SweepState.class);
        return service.list(s, schedule, page, size);
    }

    @PostMapping("/{id}/cancel")
    @Operation(summary = "Cancel a running sweep and its unfinished runs; finished runs keep their results")
    SweepView cancel(@PathVariable long id) {
        return service.cancel(id);
    }
}
