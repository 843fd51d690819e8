//! Encryption keys: a raw 32-byte key and a passphrase each open only their
//! own file, a wrong key of either kind (or the other kind) is
//! `NotADatabase` and leaves the file as it was, a key that cannot be
//! applied is refused before a file exists, and files keyed with a
//! passphrase by earlier versions keep opening.

use std::path::Path;

use super::*;
use crate::{Error, InvalidReason, OpenOptions, StoreKey};

fn raw(fill: u8) -> StoreKey {
    StoreKey::Raw {
        bytes: vec![fill; 32],
    }
}

fn passphrase(text: &str) -> StoreKey {
    StoreKey::Passphrase { text: text.into() }
}

fn keyed(key: Option<StoreKey>) -> OpenOptions {
    OpenOptions {
        key,
        ..OpenOptions::default()
    }
}

/// Opening `path` with `key` fails with `NotADatabase`, and the file's
/// bytes are the same afterwards, with no journal left beside it.
fn refused_untouched(path: &Path, key: Option<StoreKey>) {
    let before = std::fs::read(path).unwrap();
    let error = Store::open_with(path, identity("w1"), keyed(key.clone())).unwrap_err();
    assert!(matches!(error, Error::NotADatabase), "{key:?}: {error:?}");
    assert!(
        std::fs::read(path).unwrap() == before,
        "{key:?} changed the file"
    );
    for suffix in ["-wal", "-shm", "-journal"] {
        let mut beside = path.as_os_str().to_owned();
        beside.push(suffix);
        assert!(!Path::new(&beside).exists(), "{key:?} left {suffix}");
    }
}

#[test]
fn a_raw_key_opens_its_file_and_every_other_key_is_not_a_database() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("raw.db");
    {
        let store = Store::open_with(&path, identity("w1"), keyed(Some(raw(7)))).unwrap();
        fixture(&store);
    }
    let bytes = std::fs::read(&path).unwrap();
    assert!(
        !bytes.windows(9).any(|w| w == "张秀英".as_bytes()),
        "names are not stored in clear"
    );
    refused_untouched(&path, Some(raw(8)));
    refused_untouched(&path, Some(passphrase("07070707")));
    refused_untouched(&path, None);
    let store = Store::open_with(&path, identity("w1"), keyed(Some(raw(7)))).unwrap();
    assert_eq!(store.grids().unwrap().len(), 1);
}

#[test]
fn a_passphrase_opens_its_file_and_a_wrong_one_or_a_raw_key_does_not() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("passphrase.db");
    {
        let store = Store::open_with(
            &path,
            identity("w1"),
            keyed(Some(passphrase("correct horse"))),
        )
        .unwrap();
        fixture(&store);
    }
    refused_untouched(&path, Some(passphrase("correct hors")));
    refused_untouched(&path, Some(raw(7)));
    let store = Store::open_with(
        &path,
        identity("w1"),
        keyed(Some(passphrase("correct horse"))),
    )
    .unwrap();
    assert_eq!(store.grids().unwrap().len(), 1);
}

#[test]
fn a_file_keyed_with_a_passphrase_by_an_earlier_version_opens_with_it() {
    // Versions before StoreKey handed the key text to `PRAGMA key` as it
    // was; this file is keyed that way and holds the frozen version 3 store.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.db");
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.pragma_update(None, "key", "旧口令 old passphrase")
            .unwrap();
        conn.execute_batch(include_str!("../../../schema/fixtures/phone/v003.sql"))
            .unwrap();
    }
    let owner = WorkerIdentity {
        worker_id: "w-liming".into(),
        name: "李明".into(),
        role: WorkerRole::GridHead,
        device_label: "李明的手机".into(),
    };
    let plain = rusqlite::Connection::open(&path).unwrap();
    assert!(
        plain
            .query_row("SELECT count(*) FROM sqlite_master", [], |r| r
                .get::<_, i64>(0))
            .is_err(),
        "the file is encrypted"
    );
    drop(plain);
    refused_untouched(&path, Some(raw(7)));
    let store = Store::open_with(
        &path,
        owner,
        keyed(Some(passphrase("旧口令 old passphrase"))),
    )
    .unwrap();
    let grids = store.grids().unwrap();
    assert_eq!(grids.len(), 1);
    assert!(!store.roster(&grids[0].id).unwrap().is_empty());
}

#[test]
fn a_key_that_cannot_be_applied_is_refused_before_a_file_exists() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("never.db");
    let refused = |key: StoreKey| match Store::open_with(&path, identity("w1"), keyed(Some(key))) {
        Err(Error::Invalid { field, reason }) => (field, reason),
        other => panic!("expected Invalid, got {other:?}"),
    };
    for length in [0, 16, 31, 33, 64] {
        assert_eq!(
            refused(StoreKey::Raw {
                bytes: vec![1; length]
            }),
            ("key", InvalidReason::WrongLength { expected: 32 }),
            "{length} bytes"
        );
    }
    assert_eq!(refused(passphrase("")), ("key", InvalidReason::Empty));
    assert!(!path.exists(), "nothing was created");
}

#[test]
fn a_key_never_shows_in_debug() {
    let key = StoreKey::Raw {
        bytes: vec![0xab; 32],
    };
    let options = keyed(Some(key));
    let shown = format!("{options:?}");
    assert!(!shown.contains("171") && !shown.contains("ab"), "{shown}");
    assert!(shown.contains("StoreKey::Raw(<redacted>)"), "{shown}");
    let shown = format!("{:?}", passphrase("秘密口令"));
    assert_eq!(shown, "StoreKey::Passphrase(<redacted>)");
}
