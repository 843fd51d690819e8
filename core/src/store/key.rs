//! [`StoreKey`], the encryption key of a store file, and how it is handed to
//! SQLCipher.
//!
//! Two kinds, because they cost very differently at every open: a raw key
//! (32 bytes, as the Android Keystore and the iOS Keychain hand them out) is
//! SQLCipher's key as it is, while a passphrase goes through SQLCipher's key
//! derivation (PBKDF2-HMAC-SHA512, 256,000 iterations) on each of the
//! store's connections. `gridbench` measures both (`open_raw_key_ms`,
//! `open_passphrase_ms`). A file keeps the kind it was created with: the
//! other kind, like a wrong key, is `NotADatabase`.
//!
//! To add a kind, add a variant, check it in [`StoreKey::check`] and say in
//! [`StoreKey::pragma`] what SQLCipher's `PRAGMA key` gets; a key never
//! appears in `Debug`, errors or logs.

use std::fmt::Write;

use crate::error::{Error, Result};
use crate::validate::InvalidReason;

/// The length of a raw key in bytes (SQLCipher's 256-bit key).
pub const RAW_KEY_BYTES: usize = 32;

/// The key of an encrypted store file. Prefer `Raw`: 32 random bytes kept by
/// the platform (Android Keystore, iOS Keychain) open a store in about a
/// millisecond; a `Passphrase` is stretched on every open, about a tenth of a
/// second per connection on a fast machine and more on a phone.
#[derive(Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum StoreKey {
    /// Exactly 32 bytes, used as SQLCipher's key without derivation. Keep
    /// them in the Android Keystore or the iOS Keychain, never in the app's
    /// files.
    Raw {
        /// The 32 key bytes.
        bytes: Vec<u8>,
    },
    /// A passphrase, derived into the key at every open (slow by design:
    /// use it only for files created with one).
    Passphrase {
        /// The passphrase, not empty.
        text: String,
    },
}

impl StoreKey {
    /// Refuses a key that cannot be applied: a raw key of another length
    /// than 32 bytes, an empty passphrase (SQLCipher would leave the file
    /// unencrypted). The field is `key`.
    pub(crate) fn check(&self) -> Result<()> {
        match self {
            StoreKey::Raw { bytes } if bytes.len() != RAW_KEY_BYTES => Err(Error::invalid(
                "key",
                InvalidReason::WrongLength {
                    expected: RAW_KEY_BYTES as i64,
                },
            )),
            StoreKey::Passphrase { text } if text.is_empty() => {
                Err(Error::invalid("key", InvalidReason::Empty))
            }
            _ => Ok(()),
        }
    }

    /// The value of SQLCipher's `PRAGMA key`: a raw key as the blob literal
    /// text `x'<64 hex digits>'` (applied without derivation), a passphrase
    /// as it is (derived, as every earlier version of Gridbook keyed files).
    pub(crate) fn pragma(&self) -> String {
        match self {
            StoreKey::Raw { bytes } => {
                let mut text = String::with_capacity(3 + 2 * bytes.len());
                text.push_str("x'");
                for byte in bytes {
                    // Writing to a String cannot fail.
                    let _ = write!(text, "{byte:02x}");
                }
                text.push('\'');
                text
            }
            StoreKey::Passphrase { text } => text.clone(),
        }
    }
}

impl std::fmt::Debug for StoreKey {
    /// Names the kind only: a key must not reach a log.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StoreKey::Raw { .. } => f.write_str("StoreKey::Raw(<redacted>)"),
            StoreKey::Passphrase { .. } => f.write_str("StoreKey::Passphrase(<redacted>)"),
        }
    }
}
