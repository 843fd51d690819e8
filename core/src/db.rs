//! Opening the SQLite file: encryption key, pragmas and numbered migrations.
//!
//! The migrations are the files `schema/phone/NNN_name.sql`, listed in
//! [`MIGRATIONS`] and applied in order inside one IMMEDIATE transaction, with
//! the schema version kept in `PRAGMA user_version`; a file from a newer build
//! is refused before anything is written to it. The convention, shared with the
//! sync server's migrations, is in `schema/README.md` ("Migrations"). To
//! change the schema, add the next numbered file to `schema/phone/` (the build
//! script embeds it in [`MIGRATIONS`]; list it in [`AFTER`] only if the query
//! tables must be rebuilt or the outbox refilled after it), describe it in
//! `schema/README.md`, and freeze a fixture of the new version under
//! `schema/fixtures/phone/` (every version has one). Never edit a migration
//! that has shipped.

use std::path::Path;

use rusqlite::{Connection, OpenFlags, TransactionBehavior};

use crate::error::{Error, Result};
use crate::store::StoreKey;

/// One schema step: the file `schema/phone/NNN_name.sql` (its number, name
/// and SQL) and what must happen after it on a file that had data.
pub(crate) struct Migration {
    /// The version the step upgrades to: `NNN` of its file name.
    pub(crate) version: i64,
    /// The rest of its file name, without `.sql` (the tests check it against the file).
    #[cfg_attr(not(test), allow(dead_code))]
    pub(crate) name: &'static str,
    /// The file's SQL.
    pub(crate) sql: &'static str,
    /// The query tables must be rebuilt from the documents.
    pub(crate) needs_rebuild: bool,
    /// The outbox must be filled with this device's changes.
    pub(crate) needs_outbox: bool,
}

/// Work a migration leaves for the store to do once it is open.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct AfterMigration {
    /// Recreate the query tables from the documents.
    pub(crate) rebuild: bool,
    /// Fill the sync outbox with every change this device wrote before it existed.
    pub(crate) fill_outbox: bool,
}

/// What a migration leaves to do on a file that had data, by version; a
/// migration not listed leaves nothing. Add a line here only for a migration
/// that changes the shape of a query table (`rebuild`) or needs the outbox
/// refilled (`fill_outbox`).
const AFTER: &[(i64, AfterMigration)] = &[(
    3,
    AfterMigration {
        rebuild: false,
        fill_outbox: true,
    },
)];

/// The work [`AFTER`] lists for a version.
const fn after(version: i64) -> AfterMigration {
    let mut i = 0;
    while i < AFTER.len() {
        if AFTER[i].0 == version {
            return AFTER[i].1;
        }
        i += 1;
    }
    AfterMigration {
        rebuild: false,
        fill_outbox: false,
    }
}

/// One embedded migration file (the build script writes one `step!` per file).
macro_rules! step {
    ($version:literal, $name:literal, $path:literal) => {
        Migration {
            version: $version,
            name: $name,
            sql: include_str!($path),
            needs_rebuild: after($version).rebuild,
            needs_outbox: after($version).fill_outbox,
        }
    };
}

/// Every migration, in order: entry `i` has version `i + 1` and upgrades the
/// schema from version `i`. The build script lists `schema/phone/` (see
/// `schema/embed_migrations.rs`).
pub(crate) const MIGRATIONS: &[Migration] =
    &include!(concat!(env!("OUT_DIR"), "/phone_migrations.rs"));

/// The schema version this build writes: the last migration's.
pub const SCHEMA_VERSION: i64 = match MIGRATIONS.last() {
    Some(last) => last.version,
    None => 0,
};

/// Prepared statements kept per connection (rusqlite's default is 16).
const STATEMENT_CACHE: usize = 256;

/// Opens a connection with the key (if any) applied first, as SQLCipher requires.
pub(crate) fn connect(path: &Path, key: Option<&StoreKey>, read_only: bool) -> Result<Connection> {
    let flags = if read_only {
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX
    } else {
        OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX
    };
    let conn = Connection::open_with_flags(path, flags)?;
    if let Some(key) = key {
        // SQLCipher reports a wrong key on stderr by default; the typed error is enough.
        conn.pragma_update(None, "cipher_log_level", "NONE")?;
        conn.pragma_update(None, "key", key.pragma())?;
    }
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    // Every edit runs a few dozen distinct statements; keep them all prepared.
    conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
    Ok(conn)
}

/// Reads the schema version without writing anything to the file.
/// The first read of a file: a wrong key or a foreign file fails here.
pub(crate) fn schema_version(conn: &Connection) -> Result<i64> {
    conn.query_row("PRAGMA user_version", [], |row| row.get(0))
        .map_err(|e| match e.sqlite_error_code() {
            Some(rusqlite::ErrorCode::NotADatabase) => Error::NotADatabase,
            _ => Error::Database(e),
        })
}

/// Sets the pragmas of the writer connection and applies pending migrations.
///
/// Returns what the store must do after the migrations. A file from a newer
/// build is refused before anything is written to it.
pub(crate) fn prepare_writer(conn: &mut Connection) -> Result<AfterMigration> {
    let found = schema_version(conn)?;
    if found > SCHEMA_VERSION {
        return Err(Error::SchemaTooNew {
            found,
            supported: SCHEMA_VERSION,
        });
    }
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.pragma_update(None, "foreign_keys", "OFF")?;
    migrate(conn)
}

fn migrate(conn: &mut Connection) -> Result<AfterMigration> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    // Read again under the write lock: another process may have migrated meanwhile.
    let found = schema_version(&tx)?;
    if found > SCHEMA_VERSION {
        return Err(Error::SchemaTooNew {
            found,
            supported: SCHEMA_VERSION,
        });
    }
    let mut after = AfterMigration::default();
    for migration in MIGRATIONS.iter().filter(|m| m.version > found) {
        tx.execute_batch(migration.sql)?;
        tracing::info!(version = migration.version, from = found, "schema migrated");
        after.rebuild |= migration.needs_rebuild && found > 0;
        after.fill_outbox |= migration.needs_outbox && found > 0;
    }
    if found < SCHEMA_VERSION {
        tx.pragma_update(None, "user_version", SCHEMA_VERSION)?;
    }
    tx.commit()?;
    Ok(after)
}
