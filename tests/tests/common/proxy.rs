//! A faulty HTTP/1.1 proxy on 127.0.0.1 between the sync client and the
//! server. Each request is read whole, then the fault plan decides its fate:
//! forwarded; dropped before the server sees it; forwarded but its response
//! dropped (the server committed, the client never hears); forwarded twice;
//! forwarded, then an older request replayed behind it; cut short on the way
//! in or on the way out. Every connection is closed after one exchange.

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// What happens to one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Forwarded and answered normally.
    None,
    /// The connection is closed before the request reaches the server.
    DropRequest,
    /// The server handles the request; the client gets no response.
    DropResponse,
    /// The server receives the request twice; the client gets the second answer.
    Duplicate,
    /// Forwarded normally, then an earlier request is sent to the server again.
    ReplayOld,
    /// Only the first half of the request body reaches the server.
    TruncateRequest,
    /// Only the first half of the response reaches the client.
    TruncateResponse,
}

/// How the proxy picks faults.
pub enum Plan {
    /// These faults in order, then none.
    Script(VecDeque<Fault>),
    /// Each request independently: `loss` percent of requests get one of the
    /// harmful faults, chosen by a seeded generator.
    Random { loss: u32, state: u64 },
}

impl Plan {
    fn next(&mut self) -> Fault {
        match self {
            Plan::Script(faults) => faults.pop_front().unwrap_or(Fault::None),
            Plan::Random { loss, state } => {
                let mut draw = || {
                    *state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
                    let mut z = *state;
                    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
                    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
                    z ^ (z >> 31)
                };
                if draw() % 100 >= u64::from(*loss) {
                    return Fault::None;
                }
                const HARMFUL: [Fault; 6] = [
                    Fault::DropRequest,
                    Fault::DropResponse,
                    Fault::Duplicate,
                    Fault::ReplayOld,
                    Fault::TruncateRequest,
                    Fault::TruncateResponse,
                ];
                HARMFUL[(draw() % HARMFUL.len() as u64) as usize]
            }
        }
    }
}

struct Shared {
    upstream: Mutex<String>,
    plan: Mutex<Plan>,
    applied: Mutex<Vec<Fault>>,
    history: Mutex<Vec<Vec<u8>>>,
    stop: AtomicBool,
}

/// A running proxy; stops when dropped.
pub struct FaultProxy {
    shared: Arc<Shared>,
    /// `host:port` the proxy listens on.
    pub addr: String,
}

impl FaultProxy {
    /// Starts a proxy to `upstream` (`host:port`).
    pub fn start(upstream: &str, plan: Plan) -> FaultProxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap().to_string();
        let shared = Arc::new(Shared {
            upstream: Mutex::new(upstream.to_string()),
            plan: Mutex::new(plan),
            applied: Mutex::new(Vec::new()),
            history: Mutex::new(Vec::new()),
            stop: AtomicBool::new(false),
        });
        let accept = Arc::clone(&shared);
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                if accept.stop.load(Ordering::SeqCst) {
                    return;
                }
                let Ok(stream) = stream else { continue };
                let shared = Arc::clone(&accept);
                std::thread::spawn(move || {
                    let _ = handle(&shared, stream);
                });
            }
        });
        FaultProxy { shared, addr }
    }

    /// The proxy's base URL.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Replaces the fault plan.
    pub fn set_plan(&self, plan: Plan) {
        *self.shared.plan.lock().unwrap() = plan;
    }

    /// Points the proxy at another server address.
    pub fn set_upstream(&self, upstream: &str) {
        *self.shared.upstream.lock().unwrap() = upstream.to_string();
    }

    /// The faults applied so far, in order (requests without a fault included).
    pub fn applied(&self) -> Vec<Fault> {
        self.shared.applied.lock().unwrap().clone()
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(&self.addr);
    }
}

/// Reads one HTTP/1.1 request or response: head and a Content-Length body.
fn read_message(reader: &mut impl BufRead) -> std::io::Result<Option<(String, Vec<u8>)>> {
    let mut head = String::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 {
            return Ok(None);
        }
        let end = line == "\r\n";
        head.push_str(&line);
        if end {
            break;
        }
    }
    let length = head
        .lines()
        .find_map(|l| {
            let (name, value) = l.split_once(':')?;
            name.eq_ignore_ascii_case("content-length")
                .then(|| value.trim().parse::<usize>().ok())?
        })
        .unwrap_or(0);
    let mut body = vec![0; length];
    reader.read_exact(&mut body)?;
    Ok(Some((head, body)))
}

/// Rewrites a message head to close the connection after it.
fn closing(head: &str) -> String {
    let mut out: String = head
        .lines()
        .filter(|l| !l.is_empty() && !l.to_ascii_lowercase().starts_with("connection:"))
        .map(|l| format!("{l}\r\n"))
        .collect();
    out.push_str("Connection: close\r\n\r\n");
    out
}

fn exchange(shared: &Shared, request: &[u8]) -> std::io::Result<Vec<u8>> {
    let upstream = shared.upstream.lock().unwrap().clone();
    let mut server = TcpStream::connect(upstream)?;
    server.set_read_timeout(Some(Duration::from_secs(60)))?;
    server.write_all(request)?;
    let mut response = Vec::new();
    server.read_to_end(&mut response)?;
    Ok(response)
}

fn handle(shared: &Shared, mut client: TcpStream) -> std::io::Result<()> {
    client.set_read_timeout(Some(Duration::from_secs(60)))?;
    let mut reader = BufReader::new(client.try_clone()?);
    let Some((head, body)) = read_message(&mut reader)? else {
        return Ok(());
    };
    let mut request = closing(&head).into_bytes();
    request.extend_from_slice(&body);
    let fault = shared.plan.lock().unwrap().next();
    shared.applied.lock().unwrap().push(fault);
    let response = match fault {
        Fault::DropRequest => {
            client.shutdown(Shutdown::Both)?;
            return Ok(());
        }
        Fault::TruncateRequest => {
            let upstream = shared.upstream.lock().unwrap().clone();
            let mut server = TcpStream::connect(upstream)?;
            let cut = request.len() - body.len() / 2 - 1;
            server.write_all(&request[..cut])?;
            server.shutdown(Shutdown::Write)?;
            let mut ignored = Vec::new();
            let _ = server.read_to_end(&mut ignored);
            client.shutdown(Shutdown::Both)?;
            return Ok(());
        }
        Fault::Duplicate => {
            let _ = exchange(shared, &request)?;
            exchange(shared, &request)?
        }
        _ => exchange(shared, &request)?,
    };
    let earlier = {
        let mut history = shared.history.lock().unwrap();
        let earlier = (history.len() > 1).then(|| history[history.len() / 2].clone());
        history.push(request.clone());
        earlier
    };
    match fault {
        Fault::DropResponse => client.shutdown(Shutdown::Both)?,
        Fault::TruncateResponse => {
            let _ = client.write_all(&response[..response.len() / 2]);
            client.shutdown(Shutdown::Both)?;
        }
        Fault::ReplayOld => {
            client.write_all(&response)?;
            client.shutdown(Shutdown::Both)?;
            if let Some(earlier) = earlier {
                let _ = exchange(shared, &earlier);
            }
        }
        _ => {
            client.write_all(&response)?;
            client.shutdown(Shutdown::Both)?;
        }
    }
    Ok(())
}
