//! Photos through the real `gridbook-server` binary, on SQLite and on
//! PostgreSQL, over plain HTTP (`schema/sync-protocol.md`, "Photos"): an
//! upload in three chunks resumed from the server's count after a cut, a
//! repeated chunk acknowledged without change, a chunk out of place
//! refused, a wrong hash refused with nothing kept, a worker without the
//! grid refused on every endpoint, a department with an events-only
//! assignment uploading and downloading, every limit refused unstored, and the download identical to
//! what was uploaded. And their housekeeping: `admin stats` counting photos
//! and incomplete uploads, an upload begun more than the age ago deleted
//! by `admin purge-abandoned-uploads` and by the server's pass at start
//! while a fresh one and every complete photo stay, and a deleted upload
//! started over from 0 by its phone, complete and verified.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod common;

use std::path::Path;
use std::time::Duration;

use common::ServerProcess;
use gridbook::photo_id;
use gridbook::sync::{PHOTO_CHUNK_BYTES, PHOTO_SIZE_HEADER, photo_path};

const GRID: &str = "5f0c6f2e-8a1b-4c55-9d1e-2b7a9c3e4f10";
const DEPARTMENT: &str = "w-fangguan";

fn client() -> reqwest::blocking::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(60))
        .build()
        .unwrap()
}

/// Bytes no other test file has: a xorshift stream from `seed`.
fn noise(seed: u64, len: usize) -> Vec<u8> {
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state.to_le_bytes()[0]
        })
        .collect()
}

struct Api<'a> {
    url: &'a str,
}

impl Api<'_> {
    fn put(
        &self,
        token: Option<&str>,
        grid: &str,
        id: &str,
        size: usize,
        offset: usize,
        chunk: &[u8],
    ) -> (u16, serde_json::Value) {
        let mut request = client()
            .put(format!(
                "{}{}?offset={offset}",
                self.url,
                photo_path(grid, id)
            ))
            .header(PHOTO_SIZE_HEADER, size.to_string())
            .body(chunk.to_vec());
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().unwrap();
        let status = response.status().as_u16();
        (
            status,
            serde_json::from_slice(&response.bytes().unwrap()).unwrap(),
        )
    }

    fn status(&self, token: &str, grid: &str, id: &str) -> (u16, serde_json::Value) {
        let response = client()
            .get(format!("{}{}?status", self.url, photo_path(grid, id)))
            .bearer_auth(token)
            .send()
            .unwrap();
        let status = response.status().as_u16();
        (
            status,
            serde_json::from_slice(&response.bytes().unwrap()).unwrap(),
        )
    }

    fn get(&self, token: &str, grid: &str, id: &str) -> (u16, Vec<u8>) {
        let response = client()
            .get(format!("{}{}", self.url, photo_path(grid, id)))
            .bearer_auth(token)
            .send()
            .unwrap();
        let status = response.status().as_u16();
        (status, response.bytes().unwrap().to_vec())
    }

    fn received(&self, token: &str, grid: &str, id: &str) -> u64 {
        let (status, json) = self.status(token, grid, id);
        assert_eq!(status, 200, "{json}");
        json["received"].as_u64().unwrap()
    }
}

fn code(json: &serde_json::Value) -> &str {
    assert!(json["message"].is_string(), "{json}");
    json["error"].as_str().unwrap()
}

fn token(data: &Path, extra: &[&str], worker: &str) -> String {
    common::admin(
        data,
        extra,
        &["issue-token", "--worker", worker, "--device", "手机"],
    )
    .lines()
    .find_map(|l| l.strip_prefix("token "))
    .unwrap()
    .to_string()
}

/// Everything on one backend: `extra` selects it (`--postgres CONN` or nothing).
fn photos_through_the_server(data: &Path, extra: &[&str]) {
    let admin = |args: &[&str]| common::admin(data, extra, args);
    common::add_worker(data, extra, "w1", "王芳", &["--role", "grid_head"]);
    common::add_worker(data, extra, "w2", "李强", &["--role", "grid_head"]);
    common::add_worker(
        data,
        extra,
        DEPARTMENT,
        "街道房管所",
        &["--role", "department"],
    );
    admin(&["assign", "--worker", "w1", "--grid", GRID]);
    admin(&[
        "assign", "--worker", DEPARTMENT, "--grid", GRID, "--scope", "events",
    ]);
    let (head, stranger, department) = (
        token(data, extra, "w1"),
        token(data, extra, "w2"),
        token(data, extra, DEPARTMENT),
    );
    let mut args = vec!["--listen", "127.0.0.1:0"];
    args.extend_from_slice(extra);
    let server = ServerProcess::start(data, &args);
    let api = Api { url: &server.url };

    // Three chunks: two full, one short.
    let photo = noise(1, 2 * PHOTO_CHUNK_BYTES + 1000);
    let id = photo_id(&photo);
    let size = photo.len();
    let chunk = |n: usize| &photo[n * PHOTO_CHUNK_BYTES..((n + 1) * PHOTO_CHUNK_BYTES).min(size)];
    assert_eq!(api.received(&head, GRID, &id), 0);
    let (status, json) = api.put(Some(&head), GRID, &id, size, 0, chunk(0));
    assert_eq!(status, 200, "{json}");
    assert_eq!(json["received"], PHOTO_CHUNK_BYTES as u64);
    assert_eq!(json["complete"], false);
    // The connection is cut here; the client asks where to resume.
    let resume = api.received(&head, GRID, &id) as usize;
    assert_eq!(resume, PHOTO_CHUNK_BYTES);
    let (status, _) = api.put(Some(&head), GRID, &id, size, resume, chunk(1));
    assert_eq!(status, 200);
    // A repeated chunk (its answer was lost) changes nothing.
    let (status, json) = api.put(Some(&head), GRID, &id, size, 0, chunk(0));
    assert_eq!(status, 200, "{json}");
    assert_eq!(json["received"], 2 * PHOTO_CHUNK_BYTES as u64);
    // A chunk past the count received is refused: nothing is stored.
    let (status, json) = api.put(Some(&head), GRID, &id, size, size - 10, &photo[size - 10..]);
    assert_eq!((status, code(&json)), (409, "offset_mismatch"));
    assert_eq!(api.received(&head, GRID, &id), 2 * PHOTO_CHUNK_BYTES as u64);
    // An incomplete photo is not served.
    assert_eq!(api.get(&head, GRID, &id).0, 404);
    // The size cannot change under an upload.
    let (status, json) = api.put(
        Some(&head),
        GRID,
        &id,
        size + 1,
        2 * PHOTO_CHUNK_BYTES,
        chunk(2),
    );
    assert_eq!((status, code(&json)), (409, "size_mismatch"));
    let (status, json) = api.put(
        Some(&head),
        GRID,
        &id,
        size,
        2 * PHOTO_CHUNK_BYTES,
        chunk(2),
    );
    assert_eq!(status, 200, "{json}");
    assert_eq!(json["complete"], true);
    assert_eq!(json["received"], size as u64);
    // A chunk of a complete photo is acknowledged as complete.
    let (status, json) = api.put(Some(&head), GRID, &id, size, 0, chunk(0));
    assert_eq!((status, json["complete"].as_bool()), (200, Some(true)));
    let (status, bytes) = api.get(&head, GRID, &id);
    assert_eq!(status, 200);
    assert_eq!(bytes, photo);
    gridbook::verify_photo(&id, &bytes).unwrap();

    // Bytes that do not hash to their id: refused, nothing kept.
    let forged = noise(2, 5000);
    let claimed = photo_id(&noise(3, 5000));
    let (status, json) = api.put(Some(&head), GRID, &claimed, forged.len(), 0, &forged);
    assert_eq!((status, code(&json)), (422, "hash_mismatch"));
    assert_eq!(api.received(&head, GRID, &claimed), 0);
    assert_eq!(api.get(&head, GRID, &claimed).0, 404);
    // The same over two chunks: the part received first is deleted too.
    let forged = noise(4, PHOTO_CHUNK_BYTES + 10);
    let claimed = photo_id(&noise(5, 10));
    let (status, _) = api.put(
        Some(&head),
        GRID,
        &claimed,
        forged.len(),
        0,
        &forged[..PHOTO_CHUNK_BYTES],
    );
    assert_eq!(status, 200);
    let (status, json) = api.put(
        Some(&head),
        GRID,
        &claimed,
        forged.len(),
        PHOTO_CHUNK_BYTES,
        &forged[PHOTO_CHUNK_BYTES..],
    );
    assert_eq!((status, code(&json)), (422, "hash_mismatch"));
    assert_eq!(api.received(&head, GRID, &claimed), 0);

    // A worker the grid is not assigned to: 403 everywhere, nothing stored.
    let other = noise(6, 3000);
    let other_id = photo_id(&other);
    let (status, json) = api.put(Some(&stranger), GRID, &other_id, other.len(), 0, &other);
    assert_eq!((status, code(&json)), (403, "forbidden"));
    assert_eq!(api.status(&stranger, GRID, &id).0, 403);
    assert_eq!(api.get(&stranger, GRID, &id).0, 403);
    assert_eq!(api.received(&head, GRID, &other_id), 0);
    // No token, or an unknown one: 401.
    let (status, json) = api.put(None, GRID, &other_id, other.len(), 0, &other);
    assert_eq!((status, code(&json)), (401, "unauthorized"));
    assert_eq!(api.get("gbt_nope", GRID, &id).0, 401);

    // Limits and shapes, each refused before anything is stored.
    let big = noise(7, PHOTO_CHUNK_BYTES + 1);
    let big_id = photo_id(&big);
    let (status, json) = api.put(Some(&head), GRID, &big_id, big.len(), 0, &big);
    assert_eq!((status, code(&json)), (413, "too_large"));
    let (status, json) = api.put(Some(&head), GRID, &big_id, 6 * 1024 * 1024, 0, &big[..10]);
    assert_eq!((status, code(&json)), (413, "too_large"));
    let (status, json) = api.put(Some(&head), GRID, "ABC", 10, 0, &big[..10]);
    assert_eq!((status, code(&json)), (400, "invalid_field"));
    let (status, json) = api.put(Some(&head), "not-a-grid", &big_id, 10, 0, &big[..10]);
    assert_eq!((status, code(&json)), (400, "invalid_field"));
    let (status, json) = api.put(Some(&head), GRID, &big_id, 10, 5, &big[..10]);
    assert_eq!((status, code(&json)), (400, "invalid_field"));
    // A chunk of unknown length (chunked transfer) is refused unread.
    let response = client()
        .put(format!(
            "{}{}?offset=0",
            server.url,
            photo_path(GRID, &big_id)
        ))
        .header(PHOTO_SIZE_HEADER, "10")
        .bearer_auth(&head)
        .body(reqwest::blocking::Body::new(std::io::Cursor::new(
            big[..10].to_vec(),
        )))
        .send()
        .unwrap();
    assert_eq!(response.status().as_u16(), 411);
    assert_eq!(api.received(&head, GRID, &big_id), 0);

    // A department's events-only assignment covers the event photos.
    let evidence = noise(8, 40_000);
    let evidence_id = photo_id(&evidence);
    let (status, json) = api.put(
        Some(&department),
        GRID,
        &evidence_id,
        evidence.len(),
        0,
        &evidence,
    );
    assert_eq!(
        (status, json["complete"].as_bool()),
        (200, Some(true)),
        "{json}"
    );
    assert_eq!(api.get(&department, GRID, &id), (200, photo.clone()));
    assert_eq!(api.get(&head, GRID, &evidence_id), (200, evidence));

    let (status, log) = server.terminate();
    assert!(status.success(), "{log}");
    assert!(log.contains("photo upload"), "{log}");
}

/// The server's database, for what only time does in production: making
/// an upload old.
enum Db<'a> {
    Sqlite(&'a Path),
    Postgres(&'a str),
}

impl Db<'_> {
    /// Moves the start of the upload of `photo_id` back by `hours`.
    fn age_upload(&self, photo_id: &str, hours: i64) {
        let seconds = hours * 3600;
        let updated = match self {
            Db::Sqlite(data) => {
                let conn =
                    rusqlite::Connection::open(data.join(gridbook_server::config::SQLITE_FILE))
                        .unwrap();
                conn.busy_timeout(Duration::from_secs(10)).unwrap();
                conn.execute(
                    "UPDATE photos SET created_at = created_at - ?1 WHERE photo_id = ?2",
                    rusqlite::params![seconds, photo_id],
                )
                .unwrap() as u64
            }
            Db::Postgres(conn) => common::block_on(async {
                let (client, connection) = tokio_postgres::connect(conn, tokio_postgres::NoTls)
                    .await
                    .unwrap();
                tokio::spawn(connection);
                client
                    .execute(
                        "UPDATE photos SET created_at = created_at - $1 WHERE photo_id = $2",
                        &[&seconds, &photo_id],
                    )
                    .await
                    .unwrap()
            }),
        };
        assert_eq!(updated, 1, "no upload of {photo_id}");
    }
}

fn stats_json(data: &Path, extra: &[&str]) -> serde_json::Value {
    serde_json::from_str(&common::admin(data, extra, &["stats", "--json"])).unwrap()
}

/// The photo fields of `admin stats --json` (complete photos, their bytes,
/// incomplete uploads, their received bytes).
fn photo_counts(data: &Path, extra: &[&str]) -> (u64, u64, u64, u64) {
    let json = stats_json(data, extra);
    let n = |key: &str| {
        json[key]
            .as_u64()
            .unwrap_or_else(|| panic!("{key}: {json}"))
    };
    (
        n("photos"),
        n("photo_bytes"),
        n("incomplete_uploads"),
        n("incomplete_upload_bytes"),
    )
}

/// Sends a whole photo from offset 0, as a phone does after asking the
/// status; returns the last answer.
fn upload_whole(api: &Api, token: &str, id: &str, photo: &[u8]) -> serde_json::Value {
    let mut last = serde_json::Value::Null;
    for (n, chunk) in photo.chunks(PHOTO_CHUNK_BYTES).enumerate() {
        let (status, json) = api.put(
            Some(token),
            GRID,
            id,
            photo.len(),
            n * PHOTO_CHUNK_BYTES,
            chunk,
        );
        assert_eq!(status, 200, "{json}");
        last = json;
    }
    last
}

/// Housekeeping on one backend: `extra` selects it, `db` reaches its rows.
fn abandoned_uploads_are_purged(data: &Path, extra: &[&str], db: &Db) {
    let admin = |args: &[&str]| common::admin(data, extra, args);
    common::add_worker(data, extra, "w1", "王芳", &["--role", "grid_head"]);
    admin(&["assign", "--worker", "w1", "--grid", GRID]);
    let head = token(data, extra, "w1");
    let mut args = vec!["--listen", "127.0.0.1:0"];
    args.extend_from_slice(extra);
    let server = ServerProcess::start(data, &args);
    let api = Api { url: &server.url };

    // A complete photo, an upload cut after its first chunk (to be made
    // old) and one cut after 1000 bytes (fresh).
    let whole = noise(11, 5000);
    let whole_id = photo_id(&whole);
    assert_eq!(
        upload_whole(&api, &head, &whole_id, &whole)["complete"],
        true
    );
    let old = noise(12, 2 * PHOTO_CHUNK_BYTES + 100);
    let old_id = photo_id(&old);
    let (status, _) = api.put(
        Some(&head),
        GRID,
        &old_id,
        old.len(),
        0,
        &old[..PHOTO_CHUNK_BYTES],
    );
    assert_eq!(status, 200);
    let fresh = noise(13, 3000);
    let fresh_id = photo_id(&fresh);
    let (status, _) = api.put(Some(&head), GRID, &fresh_id, fresh.len(), 0, &fresh[..1000]);
    assert_eq!(status, 200);
    assert_eq!(
        stats_json(data, extra),
        serde_json::json!({
            "grids": 1, "changes": 0, "actors": 0, "snapshots": 0, "assignments": 1,
            "photos": 1, "photo_bytes": 5000,
            "incomplete_uploads": 2, "incomplete_upload_bytes": PHOTO_CHUNK_BYTES + 1000,
        })
    );
    let text = admin(&["stats"]);
    assert!(text.contains("\nphotos 1 (5000 bytes)\n"), "{text}");
    assert!(
        text.contains(&format!(
            "\nincomplete photo uploads 2 ({} bytes received)\n",
            PHOTO_CHUNK_BYTES + 1000
        )),
        "{text}"
    );

    // Eight days pass for the cut upload (and for the complete photo,
    // which is never deleted); the default age is a week.
    db.age_upload(&old_id, 8 * 24);
    db.age_upload(&whole_id, 8 * 24);
    assert_eq!(
        admin(&["purge-abandoned-uploads"]),
        format!(
            "purged 1 incomplete photo uploads begun 168 or more hours ago, {} bytes\n",
            PHOTO_CHUNK_BYTES
        )
    );
    assert_eq!(api.received(&head, GRID, &old_id), 0);
    assert_eq!(
        api.status(&head, GRID, &old_id).1["size"],
        serde_json::Value::Null
    );
    assert_eq!(api.received(&head, GRID, &fresh_id), 1000);
    let (status, bytes) = api.get(&head, GRID, &whole_id);
    assert_eq!(status, 200);
    assert!(bytes == whole, "the complete photo changed");
    assert_eq!(photo_counts(data, extra), (1, 5000, 1, 1000));
    // Nothing is left to purge.
    let again: serde_json::Value =
        serde_json::from_str(&admin(&["purge-abandoned-uploads", "--json"])).unwrap();
    assert_eq!(
        again,
        serde_json::json!({"uploads": 0, "bytes": 0, "older_than_hours": 168})
    );

    // The phone goes on where it was: the server holds nothing, so the
    // chunk is out of place; the phone asks the status and starts over.
    let (status, json) = api.put(
        Some(&head),
        GRID,
        &old_id,
        old.len(),
        PHOTO_CHUNK_BYTES,
        &old[PHOTO_CHUNK_BYTES..2 * PHOTO_CHUNK_BYTES],
    );
    assert_eq!((status, code(&json)), (409, "offset_mismatch"));
    assert_eq!(api.received(&head, GRID, &old_id), 0);
    let done = upload_whole(&api, &head, &old_id, &old);
    assert_eq!(
        (done["complete"].as_bool(), done["received"].as_u64()),
        (Some(true), Some(old.len() as u64))
    );
    let (status, bytes) = api.get(&head, GRID, &old_id);
    assert_eq!(status, 200);
    gridbook::verify_photo(&old_id, &bytes).unwrap();
    assert!(bytes == old, "the restarted upload is not the photo");
    assert_eq!(
        photo_counts(data, extra),
        (2, 5000 + old.len() as u64, 1, 1000)
    );

    // An age of 0 takes every incomplete upload, the fresh one too, and
    // still no complete photo.
    let purged: serde_json::Value = serde_json::from_str(&admin(&[
        "purge-abandoned-uploads",
        "--abandon-photo-uploads-after-hours",
        "0",
        "--json",
    ]))
    .unwrap();
    assert_eq!(
        purged,
        serde_json::json!({"uploads": 1, "bytes": 1000, "older_than_hours": 0})
    );
    assert_eq!(
        photo_counts(data, extra),
        (2, 5000 + old.len() as u64, 0, 0)
    );

    // The server's own pass, which runs when it starts: an upload begun
    // 25 hours ago goes under a 24-hour age, one begun now stays.
    let stale = noise(14, 4000);
    let stale_id = photo_id(&stale);
    let (status, _) = api.put(Some(&head), GRID, &stale_id, stale.len(), 0, &stale[..1500]);
    assert_eq!(status, 200);
    let (status, _) = api.put(Some(&head), GRID, &fresh_id, fresh.len(), 0, &fresh[..1000]);
    assert_eq!(status, 200);
    let (status, log) = server.terminate();
    assert!(status.success(), "{log}");
    db.age_upload(&stale_id, 25);
    let mut args = vec![
        "--listen",
        "127.0.0.1:0",
        "--abandon-photo-uploads-after-hours",
        "24",
    ];
    args.extend_from_slice(extra);
    let server = ServerProcess::start(data, &args);
    let api = Api { url: &server.url };
    // The pass runs beside the first requests; waiting for it is bounded.
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while api.received(&head, GRID, &stale_id) != 0 {
        assert!(
            std::time::Instant::now() < deadline,
            "the server's pass did not delete the stale upload"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(api.received(&head, GRID, &fresh_id), 1000);
    assert_eq!(
        photo_counts(data, extra),
        (2, 5000 + old.len() as u64, 1, 1000)
    );
    let (status, log) = server.terminate();
    assert!(status.success(), "{log}");
    let line = log
        .lines()
        .find(|l| l.contains("abandoned photo uploads purged"))
        .unwrap_or_else(|| panic!("no purge logged: {log}"));
    assert!(
        line.contains("uploads=1") && line.contains("bytes=1500"),
        "{line}"
    );
}

#[test]
fn abandoned_uploads_are_purged_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    abandoned_uploads_are_purged(dir.path(), &[], &Db::Sqlite(dir.path()));
}

#[test]
fn abandoned_uploads_are_purged_on_postgres() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let db = rt.block_on(common::TestDb::create());
    let dir = tempfile::tempdir().unwrap();
    abandoned_uploads_are_purged(
        dir.path(),
        &["--postgres", db.conn.as_str()],
        &Db::Postgres(&db.conn),
    );
    rt.block_on(db.drop_db());
}

/// An age of 0 would delete every upload in progress at each pass: the
/// server refuses to start with it, before it listens.
#[test]
fn serving_refuses_an_abandon_age_of_zero() {
    let dir = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(common::server_bin())
        .arg("--data")
        .arg(dir.path())
        .args([
            "--listen",
            "127.0.0.1:0",
            "--abandon-photo-uploads-after-hours",
            "0",
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert_eq!(String::from_utf8_lossy(&out.stdout), "");
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("--abandon-photo-uploads-after-hours must be at least 1"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn photos_through_the_server_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    photos_through_the_server(dir.path(), &[]);
}

#[test]
fn photos_through_the_server_on_postgres() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let db = rt.block_on(common::TestDb::create());
    let dir = tempfile::tempdir().unwrap();
    photos_through_the_server(dir.path(), &["--postgres", db.conn.as_str()]);
    rt.block_on(db.drop_db());
}
