package io.harbormaster.bot.manifests;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.List;
import java.util.Map;

/**
 * Loads manifests into Fabric8's typed model and reports what the model does not know. Jackson is told to fail on
 * unknown properties, but Fabric8's model classes collect unknown (or mistyped) fields in {@code additionalProperties}
 * instead of failing, so every object of the loaded tree is walked and any non-empty {@code additionalProperties} is a
 * problem, named by its path.
 */
final class TypedManifests {
    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization(
            new ObjectMapper().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES), true);

    private TypedManifests() {}

    /** The typed object for a YAML tree; problems (unknown kind, unknown fields) are added to {@code problems}. */
    static HasMetadata load(String where, Map<String, Object> tree, List<String> problems) {
        Object loaded;
        try {
            loaded = SERIALIZATION.unmarshal(SERIALIZATION.asJson(tree));
        } catch (RuntimeException e) {
            problems.add(where + ": does not load as a Kubernetes object: " + e.getMessage());
            return null;
        }
        if (!(loaded instanceof HasMetadata typed) || loaded instanceof GenericKubernetesResource) {
            problems.add(where + ": " + tree.get("apiVersion") + " " + tree.get("kind")
                    + " is not a kind Fabric8's typed model knows (wrong apiVersion?)");
            return null;
        }
        unknownFields(typed, where + " " + Kustomization.id(tree), problems, 0);
        return typed;
    }

    private static void unknownFields(Object value, String path, List<String> problems, int depth) {
        if (value == null || depth > 40) {
            return;
        }
        if (value instanceof Map<?, ?> map) {
            map.forEach((k, v) -> unknownFields(v, path + "." + k, problems, depth + 1));
            return;
        }
        if (value instanceof List<?> list) {
            for (int i = 0; i < list.size(); i++) {
                unknownFields(list.get(i), path + "[" + i + "]", problems, depth + 1);
            }
            return;
        }
        if (!value.getClass().getPackageName().startsWith("io.fabric8.kubernetes.api.model")) {
            return;
        }
        for (Method getter : value.getClass().getMethods()) {
            if (getter.getParameterCount() != 0
                    || Modifier.isStatic(getter.getModifiers())
                    || !getter.getName().startsWith("get")
                    || getter.getDeclaringClass() == Object.class) {
                continue;
            }
            Object field;
            try {
                field = getter.invoke(value);
            } catch (IllegalAccessException | InvocationTargetException e) {
                continue; // a computed getter (e.g. Quantity's numerical amount) that does not apply here
            }
            if (getter.getName().equals("getAdditionalProperties")) {
                if (field instanceof Map<?, ?> extra && !extra.isEmpty()) {
                    problems.add(path + ": unknown field(s) " + extra.keySet());
                }
            } else {
                String name = getter.getName().substring(3);
                unknownFields(
                        field,
                        path + "." + Character.toLowerCase(name.charAt(0)) + name.substring(1),
                        problems,
                        depth + 1);
            }
        }
    }
}
