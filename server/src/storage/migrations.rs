//! The numbered schema migrations of each backend, applied at start and
//! tracked by version in `schema_migrations`.
//!
//! To add one: write `server/migrations/<backend>/NNNN_name.sql` for BOTH
//! backends and append `(NNNN, include_str!(..))` to both lists. Never edit a
//! migration that has shipped.

/// SQLite migrations: (version, SQL).
pub const SQLITE_MIGRATIONS: &[(i64, &str)] =
    &[(1, include_str!("../../migrations/sqlite/0001_init.sql"))];

/// PostgreSQL migrations: (version, SQL).
pub const POSTGRES_MIGRATIONS: &[(i64, &str)] =
    &[(1, include_str!("../../migrations/postgres/0001_init.sql"))];
