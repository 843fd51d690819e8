//! The real `gridbook-server` binary as a child process on 127.0.0.1, with
//! its admin commands, for the sync tests. The binary is the one cargo built
//! for this profile next to the test executables; it is built on demand when
//! the test runner did not build it.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;

/// Where the server keeps its data.
#[derive(Debug, Clone)]
pub enum Backend {
    /// Embedded SQLite in this directory.
    Sqlite(PathBuf),
    /// A PostgreSQL connection string.
    Postgres(String),
}

impl Backend {
    fn args(&self) -> Vec<String> {
        match self {
            Backend::Sqlite(dir) => vec!["--data".into(), dir.display().to_string()],
            Backend::Postgres(conn) => vec!["--postgres".into(), conn.clone()],
        }
    }
}

/// The path of the `gridbook-server` binary, built if missing.
pub fn server_binary() -> &'static Path {
    static BINARY: OnceLock<PathBuf> = OnceLock::new();
    BINARY.get_or_init(|| {
        let exe = std::env::current_exe().unwrap();
        // target/<profile>/deps/<test> → target/<profile>/gridbook-server
        let profile_dir = exe.parent().unwrap().parent().unwrap().to_path_buf();
        let binary = profile_dir.join("gridbook-server");
        if !binary.exists() {
            let mut build = Command::new(env!("CARGO"));
            build.args(["build", "-p", "gridbook-server", "--bin", "gridbook-server"]);
            if profile_dir.file_name().is_some_and(|n| n == "release") {
                build.arg("--release");
            }
            let status = build.status().unwrap();
            assert!(status.success(), "building gridbook-server failed");
        }
        assert!(
            binary.exists(),
            "no gridbook-server at {}",
            binary.display()
        );
        binary
    })
}

/// A running server process.
pub struct ServerProcess {
    backend: Backend,
    child: Option<Child>,
    /// `host:port` it listens on (kept across restarts).
    pub addr: String,
    scheme: String,
    extra: Vec<String>,
    /// Where its log goes, at debug level; `None`: warnings to the test's stderr.
    log: Option<PathBuf>,
}

impl ServerProcess {
    /// Starts a server on an ephemeral port.
    pub fn start(backend: Backend, extra: &[&str]) -> ServerProcess {
        ServerProcess::spawned(backend, extra, None)
    }

    /// Starts a server on an ephemeral port that logs at debug level into
    /// the file `log` (appended to across restarts).
    pub fn start_logging_to(backend: Backend, extra: &[&str], log: &Path) -> ServerProcess {
        ServerProcess::spawned(backend, extra, Some(log.to_path_buf()))
    }

    fn spawned(backend: Backend, extra: &[&str], log: Option<PathBuf>) -> ServerProcess {
        let mut server = ServerProcess {
            backend,
            child: None,
            addr: "127.0.0.1:0".into(),
            scheme: "http".into(),
            extra: extra.iter().map(|s| s.to_string()).collect(),
            log,
        };
        server.spawn();
        server
    }

    fn spawn(&mut self) {
        let (level, stderr) = match &self.log {
            Some(path) => {
                let file = std::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(path)
                    .unwrap();
                ("debug", Stdio::from(file))
            }
            None => ("warn", Stdio::inherit()),
        };
        let mut child = Command::new(server_binary())
            .args(self.backend.args())
            .args(["--listen", &self.addr])
            .args(&self.extra)
            .env("GRIDBOOK_LOG", level)
            .stdout(Stdio::piped())
            .stderr(stderr)
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let url = line
            .trim()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("unexpected first line {line:?}"));
        let (scheme, addr) = url.split_once("://").unwrap();
        self.scheme = scheme.to_string();
        self.addr = addr.trim_end_matches('/').to_string();
        self.child = Some(child);
    }

    /// The server's base URL.
    pub fn url(&self) -> String {
        format!("{}://{}", self.scheme, self.addr)
    }

    /// SIGKILL: no graceful shutdown, in-flight requests are cut.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            child.kill().unwrap();
            child.wait().unwrap();
        }
    }

    /// Starts the server again on the same port and data.
    pub fn restart(&mut self) {
        self.kill();
        for attempt in 0.. {
            let started = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| self.spawn()));
            if started.is_ok() {
                return;
            }
            assert!(attempt < 50, "the server did not restart");
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
    }

    /// Runs an admin command and returns its stdout.
    pub fn admin(&self, args: &[&str]) -> String {
        admin(&self.backend, args)
    }

    /// Adds a worker with their role, a device token and the grid assigned;
    /// returns the token.
    pub fn enrol(
        &self,
        worker: &str,
        role: gridbook::codes::WorkerRole,
        grid: Option<&str>,
        can_create_grids: bool,
    ) -> String {
        use gridbook::codes::CodeList;
        let mut add = vec![
            "add-worker",
            "--id",
            worker,
            "--name",
            worker,
            "--role",
            role.code(),
        ];
        if can_create_grids {
            add.push("--can-create-grids");
        }
        self.admin(&add);
        if let Some(grid) = grid {
            self.admin(&["assign", "--worker", worker, "--grid", grid]);
        }
        let out = self.admin(&[
            "issue-token",
            "--worker",
            worker,
            "--device",
            &format!("{worker}'s phone"),
        ]);
        out.split_whitespace()
            .find(|word| word.starts_with("gbt_"))
            .unwrap_or_else(|| panic!("no token in {out:?}"))
            .to_string()
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Runs `gridbook-server admin ...` against a backend.
pub fn admin(backend: &Backend, args: &[&str]) -> String {
    let out = Command::new(server_binary())
        .args(backend.args())
        .arg("admin")
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "admin {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// A fresh PostgreSQL database for one test, from `GRIDBOOK_TEST_POSTGRES`.
pub fn fresh_postgres() -> String {
    let base = std::env::var("GRIDBOOK_TEST_POSTGRES").unwrap_or_else(|_| {
        panic!(
            "GRIDBOOK_TEST_POSTGRES is not set: run scripts/test, or scripts/postgres and export it"
        )
    });
    let name = format!("gb_sync_{}", uuid_like());
    let status = Command::new("psql")
        .args([&base, "-q", "-c", &format!("CREATE DATABASE {name}")])
        .status()
        .unwrap();
    assert!(status.success(), "creating database {name} failed");
    let mut parts: Vec<String> = base
        .split_whitespace()
        .filter(|p| !p.starts_with("dbname="))
        .map(str::to_string)
        .collect();
    parts.push(format!("dbname={name}"));
    parts.join(" ")
}

fn uuid_like() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("{}_{}", std::process::id(), nanos % 1_000_000_000_000)
}
