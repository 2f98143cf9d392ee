-- What each person's /deploy rollback was answered with: the deploy it stopped, or the revert it started or was given,
-- keyed by the request's own idempotency key (a Slack retry or redelivery carries the same one). A redelivery, on any
-- replica and however late, is answered with this deploy and does nothing more: without it, a retry that reached
-- another replica after the revert had finished would stop whatever was in flight by then, or revert further. The
-- row of a stop is stored in the same transaction as the stop itself. One row per request; the first one stored
-- wins. A refused request stores nothing (asked again, it is looked at again).
CREATE TABLE rollback_request (
    idempotency_key VARCHAR(255)             NOT NULL PRIMARY KEY,
    deploy_id       BIGINT                   NOT NULL,
    requested_by    VARCHAR(255)             NOT NULL,
    answered_at     TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT fk_rollback_request_deploy FOREIGN KEY (deploy_id) REFERENCES deploy (id)
);
