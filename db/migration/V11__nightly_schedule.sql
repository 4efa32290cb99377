-- The nightly sweep ships with the server, disabled: it has nothing to run until agents register targets.
-- Enable it with PATCH /api/v1/schedules/{id} {"enabled":true}. Once: a deleted nightly stays deleted.
-- Every kernel the agents serve, the measurement and its negative control, 10 ms gap, 5 iterations, 3 repeats,
-- compared with the previous nightly sweep.
INSERT INTO schedules (name, cron, time_zone, matrix, baseline_kernel, baseline_previous_sweep, enabled,
                       next_fire_at, created_at, updated_at)
VALUES ('nightly', '0 2 * * *', 'UTC',
        '{"kernels":null,"backend":null,"variants":["clock-realtime","clock-frozen"],"gapsMs":[10],"iterations":5,"repeats":3,"strict":false}',
        NULL, true, false, NULL, clock_timestamp(), clock_timestamp());
