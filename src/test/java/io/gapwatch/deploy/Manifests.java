package io.gapwatch.deploy;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import tools.jackson.databind.JsonNode;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Rendered manifests as typed Kubernetes objects (fabric8's model). The model keeps fields it does not know in
 * "additional properties" instead of failing, so {@link #unknownFields} walks every object for them: a
 * misspelled field in a template is reported with its path.
 */
record Manifests(List<HasMetadata> objects) {
    private static final Map<String, Class<? extends HasMetadata>> KINDS = Map.of(
            "apps/v1/Deployment", Deployment.class,
            "apps/v1/DaemonSet", DaemonSet.class,
            "v1/Service", Service.class,
            "v1/Secret", Secret.class,
            "v1/ConfigMap", ConfigMap.class,
            "v1/PersistentVolumeClaim", PersistentVolumeClaim.class,
            "policy/v1/PodDisruptionBudget", PodDisruptionBudget.class,
            "networking.k8s.io/v1/NetworkPolicy", NetworkPolicy.class,
            "networking.k8s.io/v1/Ingress", Ingress.class);
    /** Custom resources of the Prometheus operator: no fabric8 model here, their spec is checked by the tests. */
    private static final List<String> CUSTOM = List.of("monitoring.coreos.com/v1/ServiceMonitor", "monitoring.coreos.com/v1/PrometheusRule");

    static Manifests of(List<JsonNode> documents) {
        List<HasMetadata> objects = new ArrayList<>();
        for (JsonNode doc : documents) {
            String key = doc.path("apiVersion").asString() + "/" + doc.path("kind").asString();
            Class<? extends HasMetadata> type = KINDS.get(key);
            if (type != null) {
                objects.add(Chart.YAML.treeToValue(doc, type));
            } else if (CUSTOM.contains(key)) {
                objects.add(Chart.YAML.treeToValue(doc, GenericKubernetesResource.class));
            } else {
                throw new AssertionError("the chart renders a kind no test knows: " + key);
            }
        }
        return new Manifests(objects);
    }

    <T extends HasMetadata> List<T> all(Class<T> type) {
        return objects.stream().filter(type::isInstance).map(type::cast).toList();
    }

    <T extends HasMetadata> Optional<T> named(Class<T> type, String name) {
        return all(type).stream().filter(o -> o.getMetadata().getName().equals(name)).findFirst();
    }

    List<GenericKubernetesResource> custom(String kind) {
        return all(GenericKubernetesResource.class).stream().filter(r -> r.getKind().equals(kind)).toList();
    }

    /** Every workload's pod spec, named by its workload. */
    Map<String, PodSpec> podSpecs() {
        var specs = new java.util.TreeMap<String, PodSpec>();
        all(Deployment.class).forEach(d -> specs.put(d.getMetadata().getName(), d.getSpec().getTemplate().getSpec()));
        all(DaemonSet.class).forEach(d -> specs.put(d.getMetadata().getName(), d.getSpec().getTemplate().getSpec()));
        return specs;
    }

    static Stream<Container> containers(PodSpec spec) {
        return Stream.concat(spec.getInitContainers().stream(), spec.getContainers().stream());
    }

    /** Paths of fields that the Kubernetes model does not know, in every object; empty when all are known. */
    List<String> unknownFields() {
        List<String> unknown = new ArrayList<>();
        for (HasMetadata o : objects) {
            if (!(o instanceof GenericKubernetesResource)) {
                walk(o, o.getKind() + "/" + o.getMetadata().getName(), unknown);
            }
        }
        return unknown;
    }

    static void walk(Object o, String path, List<String> unknown) {
        if (o == null) {
            return;
        }
        if (o instanceof Collection<?> list) {
            int i = 0;
            for (Object item : list) {
                walk(item, path + "[" + i++ + "]", unknown);
            }
            return;
        }
        if (o instanceof Map<?, ?> map) {
            map.forEach((k, v) -> walk(v, path + "." + k, unknown));
            return;
        }
        if (!o.getClass().getPackageName().startsWith("io.fabric8.kubernetes.api.model")) {
            return;
        }
        for (Method m : o.getClass().getMethods()) {
            if (m.getParameterCount() != 0 || Modifier.isStatic(m.getModifiers()) || m.getDeclaringClass() == Object.class
                    || !(m.getName().startsWith("get") || m.getName().startsWith("is"))) {
                continue;
            }
            Object value;
            try {
                value = m.invoke(o);
            } catch (IllegalAccessException | InvocationTargetException e) {
                continue;
            }
            if (m.getName().equals("getAdditionalProperties")) {
                if (value instanceof Map<?, ?> extra && !extra.isEmpty()) {
                    unknown.add(path + ": " + extra.keySet());
                }
            } else {
                walk(value, path + "." + m.getName().replaceFirst("^(get|is)", ""), unknown);
            }
        }
    }
}
