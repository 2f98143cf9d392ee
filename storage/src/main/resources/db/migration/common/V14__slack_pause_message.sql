-- Each pause of a canary for a human as posted in the deploy's thread (the reply with its Promote anyway / Roll back
-- buttons): where it is, which pause it is (pause_ordinal: the ordinal of the transition that paused the canary; a
-- deploy may pause again after it resumed) and why it paused, so that whichever replica, or a restarted bot, sees the
-- pause end (a click, /deploy rollback, the metrics back, the analysis deciding, a failure) replaces its buttons by
-- how it ended. ended is that line once it is written on the message; NULL while the buttons are live. The first row
-- recorded for a pause wins.
CREATE TABLE slack_pause_message (
    deploy_id     BIGINT      NOT NULL,
    pause_ordinal INTEGER     NOT NULL,
    channel       VARCHAR(64) NOT NULL,
    ts            VARCHAR(64) NOT NULL,
    reason        VARCHAR     NOT NULL,
    ended         VARCHAR,
    CONSTRAINT pk_slack_pause_message PRIMARY KEY (deploy_id, pause_ordinal),
    CONSTRAINT fk_slack_pause_message_deploy FOREIGN KEY (deploy_id) REFERENCES deploy (id)
);
