package io.gapwatch.server;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.EnableScheduling;

import java.util.Map;

/** The control plane: REST API, PostgreSQL through Flyway, the lease queue, metrics. */
@SpringBootApplication
@EnableScheduling
@EnableConfigurationProperties(GapwatchProperties.class)
public class GapwatchServer {

    @Bean
    ServerClock serverClock(JdbcClient jdbc) {
        return new DatabaseClock(jdbc);
    }

    /**
     * Starts the server with properties of the command that runs it (the embedded database it started, the
     * demo's admin token): they come before any configuration file, which does not know them. The caller closes
     * the server: there is no shutdown hook of Spring's, so that a stop goes in order (agent, server, database).
     */
    public static ConfigurableApplicationContext start(String[] args, Map<String, Object> properties) {
        SpringApplication app = new SpringApplication(GapwatchServer.class);
        StandardEnvironment environment = new StandardEnvironment();
        environment.getPropertySources().addFirst(new MapPropertySource("gapwatch command", properties));
        app.setEnvironment(environment);
        app.setRegisterShutdownHook(false);
        return app.run(args);
    }
}
