//! The [`Store`] calls of volunteer points (`gridbook`'s `kinds/points`):
//! the grid's rule, awards, exchanges, the talent pool, a volunteer's
//! account and the monthly board.

use gridbook::{
    Date, PointsAccount, PointsAward, PointsRule, PointsRuleInForce, PointsSpending,
    PointsStanding, Volunteer,
};

use super::Store;
use crate::Result;

/// The default points rule: 60 minutes of patrol service = 1 point,
/// expiring after 3 years.
#[uniffi::export]
pub fn default_points_rule() -> PointsRule {
    PointsRule::default()
}

#[uniffi::export]
impl Store {
    /// Sets the grid's points rule from the month of `fromMonth` on; months
    /// before keep theirs. Only the grid head may.
    pub async fn set_points_rule(
        &self,
        grid_id: String,
        from_month: Date,
        rule: PointsRule,
    ) -> Result<()> {
        self.call(move |s| s.set_points_rule(&grid_id, from_month, rule))
            .await
    }

    /// The grid's points rules as set, by the month each applies from.
    pub async fn points_rules(&self, grid_id: String) -> Result<Vec<PointsRuleInForce>> {
        self.call(move |s| s.points_rules(&grid_id)).await
    }

    /// Awards points to a volunteer with a reason; returns the entry's id.
    /// Only the grid head may.
    pub async fn award_points(&self, award: PointsAward) -> Result<String> {
        self.call(move |s| s.award_points(award)).await
    }

    /// Records an exchange of a volunteer's points, never undone; returns
    /// the entry's id. More than the balance is refused.
    pub async fn spend_points(&self, spending: PointsSpending) -> Result<String> {
        self.call(move |s| s.spend_points(spending)).await
    }

    /// Enrols a resident in the community talent pool (社区人才库).
    pub async fn enrol_in_talent_pool(
        &self,
        resident_id: String,
        skills: String,
        on: Date,
    ) -> Result<()> {
        self.call(move |s| s.enrol_in_talent_pool(&resident_id, &skills, on))
            .await
    }

    /// Takes a resident out of the talent pool; their ledger stays.
    pub async fn withdraw_from_talent_pool(&self, resident_id: String, on: Date) -> Result<()> {
        self.call(move |s| s.withdraw_from_talent_pool(&resident_id, on))
            .await
    }

    /// The grid's volunteers, names masked.
    pub async fn volunteers(&self, grid_id: String) -> Result<Vec<Volunteer>> {
        self.call(move |s| s.volunteers(&grid_id)).await
    }

    /// A volunteer's balance and ledger on `today`, newest first.
    pub async fn points_account(
        &self,
        grid_id: String,
        volunteer_id: String,
        today: Date,
    ) -> Result<PointsAccount> {
        self.call(move |s| s.points_account(&grid_id, &volunteer_id, today))
            .await
    }

    /// The month's board (积分明星榜): volunteers by points earned in the
    /// month of `month`, names masked, at most `limit`.
    pub async fn points_board(
        &self,
        grid_id: String,
        month: Date,
        limit: u32,
    ) -> Result<Vec<PointsStanding>> {
        self.call(move |s| s.points_board(&grid_id, month, limit))
            .await
    }
}
