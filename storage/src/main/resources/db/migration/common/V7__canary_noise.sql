-- The noise of a service's promoted canaries, so that its next canaries start knowing how noisy its latency readings
-- are and how bursty its errors. Per quantile (p50, p99): how many whitened values and the sum of their squares; the
-- baseline's spread (log p99 - log p50) summed over the intervals it was read in; and the moment sums of the
-- baseline's error counts beyond Poisson (excess, sensitivity, noise). Sums are DOUBLE PRECISION (8-byte floats on
-- both databases, read back bit for bit). One row per deploy at most; the first one recorded wins.
CREATE TABLE canary_noise (
    deploy_id       BIGINT                   NOT NULL PRIMARY KEY,
    service         VARCHAR(100)             NOT NULL,
    recorded_at     TIMESTAMP WITH TIME ZONE NOT NULL,
    p50_values      INTEGER                  NOT NULL,
    p50_sum_squares DOUBLE PRECISION         NOT NULL,
    p99_values      INTEGER                  NOT NULL,
    p99_sum_squares DOUBLE PRECISION         NOT NULL,
    spread_intervals INTEGER                 NOT NULL,
    spread_sum      DOUBLE PRECISION         NOT NULL,
    errors_excess   DOUBLE PRECISION         NOT NULL,
    errors_sensitivity DOUBLE PRECISION      NOT NULL,
    errors_noise    DOUBLE PRECISION         NOT NULL,
    CONSTRAINT fk_canary_noise_deploy FOREIGN KEY (deploy_id) REFERENCES deploy (id),
    CONSTRAINT ck_canary_noise_readings CHECK (p50_values >= 0 AND p50_sum_squares >= 0
                                              AND p99_values >= 0 AND p99_sum_squares >= 0
                                              AND spread_intervals >= 0
                                              AND errors_sensitivity >= 0 AND errors_noise >= 0)
);
-- A service's latest records, newest first (ties: the larger deploy id first).
CREATE INDEX ix_canary_noise_service_time ON canary_noise (service, recorded_at DESC, deploy_id DESC);
