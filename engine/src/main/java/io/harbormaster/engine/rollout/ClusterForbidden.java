package io.harbormaster.engine.rollout;

/**
 * The bot's Kubernetes identity may not do what was asked (HTTP 403): its Role lacks {@code verb} on {@code resource}.
 *
 * @param group the API group of the resource ({@code ""} for the core group)
 */
public final class ClusterForbidden extends ClusterException {
    private final String verb;
    private final String group;
    private final String resource;
    private final String namespace;

    public ClusterForbidden(String verb, String group, String resource, String namespace, Throwable cause) {
        super(
                "Kubernetes refused to " + verb + " " + resource + (group.isEmpty() ? "" : "." + group)
                        + " in namespace " + namespace + " (403 Forbidden): give the bot's service account a Role in "
                        + namespace + " with verb '" + verb + "' on resource '" + resource + "' of apiGroup '" + group
                        + "'",
                cause);
        this.verb = verb;
        this.group = group;
        this.resource = resource;
        this.namespace = namespace;
    }

    public String verb() {
        return verb;
    }

    public String group() {
        return group;
    }

    public String resource() {
        return resource;
    }

    public String namespace() {
        return namespace;
    }
}
