package io.harbormaster.engine.adapters.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ApiCallTest {

    @ParameterizedTest(name = "{0} {1} -> {2}")
    @CsvSource(
            delimiter = '|',
            value = {
                "GET    | /apis/apps/v1/namespaces/shop/deployments/web                         | get apps deployments",
                "GET    | /apis/apps/v1/namespaces/shop/deployments                             | list apps deployments",
                "GET    | /apis/apps/v1/namespaces/shop/deployments?labelSelector=app%3Dweb     | list apps deployments",
                "GET    | /apis/apps/v1/namespaces/shop/deployments?fieldSelector=metadata.name%3Dweb&watch=true"
                        + " | watch apps deployments",
                "GET    | /api/v1/namespaces/shop/pods?watch=1&resourceVersion=10               | watch \"\" pods",
                "GET    | /api/v1/watch/namespaces/shop/pods                                     | watch \"\" pods",
                "GET    | /api/v1/namespaces/shop/pods?labelSelector=app%3Dweb                   | list \"\" pods",
                "GET    | /api/v1/pods                                                           | list \"\" pods",
                "POST   | /apis/apps/v1/namespaces/shop/deployments                             | create apps deployments",
                "PUT    | /apis/apps/v1/namespaces/shop/deployments/web                         | update apps deployments",
                "PUT    | /apis/apps/v1/namespaces/shop/deployments/web/status                  | update apps deployments/status",
                "PATCH  | /apis/apps/v1/namespaces/shop/deployments/web                         | patch apps deployments",
                "PATCH  | /apis/apps/v1/namespaces/shop/deployments/web/scale                   | patch apps deployments/scale",
                "DELETE | /apis/apps/v1/namespaces/shop/deployments/web-canary                  | delete apps deployments",
                "DELETE | /apis/apps/v1/namespaces/shop/deployments?labelSelector=track%3Dcanary | deletecollection apps deployments",
                "GET    | /api/v1/namespaces/shop                                                | get \"\" namespaces",
                "GET    | /api/v1/namespaces                                                     | list \"\" namespaces",
                "PUT    | /api/v1/namespaces/shop/finalize                                       | update \"\" namespaces/finalize",
                "GET    | /apis/rbac.authorization.k8s.io/v1/clusterroles/view                  | get rbac.authorization.k8s.io clusterroles",
                "POST   | /apis/authorization.k8s.io/v1/selfsubjectaccessreviews                | create authorization.k8s.io selfsubjectaccessreviews",
                "GET    | /version                                                               | get \"\" /version",
            })
    void namesAnHttpRequestByTheVerbAndResourceRbacGrants(String method, String uri, String call) {
        assertThat(ApiCall.fromHttp(method, URI.create("https://10.0.0.1:6443" + uri.strip()))
                        .line())
                .isEqualTo(call);
    }

    @Test
    void sortsByVerbThenGroupThenResource() {
        var calls = new java.util.TreeSet<ApiCall>(java.util.List.of(
                new ApiCall("patch", "apps", "deployments"),
                new ApiCall("get", "apps", "deployments"),
                new ApiCall("get", "", "pods")));

        assertThat(calls)
                .extracting(ApiCall::line)
                .containsExactly("get \"\" pods", "get apps deployments", "patch apps deployments");
    }
}
