//! `gridbench --hostile`: what the most expensive requests a valid device
//! token can send cost the sync server, in CPU time. The server runs
//! embedded (SQLite, compaction off so no background work is counted); each
//! request body is built before the clock starts, sent over plain HTTP on
//! loopback, and the process's CPU time (`/proc/self/stat`, all threads,
//! so the small cost of sending the body is included) is read around it.
//!
//! The shapes are the protocol's limits at their worst (see
//! `schema/sync-protocol.md`, "Limits"): the repeats and the hostile text
//! that used to be expensive, the most grids, documents and changes a
//! request may carry (accepted and stored), the same change repeated until
//! the inflated body is full, and the most dependencies the server looks up.
//! To add a shape, build its body in [`cases`] and say what it should answer.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Instant;

use automerge::transaction::Transactable;
use automerge::{ActorId, AutoCommit, ROOT};
use gridbook::codes::WorkerRole;
use gridbook::sync::{
    GridCursor, MAX_CHANGES_PER_REQUEST, MAX_DOCS_PER_REQUEST, MAX_GRIDS_PER_REQUEST,
    MAX_INFLATED_BYTES, MAX_REQUEST_BYTES, PROTOCOL_VERSION, PushedChange, SYNC_PATH, SyncRequest,
    genesis_change,
};
use gridbook_server::{ServerConfig, spawn};

use super::SimError;
use crate::rng::SplitMix64;
use crate::scratch::ScratchDir;

/// What one hostile request cost.
#[derive(Debug, Clone)]
pub struct HostileCost {
    /// The shape, in words.
    pub shape: &'static str,
    /// The body's size on the wire.
    pub body_bytes: usize,
    /// The HTTP status the server answered.
    pub status: u16,
    /// The status it should answer.
    pub expected: u16,
    /// CPU time of the whole process while the request ran, in milliseconds.
    pub cpu_ms: f64,
    /// Wall time, in milliseconds.
    pub wall_ms: f64,
}

/// Runs every shape against a fresh embedded server.
pub fn run() -> Result<Vec<HostileCost>, SimError> {
    let dir = ScratchDir::new("gridbench-hostile")?;
    let mut config = ServerConfig::sqlite_ephemeral(dir.path());
    config.compact_after = u64::MAX;
    let server = spawn(config)?;
    let admin = server.admin();
    admin.add_worker("w-hostile", "攻击者", WorkerRole::Assistant, true)?;
    let token = admin.issue_token("w-hostile", "攻击者的手机")?.token;
    let addr = server.addr;
    let mut rng = SplitMix64::new(0x9e37_79b9);
    let mut out = Vec::new();
    for (shape, expected, body) in cases(&mut rng, &|grid| admin.assign("w-hostile", grid))? {
        let cpu = cpu_seconds()?;
        let started = Instant::now();
        let status = post(addr, &token, &body)?;
        out.push(HostileCost {
            shape,
            body_bytes: body.len(),
            status,
            expected,
            cpu_ms: (cpu_seconds()? - cpu) * 1000.0,
            wall_ms: started.elapsed().as_secs_f64() * 1000.0,
        });
    }
    drop(server);
    Ok(out)
}

type Assign<'a> = dyn Fn(&str) -> Result<bool, gridbook_server::StorageError> + 'a;

/// One shape: its description, the status it should get, and its body.
type Case = (&'static str, u16, Vec<u8>);

/// Every shape.
fn cases(rng: &mut SplitMix64, assign: &Assign<'_>) -> Result<Vec<Case>, SimError> {
    let grid = |rng: &mut SplitMix64| uuid_of(rng);
    let mut cases = Vec::new();

    let one = grid(rng);
    let mut named = request(rng, vec![]);
    named.grids = vec![cursor(&one); 150_000];
    cases.push(("one grid named 150,000 times", 400, named.encode()));

    let mut long_id = request(rng, vec![]);
    long_id.grids = vec![cursor(&one)];
    long_id.push = vec![PushedChange {
        doc_id: format!("roster/{one}/{}", "\n".repeat(MAX_REQUEST_BYTES)),
        bytes: vec![0; 16],
    }];
    cases.push(("an 8 MiB document id of newlines", 400, long_id.encode()));

    // The most grids, all assigned, each named once: a page for each.
    let grids: Vec<String> = (0..MAX_GRIDS_PER_REQUEST).map(|_| grid(rng)).collect();
    for g in &grids {
        assign(g)?;
    }
    let mut pages = request(rng, vec![]);
    pages.grids = grids.iter().map(|g| cursor(g)).collect();
    cases.push(("256 assigned grids, each named once", 200, pages.encode()));

    // The most documents, changes and ops, accepted and stored: two
    // documents in each of 256 new grids.
    let new_grids: Vec<String> = (0..MAX_GRIDS_PER_REQUEST).map(|_| grid(rng)).collect();
    let actor = actor_of(rng);
    let per_doc = MAX_CHANGES_PER_REQUEST / MAX_DOCS_PER_REQUEST;
    // The most ops a request may hold, spread over its changes.
    let mut ops = gridbook::sync::MAX_OPS_PER_REQUEST / MAX_CHANGES_PER_REQUEST;
    let full = loop {
        let mut push = Vec::new();
        for (i, g) in new_grids.iter().enumerate() {
            for kind in ["visits", "patrol"] {
                let doc_id = format!("{kind}/{g}/2026Q1");
                push.extend(chain(&doc_id, &actor, per_doc, ops, i)?);
            }
        }
        let cursors = new_grids.iter().map(|g| cursor(g)).collect();
        let body = request_of(&actor, cursors, push).encode();
        if body.len() <= MAX_REQUEST_BYTES || ops <= 1 {
            break body;
        }
        ops /= 2;
    };
    cases.push((
        "256 new grids, 512 documents, 4096 changes, 1,000,000 puts of distinct keys",
        200,
        full,
    ));

    // One large change repeated until the inflated body is full: merged unparsed.
    assign(&one)?;
    let actor = actor_of(rng);
    let doc_id = format!("visits/{one}/2026Q1");
    let big = text_change(&doc_id, &actor, "x".repeat(1000 * 1024))?;
    let copies = MAX_INFLATED_BYTES / 1024 / 1024 - 2;
    let repeated = request_of(&actor, vec![cursor(&one)], vec![big; copies]);
    cases.push((
        "one 1000 KiB change repeated 62 times",
        200,
        repeated.encode(),
    ));

    // Ops that run-length encode to almost nothing: the cost of a change is its ops, not its bytes.
    let actor = actor_of(rng);
    let doc_id = format!("patrol/{one}/2026Q1");
    let mut doc = AutoCommit::load(&genesis_change(&doc_id)?)?;
    doc.set_actor(ActorId::from(actor.as_slice()));
    let list = doc.put_object(ROOT, "bomb", automerge::ObjType::List)?;
    let mut bombs = Vec::new();
    let per_change = gridbook::sync::MAX_OPS_PER_CHANGE - 1;
    for c in 0..8 {
        for i in 0..per_change {
            doc.insert(&list, c * per_change + i, 1)?;
        }
        doc.commit();
        let change = doc.get_last_local_change().ok_or("no change committed")?;
        bombs.push(PushedChange {
            doc_id: doc_id.clone(),
            bytes: change.raw_bytes().to_vec(),
        });
    }
    let within = request_of(&actor, vec![cursor(&one)], bombs[..4].to_vec());
    cases.push((
        "4 changes of 249,999 run-length encoded list inserts (the most ops allowed)",
        200,
        within.encode(),
    ));
    let beyond = request_of(&actor, vec![cursor(&one)], bombs);
    cases.push((
        "8 changes of 249,999 run-length encoded list inserts (over the ops limit)",
        400,
        beyond.encode(),
    ));

    // Compressed change chunks, each inflating a thousandfold inside the CRDT library.
    let actor = actor_of(rng);
    let doc_id = format!("visits/{one}/2026Q2");
    let mut doc = AutoCommit::load(&genesis_change(&doc_id)?)?;
    doc.set_actor(ActorId::from(actor.as_slice()));
    let mut bombs = Vec::new();
    for i in 0..4 {
        doc.put(ROOT, format!("text{i}"), "x".repeat(64 << 20))?;
        doc.commit();
        let mut change = doc
            .get_last_local_change()
            .ok_or("no change committed")?
            .clone();
        bombs.push(PushedChange {
            doc_id: doc_id.clone(),
            bytes: change.bytes().to_vec(),
        });
    }
    let bomb = request_of(&actor, vec![cursor(&one)], bombs);
    cases.push((
        "4 compressed changes of 64 MiB each (about 64 KiB each on the wire)",
        400,
        bomb.encode(),
    ));

    // The most dependencies the server looks up, none of them stored.
    let actor = actor_of(rng);
    let mut push = Vec::new();
    for (i, g) in new_grids.iter().enumerate() {
        for kind in ["visits", "patrol"] {
            let doc_id = format!("{kind}/{g}/2026Q2");
            for j in 0..per_doc {
                push.push(orphan(&doc_id, &actor, i * per_doc + j)?);
            }
        }
    }
    let orphans = request_of(&actor, new_grids.iter().map(|g| cursor(g)).collect(), push);
    cases.push((
        "4096 changes on top of 4096 changes never pushed",
        400,
        orphans.encode(),
    ));
    Ok(cases)
}

/// `count` changes of `ops` puts each, one on top of the other, from the document's genesis.
fn chain(
    doc_id: &str,
    actor: &[u8],
    count: usize,
    ops: usize,
    salt: usize,
) -> Result<Vec<PushedChange>, SimError> {
    let mut doc = AutoCommit::load(&genesis_change(doc_id)?)?;
    doc.set_actor(ActorId::from(actor));
    let mut out = Vec::with_capacity(count);
    for c in 0..count {
        // Distinct keys, so that the key column does not run-length encode.
        for op in 0..ops {
            doc.put(ROOT, format!("k{salt}-{c}-{op}"), "x")?;
        }
        doc.commit();
        let change = doc.get_last_local_change().ok_or("no change committed")?;
        out.push(PushedChange {
            doc_id: doc_id.to_string(),
            bytes: change.raw_bytes().to_vec(),
        });
    }
    Ok(out)
}

/// One change putting `text` at the root, from the document's genesis.
fn text_change(doc_id: &str, actor: &[u8], text: String) -> Result<PushedChange, SimError> {
    let mut doc = AutoCommit::load(&genesis_change(doc_id)?)?;
    doc.set_actor(ActorId::from(actor));
    doc.put(ROOT, "text", text)?;
    doc.commit();
    let change = doc.get_last_local_change().ok_or("no change committed")?;
    Ok(PushedChange {
        doc_id: doc_id.to_string(),
        bytes: change.raw_bytes().to_vec(),
    })
}

/// A change on top of a change that is never pushed.
fn orphan(doc_id: &str, actor: &[u8], salt: usize) -> Result<PushedChange, SimError> {
    let mut doc = AutoCommit::load(&genesis_change(doc_id)?)?;
    doc.set_actor(ActorId::from(actor));
    doc.put(ROOT, "hidden", salt as i64)?;
    doc.commit();
    doc.put(ROOT, "pushed", salt as i64)?;
    doc.commit();
    let change = doc.get_last_local_change().ok_or("no change committed")?;
    Ok(PushedChange {
        doc_id: doc_id.to_string(),
        bytes: change.raw_bytes().to_vec(),
    })
}

fn request(rng: &mut SplitMix64, push: Vec<PushedChange>) -> SyncRequest {
    request_of(&actor_of(rng), vec![], push)
}

fn request_of(actor: &[u8], grids: Vec<GridCursor>, push: Vec<PushedChange>) -> SyncRequest {
    SyncRequest {
        version: PROTOCOL_VERSION,
        actor: actor.to_vec(),
        max_response_bytes: 4 << 20,
        push_upto: push.len() as u64,
        grids,
        push,
    }
}

fn cursor(grid_id: &str) -> GridCursor {
    GridCursor {
        grid_id: grid_id.to_string(),
        ..GridCursor::default()
    }
}

fn actor_of(rng: &mut SplitMix64) -> Vec<u8> {
    (0..2).flat_map(|_| rng.next_u64().to_le_bytes()).collect()
}

/// A random version-4 UUID in the hyphenated lower-case form grid ids have.
fn uuid_of(rng: &mut SplitMix64) -> String {
    let (a, b) = (rng.next_u64(), rng.next_u64());
    format!(
        "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0xfff,
        0x8000 | ((b >> 48) & 0x3fff),
        b & 0xffff_ffff_ffff
    )
}

/// POSTs a sync body over HTTP/1.1 and returns the status.
fn post(addr: std::net::SocketAddr, token: &str, body: &[u8]) -> Result<u16, SimError> {
    let mut stream = TcpStream::connect(addr)?;
    write!(
        stream,
        "POST {SYNC_PATH} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: {}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        gridbook::sync::CONTENT_TYPE,
        body.len()
    )?;
    stream.write_all(body)?;
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer)?;
    let head = String::from_utf8_lossy(&answer[..answer.len().min(64)]).to_string();
    head.split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| format!("no HTTP status in {head:?}").into())
}

/// User and system CPU time of this process, in seconds (Linux).
fn cpu_seconds() -> Result<f64, SimError> {
    let stat = std::fs::read_to_string("/proc/self/stat")?;
    // The fields after the command name, which is in parentheses and may hold spaces.
    let rest = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| -> Result<f64, SimError> {
        Ok(fields
            .get(i)
            .ok_or("short /proc/self/stat")?
            .parse::<f64>()?)
    };
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name; USER_HZ is 100.
    Ok((ticks(11)? + ticks(12)?) / 100.0)
}
