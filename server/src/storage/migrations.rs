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
//! backends; the build script embeds them in [`SQLITE_MIGRATIONS`] and
//! [`POSTGRES_MIGRATIONS`]), describe it in `schema/README.md`, and freeze a
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

/// One embedded migration file (the build script writes one `step!` per file).
macro_rules! step {
    ($version:literal, $name:literal, $path:literal) => {
        Migration {
            version: $version,
            name: $name,
            sql: include_str!($path),
        }
    };
}

/// SQLite migrations, in order: entry `i` has version `i + 1`. The build
/// script lists `schema/server/sqlite/` (see `schema/embed_migrations.rs`).
pub const SQLITE_MIGRATIONS: &[Migration] =
    &include!(concat!(env!("OUT_DIR"), "/sqlite_migrations.rs"));

/// PostgreSQL migrations, in order: entry `i` has version `i + 1`. The build
/// script lists `schema/server/postgres/`.
pub const POSTGRES_MIGRATIONS: &[Migration] =
    &include!(concat!(env!("OUT_DIR"), "/postgres_migrations.rs"));

/// The schema version a list brings a database to: its last migration's.
pub const fn latest_version(migrations: &[Migration]) -> i64 {
    match migrations.last() {
        Some(last) => last.version,
        None => 0,
    }
}
