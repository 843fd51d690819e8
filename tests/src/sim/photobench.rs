//! `gridbench`'s photo upload throughput (`photo_upload_mb_s`) next to a
//! plain HTTP POST of the same bytes to the same server in the same run
//! (`photo_http_mb_s`, `photo_upload_ratio_vs_http`).
//!
//! A phone's store holds [`UPLOAD_PHOTOS`] events with a ~300 KB photo each
//! (real PNGs of noise, [`crate::eventbench::noise_png`]). Their changes are
//! pushed first by syncs cancelled before the photos start, so that the
//! timed sync is one idle exchange followed by the photo uploads: the
//! upload part is timed from that exchange's `Applying` report to `Done`,
//! through `SyncClient::sync`'s own photo uploader (a status request, then
//! chunks of `PHOTO_CHUNK_BYTES`, each stored by the server).
//!
//! The baseline sends each photo's bytes as the body of one HTTP/1.1 POST
//! to `/v1/sync` with the same device token, over one kept-alive
//! connection: the server authenticates the token and reads the whole body
//! as it does for a sync, then answers 400 since the body is no sync
//! request. So the baseline is the transport and the server's request
//! handling without the photo protocol or its storage. MB are 10^6 bytes.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::time::Instant;

use gridbook::codes::WorkerRole;
use gridbook::sync::{CancelToken, SYNC_PATH, SyncClient, SyncClientOptions, SyncError, SyncStage};
use gridbook::{GridInput, Store, Timestamp, WorkerIdentity};

use super::SimError;
use super::server::SimServer;
use crate::eventbench::{event, noise_png};
use crate::timefmt::now_ms;

/// Photos uploaded in `gridbench`'s measurement.
pub const UPLOAD_PHOTOS: usize = 40;

/// The most cancelled syncs spent pushing the events before the timed one.
const MAX_PUSHES: usize = 100;

/// The photo upload measurements of one run.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct PhotoBench {
    /// Photos uploaded.
    pub photos: usize,
    /// Their bytes, all of which the uploader reported sent.
    pub bytes: u64,
    /// Seconds of the upload part of the sync.
    pub upload_s: f64,
    /// Seconds of the plain POSTs of the same bytes.
    pub http_s: f64,
}

impl PhotoBench {
    /// Photo bytes per second of the upload, in MB/s.
    pub fn upload_mb_s(&self) -> f64 {
        mb_s(self.bytes, self.upload_s)
    }

    /// The same bytes per second of the plain POSTs, in MB/s.
    pub fn http_mb_s(&self) -> f64 {
        mb_s(self.bytes, self.http_s)
    }

    /// The upload's throughput over the plain POSTs' (1.0: as fast).
    pub fn ratio_vs_http(&self) -> f64 {
        let http = self.http_mb_s();
        if http > 0.0 {
            self.upload_mb_s() / http
        } else {
            0.0
        }
    }
}

fn mb_s(bytes: u64, seconds: f64) -> f64 {
    if seconds > 0.0 {
        bytes as f64 / 1e6 / seconds
    } else {
        0.0
    }
}

/// Runs the measurement with `photos` photos against a new embedded
/// server, the phone's store in `dir`.
pub fn measure(dir: &Path, photos: usize) -> Result<PhotoBench, SimError> {
    let server = SimServer::embedded(None)?;
    let identity = WorkerIdentity {
        worker_id: "w-photo-bench".into(),
        name: "照片测试员".into(),
        role: WorkerRole::GridHead,
        device_label: "照片测试机".into(),
    };
    server.ensure_worker(&identity.worker_id, &identity.name, identity.role, true)?;
    let token = server
        .admin()
        .issue_token(&identity.worker_id, &identity.device_label)?
        .token;
    let store = Store::open(dir.join("photos.db"), identity)?;
    let grid = store.create_grid(GridInput {
        code: "330106001001003".into(),
        name: "文新三网格".into(),
        community: None,
        street: None,
        boundary: None,
    })?;
    let start = now_ms() - 3_600_000;
    let mut ids = Vec::with_capacity(photos);
    for k in 0..photos {
        let png = noise_png(0x0fa7_0000 ^ k as u64);
        let photo = store.add_photo(&grid, &png)?;
        let at = Timestamp {
            utc_ms: start + i64::try_from(k).unwrap_or(0),
            offset_minutes: 480,
        };
        store.report_event(event(&grid, k, at, vec![photo.id.clone()]))?;
        ids.push(photo.id);
    }
    let client = SyncClient::new(SyncClientOptions::new(server.url(), &token))?;
    push_changes_only(&client, &store)?;
    if store.photos_to_upload(i64::MAX)?.len() != photos {
        return Err("a photo left the phone before the timed sync".into());
    }

    // upload_s: from the idle exchange's Applying report to Done.
    let mut applying: Option<Instant> = None;
    let mut done: Option<Instant> = None;
    let report = client.sync(
        &store,
        &mut |p| match p.stage {
            SyncStage::Applying if applying.is_none() => applying = Some(Instant::now()),
            SyncStage::Done => done = Some(Instant::now()),
            _ => {}
        },
        &CancelToken::new(),
    )?;
    let (Some(from), Some(to)) = (applying, done) else {
        return Err("the timed sync reported no exchange or no end".into());
    };
    let upload_s = to.duration_since(from).as_secs_f64();
    let bodies: Vec<Vec<u8>> = ids
        .iter()
        .map(|id| store.photo(id))
        .collect::<gridbook::Result<_>>()?;
    let bytes: u64 = bodies.iter().map(|b| b.len() as u64).sum();
    if report.uploaded_photos != i64::try_from(photos)?
        || report.photo_bytes_sent.unsigned_abs() != bytes
        || report.unsent_photos != 0
    {
        return Err(format!(
            "the upload sent {} photos, {} bytes of {bytes}",
            report.uploaded_photos, report.photo_bytes_sent
        )
        .into());
    }
    for id in &ids {
        if server.photo(&grid, id)?.is_none() {
            return Err(format!("the server does not hold photo {id}").into());
        }
    }

    // http_s: the same bytes, one plain POST each.
    let addr = server
        .url()
        .strip_prefix("http://")
        .ok_or("the embedded server does not speak plain HTTP")?
        .to_string();
    let mut http = PlainHttp::connect(&addr, &token)?;
    let started = Instant::now();
    for body in &bodies {
        let status = http.post(SYNC_PATH, body)?;
        if status != 400 {
            return Err(format!("a plain POST was answered {status}, not 400").into());
        }
    }
    let http_s = started.elapsed().as_secs_f64();
    drop(http);
    drop(store);
    server.shutdown()?;
    Ok(PhotoBench {
        photos,
        bytes,
        upload_s,
        http_s,
    })
}

/// Syncs until the server has acknowledged every change, cancelling each
/// sync once it has an answer, so that it stops before the photos.
fn push_changes_only(client: &SyncClient, store: &Store) -> Result<(), SimError> {
    for _ in 0..MAX_PUSHES {
        if store.sync_status()?.unsent_changes == 0 {
            return Ok(());
        }
        let cancel = CancelToken::new();
        let outcome = client.sync(
            store,
            &mut |p| {
                if p.stage == SyncStage::Applying {
                    cancel.cancel();
                }
            },
            &cancel,
        );
        match outcome {
            Ok(_) | Err(SyncError::Cancelled) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Err("the events' changes were not acknowledged".into())
}

/// One kept-alive HTTP/1.1 connection that POSTs bodies with a bearer token.
struct PlainHttp {
    reader: BufReader<TcpStream>,
    writer: TcpStream,
    host: String,
    token: String,
}

impl PlainHttp {
    fn connect(host: &str, token: &str) -> Result<PlainHttp, SimError> {
        let writer = TcpStream::connect(host)?;
        writer.set_nodelay(true)?;
        Ok(PlainHttp {
            reader: BufReader::new(writer.try_clone()?),
            writer,
            host: host.to_string(),
            token: token.to_string(),
        })
    }

    /// POSTs `body` to `path` and reads the whole answer; returns its status.
    fn post(&mut self, path: &str, body: &[u8]) -> Result<u16, SimError> {
        write!(
            self.writer,
            "POST {path} HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {}\r\n\
             Content-Type: application/octet-stream\r\nContent-Length: {}\r\n\r\n",
            self.host,
            self.token,
            body.len()
        )?;
        self.writer.write_all(body)?;
        let mut line = String::new();
        self.reader.read_line(&mut line)?;
        let status = line
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse::<u16>().ok())
            .ok_or_else(|| format!("no HTTP status in {line:?}"))?;
        let mut length = 0usize;
        loop {
            line.clear();
            if self.reader.read_line(&mut line)? == 0 {
                return Err("the connection closed within an answer's head".into());
            }
            let header = line.trim_end();
            if header.is_empty() {
                break;
            }
            if let Some((name, value)) = header.split_once(':')
                && name.eq_ignore_ascii_case("content-length")
            {
                length = value.trim().parse()?;
            }
        }
        let mut answer = vec![0; length];
        self.reader.read_exact(&mut answer)?;
        Ok(status)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn the_upload_and_the_plain_posts_move_the_same_bytes_and_report_positive_rates() {
        let dir = tempfile::tempdir().unwrap();
        let bench = measure(dir.path(), 3).unwrap();
        assert_eq!(bench.photos, 3);
        let one = noise_png(0x0fa7_0000).len() as u64;
        assert!((300_000..320_000).contains(&one));
        assert_eq!(bench.bytes, 3 * one);
        assert!(bench.upload_s > 0.0 && bench.http_s > 0.0);
        assert!(bench.upload_mb_s() > 0.0 && bench.http_mb_s() > 0.0);
        assert_eq!(
            bench.ratio_vs_http(),
            bench.upload_mb_s() / bench.http_mb_s()
        );
        assert_eq!(
            bench.upload_mb_s(),
            bench.bytes as f64 / 1e6 / bench.upload_s
        );
    }
}
