-- Gridbook sync server, SQLite schema version 3: which documents of a grid
-- an assignment covers (`AssignmentScope` of the core). 'all' is the
-- grid's own team; 'events' is a department (报到单位) that grid events are
-- dispatched to: it pulls only event documents (and their photos) and may
-- push nothing else, so it never receives the roster (PIPL's
-- minimum-necessary rule). Assignments made before this version cover the
-- whole grid, as they did.
ALTER TABLE assignments ADD COLUMN scope TEXT NOT NULL DEFAULT 'all';

-- A device whose cursor in a grid may have skipped documents it is now
-- allowed (its worker's events-only assignment was widened, or removed and
-- may come back wider). The cursor alone cannot tell, so until the device
-- names the grid at cursor 0 (it started the grid over), the server answers
-- its grid with an empty page that sets its cursor to 0 (a re-bootstrap,
-- idempotent on the phone), and then serves it from the start.
CREATE TABLE scope_resets (
    device_id TEXT NOT NULL REFERENCES devices (device_id),
    grid_id   TEXT NOT NULL REFERENCES grids (grid_id),
    PRIMARY KEY (device_id, grid_id)
);
