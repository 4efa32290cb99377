package io.gapwatch.server;

import org.springframework.beans.factory.support.DefaultListableBeanFactory;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
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
     * Starts the server with extra properties (pointing it at an embedded database, say) and an optional
     * resource that the context closes last, after the connection pool.
     */
    public static ConfigurableApplicationContext start(String[] args, Map<String, Object> properties, AutoCloseable closeLast) {
        SpringApplication app = new SpringApplication(GapwatchServer.class);
        app.setDefaultProperties(properties);
        if (closeLast != null) {
            // registered before any bean is created, so destroyed after all of them
            app.addInitializers(ctx -> ((DefaultListableBeanFactory) ctx.getBeanFactory())
                    .registerDisposableBean("closeLast", closeLast::close));
        }
        return app.run(args);
    }
}
