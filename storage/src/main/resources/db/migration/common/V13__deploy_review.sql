-- The after-the-fact review of an emergency deploy (one that skipped the approval wait with --emergency): who
-- reviewed it and when. One review per deploy: the primary key keeps a double click, or clicks on two replicas, to
-- one row, and the first one recorded wins. Reviews are also in the audit log (deploy.reviewed); this table is what
-- /deploy status reads to list the emergency deploys still waiting for theirs.
CREATE TABLE deploy_review (
    deploy_id   BIGINT                   NOT NULL PRIMARY KEY,
    reviewer    VARCHAR(255)             NOT NULL,
    reviewed_at TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT fk_deploy_review_deploy FOREIGN KEY (deploy_id) REFERENCES deploy (id)
);

-- Where each emergency deploy's review request (the reply with its Mark reviewed button, in the deploy's thread) was
-- posted, so that whichever replica records the review, also one typed as /deploy review, replaces the button by who
-- reviewed it. One per deploy; the first one recorded wins.
CREATE TABLE slack_review_card (
    deploy_id BIGINT      NOT NULL PRIMARY KEY,
    channel   VARCHAR(64) NOT NULL,
    ts        VARCHAR(64) NOT NULL,
    CONSTRAINT fk_slack_review_card_deploy FOREIGN KEY (deploy_id) REFERENCES deploy (id)
);
