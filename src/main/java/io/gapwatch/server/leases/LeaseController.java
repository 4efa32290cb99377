package io.gapwatch.server.leases;

import io.gapwatch.probe.ProbeReport;
import io.gapwatch.server.GapwatchProperties;
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
import org.springframework.web.context.request.async.DeferredResult;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

@RestController
@Tag(name = "leases", description = "Agent protocol, steps 2-4: lease a run (long poll), heartbeat, report the result")
class LeaseController {
    private final LeaseService service;
    private final LeaseDispatcher dispatcher;
    private final GapwatchProperties properties;

    LeaseController(LeaseService service, LeaseDispatcher dispatcher, GapwatchProperties properties) {
        this.service = service;
        this.dispatcher = dispatcher;
        this.properties = properties;
    }

    @PostMapping("/api/v1/agents/{agentId}/lease")
    @Operation(summary = "Lease the next run this agent can serve; waits up to waitSeconds (at most the server's "
            + "max-lease-wait), then answers 204. Acknowledge a lease with a heartbeat at once: one not acknowledged "
            + "within the lease-ack timeout returns to the queue")
    DeferredResult<ResponseEntity<Lease>> lease(@AuthenticationPrincipal Caller.AgentCaller caller,
                                                @PathVariable long agentId,
                                                @RequestParam(defaultValue = "20") int waitSeconds) {
        if (waitSeconds < 0 || waitSeconds > 300) {
            throw new InvalidRequestException("waitSeconds", "must be between 0 and 300, was " + waitSeconds);
        }
        LeaseService.requireSelf(caller, agentId);
        if (waitSeconds == 0) {
            DeferredResult<ResponseEntity<Lease>> now = new DeferredResult<>();
            now.setResult(service.leaseNow(caller, agentId).map(ResponseEntity::ok)
                    .orElseGet(() -> ResponseEntity.noContent().build()));
            return now;
        }
        Duration wait = Duration.ofSeconds(waitSeconds);
        return dispatcher.leaseOrPark(caller, wait.compareTo(properties.maxLeaseWait()) > 0 ? properties.maxLeaseWait() : wait);
    }

    @PostMapping("/api/v1/leases/{token}/heartbeat")
    @Operation(summary = "Extend a lease, saying how many iterations are done (409 if it is no longer current: "
            + "the run was cancelled or the lease lost; stop between iterations and drop the run)")
    Map<String, Instant> heartbeat(@AuthenticationPrincipal Caller.AgentCaller caller, @PathVariable long token,
                                   @RequestBody(required = false) Heartbeat heartbeat) {
        return Map.of("expiresAt", service.heartbeat(caller, token, heartbeat == null ? null : heartbeat.iterationsDone(),
                heartbeat == null ? null : heartbeat.progress()));
    }

    /**
     * The optional body of a heartbeat: how far the run has got, and what it waits for before its first iteration
     * (e.g. a kernel build; absent when nothing).
     */
    record Heartbeat(Integer iterationsDone, String progress) {
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
