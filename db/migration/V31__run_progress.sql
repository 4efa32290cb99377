-- What a running run waits for before its first iteration (e.g. "building 6.12.117-gw-...: 1234/5678 objects"),
-- from its heartbeats; cleared once iterations run.
ALTER TABLE runs ADD COLUMN progress text;
