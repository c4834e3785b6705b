//! Failed logins, counted per account name and per client address, so a
//! password cannot be guessed at the speed of the network.
//!
//! After [`MAX_FAILURES`] failures within [`WINDOW`] for the name typed,
//! or [`MAX_FAILURES_PER_ADDRESS`] from the address, logins under that key are
//! refused with 429 until the oldest failure leaves the window; a
//! success does not clear the count (it would let a guesser holding one
//! valid account reset it). Kept in memory: a restart forgets, which
//! costs a guesser a restart they cannot cause.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Failures allowed within the window for one name.
pub const MAX_FAILURES: usize = 5;
/// Failures allowed within the window from one address: higher, since a
/// lab behind one router shares it and each member may mistype.
pub const MAX_FAILURES_PER_ADDRESS: usize = 20;
/// The window failures are counted in (5 minutes).
pub const WINDOW: Duration = Duration::from_secs(5 * 60);
/// Keys kept before expired ones are swept (bounds memory under a flood
/// of invented names).
const SWEEP_AT: usize = 10_000;

/// Failed logins per key, each the time of the failure.
#[derive(Debug, Default)]
pub struct Limiter {
    failures: Mutex<HashMap<String, VecDeque<Instant>>>,
}

/// What failures are counted under, and how many are allowed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Key {
    key: String,
    max: usize,
}

/// Returns the keys of a login attempt: the name (case folded) and the
/// client's address.
pub fn keys(name: &str, addr: Option<std::net::IpAddr>) -> Vec<Key> {
    let mut keys = vec![Key {
        key: format!("name:{}", name.trim().to_lowercase()),
        max: MAX_FAILURES,
    }];
    if let Some(addr) = addr {
        keys.push(Key {
            key: format!("addr:{addr}"),
            max: MAX_FAILURES_PER_ADDRESS,
        });
    }
    keys
}

impl Limiter {
    /// Returns how long to wait when any key is over its limit.
    pub fn blocked(&self, keys: &[Key]) -> Option<Duration> {
        let now = Instant::now();
        let map = self
            .failures
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        keys.iter()
            .filter_map(|k| Some((map.get(&k.key)?, k.max)))
            .filter_map(|(times, max)| {
                let recent: Vec<&Instant> = times
                    .iter()
                    .filter(|t| now.duration_since(**t) < WINDOW)
                    .collect();
                (recent.len() >= max).then(|| WINDOW.saturating_sub(now.duration_since(*recent[0])))
            })
            .max()
    }

    /// Counts a failure under every key.
    pub fn failed(&self, keys: &[Key]) {
        let now = Instant::now();
        let mut map = self
            .failures
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if map.len() >= SWEEP_AT {
            map.retain(|_, times| {
                times
                    .back()
                    .is_some_and(|t| now.duration_since(*t) < WINDOW)
            });
        }
        for key in keys {
            let times = map.entry(key.key.clone()).or_default();
            while times
                .front()
                .is_some_and(|t| now.duration_since(*t) >= WINDOW)
            {
                times.pop_front();
            }
            times.push_back(now);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sixth_attempt_within_the_window_waits_and_other_names_do_not() {
        let limiter = Limiter::default();
        let amira = keys("Amira", None);
        for _ in 0..MAX_FAILURES - 1 {
            limiter.failed(&amira);
        }
        assert_eq!(
            limiter.blocked(&amira),
            None,
            "four failures still allow a fifth try"
        );
        limiter.failed(&amira);
        let wait = limiter.blocked(&keys("amira", None)).unwrap();
        assert!(wait <= WINDOW && wait > WINDOW - Duration::from_secs(60));
        assert_eq!(limiter.blocked(&keys("bruno", None)), None);
    }

    #[test]
    fn an_address_is_limited_across_names() {
        let limiter = Limiter::default();
        let addr = Some(std::net::IpAddr::from([192, 0, 2, 7]));
        for i in 0..MAX_FAILURES_PER_ADDRESS {
            limiter.failed(&keys(&format!("name{i}"), addr));
        }
        assert!(limiter.blocked(&keys("someone-else", addr)).is_some());
        assert_eq!(limiter.blocked(&keys("someone-else", None)), None);
    }
}
