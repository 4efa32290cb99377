package io.gapwatch.server.agents;

import io.gapwatch.server.auth.Caller;
import io.swagger.v3.oas.annotations.Operation;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import java.util.List;

@RestController
@RequestMapping("/api/v1/agents")
@Tag(name = "agents", description = "Agent protocol, step 1: register the targets an agent serves")
class AgentController {
    private final AgentService service;

    AgentController(AgentService service) {
        this.service = service;
    }

    @PostMapping
    @Operation(summary = "Register an agent and its targets (enrollment token: answers the agent's secret, once), "
            + "or re-register itself with its own secret")
    AgentService.Enrolled register(@AuthenticationPrincipal Caller caller, @RequestBody AgentRegistration registration) {
        return service.register(caller, registration);
    }

    @PostMapping("/{id}/revoke")
    @Operation(summary = "Revoke an agent's secret: it can no longer lease or report, and stays revoked until an "
            + "admin deletes it (admin)")
    Agent revoke(@PathVariable long id) {
        return service.revoke(id);
    }

    @DeleteMapping("/{id}")
    @Operation(summary = "Forget an agent (admin): its targets go, its secret stops working, and its name may enroll "
            + "again as a new agent; the way back for a revoked agent")
    ResponseEntity<Void> delete(@PathVariable long id) {
        service.delete(id);
        return ResponseEntity.noContent().build();
    }

    @GetMapping
    @Operation(summary = "Registered agents and their targets")
    List<Agent> all() {
        return service.all();
    }

    @GetMapping("/{id}")
    @Operation(summary = "One agent and its targets")
    Agent get(@PathVariable long id) {
        return service.get(id);
    }
}
