//! Residents' reports from the server to a grid worker's phone, against the
//! real `gridbook-server` process: the grid head's phone syncs a grid (one
//! building, 3栋, with 王建国 at 2单元 502); residents post three reports
//! through the link's form; the sync client pulls them into the phone's
//! review queue (`SyncClient::sync_self_reports`), where each stands beside
//! the roster (a changed phone and a new member at a known address; a new
//! household whose member lives elsewhere in the grid; an unknown
//! building); the worker accepts two as their own roster edits and rejects
//! the third; the next pull tells the server, which deletes them, and the
//! edits sync to an assistant's phone.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::time::Duration;

use common::server::{Backend, ServerProcess};
use common::{Device, client_options};
use gridbook::codes::{DwellingUse, Gender, Registration, ResidenceState, WorkerRole};
use gridbook::self_report::{HouseholdMatch, MemberMatch, SelfReportReview};
use gridbook::sync::{SelfReportSync, SyncClient, SyncError};
use gridbook::{BuildingInput, Date, GridInput, HouseholdInput, ResidentInput};

/// Invented residents: valid ID numbers (GB 11643 check characters).
const WANG: &str = "110105198001010016";
const WANG_DAUGHTER: &str = "110105201006150020";
const CHEN: &str = "440304197508081231";

fn today() -> Date {
    Date::today(480)
}

fn http() -> reqwest::blocking::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap()
}

/// Posts a household through the form at `link`, as the form's page would.
fn post_report(link: &str, origin: &str, fields: &[(&str, &str)]) {
    let page = http().get(link).send().unwrap().text().unwrap();
    let marker = "name=\"nonce\" value=\"";
    let at = page.find(marker).unwrap() + marker.len();
    let nonce = page[at..].split('"').next().unwrap();
    let body = form_urlencoded::Serializer::new(String::new())
        .append_pair("nonce", nonce)
        .append_pair("consent", "yes")
        .extend_pairs(fields)
        .finish();
    let response = http()
        .post(link)
        .header("content-type", "application/x-www-form-urlencoded")
        .header("origin", origin)
        .header("sec-fetch-site", "same-origin")
        .body(body)
        .send()
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
}

#[test]
fn a_worker_reviews_residents_reports_and_accepts_them_as_roster_edits() {
    let data = tempfile::tempdir().unwrap();
    let server = ServerProcess::start(Backend::Sqlite(data.path().to_path_buf()), &[]);
    let url = server.url();
    let head_token = server.enrol("w-head", WorkerRole::GridHead, None, true);
    let dir = tempfile::tempdir().unwrap();
    let head = Device::new(
        dir.path(),
        "w-head",
        WorkerRole::GridHead,
        client_options(&url, &head_token),
    );
    let store = &head.store;
    let grid = store
        .create_grid(GridInput {
            code: "330106001001001".into(),
            name: "文新一网格".into(),
            community: None,
            street: None,
            boundary: None,
        })
        .unwrap();
    let building = |number: &str| {
        store
            .create_building(
                &grid,
                BuildingInput {
                    number: number.into(),
                    estate: None,
                    units: 2,
                    floors: 6,
                    location: None,
                },
            )
            .unwrap()
    };
    let b3 = building("3栋");
    let b5 = building("5栋");
    let household = |building: &str, unit: &str, room: &str| {
        store
            .create_household(HouseholdInput {
                building_id: building.into(),
                unit: unit.into(),
                floor: 5,
                room: room.into(),
                use_kind: DwellingUse::OwnerOccupied,
                tags: vec![],
                location: None,
                notes: None,
            })
            .unwrap()
    };
    let wang_home = household(&b3, "2", "502");
    let chen_home = household(&b5, "1", "101");
    let resident = |home: &str, name: &str, id: &str, phone: &str| {
        store
            .create_resident(ResidentInput {
                household_id: home.into(),
                name: name.into(),
                gender: Gender::Male,
                birth_date: None,
                id_number: Some(id.into()),
                phones: vec![phone.into()],
                relation: "02".into(),
                registration: Registration::Local,
                residence_state: ResidenceState::Consistent,
                care: vec![],
                moved_in: None,
            })
            .unwrap()
    };
    let wang = resident(&wang_home, "王建国", WANG, "13900000000");
    let chen = resident(&chen_home, "陈秀英", CHEN, "13700000000");
    head.sync(3);

    let link = {
        let response = http()
            .post(format!("{url}/v1/grids/{grid}/self-report-link"))
            .bearer_auth(&head_token)
            .send()
            .unwrap();
        assert_eq!(response.status().as_u16(), 200);
        let body: serde_json::Value = serde_json::from_str(&response.text().unwrap()).unwrap();
        body["url"].as_str().unwrap().to_string()
    };
    let address = |building: &'static str, unit: &'static str, room: &'static str| {
        [
            ("building", building),
            ("unit", unit),
            ("floor", "5"),
            ("room", room),
        ]
    };
    let member = |i: usize,
                  name: &'static str,
                  gender: &'static str,
                  id: &'static str,
                  phone: &'static str,
                  relation: &'static str| {
        [
            (format!("m{i}_name"), name),
            (format!("m{i}_gender"), gender),
            (format!("m{i}_id_number"), id),
            (format!("m{i}_phone"), phone),
            (format!("m{i}_relation"), relation),
        ]
    };
    let report = |addr: [(&'static str, &'static str); 4],
                  members: Vec<[(String, &'static str); 5]>| {
        let mut fields: Vec<(String, &str)> =
            addr.iter().map(|(k, v)| (k.to_string(), *v)).collect();
        fields.extend(members.into_iter().flatten());
        fields
    };
    let posts = [
        // 王建国's family at his address: a new phone, and his daughter.
        report(
            address("3号楼", "2单元", "502室"),
            vec![
                member(0, "王建国", "male", WANG, "13800138000", "02"),
                member(1, "王小雨", "female", WANG_DAUGHTER, "", "30"),
            ],
        ),
        // A new household in 3栋 whose member the roster has at 5栋.
        report(
            address("3", "1", "101"),
            vec![member(0, "陈秀英", "female", CHEN, "13700000000", "02")],
        ),
        // A building the grid does not have.
        report(
            address("9栋", "1", "101"),
            vec![member(
                0,
                "赵六",
                "male",
                "110105201006150020",
                "13600000000",
                "02",
            )],
        ),
    ];
    for fields in &posts {
        let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), *v)).collect();
        post_report(&link, &url, &pairs);
    }

    // The sync client pulls them into the phone's review queue.
    let client = SyncClient::new(client_options(&url, &head_token)).unwrap();
    let pulled = client.sync_self_reports(store, &grid, today()).unwrap();
    assert_eq!(
        pulled,
        SelfReportSync {
            outcomes_sent: 0,
            queued: 3
        }
    );
    let mut queued = store.self_reports(&grid).unwrap();
    assert_eq!(queued.len(), 3);
    // Oldest first, and in one second in any order: put them as posted.
    let posted = ["王建国", "陈秀英", "赵六"];
    queued.sort_by_key(|q| {
        posted
            .iter()
            .position(|n| *n == q.received.report.members[0].name)
    });
    let received: Vec<_> = queued.iter().map(|q| q.received.clone()).collect();
    let reviews: Vec<SelfReportReview> = queued.iter().map(|q| q.review.clone()).collect();
    assert_eq!(
        reviews[0].household,
        HouseholdMatch::Existing {
            household_id: wang_home.clone()
        }
    );
    assert_eq!(
        reviews[0].members,
        [
            MemberMatch::PhoneChanged {
                resident_id: wang.clone()
            },
            MemberMatch::New
        ]
    );
    assert_eq!(
        reviews[1].household,
        HouseholdMatch::New {
            building_id: b3.clone()
        }
    );
    assert_eq!(
        reviews[1].members,
        [MemberMatch::ElsewhereInGrid {
            resident_id: chen.clone(),
            household_id: chen_home.clone()
        }]
    );
    assert_eq!(reviews[2].household, HouseholdMatch::UnknownBuilding);
    assert_eq!(reviews[2].members, [MemberMatch::New]);

    // Accepting the first: the phone first, the daughter created.
    let accepted = store.accept_self_report(&received[0].id).unwrap();
    assert_eq!(
        (accepted.household_id.as_str(), accepted.created_household),
        (wang_home.as_str(), false)
    );
    assert_eq!(accepted.updated_phones, vec![wang.clone()]);
    assert_eq!(accepted.created_residents.len(), 1);
    // Reads are masked (the full values take a reveal with a purpose).
    assert_eq!(
        store.resident(&wang).unwrap().phones,
        ["138****8000", "139****0000"]
    );
    let daughter = store.resident(&accepted.created_residents[0]).unwrap();
    assert_eq!(
        (
            daughter.name.as_str(),
            daughter.gender,
            daughter.id_number.as_deref(),
            daughter.household_id.as_str(),
            daughter.relation.as_str(),
            daughter.birth_date
        ),
        (
            "王小雨",
            Gender::Female,
            Some("110105********0020"),
            wang_home.as_str(),
            "30",
            None
        )
    );
    // Accepting it again writes nothing more: everyone matches.
    let again = store.review_self_report(&grid, &received[0]).unwrap();
    assert!(
        again
            .members
            .iter()
            .all(|m| matches!(m, MemberMatch::Matches { .. })),
        "{again:?}"
    );
    // The second: a new household; its member stays where the roster has her.
    let accepted = store.accept_self_report(&received[1].id).unwrap();
    assert!(accepted.created_household);
    assert_eq!(
        (accepted.created_residents.len(), accepted.left_for_review),
        (0, vec![0])
    );
    assert_eq!(store.resident(&chen).unwrap().household_id, chen_home);
    // The third cannot be accepted: nothing is written.
    let households = store.roster(&grid).unwrap().len();
    assert!(matches!(
        store.accept_self_report(&received[2].id),
        Err(gridbook::Error::Invalid {
            field: "building",
            ..
        })
    ));
    assert_eq!(store.roster(&grid).unwrap().len(), households);

    store.reject_self_report(&received[2].id).unwrap();
    assert_eq!(store.self_reports(&grid).unwrap(), vec![]);
    assert!(matches!(
        store.accept_self_report(&received[0].id),
        Err(gridbook::Error::Invalid {
            field: "report_id",
            ..
        })
    ));
    // Reviews in one millisecond come in id order: compare as sets.
    let mut outcomes: Vec<(String, bool)> = store
        .self_report_outcomes()
        .unwrap()
        .into_iter()
        .map(|o| (o.report_id, o.accepted))
        .collect();
    outcomes.sort();
    let mut expected = vec![
        (received[0].id.clone(), true),
        (received[1].id.clone(), true),
        (received[2].id.clone(), false),
    ];
    expected.sort();
    assert_eq!(outcomes, expected);

    // The next pull tells the server, which deletes them; the queue empties.
    let told = client.sync_self_reports(store, &grid, today()).unwrap();
    assert_eq!(
        told,
        SelfReportSync {
            outcomes_sent: 3,
            queued: 0
        }
    );
    assert_eq!(store.self_report_outcomes().unwrap(), vec![]);
    assert_eq!(client.self_reports(&grid, today()).unwrap(), vec![]);
    assert!(matches!(
        client.review_self_report(&grid, &received[0].id, true),
        Err(SyncError::Rejected { status: 404, .. })
    ));

    // The edits are the head's own: they reach the assistant's phone.
    head.sync(3);
    let assistant_token = server.enrol("w-assistant", WorkerRole::Assistant, Some(&grid), false);
    let assistant = Device::new(
        dir.path(),
        "w-assistant",
        WorkerRole::Assistant,
        client_options(&url, &assistant_token),
    );
    assistant.sync(3);
    assert_eq!(
        assistant.store.resident(&wang).unwrap().phones,
        ["138****8000", "139****0000"]
    );
    assert_eq!(
        assistant.store.roster(&grid).unwrap().len(),
        households,
        "the new household arrived"
    );
    // A worker of another grid may not read them.
    let other_token = server.enrol("w-other", WorkerRole::GridHead, None, false);
    let other = SyncClient::new(client_options(&url, &other_token)).unwrap();
    assert!(matches!(
        other.self_reports(&grid, today()),
        Err(SyncError::Forbidden(_))
    ));
}
