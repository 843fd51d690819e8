//! Photos through the real `gridbook-server` binary, on SQLite and on
//! PostgreSQL, over plain HTTP (`schema/sync-protocol.md`, "Photos"): an
//! upload in three chunks resumed from the server's count after a cut, a
//! repeated chunk acknowledged without change, a chunk out of place
//! refused, a wrong hash refused with nothing kept, a worker without the
//! grid refused on every endpoint, a department with an events-only
//! assignment uploading and downloading, every limit refused unstored, and the download identical to
//! what was uploaded.
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
