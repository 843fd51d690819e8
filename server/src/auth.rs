//! Device tokens: how they are made, hashed and read from a request.
//!
//! A token is `gbt_` followed by 64 random hex digits (two UUID v4s, from
//! the operating system's random source). Only its SHA-256 is stored, so a
//! copy of the database does not let anyone sync. To change the format,
//! keep accepting the old one: tokens live on devices for years.

use sha2::{Digest, Sha256};

/// The prefix of every device token.
pub const TOKEN_PREFIX: &str = "gbt_";

/// A new random device token.
pub fn new_token() -> String {
    format!(
        "{TOKEN_PREFIX}{}{}",
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    )
}

/// The lowercase hex SHA-256 of a token, as stored.
pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// The bearer token of an `Authorization` header value, if it has one.
pub fn bearer(header: Option<&str>) -> Option<&str> {
    let value = header?.trim();
    let (scheme, token) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("bearer") {
        return None;
    }
    let token = token.trim();
    (!token.is_empty()).then_some(token)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_and_hashes_stable() {
        let a = new_token();
        let b = new_token();
        assert_ne!(a, b);
        assert_eq!(a.len(), 4 + 64);
        assert!(a.starts_with(TOKEN_PREFIX));
        assert_eq!(
            hash_token("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn bearer_parsing() {
        assert_eq!(bearer(Some("Bearer gbt_x")), Some("gbt_x"));
        assert_eq!(bearer(Some("bearer  gbt_x ")), Some("gbt_x"));
        assert_eq!(bearer(Some("Basic abc")), None);
        assert_eq!(bearer(Some("Bearer ")), None);
        assert_eq!(bearer(None), None);
    }
}
