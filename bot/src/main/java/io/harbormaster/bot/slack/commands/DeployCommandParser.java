package io.harbormaster.bot.slack.commands;

import io.harbormaster.engine.policy.Names;
import io.harbormaster.engine.policy.ServiceCatalog;
import io.harbormaster.engine.policy.ServiceLock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Parses the text after {@code /deploy} into a {@link DeployCommand}, checking service names against the catalog
 * and versions against image-tag syntax, or answers with a {@link Usage} that names the closest valid value.
 */
public final class DeployCommandParser {
    /** Docker image tag syntax: what a version must look like to be deployable. */
    static final Pattern VERSION = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}");

    static final Pattern ENVIRONMENT = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");
    /** A deploy's or an incident's number: positive, at most 18 digits (always a long). */
    static final Pattern DEPLOY_ID = Pattern.compile("[1-9][0-9]{0,17}");

    static final String EMERGENCY = "--emergency";

    public static final String DEPLOY_USAGE = "/deploy <service> <version> [to <env>] [--emergency]";
    public static final String STATUS_USAGE = "/deploy status [service]";
    public static final String ROLLBACK_USAGE = "/deploy rollback <service>";
    public static final String LOCK_USAGE = "/deploy lock <service> <reason...>";
    public static final String UNLOCK_USAGE = "/deploy unlock <service>";
    public static final String REVIEW_USAGE = "/deploy review <deploy-id>";
    public static final String RESOLVE_USAGE = "/deploy resolve <incident> [note...]";
    public static final String HELP_USAGE = "/deploy help";

    static final List<String> SUBCOMMANDS =
            List.of("status", "rollback", "lock", "unlock", "review", "resolve", "help");

    private final java.util.function.Supplier<ServiceCatalog> catalogs;
    private final Set<String> environments;

    /**
     * @param environments the environments a deploy may name; empty accepts any well-formed name (the pipeline then
     *     decides)
     */
    public DeployCommandParser(ServiceCatalog catalog, Set<String> environments) {
        this(() -> catalog, environments);
    }

    /**
     * @param catalog the catalog in force, asked at each command (harbormaster.yml may be reloaded meanwhile)
     * @param environments as above
     */
    public DeployCommandParser(java.util.function.Supplier<ServiceCatalog> catalog, Set<String> environments) {
        this.catalogs = catalog;
        this.environments = Set.copyOf(environments);
    }

    private ServiceCatalog catalog() {
        return catalogs.get();
    }

    /**
     * The catalog's name of the service {@code typed} names, in whatever case it was typed: harbormaster.yml allows
     * only lower-case service names (they are Kubernetes names), so {@code CHECKOUT} can mean nothing but checkout.
     */
    private Optional<String> known(String typed) {
        var catalog = catalog();
        if (catalog.service(typed).isPresent()) {
            return Optional.of(typed);
        }
        var folded = catalog.services().keySet().stream()
                .filter(name -> name.equalsIgnoreCase(typed))
                .toList();
        return folded.size() == 1 ? Optional.of(folded.getFirst()) : Optional.empty();
    }

    /** Parses the command text (Slack's {@code text} field, which may be empty). */
    public Parsed<DeployCommand> parse(String text) {
        var words = words(text);
        if (words.isEmpty()) {
            return Parsed.ok(new DeployCommand.Help());
        }
        if (option(words.getFirst()).startsWith("-")) {
            return optionsFirst(words);
        }
        var first = words.getFirst();
        var rest = words.subList(1, words.size());
        return switch (first.toLowerCase(java.util.Locale.ROOT)) {
            case "help" ->
                rest.isEmpty()
                        ? Parsed.ok(new DeployCommand.Help())
                        : Parsed.invalid(Usage.of("`help` takes no arguments.", HELP_USAGE));
            case "status" -> status(rest);
            case "rollback" -> oneService(rest, ROLLBACK_USAGE).map(DeployCommand.Rollback::new);
            case "unlock" -> oneService(rest, UNLOCK_USAGE).map(DeployCommand.Unlock::new);
            case "lock" -> lock(rest);
            // added after the others: a service named review, configured before, is still deployed as before
            case "review" -> known(first).isPresent() ? deploy(first, rest) : review(rest);
            case "resolve" -> known(first).isPresent() ? deploy(first, rest) : resolve(rest);
            default -> deploy(first, rest);
        };
    }

    /**
     * Options typed before the service ({@code /deploy --emergency checkout 1.4.1}) are taken as if typed after it:
     * only a deploy takes one, so there is no doubt what they belong to. Before a subcommand they are refused.
     */
    private Parsed<DeployCommand> optionsFirst(List<String> words) {
        int k = 0;
        while (k < words.size() && option(words.get(k)).startsWith("-")) {
            k++;
        }
        var options = words.subList(0, k);
        if (k == words.size()) {
            if (options.stream().map(DeployCommandParser::option).anyMatch(o -> o.equalsIgnoreCase("--help"))) {
                return Parsed.ok(new DeployCommand.Help());
            }
            return Parsed.invalid(Usage.of(
                    "Name the service and the version to deploy, then the option: `/deploy <service> <version> "
                            + EMERGENCY + "`.",
                    DEPLOY_USAGE));
        }
        var service = words.get(k);
        var sub = service.toLowerCase(java.util.Locale.ROOT);
        if (SUBCOMMANDS.contains(sub) && known(service).isEmpty()) {
            return Parsed.invalid(Usage.of(
                    "`" + abbreviate(options.getFirst()) + "` goes with a deploy (`" + DEPLOY_USAGE + "`), not with `"
                            + sub + "`.",
                    usageOf(sub)));
        }
        var rest = new ArrayList<>(words.subList(k + 1, words.size()));
        rest.addAll(options);
        return deploy(service, rest);
    }

    /**
     * A word as an option: Slack on a Mac turns a typed {@code --} into an em dash ({@code —emergency}), and some
     * keyboards into an en dash ({@code –emergency}); either, leading a word, is read as {@code --}. Only options are
     * read so: a lock's reason keeps its dashes.
     */
    static String option(String word) {
        return word.length() > 1 && (word.charAt(0) == '\u2014' || word.charAt(0) == '\u2013')
                ? "--" + word.substring(1)
                : word;
    }

    private Parsed<DeployCommand> status(List<String> rest) {
        if (rest.isEmpty()) {
            return Parsed.ok(new DeployCommand.Status(Optional.empty()));
        }
        if (rest.size() > 1) {
            return Parsed.invalid(Usage.of("`status` takes at most one service.", STATUS_USAGE));
        }
        return service(rest.getFirst(), STATUS_USAGE).map(s -> new DeployCommand.Status(Optional.of(s)));
    }

    private Parsed<DeployCommand> lock(List<String> rest) {
        if (rest.isEmpty()) {
            return Parsed.invalid(Usage.of("Which service should be locked?", LOCK_USAGE));
        }
        var service = service(rest.getFirst(), LOCK_USAGE);
        if (service instanceof Parsed.Invalid<String>(var usage)) {
            return Parsed.invalid(usage);
        }
        var reason = String.join(" ", rest.subList(1, rest.size())).strip();
        if (reason.isEmpty()) {
            return Parsed.invalid(
                    Usage.of("A lock needs a reason, so others know why they cannot deploy.", LOCK_USAGE));
        }
        // every message about the lock quotes its reason: a long one would push what follows it (how to lift the
        // lock) past Slack's limits
        int length = ServiceLock.length(reason);
        if (length > ServiceLock.MAX_REASON) {
            return Parsed.invalid(Usage.of(
                    "A lock's reason is at most " + ServiceLock.MAX_REASON + " characters; this one has " + length
                            + ". Nothing was locked: say it in fewer words (a link to the ticket or the incident can"
                            + " carry the details).",
                    LOCK_USAGE));
        }
        return Parsed.ok(new DeployCommand.Lock(((Parsed.Ok<String>) service).command(), reason));
    }

    /** {@code review <deploy-id>}: the deploy's number as {@code /deploy status} and its thread show it (42 or #42). */
    private Parsed<DeployCommand> review(List<String> rest) {
        if (rest.isEmpty()) {
            return Parsed.invalid(
                    Usage.of("Which deploy? Give its number, as `" + STATUS_USAGE + "` lists it.", REVIEW_USAGE));
        }
        if (rest.size() > 1) {
            return Parsed.invalid(Usage.of(
                    "Unexpected `" + abbreviate(rest.get(1)) + "`: name one deploy, by its number.", REVIEW_USAGE));
        }
        var word = rest.getFirst();
        var number = word.startsWith("#") ? word.substring(1) : word;
        if (!DEPLOY_ID.matcher(number).matches()) {
            var problem = known(word).isPresent()
                    ? "Name the deploy by its number, not its service: `/deploy status " + word
                            + "` lists its emergency deploys awaiting review, with their numbers."
                    : "`" + abbreviate(word) + "` is not a deploy number: give the number `" + STATUS_USAGE
                            + "` lists (for example `/deploy review 42`).";
            return Parsed.invalid(Usage.of(problem, REVIEW_USAGE));
        }
        return Parsed.ok(new DeployCommand.Review(Long.parseLong(number)));
    }

    /**
     * {@code resolve <incident> [note...]}: the incident's number as the rollback notice, a blocked preflight and
     * {@code /deploy status} show it (2 or #2), then what the person says of it, if anything.
     */
    private Parsed<DeployCommand> resolve(List<String> rest) {
        if (rest.isEmpty()) {
            return Parsed.invalid(Usage.of(
                    "Which incident? Give its number, as the rollback notice or `" + STATUS_USAGE + "` names it.",
                    RESOLVE_USAGE));
        }
        var word = rest.getFirst();
        var number = word.startsWith("#") ? word.substring(1) : word;
        if (!DEPLOY_ID.matcher(number).matches()) {
            var problem = known(word).isPresent()
                    ? "Name the incident by its number, not its service: `/deploy status` lists the incidents that"
                            + " hold deploys back, with their numbers."
                    : "`" + abbreviate(word) + "` is not an incident number: give the number the rollback notice or `"
                            + STATUS_USAGE + "` names (for example `/deploy resolve 7 cache warmed`).";
            return Parsed.invalid(Usage.of(problem, RESOLVE_USAGE));
        }
        var note = String.join(" ", rest.subList(1, rest.size())).strip();
        return Parsed.ok(new DeployCommand.Resolve(Long.parseLong(number), note));
    }

    private Parsed<String> oneService(List<String> rest, String usage) {
        if (rest.isEmpty()) {
            return Parsed.invalid(Usage.of("Which service?", usage));
        }
        if (rest.size() > 1) {
            return Parsed.invalid(Usage.of("Unexpected `" + abbreviate(rest.get(1)) + "`: name one service.", usage));
        }
        return service(rest.getFirst(), usage);
    }

    private Parsed<DeployCommand> deploy(String typed, List<String> rest) {
        var service = known(typed);
        if (service.isEmpty()) {
            var first = typed;
            // A near miss of a subcommand is more likely than a service nobody configured.
            var sub = Names.closest(first.toLowerCase(java.util.Locale.ROOT), SUBCOMMANDS);
            var svc = Names.closest(first, catalog().services().keySet());
            if (sub.isPresent()
                    && (svc.isEmpty() || Names.distance(sub.get(), first) < Names.distance(svc.get(), first))) {
                return Parsed.invalid(new Usage(
                        "`" + abbreviate(first) + "` is neither a subcommand nor a service.",
                        usageOf(sub.get()),
                        List.of(sub.get())));
            }
            return Parsed.invalid(unknownService(first, DEPLOY_USAGE));
        }
        var first = service.get();
        boolean emergency = false;
        var positional = new ArrayList<String>();
        for (var word : rest) {
            var option = option(word);
            if (option.equalsIgnoreCase(EMERGENCY)) {
                if (emergency) {
                    // harmless, but most likely a slip of the paste: said, rather than guessed at
                    return Parsed.invalid(Usage.of("`" + EMERGENCY + "` is given twice: give it once.", DEPLOY_USAGE));
                }
                emergency = true;
            } else if (option.startsWith("-")) {
                var close = Names.closest(option.toLowerCase(java.util.Locale.ROOT), List.of(EMERGENCY));
                return Parsed.invalid(new Usage(
                        "Unknown option `" + abbreviate(word) + "`.",
                        DEPLOY_USAGE,
                        close.map(List::of).orElse(List.of())));
            } else {
                positional.add(word);
            }
        }
        if (positional.isEmpty()) {
            return Parsed.invalid(Usage.of("Which version of `" + first + "`? Give the image tag.", DEPLOY_USAGE));
        }
        var version = positional.getFirst();
        if (version.equalsIgnoreCase("to")) {
            // "/deploy checkout to production 1.4.1": the environment, if named at all, comes after the version
            var rewritten =
                    positional.size() > 2 && VERSION.matcher(positional.get(2)).matches()
                            ? List.of("/deploy " + first + " " + positional.get(2) + " to " + positional.get(1)
                                    + (emergency ? " " + EMERGENCY : ""))
                            : List.<String>of();
            return Parsed.invalid(new Usage(
                    "Give the version first: `to <env>` comes after it, and may be left out (the environment is"
                            + " this Harbormaster's own).",
                    DEPLOY_USAGE,
                    rewritten.stream().map(DeployCommandParser::abbreviate).toList()));
        }
        if (!VERSION.matcher(version).matches()) {
            return Parsed.invalid(Usage.of(
                    "`" + abbreviate(version) + "` is not an image tag: letters, digits, `_`, `.` and `-`,"
                            + " not starting with `.` or `-`, at most 128 characters.",
                    DEPLOY_USAGE));
        }
        var after = positional.subList(1, positional.size());
        Optional<String> environment = Optional.empty();
        if (!after.isEmpty()) {
            if (!after.getFirst().equalsIgnoreCase("to")) {
                // "/deploy checkout 1.4.1 production": an environment without its "to"
                var word = after.getFirst().toLowerCase(java.util.Locale.ROOT);
                var env = environments.contains(word) ? Optional.of(word) : meant(word, environments);
                if (after.size() == 1 && env.isPresent()) {
                    return Parsed.invalid(new Usage(
                            "An environment comes after `to` (and may be left out: the environment is this"
                                    + " Harbormaster's own).",
                            DEPLOY_USAGE,
                            List.of(abbreviate("/deploy " + first + " " + version + " to " + env.get()
                                    + (emergency ? " " + EMERGENCY : "")))));
                }
                var close = Names.closest(after.getFirst().toLowerCase(java.util.Locale.ROOT), List.of("to"));
                return Parsed.invalid(new Usage(
                        "Unexpected `" + abbreviate(after.getFirst()) + "` after the version.",
                        DEPLOY_USAGE,
                        close.map(c -> List.of(c + " " + (after.size() > 1 ? after.get(1) : "<env>")))
                                .orElse(List.of())));
            }
            if (after.size() < 2) {
                return Parsed.invalid(Usage.of("`to` needs an environment.", DEPLOY_USAGE));
            }
            if (after.size() > 2) {
                return Parsed.invalid(
                        Usage.of("Unexpected `" + abbreviate(after.get(2)) + "` after the environment.", DEPLOY_USAGE));
            }
            // environment names are lower-case, so "to Production" can mean nothing but production
            var env = after.get(1).toLowerCase(java.util.Locale.ROOT);
            var envProblem = environmentProblem(env);
            if (envProblem.isPresent()) {
                return Parsed.invalid(envProblem.get());
            }
            environment = Optional.of(env);
        }
        return Parsed.ok(new DeployCommand.Deploy(first, version, environment, emergency));
    }

    private Optional<Usage> environmentProblem(String env) {
        if (!ENVIRONMENT.matcher(env).matches()) {
            return Optional.of(Usage.of(
                    "`" + abbreviate(env) + "` is not an environment name: lower-case letters, digits and `-`.",
                    DEPLOY_USAGE));
        }
        if (!environments.isEmpty() && !environments.contains(env)) {
            var close = meant(env, environments);
            var known = environments.stream().sorted().toList();
            return Optional.of(new Usage(
                    "Unknown environment `" + env + "` (known: " + String.join(", ", known) + ").",
                    DEPLOY_USAGE,
                    close.map(List::of).orElse(List.of())));
        }
        return Optional.empty();
    }

    private Parsed<String> service(String name, String usage) {
        return known(name).<Parsed<String>>map(Parsed::ok).orElseGet(() -> Parsed.invalid(unknownService(name, usage)));
    }

    /** Short forms people type for an environment, by the name they stand for. */
    private static final Map<String, List<String>> SHORT_FORMS = Map.of(
            "production", List.of("prod", "prd", "live"),
            "staging", List.of("stage", "stg"),
            "development", List.of("dev"));

    /**
     * The environment among {@code known} that {@code typed} most likely means: a usual short form of it ({@code
     * prod} for production, {@code stage} for staging), a start of it ({@code produc}), or a near miss ({@code
     * prodution}).
     */
    public static Optional<String> meant(String typed, java.util.Collection<String> known) {
        var word = typed.toLowerCase(java.util.Locale.ROOT);
        for (var name : known.stream().sorted().toList()) {
            if (SHORT_FORMS.getOrDefault(name, List.of()).contains(word)
                    || (word.length() >= 3 && name.startsWith(word) && !name.equals(word))) {
                return Optional.of(name);
            }
        }
        return Names.closest(word, known);
    }

    private Usage unknownService(String name, String usage) {
        var lower = name.toLowerCase(java.util.Locale.ROOT); // service names are lower-case: CHEKOUT is near checkout
        var closest = catalog().closest(lower, 3).stream()
                .filter(c -> Names.distance(c, lower) <= Math.max(2, lower.length() / 2))
                .toList();
        var problem = "Unknown service `" + abbreviate(name) + "`.";
        if (closest.isEmpty() && !catalog().services().isEmpty()) {
            var all = catalog().services().keySet().stream().sorted().limit(10).toList();
            problem += " Services: " + String.join(", ", all)
                    + (catalog().services().size() > 10 ? ", …" : "") + ".";
        }
        return new Usage(problem, usage, closest);
    }

    private static String usageOf(String subcommand) {
        return switch (subcommand) {
            case "status" -> STATUS_USAGE;
            case "rollback" -> ROLLBACK_USAGE;
            case "lock" -> LOCK_USAGE;
            case "unlock" -> UNLOCK_USAGE;
            case "review" -> REVIEW_USAGE;
            case "resolve" -> RESOLVE_USAGE;
            default -> HELP_USAGE;
        };
    }

    /** Splits on any whitespace and undoes Slack's escaping of {@code & < >}. */
    static List<String> words(String text) {
        if (text == null || text.isBlank()) {
            return List.of();
        }
        var unescaped = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&");
        return Arrays.stream(unescaped.strip().split("\\s+")).toList();
    }

    /**
     * Echoes at most 60 characters of what the person typed, escaped: the answer is mrkdwn, and a word typed as
     * {@code <!channel>} or {@code <https://x|y>} is shown as typed, not as a broadcast or a link.
     */
    static String abbreviate(String s) {
        return io.harbormaster.bot.slack.messages.Mrkdwn.escape(s.length() <= 60 ? s : s.substring(0, 57) + "…");
    }
}
