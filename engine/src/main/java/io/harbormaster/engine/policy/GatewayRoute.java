package io.harbormaster.engine.policy;

import java.util.Objects;

/**
 * The Gateway API HTTPRoute whose weights divide a service's traffic during its canaries ({@code traffic.gateway_api}
 * in {@code harbormaster.yml}), and the Service its rules send the service's traffic to.
 *
 * @param namespace the HTTPRoute's namespace
 * @param route the HTTPRoute's name
 * @param service the stable Service the route's rules send to, in the service's own namespace; canary and baseline
 *     get Services of their own, {@code <service>-canary} and {@code <service>-baseline}
 */
public record GatewayRoute(String namespace, String route, String service) {
    public GatewayRoute {
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(route, "route");
        Objects.requireNonNull(service, "service");
    }

    @Override
    public String toString() {
        return "HTTPRoute " + namespace + "/" + route + " (Service " + service + ")";
    }
}
