//! Who uses a store and who is on a grid's team: [`WorkerIdentity`] (the
//! worker and device a store is opened for), [`WorkerRole`] and [`Worker`]
//! (a team member as the grid's document knows them). The store records
//! which device wrote which change under these ids (see `store/team.rs`).

use crate::code_list::code_enum;

/// Who is using this store: the worker and the device.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct WorkerIdentity {
    /// The worker's id, as issued by the grid's coordinator.
    pub worker_id: String,
    /// The worker's name as colleagues know it.
    pub name: String,
    /// The worker's role in the team.
    pub role: WorkerRole,
    /// A label for the device ("张三的手机"), shown next to the changes it made.
    pub device_label: String,
}

/// A worker of a grid's team, known from the roster document.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Worker {
    /// The worker's id.
    pub id: String,
    /// The worker's name.
    pub name: String,
    /// The worker's role.
    pub role: WorkerRole,
}

code_enum!(
    /// A worker's role in the grid's team.
    WorkerRole, fallback Assistant, {
        /// Grid head (网格长).
        GridHead = "grid_head", "网格长";
        /// Grid worker or assistant (网格员/协管员).
        Assistant = "assistant", "协管员";
        /// Area police officer (片区民警).
        PoliceOfficer = "police_officer", "片区民警";
        /// Building head (楼栋长).
        BuildingHead = "building_head", "楼栋长";
        /// Patrol volunteer (巡逻志愿者).
        PatrolVolunteer = "patrol_volunteer", "巡逻志愿者";
        /// A department's or unit's account (报到部门), to which grid events
        /// are dispatched.
        Department = "department", "报到部门";
    }
);
