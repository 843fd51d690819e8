//! Photos between two phones through the real server, on SQLite and on
//! PostgreSQL: the grid head attaches a photo to an event and syncs; the
//! upload is cut after its first chunk (the sync fails, the photo stays
//! `uploading` at the server's count), resumes from the server's count in
//! the next sync through a lost answer, and ends `uploaded`; the assistant
//! syncs, sees the event name the photo, downloads it on demand and holds
//! the same bytes. And a photo over the server's cap is marked failed with
//! its reason while the sync goes on.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod common;

use std::collections::VecDeque;

use common::proxy::{Fault, FaultProxy, Plan};
use common::{Backend, Device, ServerProcess, client_options, seed_grid};
use gridbook::codes::{EventSource, Urgency, WorkerRole};
use gridbook::sync::{CancelToken, PHOTO_CHUNK_BYTES, SyncClient, SyncError};
use gridbook::{EventInput, PhotoUpload, Timestamp};

/// A baseline JPEG carrying `extra` bytes of noise in ICC profile segments,
/// which preparing keeps: large enough for several upload chunks.
fn large_jpeg(extra: usize) -> Vec<u8> {
    fn segment(marker: u8, payload: &[u8]) -> Vec<u8> {
        let len = u16::try_from(payload.len() + 2).unwrap();
        let mut out = vec![0xFF, marker];
        out.extend_from_slice(&len.to_be_bytes());
        out.extend_from_slice(payload);
        out
    }
    let mut state: u64 = 0x5EED_1234_ABCD_0001;
    let mut noise = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state.to_le_bytes()[0]
    };
    let mut out = vec![0xFF, 0xD8];
    out.extend([
        0xFF, 0xE0, 0x00, 0x10, b'J', b'F', b'I', b'F', 0, 1, 1, 0, 0, 1, 0, 1, 0, 0,
    ]);
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
    out.extend(segment(0xDB, &[[0u8].as_slice(), &[1; 64]].concat()));
    out.extend(segment(0xC0, &[8, 0, 8, 0, 8, 1, 1, 0x11, 0]));
    let mut huffman = vec![0u8, 1];
    huffman.extend([0; 15]);
    huffman.push(0);
    out.extend(segment(0xC4, &huffman));
    huffman[0] = 0x10;
    out.extend(segment(0xC4, &huffman));
    out.extend([
        0xFF, 0xDA, 0x00, 0x08, 0x01, 0x01, 0x00, 0x00, 0x3F, 0x00, 0x3F, 0xFF, 0xD9,
    ]);
    out
}

fn a_photo_goes_from_one_phone_to_another(backend: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let server = ServerProcess::start(backend, &[]);
    let proxy = FaultProxy::start(&server.addr, Plan::Script(VecDeque::new()));
    let head_token = server.enrol("w-head", WorkerRole::GridHead, None, true);
    let head = Device::new(
        dir.path(),
        "w-head",
        WorkerRole::GridHead,
        client_options(&proxy.url(), &head_token),
    );
    let grid = seed_grid(&head.store);
    head.sync(1);
    let assistant_token = server.enrol("w-assistant", WorkerRole::Assistant, Some(&grid), false);
    let assistant = Device::new(
        dir.path(),
        "w-assistant",
        WorkerRole::Assistant,
        client_options(&server.url(), &assistant_token),
    );

    let photo = head
        .store
        .add_photo(&grid, &large_jpeg(2 * PHOTO_CHUNK_BYTES + 5_000))
        .unwrap();
    assert_eq!(photo.upload, PhotoUpload::Waiting);
    let size = usize::try_from(photo.size_bytes).unwrap();
    assert!(size > 2 * PHOTO_CHUNK_BYTES, "{size}");
    let event = head
        .store
        .report_event(EventInput {
            grid_id: grid.clone(),
            category: "fire_lane_blocked".into(),
            description: "消防通道被杂物堵塞".into(),
            urgency: Urgency::Urgent,
            building_id: None,
            household_id: None,
            gps: None,
            address: None,
            source: EventSource::DoorKnocking,
            source_record_id: None,
            residents_involved: vec![],
            at: Timestamp {
                utc_ms: 1_792_029_600_000,
                offset_minutes: 480,
            },
            photos: vec![photo.id.clone()],
        })
        .unwrap();

    // A phone that does not retry: the change push and the first chunk pass
    // (a photo never sent starts at 0 without a status request); the
    // connection drops on the second chunk.
    let mut strict = client_options(&proxy.url(), &head_token);
    strict.max_attempts = 1;
    let strict = SyncClient::new(strict).unwrap();
    proxy.set_plan(Plan::Script(VecDeque::from([
        Fault::None,
        Fault::None,
        Fault::DropRequest,
    ])));
    match strict.sync(&head.store, &mut |_| {}, &CancelToken::new()) {
        Err(SyncError::Unreachable(_)) => {}
        other => panic!("expected the cut to fail the sync, got {other:?}"),
    }
    assert_eq!(head.store.sync_status().unwrap().unsent_changes, 0);
    assert_eq!(
        head.store.photo_info(&photo.id).unwrap().upload,
        PhotoUpload::Uploading {
            sent_bytes: PHOTO_CHUNK_BYTES as i64
        }
    );

    // The next sync resumes at the server's count; the answer to the
    // second chunk is lost, and its retry is acknowledged unchanged.
    proxy.set_plan(Plan::Script(VecDeque::from([
        Fault::None,
        Fault::None,
        Fault::DropResponse,
    ])));
    let report = head.sync(1);
    assert_eq!(report.uploaded_photos, 1);
    assert_eq!(report.unsent_photos, 0);
    assert_eq!(report.photo_bytes_sent, (size - PHOTO_CHUNK_BYTES) as i64);
    assert!(report.retries >= 1, "{report:?}");
    assert!(proxy.applied().contains(&Fault::DropResponse));
    assert_eq!(
        head.store.photo_info(&photo.id).unwrap().upload,
        PhotoUpload::Uploaded
    );
    // Nothing more to send: a later sync uploads nothing.
    assert_eq!(head.sync(1).uploaded_photos, 0);

    let report = assistant.sync(1);
    assert_eq!(report.uploaded_photos, 0);
    let seen = assistant.store.event(&event).unwrap();
    assert_eq!(seen.photos, std::slice::from_ref(&photo.id));
    assert!(assistant.store.photo(&photo.id).is_err());
    let client = SyncClient::new(client_options(&server.url(), &assistant_token)).unwrap();
    let downloaded = client
        .download_photo(&assistant.store, &grid, &photo.id, &CancelToken::new())
        .unwrap();
    assert_eq!(downloaded.upload, PhotoUpload::NotOurs);
    assert_eq!(
        assistant.store.photo(&photo.id).unwrap(),
        head.store.photo(&photo.id).unwrap()
    );

    // A photo the server does not hold: 404, nothing stored.
    let absent = "0".repeat(64);
    match client.download_photo(&assistant.store, &grid, &absent, &CancelToken::new()) {
        Err(SyncError::Rejected { status: 404, .. }) => {}
        other => panic!("expected 404, got {other:?}"),
    }
    assert!(assistant.store.photo_info(&absent).is_err());
}

/// A photo the server cannot take (over its 5 MiB cap, attached on a phone
/// whose own cap is larger) is marked failed with `too_large` before any of
/// it is sent; the sync goes on and succeeds, and the next photo uploads.
#[test]
fn a_photo_the_server_cannot_take_fails_with_its_reason_and_the_sync_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let server = ServerProcess::start(Backend::Sqlite(dir.path().join("server")), &[]);
    let token = server.enrol("w-head", WorkerRole::GridHead, None, true);
    let store = gridbook::Store::open_with(
        dir.path().join("phone.db"),
        gridbook::WorkerIdentity {
            worker_id: "w-head".into(),
            name: "王芳".into(),
            role: WorkerRole::GridHead,
            device_label: "手机".into(),
        },
        gridbook::OpenOptions {
            photo_limits: gridbook::PhotoLimits {
                max_bytes: 8 * 1024 * 1024,
            },
            ..gridbook::OpenOptions::default()
        },
    )
    .unwrap();
    let grid = seed_grid(&store);
    let huge = store
        .add_photo(&grid, &large_jpeg(6 * 1024 * 1024))
        .unwrap();
    let small = store.add_photo(&grid, &large_jpeg(10_000)).unwrap();
    let client = SyncClient::new(client_options(&server.url(), &token)).unwrap();
    let report = client
        .sync(&store, &mut |_| {}, &CancelToken::new())
        .unwrap();
    assert_eq!(report.uploaded_photos, 1);
    assert_eq!(report.unsent_photos, 1);
    assert_eq!(
        store.photo_info(&huge.id).unwrap().upload,
        PhotoUpload::Failed {
            reason: "too_large".into(),
            sent_bytes: 0
        }
    );
    assert_eq!(
        store.photo_info(&small.id).unwrap().upload,
        PhotoUpload::Uploaded
    );
}

#[test]
fn a_photo_goes_from_one_phone_to_another_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    a_photo_goes_from_one_phone_to_another(Backend::Sqlite(dir.path().join("server")));
}

#[test]
fn a_photo_goes_from_one_phone_to_another_on_postgres() {
    a_photo_goes_from_one_phone_to_another(Backend::Postgres(common::server::fresh_postgres()));
}
