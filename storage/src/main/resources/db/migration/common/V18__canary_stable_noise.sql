-- What a canary whose service had no kept noise (no row in canary_noise: its first under Harbormaster) read from the
-- service's stable track over [window_from, window_to) before it started (window_to is the canary's start): either
-- the noise it starts from, in the columns of canary_noise, with how many of the window's intervals had data, or, in
-- not_read, why there was none (the metrics store did not answer, too little data). It is read once, at the canary's
-- first judgement; every later judgement, on any replica and after a restart, starts from this row, so the canary is
-- judged from the same noise to its end and an auditor replays it from what its decision's audit entry shows. One row
-- per deploy; the first one stored wins. (V15 and V16 are left to migrations written alongside this one.)
CREATE TABLE canary_stable_noise (
    deploy_id          BIGINT                   NOT NULL PRIMARY KEY,
    window_from        TIMESTAMP WITH TIME ZONE NOT NULL,
    window_to          TIMESTAMP WITH TIME ZONE NOT NULL,
    recorded_at        TIMESTAMP WITH TIME ZONE NOT NULL,
    not_read           VARCHAR,
    intervals          INTEGER,
    p50_values         INTEGER,
    p50_sum_squares    DOUBLE PRECISION,
    p99_values         INTEGER,
    p99_sum_squares    DOUBLE PRECISION,
    spread_intervals   INTEGER,
    spread_sum         DOUBLE PRECISION,
    errors_excess      DOUBLE PRECISION,
    errors_sensitivity DOUBLE PRECISION,
    errors_noise       DOUBLE PRECISION,
    CONSTRAINT fk_canary_stable_noise_deploy FOREIGN KEY (deploy_id) REFERENCES deploy (id),
    CONSTRAINT ck_canary_stable_noise_window CHECK (window_from < window_to),
    -- a reading has every noise column and no reason; a window not read has a reason and none of them (a NULL in a
    -- comparison would make the check unknown, which passes: hence the IS NOT NULLs)
    CONSTRAINT ck_canary_stable_noise_read CHECK (
        (not_read IS NULL
            AND intervals IS NOT NULL AND p50_values IS NOT NULL AND p50_sum_squares IS NOT NULL
            AND p99_values IS NOT NULL AND p99_sum_squares IS NOT NULL AND spread_intervals IS NOT NULL
            AND spread_sum IS NOT NULL AND errors_excess IS NOT NULL AND errors_sensitivity IS NOT NULL
            AND errors_noise IS NOT NULL
            AND intervals >= 0 AND p50_values > 0 AND p50_sum_squares >= 0 AND p99_values > 0
            AND p99_sum_squares >= 0 AND spread_intervals > 0 AND errors_sensitivity >= 0 AND errors_noise >= 0)
        OR (not_read IS NOT NULL AND intervals IS NULL AND p50_values IS NULL AND p50_sum_squares IS NULL
            AND p99_values IS NULL AND p99_sum_squares IS NULL AND spread_intervals IS NULL AND spread_sum IS NULL
            AND errors_excess IS NULL AND errors_sensitivity IS NULL AND errors_noise IS NULL))
);
