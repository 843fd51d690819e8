//! What opening a store costs by kind of key, for `gridbench`
//! (`open_plain_ms`, `open_raw_key_ms`, `open_passphrase_ms`).
//!
//! Each kind gets its own small store (one grid), so the figure is the cost
//! of opening itself: the three connections a store holds (writer, reader,
//! checkpointer), each keyed, and the schema check; reading a large roster
//! is `open_ms`'s business. A new kind of key adds a field and a line in
//! [`measure`].

use std::path::Path;
use std::time::Instant;

use gridbook::{GridInput, OpenOptions, Store, StoreKey, WorkerIdentity};

use crate::stats::{median, millis};

/// Opens timed per kind of key; the median is reported.
pub const OPEN_RUNS: usize = 9;

/// Median milliseconds of `Store.open` until it returns, by kind of key.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OpenTimes {
    /// No key: a plain file.
    pub plain_ms: f64,
    /// `StoreKey::Raw`: 32 bytes applied without derivation.
    pub raw_key_ms: f64,
    /// `StoreKey::Passphrase`: SQLCipher's key derivation on every connection.
    pub passphrase_ms: f64,
}

/// Creates one store per kind of key in `dir` and times [`OPEN_RUNS`]
/// reopens of each (the first open, which creates the file, is not timed).
pub fn measure(dir: &Path, identity: &WorkerIdentity) -> Result<OpenTimes, gridbook::Error> {
    let raw = StoreKey::Raw {
        bytes: (0u8..32).map(|i| i.wrapping_mul(37) ^ 0x5a).collect(),
    };
    let passphrase = StoreKey::Passphrase {
        text: "网格员的口令 correct horse".into(),
    };
    Ok(OpenTimes {
        plain_ms: median_open(&dir.join("open-plain.db"), identity, None)?,
        raw_key_ms: median_open(&dir.join("open-raw.db"), identity, Some(raw))?,
        passphrase_ms: median_open(&dir.join("open-passphrase.db"), identity, Some(passphrase))?,
    })
}

fn median_open(
    path: &Path,
    identity: &WorkerIdentity,
    key: Option<StoreKey>,
) -> Result<f64, gridbook::Error> {
    let options = OpenOptions {
        key,
        ..OpenOptions::default()
    };
    let store = Store::open_with(path, identity.clone(), options.clone())?;
    store.create_grid(GridInput {
        code: "330106001001001".into(),
        name: "文新一网格".into(),
        community: None,
        street: None,
        boundary: None,
    })?;
    drop(store);
    let mut samples = Vec::with_capacity(OPEN_RUNS);
    for _ in 0..OPEN_RUNS {
        let start = Instant::now();
        let store = Store::open_with(path, identity.clone(), options.clone())?;
        samples.push(millis(start.elapsed()));
        drop(store);
    }
    Ok(median(&samples))
}
