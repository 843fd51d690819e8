-- Gridbook device store, schema version 1.
-- Two layers: the CRDT layer (chunks, docs), which is the truth, and the
-- query tables, which are a cache of the CRDT state that `rebuild` can
-- recreate exactly. Query tables carry no foreign keys on purpose: replicas
-- merge in any order, so a visit may arrive before its household.

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,   -- actor_id, worker_id, device_label
    value BLOB NOT NULL
) STRICT, WITHOUT ROWID;

-- Append-only Automerge storage: one row per change, or one per snapshot
-- that replaced the changes it covers (compaction).
CREATE TABLE chunks (
    seq    INTEGER PRIMARY KEY AUTOINCREMENT,
    doc_id TEXT NOT NULL,
    kind   INTEGER NOT NULL,   -- 0 = one change, 1 = snapshot (saved document)
    hash   BLOB,               -- 32-byte change hash for kind 0, NULL for snapshots
    bytes  BLOB NOT NULL
) STRICT;
-- One index serves loading a document and refusing a change twice (NULL
-- hashes of snapshots never collide in a UNIQUE index).
CREATE UNIQUE INDEX chunks_by_doc ON chunks(doc_id, hash);

CREATE TABLE docs (
    doc_id        TEXT PRIMARY KEY,  -- roster/<grid>, visits/<grid>/<YYYY>Q<n>, patrol/<grid>/<YYYY>Q<n>
    grid_id       TEXT NOT NULL,
    kind          TEXT NOT NULL      -- roster | visits | patrol
) STRICT, WITHOUT ROWID;
CREATE INDEX docs_by_grid ON docs(grid_id);

-- Query tables ------------------------------------------------------------

CREATE TABLE grids (
    id        TEXT PRIMARY KEY,
    code      TEXT,
    name      TEXT,
    community TEXT,
    street    TEXT,
    boundary  TEXT,               -- JSON [[lon,lat],...], WGS-84
    retired   INTEGER NOT NULL
) STRICT;

CREATE TABLE workers (
    grid_id TEXT NOT NULL,
    id      TEXT NOT NULL,
    name    TEXT,
    role    TEXT,
    PRIMARY KEY (grid_id, id)
) STRICT, WITHOUT ROWID;

CREATE TABLE devices (
    grid_id   TEXT NOT NULL,
    actor     TEXT NOT NULL,         -- Automerge actor id, hex
    worker_id TEXT,
    label     TEXT,
    PRIMARY KEY (grid_id, actor)
) STRICT, WITHOUT ROWID;

CREATE TABLE buildings (
    id       TEXT PRIMARY KEY,
    grid_id  TEXT NOT NULL,
    number   TEXT,
    sort_key TEXT NOT NULL,
    estate   TEXT,
    units    INTEGER,
    floors   INTEGER,
    lon      REAL,
    lat      REAL,
    retired  INTEGER NOT NULL
) STRICT;
CREATE INDEX buildings_by_grid ON buildings(grid_id, sort_key);

CREATE TABLE households (
    id           TEXT PRIMARY KEY,
    grid_id      TEXT NOT NULL,
    building_id  TEXT,
    unit         TEXT,
    unit_key     TEXT NOT NULL,
    floor        INTEGER,
    room         TEXT,
    room_key     TEXT NOT NULL,
    use_kind     TEXT,
    status       TEXT NOT NULL,
    tags         TEXT NOT NULL,      -- sorted, comma separated
    lon          REAL,
    lat          REAL,
    notes        TEXT,
    head_id      TEXT,
    address_text TEXT NOT NULL,      -- estate, building, unit and room, for search
    -- Derived from other rows so that the roster is one index scan:
    building_number   TEXT,          -- buildings.number
    building_key      TEXT NOT NULL, -- buildings.sort_key
    member_count      INTEGER NOT NULL, -- active residents
    last_visit_ms     INTEGER,       -- the latest visit (ties: the larger visit id)
    last_visit_offset INTEGER
) STRICT;
CREATE INDEX households_roster ON households(grid_id, building_key, unit_key, floor, room_key, id);
CREATE INDEX households_by_building ON households(building_id);

CREATE TABLE residents (
    id              TEXT PRIMARY KEY,
    grid_id         TEXT NOT NULL,
    household_id    TEXT,
    name            TEXT,
    gender          TEXT,
    birth_date      TEXT,
    id_number       TEXT,
    phones          TEXT,            -- comma separated, normalised
    relation        TEXT,            -- GB/T 4761 code
    registration    TEXT,
    residence_state TEXT,
    moved_in        TEXT,
    moved_out       TEXT,
    status          TEXT NOT NULL
) STRICT;
CREATE INDEX residents_by_household ON residents(household_id, status);
CREATE INDEX residents_by_grid ON residents(grid_id);

CREATE TABLE resident_care (
    resident_id TEXT NOT NULL,
    category    TEXT NOT NULL,
    grid_id     TEXT NOT NULL,
    PRIMARY KEY (resident_id, category)
) STRICT, WITHOUT ROWID;
CREATE INDEX resident_care_by_category ON resident_care(grid_id, category);

CREATE TABLE building_heads (
    id             TEXT PRIMARY KEY,
    grid_id        TEXT NOT NULL,
    building_id    TEXT NOT NULL,
    resident_id    TEXT,
    volunteer_name TEXT,
    starts_on      TEXT,
    ends_on        TEXT,             -- explicit end, or the start of the head that superseded it
    is_current     INTEGER NOT NULL,
    appointed_by   TEXT,
    appointed_at   INTEGER
) STRICT;
CREATE INDEX building_heads_by_building ON building_heads(building_id);

CREATE TABLE visits (
    id           TEXT PRIMARY KEY,
    doc_id       TEXT NOT NULL,
    grid_id      TEXT NOT NULL,
    household_id TEXT,
    worker_id    TEXT,
    at_ms        INTEGER,
    offset_min   INTEGER,
    local_date   TEXT,
    kind         TEXT,
    outcome      TEXT,
    notes        TEXT,
    lon          REAL,
    lat          REAL,
    accuracy_m   REAL,
    seen         TEXT NOT NULL,      -- JSON array of resident ids, sorted
    findings     TEXT NOT NULL       -- JSON array of {id, kind, text, resolution}, by id
) STRICT, WITHOUT ROWID;
CREATE INDEX visits_by_household ON visits(household_id, at_ms);

CREATE TABLE patrol_teams (
    id      TEXT PRIMARY KEY,
    grid_id TEXT NOT NULL,
    name    TEXT,
    retired INTEGER NOT NULL
) STRICT;

CREATE TABLE team_members (
    team_id   TEXT NOT NULL,
    member_id TEXT NOT NULL,
    name      TEXT,
    PRIMARY KEY (team_id, member_id)
) STRICT, WITHOUT ROWID;

CREATE TABLE shifts (
    id       TEXT PRIMARY KEY,
    doc_id   TEXT NOT NULL,
    grid_id  TEXT NOT NULL,
    team_id  TEXT,
    date     TEXT,
    starts   TEXT,
    ends     TEXT,
    route    TEXT NOT NULL,          -- JSON array of checkpoints, in order
    retired  INTEGER NOT NULL
) STRICT;
CREATE INDEX shifts_by_date ON shifts(grid_id, date);

CREATE TABLE shift_members (
    shift_id  TEXT NOT NULL,
    member_id TEXT NOT NULL,
    PRIMARY KEY (shift_id, member_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX shift_members_by_member ON shift_members(member_id);

CREATE TABLE checkins (
    id         TEXT PRIMARY KEY,
    doc_id     TEXT NOT NULL,
    grid_id    TEXT NOT NULL,
    shift_id   TEXT,
    member_id  TEXT,
    at_ms      INTEGER,
    offset_min INTEGER,
    checkpoint TEXT,
    lon        REAL,
    lat        REAL,
    accuracy_m REAL
) STRICT;
CREATE INDEX checkins_by_shift ON checkins(shift_id, at_ms);

-- Concurrent values of one field, kept for review. One row per value; the
-- value in effect has is_winner = 1.
CREATE TABLE conflicts (
    doc_id      TEXT NOT NULL,
    record_kind TEXT NOT NULL,
    record_id   TEXT NOT NULL,
    field       TEXT NOT NULL,
    op_id       TEXT NOT NULL,        -- counter@actor of the operation that wrote the value
    value       TEXT,                 -- JSON
    actor       TEXT NOT NULL,
    at_ms       INTEGER,
    is_winner   INTEGER NOT NULL,
    PRIMARY KEY (record_kind, record_id, field, op_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX conflicts_by_doc ON conflicts(doc_id);
