//! Embeds the phone's migrations, `schema/phone/NNN_name.sql`, in order (see
//! `schema/embed_migrations.rs` and `src/db.rs`).

include!("../schema/embed_migrations.rs");

fn main() -> Result<(), Box<dyn std::error::Error>> {
    embed_migrations("../schema/phone", "phone_migrations.rs")
}
