package io.gapwatch.server.sweeps;

import io.gapwatch.server.web.InvalidRequestException;
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

import java.util.Arrays;
import java.util.Locale;

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
        if (page < 0) {
            throw new InvalidRequestException("page", "must be 0 or more, was " + page);
        }
        if (size < 1 || size > 100) {
            throw new InvalidRequestException("size", "must be between 1 and 100, was " + size);
        }
        SweepState s = null;
        if (state != null) {
            try {
                s = SweepState.valueOf(state.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new InvalidRequestException("state", "'" + state + "' is not one of " + Arrays.toString(SweepState.values()));
            }
        }
        return service.list(s, schedule, page, size);
    }

    @PostMapping("/{id}/cancel")
    @Operation(summary = "Cancel a running sweep and its unfinished runs; finished runs keep their results")
    SweepView cancel(@PathVariable long id) {
        return service.cancel(id);
    }
}
