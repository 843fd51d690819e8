-- Schema version 3: syncing with the district's sync server
-- (schema/sync-protocol.md).

-- Changes this device wrote that the server has not acknowledged yet, in the
-- order they were written. An edit appends a row here in the same
-- transaction that stores its change; a sync response deletes what it
-- acknowledges. A row points at its change's chunk (chunk_seq) instead of
-- copying it; compaction, before it deletes a chunk an outbox row points at,
-- moves the bytes into the row (bytes), so a change is pushed even after its
-- chunk was folded into a snapshot. Exactly one of the two is set.
CREATE TABLE outbox (
    seq       INTEGER PRIMARY KEY AUTOINCREMENT,
    doc_id    TEXT NOT NULL,
    chunk_seq INTEGER,
    bytes     BLOB,
    CHECK ((chunk_seq IS NULL) <> (bytes IS NULL))
) STRICT;

-- Where this store stands in each grid's log on the server. Updated in the
-- same transaction that imports a page, so a page is applied exactly once.
CREATE TABLE sync_cursors (
    grid_id      TEXT PRIMARY KEY,
    cursor       INTEGER NOT NULL,
    resume_after TEXT              -- during a bootstrap: the last snapshot's document
) STRICT, WITHOUT ROWID;
