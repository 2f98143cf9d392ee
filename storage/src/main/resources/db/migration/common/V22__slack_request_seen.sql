-- The Slack slash commands whose work takes no idempotency key of its own (/deploy lock, unlock, resolve and review),
-- by the SHA-256 of their trigger id, with when a replica first took each. Slack sends a command once, so the same
-- trigger id again, on any replica, is a captured request replayed while its signature is still honoured (5 minutes
-- either side of its timestamp): it is not run again. Rows older than an hour are deleted as new ones arrive.
CREATE TABLE slack_request_seen (
    key_sha256 CHAR(64)                 NOT NULL PRIMARY KEY,
    seen_at    TIMESTAMP WITH TIME ZONE NOT NULL
);
CREATE INDEX slack_request_seen_at ON slack_request_seen (seen_at);
