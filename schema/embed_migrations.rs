// The build scripts of `gridbook` (core/build.rs) and `gridbook-server`
// (server/build.rs) include this file: it lists a folder of numbered
// migrations, `NNN_name.sql`, checks that they count up from 001 without a
// gap, and writes an array expression `[step!(1, "name", "/path/001_name.sql"), …]`
// into `$OUT_DIR`, which each crate `include!`s with its own `step!` macro.
// So adding a migration is adding its file; nothing lists it by hand.

/// Writes `$OUT_DIR/<out_name>` for the migrations in `<manifest dir>/<folder>`.
fn embed_migrations(folder: &str, out_name: &str) -> Result<(), Box<dyn std::error::Error>> {
    let manifest = std::path::PathBuf::from(std::env::var("CARGO_MANIFEST_DIR")?);
    let dir = manifest.join(folder).canonicalize()?;
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut files: Vec<(u32, String, std::path::PathBuf)> = Vec::new();
    for entry in std::fs::read_dir(&dir)? {
        let path = entry?.path();
        let Some(file) = path.file_name().and_then(|n| n.to_str()).map(str::to_string) else {
            continue;
        };
        let Some(stem) = file.strip_suffix(".sql") else {
            continue;
        };
        let (number, name) = stem
            .split_once('_')
            .filter(|(n, name)| {
                n.len() == 3
                    && n.bytes().all(|b| b.is_ascii_digit())
                    && !name.is_empty()
                    && name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
            })
            .ok_or_else(|| format!("{}: a migration is named NNN_name.sql", path.display()))?;
        files.push((number.parse()?, name.to_string(), path.clone()));
    }
    files.sort();
    let mut out = String::from("[\n");
    for (index, (version, name, path)) in files.iter().enumerate() {
        if usize::try_from(*version)? != index + 1 {
            return Err(format!("{}: migrations count up from 001 without a gap", path.display()).into());
        }
        out.push_str(&format!("    step!({version}, {name:?}, {:?}),\n", path.display().to_string()));
    }
    out.push(']');
    let target = std::path::PathBuf::from(std::env::var("OUT_DIR")?).join(out_name);
    std::fs::write(target, out)?;
    Ok(())
}
