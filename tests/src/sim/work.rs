//! What each role does in one edit, through the public `Store` API only,
//! reading the worker's own (possibly stale) store to decide: the grid head
//! keeps the roster (phones, care categories, notes, new residents,
//! move-outs), plans the week's patrol shifts and appoints building heads;
//! assistants knock on doors (visits with findings) and correct phones and
//! notes; the police officer checks registrations of rented dwellings;
//! building heads visit and annotate their own building; patrol volunteers
//! sign up for the evening's shift and check in along its route.
//!
//! Several roles visit the households of the first two buildings (whose
//! heads are the building-head workers) and correct phones and notes in the
//! first one, so workers who are offline at the same time change the same
//! records and the merge lists conflicts for review.
//!
//! An edit the store refuses (a household moved out meanwhile, a shift not
//! seen yet) is counted in [`Tally::refused`] and the simulation goes on;
//! any other error stops it. To add an edit: a counter in [`Tally`], a
//! weighted arm in the role's `*_edit` method, drawing only from the
//! worker's [`SplitMix64`].

use gridbook::codes::{FindingKind, ResidentStatus, Resolution, VisitKind, VisitOutcome};
use gridbook::{
    CheckinInput, Date, FindingInput, GeoPoint, GpsFix, HeadPerson, HouseholdInput, Resident,
    ResidentInput, RosterRow, ShiftInput, Store, TeamMember, TimeOfDay, VisitInput,
};

use super::SimError;
use super::team::{Member, Role};
use crate::generator::id_number;
use crate::rng::SplitMix64;
use crate::timefmt::local_instant;

/// China Standard Time.
const OFFSET: i32 = 480;

/// What one worker did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    /// Visits logged.
    pub visits: u64,
    /// Findings recorded with them.
    pub findings: u64,
    /// Household updates (notes, use).
    pub household_updates: u64,
    /// Resident updates (phones, care categories, registration).
    pub resident_updates: u64,
    /// Residents added.
    pub new_residents: u64,
    /// Households moved out.
    pub moved_out: u64,
    /// Building heads appointed.
    pub appointments: u64,
    /// Patrol shifts created.
    pub shifts_created: u64,
    /// Signing up for a shift.
    pub shift_signups: u64,
    /// Patrol check-ins.
    pub checkins: u64,
    /// Edits the store refused (stale view), skipped.
    pub refused: u64,
}

impl Tally {
    /// Every edit that was stored.
    pub fn edits(&self) -> u64 {
        self.visits
            + self.household_updates
            + self.resident_updates
            + self.new_residents
            + self.moved_out
            + self.appointments
            + self.shifts_created
            + self.shift_signups
            + self.checkins
    }
}

const FINDINGS: &[(FindingKind, &str)] = &[
    (FindingKind::Problem, "楼道堆放杂物，存在消防隐患"),
    (FindingKind::Problem, "电动车在楼道内充电"),
    (FindingKind::Request, "反映电梯经常故障"),
    (FindingKind::Request, "咨询高龄津贴申领"),
    (FindingKind::Problem, "下水管道堵塞"),
    (FindingKind::Request, "申请居家养老服务"),
    (FindingKind::Problem, "消防通道被车辆占用"),
];
const NOTES: &[&str] = &[
    "老人独居，子女每周探望",
    "家中有高龄老人，需重点关注",
    "出租屋，租客已登记",
    "住户白天上班，晚上走访为宜",
    "已安装烟感报警器",
    "门牌号已更换",
];
const ROUTE: &[&str] = &["北门岗亭", "小区广场", "地下车库入口", "东门", "快递柜"];

/// A worker playing their role: their own random stream and tally.
#[derive(Debug, Clone)]
pub struct Worker {
    /// Who.
    pub member: Member,
    /// Their rank among the team's members of the same role (0 for the first).
    pub slot: usize,
    /// What they did so far.
    pub tally: Tally,
    rng: SplitMix64,
}

/// Whether the store refused an edit because the worker's view was stale or the record retired.
fn is_refusal(e: &gridbook::Error) -> bool {
    matches!(
        e,
        gridbook::Error::Invalid { .. }
            | gridbook::Error::NotFound { .. }
            | gridbook::Error::Retired { .. }
    )
}

impl Worker {
    /// A worker with a random stream derived from `seed` and their team index.
    pub fn new(member: Member, slot: usize, seed: u64, index: usize) -> Worker {
        let mut mix = SplitMix64::new(
            seed ^ 0x5157_0000 ^ (index as u64).wrapping_mul(0xA24B_AED4_963E_E407),
        );
        Worker {
            member,
            slot,
            tally: Tally::default(),
            rng: SplitMix64::new(mix.next_u64()),
        }
    }

    /// One edit of the worker's role on `date` at `minute` after midnight.
    pub fn edit(
        &mut self,
        store: &Store,
        grid_id: &str,
        date: Date,
        minute: i64,
    ) -> Result<(), SimError> {
        let outcome = match self.member.role {
            Role::GridHead => self.head_edit(store, grid_id, date, minute),
            Role::Assistant => self.assistant_edit(store, grid_id, date, minute),
            Role::PoliceOfficer => self.police_edit(store, grid_id, date, minute),
            Role::BuildingHead => self.building_head_edit(store, grid_id, date, minute),
            Role::PatrolVolunteer => self.patrol(store, grid_id, date),
        };
        match outcome {
            Ok(()) => Ok(()),
            Err(e) if is_refusal(&e) => {
                self.tally.refused += 1;
                Ok(())
            }
            Err(e) => Err(e.into()),
        }
    }

    fn head_edit(
        &mut self,
        store: &Store,
        grid: &str,
        date: Date,
        minute: i64,
    ) -> gridbook::Result<()> {
        if store.shifts_on(grid, date.add_days(1))?.is_empty() {
            self.tally.shifts_created += plan_shifts(store, grid, date, 7)?;
            return Ok(());
        }
        match self
            .rng
            .weighted(&[(0u8, 3), (1, 3), (2, 2), (3, 1), (4, 1), (5, 2), (6, 1)])
        {
            Some(0) => self.change_phone(store, grid, true),
            Some(1) => self.change_notes(store, grid, true),
            Some(2) => self.change_care(store, grid),
            Some(3) => self.new_resident(store, grid, date),
            Some(4) => self.appoint(store, grid, date),
            Some(5) => self.visit(
                store,
                grid,
                date,
                minute,
                Target::Focus,
                VisitKind::SpecialCare,
            ),
            _ => self.move_out(store, grid),
        }
    }

    fn assistant_edit(
        &mut self,
        store: &Store,
        grid: &str,
        date: Date,
        minute: i64,
    ) -> gridbook::Result<()> {
        match self.rng.weighted(&[(0u8, 10), (1, 1), (2, 1), (3, 2)]) {
            Some(1) => self.change_phone(store, grid, true),
            Some(2) => self.change_notes(store, grid, true),
            Some(3) => self.visit(store, grid, date, minute, Target::Focus, VisitKind::Routine),
            _ => {
                let half = Target::Half(self.slot % 2);
                self.visit(store, grid, date, minute, half, VisitKind::Routine)
            }
        }
    }

    fn police_edit(
        &mut self,
        store: &Store,
        grid: &str,
        date: Date,
        minute: i64,
    ) -> gridbook::Result<()> {
        if self.rng.chance(0.6) {
            self.visit(store, grid, date, minute, Target::Rented, VisitKind::Survey)
        } else {
            self.check_registration(store, grid)
        }
    }

    fn building_head_edit(
        &mut self,
        store: &Store,
        grid: &str,
        date: Date,
        minute: i64,
    ) -> gridbook::Result<()> {
        let building = Target::Building(self.slot);
        if self.rng.chance(0.7) {
            self.visit(store, grid, date, minute, building, VisitKind::Routine)
        } else {
            self.change_notes(store, grid, true)
        }
    }

    /// The households a target covers, in roster order (active ones only).
    fn households(store: &Store, grid: &str, target: Target) -> gridbook::Result<Vec<RosterRow>> {
        let buildings = store.buildings(grid)?;
        let rows: Vec<RosterRow> = store
            .roster(grid)?
            .into_iter()
            .filter(|r| r.household.status == gridbook::codes::HouseholdStatus::Active)
            .collect();
        let building_of = |k: usize| {
            buildings
                .get(k % buildings.len().max(1))
                .map(|b| b.id.clone())
        };
        Ok(match target {
            Target::All => rows,
            Target::Hot => {
                let hot = building_of(0);
                rows.into_iter()
                    .filter(|r| hot.as_deref() == Some(r.household.building_id.as_str()))
                    .collect()
            }
            Target::Focus => {
                let focus = [building_of(0), building_of(1)];
                rows.into_iter()
                    .filter(|r| {
                        focus
                            .iter()
                            .flatten()
                            .any(|b| *b == r.household.building_id)
                    })
                    .collect()
            }
            Target::Building(k) => {
                let own = building_of(k);
                rows.into_iter()
                    .filter(|r| own.as_deref() == Some(r.household.building_id.as_str()))
                    .collect()
            }
            Target::Half(h) => {
                let n = rows.len();
                rows.into_iter()
                    .enumerate()
                    .filter(|(i, _)| (i * 2 / n.max(1)) == h)
                    .map(|(_, r)| r)
                    .collect()
            }
            Target::Rented => rows
                .into_iter()
                .filter(|r| r.household.use_kind == gridbook::codes::DwellingUse::Rented)
                .collect(),
        })
    }

    fn pick_household(
        &mut self,
        store: &Store,
        grid: &str,
        target: Target,
    ) -> gridbook::Result<Option<RosterRow>> {
        let mut rows = Self::households(store, grid, target)?;
        if rows.is_empty() {
            rows = Self::households(store, grid, Target::All)?;
        }
        let i = self.rng.index(rows.len());
        Ok(rows.into_iter().nth(i))
    }

    /// A household's active residents, in a stable order (ids are random).
    fn residents(store: &Store, household_id: &str) -> gridbook::Result<Vec<Resident>> {
        let mut members: Vec<Resident> = store
            .household(household_id)?
            .members
            .into_iter()
            .filter(|m| m.status == ResidentStatus::Active)
            .collect();
        members.sort_by(|a, b| (&a.name, a.birth_date).cmp(&(&b.name, b.birth_date)));
        Ok(members)
    }

    fn pick_resident(
        &mut self,
        store: &Store,
        grid: &str,
        focus: bool,
    ) -> gridbook::Result<Option<Resident>> {
        let target = if focus { Target::Hot } else { Target::All };
        let Some(row) = self.pick_household(store, grid, target)? else {
            return Ok(None);
        };
        let members = Self::residents(store, &row.household.id)?;
        let i = self.rng.index(members.len());
        Ok(members.into_iter().nth(i))
    }

    fn visit(
        &mut self,
        store: &Store,
        grid: &str,
        date: Date,
        minute: i64,
        target: Target,
        kind: VisitKind,
    ) -> gridbook::Result<()> {
        let Some(row) = self.pick_household(store, grid, target)? else {
            return Ok(());
        };
        let members = Self::residents(store, &row.household.id)?;
        let outcome = self
            .rng
            .weighted(&[
                (VisitOutcome::Met, 75),
                (VisitOutcome::NobodyHome, 22),
                (VisitOutcome::Refused, 3),
            ])
            .unwrap_or(VisitOutcome::Met);
        let mut residents_seen = Vec::new();
        let mut findings = Vec::new();
        let mut notes = None;
        if outcome == VisitOutcome::Met {
            let seen =
                usize::try_from(self.rng.range(1, i64::try_from(members.len()).unwrap_or(1)))
                    .unwrap_or(1);
            residents_seen = members.iter().take(seen).map(|m| m.id.clone()).collect();
            let found = self
                .rng
                .weighted(&[(0usize, 70), (1, 24), (2, 6)])
                .unwrap_or(0);
            for _ in 0..found {
                let (kind, text) = self
                    .rng
                    .pick(FINDINGS)
                    .copied()
                    .unwrap_or((FindingKind::Problem, "下水管道堵塞"));
                let resolution = self
                    .rng
                    .weighted(&[
                        (Resolution::SolvedOnSite, 40),
                        (Resolution::Escalated, 25),
                        (Resolution::Open, 35),
                    ])
                    .unwrap_or(Resolution::Open);
                findings.push(FindingInput {
                    id: None,
                    kind,
                    text: text.into(),
                    resolution,
                });
            }
            if self.rng.chance(0.3) {
                notes = Some("已核对家庭成员信息".to_string());
            }
        }
        let center = row.household.location.unwrap_or(GeoPoint {
            lon: 120.1,
            lat: 30.2,
        });
        let gps = Some(GpsFix {
            point: GeoPoint {
                lon: center.lon + (self.rng.unit() - 0.5) * 0.0004,
                lat: center.lat + (self.rng.unit() - 0.5) * 0.0004,
            },
            accuracy_m: 5.0 + self.rng.unit() * 25.0,
        });
        let n_findings = findings.len() as u64;
        store.log_visit(VisitInput {
            household_id: row.household.id,
            at: local_instant(date, minute, OFFSET),
            kind,
            outcome,
            residents_seen,
            notes,
            findings,
            gps,
        })?;
        self.tally.visits += 1;
        self.tally.findings += n_findings;
        Ok(())
    }

    fn change_phone(&mut self, store: &Store, grid: &str, focus: bool) -> gridbook::Result<()> {
        let Some(r) = self.pick_resident(store, grid, focus)? else {
            return Ok(());
        };
        let phone = format!(
            "1{}{:09}",
            self.rng.pick(&[3, 5, 7, 8, 9]).copied().unwrap_or(3),
            self.rng.below(1_000_000_000)
        );
        let mut input = resident_input(&r);
        input.phones = vec![phone];
        store.update_resident(&r.id, input)?;
        self.tally.resident_updates += 1;
        Ok(())
    }

    fn change_care(&mut self, store: &Store, grid: &str) -> gridbook::Result<()> {
        let Some(r) = self.pick_resident(store, grid, false)? else {
            return Ok(());
        };
        let mut input = resident_input(&r);
        let category = self
            .rng
            .pick(&["elderly_alone", "empty_nest", "left_behind_child"])
            .copied()
            .unwrap_or("empty_nest");
        if let Some(i) = input.care.iter().position(|c| c == category) {
            input.care.remove(i);
        } else {
            input.care.push(category.to_string());
        }
        store.update_resident(&r.id, input)?;
        self.tally.resident_updates += 1;
        Ok(())
    }

    fn check_registration(&mut self, store: &Store, grid: &str) -> gridbook::Result<()> {
        let Some(row) = self.pick_household(store, grid, Target::Rented)? else {
            return Ok(());
        };
        let members = Self::residents(store, &row.household.id)?;
        let Some(r) = members.get(self.rng.index(members.len())) else {
            return Ok(());
        };
        let mut input = resident_input(r);
        input.residence_state = self
            .rng
            .pick(&[
                gridbook::codes::ResidenceState::Consistent,
                gridbook::codes::ResidenceState::PresentNotRegistered,
            ])
            .copied()
            .unwrap_or(gridbook::codes::ResidenceState::Consistent);
        input.registration = gridbook::codes::Registration::Migrant;
        store.update_resident(&r.id, input)?;
        self.tally.resident_updates += 1;
        Ok(())
    }

    fn change_notes(&mut self, store: &Store, grid: &str, focus: bool) -> gridbook::Result<()> {
        let target = match (self.member.role, focus) {
            (Role::BuildingHead, _) => Target::Building(self.slot),
            (_, true) => Target::Hot,
            (_, false) => Target::All,
        };
        let Some(row) = self.pick_household(store, grid, target)? else {
            return Ok(());
        };
        let h = row.household;
        let note = self.rng.pick(NOTES).copied().unwrap_or("门牌号已更换");
        store.update_household(
            &h.id,
            HouseholdInput {
                building_id: h.building_id.clone(),
                unit: h.unit.clone(),
                floor: h.floor,
                room: h.room.clone(),
                use_kind: h.use_kind,
                tags: h.tags.clone(),
                location: h.location,
                notes: Some(note.to_string()),
            },
        )?;
        self.tally.household_updates += 1;
        Ok(())
    }

    fn new_resident(&mut self, store: &Store, grid: &str, date: Date) -> gridbook::Result<()> {
        let Some(row) = self.pick_household(store, grid, Target::All)? else {
            return Ok(());
        };
        let male = self.rng.chance(0.5);
        let birth = date.add_days(-self.rng.range(20, 400));
        let sequence = u32::try_from(self.rng.range(100, 999)).unwrap_or(100);
        let name = format!(
            "{}{}",
            self.rng
                .pick(&["张", "李", "王", "陈", "刘"])
                .copied()
                .unwrap_or("张"),
            self.rng
                .pick(&["子涵", "一诺", "梓轩", "欣怡", "浩宇"])
                .copied()
                .unwrap_or("一诺")
        );
        store.create_resident(ResidentInput {
            household_id: row.household.id,
            name,
            gender: if male {
                gridbook::codes::Gender::Male
            } else {
                gridbook::codes::Gender::Female
            },
            birth_date: Some(birth),
            id_number: Some(id_number("330106", birth, male, sequence)),
            phones: Vec::new(),
            relation: "20".into(),
            registration: gridbook::codes::Registration::Local,
            residence_state: gridbook::codes::ResidenceState::Consistent,
            care: Vec::new(),
            moved_in: Some(date),
        })?;
        self.tally.new_residents += 1;
        Ok(())
    }

    fn move_out(&mut self, store: &Store, grid: &str) -> gridbook::Result<()> {
        if !self.rng.chance(0.3) {
            return self.change_notes(store, grid, false);
        }
        let Some(row) = self.pick_household(store, grid, Target::Half(1))? else {
            return Ok(());
        };
        store.move_out_household(&row.household.id)?;
        self.tally.moved_out += 1;
        Ok(())
    }

    fn appoint(&mut self, store: &Store, grid: &str, date: Date) -> gridbook::Result<()> {
        let without = store.buildings_without_head(grid)?;
        let Some(building) = without.get(self.rng.index(without.len())) else {
            return self.change_notes(store, grid, false);
        };
        let name = format!(
            "{}师傅",
            self.rng
                .pick(&["马", "黄", "郑", "何"])
                .copied()
                .unwrap_or("马")
        );
        store.appoint_building_head(&building.id, HeadPerson::Volunteer(name), date)?;
        self.tally.appointments += 1;
        Ok(())
    }

    /// A volunteer's evening: signs up for their team's shift if not on
    /// it yet, then checks in at 3–5 checkpoints of its route.
    fn patrol(&mut self, store: &Store, grid: &str, date: Date) -> gridbook::Result<()> {
        let me = self.member.worker_id.clone();
        let teams: Vec<String> = store
            .patrol_teams(grid)?
            .into_iter()
            .filter(|t| t.members.iter().any(|m| m.member_id == me))
            .map(|t| t.id)
            .collect();
        let Some(shift) = store
            .shifts_on(grid, date)?
            .into_iter()
            .find(|s| teams.contains(&s.team_id))
        else {
            return Ok(());
        };
        if !shift.members.contains(&me) {
            store.assign_to_shift(&shift.id, &me)?;
            self.tally.shift_signups += 1;
        }
        let stops = self.rng.range(3, 5);
        for k in 0..stops {
            let checkpoint = shift
                .route
                .get(usize::try_from(k).unwrap_or(0) % shift.route.len().max(1))
                .cloned()
                .unwrap_or_default();
            let minute = 18 * 60 + 35 + k * 25 + self.rng.range(0, 10);
            store.record_checkin(CheckinInput {
                shift_id: shift.id.clone(),
                member_id: me.clone(),
                at: local_instant(date, minute, OFFSET),
                checkpoint,
                gps: Some(GpsFix {
                    point: GeoPoint {
                        lon: 120.1 + (self.rng.unit() - 0.5) * 0.004,
                        lat: 30.2 + (self.rng.unit() - 0.5) * 0.004,
                    },
                    accuracy_m: 8.0 + self.rng.unit() * 20.0,
                }),
            })?;
            self.tally.checkins += 1;
        }
        Ok(())
    }
}

/// Which households an edit picks from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    All,
    /// The first two buildings' households, visited by several roles.
    Focus,
    /// The first building's households, whose phones and notes several roles correct.
    Hot,
    /// One building (a building head's own: the k-th).
    Building(usize),
    /// One half of the roster (an assistant's round).
    Half(usize),
    /// Rented dwellings.
    Rented,
}

/// A resident's current values as an update input.
fn resident_input(r: &Resident) -> ResidentInput {
    ResidentInput {
        household_id: r.household_id.clone(),
        name: r.name.clone(),
        gender: r.gender,
        birth_date: r.birth_date,
        id_number: r.id_number.clone(),
        phones: r.phones.clone(),
        relation: r.relation.clone(),
        registration: r.registration,
        residence_state: r.residence_state,
        care: r.care.clone(),
        moved_in: r.moved_in,
    }
}

/// Creates the evening shifts of `days` days from `from` (alternating
/// between the grid's patrol teams), skipping days that have one. Returns
/// how many it created.
pub fn plan_shifts(store: &Store, grid: &str, from: Date, days: i64) -> gridbook::Result<u64> {
    let teams = store.patrol_teams(grid)?;
    let (Some(starts), Some(ends)) = (TimeOfDay::new(18, 30), TimeOfDay::new(20, 30)) else {
        return Ok(0);
    };
    let mut created = 0;
    for k in 0..days {
        let date = from.add_days(k);
        if !store.shifts_on(grid, date)?.is_empty() {
            continue;
        }
        let index = usize::try_from(date.days_since_epoch().rem_euclid(2)).unwrap_or(0);
        let Some(team) = teams.get(index % teams.len().max(1)) else {
            return Ok(created);
        };
        store.create_shift(ShiftInput {
            team_id: team.id.clone(),
            date,
            starts,
            ends,
            route: ROUTE.iter().map(|s| (*s).to_string()).collect(),
        })?;
        created += 1;
    }
    Ok(created)
}

/// The grid head's preparation before the team starts: puts the patrol
/// volunteers on the patrol teams (alternately), appoints the
/// building-head workers for the first buildings (the k-th building head
/// for the k-th building) and plans the first week's shifts.
pub fn prepare_grid(
    store: &Store,
    grid: &str,
    team: &[Member],
    start: Date,
) -> gridbook::Result<Tally> {
    let mut tally = Tally::default();
    let teams = store.patrol_teams(grid)?;
    let buildings = store.buildings(grid)?;
    let volunteers = team.iter().filter(|m| m.role == Role::PatrolVolunteer);
    for (k, member) in volunteers.enumerate() {
        if let Some(t) = teams.get(k % teams.len().max(1)) {
            store.add_team_member(
                &t.id,
                TeamMember {
                    member_id: member.worker_id.clone(),
                    name: member.name.clone(),
                },
            )?;
        }
    }
    let heads = team.iter().filter(|m| m.role == Role::BuildingHead);
    for (k, member) in heads.enumerate() {
        if let Some(b) = buildings.get(k) {
            store.appoint_building_head(
                &b.id,
                HeadPerson::Volunteer(member.name.clone()),
                start,
            )?;
            tally.appointments += 1;
        }
    }
    tally.shifts_created += plan_shifts(store, grid, start, 7)?;
    Ok(tally)
}
