-- One row per service that has been asked for a deploy, holding nothing: an intake holds its service's row while it
-- looks for a deploy in flight the request repeats and, finding none, stores the request and creates its deploy. The
-- intakes of one service are so taken one at a time across every replica, and two requests for the same version at
-- the same moment start one deploy (the same version in flight is an engine rule, not a constraint the schema could
-- state). A row is created on a service's first request and never removed.
CREATE TABLE deploy_intake (
    service VARCHAR(100) NOT NULL PRIMARY KEY
);
