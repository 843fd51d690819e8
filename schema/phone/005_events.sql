-- Schema version 5: grid events (网格吹哨 部门报到) and the steps of their
-- closed loop, projected from the event documents events/<grid>/<YYYY>Q<n>.
-- The status, level, assignee and needs_review columns of events, and the
-- position and applied columns of event_steps, are derived from all the
-- event's steps (kinds/events/workflow.rs) whenever one of them is projected.

CREATE TABLE events (
    id               TEXT PRIMARY KEY,
    doc_id           TEXT NOT NULL,
    grid_id          TEXT NOT NULL,
    category         TEXT,
    description      TEXT,
    urgency          TEXT,
    building_id      TEXT,
    household_id     TEXT,
    lon              REAL,
    lat              REAL,
    accuracy_m       REAL,
    address          TEXT,
    source           TEXT,
    source_record_id TEXT,
    residents        TEXT NOT NULL,     -- JSON array of resident ids, sorted
    at_ms            INTEGER,
    offset_min       INTEGER,
    photos           TEXT NOT NULL,     -- JSON array of photo ids
    reporter_id      TEXT,
    initial_level    INTEGER NOT NULL,
    limit_unit       TEXT,              -- LimitUnit code of the category's limit
    limit_amount     INTEGER,
    -- derived from the steps
    status           TEXT NOT NULL,     -- EventStatus code
    level            INTEGER NOT NULL,  -- whistle level rank, 1..=3
    assignee         TEXT,
    accepted_at_ms   INTEGER,
    deadline_ms      INTEGER,
    deadline_offset  INTEGER,
    needs_review     INTEGER NOT NULL
) STRICT;
CREATE INDEX events_open ON events(grid_id, status, level);
CREATE INDEX events_by_assignee ON events(assignee, status);
CREATE INDEX events_by_level ON events(grid_id, level, status);
CREATE INDEX events_needing_review ON events(grid_id, needs_review);

CREATE TABLE event_steps (
    id           TEXT PRIMARY KEY,
    doc_id       TEXT NOT NULL,
    grid_id      TEXT NOT NULL,
    event_id     TEXT NOT NULL,
    action       TEXT,               -- StepAction code
    worker_id    TEXT,
    role         TEXT,               -- WorkerRole code when the step was taken
    at_ms        INTEGER NOT NULL,
    offset_min   INTEGER NOT NULL,
    comment      TEXT,
    photos       TEXT NOT NULL,      -- JSON array of photo ids
    assignee     TEXT,
    level        INTEGER,
    ext_unit     TEXT,
    ext_amount   INTEGER,
    satisfaction TEXT,
    -- derived: place in the event's order (time, then id) and whether it was applied
    position     INTEGER NOT NULL,
    applied      INTEGER NOT NULL
) STRICT;
CREATE INDEX event_steps_by_event ON event_steps(event_id, position);
