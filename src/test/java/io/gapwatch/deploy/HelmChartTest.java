package io.gapwatch.deploy;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The Helm chart as a fleet operator installs it: linted strictly and rendered by Helm 3 with the value sets that
 * matter (defaults, a hostPath /dev/kvm, a lab agent, monitoring), then read as typed Kubernetes objects.
 */
class HelmChartTest {
    static final String HOST_PATH_KVM = """
            agent:
              kvm:
                mode: hostPath
                supplementalGroups: [36]
            """;
    static final String LAB_AGENT = """
            labAgent:
              enabled: true
              kernels: [6.12.117+deb12-amd64, 6.12.117+deb12-rt-amd64, 6.1.0-56-amd64]
            """;
    static final String MONITORING = """
            monitoring:
              serviceMonitor: {enabled: true, labels: {release: kube-prometheus-stack}}
              prometheusRule: {enabled: true, labels: {release: kube-prometheus-stack}}
              grafanaDashboards: {enabled: true}
            """;
    static final Map<String, String> VALUE_SETS = new LinkedHashMap<>();

    static {
        VALUE_SETS.put("defaults", "{}");
        VALUE_SETS.put("hostPath kvm", HOST_PATH_KVM);
        VALUE_SETS.put("lab agent", LAB_AGENT);
        VALUE_SETS.put("monitoring", MONITORING);
    }

    @TempDir
    static Path work;
    static final Map<String, Manifests> RENDERED = new LinkedHashMap<>();

    @BeforeAll
    static void render() throws IOException {
        for (var set : VALUE_SETS.entrySet()) {
            RENDERED.put(set.getKey(), Manifests.of(Chart.template(work, Chart.DATABASE, set.getValue())));
        }
    }

    static Stream<String> valueSets() {
        return VALUE_SETS.keySet().stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("valueSets")
    void lintsStrictlyWithEveryValueSet(String set) throws IOException {
        var result = Chart.lint(work, Chart.DATABASE, VALUE_SETS.get(set));
        assertThat(result.isFailed()).as("helm lint --strict: %s", result.getMessages()).isFalse();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("valueSets")
    void everyRenderedFieldIsOneKubernetesKnows(String set) {
        assertThat(RENDERED.get(set).unknownFields()).isEmpty();
    }

    @Test
    void aMisspelledFieldIsCaught() {
        var typo = Manifests.of(Chart.documents("""
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: typo}
                spec:
                  template:
                    spec:
                      containers:
                        - name: server
                          resourses: {limits: {memory: 1Gi}}
                """));
        assertThat(typo.unknownFields()).containsExactly("Deployment/typo.Spec.Template.Spec.Containers[0]: [resourses]");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("valueSets")
    void onlyAgentPodsTouchDevKvm(String set) {
        Map<String, PodSpec> pods = RENDERED.get(set).podSpecs();
        List<String> touching = new ArrayList<>();
        pods.forEach((name, pod) -> {
            boolean hostPathKvm = pod.getVolumes().stream().anyMatch(v -> v.getHostPath() != null
                    && v.getHostPath().getPath().equals("/dev/kvm"));
            boolean deviceKvm = Manifests.containers(pod).anyMatch(c -> c.getResources() != null
                    && c.getResources().getLimits() != null && c.getResources().getLimits().containsKey("devices.kubevirt.io/kvm"));
            if (hostPathKvm || deviceKvm) {
                touching.add(name);
            }
        });
        assertThat(touching).containsExactly("gw-gapwatch-agent");
    }

    @Test
    void theKvmModeDecidesHowTheAgentGetsDevKvm() {
        PodSpec plugin = RENDERED.get("defaults").podSpecs().get("gw-gapwatch-agent");
        Container agent = plugin.getContainers().get(0);
        assertThat(agent.getResources().getRequests()).containsKey("devices.kubevirt.io/kvm");
        assertThat(plugin.getVolumes()).noneMatch(v -> v.getHostPath() != null && v.getHostPath().getPath().equals("/dev/kvm"));

        PodSpec hostPath = RENDERED.get("hostPath kvm").podSpecs().get("gw-gapwatch-agent");
        assertThat(hostPath.getVolumes()).anyMatch(v -> v.getHostPath() != null && v.getHostPath().getPath().equals("/dev/kvm")
                && v.getHostPath().getType().equals("CharDevice"));
        assertThat(hostPath.getSecurityContext().getSupplementalGroups()).containsExactly(36L);
        assertThat(hostPath.getContainers().get(0).getResources().getLimits()).doesNotContainKey("devices.kubevirt.io/kvm");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("valueSets")
    void noPodIsPrivilegedAndEveryContainerIsLimitedAndNonRoot(String set) {
        RENDERED.get(set).podSpecs().forEach((name, pod) -> {
            assertThat(pod.getHostNetwork()).as(name).isNotEqualTo(Boolean.TRUE);
            assertThat(pod.getHostPID()).as(name).isNotEqualTo(Boolean.TRUE);
            assertThat(pod.getAutomountServiceAccountToken()).as(name).isFalse();
            Manifests.containers(pod).forEach(c -> {
                String who = name + "/" + c.getName();
                var security = c.getSecurityContext();
                assertThat(security).as(who).isNotNull();
                assertThat(security.getPrivileged()).as(who + " privileged").isFalse();
                assertThat(security.getAllowPrivilegeEscalation()).as(who + " allowPrivilegeEscalation").isFalse();
                assertThat(security.getRunAsNonRoot()).as(who + " runAsNonRoot").isTrue();
                assertThat(security.getRunAsUser()).as(who + " runAsUser").isPositive();
                assertThat(security.getReadOnlyRootFilesystem()).as(who + " readOnlyRootFilesystem").isTrue();
                assertThat(security.getCapabilities().getDrop()).as(who + " capabilities").containsExactly("ALL");
                assertThat(security.getCapabilities().getAdd()).as(who + " capabilities added").isEmpty();
                assertThat(c.getResources().getRequests()).as(who + " requests").containsKeys("cpu", "memory");
                assertThat(c.getResources().getLimits()).as(who + " limits").containsKey("memory");
            });
        });
    }

    @Test
    void theServerRunsTwoReplicasWithProbesOnTheActuatorHealthGroups() {
        Manifests m = RENDERED.get("defaults");
        Deployment server = m.named(Deployment.class, "gw-gapwatch").orElseThrow();
        assertThat(server.getSpec().getReplicas()).isEqualTo(2);
        Container c = server.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(c.getArgs()).startsWith("server");
        assertThat(c.getStartupProbe().getHttpGet().getPath()).isEqualTo("/actuator/health/liveness");
        assertThat(c.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/actuator/health/liveness");
        assertThat(c.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/actuator/health/readiness");
        assertThat(server.getSpec().getTemplate().getSpec().getTopologySpreadConstraints())
                .extracting(t -> t.getTopologyKey()).contains("kubernetes.io/hostname");
        assertThat(m.named(PodDisruptionBudget.class, "gw-gapwatch").orElseThrow().getSpec().getMinAvailable().getIntVal())
                .isEqualTo(1);
        assertThat(env(c, "GAPWATCH_DB_URL").getValue()).isEqualTo("jdbc:postgresql://postgres.db:5432/gapwatch");
        assertThat(env(c, "GAPWATCH_DB_PASSWORD").getValueFrom().getSecretKeyRef().getName()).isEqualTo("gapwatch-db");
    }

    @Test
    void tokensComeFromSecretsAndNeverAppearInAPodSpec() throws IOException {
        Manifests generated = RENDERED.get("defaults");
        generated.podSpecs().forEach((name, pod) -> Manifests.containers(pod).forEach(c -> c.getEnv().forEach(e -> {
            if (e.getName().endsWith("TOKEN") || e.getName().endsWith("PASSWORD")) {
                assertThat(e.getValue()).as(name + " " + e.getName()).isNull();
                assertThat(e.getValueFrom().getSecretKeyRef()).as(name + " " + e.getName()).isNotNull();
            }
        })));
        Container server = generated.named(Deployment.class, "gw-gapwatch").orElseThrow().getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(env(server, "GAPWATCH_ADMIN_TOKEN").getValueFrom().getSecretKeyRef().getName()).isEqualTo("gw-gapwatch-admin-token");
        assertThat(env(server, "GAPWATCH_ENROLLMENT_TOKEN").getValueFrom().getSecretKeyRef().getName())
                .isEqualTo("gw-gapwatch-enrollment-token");
        // The generated Secrets are pre-install hooks (made once, kept on upgrade and uninstall). helm-java's
        // template leaves hooks out of its output, so their annotations are read from the template itself.
        assertThat(Files.readString(Chart.DIR.resolve("templates/secrets.yaml")))
                .contains("helm.sh/hook: pre-install", "helm.sh/resource-policy: keep", "randAlphaNum 40");

        Manifests existing = Manifests.of(Chart.template(work, Chart.DATABASE, """
                tokens:
                  admin: {existingSecret: fleet-admin, key: secret}
                  enrollment: {existingSecret: fleet-enroll, key: secret}
                """));
        Container named = existing.named(Deployment.class, "gw-gapwatch").orElseThrow().getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(env(named, "GAPWATCH_ADMIN_TOKEN").getValueFrom().getSecretKeyRef()).satisfies(ref -> {
            assertThat(ref.getName()).isEqualTo("fleet-admin");
            assertThat(ref.getKey()).isEqualTo("secret");
        });
        Container agent = existing.named(DaemonSet.class, "gw-gapwatch-agent").orElseThrow().getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(env(agent, "GAPWATCH_TOKEN").getValueFrom().getSecretKeyRef().getName()).isEqualTo("fleet-enroll");
    }

    @Test
    void theAgentSpoolLivesOnTheNodeSoResultsSurviveAPodRestart() {
        PodSpec agent = RENDERED.get("defaults").podSpecs().get("gw-gapwatch-agent");
        var spool = agent.getVolumes().stream().filter(v -> v.getName().equals("spool")).findFirst().orElseThrow();
        assertThat(spool.getHostPath().getPath()).isEqualTo("/var/lib/gapwatch-agent");
        assertThat(agent.getContainers().get(0).getVolumeMounts()).anyMatch(v -> v.getName().equals("spool")
                && v.getMountPath().equals("/var/lib/gapwatch"));
        assertThat(env(agent.getContainers().get(0), "GAPWATCH_HOME").getValue()).isEqualTo("/var/lib/gapwatch");
    }

    @Test
    void theLabAgentServesItsKernelsWithACacheThatOutlivesThePod() {
        Manifests m = RENDERED.get("lab agent");
        Deployment lab = m.named(Deployment.class, "gw-gapwatch-lab-agent").orElseThrow();
        Container c = lab.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(c.getImage()).startsWith("gapwatch-lab:");
        assertThat(c.getArgs()).containsSubsequence("--backend", "lab")
                .containsSubsequence("--kernels", "6.12.117+deb12-amd64,6.12.117+deb12-rt-amd64,6.1.0-56-amd64");
        assertThat(lab.getSpec().getTemplate().getSpec().getVolumes()).anyMatch(v -> v.getPersistentVolumeClaim() != null
                && v.getPersistentVolumeClaim().getClaimName().equals("gw-gapwatch-lab-cache"));
        assertThat(RENDERED.get("defaults").named(Deployment.class, "gw-gapwatch-lab-agent")).isEmpty();
    }

    @Test
    void networkPoliciesLetAgentsReachOnlyTheServerAndTheServerOnlyPostgres() {
        Manifests m = RENDERED.get("defaults");
        NetworkPolicy server = m.named(NetworkPolicy.class, "gw-gapwatch-server").orElseThrow();
        assertThat(server.getSpec().getEgress()).flatExtracting(r -> r.getPorts()).extracting(p -> p.getPort().getIntVal())
                .containsExactlyInAnyOrder(5432, 53, 53);
        NetworkPolicy agents = m.named(NetworkPolicy.class, "gw-gapwatch-agents").orElseThrow();
        assertThat(agents.getSpec().getIngress()).isEmpty();
        assertThat(agents.getSpec().getEgress()).flatExtracting(r -> r.getPorts()).extracting(p -> p.getPort().getIntVal())
                .containsExactlyInAnyOrder(8080, 53, 53);
        assertThat(agents.getSpec().getEgress().get(0).getTo().get(0).getPodSelector().getMatchLabels())
                .containsEntry("app.kubernetes.io/component", "server");
    }

    @Test
    void theDashboardsAndAlertRulesAreTheFilesUnderConfig() throws IOException {
        Manifests m = RENDERED.get("monitoring");
        List<Path> dashboards;
        try (var files = Files.list(Path.of("config", "grafana", "dashboards"))) {
            dashboards = files.filter(f -> f.toString().endsWith(".json")).sorted().toList();
        }
        assertThat(dashboards).isNotEmpty();
        List<ConfigMap> maps = m.all(ConfigMap.class);
        assertThat(maps).hasSize(dashboards.size());
        for (Path file : dashboards) {
            ConfigMap map = maps.stream().filter(c -> c.getData().containsKey(file.getFileName().toString())).findFirst()
                    .orElseThrow(() -> new AssertionError("no ConfigMap carries " + file));
            assertThat(map.getMetadata().getLabels()).containsEntry("grafana_dashboard", "1");
            assertThat(Chart.YAML.readTree(map.getData().get(file.getFileName().toString())))
                    .as(file.toString()).isEqualTo(Chart.YAML.readTree(Files.readString(file)));
        }

        List<JsonNode> groups = new ArrayList<>();
        try (var files = Files.list(Path.of("config", "prometheus"))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".yml")).sorted().toList()) {
                JsonNode doc = Chart.YAML.readTree(file.toFile());
                if (doc.has("groups")) {
                    doc.get("groups").forEach(groups::add);
                }
            }
        }
        assertThat(groups).isNotEmpty();
        var rule = m.custom("PrometheusRule");
        assertThat(rule).hasSize(1);
        JsonNode rendered = Chart.YAML.valueToTree(rule.get(0).getAdditionalProperties().get("spec"));
        assertThat(List.copyOf(rendered.get("groups").valueStream().toList())).isEqualTo(groups);

        var monitor = m.custom("ServiceMonitor");
        assertThat(monitor).hasSize(1);
        JsonNode endpoint = Chart.YAML.valueToTree(monitor.get(0).getAdditionalProperties().get("spec")).get("endpoints").get(0);
        assertThat(endpoint.get("path").asString()).isEqualTo("/actuator/prometheus");
        assertThat(RENDERED.get("defaults").custom("PrometheusRule")).isEmpty();
    }

    static Stream<String> badValues() {
        return Stream.of(
                "agent: {kvm: {mode: privileged}}",
                "server: {replicas: 0}",
                "database: {url: 'mysql://db/gapwatch'}",
                "server: {leaseDuration: soon}",
                "labAgent: {kernels: []}",
                "serverr: {replicas: 2}",
                "agent: {spoolHostPath: relative/path}");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badValues")
    void badValuesAreRefusedByTheSchema(String bad) {
        assertThatThrownBy(() -> Chart.template(work, Chart.DATABASE, bad))
                .hasMessageContaining("values don't meet the specifications of the schema");
    }

    @Test
    void anInstallWithoutADatabaseSaysWhatIsMissing() {
        assertThatThrownBy(() -> Chart.template(work, "{}")).hasMessageContaining("database.url is required");
    }

    private static EnvVar env(Container c, String name) {
        return c.getEnv().stream().filter(e -> e.getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError(c.getName() + " has no " + name));
    }
}
