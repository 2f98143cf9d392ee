package io.harbormaster.engine.policy;

/**
 * The engine's port to the workspace's member directory: who has a given email address (Slack's
 * {@code users.lookupByEmail} in production). Asked when CI names a change's author, or a deploy's requester, by an
 * email address that {@code people:} does not list.
 */
public interface PersonDirectory {

    /** No directory: an email address nobody mapped is nobody the engine knows. */
    PersonDirectory NONE = email -> new Lookup.NotFound();

    /** The member whose profile has {@code email} (lower case, no whitespace). */
    Lookup memberByEmail(String email);

    /** What the directory said. */
    sealed interface Lookup {
        /** The member with that address. */
        record Found(String memberId) implements Lookup {}

        /** No member has that address. */
        record NotFound() implements Lookup {}

        /** The directory could not answer, and why, with what would fix it when a person can. */
        record Unavailable(String why) implements Lookup {}
    }
}
