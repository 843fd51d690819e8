//! Self-report links and form nonces, signed with HMAC-SHA256 under the
//! server's secret (`server_secrets`, made on first use).
//!
//! A link's token is `<grid>.<expiry>.<mac>`: the grid's opaque id, the
//! expiry in Unix seconds and the first 128 bits of
//! HMAC(secret, `link|<grid>|<expiry>|<epoch>`) in hex. The grid's epoch
//! is not in the token: the server keeps it (`self_report_links`), and
//! revoking a grid's links moves it on, so a link signed under an earlier
//! epoch is told apart as revoked. Nothing else, and nothing personal, is in
//! a token.
//!
//! A form's nonce is `<issued>.<mac>` with HMAC(secret,
//! `form|<token>|<issued>`): it ties the posted form to the link it was
//! served under and expires after [`NONCE_LIFETIME_SECS`] (two hours). To change a format,
//! change its prefix (`link|`, `form|`) so that no old signature verifies.

use hmac::{KeyInit, Mac};
use sha2::Sha256;

type HmacSha256 = hmac::Hmac<Sha256>;

/// How long a form served may be posted back.
pub const NONCE_LIFETIME_SECS: i64 = 2 * 3600;
/// The hex digits of a signature (128 bits).
const MAC_HEX: usize = 32;
/// How many earlier epochs are tried to tell a revoked link from a forged one.
const EPOCHS_LOOKED_BACK: u64 = 64;

/// The key links and nonces are signed with.
#[derive(Clone)]
pub struct LinkKey(Vec<u8>);

impl std::fmt::Debug for LinkKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("LinkKey(<redacted>)")
    }
}

/// A fresh random secret for [`LinkKey`]: 32 bytes from the operating
/// system's random source (two UUID v4s, as device tokens are made).
pub fn fresh_secret() -> Vec<u8> {
    let mut out = Vec::with_capacity(32);
    out.extend_from_slice(uuid::Uuid::new_v4().as_bytes());
    out.extend_from_slice(uuid::Uuid::new_v4().as_bytes());
    out
}

/// What a link's token says, once checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkCheck {
    /// Signed under the grid's current epoch and not expired.
    Valid {
        /// The grid.
        grid_id: String,
        /// When it expires (Unix seconds).
        expires_at: i64,
    },
    /// Genuine, but past its expiry.
    Expired,
    /// Genuine, but the grid's links were revoked since.
    Revoked,
    /// Not a token this server signed (or altered).
    Forged,
}

/// A token's parts, before the signature is checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenParts<'a> {
    /// The grid id it names.
    pub grid_id: &'a str,
    /// Its expiry.
    pub expires_at: i64,
    mac: &'a str,
}

/// Splits a token; `None` for anything not shaped like one.
pub fn parse_token(token: &str) -> Option<TokenParts<'_>> {
    let mut parts = token.split('.');
    let (grid_id, expiry, mac) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some()
        || grid_id.is_empty()
        || grid_id.len() > 64
        || !grid_id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        || expiry.is_empty()
        || expiry.len() > 12
        || !expiry.bytes().all(|b| b.is_ascii_digit())
        || mac.len() != MAC_HEX
    {
        return None;
    }
    Some(TokenParts {
        grid_id,
        expires_at: expiry.parse().ok()?,
        mac,
    })
}

impl LinkKey {
    /// A key over the server's secret.
    pub fn new(secret: Vec<u8>) -> LinkKey {
        LinkKey(secret)
    }

    fn mac(&self, message: &str) -> String {
        // HMAC takes a key of any length; the error cannot happen.
        match HmacSha256::new_from_slice(&self.0) {
            Ok(mut mac) => {
                mac.update(message.as_bytes());
                let full = hex::encode(mac.finalize().into_bytes());
                full.get(..MAC_HEX).unwrap_or(&full).to_owned()
            }
            Err(_) => String::new(),
        }
    }

    fn link_mac(&self, grid_id: &str, expires_at: i64, epoch: u64) -> String {
        self.mac(&format!("link|{grid_id}|{expires_at}|{epoch}"))
    }

    /// The token of a link to `grid_id`'s form, valid until `expires_at`,
    /// signed under the grid's current `epoch`.
    pub fn sign_link(&self, grid_id: &str, expires_at: i64, epoch: u64) -> String {
        format!(
            "{grid_id}.{expires_at}.{}",
            self.link_mac(grid_id, expires_at, epoch)
        )
    }

    /// Checks a token's parts against the grid's current `epoch` at `now`.
    pub fn check_link(&self, parts: &TokenParts<'_>, epoch: u64, now: i64) -> LinkCheck {
        let signed_under = |e: u64| {
            constant_eq(
                &self.link_mac(parts.grid_id, parts.expires_at, e),
                parts.mac,
            )
        };
        if signed_under(epoch) {
            if parts.expires_at <= now {
                return LinkCheck::Expired;
            }
            return LinkCheck::Valid {
                grid_id: parts.grid_id.to_owned(),
                expires_at: parts.expires_at,
            };
        }
        let earliest = epoch.saturating_sub(EPOCHS_LOOKED_BACK);
        if (earliest..epoch).rev().any(signed_under) {
            return LinkCheck::Revoked;
        }
        LinkCheck::Forged
    }

    /// A nonce for a form served under `token` at `now`.
    pub fn sign_nonce(&self, token: &str, now: i64) -> String {
        format!("{now}.{}", self.mac(&format!("form|{token}|{now}")))
    }

    /// Whether `nonce` was signed for `token` in the last
    /// [`NONCE_LIFETIME_SECS`] before `now` (a minute of clock skew
    /// allowed the other way).
    pub fn check_nonce(&self, nonce: &str, token: &str, now: i64) -> bool {
        let Some((issued, mac)) = nonce.split_once('.') else {
            return false;
        };
        let Ok(issued_at) = issued.parse::<i64>() else {
            return false;
        };
        if issued.len() > 12 || issued_at > now + 60 || now - issued_at > NONCE_LIFETIME_SECS {
            return false;
        }
        constant_eq(&self.mac(&format!("form|{token}|{issued}")), mac)
    }
}

/// Compares two signatures in time independent of where they differ.
fn constant_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const GRID: &str = "abb7ebd0-7741-4471-bd7e-d78d0127307a";

    fn key() -> LinkKey {
        LinkKey::new(b"a secret of the tests".to_vec())
    }

    #[test]
    fn a_link_verifies_until_it_expires_and_names_only_grid_and_expiry() {
        let token = key().sign_link(GRID, 2_000, 0);
        let parts = parse_token(&token).unwrap();
        assert_eq!((parts.grid_id, parts.expires_at), (GRID, 2_000));
        assert_eq!(token.split('.').count(), 3);
        assert_eq!(
            key().check_link(&parts, 0, 1_999),
            LinkCheck::Valid {
                grid_id: GRID.into(),
                expires_at: 2_000
            }
        );
        assert_eq!(key().check_link(&parts, 0, 2_000), LinkCheck::Expired);
    }

    #[test]
    fn a_revoked_or_altered_link_is_refused() {
        let token = key().sign_link(GRID, 2_000, 3);
        let parts = parse_token(&token).unwrap();
        assert_eq!(key().check_link(&parts, 4, 10), LinkCheck::Revoked);
        // A later expiry with the old signature; another grid; another key.
        let longer = token.replace(".2000.", ".9000.");
        let parts = parse_token(&longer).unwrap();
        assert_eq!(key().check_link(&parts, 3, 10), LinkCheck::Forged);
        let other = token.replace("abb7", "abb8");
        assert_eq!(
            key().check_link(&parse_token(&other).unwrap(), 3, 10),
            LinkCheck::Forged
        );
        let foreign = LinkKey::new(b"another server".to_vec());
        assert_eq!(
            foreign.check_link(&parse_token(&token).unwrap(), 3, 10),
            LinkCheck::Forged
        );
        for junk in [
            "",
            "a.b.c",
            "x.1.",
            "a.1.2.3",
            "a b.1.00000000000000000000000000000000",
        ] {
            assert_eq!(parse_token(junk), None, "{junk}");
        }
    }

    #[test]
    fn a_nonce_is_tied_to_its_link_and_expires() {
        let nonce = key().sign_nonce("t1", 1_000);
        assert!(key().check_nonce(&nonce, "t1", 1_000 + NONCE_LIFETIME_SECS));
        assert!(!key().check_nonce(&nonce, "t1", 1_001 + NONCE_LIFETIME_SECS));
        assert!(!key().check_nonce(&nonce, "t2", 1_000));
        assert!(!key().check_nonce(&nonce, "t1", 900));
        assert!(!key().check_nonce("1000.00", "t1", 1_000));
        assert!(!key().check_nonce("", "t1", 1_000));
    }
}
