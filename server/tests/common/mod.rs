//! Shared test helpers: backends for the storage suite, device stores that
//! produce real changes, a child-process server and its admin CLI.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    missing_docs,
    dead_code
)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use gridbook::codes::WorkerRole;
use gridbook::{BuildingInput, GridInput, Store, WorkerIdentity};
use gridbook_server::storage::{PostgresStorage, SqliteStorage, Stats, Storage};

pub mod attack;

/// The PostgreSQL server the tests use; fails the test if not configured.
pub fn postgres_conn() -> String {
    match std::env::var("GRIDBOOK_TEST_POSTGRES") {
        Ok(conn) if !conn.trim().is_empty() => conn,
        _ => panic!(
            "GRIDBOOK_TEST_POSTGRES is not set: run `scripts/postgres` and export \
             GRIDBOOK_TEST_POSTGRES=\"host=127.0.0.1 port=54329 user=gridbook dbname=gridbook\" \
             (scripts/test does both), or point it at an existing PostgreSQL server \
             whose user may CREATE DATABASE"
        ),
    }
}

/// A fresh database on the test server; dropped by [`TestDb::drop_db`].
/// A test that panics drops its database on unwinding (see `Drop`).
pub struct TestDb {
    pub conn: String,
    admin_conn: String,
    name: String,
    dropped: bool,
}

impl TestDb {
    pub async fn create() -> TestDb {
        let admin_conn = postgres_conn();
        let name = format!("gb_test_{}", uuid::Uuid::new_v4().simple());
        let (client, connection) = tokio_postgres::connect(&admin_conn, tokio_postgres::NoTls)
            .await
            .unwrap_or_else(|e| {
                panic!(
                    "cannot connect to GRIDBOOK_TEST_POSTGRES ({admin_conn}): {e}; \
                     run scripts/postgres"
                )
            });
        tokio::spawn(connection);
        client
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .await
            .unwrap();
        // A later key overrides an earlier one in a connection string.
        let conn = format!("{admin_conn} dbname={name}");
        TestDb {
            conn,
            admin_conn,
            name,
            dropped: false,
        }
    }

    pub async fn drop_db(mut self) {
        drop_database(&self.admin_conn, &self.name).await.unwrap();
        self.dropped = true;
    }
}

async fn drop_database(admin_conn: &str, name: &str) -> Result<(), tokio_postgres::Error> {
    let (client, connection) = tokio_postgres::connect(admin_conn, tokio_postgres::NoTls).await?;
    tokio::spawn(connection);
    let drop = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
    // An autovacuum worker may hold the database for a moment; on a cluster
    // set up before the role could end it (scripts/postgres), wait it out.
    let mut attempt = 1;
    loop {
        match client.batch_execute(&drop).await {
            Err(_) if attempt < 20 => {
                attempt += 1;
                tokio::time::sleep(std::time::Duration::from_millis(250)).await;
            }
            other => return other,
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if self.dropped {
            return;
        }
        // A failed test: drop the database on a thread of its own (this may
        // run inside a runtime, which cannot block).
        let (admin_conn, name) = (self.admin_conn.clone(), self.name.clone());
        let _ = std::thread::spawn(move || {
            if let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            {
                let _ = rt.block_on(drop_database(&admin_conn, &name));
            }
        })
        .join();
    }
}

/// Which backend a suite test runs on.
#[derive(Debug, Clone, Copy)]
pub enum Kind {
    Sqlite,
    Postgres,
}

/// Runs `test` against a fresh storage of `kind`.
pub async fn with_storage<F, Fut>(kind: Kind, test: F)
where
    F: FnOnce(Arc<dyn Storage>) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    match kind {
        Kind::Sqlite => {
            let dir = tempfile::tempdir().unwrap();
            let storage = SqliteStorage::open(&dir.path().join("server.db")).unwrap();
            test(Arc::new(storage)).await;
        }
        Kind::Postgres => {
            let db = TestDb::create().await;
            let storage = PostgresStorage::connect(&db.conn).await.unwrap();
            test(Arc::new(storage)).await;
            db.drop_db().await;
        }
    }
}

/// A device: a real Gridbook store for one worker.
pub struct Phone {
    pub store: Store,
    _dir: tempfile::TempDir,
}

impl Phone {
    pub fn new(worker_id: &str) -> Phone {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(
            dir.path().join("phone.db"),
            WorkerIdentity {
                worker_id: worker_id.into(),
                name: "测试员".into(),
                role: WorkerRole::GridHead,
                device_label: "测试手机".into(),
            },
        )
        .unwrap();
        Phone { store, _dir: dir }
    }

    /// Creates a grid with `buildings` buildings; returns its id.
    pub fn create_grid(&self, buildings: usize) -> String {
        let grid = self
            .store
            .create_grid(GridInput {
                code: "110105001001".into(),
                name: "幸福里网格".into(),
                community: Some("幸福里社区".into()),
                street: None,
                boundary: None,
            })
            .unwrap();
        self.add_buildings(&grid, buildings);
        grid
    }

    pub fn add_buildings(&self, grid: &str, n: usize) {
        for i in 0..n {
            self.store
                .create_building(
                    grid,
                    BuildingInput {
                        number: format!("{}栋", i + 1),
                        estate: None,
                        units: 2,
                        floors: 6,
                        location: None,
                    },
                )
                .unwrap();
        }
    }
}

/// A `gridbook-server` child process.
pub struct ServerProcess {
    pub child: Child,
    pub url: String,
    pub data: PathBuf,
    stderr: Option<std::thread::JoinHandle<String>>,
}

pub fn server_bin() -> &'static str {
    env!("CARGO_BIN_EXE_gridbook-server")
}

impl ServerProcess {
    /// Starts the binary with `args` (plus `--data`) and waits for its
    /// `listening on` line.
    pub fn start(data: &Path, args: &[&str]) -> ServerProcess {
        let mut child = Command::new(server_bin())
            .arg("--data")
            .arg(data)
            .args(args)
            .env("GRIDBOOK_LOG", "info")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let stderr = child.stderr.take().unwrap();
        let stderr = std::thread::spawn(move || {
            let mut all = String::new();
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                all.push_str(&line);
                all.push('\n');
            }
            all
        });
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).unwrap();
        let url = line
            .trim()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
            .to_string();
        ServerProcess {
            child,
            url,
            data: data.to_path_buf(),
            stderr: Some(stderr),
        }
    }

    /// Sends SIGTERM and waits for the exit; returns (status, stderr).
    pub fn terminate(self) -> (std::process::ExitStatus, String) {
        let pid = self.child.id().to_string();
        let ok = Command::new("kill").args(["-TERM", &pid]).status().unwrap();
        assert!(ok.success());
        self.terminate_wait()
    }

    /// Waits (up to 20 s) for the exit after a signal sent elsewhere.
    pub fn terminate_wait(mut self) -> (std::process::ExitStatus, String) {
        let deadline = Instant::now() + Duration::from_secs(20);
        let status = loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                break status;
            }
            assert!(
                Instant::now() < deadline,
                "server did not exit after SIGTERM"
            );
            std::thread::sleep(Duration::from_millis(50));
        };
        let log = self.stderr.take().unwrap().join().unwrap();
        (status, log)
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        if self.child.try_wait().ok().flatten().is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// Runs `f` on a fresh current-thread runtime (for sync tests).
pub fn block_on<T>(f: impl std::future::Future<Output = T>) -> T {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(f)
}

/// Opens the server's SQLite database in this process (admin and checks).
pub fn open_sqlite(data: &Path) -> Arc<dyn Storage> {
    Arc::new(SqliteStorage::open(&data.join("gridbook-server.db")).unwrap())
}

/// Row counts of the server's SQLite database.
pub fn sqlite_stats(data: &Path) -> Stats {
    let storage = open_sqlite(data);
    block_on(storage.stats()).unwrap()
}

/// Runs `gridbook-server --data DIR [EXTRA] admin ARGS`; returns stdout.
pub fn admin(data: &Path, extra: &[&str], args: &[&str]) -> String {
    let out = Command::new(server_bin())
        .arg("--data")
        .arg(data)
        .args(extra)
        .arg("admin")
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "admin {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Adds a worker through the admin CLI, with further `add-worker` flags
/// (`--role`, `--can-create-grids`).
pub fn add_worker(data: &Path, extra: &[&str], id: &str, name: &str, flags: &[&str]) {
    let mut args = vec!["add-worker", "--id", id, "--name", name];
    args.extend_from_slice(flags);
    admin(data, extra, &args);
}

/// Adds worker `w1`, a grid head as [`Phone`] claims (who may create grids),
/// and issues a token for it.
pub fn worker_with_token(data: &Path, extra: &[&str]) -> String {
    add_worker(
        data,
        extra,
        "w1",
        "王芳",
        &["--role", "grid_head", "--can-create-grids"],
    );
    token(data, extra)
}

/// Issues another token for `w1`.
pub fn token(data: &Path, extra: &[&str]) -> String {
    let out = admin(
        data,
        extra,
        &["issue-token", "--worker", "w1", "--device", "手机"],
    );
    out.lines()
        .find_map(|l| l.strip_prefix("token "))
        .unwrap()
        .to_string()
}
