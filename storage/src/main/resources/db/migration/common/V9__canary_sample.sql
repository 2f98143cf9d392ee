-- The metrics a pipeline canary was judged on, frozen interval by interval once settled (the interval ended at least
-- one interval before it was stored, so late scrapes are in): every later evaluation, on any replica, judges these
-- rows again instead of re-reading them, so a revision in the metrics store cannot change a past interval, and an
-- auditor replays exactly what the engine saw (analyze run --db). t is the interval's start in seconds since the
-- canary started; each track's requests, errors, p50, p99 (ms) and restarts are NULL where the interval had no data.
-- One row per deploy and interval; the first one stored wins.
CREATE TABLE canary_sample (
    deploy_id          BIGINT                   NOT NULL,
    t                  BIGINT                   NOT NULL,
    baseline_requests  DOUBLE PRECISION,
    baseline_errors    DOUBLE PRECISION,
    baseline_p50_ms    DOUBLE PRECISION,
    baseline_p99_ms    DOUBLE PRECISION,
    baseline_restarts  DOUBLE PRECISION,
    canary_requests    DOUBLE PRECISION,
    canary_errors      DOUBLE PRECISION,
    canary_p50_ms      DOUBLE PRECISION,
    canary_p99_ms      DOUBLE PRECISION,
    canary_restarts    DOUBLE PRECISION,
    recorded_at        TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT pk_canary_sample PRIMARY KEY (deploy_id, t),
    CONSTRAINT fk_canary_sample_deploy FOREIGN KEY (deploy_id) REFERENCES deploy (id),
    CONSTRAINT ck_canary_sample_t CHECK (t >= 0)
);
