package io.harbormaster.engine.policy;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Who a name given for a person is in Slack: a change's author or a deploy's requester, as CI or Slack named them (a
 * Slack member id, a GitHub login, an email address). The approval rules compare a clicker's member id with it.
 */
public sealed interface Identity {

    /** The name as it was given (empty when none was). */
    String named();

    /** Whether this is the Slack member {@code memberId}. */
    default boolean is(String memberId) {
        return false;
    }

    /** No name was given. */
    record Nobody() implements Identity {
        @Override
        public String named() {
            return "";
        }
    }

    /**
     * Known: the Slack member ids the name stands for (upper case), each with how it was known (empty: the name is
     * that member id).
     */
    record Members(String named, Map<String, String> how) implements Identity {
        public Members {
            var upper = new LinkedHashMap<String, String>();
            how.forEach((id, h) -> upper.putIfAbsent(id.strip().toUpperCase(Locale.ROOT), h));
            how = Map.copyOf(upper);
        }

        /** {@code memberId} by that very id. */
        public static Members of(String memberId) {
            return new Members(memberId, Map.of(memberId, ""));
        }

        @Override
        public boolean is(String memberId) {
            return how.containsKey(memberId.strip().toUpperCase(Locale.ROOT));
        }

        /** How {@code memberId} was known to be this name, in words; empty when the name is the member id. */
        public String howKnown(String memberId) {
            return how.getOrDefault(memberId.strip().toUpperCase(Locale.ROOT), "");
        }
    }

    /** A name that is no member the engine knows (not a member id, not under {@code people:}, not in the directory). */
    record Stranger(String named) implements Identity {}

    /** Whom the name stands for could not be found out, and why. */
    record Unresolved(String named, String why) implements Identity {}

    /**
     * Resolves {@code named}: a member id stands for itself; {@code people:} is asked next; an email address it does
     * not list (and none of GitHub's no-reply addresses of a login it lists) is asked of the directory. An address with
     * a subaddress ({@code alice+ci@corp.com}) that neither knows is looked up without it too.
     */
    static Identity resolve(String named, People people, PersonDirectory directory) {
        var canonical = People.canonical(named);
        if (canonical.isEmpty()) {
            return new Nobody();
        }
        var how = new LinkedHashMap<String, String>();
        if (People.isMemberId(canonical)) {
            how.put(canonical.toUpperCase(Locale.ROOT), "");
        }
        // alice+ci@corp.com reaches alice@corp.com's mailbox: the same person, whom a tag must not hide from the rules
        var base = People.withoutSubaddress(canonical);
        var mapped = people.member(canonical).or(() -> base.flatMap(people::member));
        mapped.ifPresent(
                id -> how.putIfAbsent(id.toUpperCase(Locale.ROOT), "which `people:` in harbormaster.yml maps to you"));
        if (mapped.isEmpty() && People.isEmail(canonical)) {
            var lookup = directory.memberByEmail(canonical);
            if (lookup instanceof PersonDirectory.Lookup.NotFound && base.isPresent()) {
                lookup = directory.memberByEmail(base.get());
            }
            switch (lookup) {
                case PersonDirectory.Lookup.Found f ->
                    how.putIfAbsent(f.memberId().toUpperCase(Locale.ROOT), "the email address of your Slack profile");
                case PersonDirectory.Lookup.NotFound n -> {}
                case PersonDirectory.Lookup.Unavailable u -> {
                    if (how.isEmpty()) {
                        return new Unresolved(People.trimmed(named), u.why());
                    }
                }
            }
        }
        return how.isEmpty() ? new Stranger(People.trimmed(named)) : new Members(People.trimmed(named), how);
    }
}
