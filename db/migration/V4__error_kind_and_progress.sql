-- Why a run ended ERROR: INFRASTRUCTURE (the lab, QEMU or the agent failed; retried up to max_attempts) or
-- HARNESS (the probe itself failed; never re-run). And how far a running run has got, from its heartbeats.
ALTER TABLE runs ADD COLUMN error_kind text CHECK (error_kind IN ('INFRASTRUCTURE', 'HARNESS'));
ALTER TABLE runs ADD COLUMN iterations_done integer NOT NULL DEFAULT 0;
