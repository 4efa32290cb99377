package io.gapwatch.server.schedules;

import io.gapwatch.server.sweeps.Sweep;
import io.gapwatch.server.sweeps.SweepService;
import io.gapwatch.server.sweeps.SweepView;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.support.ServletUriComponentsBuilder;

import java.util.List;

@RestController
@RequestMapping("/api/v1/schedules")
@Tag(name = "schedules", description = "Cron expressions that start sweeps (the nightly sweep)")
class ScheduleController {
    private final ScheduleService service;
    private final SweepService sweeps;

    ScheduleController(ScheduleService service, SweepService sweeps) {
        this.service = service;
        this.sweeps = sweeps;
    }

    @PostMapping
    @Operation(summary = "Create a schedule: a standard 5-field cron expression in a time zone, and the matrix each fire runs")
    ResponseEntity<ScheduleView> create(@RequestBody ScheduleRequest request) {
        ScheduleView created = service.create(request);
        var location = ServletUriComponentsBuilder.fromCurrentRequest().path("/{id}").buildAndExpand(created.id()).toUri();
        return ResponseEntity.created(location).body(created);
    }

    @GetMapping
    @Operation(summary = "Every schedule, with its next due time and last fire")
    List<ScheduleView> list() {
        return service.list();
    }

    @GetMapping("/{id}")
    @Operation(summary = "One schedule, with its next due time and last fire")
    ScheduleView get(@PathVariable long id) {
        return service.get(id);
    }

    @PatchMapping("/{id}")
    @Operation(summary = "Change the fields given (e.g. {\"enabled\":true}); a new cron or time zone counts from now")
    ScheduleView update(@PathVariable long id, @RequestBody ScheduleRequest request) {
        return service.update(id, request);
    }

    @DeleteMapping("/{id}")
    @Operation(summary = "Delete a schedule; the sweeps it started stay")
    ResponseEntity<Void> delete(@PathVariable long id) {
        service.delete(id);
        return ResponseEntity.noContent().build();
    }

    @PostMapping("/{id}/trigger")
    @Operation(summary = "Fire the schedule now (enabled or not) and return the sweep it started")
    ResponseEntity<SweepView> trigger(@PathVariable long id) {
        Sweep sweep = service.trigger(id);
        var location = ServletUriComponentsBuilder.fromCurrentContextPath().path("/api/v1/sweeps/{id}")
                .buildAndExpand(sweep.id()).toUri();
        return ResponseEntity.created(location).body(sweeps.get(sweep.id()));
    }
}
