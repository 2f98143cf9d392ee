-- Where each deploy's Slack conversation lives (its parent message), so that notices reach the same thread from any
-- replica and after a restart. One thread per deploy; the first one recorded wins.
CREATE TABLE slack_thread (
    deploy_id BIGINT       NOT NULL PRIMARY KEY,
    channel   VARCHAR(64)  NOT NULL,
    ts        VARCHAR(64)  NOT NULL,
    CONSTRAINT fk_slack_thread_deploy FOREIGN KEY (deploy_id) REFERENCES deploy (id)
);
