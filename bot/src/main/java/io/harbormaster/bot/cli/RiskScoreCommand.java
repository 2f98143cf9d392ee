package io.harbormaster.bot.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.harbormaster.engine.intake.CiDeployRequestParser;
import io.harbormaster.engine.intake.ParseResult;
import io.harbormaster.engine.intake.Problem;
import io.harbormaster.engine.risk.DatasetError;
import io.harbormaster.engine.risk.ParsedInput;
import io.harbormaster.engine.risk.RiskAssessment;
import io.harbormaster.engine.risk.RiskDecision;
import io.harbormaster.engine.risk.RiskModel;
import io.harbormaster.engine.risk.RiskModelJson;
import io.harbormaster.engine.risk.RiskScorer;
import io.harbormaster.engine.risk.RuleOutcome;
import io.harbormaster.engine.rollout.RiskInputs;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code harbormaster risk score}: scores one change and says whether it needs a human, and why. */
@Command(
        name = "score",
        mixinStandardHelpOptions = true,
        description = {
            "Score one deploy: the always-escalate rules, the risk score 0..100 with each factor's contribution,"
                    + " and the decision.",
            "The change file is a CI announcement, exactly the JSON CI sends to deploy.requests or"
                    + " POST /api/v1/deploy-requests and read by the same parser (service, version, image, commit_sha,"
                    + " build_id, ci_status: success, failed, running or unknown, change: ns, nd, nf, entropy, la, ld,"
                    + " lt, fix, ndev, age, nuc, exp, rexp, sexp, files, dependencies, ...), plus an optional context"
                    + " object with what the bot adds when it deploys: criticality, recent_rollbacks,"
                    + " recent_incidents, dependents, catalog_dependencies, local_time. Context left out takes"
                    + " conservative defaults that raise the risk, and says so."
        })
final class RiskScoreCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(
            names = "--model",
            paramLabel = "MODEL.json",
            description = "a model from 'risk train' (default: the shipped model, trained on ApacheJIT 2003-2016)")
    Optional<Path> model;

    @Option(names = "--change", required = true, paramLabel = "CHANGE.json", description = "the change to score")
    Path change;

    @Option(names = "--json", description = "print machine-readable JSON")
    boolean json;

    @Override
    public Integer call() {
        model.ifPresent(f -> InputFiles.refuseDirectory(f, "--model", "a model file written by 'risk train'"));
        InputFiles.refuseDirectory(change, "--change", "the CI announcement to score (a JSON file)");
        RiskModel m;
        try {
            m = model.map(RiskModelJson::read).orElseGet(RiskModelJson::defaultModel);
        } catch (DatasetError e) {
            throw new UserError(e.getMessage() + "; train one with 'harbormaster risk train'", e);
        }
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(change);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new UserError("--change " + change + ": no such file; give the CI announcement to score (JSON)", e);
        } catch (IOException e) {
            throw new UserError("--change " + change + ": cannot read it (" + OutputFiles.why(e) + ")", e);
        }
        // The announcement exactly as the CI intake reads it; "context" is ours, which the intake would ignore.
        var request =
                switch (CiDeployRequestParser.parse(bytes)) {
                    case ParseResult.Parsed p -> p.request();
                    case ParseResult.Refused r -> {
                        // what scoring would refuse too, so that the file is fixed in one round, not one per reader
                        // a field the intake named is not named twice
                        var named = r.problems().stream().map(Problem::field).toList();
                        var also = RiskInputs.problemsBesideIntake(readTreeOrNull(bytes)).stream()
                                .filter(p ->
                                        named.stream().noneMatch(f -> p.startsWith(f + " ") || p.startsWith(f + ":")))
                                .toList();
                        throw new UserError(change + ": not a CI announcement the intake would accept: "
                                + String.join(
                                        "; ",
                                        r.problems().stream()
                                                .map(Problem::toString)
                                                .toList())
                                + (also.isEmpty() ? "" : "; and to score it: " + String.join("; ", also)));
                    }
                };
        JsonNode context;
        try {
            context = Json.MAPPER.readTree(bytes).get("context");
        } catch (IOException e) {
            throw new IllegalStateException("the intake parsed it as JSON", e);
        }
        var err = spec.commandLine().getErr();
        request.warnings().stream()
                .filter(w -> !w.startsWith("unknown field \"context\""))
                .forEach(w -> err.println("note: " + w));
        err.flush();
        var input =
                switch (RiskInputs.forAnnouncement(request.toAnnouncedBuild(java.time.Instant.now()), context)) {
                    case ParsedInput.Valid v -> v.input();
                    case ParsedInput.Invalid inv ->
                        throw new UserError(change + ": " + String.join("; ", inv.problems()));
                };
        var assessment = RiskScorer.withDefaultRules(m).assess(input);
        var out = spec.commandLine().getOut();
        if (json) {
            out.println(RiskCli.json(toJson(assessment)));
        } else {
            printTable(out, assessment);
        }
        return 0;
    }

    /** The file as JSON, or null when it is not (the intake has said so). */
    private static JsonNode readTreeOrNull(byte[] bytes) {
        try {
            return Json.MAPPER.readTree(bytes);
        } catch (IOException e) {
            return null;
        }
    }

    static Map<String, Object> toJson(RiskAssessment a) {
        var m = new LinkedHashMap<String, Object>();
        m.put("service", a.service());
        m.put("version", a.version());
        m.put("score", round(a.score(), 1));
        m.put(
                "threshold",
                Map.of(
                        "score",
                        round(a.threshold().score(), 1),
                        "target_rate",
                        a.threshold().targetRate()));
        m.put("decision", a.escalated() ? "escalate" : "proceed");
        m.put("reasons", reasons(a));
        var factors = new ArrayList<Map<String, Object>>();
        for (var f : a.factors()) {
            var fm = new LinkedHashMap<String, Object>();
            fm.put("name", f.name());
            fm.put("words", f.words());
            fm.put("contribution", round(f.contribution(), 4));
            fm.put("effect", f.effect());
            factors.add(fm);
        }
        m.put("factors", factors);
        m.put("bias", round(a.bias(), 4));
        var rules = new ArrayList<Map<String, Object>>();
        for (var r : a.rules()) {
            rules.add(
                    switch (r) {
                        case RuleOutcome.Pass p -> Map.of("rule", p.rule(), "outcome", "pass");
                        case RuleOutcome.Escalate e ->
                            Map.of("rule", e.rule(), "outcome", "escalate", "reason", e.reason());
                        case RuleOutcome.Note n -> Map.of("rule", n.rule(), "outcome", "note", "reason", n.text());
                    });
        }
        m.put("rules", rules);
        m.put("assumptions", a.assumptions());
        m.put("reasoning", a.reasoning());
        return m;
    }

    private static List<String> reasons(RiskAssessment a) {
        return switch (a.decision()) {
            case RiskDecision.Proceed p -> List.of();
            case RiskDecision.Escalate e -> e.reasons();
        };
    }

    private static void printTable(PrintWriter w, RiskAssessment a) {
        w.printf(Locale.ROOT, "%s %s%n", a.service(), a.version());
        w.printf(Locale.ROOT, "  decision   %s%n", a.escalated() ? "ESCALATE: a human must approve" : "proceed");
        w.printf(
                Locale.ROOT,
                "  score      %.1f of 100 (threshold %.1f, set for %s of training changes)%n",
                a.score(),
                a.threshold().score(),
                io.harbormaster.engine.text.Numbers.percent(a.threshold().targetRate()));
        for (var r : reasons(a)) {
            w.printf(Locale.ROOT, "  because    %s%n", r);
        }
        w.println();
        w.printf(Locale.ROOT, "  %-9s %-28s %s%n", "log-odds", "effect", "factor");
        for (var f : a.factors()) {
            w.printf(Locale.ROOT, "  %+9.3f %-28s %s%n", f.contribution(), f.effect(), f.words());
        }
        w.printf(Locale.ROOT, "  %+9.3f %-28s %s%n", a.bias(), "", "starting point (training base rate)");
        for (var s : a.assumptions()) {
            w.printf(Locale.ROOT, "  assumed: %s%n", s);
        }
    }

    private static double round(double v, int digits) {
        double f = Math.pow(10, digits);
        return Math.round(v * f) / f;
    }
}
