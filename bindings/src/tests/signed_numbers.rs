//! The settings' numbers are signed for Kotlin and Swift: a negative one is
//! refused naming the setting, before a file or a client exists.

use super::*;

#[test]
fn negative_store_options_are_invalid_and_create_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("w.db");
    let refused = |options: StoreOptions| match Store::open_with_options(
        path.to_string_lossy().into_owned(),
        identity("w-zhang"),
        options,
    )
    .wait()
    {
        Err(GridbookError::Invalid {
            field,
            reason: InvalidReason::OutOfRange,
        }) => field,
        Err(other) => panic!("expected OutOfRange, got {other:?}"),
        Ok(_) => panic!("expected OutOfRange, the store opened"),
    };
    let defaults = default_store_options();
    assert_eq!(
        refused(StoreOptions {
            cached_documents: -1,
            ..defaults.clone()
        }),
        "cachedDocuments"
    );
    assert_eq!(
        refused(StoreOptions {
            compact_after_changes: -4,
            ..defaults
        }),
        "compactAfterChanges"
    );
    assert!(!path.exists());
}

#[test]
fn negative_sync_settings_are_config_errors_naming_the_setting() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir, "w-zhang");
    let refused = |settings: SyncSettings| {
        let server = SyncServer {
            url: "https://sync.example.org".into(),
            token: "t".into(),
            settings,
        };
        match store.sync(server, None).wait() {
            Err(GridbookError::Config { detail }) => detail,
            Err(other) => panic!("expected Config, got {other:?}"),
            Ok(_) => panic!("expected Config, the sync ran"),
        }
    };
    let d = default_sync_settings();
    assert_eq!(d.max_attempts, 5);
    assert_eq!(d.request_timeout_ms, 60_000);
    assert_eq!(
        refused(SyncSettings {
            connect_timeout_ms: -1,
            ..d.clone()
        }),
        "connect_timeout must be longer than zero"
    );
    assert_eq!(
        refused(SyncSettings {
            max_attempts: -2,
            ..d.clone()
        }),
        "max_attempts must be at least 1"
    );
    assert_eq!(
        refused(SyncSettings {
            max_response_bytes: i32::MIN,
            ..d
        }),
        "max_response_bytes must be at least 1"
    );
}
