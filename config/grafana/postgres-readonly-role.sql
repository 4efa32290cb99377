-- The read-only role Grafana's PostgreSQL data source logs in as. Run once by a database administrator
-- (the gapwatch application user usually may not create roles, so this is not a Flyway migration):
--   psql -d gapwatch -v password=CHOOSE-ONE -f config/grafana/postgres-readonly-role.sql
-- Rerunnable. It may read the measurement history and the fleet, never credentials: api_tokens is not
-- granted, and of agents only the columns without the secret hash.
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'gapwatch_grafana') THEN
        CREATE ROLE gapwatch_grafana LOGIN;
    END IF;
END
$$;
ALTER ROLE gapwatch_grafana PASSWORD :'password';
ALTER ROLE gapwatch_grafana SET default_transaction_read_only = on;
ALTER ROLE gapwatch_grafana SET statement_timeout = '30s';
GRANT USAGE ON SCHEMA public TO gapwatch_grafana;
GRANT SELECT ON runs, measurements, run_events, targets, sweeps, schedules, schedule_fires, series, regressions,
    regression_runs, bisections, bisection_steps, sweep_analyses TO gapwatch_grafana;
GRANT SELECT (id, name, hostname, version, registered_at, last_seen_at, revoked_at) ON agents TO gapwatch_grafana;
