//! Hostile sync requests against the real `gridbook-server` binary, on
//! SQLite and on PostgreSQL: client-supplied text out of its grammar
//! (newlines, ANSI escapes, an 8 MiB document id), repeated grids and
//! changes, counts over the protocol's limits, and a change pushed under a
//! document it does not belong to. Each is refused whole with its exact
//! status and error code, nothing is stored, and none of the text reaches
//! the server's log. The grammar itself is tested in the core
//! (`core/src/tests/hostile_push.rs`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::{Phone, ServerProcess, TestDb, worker_with_token};
use gridbook::sync::{
    GridCursor, MAX_CHANGES_PER_REQUEST, MAX_DOCS_PER_REQUEST, MAX_GRIDS_PER_REQUEST, PushedChange,
    SyncLimits, SyncRequest, SyncResponse,
};
use gridbook_server::storage::{Stats, Storage};

/// What a hostile document id carries; none of it may reach the log.
const FORGED_LINE: &str = "INFO sync status=200 forged-by-client";

/// A server on one backend, a worker `w1` who may create grids, and its token.
struct Fixture {
    server: ServerProcess,
    token: String,
    backend: Backend,
    _dir: tempfile::TempDir,
}

enum Backend {
    Sqlite(std::path::PathBuf),
    Postgres {
        rt: tokio::runtime::Runtime,
        db: Option<TestDb>,
        storage: Arc<dyn Storage>,
    },
}

impl Fixture {
    fn start(postgres: bool) -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let (extra, backend) = if postgres {
            let rt = tokio::runtime::Runtime::new().unwrap();
            let db = rt.block_on(TestDb::create());
            let storage: Arc<dyn Storage> = Arc::new(
                rt.block_on(gridbook_server::PostgresStorage::connect(&db.conn))
                    .unwrap(),
            );
            let extra = vec!["--postgres".to_string(), db.conn.clone()];
            let backend = Backend::Postgres {
                rt,
                db: Some(db),
                storage,
            };
            (extra, backend)
        } else {
            (vec![], Backend::Sqlite(dir.path().to_path_buf()))
        };
        let extra: Vec<&str> = extra.iter().map(String::as_str).collect();
        let data = dir.path();
        let token = worker_with_token(data, &extra);
        let mut args = vec!["--listen", "127.0.0.1:0"];
        args.extend_from_slice(&extra);
        let server = ServerProcess::start(data, &args);
        Fixture {
            server,
            token,
            backend,
            _dir: dir,
        }
    }

    fn stats(&self) -> Stats {
        match &self.backend {
            Backend::Sqlite(data) => common::sqlite_stats(data),
            Backend::Postgres { rt, storage, .. } => rt.block_on(storage.stats()).unwrap(),
        }
    }

    /// Posts a request body: (status, error code or "" for 200).
    fn post(&self, body: Vec<u8>) -> (u16, String) {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let response = reqwest::blocking::Client::builder()
            .timeout(Duration::from_secs(120))
            .build()
            .unwrap()
            .post(format!("{}{}", self.server.url, gridbook::sync::SYNC_PATH))
            .header("content-type", gridbook::sync::CONTENT_TYPE)
            .bearer_auth(&self.token)
            .body(body)
            .send()
            .unwrap();
        let status = response.status().as_u16();
        let body = response.bytes().unwrap();
        if status == 200 {
            assert!(SyncResponse::decode(&body).is_ok());
            return (status, String::new());
        }
        let json: serde_json::Value = serde_json::from_slice(&body).unwrap();
        let message = json["message"].as_str().unwrap();
        assert!(!message.contains(FORGED_LINE) && !message.contains('\u{1b}'));
        assert!(message.len() < 200, "{message}");
        (status, json["error"].as_str().unwrap().to_string())
    }

    /// Posts `request` and checks it is refused with `status` and `code`, storing nothing.
    fn refused(&self, request: &SyncRequest, status: u16, code: &str) {
        let before = self.stats();
        assert_eq!(self.post(request.encode()), (status, code.to_string()));
        assert_eq!(self.stats(), before, "a refused request stores nothing");
    }

    /// Stops the server; returns its log.
    fn finish(self) -> String {
        let (status, log) = self.server.terminate();
        assert!(status.success());
        if let Backend::Postgres { rt, db, storage } = self.backend {
            drop(storage);
            if let Some(db) = db {
                rt.block_on(db.drop_db());
            }
        }
        log
    }
}

/// A phone of `w1` with a new grid; its whole outbox as one request.
fn phone_request(phone: &Phone) -> (String, SyncRequest) {
    let grid = phone.create_grid(2);
    let request = phone.store.sync_request(&SyncLimits::default()).unwrap();
    assert!(request.push.len() > 2);
    (grid, request)
}

fn hostile_text_is_refused_and_never_logged(postgres: bool) {
    let fixture = Fixture::start(postgres);
    let phone = Phone::new("w1");
    let (grid, honest) = phone_request(&phone);
    let hostile = [
        format!("roster/{grid}\n{FORGED_LINE}"),
        format!("roster/{grid}\u{1b}[2K\u{1b}[1A{FORGED_LINE}"),
        format!("roster/{grid}/{}", "A".repeat(8 << 20)),
        format!("roster/{grid}/2026Q1"),
        format!("unknown/{grid}"),
    ];
    for doc_id in &hostile {
        let mut request = honest.clone();
        request.push[1].doc_id = doc_id.clone();
        fixture.refused(&request, 400, "invalid_field");
    }
    let mut resume = honest.clone();
    resume.grids[0].resume_after = Some(format!("roster/{grid}\n{FORGED_LINE}"));
    fixture.refused(&resume, 400, "invalid_field");
    let mut actor = honest.clone();
    actor.actor = vec![0x1b; 40];
    fixture.refused(&actor, 400, "invalid_field");
    assert_eq!(fixture.stats().changes, 0);

    // The honest request is stored whole.
    assert_eq!(fixture.post(honest.encode()), (200, String::new()));
    assert_eq!(fixture.stats().changes, honest.push.len() as u64);

    let log = fixture.finish();
    assert!(!log.contains("forged-by-client"), "{log}");
    assert!(!log.contains('\u{1b}'));
    assert!(!log.contains("AAAAAAAA"));
    assert!(log.len() < 64 * 1024, "the log grew by {} bytes", log.len());
    // Each refusal is logged twice (the request line and the sync line), and only so.
    let refusals = hostile.len() + 2;
    assert_eq!(log.matches("status=400").count(), 2 * refusals, "{log}");
    assert_eq!(
        log.matches("reason=malformed sync body: doc_id is not valid")
            .count(),
        hostile.len()
    );
}

#[test]
fn hostile_text_is_refused_and_never_logged_on_sqlite() {
    hostile_text_is_refused_and_never_logged(false);
}

#[test]
fn hostile_text_is_refused_and_never_logged_on_postgres() {
    hostile_text_is_refused_and_never_logged(true);
}

fn repeats_and_counts_over_the_limits(postgres: bool) {
    let fixture = Fixture::start(postgres);
    let phone = Phone::new("w1");
    let (grid, honest) = phone_request(&phone);

    let mut twice = honest.clone();
    twice.grids.push(twice.grids[0].clone());
    fixture.refused(&twice, 400, "duplicate");

    // One grid named 150,000 times: refused before anything is looked up.
    let mut many = honest.clone();
    many.grids = vec![many.grids[0].clone(); 150_000];
    let started = std::time::Instant::now();
    fixture.refused(&many, 400, "too_many");
    assert!(started.elapsed() < Duration::from_secs(5));

    let mut grids = honest.clone();
    grids.grids = (0..=MAX_GRIDS_PER_REQUEST)
        .map(|i| GridCursor {
            grid_id: format!("6f1c2d3e-4a5b-4c6d-8e9f-{i:012x}"),
            ..GridCursor::default()
        })
        .collect();
    fixture.refused(&grids, 400, "too_many");

    let mut changes = honest.clone();
    while changes.push.len() <= MAX_CHANGES_PER_REQUEST {
        changes.push.extend(honest.push.iter().cloned());
    }
    fixture.refused(&changes, 400, "too_many");

    let mut docs = honest.clone();
    docs.push
        .extend((0..MAX_DOCS_PER_REQUEST).map(|i| PushedChange {
            doc_id: format!("visits/{grid}/{}Q1", 2000 + i),
            bytes: honest.push[0].bytes.clone(),
        }));
    fixture.refused(&docs, 400, "too_many");

    // The same change under a second document is refused ...
    let mut elsewhere = honest.clone();
    let mut copy = honest.push[0].clone();
    copy.doc_id = format!("visits/{grid}/2026Q1");
    elsewhere.push.push(copy);
    fixture.refused(&elsewhere, 400, "bad_request");

    // ... and repeated under its own, it is merged: stored once.
    let mut repeated = honest.clone();
    for _ in 0..3 {
        repeated.push.extend(honest.push.iter().cloned());
    }
    assert_eq!(fixture.post(repeated.encode()), (200, String::new()));
    let stats = fixture.stats();
    assert_eq!(stats.changes, honest.push.len() as u64);
    assert_eq!(stats.grids, 1);
    fixture.finish();
}

#[test]
fn repeats_and_counts_over_the_limits_on_sqlite() {
    repeats_and_counts_over_the_limits(false);
}

#[test]
fn repeats_and_counts_over_the_limits_on_postgres() {
    repeats_and_counts_over_the_limits(true);
}

fn a_change_under_another_document_is_refused(postgres: bool) {
    let fixture = Fixture::start(postgres);
    let phone = Phone::new("w1");
    let (grid, honest) = phone_request(&phone);

    // A roster change pushed as a visits document of the pusher's own grid.
    let mut relabelled = honest.clone();
    relabelled.push[0].doc_id = format!("visits/{grid}/2026Q1");
    fixture.refused(&relabelled, 400, "not_of_document");
    // Every roster change of the request, under the visits document.
    let mut all = honest.clone();
    for change in &mut all.push {
        change.doc_id = format!("visits/{grid}/2026Q1");
    }
    fixture.refused(&all, 400, "not_of_document");
    assert_eq!(fixture.stats().changes, 0);

    assert_eq!(fixture.post(honest.encode()), (200, String::new()));
    let response = SyncResponse {
        acked_upto: honest.push_upto,
        ..SyncResponse::default()
    };
    phone.store.apply_sync_response(&honest, &response).unwrap();

    // Later changes depend on the stored log: accepted under their document,
    // refused under another one.
    phone.add_buildings(&grid, 1);
    let next = phone.store.sync_request(&SyncLimits::default()).unwrap();
    let mut moved = next.clone();
    for change in &mut moved.push {
        change.doc_id = format!("patrol/{grid}/2026Q1");
    }
    fixture.refused(&moved, 400, "not_of_document");
    assert_eq!(fixture.post(next.encode()), (200, String::new()));
    assert_eq!(
        fixture.stats().changes,
        (honest.push.len() + next.push.len()) as u64
    );
    fixture.finish();
}

#[test]
fn a_change_under_another_document_is_refused_on_sqlite() {
    a_change_under_another_document_is_refused(false);
}

#[test]
fn a_change_under_another_document_is_refused_on_postgres() {
    a_change_under_another_document_is_refused(true);
}
