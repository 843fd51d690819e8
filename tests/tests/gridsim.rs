//! `gridsim` with its default seed and size, as the binary runs: the month
//! ends with every phone converged, photos included, and the month's story
//! has the steps the simulation is there to exercise: a duplicate report
//! cancelled, a dispatched event returned by the unit and dispatched again,
//! photos attached, uploaded and downloaded by the department.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::{Command, Stdio};

fn count(counts: &serde_json::Value, key: &str) -> u64 {
    counts[key].as_u64().expect(key)
}

#[test]
fn the_default_month_converges_with_photos_cancellations_and_returns() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("counts.json");
    let status = Command::new(env!("CARGO_BIN_EXE_gridsim"))
        .arg("--counts")
        .arg(&path)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success(), "gridsim failed: {status}");
    let counts: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();

    assert_eq!(counts["all_same"], true);
    assert_eq!(counts["photos_converged"], true);

    // Every photo attached is a different image, and every one was uploaded.
    let attached = count(&counts, "photos_attached");
    assert!(attached >= 5, "{counts}");
    assert_eq!(count(&counts, "photos_distinct"), attached);
    assert_eq!(count(&counts, "photos_uploaded"), attached);
    // The events name some of them (a refused step's photo stays unnamed).
    let named = count(&counts, "photos_named");
    assert!((1..=attached).contains(&named), "{counts}");
    assert!(count(&counts, "photos_downloaded") >= 1, "{counts}");

    // 注销 and 退办, as the converged events hold them.
    assert!(count(&counts, "events_cancelled") >= 1, "{counts}");
    assert!(count(&counts, "returns_by_unit") >= 1, "{counts}");
    assert!(count(&counts, "redispatched") >= 1, "{counts}");
    assert!(
        count(&counts, "events_cancelled") < count(&counts, "events_reported"),
        "{counts}"
    );

    // Volunteer points: the converged ledger holds every award and exchange
    // the phones made, once; the volunteers' check-ins earned service points.
    assert!(count(&counts, "points_awarded") >= 1, "{counts}");
    assert_eq!(
        count(&counts, "points_award_entries"),
        count(&counts, "points_awarded")
    );
    assert_eq!(
        count(&counts, "points_spend_entries"),
        count(&counts, "points_exchanged")
    );
    assert!(count(&counts, "points_service") >= 1, "{counts}");
    assert!(count(&counts, "points_board") >= 1, "{counts}");
}
