-- Gridbook sync server, PostgreSQL schema version 1.
-- Timestamps are Unix seconds. Change and snapshot bytes are opaque to the server.

CREATE TABLE workers (
    worker_id        TEXT PRIMARY KEY,
    name             TEXT NOT NULL,
    can_create_grids BOOLEAN NOT NULL DEFAULT FALSE,
    created_at       BIGINT NOT NULL
);

-- One row per grid the server knows. last_seq is the last log position
-- handed out; generation is the log position the current snapshots cover.
CREATE TABLE grids (
    grid_id    TEXT PRIMARY KEY,
    last_seq   BIGINT NOT NULL DEFAULT 0,
    generation BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL
);

CREATE TABLE assignments (
    worker_id TEXT NOT NULL REFERENCES workers (worker_id),
    grid_id   TEXT NOT NULL REFERENCES grids (grid_id),
    PRIMARY KEY (worker_id, grid_id)
);
CREATE INDEX assignments_by_grid ON assignments (grid_id);

CREATE TABLE devices (
    device_id  TEXT PRIMARY KEY,
    worker_id  TEXT NOT NULL REFERENCES workers (worker_id),
    label      TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    revoked_at BIGINT
);

CREATE TABLE actors (
    actor     TEXT PRIMARY KEY,
    device_id TEXT NOT NULL REFERENCES devices (device_id)
);

-- The append-only log of each grid.
CREATE TABLE changes (
    grid_id   TEXT NOT NULL REFERENCES grids (grid_id),
    seq       BIGINT NOT NULL,
    doc_id    TEXT NOT NULL,
    hash      BYTEA NOT NULL,
    device_id TEXT NOT NULL,
    actor     TEXT NOT NULL,   -- the Automerge actor (hex) that wrote it: its own store skips it
    bytes     BYTEA NOT NULL,
    PRIMARY KEY (grid_id, seq),
    UNIQUE (grid_id, doc_id, hash)
);

-- The latest snapshot of each compacted document; generation is the log
-- position of the compaction that wrote it.
CREATE TABLE snapshots (
    grid_id    TEXT NOT NULL REFERENCES grids (grid_id),
    doc_id     TEXT NOT NULL,
    generation BIGINT NOT NULL,
    bytes      BYTEA NOT NULL,
    PRIMARY KEY (grid_id, doc_id)
);
