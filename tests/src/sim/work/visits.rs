//! A door-knocking visit: outcome, residents seen, findings and a GPS fix
//! near the household.

use gridbook::codes::{FindingKind, VisitKind, VisitOutcome};
use gridbook::{Date, GeoPoint, GpsFix, Store, VisitInput};

use super::{OFFSET, Role, Target, Worker};
use crate::generator::draw_findings;
use crate::timefmt::local_instant;

const FINDINGS: &[(FindingKind, &str)] = &[
    (FindingKind::Problem, "楼道堆放杂物，存在消防隐患"),
    (FindingKind::Problem, "电动车在楼道内充电"),
    (FindingKind::Request, "反映电梯经常故障"),
    (FindingKind::Request, "咨询高龄津贴申领"),
    (FindingKind::Problem, "下水管道堵塞"),
    (FindingKind::Request, "申请居家养老服务"),
    (FindingKind::Problem, "消防通道被车辆占用"),
];

impl Worker {
    pub(super) fn visit(
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
            findings = draw_findings(&mut self.rng, FINDINGS, &[(0, 70), (1, 24), (2, 6)]);
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
        // Grid workers turn some of what they find at the door into events.
        let to_report = findings
            .first()
            .map(|f| f.text.clone())
            .filter(|_| matches!(self.member.role, Role::GridHead | Role::Assistant))
            .filter(|_| self.rng.chance(0.35));
        let seen = residents_seen.clone();
        let visit_id = store.log_visit(VisitInput {
            household_id: row.household.id.clone(),
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
        if let Some(finding) = to_report {
            let household = (
                row.household.building_id.as_str(),
                row.household.id.as_str(),
            );
            self.report_from_visit(
                store, grid, date, minute, visit_id, household, &finding, &seen,
            )?;
        }
        Ok(())
    }
}
