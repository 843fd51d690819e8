-- Schema version 10: the review queue of residents' own reports (扫码自主申报).
-- Device-local, like the outbox: the reports the sync server holds for one
-- of this worker's grids, pulled by the sync client, waiting for a worker's
-- review on this phone; once reviewed here (`outcome` set) a row waits only
-- until the server is told, which deletes its copy, and then it is deleted.
-- `report` is the checked form as JSON (gridbook::self_report). Inside the
-- SQLCipher file, like every other table; never sent anywhere but back to
-- the server as an outcome.

CREATE TABLE self_reports (
    id             TEXT PRIMARY KEY,   -- the server's id of the report
    grid_id        TEXT NOT NULL,
    received_at    INTEGER NOT NULL,   -- Unix seconds, when the server received it
    report         TEXT NOT NULL,
    outcome        TEXT,               -- NULL while waiting; accepted | rejected
    reviewed_at_ms INTEGER             -- when it was reviewed here (UTC ms)
) STRICT;
CREATE INDEX self_reports_by_grid ON self_reports(grid_id, received_at);
