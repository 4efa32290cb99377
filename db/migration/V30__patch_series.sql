-- Patch series (issue 16): a base kernel source and an ordered list of patches, swept at the base and at the full
-- series, bisected over its prefixes when the full series regresses. Every prefix k = 0..n is a recipe whose kernel
-- is named <base>-gw-<hex12> (io.gapwatch.client.BuildRecipe) and built by a lab agent's builder target.

CREATE TABLE patch_series (
    id                 bigserial PRIMARY KEY,
    state              text        NOT NULL CHECK (state IN ('SWEEPING', 'BISECTING', 'NO_REGRESSION', 'FOUND', 'FAILED')),
    base               text        NOT NULL,
    config_fragment    text        NOT NULL,
    variant            text        NOT NULL,
    gap_ms             integer     NOT NULL,
    iterations         integer     NOT NULL,
    sweep_id           bigint      REFERENCES sweeps (id),   -- set in the transaction that created the series
    bisection_id       bigint      REFERENCES bisections (id),
    comparison         text,       -- full series against the base: category and the numbers behind it
    first_bad_position integer,    -- the answer once FOUND
    reason             text,       -- why FAILED
    created_at         timestamptz NOT NULL,
    finished_at        timestamptz
);
CREATE INDEX patch_series_unfinished ON patch_series (id) WHERE state IN ('SWEEPING', 'BISECTING');

-- The patches as submitted, byte for byte (the text is what the kernel is built from and what names it).
CREATE TABLE patch_series_patches (
    series_id  bigint  NOT NULL REFERENCES patch_series (id) ON DELETE CASCADE,
    position   integer NOT NULL CHECK (position >= 1),
    subject    text    NOT NULL,
    sha256     text    NOT NULL,
    text       text    NOT NULL,
    PRIMARY KEY (series_id, position)
);

-- The kernels the server knows how to build: a builder target build:<base> serves a run of such a release, and
-- its lease carries the recipe (prefix `position` of series `series_id`). The first series that named a release
-- owns it; an identical recipe submitted again names the same kernel and reuses its build.
CREATE TABLE kernel_recipes (
    release    text    PRIMARY KEY,
    base       text    NOT NULL,
    series_id  bigint  NOT NULL REFERENCES patch_series (id) ON DELETE CASCADE,
    position   integer NOT NULL CHECK (position >= 0)
);

-- What a run's kernel build took, from the agent's report (null: the run needed no build).
ALTER TABLE runs ADD COLUMN build_seconds double precision;
ALTER TABLE runs ADD COLUMN build_reused boolean;
ALTER TABLE runs ADD COLUMN build_log_path text;
ALTER TABLE runs DROP CONSTRAINT runs_error_kind_check;
ALTER TABLE runs ADD CONSTRAINT runs_error_kind_check CHECK (error_kind IN ('INFRASTRUCTURE', 'HARNESS', 'BUILD')) NOT VALID;
