-- Schema version 6: photos stored inside the store, so the SQLCipher key
-- covers them and no image file ever sits in plaintext on the phone.
--
-- Photos are device-local, like the outbox: no CRDT document holds them and
-- a rebuild of the query tables leaves them alone. A record references a
-- photo by id (its SHA-256) and syncs through the change log; the bytes
-- travel on their own (uploaded after the change that references them,
-- downloaded on demand), so a photo a record names may be absent here.

-- One row per photo this phone holds. The bytes live in photo_bytes: SQLite
-- rewrites a whole row on UPDATE, and the upload progress and the read time
-- change often, so they must not sit next to a 5 MB blob.
CREATE TABLE photos (
    id              TEXT PRIMARY KEY,  -- lowercase hex SHA-256 of the bytes
    grid_id         TEXT NOT NULL,     -- the grid it was attached or downloaded in
    photo_type      TEXT NOT NULL CHECK (photo_type IN ('jpeg', 'png', 'heic', 'webp')),
    size            INTEGER NOT NULL,  -- length of the bytes
    origin          TEXT NOT NULL CHECK (origin IN ('local', 'downloaded')),
    added_at_ms     INTEGER NOT NULL,
    last_read_at_ms INTEGER NOT NULL,  -- for the cache's least-recently-read order
    -- A downloaded photo is 'uploaded': the server holds a verified copy.
    upload          TEXT NOT NULL CHECK (upload IN ('waiting', 'uploading', 'uploaded', 'failed')),
    uploaded_bytes  INTEGER NOT NULL,  -- the resume offset while 'uploading'
    failure         TEXT,              -- why, while 'failed'
    upload_at_ms    INTEGER NOT NULL   -- when the upload state last changed
) STRICT;
CREATE INDEX photos_by_grid ON photos(grid_id, added_at_ms);
CREATE INDEX photos_to_upload ON photos(origin, upload, added_at_ms);
CREATE INDEX photos_cached ON photos(upload, last_read_at_ms);

-- The bytes of each photos row, exactly as stored (metadata stripped).
CREATE TABLE photo_bytes (
    id    TEXT PRIMARY KEY,
    bytes BLOB NOT NULL
) STRICT;
