-- Each deploy's approval card (the request with its Approve / Reject buttons, a reply in the deploy's thread): where
-- it is and what it shows, so that any replica, and a restarted one, can count approvals on it and close it. card is
-- the bot's own JSON of what the card shows (the database does not read it). One card per deploy; the first one
-- recorded wins.
CREATE TABLE slack_approval_card (
    deploy_id BIGINT      NOT NULL PRIMARY KEY,
    channel   VARCHAR(64) NOT NULL,
    ts        VARCHAR(64) NOT NULL,
    card      VARCHAR     NOT NULL,
    CONSTRAINT fk_slack_approval_card_deploy FOREIGN KEY (deploy_id) REFERENCES deploy (id)
);
