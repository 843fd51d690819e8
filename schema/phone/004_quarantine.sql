-- Schema version 4: grids the sync server refused for this worker, the
-- teams the server keeps, and the audit of grids discarded from this store
-- (schema/sync-protocol.md, "Refused grids").

-- A grid the server refused (per grid, from protocol version 3). Its
-- unsent changes stay in the outbox, held: a request names neither the grid
-- nor its changes until the refusal is lifted (the server lists the grid as
-- the worker's again, or, for may_not_create, says the worker may create
-- grids) or the app discards the grid. Edits in the grid go on and are held
-- too.
CREATE TABLE quarantined_grids (
    grid_id  TEXT PRIMARY KEY,
    reason   TEXT NOT NULL,      -- GridRefusal code: not_assigned, may_not_create
    since_ms INTEGER NOT NULL    -- when the server first refused it (UTC ms)
) STRICT, WITHOUT ROWID;

-- The workers assigned to each of the worker's grids as the server keeps
-- them (id, name, role code), replaced by every sync with a server that
-- sends them. Store.workers merges them with the roster's workers.
CREATE TABLE grid_members (
    grid_id   TEXT NOT NULL,
    worker_id TEXT NOT NULL,
    name      TEXT NOT NULL,
    role      TEXT NOT NULL,
    PRIMARY KEY (grid_id, worker_id)
) STRICT, WITHOUT ROWID;

-- One row per grid discarded from this store by the app
-- (Store.discardQuarantinedGrid): who, when, which grid, how many unsent
-- changes it dropped and the refusal that led to it. Never deleted.
CREATE TABLE discarded_grids (
    seq       INTEGER PRIMARY KEY AUTOINCREMENT,
    grid_id   TEXT NOT NULL,
    worker_id TEXT NOT NULL,
    at_ms     INTEGER NOT NULL,
    changes   INTEGER NOT NULL,
    reason    TEXT NOT NULL
) STRICT;
