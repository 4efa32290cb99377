-- The lease query looks up unpinned queued runs and runs pinned to the asking agent apart, through this
-- index, so the runs pinned to other agents are never scanned.
CREATE INDEX runs_queued_by_agent ON runs (requested_agent, id) WHERE state = 'QUEUED';
