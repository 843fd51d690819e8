//! Visits: what one door-knock records (kind, outcome, residents seen,
//! findings, notes and a GPS fix), with the word lists it draws from.
//!
//! To extend it: add a finding or a note to the lists, or a new field drawn
//! in `Gen::visit` after the existing draws. When visits happen is decided
//! by the timeline (`timeline.rs`), which also writes them.

use gridbook::codes::{FindingKind, Resolution, VisitKind, VisitOutcome};
use gridbook::{FindingInput, Timestamp, VisitInput};

use super::Gen;
use crate::rng::SplitMix64;

const FINDINGS: &[(FindingKind, &str)] = &[
    (FindingKind::Problem, "楼道堆放杂物，存在消防隐患"),
    (FindingKind::Problem, "电动车在楼道内充电"),
    (FindingKind::Request, "反映电梯经常故障"),
    (FindingKind::Request, "咨询高龄津贴申领"),
    (FindingKind::Problem, "下水管道堵塞"),
    (FindingKind::Request, "希望增加小区路灯"),
    (FindingKind::Problem, "楼顶防水层破损漏水"),
    (FindingKind::Request, "咨询医保异地备案"),
    (FindingKind::Problem, "邻里噪音纠纷"),
    (FindingKind::Request, "申请居家养老服务"),
    (FindingKind::Problem, "消防通道被车辆占用"),
    (FindingKind::Request, "反映垃圾投放点有异味"),
];
const MET_NOTES: &[&str] = &[
    "家中一切正常",
    "老人身体状况良好",
    "已宣传反诈知识",
    "已发放燃气安全告知书",
    "已核对家庭成员信息",
    "住户表示满意",
];

impl Gen<'_> {
    pub(super) fn visit(&mut self, household: usize, at: Timestamp) -> VisitInput {
        let (id, residents, has_care, location) = match self.households.get(household) {
            Some(h) => (
                h.id.clone(),
                h.residents.clone(),
                h.has_care,
                self.buildings.get(h.building).map(|b| b.location),
            ),
            None => (String::new(), Vec::new(), false, None),
        };
        let kind = if has_care {
            self.rng.weighted(&[
                (VisitKind::Routine, 45),
                (VisitKind::SpecialCare, 35),
                (VisitKind::FollowUp, 10),
                (VisitKind::Survey, 10),
            ])
        } else {
            self.rng.weighted(&[
                (VisitKind::Routine, 70),
                (VisitKind::FollowUp, 15),
                (VisitKind::Survey, 15),
            ])
        }
        .unwrap_or(VisitKind::Routine);
        let outcome = self
            .rng
            .weighted(&[
                (VisitOutcome::Met, 72),
                (VisitOutcome::NobodyHome, 24),
                (VisitOutcome::Refused, 4),
            ])
            .unwrap_or(VisitOutcome::Met);
        let mut residents_seen = Vec::new();
        let mut findings = Vec::new();
        let mut notes = None;
        match outcome {
            VisitOutcome::Met => {
                let mut members = residents;
                self.rng.shuffle(&mut members);
                let seen =
                    usize::try_from(self.rng.range(1, i64::try_from(members.len()).unwrap_or(1)))
                        .unwrap_or(1);
                residents_seen = members.into_iter().take(seen).collect();
                findings = draw_findings(&mut self.rng, FINDINGS, &[(0, 78), (1, 18), (2, 4)]);
                if self.rng.chance(0.3) {
                    notes = Some(self.pick_str(MET_NOTES).to_string());
                }
            }
            VisitOutcome::NobodyHome if self.rng.chance(0.5) => {
                notes = Some("敲门无人应答，已留联系卡".to_string());
            }
            _ => {}
        }
        let gps = match location {
            Some(center) => self.fix_near(center),
            None => None,
        };
        VisitInput {
            household_id: id,
            at,
            kind,
            outcome,
            residents_seen,
            notes,
            findings,
            gps,
        }
    }
}

/// Draws what one visit found: how many findings (`how_many`, weighted), each
/// a pick from `catalogue` with a weighted resolution. Shared by the history
/// generator and the month simulation, so both draw in the same order.
pub(crate) fn draw_findings(
    rng: &mut SplitMix64,
    catalogue: &[(FindingKind, &str)],
    how_many: &[(usize, u32)],
) -> Vec<FindingInput> {
    let found = rng.weighted(how_many).unwrap_or(0);
    let mut findings = Vec::with_capacity(found);
    for _ in 0..found {
        let Some(&(kind, text)) = rng.pick(catalogue) else {
            break;
        };
        let resolution = rng
            .weighted(&[
                (Resolution::SolvedOnSite, 40),
                (Resolution::Escalated, 25),
                (Resolution::Open, 35),
            ])
            .unwrap_or(Resolution::Open);
        findings.push(FindingInput {
            id: None,
            kind,
            text: text.to_string(),
            resolution,
        });
    }
    findings
}
