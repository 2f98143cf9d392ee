-- The service's own metrics query templates (services.<name>.metrics) as each canary started, kept with its policy:
-- every later read of the canary's metrics, on any replica and after a restart, uses them, so that a reloaded
-- harbormaster.yml with other templates reaches only canaries started after it. A JSON object by metric name
-- (requests, errors, p50, p99, restarts), {} for a service without its own (the defaults); NULL for a canary recorded
-- before this column, which is read by the templates configured at each read.
ALTER TABLE canary_policy ADD COLUMN metric_templates VARCHAR;
