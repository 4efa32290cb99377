package io.gapwatch.server.bisections;

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
@RequestMapping("/api/v1/bisections")
@Tag(name = "bisections", description = "Find the first bad kernel between a good and a bad one, every step re-verified and stored")
class BisectionController {
    private final BisectionService service;

    BisectionController(BisectionService service) {
        this.service = service;
    }

    @PostMapping
    @Operation(summary = "Start a bisection between a good and a bad kernel of one series (same flavour, Debian order)")
    ResponseEntity<BisectionView> create(@RequestBody CreateBisectionRequest request) {
        Bisection b = service.create(request);
        var location = ServletUriComponentsBuilder.fromCurrentRequest().path("/{id}").buildAndExpand(b.id()).toUri();
        return ResponseEntity.created(location).body(service.get(b.id()));
    }

    @GetMapping("/{id}")
    @Operation(summary = "One bisection: its kernels, every step with its runs and verdict, and firstBad once FOUND")
    BisectionView get(@PathVariable long id) {
        return service.get(id);
    }

    @GetMapping
    @Operation(summary = "Bisections, newest first")
    BisectionView.Page list(@RequestParam(required = false) String state,
                            @RequestParam(defaultValue = "0") int page,
                            @RequestParam(defaultValue = "50") int size) {
        ListParams.requirePage(page, size, 500);
        BisectionState s = ListParams.oneOf("state", state, BisectionState.class);
        return service.list(s, page, size);
    }
}
