//! Residents' own reports by QR code (扫码自主申报): a grid head's phone
//! asks for a signed, expiring link to its grid's form ([`api`]), prints it
//! as a QR code (`gridbook::self_report::qr_svg`), and residents who scan
//! it fill in their household on a page this server serves ([`form`]).
//! What they send is checked with the core's own checks
//! (`gridbook::self_report`) and kept apart in `self_reports` until a worker
//! of the grid reviews it ([`api`]: list, then mark reviewed, which deletes
//! it) or the retention period ends (`crate::housekeeping`). The server
//! never writes a report into the grid's documents.
//!
//! - [`link`]: the link's token and the form's nonce (HMAC-SHA256 under a
//!   secret the database keeps, made on first use);
//! - [`rate`]: submissions per link and per client address;
//! - [`page`]: the pages, self-contained (inline CSS and script under a
//!   per-response CSP nonce), in Chinese;
//! - [`form`]: `GET` and `POST /r/{token}`, with the abuse checks;
//! - [`api`]: the workers' endpoints under `/v1/grids/{grid}/`.
//!
//! Nothing a resident typed reaches a log line: handlers log the grid, the
//! outcome and the status only. To add a field to the form, add it to the
//! core's draft first (`gridbook::self_report`), then to [`page`]'s
//! member or household fields and to `form.js`'s checks.

use std::sync::Arc;
use std::time::Duration;

use crate::storage::{SELF_REPORT_LINK_SECRET, Storage, StorageResult};

pub mod api;
pub mod form;
pub mod link;
pub mod page;
pub mod rate;

/// The path prefix of the form: a link is `<base>/r/<token>`.
pub const FORM_PATH: &str = "/r";
/// The largest form body accepted (16 KiB: twelve members fit in a quarter).
pub const MAX_FORM_BYTES: usize = 16 * 1024;
/// The default retention of a report not yet reviewed: 30 days.
pub const DEFAULT_RETENTION_DAYS: u64 = 30;
/// The default lifetime of a link: 90 days (a poster in a stairwell).
pub const DEFAULT_LINK_DAYS: u64 = 90;
/// The default submissions per client address per hour.
pub const DEFAULT_POSTS_PER_ADDRESS: u32 = 20;
/// The default submissions per link's grid per hour.
pub const DEFAULT_POSTS_PER_LINK: u32 = 120;

/// The settings of self-reports (`ServerConfig::self_report`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SelfReportSettings {
    /// The origin links are made under, e.g. `https://grid.example.cn`
    /// (the address residents' phones reach, as a TLS proxy serves it).
    /// Without it, links use the server's own URL: `https://` with TLS,
    /// `http://` only on a loopback address. It must be `https://` unless
    /// its host is a loopback address.
    pub public_url: Option<String>,
    /// A report not reviewed is deleted this long after it arrived.
    pub retention: Duration,
    /// How long a new link stays valid.
    pub link_lifetime: Duration,
    /// Submissions accepted per client address per hour (counted before
    /// the checks, so failed ones count too).
    pub posts_per_address_per_hour: u32,
    /// Submissions accepted per grid's links per hour.
    pub posts_per_link_per_hour: u32,
}

impl Default for SelfReportSettings {
    fn default() -> SelfReportSettings {
        SelfReportSettings {
            public_url: None,
            retention: Duration::from_secs(DEFAULT_RETENTION_DAYS * 24 * 3600),
            link_lifetime: Duration::from_secs(DEFAULT_LINK_DAYS * 24 * 3600),
            posts_per_address_per_hour: DEFAULT_POSTS_PER_ADDRESS,
            posts_per_link_per_hour: DEFAULT_POSTS_PER_LINK,
        }
    }
}

impl SelfReportSettings {
    /// Refuses settings that cannot work: a public URL that is not a bare
    /// origin, or plain `http://` off loopback; zero durations or limits.
    pub fn check(&self) -> Result<(), String> {
        if let Some(url) = &self.public_url {
            check_public_url(url)?;
        }
        if self.retention.is_zero() {
            return Err("--self-report-retention-days must be at least 1".into());
        }
        if self.link_lifetime.is_zero() || self.link_lifetime > Duration::from_secs(366 * 86_400) {
            return Err("--self-report-link-days must be between 1 and 366".into());
        }
        if self.posts_per_address_per_hour == 0 || self.posts_per_link_per_hour == 0 {
            return Err("the self-report rate limits must be at least 1".into());
        }
        Ok(())
    }
}

/// Whether `host` (without port) is a loopback name or address.
pub fn is_loopback_host(host: &str) -> bool {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    bare.eq_ignore_ascii_case("localhost")
        || bare
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// The host of an `authority` (`host[:port]`, `[v6]:port`).
fn host_of(authority: &str) -> &str {
    if authority.starts_with('[') {
        return authority.split(']').next().unwrap_or(authority);
    }
    authority.split(':').next().unwrap_or(authority)
}

fn check_public_url(url: &str) -> Result<(), String> {
    let (scheme, authority) = url
        .split_once("://")
        .ok_or("--public-url must look like https://grid.example.cn")?;
    let authority = authority.trim_end_matches('/');
    if authority.is_empty()
        || authority.contains(['/', '?', '#', '@', ' '])
        || !authority.is_ascii()
    {
        return Err("--public-url must be an origin only: https://host[:port]".into());
    }
    match scheme {
        "https" => Ok(()),
        "http" if is_loopback_host(host_of(authority).trim_start_matches('[')) => Ok(()),
        _ => Err(
            "--public-url must be https:// (residents' phones reach the form over the \
             network; plain http only on a loopback address)"
                .into(),
        ),
    }
}

/// The origin links are made under, from the settings and the server's
/// own URL, or `None` when the server cannot tell one that residents can
/// use safely (listening on every address, or plain HTTP off loopback,
/// without `--public-url`): then no link is issued.
pub fn link_base(settings: &SelfReportSettings, server_url: &str) -> Option<String> {
    if let Some(url) = &settings.public_url {
        return Some(url.trim_end_matches('/').to_owned());
    }
    let (scheme, authority) = server_url.split_once("://")?;
    let host = host_of(authority);
    let unspecified = host
        .trim_start_matches('[')
        .parse::<std::net::IpAddr>()
        .is_ok_and(|ip| ip.is_unspecified());
    match scheme {
        _ if unspecified => None,
        "https" => Some(server_url.to_owned()),
        "http" if is_loopback_host(host.trim_start_matches('[')) => Some(server_url.to_owned()),
        _ => None,
    }
}

/// What the self-report handlers share (in `AppState`).
#[derive(Debug)]
pub struct SelfReportState {
    /// The settings.
    pub settings: SelfReportSettings,
    /// The origin of links, if the server can make them (see [`link_base`]).
    pub link_base: Option<String>,
    /// Submissions counted per key.
    pub limiter: rate::RateLimiter,
    key: tokio::sync::OnceCell<link::LinkKey>,
}

impl SelfReportState {
    /// The state for a server whose own URL is `server_url`.
    pub fn new(settings: SelfReportSettings, server_url: &str) -> Arc<SelfReportState> {
        Arc::new(SelfReportState {
            link_base: link_base(&settings, server_url),
            settings,
            limiter: rate::RateLimiter::default(),
            key: tokio::sync::OnceCell::new(),
        })
    }

    /// The link key: the database's secret, made on first use.
    pub async fn key(&self, storage: &dyn Storage) -> StorageResult<&link::LinkKey> {
        self.key
            .get_or_try_init(|| async {
                let secret = storage
                    .server_secret(SELF_REPORT_LINK_SECRET, link::fresh_secret())
                    .await?;
                Ok(link::LinkKey::new(secret))
            })
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_are_https_unless_on_loopback() {
        let settings = SelfReportSettings::default();
        let base = |url: &str| link_base(&settings, url);
        assert_eq!(
            base("http://127.0.0.1:8722").as_deref(),
            Some("http://127.0.0.1:8722")
        );
        assert_eq!(
            base("http://[::1]:8722").as_deref(),
            Some("http://[::1]:8722")
        );
        assert_eq!(
            base("https://10.0.0.5:443").as_deref(),
            Some("https://10.0.0.5:443")
        );
        assert_eq!(base("http://10.0.0.5:8722"), None);
        assert_eq!(base("https://0.0.0.0:443"), None);
        let public = SelfReportSettings {
            public_url: Some("https://grid.example.cn/".into()),
            ..SelfReportSettings::default()
        };
        assert_eq!(public.check(), Ok(()));
        assert_eq!(
            link_base(&public, "http://10.0.0.5:8722").as_deref(),
            Some("https://grid.example.cn")
        );
        for bad in [
            "http://grid.example.cn",
            "grid.example.cn",
            "https://grid.example.cn/path",
            "https://",
        ] {
            let settings = SelfReportSettings {
                public_url: Some(bad.into()),
                ..SelfReportSettings::default()
            };
            assert!(settings.check().is_err(), "{bad}");
        }
        let local = SelfReportSettings {
            public_url: Some("http://localhost:8722".into()),
            ..SelfReportSettings::default()
        };
        assert_eq!(local.check(), Ok(()));
    }
}
