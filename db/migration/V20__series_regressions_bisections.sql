-- Analysis: series (for fast series queries at tens of millions of measurements), regressions, bisections.

-- A series is (kernel, variant, gap, backend). Each measurement carries its series id and the time its run
-- finished, so the samples of one series, in time order, are one range of one index, read without touching
-- the table (the index includes what the statistics need). A series id is 8 bytes where the key is ~40.
CREATE TABLE series (
    id              bigserial PRIMARY KEY,
    kernel_release  text    NOT NULL,
    variant         text    NOT NULL,
    gap_ms          integer NOT NULL,
    backend         text    NOT NULL,
    UNIQUE (kernel_release, variant, gap_ms, backend)
);

-- Nullable without defaults: adding them does not rewrite the table; every new measurement gets both.
ALTER TABLE measurements ADD COLUMN series_id bigint REFERENCES series (id);
ALTER TABLE measurements ADD COLUMN measured_at timestamptz;

INSERT INTO series (kernel_release, variant, gap_ms, backend)
SELECT DISTINCT r.kernel_release, r.variant, r.gap_ms, r.backend
FROM runs r
WHERE r.kernel_release IS NOT NULL AND r.backend IS NOT NULL
  AND EXISTS (SELECT 1 FROM measurements m WHERE m.run_id = r.id);

UPDATE measurements m
SET series_id = s.id, measured_at = coalesce(r.finished_at, r.created_at)
FROM runs r
JOIN series s ON s.kernel_release = r.kernel_release AND s.variant = r.variant AND s.gap_ms = r.gap_ms
             AND s.backend = r.backend
WHERE r.id = m.run_id;

CREATE INDEX measurements_series ON measurements (series_id, measured_at, run_id)
    INCLUDE (error_ns, pass, within_bracket);

-- A regression: a series that got worse than its baseline, confirmed by re-runs (or a negative control
-- that passed: raised at once). At most one open regression per kernel series (flavour), variant, gap and
-- backend: a later kernel showing the same fault is the same regression seen again.
CREATE TABLE regressions (
    id                   bigserial PRIMARY KEY,
    state                text        NOT NULL CHECK (state IN ('SUSPECTED', 'ACTIVE', 'DISMISSED', 'FIXED', 'ACKNOWLEDGED')),
    kind                 text        NOT NULL CHECK (kind IN ('compare', 'change-point', 'negative-control')),
    kernel_release       text        NOT NULL,
    kernel_series        text        NOT NULL,
    variant              text        NOT NULL,
    gap_ms               integer     NOT NULL,
    backend              text        NOT NULL,
    baseline_kernel      text,
    last_good_kernel     text,       -- the newest kernel of the series seen good beside it: where bisection starts
    iterations           integer     NOT NULL,
    sweep_id             bigint,     -- the sweep that raised it (null: a confirmation or an older sweep)
    comparison           jsonb,
    reason               text        NOT NULL,
    acknowledged_reason  text,
    clean_sweeps         integer     NOT NULL DEFAULT 0,
    first_seen_at        timestamptz NOT NULL,
    last_seen_at         timestamptz NOT NULL,
    declared_at          timestamptz,
    resolved_at          timestamptz
);
CREATE UNIQUE INDEX regressions_open ON regressions (kernel_series, variant, gap_ms, backend)
    WHERE state IN ('SUSPECTED', 'ACTIVE', 'ACKNOWLEDGED');
CREATE INDEX regressions_state ON regressions (state, id);

-- Sweeps the analysis has looked at: the primary key makes each sweep analysed once, by one replica, and a
-- sweep completed while no server listened is found and analysed at the next poll.
CREATE TABLE sweep_analyses (
    sweep_id     bigint      PRIMARY KEY,
    analysed_at  timestamptz NOT NULL,
    summary      text        NOT NULL
);

-- The runs that are a regression's evidence: the sweep's runs that raised it and the confirmation re-runs.
CREATE TABLE regression_runs (
    regression_id  bigint NOT NULL REFERENCES regressions (id) ON DELETE CASCADE,
    run_id         bigint NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    role           text   NOT NULL CHECK (role IN ('suspect', 'baseline', 'confirm-suspect', 'confirm-baseline')),
    PRIMARY KEY (regression_id, run_id)
);

-- A bisection over the kernels of one series between a good and a bad one: every step is stored.
CREATE TABLE bisections (
    id              bigserial PRIMARY KEY,
    state           text        NOT NULL CHECK (state IN ('RUNNING', 'FOUND', 'FAILED')),
    good_kernel     text        NOT NULL,
    bad_kernel      text        NOT NULL,
    variant         text        NOT NULL,
    gap_ms          integer     NOT NULL,
    backend         text        NOT NULL,
    iterations      integer     NOT NULL,
    kernels         jsonb       NOT NULL,   -- good, every served kernel between in Debian order, bad
    good_index      integer     NOT NULL,   -- the range still open: last known good ...
    bad_index       integer     NOT NULL,   -- ... first known bad
    first_bad       text,
    reason          text,
    regression_id   bigint      REFERENCES regressions (id) ON DELETE SET NULL,
    created_at      timestamptz NOT NULL,
    finished_at     timestamptz
);
CREATE INDEX bisections_running ON bisections (id) WHERE state = 'RUNNING';

-- Each step runs its kernel twice (the run and its re-verification): both must agree.
CREATE TABLE bisection_steps (
    bisection_id   bigint      NOT NULL REFERENCES bisections (id) ON DELETE CASCADE,
    step           integer     NOT NULL,
    kernel         text        NOT NULL,
    role           text        NOT NULL CHECK (role IN ('good', 'bad', 'midpoint')),
    run_id         bigint      NOT NULL REFERENCES runs (id),
    verify_run_id  bigint      NOT NULL REFERENCES runs (id),
    verdict        text        CHECK (verdict IN ('good', 'bad', 'unstable', 'no-data')),
    detail         text,
    created_at     timestamptz NOT NULL,
    decided_at     timestamptz,
    PRIMARY KEY (bisection_id, step)
);
