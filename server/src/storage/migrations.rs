//! The numbered schema migrations of each backend: the files
//! `schema/server/<backend>/NNN_name.sql`, applied at start in order inside
//! one transaction and tracked by version in the table `schema_migrations`
//! (one row per applied migration). A database that recorded a version this
//! build does not know is refused untouched ([`StorageError::SchemaTooNew`]).
//! The convention, shared with the phone's migrations, is in
//! `schema/README.md` ("Migrations").
//!
//! To add one: write `schema/server/sqlite/NNN_name.sql` AND
//! `schema/server/postgres/NNN_name.sql` (the same number and name for both
//! backends), append a [`Migration`] to [`SQLITE_MIGRATIONS`] and to
//! [`POSTGRES_MIGRATIONS`], describe it in `schema/README.md`, and freeze a
//! fixture of the new version for both backends under
//! `schema/fixtures/server/` (every version has one). Never edit a migration
//! that has shipped.
//!
//! [`StorageError::SchemaTooNew`]: super::StorageError::SchemaTooNew

/// One schema step: the file `schema/server/<backend>/NNN_name.sql`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Migration {
    /// The version the step upgrades to: `NNN` of its file name, the number
    /// recorded in `schema_migrations`.
    pub version: i64,
    /// The rest of its file name, without `.sql`.
    pub name: &'static str,
    /// The file's SQL.
    pub sql: &'static str,
}

/// SQLite migrations, in order: entry `i` has version `i + 1`.
pub const SQLITE_MIGRATIONS: &[Migration] = &[Migration {
    version: 1,
    name: "init",
    sql: include_str!("../../../schema/server/sqlite/001_init.sql"),
}];

/// PostgreSQL migrations, in order: entry `i` has version `i + 1`.
pub const POSTGRES_MIGRATIONS: &[Migration] = &[Migration {
    version: 1,
    name: "init",
    sql: include_str!("../../../schema/server/postgres/001_init.sql"),
}];

/// The schema version a list brings a database to: its last migration's.
pub const fn latest_version(migrations: &[Migration]) -> i64 {
    match migrations.last() {
        Some(last) => last.version,
        None => 0,
    }
}
