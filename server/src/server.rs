//! Running the server: [`serve`] (async, until a shutdown future resolves)
//! and [`spawn`] (its own runtime on a thread, for synchronous embedders such
//! as the harness's `gridsim`).
//!
//! Shutdown is graceful: the listener closes, in-flight requests finish
//! (their transactions commit) within [`ServerConfig::shutdown_grace`], then
//! `serve` returns. Every connection goes through [`LimitAcceptor`] (the
//! connection cap, idle and header deadlines) and hyper's header timeout.
//! To add start-up work (a migration check, a warm-up), put
//! it in [`serve_storage`] before the listener is bound; periodic work
//! belongs in `crate::housekeeping`, which [`serve_storage`] starts.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::thread::JoinHandle;

use crate::admin::{Admin, BlockingAdmin};
use crate::compaction::Compactor;
use crate::config::{ServerConfig, open_storage};
use crate::error::ServerError;
use crate::housekeeping::spawn_housekeeping;
use crate::http::{AppState, router};
use crate::limits::LimitAcceptor;
use crate::self_report::SelfReportState;
use crate::storage::Storage;

/// Opens the configured database and serves until `shutdown` resolves.
/// `on_listening` gets the URL (`http://127.0.0.1:PORT` or `https://..`)
/// once the listener is bound.
pub async fn serve(
    config: ServerConfig,
    on_listening: impl FnOnce(&str) + Send,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), ServerError> {
    config.check()?;
    let storage = open_storage(&config.backend).await?;
    serve_storage(config, storage, on_listening, shutdown).await
}

/// Like [`serve`], over a storage the caller opened.
pub async fn serve_storage(
    config: ServerConfig,
    storage: Arc<dyn Storage>,
    on_listening: impl FnOnce(&str) + Send,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), ServerError> {
    config.check()?;
    let tls = match &config.tls {
        Some(files) => Some(crate::tls::load(files).await?),
        None => None,
    };
    let listener = std::net::TcpListener::bind(config.listen)
        .map_err(|e| ServerError::Config(format!("cannot listen on {}: {e}", config.listen)))?;
    let addr = listener.local_addr()?;
    let url = format!("{}://{addr}", if tls.is_some() { "https" } else { "http" });
    // Aborted when serving ends, so an embedder's runtime keeps no pass running.
    let housekeeping = AbortOnDrop(spawn_housekeeping(
        Arc::clone(&storage),
        config.abandon_photo_uploads_after,
        config.self_report.retention,
    ));
    let state = AppState {
        compactor: Compactor::new(Arc::clone(&storage), config.compact_after),
        storage,
        body_read_timeout: config.limits.body_read_timeout,
        self_reports: SelfReportState::new(config.self_report.clone(), &url),
    };
    let limits = config.limits;
    crate::limits::warn_if_over_file_limit(&limits);
    // The peer's address feeds the self-report form's rate limit.
    let app = router(state).into_make_service_with_connect_info::<SocketAddr>();
    let handle = axum_server::Handle::new();
    let grace = config.shutdown_grace;
    let watcher = handle.clone();
    tokio::spawn(async move {
        shutdown.await;
        tracing::info!("shutting down: finishing in-flight requests");
        watcher.graceful_shutdown(Some(grace));
    });
    tracing::info!(url = %url, backend = %app_backend(&config), "listening");
    on_listening(&url);
    // hyper's header timer runs from the end of one answer to the end of the
    // next request's headers; the connection's own deadlines (idle, then
    // headers) are tighter, so it only backs them up.
    let header_backstop = limits.idle_timeout + limits.header_timeout;
    match tls {
        Some(tls) => {
            let mut server = axum_server::from_tcp_rustls(listener, tls)?
                .map(|rustls| {
                    LimitAcceptor::new(rustls.handshake_timeout(limits.header_timeout), limits)
                })
                .http1_only()
                .handle(handle);
            server
                .http_builder()
                .http1()
                .header_read_timeout(header_backstop);
            server.serve(app).await?
        }
        None => {
            let mut server = axum_server::from_tcp(listener)?
                .acceptor(LimitAcceptor::new(
                    axum_server::accept::DefaultAcceptor::new(),
                    limits,
                ))
                .http1_only()
                .handle(handle);
            server
                .http_builder()
                .http1()
                .header_read_timeout(header_backstop);
            server.serve(app).await?
        }
    }
    drop(housekeeping);
    tracing::info!("stopped");
    Ok(())
}

/// Aborts a background task when dropped (also when serving fails).
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

fn app_backend(config: &ServerConfig) -> &'static str {
    match config.backend {
        crate::config::Backend::Sqlite { .. } => "sqlite",
        crate::config::Backend::Postgres { .. } => "postgres",
    }
}

/// A server running on its own thread and tokio runtime.
#[derive(Debug)]
pub struct RunningServer {
    /// The base URL, e.g. `http://127.0.0.1:40123`.
    pub url: String,
    /// The bound address.
    pub addr: SocketAddr,
    admin: BlockingAdmin,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<JoinHandle<Result<(), ServerError>>>,
}

impl RunningServer {
    /// Administration of the server's database, from synchronous code.
    pub fn admin(&self) -> &BlockingAdmin {
        &self.admin
    }

    /// Stops gracefully and waits until the server has stopped.
    pub fn shutdown(mut self) -> Result<(), ServerError> {
        self.stop_and_join()
    }

    fn stop_and_join(&mut self) -> Result<(), ServerError> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        match self.thread.take() {
            Some(thread) => thread
                .join()
                .map_err(|_| ServerError::Config("the server thread panicked".into()))?,
            None => Ok(()),
        }
    }
}

impl Drop for RunningServer {
    fn drop(&mut self) {
        let _ = self.stop_and_join();
    }
}

/// Starts a server on a new thread with its own tokio runtime and returns
/// once it listens (or failed to start).
pub fn spawn(config: ServerConfig) -> Result<RunningServer, ServerError> {
    config.check()?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("gridbook-server")
        .enable_all()
        .build()?;
    let handle = runtime.handle().clone();
    let storage = handle.block_on(open_storage(&config.backend))?;
    let admin = BlockingAdmin::new(Admin::new(Arc::clone(&storage)), handle);
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let (url_tx, url_rx) = std::sync::mpsc::channel::<String>();
    let thread = std::thread::Builder::new()
        .name("gridbook-server".into())
        .spawn(move || {
            runtime.block_on(serve_storage(
                config,
                storage,
                move |url| {
                    let _ = url_tx.send(url.to_string());
                },
                async move {
                    let _ = stop_rx.await;
                },
            ))
        })?;
    match url_rx.recv() {
        Ok(url) => {
            let addr = url
                .rsplit("//")
                .next()
                .and_then(|a| a.parse().ok())
                .ok_or_else(|| ServerError::Config(format!("unexpected url {url}")))?;
            Ok(RunningServer {
                url,
                addr,
                admin,
                stop: Some(stop_tx),
                thread: Some(thread),
            })
        }
        Err(_) => match thread.join() {
            Ok(Err(e)) => Err(e),
            _ => Err(ServerError::Config(
                "the server stopped while starting".into(),
            )),
        },
    }
}
