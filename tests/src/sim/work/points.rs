//! Volunteer points: the grid head awards a volunteer for a service the
//! check-ins do not show (clearing a stairwell, helping at a vaccination
//! day), and an assistant records an exchange at the community's points
//! shop (积分超市). Service points need no edit: they come from the
//! volunteers' own patrol check-ins.

use gridbook::{Date, PointsAward, PointsSpending, Store};

use super::Worker;

const REASONS: &[&str] = &[
    "清理楼道杂物",
    "协助疫苗接种登记",
    "劝导电动车入户充电",
    "陪同独居老人就医",
];
const ITEMS: &[(&str, u32)] = &[("洗衣液一瓶", 3), ("大米一袋", 5), ("免费理发一次", 2)];

impl Worker {
    /// One of the grid's volunteers as this phone sees them, if any.
    fn pick_volunteer(&mut self, store: &Store, grid: &str) -> gridbook::Result<Option<String>> {
        let volunteers = store.volunteers(grid)?;
        Ok(self.rng.pick(&volunteers).map(|v| v.volunteer_id.clone()))
    }

    /// The grid head awards 1–5 points to one of the grid's volunteers.
    pub(super) fn award_points(
        &mut self,
        store: &Store,
        grid: &str,
        date: Date,
    ) -> gridbook::Result<()> {
        let Some(volunteer_id) = self.pick_volunteer(store, grid)? else {
            return Ok(());
        };
        let reason = self.rng.pick(REASONS).copied().unwrap_or(REASONS[0]);
        store.award_points(PointsAward {
            grid_id: grid.to_string(),
            volunteer_id,
            points: u32::try_from(self.rng.range(1, 5)).unwrap_or(1),
            reason: reason.to_string(),
            on: date,
        })?;
        self.tally.points_awarded += 1;
        Ok(())
    }

    /// An assistant records a volunteer's exchange; one beyond the balance
    /// the phone sees is refused and counted so.
    pub(super) fn exchange_points(
        &mut self,
        store: &Store,
        grid: &str,
        date: Date,
    ) -> gridbook::Result<()> {
        let Some(volunteer_id) = self.pick_volunteer(store, grid)? else {
            return Ok(());
        };
        let (item, points) = self.rng.pick(ITEMS).copied().unwrap_or(ITEMS[0]);
        store.spend_points(PointsSpending {
            grid_id: grid.to_string(),
            volunteer_id,
            points,
            item: item.to_string(),
            on: date,
        })?;
        self.tally.points_exchanged += 1;
        Ok(())
    }
}
