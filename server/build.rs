//! Embeds the server's migrations, `schema/server/<backend>/NNN_name.sql`,
//! in order (see `schema/embed_migrations.rs` and `src/storage/migrations.rs`).

include!("../schema/embed_migrations.rs");

fn main() -> Result<(), Box<dyn std::error::Error>> {
    embed_migrations("../schema/server/sqlite", "sqlite_migrations.rs")?;
    embed_migrations("../schema/server/postgres", "postgres_migrations.rs")
}
