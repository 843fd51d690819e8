//! The writes of the points ledger: the rule, awards, exchanges and the
//! talent pool. Each checks the worker's role and the whole input first,
//! and writes nothing when anything is wrong. Entries are written once under
//! a new id and never changed. To add a write, check the role with
//! [`Store::require_points_role`] and put one entry with `put_entry`.

use super::push::role_may;
use super::tables::{account_outcome, is_volunteer, month_key};
use super::{
    POINTS_DOC, PointsAction, PointsAward, PointsExpiry, PointsRule, PointsSpending,
    StoredEnrolment, StoredPointsEntry, StoredPointsRule,
};
use crate::code_list::CodeList;
use crate::docs::new_record_id;
use crate::entries;
use crate::error::{Error, FieldCheck, Result};
use crate::kinds::RecordKind;
use crate::store::lookup::{grid_of, grid_of_active};
use crate::store::{Edit, Store};
use crate::validate::{self, Date, InvalidReason};
use crate::values::now_ms;

/// The most points one award gives.
const MAX_AWARD: u32 = 1_000;
/// The most points one exchange takes.
const MAX_SPEND: u32 = 100_000;

impl Store {
    /// Fails with [`Error::PointsRoleMayNot`] unless this store's worker may take `action`.
    fn require_points_role(&self, action: PointsAction) -> Result<()> {
        let role = self.identity().role;
        if role_may(action, role) {
            Ok(())
        } else {
            Err(Error::PointsRoleMayNot {
                action: action.code(),
                role,
            })
        }
    }

    /// A day of a points entry: not after today, not before 2000.
    fn points_day(&self, on: Date) -> Result<Date> {
        if on > self.today() {
            return Err(Error::invalid("on", InvalidReason::InFuture));
        }
        if on.year() < 2000 {
            return Err(Error::invalid("on", InvalidReason::TooOld));
        }
        Ok(on)
    }

    /// Sets the grid's points rule from the month of `from_month` on (any
    /// day of it names the month), replacing a rule set for that same month.
    /// Months before keep their rule, so points already earned never change.
    /// Only the grid head may. Minutes per point must be 15 to 1,440 and an
    /// expiry after years 1 to 10.
    pub fn set_points_rule(&self, grid_id: &str, from_month: Date, rule: PointsRule) -> Result<()> {
        self.require_points_role(PointsAction::SetRule)?;
        if !(15..=1440).contains(&rule.minutes_per_point) {
            return Err(Error::invalid(
                "minutes_per_point",
                InvalidReason::OutOfRange,
            ));
        }
        let (expiry, expiry_years) = match rule.expiry {
            PointsExpiry::YearEnd => ("year_end", 0),
            PointsExpiry::Never => ("never", 0),
            PointsExpiry::AfterYears { years } if (1..=10).contains(&years) => {
                ("after_years", years)
            }
            PointsExpiry::AfterYears { .. } => {
                return Err(Error::invalid("expiry.years", InvalidReason::OutOfRange));
            }
        };
        let stored = StoredPointsRule {
            minutes_per_point: rule.minutes_per_point,
            expiry: expiry.to_string(),
            expiry_years,
            recorded_by: self.identity().worker_id.clone(),
        };
        let value = entries::encode(&stored)?;
        self.write(|edit| {
            grid_of_active(edit.tx, RecordKind::Grid, "grids", grid_id)?;
            put_entry(
                edit,
                grid_id,
                "points_rules",
                &month_key(from_month),
                &value,
            )
        })
    }

    /// Awards points to a volunteer of the grid, with a reason; returns the
    /// entry's id. Only the grid head may; the volunteer must be one of the
    /// grid's (never paid staff): `Invalid("volunteer_id", NotAVolunteer)`.
    pub fn award_points(&self, award: PointsAward) -> Result<String> {
        self.require_points_role(PointsAction::Award)?;
        if !(1..=MAX_AWARD).contains(&award.points) {
            return Err(Error::invalid("points", InvalidReason::OutOfRange));
        }
        let stored = StoredPointsEntry {
            volunteer_id: validate::code(&award.volunteer_id, 64).field("volunteer_id")?,
            kind: "award".to_string(),
            points: award.points,
            on: self.points_day(award.on)?.to_string(),
            note: validate::text(&award.reason, 200).field("reason")?,
            at_ms: now_ms(),
            recorded_by: self.identity().worker_id.clone(),
        };
        self.write_points_entry(&award.grid_id, &stored, false, |_| Ok(()))
    }

    /// Records an exchange of a volunteer's points for goods or services;
    /// returns the entry's id. It cannot be undone. The grid head or an
    /// assistant may; more than the balance on the day of the exchange, or
    /// today, is `Invalid("points", ExceedsBalance)`.
    pub fn spend_points(&self, spending: PointsSpending) -> Result<String> {
        self.require_points_role(PointsAction::Spend)?;
        if !(1..=MAX_SPEND).contains(&spending.points) {
            return Err(Error::invalid("points", InvalidReason::OutOfRange));
        }
        let stored = StoredPointsEntry {
            volunteer_id: validate::code(&spending.volunteer_id, 64).field("volunteer_id")?,
            kind: "spend".to_string(),
            points: spending.points,
            on: self.points_day(spending.on)?.to_string(),
            note: validate::text(&spending.item, 200).field("item")?,
            at_ms: now_ms(),
            recorded_by: self.identity().worker_id.clone(),
        };
        let today = self.today();
        let points = i64::from(spending.points);
        // A former volunteer may still spend what they hold.
        self.write_points_entry(&spending.grid_id, &stored, true, |edit| {
            let grid = &spending.grid_id;
            let volunteer = &stored.volunteer_id;
            let on_day = account_outcome(edit.tx, grid, volunteer, spending.on)?.balance;
            let now = account_outcome(edit.tx, grid, volunteer, today)?.balance;
            if points > on_day.min(now) {
                return Err(Error::invalid("points", InvalidReason::ExceedsBalance));
            }
            Ok(())
        })
    }

    /// Checks the grid and the volunteer (a current one, or `or_former`
    /// one with a ledger), runs `check`, and writes the entry.
    fn write_points_entry(
        &self,
        grid_id: &str,
        stored: &StoredPointsEntry,
        or_former: bool,
        check: impl Fn(&mut Edit) -> Result<()>,
    ) -> Result<String> {
        let value = entries::encode(stored)?;
        let id = new_record_id();
        self.write(|edit| {
            grid_of_active(edit.tx, RecordKind::Grid, "grids", grid_id)?;
            if !is_volunteer(edit.tx, grid_id, &stored.volunteer_id, or_former)? {
                return Err(Error::invalid("volunteer_id", InvalidReason::NotAVolunteer));
            }
            check(edit)?;
            put_entry(edit, grid_id, "points_entries", &id, &value)
        })?;
        Ok(id)
    }

    /// Enrols a resident of the grid in the community talent pool
    /// (社区人才库), so they hold volunteer points, with their skills (up
    /// to 200 characters, may be empty). Enrolling again updates the skills.
    /// The grid head or an assistant may.
    pub fn enrol_in_talent_pool(&self, resident_id: &str, skills: &str, on: Date) -> Result<()> {
        self.set_enrolment(resident_id, skills, on, false)
    }

    /// Takes a resident out of the talent pool: they earn no more points;
    /// their ledger stays. The grid head or an assistant may.
    pub fn withdraw_from_talent_pool(&self, resident_id: &str, on: Date) -> Result<()> {
        self.set_enrolment(resident_id, "", on, true)
    }

    fn set_enrolment(
        &self,
        resident_id: &str,
        skills: &str,
        on: Date,
        withdrawn: bool,
    ) -> Result<()> {
        self.require_points_role(PointsAction::Enrol)?;
        let stored = StoredEnrolment {
            skills: validate::optional_text(skills, 200)
                .field("skills")?
                .unwrap_or_default(),
            on: self.points_day(on)?.to_string(),
            withdrawn,
            recorded_by: self.identity().worker_id.clone(),
        };
        let value = entries::encode(&stored)?;
        self.write(|edit| {
            let grid_id = grid_of(edit.tx, RecordKind::Resident, "residents", resident_id)?;
            grid_of_active(edit.tx, RecordKind::Grid, "grids", &grid_id)?;
            // A resident who moved out or died is enrolled no more; withdrawing stays possible.
            let active: bool = edit.tx.query_row(
                "SELECT status = 'active' FROM residents WHERE id = ?1",
                [resident_id],
                |r| r.get(0),
            )?;
            if !active && !withdrawn {
                return Err(Error::Retired {
                    kind: RecordKind::Resident,
                    id: resident_id.to_string(),
                });
            }
            put_entry(edit, &grid_id, "talent_pool", resident_id, &value)
        })
    }
}

/// Writes one entry of the grid's points document under `key`.
fn put_entry(
    edit: &mut Edit,
    grid_id: &str,
    collection: &str,
    key: &str,
    value: &str,
) -> Result<()> {
    edit.put_grid_entry(&POINTS_DOC, grid_id, collection, key, value)
}
