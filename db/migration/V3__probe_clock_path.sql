-- How a run's clock crossed the gap: clock-realtime takes KVM_CLOCK_REALTIME from 5.16 on and adds the
-- elapsed CLOCK_MONOTONIC by hand before (KVM_SET_CLOCK refuses every flag there). Null for runs before
-- this column, and for runs that stopped before the kernel was asked.
ALTER TABLE runs ADD COLUMN clock_path text
    CHECK (clock_path IN ('kvm-clock-realtime', 'elapsed-monotonic', 'frozen', 'clock-guest'));

-- A run_delay the host would not give is unknown, not 0.
ALTER TABLE measurements ALTER COLUMN host_run_delay_ns DROP NOT NULL;
