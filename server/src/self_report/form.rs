//! `GET /r/{token}` (the form) and `POST /r/{token}` (a report), the pages
//! residents reach from the QR code.
//!
//! Every answer carries the security headers of [`page_response`]: a CSP
//! without external sources (inline CSS and script under a per-response
//! nonce), `X-Frame-Options: DENY`, `Cache-Control: no-store`,
//! `Referrer-Policy: no-referrer`. A link that is not valid gets a page
//! saying so: expired or revoked 410, forged 403.
//!
//! A post is taken only when, in this order: the link is valid; the body
//! is `application/x-www-form-urlencoded` (415); the request comes from the
//! form's own page ([`same_origin`]: `Sec-Fetch-Site: same-origin` when
//! sent, `Origin` naming the request's `Host` or, from a page that sends
//! no referrer, `null` with `Sec-Fetch-Site`; neither header: refused; 403); the client address and the link's grid are under
//! their hourly limits (429); the body is at most [`MAX_FORM_BYTES`] (413);
//! the form's nonce was signed for this link within two hours (403); and
//! every field passes the core's checks (422, the form again with the
//! errors beside the fields and the resident's own values, nothing else).
//! Then the report is stored and the thanks page shows nothing of it.
//!
//! The client address is the connection's peer: behind a proxy, the
//! proxy's, so the per-address limit then counts the proxy as one client.

use std::net::SocketAddr;

use axum::body::Body;
use axum::extract::{ConnectInfo, Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use gridbook::Date;
use gridbook::self_report::SelfReportDraft;

use super::link::{LinkCheck, parse_token};
use super::page::{FormContext, form_page, message_page};
use super::{MAX_FORM_BYTES, SelfReportState};
use crate::http::AppState;
use crate::http::sync::read_body;
use crate::storage::{StoredSelfReport, now_unix};

/// China's UTC offset, in minutes: the day an ID number's birth date is
/// checked against.
const CHINA_OFFSET_MINUTES: i32 = 480;

/// A page with the security headers every self-report answer carries.
pub fn page_response(status: StatusCode, html: String, csp_nonce: &str) -> Response {
    let csp = format!(
        "default-src 'none'; script-src 'nonce-{csp_nonce}'; style-src 'nonce-{csp_nonce}'; \
         img-src data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
    );
    let mut response = (status, html).into_response();
    let headers = response.headers_mut();
    let set = |headers: &mut HeaderMap, name, value: &str| {
        if let Ok(value) = HeaderValue::from_str(value) {
            headers.insert(name, value);
        }
    };
    set(headers, header::CONTENT_TYPE, "text/html; charset=utf-8");
    set(headers, header::CONTENT_SECURITY_POLICY, &csp);
    set(headers, header::X_FRAME_OPTIONS, "DENY");
    set(headers, header::CACHE_CONTROL, "no-store");
    set(headers, header::REFERRER_POLICY, "no-referrer");
    set(headers, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    response
}

fn csp_nonce() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

fn message(status: StatusCode, title: &str, text: &str) -> Response {
    let nonce = csp_nonce();
    page_response(status, message_page(title, text, &nonce), &nonce)
}

/// Checks a link; the grid it names, or the page to answer instead.
async fn valid_grid(state: &AppState, token: &str) -> Result<String, Response> {
    let forged = || {
        message(
            StatusCode::FORBIDDEN,
            "链接无效",
            "这个申报链接无效或已被改动。请重新扫描网格员张贴的二维码，或联系网格员。",
        )
    };
    let Some(parts) = parse_token(token) else {
        return Err(forged());
    };
    let reports = &state.self_reports;
    let answer = async {
        let key = reports.key(state.storage.as_ref()).await?;
        let epoch = state
            .storage
            .self_report_epoch(parts.grid_id.to_owned())
            .await?;
        Ok::<_, crate::storage::StorageError>(key.check_link(&parts, epoch, now_unix()))
    };
    match answer.await {
        Ok(LinkCheck::Valid { grid_id, .. }) => Ok(grid_id),
        Ok(LinkCheck::Expired) => Err(message(
            StatusCode::GONE,
            "链接已过期",
            "链接已过期，请联系网格员获取新的申报二维码。",
        )),
        Ok(LinkCheck::Revoked) => Err(message(
            StatusCode::GONE,
            "链接已停用",
            "这个申报链接已被网格员停用，请联系网格员获取新的申报二维码。",
        )),
        Ok(LinkCheck::Forged) => Err(forged()),
        Err(e) => {
            tracing::error!(error = %e, "self-report link check failed");
            Err(message(
                StatusCode::SERVICE_UNAVAILABLE,
                "暂时无法申报",
                "服务器暂时无法处理，请稍后再试。",
            ))
        }
    }
}

fn form_response(
    status: StatusCode,
    state: &SelfReportState,
    token: &str,
    nonce: &str,
    draft: &SelfReportDraft,
    consent: bool,
    errors: &[gridbook::self_report::FieldError],
) -> Response {
    let csp = csp_nonce();
    let ctx = FormContext {
        token,
        nonce,
        csp_nonce: &csp,
        retention_days: state.settings.retention.as_secs().div_ceil(86_400),
    };
    page_response(status, form_page(&ctx, draft, consent, errors), &csp)
}

/// `GET /r/{token}`: the notice and the empty form.
pub async fn get_form(State(state): State<AppState>, Path(token): Path<String>) -> Response {
    let grid = match valid_grid(&state, &token).await {
        Ok(grid) => grid,
        Err(page) => return page,
    };
    let nonce = match state.self_reports.key(state.storage.as_ref()).await {
        Ok(key) => key.sign_nonce(&token, now_unix()),
        Err(_) => {
            return message(
                StatusCode::SERVICE_UNAVAILABLE,
                "暂时无法申报",
                "服务器暂时无法处理，请稍后再试。",
            );
        }
    };
    tracing::info!(grid = %grid, "self-report form served");
    form_response(
        StatusCode::OK,
        &state.self_reports,
        &token,
        &nonce,
        &SelfReportDraft::default(),
        false,
        &[],
    )
}

/// Whether the request comes from a page of this server: `Sec-Fetch-Site`,
/// if sent, is `same-origin`, and `Origin`, if sent, names the request's
/// `Host`. The form's pages send no referrer, so a browser posts them with
/// `Origin: null`: that is taken only with `Sec-Fetch-Site: same-origin`.
/// A request with neither header is refused.
pub fn same_origin(headers: &HeaderMap) -> bool {
    let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let host = text(header::HOST.as_str());
    let origin = text(header::ORIGIN.as_str());
    let fetch_site = text("sec-fetch-site");
    if fetch_site.is_some_and(|site| site != "same-origin") {
        return false;
    }
    match origin {
        None | Some("null") => fetch_site.is_some(),
        Some(origin) => {
            let authority = origin
                .strip_prefix("https://")
                .or_else(|| origin.strip_prefix("http://"));
            matches!((authority, host), (Some(a), Some(h)) if a.eq_ignore_ascii_case(h))
        }
    }
}

/// `POST /r/{token}`: a resident's report.
pub async fn post_form(
    State(state): State<AppState>,
    Path(token): Path<String>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let grid = match valid_grid(&state, &token).await {
        Ok(grid) => grid,
        Err(page) => return page,
    };
    let refused = |status, reason: &'static str, page: Response| {
        tracing::info!(grid = %grid, status = u16::from(status), reason, "self-report refused");
        page
    };
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if !content_type.split(';').next().is_some_and(|t| {
        t.trim()
            .eq_ignore_ascii_case("application/x-www-form-urlencoded")
    }) {
        let status = StatusCode::UNSUPPORTED_MEDIA_TYPE;
        return refused(
            status,
            "content type",
            message(status, "无法提交", "请通过申报页面提交。"),
        );
    }
    if !same_origin(&headers) {
        let status = StatusCode::FORBIDDEN;
        return refused(
            status,
            "cross-site",
            message(status, "无法提交", "请通过申报页面提交。"),
        );
    }
    let settings = &state.self_reports.settings;
    let now = now_unix();
    let limiter = &state.self_reports.limiter;
    if !limiter.allow(
        &format!("addr|{}", peer.ip()),
        settings.posts_per_address_per_hour,
        now,
    ) || !limiter.allow(
        &format!("grid|{grid}"),
        settings.posts_per_link_per_hour,
        now,
    ) {
        let status = StatusCode::TOO_MANY_REQUESTS;
        return refused(
            status,
            "rate limit",
            message(status, "提交过于频繁", "提交过于频繁，请稍后再试。"),
        );
    }
    let bytes = match read_body(&headers, body, MAX_FORM_BYTES, state.body_read_timeout).await {
        Ok(bytes) => bytes,
        Err(e) => {
            return refused(
                e.status,
                "body",
                message(
                    e.status,
                    "无法提交",
                    "提交的内容过多或不完整，请检查后重试。",
                ),
            );
        }
    };
    let fields: Vec<(String, String)> = form_urlencoded::parse(&bytes).into_owned().collect();
    let nonce = fields
        .iter()
        .find(|(k, _)| k == "nonce")
        .map(|(_, v)| v.as_str())
        .unwrap_or("");
    let key = match state.self_reports.key(state.storage.as_ref()).await {
        Ok(key) => key,
        Err(_) => {
            return message(
                StatusCode::SERVICE_UNAVAILABLE,
                "暂时无法申报",
                "服务器暂时无法处理，请稍后再试。",
            );
        }
    };
    if !key.check_nonce(nonce, &token, now) {
        let status = StatusCode::FORBIDDEN;
        return refused(
            status,
            "nonce",
            message(status, "页面已过期", "页面已过期，请重新扫描二维码后填写。"),
        );
    }
    let (draft, consent, mut errors) =
        SelfReportDraft::from_form(fields.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    if !consent {
        errors.push(gridbook::self_report::FieldError {
            field: gridbook::self_report::FieldName::Consent,
            problem: gridbook::self_report::Problem::NotAccepted,
        });
    }
    let today = Date::from_unix_millis(now.saturating_mul(1000), CHINA_OFFSET_MINUTES);
    let checked = draft.check(today);
    let report = match checked {
        Ok(report) if errors.is_empty() => report,
        other => {
            if let Err(mut more) = other {
                errors.append(&mut more);
            }
            tracing::info!(grid = %grid, errors = errors.len(), status = 422, "self-report has errors");
            // A fresh nonce: the resident may take their time again.
            let fresh = key.sign_nonce(&token, now);
            return form_response(
                StatusCode::UNPROCESSABLE_ENTITY,
                &state.self_reports,
                &token,
                &fresh,
                &draft,
                consent,
                &errors,
            );
        }
    };
    let stored = StoredSelfReport {
        report_id: uuid::Uuid::new_v4().hyphenated().to_string(),
        grid_id: grid.clone(),
        received_at: now,
        report: report.to_json(),
    };
    let report_id = stored.report_id.clone();
    if let Err(e) = state.storage.store_self_report(stored).await {
        tracing::error!(grid = %grid, error = %e, "storing a self-report failed");
        return message(
            StatusCode::SERVICE_UNAVAILABLE,
            "暂时无法申报",
            "服务器暂时无法处理，请稍后再试。",
        );
    }
    tracing::info!(grid = %grid, report = %report_id, members = report.members.len(), "self-report received");
    message(
        StatusCode::OK,
        "已提交，感谢",
        "已提交，感谢您的配合。网格员核对后会与您联系。",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, HeaderValue::from_static(value));
        }
        map
    }

    #[test]
    fn only_the_forms_own_page_may_post() {
        let host = ("host", "grid.example.cn");
        let same = ("sec-fetch-site", "same-origin");
        for (pairs, allowed) in [
            (
                vec![host, ("origin", "https://grid.example.cn"), same],
                true,
            ),
            (vec![host, ("origin", "https://grid.example.cn")], true),
            (vec![host, ("origin", "null"), same], true),
            (vec![host, same], true),
            (vec![host, ("origin", "null")], false),
            (vec![host], false),
            (vec![host, ("origin", "https://evil.example"), same], false),
            (
                vec![
                    host,
                    ("origin", "https://grid.example.cn"),
                    ("sec-fetch-site", "cross-site"),
                ],
                false,
            ),
            (vec![host, ("sec-fetch-site", "same-site")], false),
        ] {
            assert_eq!(same_origin(&headers(&pairs)), allowed, "{pairs:?}");
        }
    }
}
