-- The canary policy each pipeline canary started with: every later evaluation, on any replica and after a restart,
-- judges the canary by this policy, so a change to harbormaster.yml (or an upgrade that changes a default) reaches
-- only canaries started after it, and an auditor replays a canary by the policy it ran with (analyze run --db).
-- variant: which of the service's policies it was (escalated or standard); policy_json: every setting, in the keys of
-- a canary policy file (--policy), canonical JSON; policy_hash: the first 12 hex digits of the SHA-256 of
-- policy_json, which the canary's decisions in the audit log name. One row per deploy; the first one stored wins.
CREATE TABLE canary_policy (
    deploy_id   BIGINT                   NOT NULL PRIMARY KEY,
    variant     VARCHAR(10)              NOT NULL,
    policy_json VARCHAR                  NOT NULL,
    policy_hash VARCHAR(64)              NOT NULL,
    recorded_at TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT fk_canary_policy_deploy FOREIGN KEY (deploy_id) REFERENCES deploy (id),
    CONSTRAINT ck_canary_policy_variant CHECK (variant IN ('escalated', 'standard'))
);
