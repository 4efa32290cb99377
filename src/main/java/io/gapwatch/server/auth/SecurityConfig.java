package io.gapwatch.server.auth;

import io.gapwatch.cli.Json;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpMethod;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configurers.AbstractHttpConfigurer;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.access.intercept.AuthorizationFilter;
import org.springframework.security.web.firewall.RequestRejectedHandler;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Who may do what. Everything under /api needs a bearer token; health (and, by default, the Prometheus
 * endpoint and the API documentation) stay readable without one. The agent's ownership of its leases is
 * checked in the lease service, which knows whose lease a token is.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnWebApplication
class SecurityConfig {

    @Bean
    SecurityFilterChain api(HttpSecurity http, TokenService tokens,
                            @Value("${gapwatch.security.public-metrics:true}") boolean publicMetrics) throws Exception {
        return http
                .csrf(AbstractHttpConfigurer::disable)
                .httpBasic(AbstractHttpConfigurer::disable)
                .formLogin(AbstractHttpConfigurer::disable)
                .logout(AbstractHttpConfigurer::disable)
                .requestCache(AbstractHttpConfigurer::disable)
                .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .addFilterBefore(new BearerTokenFilter(tokens), AuthorizationFilter.class)
                .authorizeHttpRequests(a -> {
                    // a long poll's answer is written in an async dispatch of a request already authorized
                    a.dispatcherTypeMatchers(DispatcherType.ASYNC).permitAll();
                    a.requestMatchers("/actuator/health", "/actuator/health/**").permitAll();
                    if (publicMetrics) {
                        a.requestMatchers("/actuator/prometheus").permitAll();
                    }
                    a.requestMatchers("/actuator/**").hasRole("VIEWER")
                            .requestMatchers("/v3/api-docs", "/v3/api-docs/**", "/swagger-ui.html", "/swagger-ui/**").permitAll()
                            .requestMatchers(HttpMethod.POST, "/api/v1/agents").hasAnyRole("ENROLLMENT", "AGENT", "ADMIN")
                            .requestMatchers(HttpMethod.POST, "/api/v1/agents/*/lease", "/api/v1/leases/**").hasRole("AGENT")
                            .requestMatchers(HttpMethod.POST, "/api/v1/agents/*/revoke").hasRole("ADMIN")
                            .requestMatchers(HttpMethod.DELETE, "/api/v1/agents/*").hasRole("ADMIN")
                            .requestMatchers("/api/v1/tokens", "/api/v1/tokens/**").hasRole("ADMIN")
                            .requestMatchers(HttpMethod.POST, "/api/v1/runs", "/api/v1/runs/*/cancel").hasRole("OPERATOR")
                            .requestMatchers(HttpMethod.POST, "/api/v1/sweeps", "/api/v1/sweeps/*/cancel").hasRole("OPERATOR")
                            .requestMatchers(HttpMethod.POST, "/api/v1/series").hasRole("OPERATOR")
                            .requestMatchers(HttpMethod.POST, "/api/v1/schedules", "/api/v1/schedules/*/trigger").hasRole("OPERATOR")
                            .requestMatchers(HttpMethod.PATCH, "/api/v1/schedules/*").hasRole("OPERATOR")
                            .requestMatchers(HttpMethod.DELETE, "/api/v1/schedules/*").hasRole("OPERATOR")
                            .requestMatchers(HttpMethod.POST, "/api/v1/bisections", "/api/v1/regressions/*/acknowledge")
                            .hasRole("OPERATOR")
                            .requestMatchers("/api/**").hasRole("VIEWER")
                            .anyRequest().permitAll();
                })
                .exceptionHandling(e -> e
                        .authenticationEntryPoint((request, response, ex) -> problem(response, 401, "Unauthorized",
                                "a valid bearer token is required: Authorization: Bearer <token>", request.getRequestURI()))
                        .accessDeniedHandler((request, response, ex) -> problem(response, 403, "Forbidden",
                                "this token's role may not do this", request.getRequestURI())))
                .build();
    }

    /** Requests the firewall refuses before any controller (encoded slashes, odd characters): 400, not 500. */
    @Bean
    RequestRejectedHandler requestRejectedHandler() {
        return (request, response, e) -> problem(response, 400, "Invalid request",
                "the request was rejected: malformed path, parameter or header", request.getRequestURI());
    }

    private static void problem(HttpServletResponse response, int status, String title, String detail, String instance)
            throws IOException {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("title", title);
        body.put("status", status);
        body.put("detail", detail);
        body.put("instance", instance);
        response.setStatus(status);
        response.setContentType("application/problem+json");
        if (status == 401) {
            response.setHeader("WWW-Authenticate", "Bearer");
        }
        response.getWriter().write(Json.MAPPER.writeValueAsString(body));
    }
}
