//! What a sync response says about grids besides their pages (protocol
//! version 3, `schema/sync-protocol.md`, "Refused grids" and "The team the
//! server keeps"): the grids the server refused for this worker, each with
//! a typed reason, and every grid's team as the server keeps it.
//!
//! A refusal is about authorisation of one grid, so an honest phone that
//! holds a grid it may not use keeps syncing its other grids; the phone
//! quarantines the refused grid's unsent changes (`Store::sync_status`
//! lists them). To add a reason, add a variant with the next wire byte and
//! code, and say in the protocol document when the server gives it and what
//! lifts it on the phone (`device.rs`, `released_quarantines`).

/// Why the server refused a grid for this worker.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum GridRefusal {
    /// The grid exists on the server and is not assigned to the worker (an
    /// administrator unassigned them, or never assigned them). Lifted when
    /// the server lists the grid as the worker's again.
    NotAssigned,
    /// The phone created the grid, and the worker may not create grids.
    /// Lifted when the server says the worker may create grids (or assigns
    /// the grid to them).
    MayNotCreate,
}

impl GridRefusal {
    /// The stable code, as kept in the phone's store (`not_assigned`, `may_not_create`).
    pub fn code(self) -> &'static str {
        match self {
            GridRefusal::NotAssigned => "not_assigned",
            GridRefusal::MayNotCreate => "may_not_create",
        }
    }

    /// The reason with this code, if it is one.
    pub fn from_code(code: &str) -> Option<GridRefusal> {
        match code {
            "not_assigned" => Some(GridRefusal::NotAssigned),
            "may_not_create" => Some(GridRefusal::MayNotCreate),
            _ => None,
        }
    }

    /// The byte the protocol sends for it.
    pub(crate) fn wire(self) -> u8 {
        match self {
            GridRefusal::NotAssigned => 1,
            GridRefusal::MayNotCreate => 2,
        }
    }

    /// The reason a protocol byte names, if it names one.
    pub(crate) fn from_wire(byte: u8) -> Option<GridRefusal> {
        match byte {
            1 => Some(GridRefusal::NotAssigned),
            2 => Some(GridRefusal::MayNotCreate),
            _ => None,
        }
    }
}

/// A grid the server refused for this worker: nothing pushed to it was
/// stored and no page was sent for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefusedGrid {
    /// The grid (a UUID).
    pub grid_id: String,
    /// Why.
    pub reason: GridRefusal,
}

/// One worker assigned to a grid, as the server keeps them.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TeamMember {
    /// The worker's id.
    pub worker_id: String,
    /// Their name, as the server keeps it.
    pub name: String,
    /// Their role code (`WorkerRole::code`).
    pub role: String,
}

/// The workers assigned to one of the worker's grids, as the server keeps
/// them. A response lists every grid assigned to the worker, so a grid
/// listed here is one the worker may use.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct GridTeam {
    /// The grid (a UUID).
    pub grid_id: String,
    /// Its workers, by id.
    pub workers: Vec<TeamMember>,
}
