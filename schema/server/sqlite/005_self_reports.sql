-- Gridbook sync server, SQLite schema version 5: residents' own reports by
-- QR code (扫码自主申报). A resident fills in their household on a form the
-- server serves behind a signed link; the report waits here, apart from
-- the grid's documents, until a worker of the grid reviews it (then it is
-- deleted) or the retention period ends (the housekeeping deletes it).
-- `report` is the checked form as JSON (`gridbook::self_report`).
CREATE TABLE self_reports (
    report_id   TEXT NOT NULL PRIMARY KEY,
    grid_id     TEXT NOT NULL REFERENCES grids (grid_id),
    received_at INTEGER NOT NULL,
    report      TEXT NOT NULL
);
CREATE INDEX self_reports_by_grid ON self_reports (grid_id, received_at);
CREATE INDEX self_reports_by_age ON self_reports (received_at);

-- The server's own secrets, made from the operating system's random source
-- on first use: `self_report_links` keys the HMAC of the self-report links.
CREATE TABLE server_secrets (
    name       TEXT NOT NULL PRIMARY KEY,
    secret     BLOB NOT NULL,
    created_at INTEGER NOT NULL
);

-- A grid's self-report links are signed under its epoch; revoking them
-- moves the epoch on, so every link issued before fails. No row: epoch 0.
CREATE TABLE self_report_links (
    grid_id TEXT NOT NULL PRIMARY KEY REFERENCES grids (grid_id),
    epoch   INTEGER NOT NULL CHECK (epoch >= 0)
);
