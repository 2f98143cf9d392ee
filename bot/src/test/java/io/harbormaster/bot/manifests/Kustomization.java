package io.harbormaster.bot.manifests;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The part of Kustomize that {@code manifests/} uses, so the tests can see what {@code kubectl apply -k} would apply:
 * {@code resources} (files and directories with their own kustomization), {@code patches} with a {@code path} to a
 * strategic-merge patch matched by kind and name, {@code images} (what {@code kustomize edit set image} writes) and
 * {@code namespace}. Anything else in a kustomization is refused
 * rather than silently ignored, so the tests never pass on a feature they do not understand.
 */
final class Kustomization {
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Set<String> KEYS = Set.of("apiVersion", "kind", "namespace", "resources", "patches", "images");
    /** Lists whose items Kubernetes' strategic merge patch merges by {@code name} (the ones manifests/ patches). */
    private static final Set<String> MERGED_BY_NAME = Set.of("containers", "env", "volumes", "volumeMounts", "ports");

    private Kustomization() {}

    /** The root of the repository's {@code manifests/}, found from the module's directory. */
    static Path manifestsRoot() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("manifests/kustomization.yaml"))) {
                return dir.resolve("manifests");
            }
        }
        throw new IllegalStateException(
                "no manifests/kustomization.yaml above " + Path.of("").toAbsolutePath());
    }

    /** Every directory holding a kustomization.yaml. */
    static List<Path> kustomizations() {
        try (Stream<Path> files = Files.walk(manifestsRoot())) {
            return files.filter(p -> p.getFileName().toString().equals("kustomization.yaml"))
                    .map(Path::getParent)
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The namespace a kustomization sets, if any. */
    static String namespace(Path dir) {
        Object ns = read(dir.resolve("kustomization.yaml")).getFirst().get("namespace");
        return ns == null ? null : ns.toString();
    }

    /** The resources {@code kubectl apply -k dir} would apply, as YAML trees. */
    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> build(Path dir) {
        Map<String, Object> k = read(dir.resolve("kustomization.yaml")).getFirst();
        for (String key : k.keySet()) {
            if (!KEYS.contains(key)) {
                throw new IllegalStateException(
                        dir + "/kustomization.yaml: '" + key + "' is not understood by the test's Kustomize subset");
            }
        }
        var out = new ArrayList<Map<String, Object>>();
        for (Object r : list(k.get("resources"))) {
            Path p = dir.resolve(r.toString()).normalize();
            List<Map<String, Object>> docs = Files.isDirectory(p) ? build(p) : read(p);
            for (var doc : docs) {
                if (out.stream().anyMatch(o -> sameObject(o, doc))) {
                    throw new IllegalStateException(dir + ": " + id(doc) + " is defined twice");
                }
                out.add(doc);
            }
        }
        for (Object patch : list(k.get("patches"))) {
            if (!(patch instanceof Map<?, ?> pm) || pm.size() != 1 || !pm.containsKey("path")) {
                throw new IllegalStateException(dir + ": only patches given by {path: FILE} are understood");
            }
            for (var p : read(dir.resolve(pm.get("path").toString()))) {
                var targets = out.stream().filter(o -> sameObject(o, p)).toList();
                if (targets.size() != 1) {
                    throw new IllegalStateException(dir + ": patch " + pm.get("path") + " matches no " + id(p));
                }
                merge(targets.getFirst(), p);
            }
        }
        for (Object image : list(k.get("images"))) {
            setImage(dir, (Map<String, Object>) image, out);
        }
        return out;
    }

    /** Replaces {@code name[:tag]} in every container of the build by {@code newName:newTag} (or {@code @digest}). */
    @SuppressWarnings("unchecked")
    private static void setImage(Path dir, Map<String, Object> rule, List<Map<String, Object>> objects) {
        if (!Set.of("name", "newName", "newTag", "digest").containsAll(rule.keySet()) || rule.get("name") == null) {
            throw new IllegalStateException(dir + ": images entries are {name, newName, newTag, digest}");
        }
        String name = rule.get("name").toString();
        for (var o : objects) {
            var spec = (Map<String, Object>)
                    ((Map<String, Object>) o.getOrDefault("spec", Map.of())).getOrDefault("template", Map.of());
            var pod = (Map<String, Object>) spec.getOrDefault("spec", Map.of());
            for (Object c : list(pod.get("containers"))) {
                var container = (Map<String, Object>) c;
                String image = String.valueOf(container.get("image"));
                String repo = image.replaceFirst("@.*$", "").replaceFirst(":[^:/]+$", "");
                if (repo.equals(name)) {
                    String newName = String.valueOf(rule.getOrDefault("newName", repo));
                    String suffix = image.substring(repo.length());
                    if (rule.get("digest") != null) {
                        suffix = "@" + rule.get("digest");
                    } else if (rule.get("newTag") != null) {
                        suffix = ":" + rule.get("newTag");
                    }
                    container.put("image", newName + suffix);
                }
            }
        }
    }

    /** Every YAML document in a file, as a tree. */
    static List<Map<String, Object>> read(Path file) {
        try (var parser = YAML.createParser(file.toFile())) {
            var docs = new ArrayList<Map<String, Object>>();
            YAML.readValues(parser, Map.class).forEachRemaining(d -> {
                if (d != null) {
                    @SuppressWarnings("unchecked")
                    Map<String, Object> doc = (Map<String, Object>) d;
                    docs.add(doc);
                }
            });
            return docs;
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": " + e.getMessage(), e);
        }
    }

    static String id(Map<String, Object> doc) {
        return doc.get("kind") + "/" + metadata(doc).get("name");
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> metadata(Map<String, Object> doc) {
        return (Map<String, Object>) doc.getOrDefault("metadata", Map.of());
    }

    private static boolean sameObject(Map<String, Object> a, Map<String, Object> b) {
        return Objects.equals(a.get("kind"), b.get("kind"))
                && Objects.equals(metadata(a).get("name"), metadata(b).get("name"));
    }

    private static List<?> list(Object o) {
        return o == null ? List.of() : (List<?>) o;
    }

    /** A strategic merge patch as Kubernetes applies it to these manifests: maps merge, named lists merge by name. */
    @SuppressWarnings("unchecked")
    static void merge(Map<String, Object> target, Map<String, Object> patch) {
        patch.forEach((key, value) -> {
            Object current = target.get(key);
            if (value == null) {
                target.remove(key);
            } else if (current instanceof Map<?, ?> cm && value instanceof Map<?, ?> vm) {
                merge((Map<String, Object>) cm, (Map<String, Object>) vm);
            } else if (current instanceof List<?> cl && value instanceof List<?> vl && MERGED_BY_NAME.contains(key)) {
                var merged = new ArrayList<Object>(cl);
                for (Object item : vl) {
                    var itemMap = (Map<String, Object>) item;
                    var same = merged.stream()
                            .filter(m -> Objects.equals(((Map<String, Object>) m).get("name"), itemMap.get("name")))
                            .findFirst();
                    if (same.isPresent()) {
                        merge((Map<String, Object>) same.get(), itemMap);
                    } else {
                        merged.add(new LinkedHashMap<>(itemMap));
                    }
                }
                target.put(key, merged);
            } else {
                target.put(key, value);
            }
        });
    }
}
