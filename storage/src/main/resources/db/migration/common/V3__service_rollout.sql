-- At most one deploy per service touches the cluster at a time, whichever replica drives it: a deploy claims its
-- service here before its canary starts (the primary key refuses a second claim) and releases it when it ends.
CREATE TABLE service_rollout (
    service    VARCHAR(100)             NOT NULL PRIMARY KEY,
    deploy_id  BIGINT                   NOT NULL,
    claimed_at TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT fk_rollout_deploy FOREIGN KEY (deploy_id) REFERENCES deploy (id)
);
