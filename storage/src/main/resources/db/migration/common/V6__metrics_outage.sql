-- When a canary's metrics store stopped answering, kept until it answers again: the count towards the pause for a
-- human survives an engine restart and a lease handing the deploy to another replica. One row per deploy at most.
CREATE TABLE metrics_outage (
    deploy_id BIGINT                   NOT NULL PRIMARY KEY,
    since     TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT fk_metrics_outage_deploy FOREIGN KEY (deploy_id) REFERENCES deploy (id)
);
