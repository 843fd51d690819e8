//! The arithmetic of a points ledger, pure: earned lines become lots with an
//! expiry, spending takes from the lots that expire first, and a lot that
//! reaches its expiry unspent becomes an expiry line. Nothing here reads a
//! table; `tables.rs` gathers the lines and shows the outcome.
//!
//! Offline phones may each spend the same points before they sync, so a
//! merged ledger can spend more than it holds: the balance goes negative
//! (never refused after the fact, since both exchanges happened) and later
//! earnings pay the shortfall first.

use super::PointsExpiry;
use crate::validate::Date;

/// A line that adds points, with the day its points stop counting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Earned {
    pub(super) on: Date,
    pub(super) points: i64,
    pub(super) expires_on: Option<Date>,
}

/// A line that takes points.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Spent {
    pub(super) on: Date,
    pub(super) points: i64,
}

/// What the lines come to on a day.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct Outcome {
    pub(super) balance: i64,
    pub(super) earned: i64,
    pub(super) spent: i64,
    pub(super) expired: i64,
    /// The expiries up to the day: (day, points), oldest first.
    pub(super) expiries: Vec<(Date, i64)>,
    /// The next day some of the balance expires after the day, and how much.
    pub(super) next_expiry: Option<(Date, i64)>,
}

/// The day points earned `on` stop counting under `expiry`.
pub(super) fn expires_on(on: Date, expiry: PointsExpiry) -> Option<Date> {
    match expiry {
        PointsExpiry::Never => None,
        PointsExpiry::YearEnd => Date::new(on.year() + 1, 1, 1),
        PointsExpiry::AfterYears { years } => {
            let year = on.year().checked_add(i32::try_from(years).ok()?)?;
            // 29 February's anniversary in a common year is 1 March.
            Date::new(year, on.month(), on.day()).or_else(|| Date::new(year, 3, 1))
        }
    }
}

/// A lot: what is left of one earned line.
struct Lot {
    left: i64,
    expires_on: Option<Date>,
}

/// The ledger's outcome on `today`: lines after it are left out, and lots
/// expiring on or before it have expired.
pub(super) fn settle(earned: &[Earned], spent: &[Spent], today: Date) -> Outcome {
    let mut days: Vec<Date> = earned
        .iter()
        .map(|e| e.on)
        .chain(spent.iter().map(|s| s.on))
        .chain(earned.iter().filter_map(|e| e.expires_on))
        .filter(|day| *day <= today)
        .collect();
    days.sort_unstable();
    days.dedup();
    let mut outcome = Outcome::default();
    let mut lots: Vec<Lot> = Vec::new();
    let mut shortfall = 0_i64;
    for day in days {
        // Expire first: a lot expiring on a day no longer counts that day.
        for lot in lots.iter_mut().filter(|l| l.expires_on == Some(day)) {
            if lot.left > 0 {
                outcome.expired += lot.left;
                outcome.expiries.push((day, lot.left));
                lot.left = 0;
            }
        }
        for line in earned.iter().filter(|e| e.on == day) {
            outcome.earned += line.points;
            let paid = shortfall.min(line.points);
            shortfall -= paid;
            let left = line.points - paid;
            match line.expires_on {
                // Points that expire the day they are earned never count.
                Some(end) if end <= day => {
                    if left > 0 {
                        outcome.expired += left;
                        outcome.expiries.push((day, left));
                    }
                }
                expires_on => lots.push(Lot { left, expires_on }),
            }
        }
        // Spend from the lots that expire first; `None` sorts last.
        lots.sort_by_key(|l| (l.expires_on.is_none(), l.expires_on));
        for line in spent.iter().filter(|s| s.on == day) {
            outcome.spent += line.points;
            let mut due = line.points;
            for lot in lots.iter_mut() {
                let take = lot.left.min(due);
                lot.left -= take;
                due -= take;
            }
            shortfall += due;
        }
        lots.retain(|l| l.left > 0);
    }
    outcome.balance = lots.iter().map(|l| l.left).sum::<i64>() - shortfall;
    outcome.next_expiry = lots.iter().filter_map(|l| l.expires_on).min().map(|next| {
        let points = lots
            .iter()
            .filter(|l| l.expires_on == Some(next))
            .map(|l| l.left)
            .sum();
        (next, points)
    });
    outcome
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn d(text: &str) -> Date {
        Date::parse(text).unwrap()
    }

    fn earn(on: &str, points: i64, expires: Option<&str>) -> Earned {
        Earned {
            on: d(on),
            points,
            expires_on: expires.map(d),
        }
    }

    fn spend(on: &str, points: i64) -> Spent {
        Spent { on: d(on), points }
    }

    #[test]
    fn expiry_rules_name_the_first_day_points_no_longer_count() {
        assert_eq!(
            expires_on(d("2026-03-05"), PointsExpiry::YearEnd),
            Some(d("2027-01-01"))
        );
        assert_eq!(
            expires_on(d("2026-03-05"), PointsExpiry::AfterYears { years: 3 }),
            Some(d("2029-03-05"))
        );
        assert_eq!(
            expires_on(d("2024-02-29"), PointsExpiry::AfterYears { years: 1 }),
            Some(d("2025-03-01"))
        );
        assert_eq!(expires_on(d("2026-03-05"), PointsExpiry::Never), None);
    }

    #[test]
    fn spending_takes_the_points_that_expire_first() {
        let earned = [
            earn("2026-01-10", 5, Some("2027-01-01")),
            earn("2026-02-10", 4, Some("2026-06-01")),
            earn("2026-02-11", 7, None),
        ];
        let spent = [spend("2026-03-01", 6)];
        let before = settle(&earned, &spent, d("2026-05-31"));
        assert_eq!(before.balance, 10);
        // The 4 expiring in June went first, then 2 of the year's 5.
        assert_eq!(before.next_expiry, Some((d("2027-01-01"), 3)));
        let after = settle(&earned, &spent, d("2027-01-01"));
        assert_eq!(after.balance, 7);
        assert_eq!(after.expired, 3);
        assert_eq!(after.expiries, vec![(d("2027-01-01"), 3)]);
        assert_eq!((after.earned, after.spent), (16, 6));
    }

    #[test]
    fn unspent_lots_expire_on_their_day_and_later_lines_are_left_out() {
        let earned = [
            earn("2025-12-01", 3, Some("2026-01-01")),
            earn("2026-01-01", 2, Some("2027-01-01")),
        ];
        let on_new_year = settle(&earned, &[], d("2026-01-01"));
        assert_eq!(on_new_year.balance, 2);
        assert_eq!(on_new_year.expiries, vec![(d("2026-01-01"), 3)]);
        let before = settle(&earned, &[], d("2025-12-31"));
        assert_eq!((before.balance, before.expired, before.earned), (3, 0, 3));
    }

    #[test]
    fn overspending_by_merged_exchanges_is_a_shortfall_later_earnings_pay() {
        let earned = [
            earn("2026-01-01", 5, None),
            earn("2026-03-01", 4, Some("2026-04-01")),
        ];
        let spent = [spend("2026-02-01", 5), spend("2026-02-01", 3)];
        let short = settle(&earned, &spent, d("2026-02-15"));
        assert_eq!(short.balance, -3);
        let paid = settle(&earned, &spent, d("2026-03-15"));
        assert_eq!(paid.balance, 1);
        // Only what was left after the shortfall can expire.
        let expired = settle(&earned, &spent, d("2026-04-01"));
        assert_eq!((expired.balance, expired.expired), (0, 1));
    }
}
