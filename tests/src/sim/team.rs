//! Who works the grid in a simulation: [`Member`]s with a [`Role`], the
//! habits of each role (how often they work and sync), and [`Team`], the
//! devices of all members enrolled on one server.
//!
//! To add a role: a [`Role`] variant, its line in [`Role::habits`] and
//! [`Role::worker_role`], and its edits in `work/` (`work/mod.rs` dispatches by role).

use std::path::Path;

use gridbook::WorkerIdentity;
use gridbook::codes::WorkerRole;
use gridbook::sync::AssignmentScope;

use super::SimError;
use super::device::Device;
use super::server::SimServer;

/// A role in the grid's team, as the simulation plays it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Role {
    /// 网格长: roster upkeep (households, residents), shift plans, building-head appointments.
    GridHead,
    /// 协管员: most of the door-knocking visits, with findings.
    Assistant,
    /// 片区民警: household registration checks on rented dwellings; syncs rarely.
    PoliceOfficer,
    /// 楼栋长: visits and notes in their own building.
    BuildingHead,
    /// 巡逻志愿者: evening patrols: signs up for shifts and checks in.
    PatrolVolunteer,
    /// 报到单位: a department's account that takes and resolves the events
    /// dispatched to it; it is assigned the grid's events only.
    Department,
}

/// How a role works: on what share of days, how many edits, how often it syncs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Habits {
    /// Chance of working on a given day.
    pub work_day: f64,
    /// Edits on a working day, from..=to.
    pub edits: (i64, i64),
    /// Working hours, in minutes after midnight.
    pub hours: (i64, i64),
    /// Chance of syncing at all on a given day.
    pub sync_day: f64,
    /// Syncs on a syncing day, from..=to.
    pub syncs: (i64, i64),
}

impl Role {
    /// The role's habits.
    pub fn habits(self) -> Habits {
        match self {
            Role::GridHead => Habits {
                work_day: 0.9,
                edits: (3, 8),
                hours: (8 * 60 + 30, 18 * 60),
                sync_day: 0.95,
                syncs: (2, 4),
            },
            Role::Assistant => Habits {
                work_day: 0.8,
                edits: (4, 12),
                hours: (9 * 60, 17 * 60 + 30),
                sync_day: 0.85,
                syncs: (1, 4),
            },
            Role::PoliceOfficer => Habits {
                work_day: 0.3,
                edits: (2, 6),
                hours: (9 * 60, 21 * 60),
                sync_day: 0.15,
                syncs: (1, 1),
            },
            Role::BuildingHead => Habits {
                work_day: 0.5,
                edits: (1, 4),
                hours: (8 * 60, 20 * 60),
                sync_day: 0.6,
                syncs: (1, 2),
            },
            Role::PatrolVolunteer => Habits {
                work_day: 1.0,
                edits: (0, 0),
                hours: (18 * 60 + 30, 20 * 60 + 30),
                sync_day: 0.7,
                syncs: (1, 2),
            },
            // Office hours on working days, with syncs to pick up new dispatches.
            Role::Department => Habits {
                work_day: 0.85,
                edits: (2, 4),
                hours: (9 * 60, 17 * 60),
                sync_day: 0.85,
                syncs: (2, 3),
            },
        }
    }

    /// The store's role code.
    pub fn worker_role(self) -> WorkerRole {
        match self {
            Role::GridHead => WorkerRole::GridHead,
            Role::Assistant => WorkerRole::Assistant,
            Role::PoliceOfficer => WorkerRole::PoliceOfficer,
            Role::BuildingHead => WorkerRole::BuildingHead,
            Role::PatrolVolunteer => WorkerRole::PatrolVolunteer,
            Role::Department => WorkerRole::Department,
        }
    }

    /// "网格长 grid head", for the summary.
    pub fn label(self) -> &'static str {
        match self {
            Role::GridHead => "网格长 grid head",
            Role::Assistant => "协管员 assistant",
            Role::PoliceOfficer => "片区民警 police",
            Role::BuildingHead => "楼栋长 building head",
            Role::PatrolVolunteer => "巡逻志愿者 patrol",
            Role::Department => "报到单位 department",
        }
    }
}

/// One worker of the simulated team.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    /// Worker id, on the server and in the store.
    pub worker_id: String,
    /// Display name (a worker's, not a resident's; printed masked anyway).
    pub name: String,
    /// What they do.
    pub role: Role,
}

impl Member {
    /// The identity their phone's store opens with.
    pub fn identity(&self) -> WorkerIdentity {
        WorkerIdentity {
            worker_id: self.worker_id.clone(),
            name: self.name.clone(),
            role: self.role.worker_role(),
            device_label: format!("{}的手机", self.name),
        }
    }
}

const ROLES: [(Role, &str, &str); 8] = [
    (Role::GridHead, "w-head", "王芳"),
    // The generator makes "w-assist-01" the leader of the second patrol team.
    (Role::Assistant, "w-assist-01", "李强"),
    (Role::Assistant, "w-assist-02", "陈静"),
    (Role::PoliceOfficer, "w-police", "赵建军"),
    (Role::BuildingHead, "w-bldg-01", "刘桂英"),
    (Role::BuildingHead, "w-bldg-02", "孙德明"),
    (Role::PatrolVolunteer, "w-vol-01", "周志华"),
    (Role::PatrolVolunteer, "w-vol-02", "吴海燕"),
];

/// The standard team of 8 (grid head, 2 assistants, police officer, 2
/// building heads, 2 patrol volunteers). Fewer than 8 keeps the first `n`
/// (always at least the grid head); more adds assistants, building heads
/// and volunteers in turn.
pub fn default_team(n: usize) -> Vec<Member> {
    let mut team: Vec<Member> = ROLES
        .iter()
        .take(n.max(1))
        .map(|(role, id, name)| Member {
            worker_id: (*id).to_string(),
            name: (*name).to_string(),
            role: *role,
        })
        .collect();
    let extra = [
        (Role::Assistant, "w-assist", "协管员"),
        (Role::BuildingHead, "w-bldg", "楼栋长"),
        (Role::PatrolVolunteer, "w-vol", "志愿者"),
    ];
    let mut k = 0usize;
    while team.len() < n {
        let (role, prefix, title) = extra[k % extra.len()];
        let number = 3 + k / extra.len();
        team.push(Member {
            worker_id: format!("{prefix}-{number:02}"),
            name: format!("{title}{number}号"),
            role,
        });
        k += 1;
    }
    team
}

/// The department (报到单位) the grid dispatches events to: not one of the
/// grid's team, so [`default_team`] leaves it out; `gridsim` adds it.
pub fn department() -> Member {
    Member {
        worker_id: super::work::DEPARTMENT_ID.to_string(),
        name: "房管所".to_string(),
        role: Role::Department,
    }
}

/// Every member's device, enrolled on one server.
#[derive(Debug)]
pub struct Team {
    /// The devices, in the order of the members.
    pub devices: Vec<Device>,
}

impl Team {
    /// Adds each member to the server (the grid head may create grids),
    /// issues a device token each and opens each one's store in `dir`.
    pub fn enroll(server: &SimServer, members: &[Member], dir: &Path) -> Result<Team, SimError> {
        let mut devices = Vec::with_capacity(members.len());
        for (index, member) in members.iter().enumerate() {
            server.ensure_worker(
                &member.worker_id,
                &member.name,
                member.role.worker_role(),
                member.role == Role::GridHead,
            )?;
            let issued = server
                .admin()
                .issue_token(&member.worker_id, &member.identity().device_label)?;
            let path = dir.join(format!("device-{index:02}.db"));
            devices.push(Device::open(
                member.clone(),
                &path,
                server.url(),
                &issued.token,
            )?);
        }
        Ok(Team { devices })
    }

    /// Assigns `grid_id` to every member on the server; a department gets
    /// the grid's events only (the roster is none of its business).
    pub fn assign(&self, server: &SimServer, grid_id: &str) -> Result<(), SimError> {
        for device in &self.devices {
            let scope = if device.member.role == Role::Department {
                AssignmentScope::Events
            } else {
                AssignmentScope::All
            };
            server
                .admin()
                .assign_scoped(&device.member.worker_id, grid_id, scope)?;
        }
        Ok(())
    }
}
