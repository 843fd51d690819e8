//! Administration: workers, grid assignments, device tokens, row counts
//! and the purge of abandoned photo uploads. The CLI's
//! `admin` subcommands and embedding code (tests, `gridsim`) both use
//! [`Admin`]; [`BlockingAdmin`] wraps it for synchronous callers.
//!
//! To add an operation: add a [`crate::storage::Storage`] method if needed,
//! a method here, a blocking twin on [`BlockingAdmin`], and a subcommand in
//! `cli.rs`.

use std::sync::Arc;
use std::time::Duration;

use crate::auth;
use crate::storage::{
    AssignmentScope, Listing, NewDevice, PurgedUploads, Stats, Storage, StorageResult, Worker,
    WorkerRole,
};

/// A device token as issued: shown once, never stored.
#[derive(Clone, PartialEq, Eq)]
pub struct IssuedToken {
    /// The new device's id.
    pub device_id: String,
    /// The bearer token to give to the device.
    pub token: String,
}

impl std::fmt::Debug for IssuedToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IssuedToken")
            .field("device_id", &self.device_id)
            .field("token", &"<redacted>")
            .finish()
    }
}

/// Administrative operations over a storage.
#[derive(Clone)]
pub struct Admin {
    storage: Arc<dyn Storage>,
}

impl std::fmt::Debug for Admin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Admin({})", self.storage.backend())
    }
}

impl Admin {
    /// Administration over `storage`.
    pub fn new(storage: Arc<dyn Storage>) -> Admin {
        Admin { storage }
    }

    /// The storage underneath.
    pub fn storage(&self) -> &Arc<dyn Storage> {
        &self.storage
    }

    /// Adds a worker with their role in the team (the server vouches for
    /// it: a push claiming another role is refused).
    pub async fn add_worker(
        &self,
        id: &str,
        name: &str,
        role: WorkerRole,
        can_create_grids: bool,
    ) -> StorageResult<()> {
        self.storage
            .add_worker(Worker {
                worker_id: id.to_string(),
                name: name.to_string(),
                role,
                can_create_grids,
            })
            .await
    }

    /// Gives a worker another role. False if they had it already.
    pub async fn set_role(&self, worker_id: &str, role: WorkerRole) -> StorageResult<bool> {
        self.storage.set_role(worker_id.to_string(), role).await
    }

    /// Assigns a whole grid to a worker (creating the grid record). False
    /// if it was already, with that scope.
    pub async fn assign(&self, worker_id: &str, grid_id: &str) -> StorageResult<bool> {
        self.assign_scoped(worker_id, grid_id, AssignmentScope::All)
            .await
    }

    /// Assigns a grid to a worker with a scope (a department gets
    /// [`AssignmentScope::Events`]), or changes the scope of the
    /// assignment. False if it was assigned with that scope already.
    pub async fn assign_scoped(
        &self,
        worker_id: &str,
        grid_id: &str,
        scope: AssignmentScope,
    ) -> StorageResult<bool> {
        self.storage
            .assign(worker_id.to_string(), grid_id.to_string(), scope)
            .await
    }

    /// Removes an assignment. False if there was none.
    pub async fn unassign(&self, worker_id: &str, grid_id: &str) -> StorageResult<bool> {
        self.storage
            .unassign(worker_id.to_string(), grid_id.to_string())
            .await
    }

    /// Registers a new device for a worker and returns its token (shown once).
    pub async fn issue_token(&self, worker_id: &str, label: &str) -> StorageResult<IssuedToken> {
        let token = auth::new_token();
        let device_id = uuid::Uuid::new_v4().to_string();
        self.storage
            .add_device(NewDevice {
                device_id: device_id.clone(),
                worker_id: worker_id.to_string(),
                label: label.to_string(),
                token_hash: auth::hash_token(&token),
            })
            .await?;
        Ok(IssuedToken { device_id, token })
    }

    /// Revokes a device. False if unknown or already revoked.
    pub async fn revoke(&self, device_id: &str) -> StorageResult<bool> {
        self.storage.revoke_device(device_id.to_string()).await
    }

    /// Workers, grids and devices (never tokens).
    pub async fn list(&self) -> StorageResult<Listing> {
        self.storage.list().await
    }

    /// Row counts, and the photos and incomplete uploads with their bytes.
    pub async fn stats(&self) -> StorageResult<Stats> {
        self.storage.stats().await
    }

    /// Deletes the incomplete photo uploads begun `age` or longer ago (see
    /// [`crate::housekeeping`]); complete photos are kept.
    pub async fn purge_abandoned_uploads(&self, age: Duration) -> StorageResult<PurgedUploads> {
        crate::housekeeping::purge_abandoned_uploads(self.storage.as_ref(), age).await
    }
}

/// [`Admin`] for synchronous code, running each call on a tokio runtime.
#[derive(Debug, Clone)]
pub struct BlockingAdmin {
    admin: Admin,
    runtime: tokio::runtime::Handle,
}

impl BlockingAdmin {
    /// Wraps `admin`; calls run on `runtime`. Do not call from inside that
    /// runtime's async tasks.
    pub fn new(admin: Admin, runtime: tokio::runtime::Handle) -> BlockingAdmin {
        BlockingAdmin { admin, runtime }
    }

    /// The async admin.
    pub fn admin(&self) -> &Admin {
        &self.admin
    }

    /// See [`Admin::add_worker`].
    pub fn add_worker(
        &self,
        id: &str,
        name: &str,
        role: WorkerRole,
        can_create_grids: bool,
    ) -> StorageResult<()> {
        self.runtime
            .block_on(self.admin.add_worker(id, name, role, can_create_grids))
    }

    /// See [`Admin::set_role`].
    pub fn set_role(&self, worker_id: &str, role: WorkerRole) -> StorageResult<bool> {
        self.runtime.block_on(self.admin.set_role(worker_id, role))
    }

    /// See [`Admin::assign`].
    pub fn assign(&self, worker_id: &str, grid_id: &str) -> StorageResult<bool> {
        self.runtime.block_on(self.admin.assign(worker_id, grid_id))
    }

    /// See [`Admin::assign_scoped`].
    pub fn assign_scoped(
        &self,
        worker_id: &str,
        grid_id: &str,
        scope: AssignmentScope,
    ) -> StorageResult<bool> {
        self.runtime
            .block_on(self.admin.assign_scoped(worker_id, grid_id, scope))
    }

    /// See [`Admin::unassign`].
    pub fn unassign(&self, worker_id: &str, grid_id: &str) -> StorageResult<bool> {
        self.runtime
            .block_on(self.admin.unassign(worker_id, grid_id))
    }

    /// See [`Admin::issue_token`].
    pub fn issue_token(&self, worker_id: &str, label: &str) -> StorageResult<IssuedToken> {
        self.runtime
            .block_on(self.admin.issue_token(worker_id, label))
    }

    /// See [`Admin::revoke`].
    pub fn revoke(&self, device_id: &str) -> StorageResult<bool> {
        self.runtime.block_on(self.admin.revoke(device_id))
    }

    /// See [`Admin::list`].
    pub fn list(&self) -> StorageResult<Listing> {
        self.runtime.block_on(self.admin.list())
    }

    /// See [`Admin::stats`].
    pub fn stats(&self) -> StorageResult<Stats> {
        self.runtime.block_on(self.admin.stats())
    }

    /// See [`Admin::purge_abandoned_uploads`].
    pub fn purge_abandoned_uploads(&self, age: Duration) -> StorageResult<PurgedUploads> {
        self.runtime
            .block_on(self.admin.purge_abandoned_uploads(age))
    }
}
