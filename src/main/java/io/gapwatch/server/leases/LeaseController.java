package io.gapwatch.server.leases;

import io.gapwatch.probe.ProbeReport;
import io.gapwatch.server.auth.Caller;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import io.gapwatch.server.runs.Run;
import io.gapwatch.server.web.InvalidRequestException;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

@RestController
@Tag(name = "leases", description = "Agent protocol, steps 2-4: lease a run (long poll), heartbeat, report the result")
class LeaseController {
    private final LeaseService service;

    LeaseController(LeaseService service) {
        this.service = service;
    }

    @PostMapping("/api/v1/agents/{agentId}/lease")
    @Operation(summary = "Lease the next run this agent can serve; waits up to waitSeconds, then answers 204")
    ResponseEntity<Lease> lease(@AuthenticationPrincipal Caller.AgentCaller caller, @PathVariable long agentId,
                                @RequestParam(defaultValue = "20") int waitSeconds) throws InterruptedException {
        if (waitSeconds < 0 || waitSeconds > 300) {
            throw new InvalidRequestException("waitSeconds", "must be between 0 and 300, was " + waitSeconds);
        }
        return service.lease(caller, agentId, Duration.ofSeconds(waitSeconds))
                .map(ResponseEntity::ok)
                .orElseGet(() -> ResponseEntity.noContent().build());
    }

    @PostMapping("/api/v1/leases/{token}/heartbeat")
    @Operation(summary = "Extend a lease, saying how many iterations are done (409 if it is no longer current: "
            + "the run was cancelled or the lease lost; stop between iterations and drop the run)")
    Map<String, Instant> heartbeat(@AuthenticationPrincipal Caller.AgentCaller caller, @PathVariable long token,
                                   @RequestBody(required = false) Heartbeat heartbeat) {
        return Map.of("expiresAt", service.heartbeat(caller, token, heartbeat == null ? null : heartbeat.iterationsDone()));
    }

    /** The optional body of a heartbeat: how far the run has got. */
    record Heartbeat(Integer iterationsDone) {
    }

    @PostMapping("/api/v1/leases/{token}/result")
    @Operation(summary = "Report the run's result; 409 if the token is stale; a repeated delivery is idempotent")
    ResultReceipt result(@AuthenticationPrincipal Caller.AgentCaller caller, @PathVariable long token,
                         @RequestBody ProbeReport report) {
        Run run = service.report(caller, token, report);
        return new ResultReceipt(run.id(), run.state().name(), run.verdict() == null ? null : run.verdict().name());
    }

    /** What the server recorded for a delivered result. */
    record ResultReceipt(long runId, String state, String verdict) {
    }
}
