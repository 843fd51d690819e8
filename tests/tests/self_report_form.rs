//! A resident's own report by QR code, in a real browser: a real
//! `gridbook-server` on loopback gives the grid head a link; Chromium
//! headless opens it at a phone's viewport (390×844) and acts as the
//! resident over the DevTools protocol (`gridbook_harness::browser::cdp`):
//! the form stays hidden until the privacy notice is accepted; a wrong ID
//! number shows its field error (the screenshot of it stays under the
//! target directory, printed below); once fixed, the report is sent and
//! the thanks page shows nothing of it; and the server lists it, exactly,
//! to another worker of the grid, whose phone's sync client pulls it into
//! the review queue. Any console message, uncaught exception
//! or error the browser logs (a CSP violation, a failed load) fails it.
//!
//! Chromium comes from `scripts/toolchain-chromium` (or `GRIDBOOK_CHROMIUM`);
//! without it the test fails, saying so.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::{Path, PathBuf};
use std::time::Duration;

use common::server::{Backend, ServerProcess};
use gridbook::codes::WorkerRole;
use gridbook::self_report::HouseholdMatch;
use gridbook::sync::SyncClient;
use gridbook_harness::browser::cdp::Page;
use serde_json::{Value, json};

const GRID: &str = "3f6a1c2e-8b7d-4e5f-9a0b-1c2d3e4f5a6b";
/// A valid ID number, and the same with a wrong check digit.
const GOOD_ID: &str = "110105198001010016";
const BAD_ID: &str = "110105198001010017";

/// Where the screenshot stays: next to the test binaries in the target directory.
fn artefacts() -> PathBuf {
    let dir = Path::new(env!("CARGO_BIN_EXE_gridsim"))
        .parent()
        .unwrap()
        .join("self-report-form-test");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn client() -> reqwest::blocking::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap()
}

fn json_of(response: reqwest::blocking::Response) -> (u16, Value) {
    let status = response.status().as_u16();
    (
        status,
        serde_json::from_str(&response.text().unwrap()).unwrap(),
    )
}

#[test]
fn a_resident_fills_in_the_form_on_a_phone_and_the_grid_sees_it() {
    let data = tempfile::tempdir().unwrap();
    let server = ServerProcess::start(Backend::Sqlite(data.path().to_path_buf()), &[]);
    let head = server.enrol("w-head", WorkerRole::GridHead, Some(GRID), false);
    let assistant = server.enrol("w-assistant", WorkerRole::Assistant, Some(GRID), false);
    let (status, issued) = json_of(
        client()
            .post(format!("{}/v1/grids/{GRID}/self-report-link", server.url()))
            .bearer_auth(&head)
            .send()
            .unwrap(),
    );
    assert_eq!(status, 200, "{issued}");
    let link = issued["url"].as_str().unwrap().to_string();
    assert!(
        link.starts_with(&format!("{}/r/{GRID}.", server.url())),
        "{link}"
    );

    let scratch = tempfile::tempdir().unwrap();
    let mut page = Page::launch(scratch.path(), (390, 844)).unwrap_or_else(|e| panic!("{e}"));
    page.goto(&link).unwrap();
    assert_eq!(
        page.text("h1").unwrap().as_deref(),
        Some("住户信息自主申报")
    );
    // The household's fields are hidden until the notice is accepted.
    assert!(
        page.click("#building").is_err(),
        "the form shows before the notice is accepted"
    );
    page.click("#consent").unwrap();
    page.click("#accept").unwrap();
    for (field, value) in [
        ("#building", "3栋"),
        ("#unit", "2"),
        ("#floor", "5"),
        ("#room", "502"),
        ("#m0_name", "王建国"),
        ("#m0_id_number", BAD_ID),
        ("#m0_phone", "138 0013 8000"),
    ] {
        page.type_into(field, value).unwrap();
    }
    page.click("#m0_gender_male").unwrap();
    page.click("#submit").unwrap();
    assert_eq!(
        page.text("#err-m0_id_number").unwrap().as_deref(),
        Some("身份证号校验位不正确")
    );
    assert_eq!(
        page.text("h1").unwrap().as_deref(),
        Some("住户信息自主申报"),
        "not sent"
    );
    let png = artefacts().join("self-report-field-error.png");
    page.screenshot(&png).unwrap();
    let bytes = std::fs::read(&png).unwrap();
    assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n") && bytes.len() > 10 * 1024);
    println!("screenshot of the field error: {}", png.display());

    // Fixed: the error goes as the resident types; the report is sent.
    page.retype("#m0_id_number", GOOD_ID).unwrap();
    assert_eq!(page.text("#err-m0_id_number").unwrap(), None);
    page.click_and_wait("#submit").unwrap();
    assert_eq!(page.text("h1").unwrap().as_deref(), Some("已提交，感谢"));
    let shown = page.text("body").unwrap().unwrap();
    assert!(
        !shown.contains("王建国") && !shown.contains(GOOD_ID) && !shown.contains("502"),
        "{shown}"
    );
    assert_eq!(page.console(), Vec::<String>::new(), "{}", page.log());
    drop(page);

    // Another worker of the grid sees it, as the resident typed it.
    let (status, listed) = json_of(
        client()
            .get(format!("{}/v1/grids/{GRID}/self-reports", server.url()))
            .bearer_auth(&assistant)
            .send()
            .unwrap(),
    );
    assert_eq!(status, 200);
    let reports = listed["reports"].as_array().unwrap();
    assert_eq!(reports.len(), 1, "{listed}");
    assert_eq!(
        reports[0]["report"],
        json!({
            "building": "3栋", "unit": "2", "floor": "5", "room": "502",
            "members": [{
                "name": "王建国", "gender": "male", "id_number": GOOD_ID,
                "birth_date": "", "phone": "13800138000", "relation": "02"
            }]
        })
    );
    // And it reaches that worker's phone's review queue.
    let phone_dir = tempfile::tempdir().unwrap();
    let options = common::client_options(&server.url(), &assistant);
    let phone = common::Device::new(
        phone_dir.path(),
        "w-assistant",
        WorkerRole::Assistant,
        options.clone(),
    );
    let client = SyncClient::new(options).unwrap();
    let pulled = client
        .sync_self_reports(&phone.store, GRID, gridbook::Date::today(480))
        .unwrap();
    assert_eq!(pulled.queued, 1);
    let queued = phone.store.self_reports(GRID).unwrap();
    assert_eq!(queued.len(), 1);
    assert_eq!(queued[0].received.id, reports[0]["id"].as_str().unwrap());
    assert_eq!(queued[0].received.report.members[0].id_number, GOOD_ID);
    // The phone holds no roster of the grid yet: no building to put it in.
    assert_eq!(queued[0].review.household, HouseholdMatch::UnknownBuilding);
}

#[test]
fn the_console_check_catches_errors_exceptions_and_csp_violations() {
    let scratch = tempfile::tempdir().unwrap();
    let mut page = Page::launch(scratch.path(), (390, 844)).unwrap_or_else(|e| panic!("{e}"));
    page.goto("data:text/html,<p>clean</p>").unwrap();
    assert_eq!(page.console(), Vec::<String>::new());
    page.goto(
        "data:text/html,<script>console.error('e1')</script>\
         <script>throw new Error('e2')</script>",
    )
    .unwrap();
    let console = page.console();
    assert_eq!(console.len(), 2, "{console:?}");
    assert!(console[0].starts_with("console.error") && console[0].contains("e1"));
    assert!(console[1].starts_with("exception") && console[1].contains("e2"));
    // An inline style the page's CSP forbids: the browser's error log.
    page.goto(
        "data:text/html,<meta http-equiv=\"Content-Security-Policy\" content=\"style-src 'none'\">\
         <style>p{color:red}</style><p>styled</p>",
    )
    .unwrap();
    let console = page.console();
    assert_eq!(console.len(), 3, "{console:?}");
    assert!(console[2].starts_with("log error") && console[2].contains("Content Security Policy"));
}
