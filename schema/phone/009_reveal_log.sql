-- Schema version 9: the reveal log (查阅记录), projected from the grid's
-- document audit/<grid> (kinds/audit/): each time a worker saw a resident's
-- full ID number and phones, or exported without masking, with the purpose.
-- Listed newest first by grid.

CREATE TABLE reveal_log (
    id          TEXT PRIMARY KEY,
    doc_id      TEXT NOT NULL,
    grid_id     TEXT NOT NULL,
    subject     TEXT NOT NULL,      -- resident | export
    resident_id TEXT NOT NULL,      -- '' for an export
    template_id TEXT NOT NULL,      -- '' for a resident
    rows        INTEGER NOT NULL,   -- an export's data rows; 0 for a resident
    fields      TEXT NOT NULL,      -- comma-separated: id_number,phones,care
    purpose     TEXT NOT NULL,      -- a RevealPurpose code
    note        TEXT NOT NULL,
    at_ms       INTEGER NOT NULL,   -- when, UTC (the device's clock)
    recorded_by TEXT NOT NULL       -- worker id, vouched for by the server
) STRICT;
CREATE INDEX reveal_log_by_grid ON reveal_log(grid_id, at_ms);
