-- Gridbook sync server, SQLite schema version 4: photos, which travel
-- beside the change log (`schema/sync-protocol.md`, "Photos"). A record
-- names a photo by its id, the SHA-256 of its bytes; the bytes arrive in
-- chunks appended at the count received so far, so an upload cut on a
-- weak signal resumes where the server stopped. `complete` is set only
-- once the bytes reached `size` and hashed to `photo_id`; an upload whose
-- bytes do not is deleted, so no unverified photo is ever served.
CREATE TABLE photos (
    grid_id        TEXT NOT NULL REFERENCES grids (grid_id),
    photo_id       TEXT NOT NULL,
    size           INTEGER NOT NULL CHECK (size > 0),
    received_bytes INTEGER NOT NULL CHECK (received_bytes BETWEEN 0 AND size),
    bytes          BLOB NOT NULL,
    complete       INTEGER NOT NULL DEFAULT 0 CHECK (complete IN (0, 1)),
    created_at     INTEGER NOT NULL,
    PRIMARY KEY (grid_id, photo_id)
);
