//! Residents' own reports by QR code, through a real server on SQLite and
//! on PostgreSQL (`GRIDBOOK_TEST_POSTGRES`, see `scripts/postgres`): links
//! only for the grid head assigned to the grid; expired, altered and
//! revoked links answered with a page; the form's security headers; a
//! wrong check digit a field error that stores nothing; a body too large,
//! too many posts, cross-site posts refused; reports listed only for the
//! grid's own workers and deleted once reviewed; nothing a resident typed
//! in the real binary's log; and, on the storage, the retention purge.
//!
//! To add a case: write `fn name(backend: Backend)` and list it in the
//! `both!` call at the end; `Setup` starts the server and its workers.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod common;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use common::{Kind, TestDb, block_on, with_storage};
use gridbook::codes::WorkerRole;
use gridbook_server::storage::{AssignmentScope, StoredSelfReport};
use gridbook_server::{Backend as ServerBackend, RunningServer, ServerConfig, Storage};
use serde_json::{Value, json};

const GRID: &str = "7c1b2f4e-3a5d-4e6f-8a9b-0c1d2e3f4a5b";
const OTHER_GRID: &str = "9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b";
/// A valid ID number (check character 6) and the same with a wrong one.
const GOOD_ID: &str = "110105198001010016";
const BAD_ID: &str = "110105198001010017";

#[derive(Debug, Clone, Copy)]
enum Backend {
    Sqlite,
    Postgres,
}

/// A server with: `head` (grid head of GRID), `assistant` (of GRID),
/// `other_head` (grid head of OTHER_GRID only), `department` (GRID,
/// events only); each with a device token.
struct Setup {
    server: RunningServer,
    head: String,
    assistant: String,
    other_head: String,
    department: String,
    _dir: tempfile::TempDir,
    db: Option<TestDb>,
}

impl Setup {
    fn new(backend: Backend, adjust: impl FnOnce(&mut ServerConfig)) -> Setup {
        let dir = tempfile::tempdir().unwrap();
        let (mut config, db) = match backend {
            Backend::Sqlite => (ServerConfig::sqlite_ephemeral(dir.path()), None),
            Backend::Postgres => {
                let db = block_on(TestDb::create());
                let mut config = ServerConfig::new(ServerBackend::Postgres {
                    conn: db.conn.clone(),
                });
                config.listen = SocketAddr::from(([127, 0, 0, 1], 0));
                (config, Some(db))
            }
        };
        adjust(&mut config);
        let server = gridbook_server::spawn(config).unwrap();
        let admin = server.admin();
        let token = |id: &str, name: &str, role, grid: &str, scope| {
            admin.add_worker(id, name, role, false).unwrap();
            admin.assign_scoped(id, grid, scope).unwrap();
            admin.issue_token(id, "手机").unwrap().token
        };
        let head = token(
            "w-head",
            "李明",
            WorkerRole::GridHead,
            GRID,
            AssignmentScope::All,
        );
        let assistant = token(
            "w-assistant",
            "赵磊",
            WorkerRole::Assistant,
            GRID,
            AssignmentScope::All,
        );
        let other_head = token(
            "w-other",
            "孙丽",
            WorkerRole::GridHead,
            OTHER_GRID,
            AssignmentScope::All,
        );
        let department = token(
            "w-dept",
            "街道房管所",
            WorkerRole::GridHead,
            GRID,
            AssignmentScope::Events,
        );
        Setup {
            server,
            head,
            assistant,
            other_head,
            department,
            _dir: dir,
            db,
        }
    }

    fn finish(self) {
        self.server.shutdown().unwrap();
        if let Some(db) = self.db {
            block_on(db.drop_db());
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.server.url)
    }

    /// `POST /v1/grids/{grid}/self-report-link` as `token`: (status, body).
    fn issue(&self, grid: &str, token: Option<&str>) -> (u16, Value) {
        let mut request = client().post(self.url(&format!("/v1/grids/{grid}/self-report-link")));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        answer(request.send().unwrap())
    }

    /// A link to GRID's form, issued to its grid head.
    fn link(&self) -> String {
        let (status, body) = self.issue(GRID, Some(&self.head));
        assert_eq!(status, 200, "{body}");
        body["url"].as_str().unwrap().to_string()
    }

    /// `GET /v1/grids/{grid}/self-reports` as `token`: (status, body).
    fn list(&self, grid: &str, token: &str) -> (u16, Value) {
        let response = client()
            .get(self.url(&format!("/v1/grids/{grid}/self-reports")))
            .bearer_auth(token)
            .send()
            .unwrap();
        answer(response)
    }

    fn reports(&self) -> Vec<Value> {
        let (status, body) = self.list(GRID, &self.head);
        assert_eq!(status, 200);
        body["reports"].as_array().unwrap().clone()
    }

    fn review(&self, id: &str, token: &str, outcome: &str) -> u16 {
        client()
            .post(self.url(&format!("/v1/grids/{GRID}/self-reports/{id}/review")))
            .bearer_auth(token)
            .header("content-type", "application/json")
            .body(json!({ "outcome": outcome }).to_string())
            .send()
            .unwrap()
            .status()
            .as_u16()
    }
}

/// A JSON answer: (status, body).
fn answer(response: reqwest::blocking::Response) -> (u16, Value) {
    let status = response.status().as_u16();
    (
        status,
        serde_json::from_str(&response.text().unwrap()).unwrap(),
    )
}

fn client() -> reqwest::blocking::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap()
}

/// `GET` of a link: (status, headers, page).
fn open(link: &str) -> (u16, reqwest::header::HeaderMap, String) {
    let response = client().get(link).send().unwrap();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    (status, headers, response.text().unwrap())
}

/// The form's nonce, from a page that holds the form.
fn nonce_of(page: &str) -> String {
    let at = page.find("name=\"nonce\" value=\"").unwrap() + "name=\"nonce\" value=\"".len();
    page[at..].split('"').next().unwrap().to_string()
}

/// A household of one, as the form posts it, with `id` as the ID number.
fn fields(nonce: &str, name: &str, id: &str) -> Vec<(String, String)> {
    [
        ("nonce", nonce),
        ("consent", "yes"),
        ("building", "3栋"),
        ("unit", "2"),
        ("floor", "5"),
        ("room", "502"),
        ("m0_name", name),
        ("m0_gender", "male"),
        ("m0_id_number", id),
        ("m0_birth_date", ""),
        ("m0_phone", "13800138000"),
        ("m0_relation", "02"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect()
}

fn encode(fields: &[(String, String)]) -> String {
    form_urlencoded::Serializer::new(String::new())
        .extend_pairs(fields)
        .finish()
}

/// Posts a form body to a link as the form's page would: (status, page).
fn post_as_page(link: &str, origin: &str, body: String) -> (u16, String) {
    post_with(
        link,
        body,
        &[("origin", origin), ("sec-fetch-site", "same-origin")],
    )
}

fn post_with(link: &str, body: String, headers: &[(&str, &str)]) -> (u16, String) {
    let mut request = client()
        .post(link)
        .header("content-type", "application/x-www-form-urlencoded");
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = request.body(body).send().unwrap();
    (response.status().as_u16(), response.text().unwrap())
}

/// Opens the link's form and posts one resident's household.
fn submit(setup: &Setup, link: &str, name: &str, id: &str) -> (u16, String) {
    let (_, _, page) = open(link);
    post_as_page(
        link,
        &setup.server.url,
        encode(&fields(&nonce_of(&page), name, id)),
    )
}

fn links_only_for_the_grid_head_assigned_to_the_grid(backend: Backend) {
    let setup = Setup::new(backend, |_| {});
    let (status, body) = setup.issue(GRID, Some(&setup.head));
    assert_eq!(status, 200, "{body}");
    let url = body["url"].as_str().unwrap();
    let token = url
        .strip_prefix(&format!("{}/r/", setup.server.url))
        .unwrap();
    let expires_at = body["expires_at"].as_i64().unwrap();
    // The token names the grid and the expiry, and a signature: nothing else.
    let parts: Vec<&str> = token.split('.').collect();
    assert_eq!(parts.len(), 3);
    assert_eq!(
        (parts[0], parts[1]),
        (GRID, expires_at.to_string().as_str())
    );
    assert!(parts[2].len() == 32 && parts[2].bytes().all(|b| b.is_ascii_hexdigit()));
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    assert!(
        (expires_at - now - 90 * 86_400).abs() <= 5,
        "90 days by default"
    );
    assert_eq!(open(url).0, 200);
    // Not a grid head, not assigned, only events, no token, not a UUID.
    assert_eq!(setup.issue(GRID, Some(&setup.assistant)).0, 403);
    assert_eq!(setup.issue(GRID, Some(&setup.other_head)).0, 403);
    assert_eq!(setup.issue(GRID, Some(&setup.department)).0, 403);
    assert_eq!(setup.issue(GRID, None).0, 401);
    assert_eq!(setup.issue("GRID", Some(&setup.head)).0, 400);
    // Revoking needs the same rights.
    let revoke = |token: &str| {
        client()
            .delete(setup.url(&format!("/v1/grids/{GRID}/self-report-link")))
            .bearer_auth(token)
            .send()
            .unwrap()
            .status()
            .as_u16()
    };
    assert_eq!(revoke(&setup.assistant), 403);
    assert_eq!(open(url).0, 200);
    setup.finish();
}

fn expired_altered_and_revoked_links_get_a_page(backend: Backend) {
    let setup = Setup::new(backend, |config| {
        config.self_report.link_lifetime = Duration::from_secs(1);
    });
    let short = setup.link();
    std::thread::sleep(Duration::from_millis(2100));
    let (status, _, page) = open(&short);
    assert_eq!(status, 410);
    assert!(page.contains("链接已过期"), "{page}");
    assert!(!page.contains("<form"));
    setup.finish();

    let setup = Setup::new(backend, |_| {});
    let link = setup.link();
    let (status, headers, form) = open(&link);
    assert_eq!(status, 200);
    assert!(form.contains("个人信息处理告知") && form.contains("<form"));
    let header = |name: &str| headers.get(name).unwrap().to_str().unwrap().to_string();
    let csp = header("content-security-policy");
    assert!(
        csp.starts_with("default-src 'none'; script-src 'nonce-"),
        "{csp}"
    );
    assert!(!csp.contains("http") && csp.contains("frame-ancestors 'none'"));
    assert_eq!(header("x-frame-options"), "DENY");
    assert_eq!(header("cache-control"), "no-store");
    assert_eq!(header("referrer-policy"), "no-referrer");
    assert!(header("content-type").starts_with("text/html"));
    // A signature changed, an expiry lengthened: forged.
    let mut altered = link.clone();
    let last = altered.pop().unwrap();
    altered.push(if last == '0' { '1' } else { '0' });
    let (_, rest) = link.rsplit_once("/r/").unwrap();
    let parts: Vec<&str> = rest.split('.').collect();
    let later = link.replace(
        &format!(".{}.", parts[1]),
        &format!(".{}.", parts[1].parse::<i64>().unwrap() + 86_400),
    );
    for forged in [altered, later, setup.url("/r/nothing")] {
        let (status, _, page) = open(&forged);
        assert_eq!(status, 403, "{forged}");
        assert!(page.contains("链接无效"));
    }
    // Revoked: every earlier link is gone; a new one works.
    let response = client()
        .delete(setup.url(&format!("/v1/grids/{GRID}/self-report-link")))
        .bearer_auth(&setup.head)
        .send()
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let (status, _, page) = open(&link);
    assert_eq!(status, 410);
    assert!(page.contains("链接已停用"));
    // A form opened before the revocation cannot be posted after it.
    let posted = encode(&fields(&nonce_of(&form), "王建国", GOOD_ID));
    assert_eq!(post_as_page(&link, &setup.server.url, posted).0, 410);
    assert_eq!(open(&setup.link()).0, 200);
    assert_eq!(setup.reports(), Vec::<Value>::new());
    setup.finish();
}

fn a_wrong_check_digit_is_a_field_error_and_stores_nothing(backend: Backend) {
    let setup = Setup::new(backend, |_| {});
    let link = setup.link();
    assert_eq!(submit(&setup, &link, "王建国", GOOD_ID).0, 200);
    let (status, page) = submit(&setup, &link, "李四", BAD_ID);
    assert_eq!(status, 422);
    assert!(
        page.contains("<p class=\"error\" id=\"err-m0_id_number\">身份证号校验位不正确</p>"),
        "{page}"
    );
    // Their own values back, nobody else's.
    assert!(page.contains("value=\"李四\"") && !page.contains("王建国"));
    assert_eq!(setup.reports().len(), 1);
    // Without accepting the notice: an error, nothing stored.
    let (_, _, form) = open(&link);
    let mut posted = fields(&nonce_of(&form), "李四", GOOD_ID);
    posted.retain(|(k, _)| k != "consent");
    let (status, page) = post_as_page(&link, &setup.server.url, encode(&posted));
    assert_eq!(status, 422);
    assert!(page.contains("请先阅读并同意个人信息处理告知"));
    assert_eq!(setup.reports().len(), 1);
    setup.finish();
}

fn a_report_is_listed_for_the_grids_workers_only_and_deleted_after_review(backend: Backend) {
    let setup = Setup::new(backend, |_| {});
    let link = setup.link();
    let (status, page) = submit(&setup, &link, "王建国", GOOD_ID);
    assert_eq!(status, 200);
    assert!(page.contains("已提交，感谢"));
    assert!(!page.contains("王建国") && !page.contains(GOOD_ID) && !page.contains("3栋"));
    let reports = setup.reports();
    assert_eq!(reports.len(), 1);
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
    let id = reports[0]["id"].as_str().unwrap().to_string();
    assert_eq!(
        setup.list(GRID, &setup.assistant).1["reports"],
        json!(reports)
    );
    assert_eq!(setup.list(GRID, &setup.other_head).0, 403);
    assert_eq!(setup.list(GRID, &setup.department).0, 403);
    assert_eq!(
        setup.list(OTHER_GRID, &setup.other_head).1["reports"],
        json!([])
    );
    // Reviewing: only the grid's workers, only a known outcome.
    assert_eq!(setup.review(&id, &setup.other_head, "accepted"), 403);
    assert_eq!(setup.review(&id, &setup.head, "maybe"), 400);
    assert_eq!(setup.reports().len(), 1);
    assert_eq!(setup.review(&id, &setup.assistant, "rejected"), 200);
    assert_eq!(setup.reports(), Vec::<Value>::new());
    assert_eq!(setup.review(&id, &setup.head, "accepted"), 404);
    setup.finish();
}

fn a_body_too_large_is_refused(backend: Backend) {
    let setup = Setup::new(backend, |_| {});
    let link = setup.link();
    let (_, _, form) = open(&link);
    let mut posted = fields(&nonce_of(&form), "王建国", GOOD_ID);
    posted.push(("m0_notes".into(), "长".repeat(6_000)));
    let body = encode(&posted);
    assert!(body.len() > 16 * 1024);
    let (status, page) = post_as_page(&link, &setup.server.url, body);
    assert_eq!(status, 413);
    assert!(page.contains("无法提交"));
    assert_eq!(setup.reports(), Vec::<Value>::new());
    setup.finish();
}

fn posts_over_the_hourly_limits_are_refused(backend: Backend) {
    let setup = Setup::new(backend, |config| {
        config.self_report.posts_per_address_per_hour = 3;
    });
    let link = setup.link();
    let statuses: Vec<u16> = (0..4)
        .map(|i| submit(&setup, &link, &format!("住户{i}"), GOOD_ID).0)
        .collect();
    assert_eq!(statuses, [200, 200, 200, 429]);
    assert_eq!(setup.reports().len(), 3);
    setup.finish();

    let setup = Setup::new(backend, |config| {
        config.self_report.posts_per_link_per_hour = 2;
    });
    let link = setup.link();
    let statuses: Vec<u16> = (0..3)
        .map(|i| submit(&setup, &link, &format!("住户{i}"), GOOD_ID).0)
        .collect();
    assert_eq!(statuses, [200, 200, 429]);
    assert_eq!(setup.reports().len(), 2);
    setup.finish();
}

fn cross_site_posts_are_refused(backend: Backend) {
    let setup = Setup::new(backend, |_| {});
    let link = setup.link();
    let (_, _, form) = open(&link);
    let body = encode(&fields(&nonce_of(&form), "王建国", GOOD_ID));
    let origin = setup.server.url.as_str();
    for headers in [
        vec![("origin", "https://evil.example")],
        vec![("origin", origin), ("sec-fetch-site", "cross-site")],
        vec![("sec-fetch-site", "same-site")],
        vec![("origin", "null")],
        vec![],
    ] {
        assert_eq!(
            post_with(&link, body.clone(), &headers).0,
            403,
            "{headers:?}"
        );
    }
    // Not a form post.
    let response = client()
        .post(&link)
        .header("content-type", "application/json")
        .header("origin", origin)
        .body("{}")
        .send()
        .unwrap();
    assert_eq!(response.status().as_u16(), 415);
    // A nonce missing, made up, or served for another link.
    let other = {
        let (status, body) = setup.issue(OTHER_GRID, Some(&setup.other_head));
        assert_eq!(status, 200);
        body["url"].as_str().unwrap().to_string()
    };
    let (_, _, other_form) = open(&other);
    for nonce in [String::new(), "1.abc".into(), nonce_of(&other_form)] {
        let (status, page) =
            post_as_page(&link, origin, encode(&fields(&nonce, "王建国", GOOD_ID)));
        assert_eq!(status, 403, "{nonce}");
        assert!(page.contains("页面已过期"));
    }
    assert_eq!(setup.reports(), Vec::<Value>::new());
    setup.finish();
}

// ---------------------------------------------------------------------------
// The storage: retention, review, revocation (both backends).
// ---------------------------------------------------------------------------

fn report(id: &str, grid: &str, at: i64) -> StoredSelfReport {
    StoredSelfReport {
        report_id: id.into(),
        grid_id: grid.into(),
        received_at: at,
        report: "{}".into(),
    }
}

async fn the_storage_keeps_reports_until_reviewed_or_past_retention(s: Arc<dyn Storage>) {
    s.add_worker(gridbook_server::storage::Worker {
        worker_id: "w1".into(),
        name: "王芳".into(),
        role: WorkerRole::GridHead,
        can_create_grids: false,
    })
    .await
    .unwrap();
    s.assign("w1".into(), GRID.into(), AssignmentScope::All)
        .await
        .unwrap();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let day = 86_400;
    for (id, age) in [
        ("a", 31 * day),
        ("b", 30 * day + 60),
        ("c", 29 * day),
        ("d", 0),
    ] {
        s.store_self_report(report(id, GRID, now - age))
            .await
            .unwrap();
    }
    assert!(matches!(
        s.store_self_report(report("e", OTHER_GRID, now)).await,
        Err(gridbook_server::StorageError::NotFound("grid"))
    ));
    let ids = |reports: Vec<StoredSelfReport>| -> Vec<String> {
        reports.into_iter().map(|r| r.report_id).collect()
    };
    assert_eq!(
        ids(s.self_reports(GRID.into()).await.unwrap()),
        ["a", "b", "c", "d"]
    );
    let purged = gridbook_server::housekeeping::purge_self_reports(
        s.as_ref(),
        Duration::from_secs(30 * day as u64),
    )
    .await
    .unwrap();
    assert_eq!(purged, 2);
    assert_eq!(ids(s.self_reports(GRID.into()).await.unwrap()), ["c", "d"]);
    assert!(s.delete_self_report(GRID.into(), "c".into()).await.unwrap());
    assert!(!s.delete_self_report(GRID.into(), "c".into()).await.unwrap());
    assert!(
        !s.delete_self_report(OTHER_GRID.into(), "d".into())
            .await
            .unwrap()
    );
    assert_eq!(ids(s.self_reports(GRID.into()).await.unwrap()), ["d"]);
    // Epochs count revocations; the secret, once made, stays.
    assert_eq!(s.self_report_epoch(GRID.into()).await.unwrap(), 0);
    assert_eq!(s.revoke_self_report_links(GRID.into()).await.unwrap(), 1);
    assert_eq!(s.revoke_self_report_links(GRID.into()).await.unwrap(), 2);
    assert_eq!(s.self_report_epoch(GRID.into()).await.unwrap(), 2);
    assert!(matches!(
        s.revoke_self_report_links(OTHER_GRID.into()).await,
        Err(gridbook_server::StorageError::NotFound("grid"))
    ));
    let name = gridbook_server::storage::SELF_REPORT_LINK_SECRET;
    assert_eq!(
        s.server_secret(name, vec![1; 32]).await.unwrap(),
        vec![1; 32]
    );
    assert_eq!(
        s.server_secret(name, vec![2; 32]).await.unwrap(),
        vec![1; 32]
    );
}

macro_rules! both {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[test]
                fn $name() {
                    super::$name(super::Backend::Sqlite);
                }
            )*
        }
        mod postgres {
            $(
                #[test]
                fn $name() {
                    super::$name(super::Backend::Postgres);
                }
            )*
        }
    };
}

both!(
    links_only_for_the_grid_head_assigned_to_the_grid,
    expired_altered_and_revoked_links_get_a_page,
    a_wrong_check_digit_is_a_field_error_and_stores_nothing,
    a_report_is_listed_for_the_grids_workers_only_and_deleted_after_review,
    a_body_too_large_is_refused,
    posts_over_the_hourly_limits_are_refused,
    cross_site_posts_are_refused,
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_storage_keeps_reports_until_reviewed_or_past_retention() {
    with_storage(
        Kind::Sqlite,
        the_storage_keeps_reports_until_reviewed_or_past_retention,
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_storage_keeps_reports_until_reviewed_or_past_retention() {
    with_storage(
        Kind::Postgres,
        the_storage_keeps_reports_until_reviewed_or_past_retention,
    )
    .await;
}

/// The real binary's log (info level) after a link, a form, a report with
/// an error and a good one: the requests and outcomes are there, nothing a
/// resident typed and no link token.
#[test]
fn nothing_a_resident_typed_reaches_the_log() {
    let data = tempfile::tempdir().unwrap();
    let token = common::worker_with_token(data.path(), &[]);
    common::admin(
        data.path(),
        &[],
        &["assign", "--worker", "w1", "--grid", GRID],
    );
    let server = common::ServerProcess::start(data.path(), &["--listen", "127.0.0.1:0"]);
    let response = client()
        .post(format!("{}/v1/grids/{GRID}/self-report-link", server.url))
        .bearer_auth(&token)
        .send()
        .unwrap();
    let (status, body) = answer(response);
    assert_eq!(status, 200, "{body}");
    let link = body["url"].as_str().unwrap().to_string();
    let signature = link.rsplit('.').next().unwrap().to_string();
    for (name, id, expected) in [("欧阳秀珍", BAD_ID, 422), ("欧阳秀珍", GOOD_ID, 200)] {
        let (_, _, form) = open(&link);
        let mut posted = fields(&nonce_of(&form), name, id);
        posted.push(("m0_phone".into(), "13905710231".into()));
        let (status, _) = post_as_page(&link, &server.url, encode(&posted));
        assert_eq!(status, expected);
    }
    let (_, log) = server.terminate();
    assert!(log.contains("self-report received"), "{log}");
    assert!(log.contains("self-report has errors"), "{log}");
    assert!(log.contains("/r/<token>"), "{log}");
    for secret in [
        "欧阳",
        GOOD_ID,
        BAD_ID,
        "13905710231",
        "13800138000",
        "3栋",
        &signature,
        &token,
    ] {
        assert!(!log.contains(secret), "the log holds {secret}:\n{log}");
    }
}
