package io.gapwatch.server.series;

import io.gapwatch.server.analysis.ChangePointDetector;
import io.gapwatch.server.analysis.Compare;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The plain-Java analysis, configured from {@link AnalysisProperties} (a bad setting stops the start). */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(AnalysisProperties.class)
class AnalysisConfig {

    @Bean
    Compare compare(AnalysisProperties properties) {
        return new Compare(properties.compareSettings());
    }

    @Bean
    ChangePointDetector changePointDetector(AnalysisProperties properties) {
        return new ChangePointDetector(properties.changePointSettings());
    }
}
