//! The server's error type for starting, serving and administration.
//! Request-level errors (the HTTP status and JSON body) live in `http`.

use crate::storage::StorageError;

/// Why the server could not start, serve, or run an admin command.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    /// The configuration is unusable (the message says what to change).
    #[error("{0}")]
    Config(String),
    /// The database failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
    /// The TLS certificate or key could not be loaded.
    #[error("TLS: {0}")]
    Tls(String),
    /// Binding or serving failed.
    #[error("I/O: {0}")]
    Io(#[from] std::io::Error),
    /// A compaction failed (see the message).
    #[error("compaction: {0}")]
    Compaction(String),
}
