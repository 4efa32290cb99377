-- Sweeps (a batch of runs expanded from a matrix) and schedules (cron expressions that create sweeps).

CREATE TABLE schedules (
    id                       bigserial PRIMARY KEY,
    name                     text        NOT NULL UNIQUE,
    cron                     text        NOT NULL,   -- standard 5 fields: minute hour day-of-month month day-of-week
    time_zone                text        NOT NULL,
    matrix                   jsonb       NOT NULL,
    baseline_kernel          text,
    baseline_previous_sweep  boolean     NOT NULL DEFAULT false,
    enabled                  boolean     NOT NULL,
    -- the next due time; null while disabled. A server finding it in the past fires once (missed fires collapse).
    next_fire_at             timestamptz,
    created_at               timestamptz NOT NULL,
    updated_at               timestamptz NOT NULL
);
CREATE INDEX schedules_due ON schedules (next_fire_at) WHERE enabled;

CREATE TABLE sweeps (
    id                       bigserial PRIMARY KEY,
    state                    text        NOT NULL CHECK (state IN ('RUNNING', 'COMPLETED', 'CANCELLED')),
    matrix                   jsonb       NOT NULL,   -- as asked (kernels null: every kernel served at the time)
    kernels                  jsonb       NOT NULL,   -- the kernels it expanded to, in order
    unserved                 jsonb       NOT NULL,   -- cells no registered agent served: reported, not dropped
    baseline_kernel          text,
    baseline_previous_sweep  boolean     NOT NULL DEFAULT false,
    schedule_id              bigint      REFERENCES schedules (id) ON DELETE SET NULL,
    due_at                   timestamptz,            -- the schedule's due time it was created for (null: on demand)
    created_at               timestamptz NOT NULL,
    finished_at              timestamptz
);
CREATE INDEX sweeps_running ON sweeps (id) WHERE state = 'RUNNING';
CREATE INDEX sweeps_schedule ON sweeps (schedule_id, id);

-- One row per due time a schedule fired for. Its primary key is what makes a due time fire once, whichever
-- server replica gets there; a fire that could not start a sweep (no agent serves the matrix) says why.
CREATE TABLE schedule_fires (
    schedule_id  bigint      NOT NULL REFERENCES schedules (id) ON DELETE CASCADE,
    due_at       timestamptz NOT NULL,
    fired_at     timestamptz NOT NULL,
    sweep_id     bigint      REFERENCES sweeps (id),
    outcome      text        NOT NULL,
    PRIMARY KEY (schedule_id, due_at)
);

-- Nullable without a default: adding it does not rewrite the runs table.
ALTER TABLE runs ADD COLUMN sweep_id bigint REFERENCES sweeps (id);
CREATE INDEX runs_sweep ON runs (sweep_id, id) WHERE sweep_id IS NOT NULL;
