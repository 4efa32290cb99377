-- gapwatch schema: agents and the targets they serve, runs (the queue), their measurements and events.

CREATE TABLE agents (
    id             bigserial PRIMARY KEY,
    name           text        NOT NULL UNIQUE,
    hostname       text,
    version        text,
    registered_at  timestamptz NOT NULL,
    last_seen_at   timestamptz NOT NULL
);

-- A target is where a run can execute: (agent, kernel release, backend).
CREATE TABLE targets (
    id                bigserial PRIMARY KEY,
    agent_id          bigint NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
    backend           text   NOT NULL CHECK (backend IN ('kvm', 'lab', 'sim')),
    kernel_release    text   NOT NULL,
    cpu_model         text,
    accelerator       text,
    xen_capabilities  integer,
    UNIQUE (agent_id, backend, kernel_release)
);

-- Fencing tokens: every lease gets a new one, so a late report from an old lease is recognisable.
CREATE SEQUENCE lease_tokens;

CREATE TABLE runs (
    id                 bigserial PRIMARY KEY,
    state              text    NOT NULL CHECK (state IN ('QUEUED', 'LEASED', 'RUNNING', 'COMPLETED', 'CANCELLED')),
    verdict            text    CHECK (verdict IN ('PASS', 'FAIL', 'SKIP', 'ERROR')),
    variant            text    NOT NULL CHECK (variant IN ('clock-guest', 'clock-realtime', 'clock-frozen')),
    gap_ms             integer NOT NULL CHECK (gap_ms BETWEEN 1 AND 60000),
    iterations         integer NOT NULL CHECK (iterations BETWEEN 1 AND 1000),
    strict             boolean NOT NULL DEFAULT false,
    expected_verdict   text    NOT NULL,
    -- what was asked for (null: any)
    requested_agent    text,
    requested_kernel   text,
    requested_backend  text,
    -- where it was leased / ran
    agent_name         text,
    kernel_release     text,
    backend            text,
    accelerator        text,
    cpu_model          text,
    skip_reason        text,
    error              text,
    attempts           integer NOT NULL DEFAULT 0,
    max_attempts       integer NOT NULL,
    lease_token        bigint UNIQUE,
    lease_agent_id     bigint REFERENCES agents (id) ON DELETE SET NULL,
    lease_expires_at   timestamptz,
    created_at         timestamptz NOT NULL,
    started_at         timestamptz,
    finished_at        timestamptz
);
CREATE INDEX runs_queued ON runs (id) WHERE state = 'QUEUED';
CREATE INDEX runs_leased ON runs (lease_expires_at) WHERE state IN ('LEASED', 'RUNNING');
CREATE INDEX runs_series ON runs (kernel_release, variant, gap_ms, id);

-- One row per iteration of a run; the primary key makes every measurement stored at most once.
CREATE TABLE measurements (
    run_id                  bigint  NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    iteration               integer NOT NULL,
    saved_runnable_ns       bigint  NOT NULL,
    restored_runnable_ns    bigint  NOT NULL,
    steal_delta_ns          bigint  NOT NULL,
    guest_area_runnable_ns  bigint  NOT NULL,
    gap_low_ns              bigint  NOT NULL,
    gap_high_ns             bigint  NOT NULL,
    host_run_delay_ns       bigint  NOT NULL,
    error_ns                bigint  NOT NULL,
    within_bracket          boolean NOT NULL,
    pass                    boolean NOT NULL,
    create_ns               bigint  NOT NULL,
    save_ns                 bigint  NOT NULL,
    restore_ns              bigint  NOT NULL,
    run_ns                  bigint  NOT NULL,
    PRIMARY KEY (run_id, iteration)
);

-- What happened to a run, in order: leased, lease expired, requeued, result accepted or refused, cancelled.
CREATE TABLE run_events (
    id       bigserial PRIMARY KEY,
    run_id   bigint      NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    at       timestamptz NOT NULL,
    kind     text        NOT NULL,
    detail   text        NOT NULL
);
CREATE INDEX run_events_run ON run_events (run_id, id);
