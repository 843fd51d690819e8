//! Photos inside the store (`store/photos.rs`): attaching and reading back,
//! the cap from the options, damaged bytes, the upload states, downloads
//! and the cache's eviction order, references from events, and the
//! encrypted file holding no run of a photo's bytes.

use std::collections::HashSet;

use super::events::{event_input, step};
use super::photo_samples::{JFIF, MODEL, SCAN, SOI, contains, phone_jpeg, segment, tables};
use super::*;
use crate::{Error, InvalidReason, OpenOptions, PhotoInfo, PhotoOrigin, PhotoUpload, photo_id};

/// A baseline JPEG carrying `extra` bytes of noise in ICC profile APP2
/// segments, which preparing keeps verbatim: distinct per `seed`, the same
/// size for the same `extra`, and with no run of bytes any other file has.
fn noisy_jpeg(seed: u64, extra: usize) -> Vec<u8> {
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut noise = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state.to_le_bytes()[0]
    };
    let mut out = [SOI, JFIF].concat();
    let mut left = extra;
    while left > 0 {
        let n = left.min(60_000);
        let body: Vec<u8> = (0..n).map(|_| noise()).collect();
        out.extend(segment(
            0xE2,
            &[b"ICC_PROFILE\0\x01\x01".as_slice(), &body].concat(),
        ));
        left -= n;
    }
    out.extend(tables());
    out.extend_from_slice(SCAN);
    out
}

fn open_with(dir: &tempfile::TempDir, options: OpenOptions) -> Store {
    Store::open_with(dir.path().join("w1.db"), identity("w1"), options).unwrap()
}

/// A store with the fixture's grid, opened with `options`.
fn store_with(options: OpenOptions) -> (tempfile::TempDir, Store, Fixture) {
    let dir = tempfile::tempdir().unwrap();
    let store = open_with(&dir, options);
    let f = fixture(&store);
    (dir, store, f)
}

/// Rows of both photo tables.
fn photo_rows(store: &Store) -> (i64, i64) {
    store
        .read(|c| {
            Ok((
                c.query_row("SELECT count(*) FROM photos", [], |r| r.get(0))?,
                c.query_row("SELECT count(*) FROM photo_bytes", [], |r| r.get(0))?,
            ))
        })
        .unwrap()
}

fn invalid<T: std::fmt::Debug>(result: crate::Result<T>) -> (&'static str, InvalidReason) {
    match result {
        Err(Error::Invalid { field, reason }) => (field, reason),
        other => panic!("expected Invalid, got {other:?}"),
    }
}

fn not_found<T: std::fmt::Debug>(result: crate::Result<T>) -> (RecordKind, String) {
    match result {
        Err(Error::NotFound { kind, id }) => (kind, id),
        other => panic!("expected NotFound, got {other:?}"),
    }
}

/// The ids of the photos the store holds in a grid, sorted.
fn held(store: &Store, grid: &str) -> Vec<String> {
    let mut ids: Vec<String> = store
        .photo_states(grid)
        .unwrap()
        .into_iter()
        .map(|p| p.id)
        .collect();
    ids.sort();
    ids
}

fn sorted_ids(ids: &[&str]) -> Vec<String> {
    let mut ids: Vec<String> = ids.iter().map(|s| s.to_string()).collect();
    ids.sort();
    ids
}

#[test]
fn a_photo_is_stored_stripped_and_read_back_byte_for_byte() {
    let (_dir, store, f) = one_worker("w1");
    let taken = phone_jpeg(false);
    let prepared = prepare_photo(&taken, &PhotoLimits::default()).unwrap();
    let info = store.add_photo(&f.grid, &taken).unwrap();
    assert_eq!(
        info,
        PhotoInfo {
            id: prepared.id.clone(),
            grid_id: f.grid.clone(),
            photo_type: PhotoType::Jpeg,
            size_bytes: prepared.bytes.len() as i64,
            origin: PhotoOrigin::Local,
            upload: PhotoUpload::Waiting,
        }
    );
    let read = store.photo(&info.id).unwrap();
    assert_eq!(read, prepared.bytes);
    assert_eq!(photo_id(&read), info.id);
    assert!(!contains(&read, MODEL), "the device model was stripped");
    assert_eq!(store.photo_info(&info.id).unwrap(), info);
    assert_eq!(store.photo_states(&f.grid).unwrap(), vec![info]);
    // A photo that needs no stripping is stored exactly as given.
    let plain = noisy_jpeg(1, 100);
    let id = store.add_photo(&f.grid, &plain).unwrap().id;
    assert_eq!(store.photo(&id).unwrap(), plain);
}

#[test]
fn adding_the_same_photo_again_returns_it_and_changes_nothing() {
    let (_dir, store, f) = one_worker("w1");
    let first = store.add_photo(&f.grid, &phone_jpeg(false)).unwrap();
    store.mark_upload_progress(&first.id, 10).unwrap();
    let before = store.photo_info(&first.id).unwrap();
    // The same photo with its metadata prepared again, and the stored bytes.
    let again = store.add_photo(&f.grid, &phone_jpeg(false)).unwrap();
    let stored = store.add_photo(&f.grid, &store.photo(&first.id).unwrap());
    assert_eq!(again, before);
    assert_eq!(stored.unwrap(), before);
    assert_eq!(photo_rows(&store), (1, 1));
    assert_eq!(before.upload, PhotoUpload::Uploading { sent_bytes: 10 });
}

#[test]
fn the_cap_comes_from_the_options_and_a_refused_photo_writes_nothing() {
    let photo = noisy_jpeg(2, 2000);
    let cap = photo.len() as u64;
    let (_dir, store, f) = store_with(OpenOptions {
        photo_limits: PhotoLimits { max_bytes: cap - 1 },
        ..Default::default()
    });
    assert_eq!(
        invalid(store.add_photo(&f.grid, &photo)),
        (
            "photo",
            InvalidReason::PhotoTooLarge {
                max_bytes: cap as i64 - 1
            }
        )
    );
    assert_eq!(
        invalid(store.add_photo(&f.grid, b"GIF89a not a photo we take")),
        ("photo", InvalidReason::PhotoType)
    );
    assert_eq!(
        invalid(store.add_photo(&f.grid, &[])),
        ("photo", InvalidReason::Empty)
    );
    assert_eq!(photo_rows(&store), (0, 0));
    let (_dir, store, f) = store_with(OpenOptions {
        photo_limits: PhotoLimits { max_bytes: cap },
        ..Default::default()
    });
    store.add_photo(&f.grid, &photo).unwrap();
    assert_eq!(
        OpenOptions::default().photo_limits.max_bytes,
        5 * 1024 * 1024
    );
    assert_eq!(OpenOptions::default().photo_cache_bytes, 200 * 1024 * 1024);
}

#[test]
fn photo_options_that_cannot_work_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("w1.db");
    let refused = |options: OpenOptions| invalid(Store::open_with(&path, identity("w1"), options));
    for max_bytes in [0, crate::MAX_PHOTO_LIMIT_BYTES + 1] {
        assert_eq!(
            refused(OpenOptions {
                photo_limits: PhotoLimits { max_bytes },
                ..Default::default()
            }),
            ("photo_limits.max_bytes", InvalidReason::OutOfRange)
        );
    }
    assert_eq!(
        refused(OpenOptions {
            photo_cache_bytes: u64::MAX,
            ..Default::default()
        }),
        ("photo_cache_bytes", InvalidReason::OutOfRange)
    );
    assert!(!path.exists(), "nothing was created");
}

#[test]
fn a_photo_in_an_unknown_grid_or_under_a_bad_id_is_refused() {
    let (_dir, store, _f) = one_worker("w1");
    assert_eq!(
        not_found(store.add_photo("no-such-grid", &noisy_jpeg(3, 10))),
        (RecordKind::Grid, "no-such-grid".to_string())
    );
    let photo = noisy_jpeg(3, 10);
    assert_eq!(
        not_found(store.store_downloaded_photo("no-such-grid", &photo_id(&photo), &photo)),
        (RecordKind::Grid, "no-such-grid".to_string())
    );
    assert_eq!(photo_rows(&store), (0, 0));
    let absent = photo_id(b"never stored");
    assert_eq!(
        not_found(store.photo(&absent)),
        (RecordKind::Photo, absent.clone())
    );
    assert_eq!(not_found(store.photo_info(&absent)).0, RecordKind::Photo);
    assert_eq!(not_found(store.mark_uploaded(&absent)).0, RecordKind::Photo);
    for bad in [String::new(), "AB".into(), "AB".repeat(32), "ab".repeat(33)] {
        assert_eq!(invalid(store.photo(&bad)), ("id", InvalidReason::PhotoId));
    }
}

#[test]
fn a_tampered_photo_is_refused_on_read() {
    let (_dir, store, f) = one_worker("w1");
    let info = store.add_photo(&f.grid, &noisy_jpeg(4, 300)).unwrap();
    let path = store.path().to_path_buf();
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute(
        "UPDATE photo_bytes SET bytes = ?2 WHERE id = ?1",
        rusqlite::params![info.id, noisy_jpeg(5, 300)],
    )
    .unwrap();
    drop(conn);
    assert_eq!(
        invalid(store.photo(&info.id)),
        ("photo", InvalidReason::PhotoHashMismatch)
    );
}

#[test]
fn the_upload_moves_through_its_states_and_uploaded_is_final() {
    let (_dir, store, f) = one_worker("w1");
    let a = store.add_photo(&f.grid, &noisy_jpeg(6, 1000)).unwrap();
    let b = store.add_photo(&f.grid, &noisy_jpeg(7, 1000)).unwrap();
    let c = store.add_photo(&f.grid, &noisy_jpeg(8, 1000)).unwrap();
    let order = |store: &Store| -> Vec<(String, PhotoUpload)> {
        store
            .photos_to_upload(10)
            .unwrap()
            .into_iter()
            .map(|p| (p.id, p.upload))
            .collect()
    };
    assert_eq!(
        order(&store),
        vec![
            (a.id.clone(), PhotoUpload::Waiting),
            (b.id.clone(), PhotoUpload::Waiting),
            (c.id.clone(), PhotoUpload::Waiting)
        ]
    );
    // Resumed ones first, then waiting ones, then failed ones.
    store.mark_upload_progress(&c.id, 512).unwrap();
    store.mark_upload_progress(&a.id, 100).unwrap();
    let failed = store.mark_upload_failed(&a.id, "网络中断").unwrap();
    assert_eq!(
        failed.upload,
        PhotoUpload::Failed {
            reason: "网络中断".into(),
            sent_bytes: 100
        }
    );
    assert_eq!(
        order(&store),
        vec![
            (c.id.clone(), PhotoUpload::Uploading { sent_bytes: 512 }),
            (b.id.clone(), PhotoUpload::Waiting),
            (a.id.clone(), failed.upload.clone()),
        ]
    );
    assert_eq!(store.photos_to_upload(1).unwrap().len(), 1);
    assert_eq!(
        invalid(store.photos_to_upload(-1)),
        ("limit", InvalidReason::OutOfRange)
    );
    // A retry resumes where the server says; progress clears the failure.
    assert_eq!(
        store.mark_upload_progress(&a.id, 0).unwrap().upload,
        PhotoUpload::Uploading { sent_bytes: 0 }
    );
    // Out of range writes nothing.
    for sent in [-1, c.size_bytes + 1] {
        assert_eq!(
            invalid(store.mark_upload_progress(&c.id, sent)),
            ("sent_bytes", InvalidReason::OutOfRange)
        );
    }
    assert_eq!(
        invalid(store.mark_upload_failed(&c.id, "  ")),
        ("reason", InvalidReason::Empty)
    );
    assert_eq!(
        store.photo_info(&c.id).unwrap().upload,
        PhotoUpload::Uploading { sent_bytes: 512 }
    );
    // Uploaded is final: late reports leave it, and it leaves the queue.
    assert_eq!(
        store.mark_uploaded(&c.id).unwrap().upload,
        PhotoUpload::Uploaded
    );
    store.mark_upload_progress(&c.id, 3).unwrap();
    store.mark_upload_failed(&c.id, "超时").unwrap();
    assert_eq!(
        store.mark_uploaded(&c.id).unwrap().upload,
        PhotoUpload::Uploaded
    );
    assert_eq!(
        order(&store),
        vec![
            (a.id.clone(), PhotoUpload::Uploading { sent_bytes: 0 }),
            (b.id.clone(), PhotoUpload::Waiting),
        ]
    );
}

#[test]
fn a_downloaded_photo_is_verified_against_its_id() {
    let (_dir, store, f) = one_worker("w1");
    let photo = noisy_jpeg(9, 500);
    let id = photo_id(&photo);
    let other = noisy_jpeg(10, 500);
    assert_eq!(
        invalid(store.store_downloaded_photo(&f.grid, &id, &other)),
        ("photo", InvalidReason::PhotoHashMismatch)
    );
    assert_eq!(
        invalid(store.store_downloaded_photo(&f.grid, &id, &[])),
        ("photo", InvalidReason::Empty)
    );
    let not_a_photo = b"plain text, not an image".to_vec();
    assert_eq!(
        invalid(store.store_downloaded_photo(&f.grid, &photo_id(&not_a_photo), &not_a_photo)),
        ("photo", InvalidReason::PhotoType)
    );
    assert_eq!(
        invalid(store.store_downloaded_photo(&f.grid, "AB", &photo)),
        ("id", InvalidReason::PhotoId)
    );
    assert_eq!(photo_rows(&store), (0, 0));
    let info = store.store_downloaded_photo(&f.grid, &id, &photo).unwrap();
    assert_eq!(
        (info.origin, info.upload.clone()),
        (PhotoOrigin::Downloaded, PhotoUpload::NotOurs)
    );
    assert_eq!(store.photo(&id).unwrap(), photo);
    // Not ours to upload: the hooks leave it alone, and it is not queued.
    store.mark_upload_failed(&id, "x").unwrap();
    store.mark_upload_progress(&id, 1).unwrap();
    assert_eq!(store.photo_info(&id).unwrap(), info);
    assert!(store.photos_to_upload(10).unwrap().is_empty());
    // Again: the same row.
    assert_eq!(
        store.store_downloaded_photo(&f.grid, &id, &photo).unwrap(),
        info
    );
    assert_eq!(photo_rows(&store), (1, 1));
}

#[test]
fn the_cache_drops_the_least_recently_read_photos_first() {
    let size = noisy_jpeg(0, 1000).len() as u64;
    let (_dir, store, f) = store_with(OpenOptions {
        photo_cache_bytes: 3 * size,
        ..Default::default()
    });
    let download = |seed: u64| -> String {
        let photo = noisy_jpeg(seed, 1000);
        let id = photo_id(&photo);
        store.store_downloaded_photo(&f.grid, &id, &photo).unwrap();
        id
    };
    // Attached here and waiting: never counted, never dropped.
    let mine = store.add_photo(&f.grid, &noisy_jpeg(100, 1000)).unwrap().id;
    let a = download(11);
    let b = download(12);
    let c = download(13);
    assert_eq!(held(&store, &f.grid), sorted_ids(&[&mine, &a, &b, &c]));
    store.photo(&a).unwrap();
    // Read order now: b, c, a. The fourth download drops b.
    let d = download(14);
    assert_eq!(held(&store, &f.grid), sorted_ids(&[&mine, &a, &c, &d]));
    assert_eq!(not_found(store.photo(&b)).0, RecordKind::Photo);
    store.photo(&c).unwrap();
    // Read order: a, d, c. The next drops a.
    let e = download(15);
    assert_eq!(held(&store, &f.grid), sorted_ids(&[&mine, &c, &d, &e]));
    // Once uploaded, this phone's photo joins the cache. Read order: it
    // (attached first, never read), d, c, e; it stays (it just entered), d goes.
    store.mark_uploaded(&mine).unwrap();
    assert_eq!(held(&store, &f.grid), sorted_ids(&[&mine, &c, &e]));
    // A photo downloaded again after it was dropped comes back, and now
    // the uploaded one, least recently read, goes: the server has it.
    let b_again = download(12);
    assert_eq!(b_again, b);
    assert_eq!(held(&store, &f.grid), sorted_ids(&[&b, &c, &e]));
    assert_eq!(photo_rows(&store), (3, 3));
}

#[test]
fn a_photo_waiting_for_its_upload_survives_an_empty_cache() {
    let (_dir, store, f) = store_with(OpenOptions {
        photo_cache_bytes: 0,
        ..Default::default()
    });
    let mine = store.add_photo(&f.grid, &noisy_jpeg(20, 5000)).unwrap().id;
    store.mark_upload_progress(&mine, 100).unwrap();
    let first = noisy_jpeg(21, 10);
    let second = noisy_jpeg(22, 10);
    for photo in [&first, &second] {
        store
            .store_downloaded_photo(&f.grid, &photo_id(photo), photo)
            .unwrap();
    }
    // The photo just downloaded stays even over the limit; the one before it goes.
    assert_eq!(
        held(&store, &f.grid),
        sorted_ids(&[&mine, &photo_id(&second)])
    );
    store.mark_upload_failed(&mine, "服务器无响应").unwrap();
    store
        .store_downloaded_photo(&f.grid, &photo_id(&first), &first)
        .unwrap();
    assert_eq!(
        held(&store, &f.grid),
        sorted_ids(&[&mine, &photo_id(&first)])
    );
    assert_eq!(store.photo(&mine).unwrap(), noisy_jpeg(20, 5000));
}

#[test]
fn an_event_may_name_only_photos_the_store_holds() {
    let dir = tempfile::tempdir().unwrap();
    let store = super::events::open_as(&dir, "head", WorkerRole::GridHead);
    let f = fixture(&store);
    let photo = store.add_photo(&f.grid, &noisy_jpeg(30, 100)).unwrap().id;
    let absent = photo_id(b"a photo never attached");
    let before = (
        store.query_table_dump().unwrap(),
        chunk_count(&store),
        store.sync_status().unwrap().unsent_changes,
    );
    let refused = store.report_event(EventInput {
        photos: vec![photo.clone(), absent.clone()],
        ..event_input(&f.grid, "fire_lane_blocked")
    });
    assert_eq!(not_found(refused), (RecordKind::Photo, absent.clone()));
    let after = (
        store.query_table_dump().unwrap(),
        chunk_count(&store),
        store.sync_status().unwrap().unsent_changes,
    );
    assert!(before == after, "a refused report wrote something");
    let event = store
        .report_event(EventInput {
            photos: vec![photo.clone()],
            ..event_input(&f.grid, "fire_lane_blocked")
        })
        .unwrap();
    let refused = store.take_event_step(EventStepInput {
        photos: vec![absent.clone()],
        ..step(&event, StepAction::Accept, 5)
    });
    assert_eq!(not_found(refused).0, RecordKind::Photo);
    assert!(store.event(&event).unwrap().steps.is_empty());
    store
        .take_event_step(EventStepInput {
            photos: vec![photo.clone()],
            ..step(&event, StepAction::Accept, 5)
        })
        .unwrap();

    // Another phone receives the event without the photo: it still reads.
    let other = open(&dir, "w2");
    send(&store, &other);
    let received = other.event(&event).unwrap();
    assert_eq!(received.photos, vec![photo.clone()]);
    assert_eq!(received.steps[0].photos, vec![photo.clone()]);
    assert_eq!(not_found(other.photo(&photo)).0, RecordKind::Photo);
    // A rebuild keeps the photos: they are not query tables.
    store.rebuild().unwrap();
    assert_eq!(photo_rows(&store), (1, 1));
    assert_eq!(store.photo(&photo).unwrap(), noisy_jpeg(30, 100));
}

/// Whether `file` holds any 32-byte run of `photo`.
fn holds_a_run_of(file: &[u8], photo: &[u8]) -> bool {
    let runs: HashSet<&[u8]> = photo.windows(32).collect();
    file.windows(32).any(|w| runs.contains(w))
}

#[test]
fn an_encrypted_store_holds_no_run_of_a_photos_bytes() {
    let photo = noisy_jpeg(40, 50_000);
    let files = |dir: &tempfile::TempDir| -> Vec<Vec<u8>> {
        ["w1.db", "w1.db-wal"]
            .iter()
            .filter_map(|name| std::fs::read(dir.path().join(name)).ok())
            .collect()
    };
    // Plain, the file does hold it: the check can see a photo.
    let (plain_dir, plain, f) = store_with(OpenOptions::default());
    plain.add_photo(&f.grid, &photo).unwrap();
    assert!(files(&plain_dir).iter().any(|b| holds_a_run_of(b, &photo)));

    let keyed = || OpenOptions {
        key: Some(crate::StoreKey::Passphrase {
            text: "correct horse".into(),
        }),
        ..Default::default()
    };
    let (dir, store, f) = store_with(keyed());
    let id = store.add_photo(&f.grid, &photo).unwrap().id;
    assert_eq!(store.photo(&id).unwrap(), photo);
    // While the store is open (the photo is in the WAL) and once it is closed.
    let open_files = files(&dir);
    assert_eq!(open_files.len(), 2, "the file and its WAL");
    assert!(!open_files.iter().any(|b| holds_a_run_of(b, &photo)));
    drop(store);
    let closed = files(&dir);
    assert!(!closed.is_empty());
    assert!(!closed.iter().any(|b| holds_a_run_of(b, &photo)));
    let store = open_with(&dir, keyed());
    assert_eq!(store.photo(&id).unwrap(), photo);
}

#[test]
fn discarding_a_blocked_grid_takes_its_photos() {
    let (_dir, store, f) = one_worker("w1");
    let id = store.add_photo(&f.grid, &noisy_jpeg(50, 10)).unwrap().id;
    store.write(|edit| edit.forget_grid(&f.grid)).unwrap();
    assert_eq!(photo_rows(&store), (0, 0));
    assert_eq!(not_found(store.photo_info(&id)).0, RecordKind::Photo);
}

#[test]
fn the_photos_live_query_hears_every_change_of_a_grids_photos_but_reads() {
    use std::sync::{Arc, Mutex};
    let (_dir, store, f) = store_with(OpenOptions {
        photo_cache_bytes: 0,
        ..Default::default()
    });
    let listen = |grid_id: &str| {
        let heard = Arc::new(Mutex::new(0));
        let sink = heard.clone();
        store.subscribe_query(
            crate::LiveQuery::Photos {
                grid_id: grid_id.into(),
            },
            move |_| {
                *sink.lock().unwrap() += 1;
                Ok(())
            },
        );
        heard
    };
    let photos = listen(&f.grid);
    let elsewhere = listen("another-grid");
    let count = |heard: &Arc<Mutex<i32>>| *heard.lock().unwrap();
    let id = store.add_photo(&f.grid, &noisy_jpeg(60, 10)).unwrap().id;
    assert_eq!(count(&photos), 1);
    store.photo(&id).unwrap();
    store.add_photo(&f.grid, &noisy_jpeg(60, 10)).unwrap();
    assert_eq!(count(&photos), 1, "a read or an add that changes nothing");
    store.mark_upload_progress(&id, 5).unwrap();
    store.mark_upload_failed(&id, "超时").unwrap();
    store.mark_uploaded(&id).unwrap();
    assert_eq!(count(&photos), 4);
    store.mark_uploaded(&id).unwrap();
    assert_eq!(count(&photos), 4, "uploaded already");
    let theirs = noisy_jpeg(61, 10);
    store
        .store_downloaded_photo(&f.grid, &photo_id(&theirs), &theirs)
        .unwrap();
    // One change: the download and the eviction of the uploaded photo.
    assert_eq!(count(&photos), 5);
    assert_eq!(held(&store, &f.grid), vec![photo_id(&theirs)]);
    assert_eq!(count(&elsewhere), 0);
}

#[test]
fn a_departments_store_keeps_a_downloaded_photo_of_a_grid_it_holds_events_of() {
    let dir = tempfile::tempdir().unwrap();
    let head = super::events::open_as(&dir, "head", WorkerRole::GridHead);
    let dept = super::events::open_as(&dir, "dept", WorkerRole::Department);
    let f = fixture(&head);
    let photo = noisy_jpeg(11, 500);
    let id = photo_id(&photo);
    // Before it holds anything of the grid, the grid is unknown to it.
    assert!(matches!(
        dept.store_downloaded_photo(&f.grid, &id, &photo),
        Err(Error::NotFound {
            kind: RecordKind::Grid,
            ..
        })
    ));
    // A department's store holds the grid's events and never its roster:
    // here the roster's rows are taken out of its tables, as a server with
    // an events-only assignment would never have sent them.
    head.report_event(event_input(&f.grid, "fire_lane_blocked"))
        .unwrap();
    dept.import(&head.export_since(0).unwrap().bytes).unwrap();
    let conn = rusqlite::Connection::open(dept.path()).unwrap();
    conn.execute("DELETE FROM grids", []).unwrap();
    drop(conn);
    assert!(dept.grids().unwrap().is_empty());
    assert_eq!(dept.events_open(&f.grid).unwrap().len(), 1);
    let info = dept.store_downloaded_photo(&f.grid, &id, &photo).unwrap();
    assert_eq!(info.origin, PhotoOrigin::Downloaded);
    assert_eq!(dept.photo(&id).unwrap(), photo);
}
