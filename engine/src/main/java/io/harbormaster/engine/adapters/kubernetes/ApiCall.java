package io.harbormaster.engine.adapters.kubernetes;

import java.net.URI;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * One kind of Kubernetes API request, in the terms RBAC grants it: a verb on a resource of an API group.
 *
 * @param group the API group, {@code ""} for the core group (as in a Role's {@code apiGroups})
 * @param resource the plural resource, with {@code /subresource} when it is one (e.g. {@code deployments/scale}); for a
 *     path outside the API (such as {@code /version}) the path itself, as a Role's {@code nonResourceURLs} names it
 */
public record ApiCall(String verb, String group, String resource) implements Comparable<ApiCall> {
    private static final Comparator<ApiCall> ORDER =
            Comparator.comparing(ApiCall::verb).thenComparing(ApiCall::group).thenComparing(ApiCall::resource);
    private static final Set<String> NAMESPACE_SUBRESOURCES = Set.of("status", "finalize");

    public ApiCall {
        Objects.requireNonNull(verb, "verb");
        Objects.requireNonNull(group, "group");
        Objects.requireNonNull(resource, "resource");
    }

    /**
     * The RBAC verb and resource of an HTTP request to the API server, the way the API server itself names it: GET of an
     * item is {@code get}, of a collection {@code list}, with {@code watch=true} {@code watch}; POST {@code create}; PUT
     * {@code update}; PATCH {@code patch}; DELETE of an item {@code delete}, of a collection {@code deletecollection}.
     */
    public static ApiCall fromHttp(String method, URI uri) {
        String httpVerb = method.toUpperCase(Locale.ROOT);
        String[] segments = Arrays.stream(uri.getPath().split("/"))
                .filter(s -> !s.isEmpty())
                .toArray(String[]::new);
        int start;
        String group;
        if (segments.length >= 3 && segments[0].equals("api")) {
            group = "";
            start = 2;
        } else if (segments.length >= 4 && segments[0].equals("apis")) {
            group = segments[1];
            start = 3;
        } else {
            return new ApiCall(httpVerb.toLowerCase(Locale.ROOT), "", uri.getPath());
        }
        String[] rest = Arrays.copyOfRange(segments, start, segments.length);
        boolean watchPath = rest.length > 0 && rest[0].equals("watch");
        if (watchPath) {
            rest = Arrays.copyOfRange(rest, 1, rest.length);
        }
        if (rest.length >= 3
                && rest[0].equals("namespaces")
                && !(rest.length == 3 && NAMESPACE_SUBRESOURCES.contains(rest[2]))) {
            rest = Arrays.copyOfRange(rest, 2, rest.length); // a namespaced resource: drop "namespaces/<name>"
        }
        if (rest.length == 0) {
            return new ApiCall(httpVerb.toLowerCase(Locale.ROOT), "", uri.getPath());
        }
        boolean item = rest.length >= 2;
        String resource = rest.length >= 3 ? rest[0] + "/" + rest[2] : rest[0];
        String verb =
                switch (httpVerb) {
                    case "GET", "HEAD" -> watchPath || isWatch(uri.getRawQuery()) ? "watch" : item ? "get" : "list";
                    case "POST" -> "create";
                    case "PUT" -> "update";
                    case "PATCH" -> "patch";
                    case "DELETE" -> item ? "delete" : "deletecollection";
                    default -> httpVerb.toLowerCase(Locale.ROOT);
                };
        return new ApiCall(verb, group, resource);
    }

    /** {@code verb group resource}, the core group written {@code ""}. */
    public String line() {
        return verb + " " + (group.isEmpty() ? "\"\"" : group) + " " + resource;
    }

    @Override
    public int compareTo(ApiCall other) {
        return ORDER.compare(this, other);
    }

    private static boolean isWatch(String rawQuery) {
        if (rawQuery == null) {
            return false;
        }
        return Arrays.stream(rawQuery.split("&")).anyMatch(p -> p.equals("watch=true") || p.equals("watch=1"));
    }
}
