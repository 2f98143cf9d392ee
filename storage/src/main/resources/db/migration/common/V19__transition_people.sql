-- The people a transition's reason names besides its actor: whoever held the lock that blocked a preflight, who asked
-- for the rollback behind an automatic-deploy block or a dependency's incident. Member ids (or CI's names), separated
-- by commas, none when empty. The reason stays plain text (the audit log, events and the CLI read it); Slack shows
-- these ids in it as mentions, and only these: words a person typed never become one.
ALTER TABLE deploy_transition ADD COLUMN people VARCHAR(2000) DEFAULT '' NOT NULL;
