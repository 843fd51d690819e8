-- Schema version 8: volunteer points (志愿服务积分), projected from the grid's
-- document points/<grid> (kinds/points/): the ledger's written entries
-- (awards and exchanges; service points are derived from check-ins when
-- read, never stored), the grid's points rules by the month they apply
-- from, and the residents enrolled in the community talent pool.
-- Only readable entries are projected. Service points are read from a
-- volunteer's check-ins, hence their index by member.

CREATE TABLE points_entries (
    id           TEXT PRIMARY KEY,
    doc_id       TEXT NOT NULL,
    grid_id      TEXT NOT NULL,
    volunteer_id TEXT NOT NULL,
    kind         TEXT NOT NULL,      -- award | spend
    points       INTEGER NOT NULL,   -- 1..100000, the sign comes from the kind
    on_date      TEXT NOT NULL,      -- YYYY-MM-DD
    note         TEXT NOT NULL,      -- the award's reason, the exchanged item
    at_ms        INTEGER NOT NULL,   -- when written, UTC: orders a day's lines
    recorded_by  TEXT NOT NULL       -- worker id, vouched for by the server
) STRICT;
CREATE INDEX points_entries_by_volunteer ON points_entries(grid_id, volunteer_id, on_date);
CREATE INDEX points_entries_by_day ON points_entries(grid_id, on_date);

CREATE TABLE points_rules (
    grid_id           TEXT NOT NULL,
    from_month        TEXT NOT NULL, -- YYYY-MM
    minutes_per_point INTEGER NOT NULL,
    expiry            TEXT NOT NULL, -- year_end | after_years | never
    expiry_years      INTEGER NOT NULL,
    recorded_by       TEXT NOT NULL,
    PRIMARY KEY (grid_id, from_month)
) STRICT, WITHOUT ROWID;

CREATE TABLE talent_pool (
    grid_id     TEXT NOT NULL,
    resident_id TEXT NOT NULL,
    skills      TEXT NOT NULL,
    enrolled_on TEXT NOT NULL,
    withdrawn   INTEGER NOT NULL,
    PRIMARY KEY (grid_id, resident_id)
) STRICT, WITHOUT ROWID;

CREATE INDEX checkins_by_member ON checkins(grid_id, member_id);
