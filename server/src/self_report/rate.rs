//! Rate limits of the self-report form's submissions: a fixed window of an
//! hour per key (a link's grid, a client's address), in memory. A server
//! process counts its own submissions only; several processes over one
//! PostgreSQL database each allow the limit. The table of keys is bounded:
//! past [`MAX_KEYS`] the windows that ended are dropped, and if every key
//! is still live a new key is refused, which fails closed under a flood of
//! addresses.

use std::collections::HashMap;
use std::sync::Mutex;

/// The length of a window, in seconds.
pub const WINDOW_SECS: i64 = 3600;
/// The most keys counted at once.
pub const MAX_KEYS: usize = 100_000;

/// Counts per key within the current window.
#[derive(Debug, Default)]
pub struct RateLimiter {
    windows: Mutex<HashMap<String, (i64, u32)>>,
}

impl RateLimiter {
    /// Counts one event for `key` at `now` (Unix seconds); false if the key
    /// had `limit` events in its window already (the event is not counted).
    pub fn allow(&self, key: &str, limit: u32, now: i64) -> bool {
        let Ok(mut windows) = self.windows.lock() else {
            return false;
        };
        if windows.len() >= MAX_KEYS && !windows.contains_key(key) {
            windows.retain(|_, (start, _)| now - *start < WINDOW_SECS);
            if windows.len() >= MAX_KEYS {
                return false;
            }
        }
        let entry = windows.entry(key.to_owned()).or_insert((now, 0));
        if now - entry.0 >= WINDOW_SECS {
            *entry = (now, 0);
        }
        if entry.1 >= limit {
            return false;
        }
        entry.1 += 1;
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_gets_its_limit_per_window() {
        let limiter = RateLimiter::default();
        assert_eq!(
            (0..4)
                .map(|_| limiter.allow("a", 3, 100))
                .collect::<Vec<_>>(),
            [true, true, true, false]
        );
        assert!(limiter.allow("b", 3, 100), "keys count apart");
        assert!(!limiter.allow("a", 3, 100 + WINDOW_SECS - 1));
        assert!(limiter.allow("a", 3, 100 + WINDOW_SECS));
    }
}
