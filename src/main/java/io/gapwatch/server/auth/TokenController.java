package io.gapwatch.server.auth;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

import java.util.List;

@RestController
@RequestMapping("/api/v1/tokens")
@Tag(name = "tokens", description = "API tokens (admin): viewer, operator, admin, and enrollment tokens for new agents")
class TokenController {
    private final TokenService service;

    TokenController(TokenService service) {
        this.service = service;
    }

    @PostMapping
    @ResponseStatus(HttpStatus.CREATED)
    @Operation(summary = "Create a token; the answer carries its secret, which is shown this once")
    TokenService.CreatedToken create(@RequestBody TokenService.CreateTokenRequest request) {
        return service.create(request);
    }

    @GetMapping
    @Operation(summary = "Tokens, without their secrets")
    List<TokenRepository.TokenRow> all() {
        return service.all();
    }

    @PostMapping("/{id}/revoke")
    @Operation(summary = "Revoke a token: it stops working at once")
    TokenRepository.TokenRow revoke(@PathVariable long id) {
        return service.revoke(id);
    }
}
