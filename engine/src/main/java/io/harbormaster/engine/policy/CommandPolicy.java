package io.harbormaster.engine.policy;

import io.harbormaster.engine.text.Times;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * Who may run which {@code /deploy} command on a service. A service with a deployer group (its own
 * {@code deployers}, else {@code defaults.deployers}) may be deployed (with or without {@code --emergency}), rolled
 * back, locked and unlocked by the members of that group and of its approver group only; a service without one by
 * anyone, as before deployer groups existed. Whoever may unlock a service lifts their own lock; a lock someone else
 * set is lifted only by a member of the service's approver group, deployers or not: a lock is usually set to hold
 * deploys back, so the people it holds back do not lift it on their own. {@code status} and {@code help} are open to
 * all, and CI's requests are authorized by their signature, not here.
 */
public final class CommandPolicy {
    private CommandPolicy() {}

    /** The commands this policy governs. */
    public enum Command {
        DEPLOY("deploy", "so nothing was started"),
        ROLLBACK("roll back", "so nothing was rolled back"),
        LOCK("lock", "so it was not locked"),
        UNLOCK("unlock", "so it stays locked");

        private final String verb;
        private final String consequence;

        Command(String verb, String consequence) {
            this.verb = verb;
            this.consequence = consequence;
        }

        /** The command's name in audit entries: {@code deploy}, {@code rollback}, {@code lock}, {@code unlock}. */
        public String id() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** Whether a command may run. */
    public sealed interface Verdict {
        /** It may, and why ({@code anyone}, {@code deployer}, {@code approver}, {@code lock owner}). */
        record Allowed(String as) implements Verdict {}

        /** It may not: {@code reason} is told to the person, {@code groups} are the ones that may. */
        record Refused(String reason, List<String> groups) implements Verdict {}
    }

    /** The groups whose members may run the governed commands on {@code spec}; empty when anyone may. */
    public static List<String> groupsOf(ServiceSpec spec) {
        if (spec.deployerGroup().isEmpty()) {
            return List.of();
        }
        var groups = new LinkedHashSet<String>();
        groups.add(spec.deployerGroup().get());
        groups.add(spec.approverGroup());
        return List.copyOf(groups);
    }

    /** Whether {@code member} may run {@code command} on {@code spec}'s service (an unlock: see {@link #unlock}). */
    public static Verdict check(ServiceCatalog catalog, ServiceSpec spec, String member, Command command) {
        var groups = groupsOf(spec);
        if (groups.isEmpty()) {
            return new Verdict.Allowed("anyone");
        }
        if (catalog.members(spec.approverGroup()).contains(member)) {
            return new Verdict.Allowed("approver");
        }
        if (catalog.members(spec.deployerGroup().orElseThrow()).contains(member)) {
            return new Verdict.Allowed("deployer");
        }
        var deployers = spec.deployerGroup().orElseThrow();
        return new Verdict.Refused(
                "Only members of " + names(groups) + " may " + command.verb + " " + spec.name()
                        + (command == Command.DEPLOY ? " (with or without --emergency)" : "") + ", "
                        + command.consequence + ". Ask one of them, or ask to be added to " + deployers
                        + " in harbormaster.yml.",
                groups);
    }

    /**
     * Whether {@code member} may lift {@code lock} from {@code spec}'s service: whoever may {@link #check unlock} it
     * lifts their own lock; someone else's only a member of its approver group. A refusal names who set the lock, when
     * and why.
     */
    public static Verdict unlock(ServiceCatalog catalog, ServiceSpec spec, ServiceLock lock, String member) {
        var may = check(catalog, spec, member, Command.UNLOCK);
        if (may instanceof Verdict.Refused r) {
            return new Verdict.Refused(held(lock) + " " + r.reason(), r.groups());
        }
        if (lock.lockedBy().equals(member)) {
            return new Verdict.Allowed("lock owner");
        }
        if (catalog.members(spec.approverGroup()).contains(member)) {
            return new Verdict.Allowed("approver");
        }
        return new Verdict.Refused(
                held(lock) + " Only " + lock.lockedBy() + ", who set it, or a member of *" + spec.approverGroup()
                        + "* may lift someone else's lock, so it stays locked. Ask them.",
                List.of(spec.approverGroup()));
    }

    private static String held(ServiceLock lock) {
        return lock.service() + " is locked by " + lock.lockedBy() + " since "
                + Times.words(lock.lockedAt()) + ": "
                + lock.shownReason() + ".";
    }

    private static String names(List<String> groups) {
        return String.join(" or ", groups.stream().map(g -> "*" + g + "*").toList());
    }
}
