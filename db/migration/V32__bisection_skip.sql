-- A bisection steps around a kernel that cannot be tested (its build failed), as git bisect skip does: such a step
-- is 'skipped', and a bisection left with only skipped kernels ends AMBIGUOUS with the kernels the first bad can be.
ALTER TABLE bisection_steps DROP CONSTRAINT bisection_steps_verdict_check;
ALTER TABLE bisection_steps ADD CONSTRAINT bisection_steps_verdict_check
    CHECK (verdict IN ('good', 'bad', 'unstable', 'no-data', 'skipped'));

ALTER TABLE bisections DROP CONSTRAINT bisections_state_check;
ALTER TABLE bisections ADD CONSTRAINT bisections_state_check CHECK (state IN ('RUNNING', 'FOUND', 'AMBIGUOUS', 'FAILED'));
ALTER TABLE bisections ADD COLUMN first_bad_candidates jsonb NOT NULL DEFAULT '[]';

ALTER TABLE patch_series DROP CONSTRAINT patch_series_state_check;
ALTER TABLE patch_series ADD CONSTRAINT patch_series_state_check
    CHECK (state IN ('SWEEPING', 'BISECTING', 'NO_REGRESSION', 'FOUND', 'AMBIGUOUS', 'FAILED'));
