package io.harbormaster.bot.cli;

import io.harbormaster.bot.assembly.RiskModels;
import io.harbormaster.bot.http.DeployRequestsApi;
import io.harbormaster.bot.sandbox.Sandbox;
import io.harbormaster.engine.risk.DatasetError;
import io.harbormaster.engine.risk.RiskModelJson;
import io.harbormaster.sandbox.SimulatedCi;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code harbormaster sandbox}: the whole product on this machine, with a Slack-like console in the browser. */
@Command(
        name = "sandbox",
        mixinStandardHelpOptions = true,
        description = {
            "Run the whole product on this machine, with no Slack workspace, cluster or Prometheus: the bot's own code"
                    + " over an H2 database and the in-process event bus, a simulated cluster whose pods produce"
                    + " metrics, a simulated CI with a few builds, and a console in the browser that looks and behaves"
                    + " like a Slack channel. Open the address it prints; stop it with Ctrl-C, and the next start"
                    + " continues from the data directory.",
            "CI requests (POST /api/v1/deploy-requests) are signed with HARBORMASTER_CI_SIGNING_SECRET when it is"
                    + " set, otherwise with a secret the sandbox keeps in its data directory (ci-signing-secret);"
                    + " the start-up output says how to sign one."
        })
final class SandboxCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--port", paramLabel = "PORT", description = "port of the console (default: ${DEFAULT-VALUE})")
    int port = 8080;

    @Option(
            names = "--host",
            paramLabel = "HOST",
            description = "address to listen on (default: ${DEFAULT-VALUE}); the console has no login, so anyone who"
                    + " reaches it can act as anyone")
    String host = "127.0.0.1";

    @Option(
            names = "--data",
            paramLabel = "DIR",
            description = "where the sandbox keeps its database, audit key, CI signing secret, cluster and channel"
                    + " (default: ${DEFAULT-VALUE})")
    Path data = Path.of("sandbox-data");

    @Option(names = "--reset", description = "delete the data directory first and start afresh")
    boolean reset;

    @Option(
            names = "--fault",
            paramLabel = "SERVICE@VERSION=KIND",
            description = "make a build of the simulated CI misbehave (repeatable): KIND is errors (15%% of requests"
                    + " fail), slow (3x the latency), crash (pods never ready) or none; e.g. --fault"
                    + " checkout@1.4.1=slow. The console's sidebar does the same while the sandbox runs.")
    java.util.List<String> faults = new java.util.ArrayList<>();

    @Option(
            names = "--allow-host",
            paramLabel = "NAME",
            description = "another name the browser may reach the console by (repeatable), such as a proxy's or a"
                    + " port forward's (x-8080.app.github.dev); loopback names are always accepted")
    java.util.List<String> allowHosts = new java.util.ArrayList<>();

    @Option(
            names = "--risk-model",
            paramLabel = "MODEL.json",
            description = "score deploys with a model `harbormaster risk train` wrote instead of the shipped one (what"
                    + " risk.model in harbormaster.yml does for serve), to see which of your changes it escalates")
    Path riskModel;

    /** Stops the sandbox when counted down (a shutdown hook in production, the test otherwise). */
    CountDownLatch stop = new CountDownLatch(1);

    /** The environment ({@code HARBORMASTER_CI_SIGNING_SECRET}); tests give their own. */
    java.util.Map<String, String> env = System.getenv();

    @Override
    public Integer call() throws IOException {
        ListenAddress.checkFree(host, port, "another sandbox"); // before --reset deletes anything
        for (var name : allowHosts) {
            if (!Sandbox.isHostName(name)) {
                throw new UserError("--allow-host takes a host name without scheme or port, such as"
                        + " x-8080.app.github.dev; got '" + name + "'");
            }
        }
        var faultsAsked = faults(); // before anything starts: a mistyped --fault with --reset must delete nothing
        var catalog = catalog(); // so is a --risk-model that cannot be read
        var out = spec.commandLine().getOut();
        long started = System.nanoTime();
        // The JVM exits when its shutdown hooks return. The hook is in place before anything starts, and waits until
        // the sandbox has closed its database (a Ctrl-C during start-up waits for the start to finish, then stops).
        var closed = new CountDownLatch(1);
        var hook = new Thread(
                () -> {
                    stop.countDown();
                    try {
                        closed.await(60, java.util.concurrent.TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                },
                "harbormaster-sandbox-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        Sandbox sandbox = null;
        try {
            sandbox = start(catalog);
            for (var f : faultsAsked) {
                sandbox.injectFault(f.service(), f.version(), f.kind());
            }
            sandbox.allowHosts(allowHosts);
            out.printf(
                    "Harbormaster sandbox ready in %.1f s: open %s/%n"
                            + "Data in %s (start again to continue; --reset starts afresh). Stop with Ctrl-C.%n",
                    (System.nanoTime() - started) / 1e9, sandbox.address(), data.toAbsolutePath());
            out.println(RiskModels.describe(sandbox.risk()));
            sandbox.ciIntake().howToSign().forEach(out::println);
            out.flush();
            stop.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            try {
                if (sandbox != null) {
                    sandbox.close();
                    out.println("Sandbox stopped; its data is in " + data.toAbsolutePath());
                    out.flush();
                }
            } finally {
                closed.countDown();
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException e) {
                    // Already shutting down: the hook is what brought us here.
                }
            }
        }
        return 0;
    }

    /** The sandbox's catalog, with {@code risk.model} naming {@link #riskModel} when one is given. */
    private String catalog() {
        if (riskModel == null) {
            return Sandbox.defaultCatalog();
        }
        try {
            RiskModelJson.read(riskModel); // said here as an option's problem, not as one of the sandbox's catalog
        } catch (DatasetError e) {
            throw new UserError(
                    "--risk-model: " + e.getMessage() + "; give a model `harbormaster risk train --out`" + " wrote");
        }
        // a YAML double-quoted scalar is a JSON string
        return Sandbox.defaultCatalog() + "\nrisk:\n  model: "
                + RiskCli.json(riskModel.toAbsolutePath().toString()) + "\n";
    }

    private Sandbox start(String catalog) throws IOException {
        try {
            return Sandbox.start(
                    new Sandbox.Settings(
                            data,
                            host,
                            port,
                            catalog,
                            SimulatedCi.standard(),
                            Duration.ofMillis(250),
                            java.util.Optional.ofNullable(env.get(DeployRequestsApi.SECRET_VARIABLE))),
                    reset);
        } catch (Sandbox.PortInUse | Sandbox.DataInUse e) {
            throw new UserError(e.getMessage());
        } catch (java.nio.file.FileSystemException e) {
            throw new UserError(
                    "--data " + data + ": cannot keep the sandbox's data there: " + OutputFiles.why(e)
                            + " (give another directory with --data)",
                    e);
        }
    }

    private record FaultAsked(String service, String version, String kind) {}

    private List<FaultAsked> faults() {
        var asked = new ArrayList<FaultAsked>();
        for (var f : faults) {
            var m = java.util.regex.Pattern.compile("([a-z0-9-]+)@([A-Za-z0-9_.-]+)=([a-z]+)")
                    .matcher(f);
            if (!m.matches()) {
                throw new UserError("--fault takes SERVICE@VERSION=KIND, such as checkout@1.4.1=slow; got '" + f + "'");
            }
            try {
                Sandbox.checkFault(SimulatedCi.standard(), m.group(1), m.group(2), m.group(3));
            } catch (IllegalArgumentException e) {
                throw new UserError("--fault " + f + ": " + e.getMessage());
            }
            asked.add(new FaultAsked(m.group(1), m.group(2), m.group(3)));
        }
        return asked;
    }
}
