//! The readable summary `gridsim` prints (Chinese with English): who did
//! what, visits per household, grid events and their KPIs, photos, sync
//! traffic, conflicts to review; and the photo part of the convergence
//! check ([`check_photos`]). The events and their KPIs are in `event_kpis.rs`. Personal
//! data is printed masked only (names, phones, ID numbers).
//!
//! To add a section, write a `print_*` function here and call it from
//! `gridsim`'s `main`.

use std::collections::BTreeMap;

use gridbook::codes::{EventStatus, StepAction};
use gridbook::validate::{mask_id_number, mask_name, mask_phone};
use gridbook::{Conflict, Date, PhotoOrigin, PhotoUpload, RecordKind, Store, photo_id};

use super::SimError;
use super::device::{Device, SyncTotals};
use super::server::SimServer;
use super::work::Worker;

/// A section heading.
pub fn section(title: &str) {
    println!();
    println!(
        "━━ {title} {}",
        "━".repeat(64usize.saturating_sub(title.chars().count() * 2).max(4))
    );
}

/// Bytes as "12.3 KiB" or "1.25 MiB".
pub fn size(bytes: u64) -> String {
    if bytes >= 1024 * 1024 {
        format!("{:.2} MiB", bytes as f64 / (1024.0 * 1024.0))
    } else if bytes >= 1024 {
        format!("{:.1} KiB", bytes as f64 / 1024.0)
    } else {
        format!("{bytes} B")
    }
}

/// Per worker: what they did and what their syncs cost during the simulated days.
pub fn print_workers(workers: &[Worker], devices: &[Device], days_totals: &[SyncTotals]) {
    println!(
        "  {:<22} {:<6} {:>5} {:>5} {:>5} {:>5} {:>5} {:>5} {:>5} {:>5} {:>5}",
        "角色 role", "姓名", "走访", "发现", "住户", "居民", "任命", "班次", "签到", "被拒", "同步"
    );
    println!(
        "  {:<22} {:<6} {:>5} {:>5} {:>5} {:>5} {:>5} {:>5} {:>5} {:>5} {:>5}",
        "", "name", "visit", "find", "hh", "res", "appt", "shift", "check", "refus", "syncs"
    );
    for ((w, _d), t) in workers.iter().zip(devices).zip(days_totals) {
        let k = &w.tally;
        println!(
            "  {:<22} {:<6} {:>5} {:>5} {:>5} {:>5} {:>5} {:>5} {:>5} {:>5} {:>5}",
            w.member.role.label(),
            mask_name(&w.member.name),
            k.visits,
            k.findings,
            k.household_updates + k.moved_out,
            k.resident_updates + k.new_residents,
            k.appointments,
            k.shifts_created + k.shift_signups,
            k.checkins,
            k.refused,
            t.syncs
        );
    }
    println!(
        "  （hh = 住户信息修改与迁出 household edits and move-outs；res = 居民修改与新增 resident edits and additions；"
    );
    println!(
        "    shift = 排班与报名 shifts planned and signed up for；refus = 因数据过时被拒 refused on a stale view）"
    );
}

/// Households by how many visits they had since `since`.
pub fn print_visit_distribution(store: &Store, grid: &str, since: Date) -> Result<(), SimError> {
    let mut buckets: BTreeMap<usize, u64> = BTreeMap::new();
    let mut total = 0u64;
    let rows = store.roster(grid)?;
    for row in &rows {
        let n = store
            .household(&row.household.id)?
            .visits
            .iter()
            .filter(|v| v.at.local_date() >= since)
            .count();
        total += n as u64;
        *buckets.entry(n.min(5)).or_default() += 1;
    }
    let max = buckets.values().copied().max().unwrap_or(1).max(1);
    for (n, households) in &buckets {
        let label = if *n >= 5 {
            "5+ 次".to_string()
        } else {
            format!("{n} 次")
        };
        let bar = "█".repeat(usize::try_from(households * 40 / max).unwrap_or(0).max(1));
        println!("  {label:>6}  {households:>4} 户 households  {bar}");
    }
    println!(
        "  共 {total} 次走访，{} 户；平均每户 {:.1} 次 (visits in total, households, mean per household)",
        rows.len(),
        total as f64 / rows.len().max(1) as f64
    );
    Ok(())
}

/// Sync bytes and round trips per worker and in total.
pub fn print_traffic(
    devices: &[Device],
    setup: &[SyncTotals],
    days: &[SyncTotals],
    last: &[SyncTotals],
) {
    println!(
        "  {:<22} {:<6} {:>12} {:>12} {:>6} {:>12} {:>12}",
        "角色 role", "姓名", "初始 setup", "上传 up", "往返", "下载 down", "收尾 final"
    );
    let mut sum = [
        SyncTotals::default(),
        SyncTotals::default(),
        SyncTotals::default(),
    ];
    for (((d, s), t), l) in devices.iter().zip(setup).zip(days).zip(last) {
        println!(
            "  {:<22} {:<6} {:>12} {:>12} {:>6} {:>12} {:>12}",
            d.member.role.label(),
            mask_name(&d.member.name),
            size(s.bytes()),
            size(t.bytes_sent),
            t.round_trips,
            size(t.bytes_received),
            size(l.bytes())
        );
        sum[0].merge(s);
        sum[1].merge(t);
        sum[2].merge(l);
    }
    println!(
        "  {:<29} {:>12} {:>12} {:>6} {:>12} {:>12}",
        "合计 total",
        size(sum[0].bytes()),
        size(sum[1].bytes_sent),
        sum[1].round_trips,
        size(sum[1].bytes_received),
        size(sum[2].bytes())
    );
    let rt = sum[1].round_trips.max(1);
    println!(
        "  模拟期间 {} 次同步、{} 次往返，平均每次往返 {} (syncs, round trips, bytes per round trip during the days)",
        sum[1].syncs,
        sum[1].round_trips,
        size(sum[1].bytes() / rt)
    );
    println!(
        "  初始 = 网格长上传整个网格、其余设备首次下载 (setup: the head uploads the grid, the others bootstrap)；收尾 = 最后两轮同步 (final: the two closing rounds)"
    );
}

/// A conflict value for display, personal data masked.
fn shown_value(field: &str, value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::String(text) => match field {
            "phones" => text
                .split(',')
                .map(mask_phone)
                .collect::<Vec<_>>()
                .join("、"),
            "name" => mask_name(text),
            "id_number" => mask_id_number(text),
            _ if text.chars().filter(char::is_ascii_digit).count() >= 7 => mask_phone(text),
            _ => text.clone(),
        },
        serde_json::Value::Object(map) => {
            let text = |key: &str| map.get(key).and_then(|v| v.as_str()).map(String::from);
            let person = match (text("resident_id"), text("volunteer_name")) {
                (Some(_), _) => "居民（已隐去）".to_string(),
                (None, Some(name)) => format!("志愿者 {}", mask_name(&name)),
                (None, None) => "（无）".into(),
            };
            format!("{person}，{} 起", text("starts_on").unwrap_or_default())
        }
        serde_json::Value::Null => "（空）".into(),
        serde_json::Value::Array(items) => format!("[{} 项]", items.len()),
        other => other.to_string(),
    }
}

fn kind_label(kind: RecordKind) -> String {
    match kind {
        RecordKind::Resident => "居民 resident".into(),
        RecordKind::Household => "住户 household".into(),
        RecordKind::Building => "楼栋 building".into(),
        other => other.as_str().to_string(),
    }
}

/// Conflicts left for a person to review: counts by record kind and field, and a few examples.
pub fn print_conflicts(
    store: &Store,
    grid: &str,
    examples: usize,
) -> Result<Vec<Conflict>, SimError> {
    let conflicts = store.conflicts(grid)?;
    if conflicts.is_empty() {
        println!("  （没有冲突 no conflicts）");
        return Ok(conflicts);
    }
    let mut counts: BTreeMap<(String, String), usize> = BTreeMap::new();
    for c in &conflicts {
        *counts
            .entry((kind_label(c.record_kind), c.field.clone()))
            .or_default() += 1;
    }
    for ((kind, field), n) in &counts {
        println!("  {kind} · {field}: {n}");
    }
    println!("  例 examples:");
    for c in conflicts.iter().take(examples) {
        println!("    {} 「{}」:", kind_label(c.record_kind), c.field);
        for v in &c.values {
            println!(
                "      {} {}  —— {}",
                if v.is_winner {
                    "✓ 生效 kept  "
                } else {
                    "  备选 other "
                },
                shown_value(&c.field, &v.value),
                v.worker_id.as_deref().unwrap_or("?")
            );
        }
    }
    Ok(conflicts)
}

/// A rate as "92.3%", or "—" when there was nothing to measure.
pub fn percent(rate: Option<f64>) -> String {
    rate.map_or_else(|| "—".to_string(), |r| format!("{:.1}%", r * 100.0))
}

/// The month's photos: attached with reports and steps, uploaded in the
/// syncs, downloaded by the department to view its events.
pub fn print_photos(workers: &[Worker], devices: &[Device]) {
    let (attached, downloaded) = workers.iter().fold((0, 0), |(a, d), w| {
        (a + w.tally.photos_attached, d + w.tally.photos_downloaded)
    });
    let (uploaded, bytes) = devices.iter().fold((0, 0), |(u, b), d| {
        (u + d.totals.uploaded_photos, b + d.totals.photo_bytes_sent)
    });
    println!(
        "  照片 photos: {attached} 张随上报与办理附上 attached，{uploaded} 张已上传 uploaded ({})，{downloaded} 张报到单位下载查看 downloaded by the department",
        size(bytes)
    );
    let (cancelled, returned, again) = workers.iter().fold((0, 0, 0), |(c, r, g), w| {
        (
            c + w.tally.events_cancelled,
            r + w.tally.events_returned,
            g + w.tally.events_redispatched,
        )
    });
    println!(
        "  注销 cancelled as duplicates: {cancelled} 件；退办 returned by the unit: {returned} 次，重新派遣 re-dispatched: {again} 次"
    );
}

/// What the photo part of the convergence check found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PhotoCheck {
    /// Phones holding at least one photo.
    pub phones: usize,
    /// Distinct photos held on the phones.
    pub distinct: usize,
    /// Copies held, over every phone.
    pub copies: usize,
    /// Photos a phone cannot read back, or holds with bytes that do not
    /// hash to the id or differ from another phone's.
    pub differing: Vec<String>,
    /// Photos attached on a phone that it has not uploaded.
    pub not_uploaded: Vec<String>,
    /// Photos the converged events name (reports and steps).
    pub named: usize,
    /// Photos held or named that the server does not hold with the same bytes.
    pub missing_on_server: Vec<String>,
    /// Converged events that ended cancelled.
    pub cancelled: usize,
    /// Returns by the unit applied in the converged events.
    pub returned: usize,
}

impl PhotoCheck {
    /// Whether the photos converged.
    pub fn holds(&self) -> bool {
        self.differing.is_empty()
            && self.not_uploaded.is_empty()
            && self.missing_on_server.is_empty()
    }
}

/// Checks that every phone holding a photo holds the same bytes, which
/// hash to its id; that every photo attached on a phone was uploaded; and
/// that the server holds every photo a phone holds or one of `event_ids`
/// names in `reference` (the converged store), byte for byte.
pub fn check_photos(
    phones: &[&Store],
    reference: &Store,
    server: &SimServer,
    grid: &str,
    event_ids: &[String],
) -> Result<PhotoCheck, SimError> {
    let mut out = PhotoCheck::default();
    let mut held: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    let mut differing = std::collections::BTreeSet::new();
    for store in phones {
        let photos = store.photo_states(grid)?;
        if !photos.is_empty() {
            out.phones += 1;
        }
        for info in photos {
            out.copies += 1;
            if info.origin == PhotoOrigin::Local && info.upload != PhotoUpload::Uploaded {
                out.not_uploaded.push(info.id.clone());
            }
            let Ok(bytes) = store.photo(&info.id) else {
                differing.insert(info.id.clone());
                continue;
            };
            if photo_id(&bytes) != info.id {
                differing.insert(info.id.clone());
            }
            match held.get(&info.id) {
                Some(other) if *other != bytes => {
                    differing.insert(info.id.clone());
                }
                Some(_) => {}
                None => {
                    held.insert(info.id.clone(), bytes);
                }
            }
        }
    }
    out.distinct = held.len();
    out.differing = differing.into_iter().collect();
    let mut named = std::collections::BTreeSet::new();
    for id in event_ids {
        let event = reference.event(id)?;
        if event.status == EventStatus::Cancelled {
            out.cancelled += 1;
        }
        out.returned += event
            .steps
            .iter()
            .filter(|s| s.applied && s.action == StepAction::ReturnByUnit)
            .count();
        named.extend(event.photos.iter().cloned());
        named.extend(event.steps.iter().flat_map(|s| s.photos.iter().cloned()));
    }
    out.named = named.len();
    named.extend(held.keys().cloned());
    for id in named {
        let same = server.photo(grid, &id)?.is_some_and(|bytes| {
            photo_id(&bytes) == id && held.get(&id).is_none_or(|h| *h == bytes)
        });
        if !same {
            out.missing_on_server.push(id);
        }
    }
    Ok(out)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::eventbench::noise_png_of_side;
    use crate::sim::team::{Member, Role};

    #[test]
    fn the_photo_check_fails_until_the_server_holds_the_photo() {
        let dir = tempfile::tempdir().unwrap();
        let server = SimServer::embedded(None).unwrap();
        let member = Member {
            worker_id: "w-photo-check".into(),
            name: "核对员".into(),
            role: Role::GridHead,
        };
        server
            .ensure_worker(
                &member.worker_id,
                &member.name,
                member.role.worker_role(),
                true,
            )
            .unwrap();
        let token = server.admin().issue_token(&member.worker_id, "A").unwrap();
        let mut phone =
            Device::open(member, &dir.path().join("a.db"), server.url(), &token.token).unwrap();
        let grid = phone
            .store
            .create_grid(gridbook::GridInput {
                code: "330106001001004".into(),
                name: "文新四网格".into(),
                community: None,
                street: None,
                boundary: None,
            })
            .unwrap();
        let photo = phone
            .store
            .add_photo(&grid, &noise_png_of_side(7, 16))
            .unwrap();

        let before = check_photos(&[&phone.store], &phone.store, &server, &grid, &[]).unwrap();
        assert!(!before.holds());
        assert_eq!(before.not_uploaded, vec![photo.id.clone()]);
        assert_eq!(before.missing_on_server, vec![photo.id.clone()]);
        assert!(before.differing.is_empty());
        assert_eq!((before.phones, before.distinct, before.copies), (1, 1, 1));

        phone.sync().unwrap();
        let after = check_photos(&[&phone.store], &phone.store, &server, &grid, &[]).unwrap();
        assert!(after.holds(), "{after:?}");
        assert_eq!(after.named, 0);
        server.shutdown().unwrap();
    }
}
