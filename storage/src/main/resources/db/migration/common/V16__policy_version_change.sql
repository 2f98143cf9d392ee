-- The changes of the policy version in force (the hash of harbormaster.yml), one after another, as one record shared by
-- every replica: each replica reads the file itself and sees an edit on its own reload tick, and the first one to see a
-- change records it here and writes its config.reloaded audit entry, in one transaction; the others find it here and
-- write none. place numbers the changes (1 for the first recorded, each next one +1): the primary key lets one replica
-- record each place, so that of replicas seeing one change at once, one records and audits it. A change back to a
-- version seen before (A -> B -> A) is a change of its own, at a later place. policy_version is the version changed
-- to, from_version the one in force before it on the replica that recorded it (named by replica).
CREATE TABLE policy_version_change (
    place          BIGINT                   NOT NULL PRIMARY KEY,
    policy_version VARCHAR(100)             NOT NULL,
    from_version   VARCHAR(100)             NOT NULL,
    replica        VARCHAR(255)             NOT NULL,
    recorded_at    TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT ck_policy_version_change_place CHECK (place > 0)
);
