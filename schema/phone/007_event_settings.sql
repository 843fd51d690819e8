-- Schema version 7: a grid's own event settings, projected from its document
-- event_settings/<grid> (kinds/events/settings.rs): the categories (小类) the
-- grid adds to the shipped catalogue, and the names and routing it gives the
-- whistle levels. Only readable entries are projected; a retired category
-- keeps its row (its events still name it) and is no longer offered.

CREATE TABLE local_event_categories (
    grid_id         TEXT NOT NULL,
    code            TEXT NOT NULL,      -- starts with local_
    name            TEXT NOT NULL,
    group_code      TEXT NOT NULL,      -- a shipped group's code or local_…
    group_name      TEXT NOT NULL,
    limit_unit      TEXT NOT NULL,      -- LimitUnit code
    limit_amount    INTEGER NOT NULL,
    close_condition TEXT NOT NULL,
    initial_level   INTEGER NOT NULL,
    retired         INTEGER NOT NULL,
    PRIMARY KEY (grid_id, code)
) WITHOUT ROWID;

CREATE TABLE local_whistle_levels (
    grid_id          TEXT NOT NULL,
    rank             INTEGER NOT NULL,
    name             TEXT NOT NULL,
    handled_by       TEXT NOT NULL,
    supervised       INTEGER NOT NULL,
    default_assignee TEXT,
    PRIMARY KEY (grid_id, rank)
) WITHOUT ROWID;
