//! Failed logins, counted per account name and per client address, so a
//! password cannot be guessed at the speed of the network.
//!
//! After [`MAX_FAILURES`] failures within [`WINDOW`] under one key (the
//! name typed, or the address it came from), logins under that key are
//! refused with 429 until the oldest failure leaves the window; a
//! success does not clear the count (it would let a guesser holding one
//! valid account reset it). Kept in memory: a restart forgets, which
//! costs a guesser a restart they cannot cause.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Failures allowed within the window, per name and per address.
pub const MAX_FAILURES: usize = 5;
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

/// Returns the keys of a login attempt: the name (case folded) and the
/// client's address.
pub fn keys(name: &str, addr: Option<std::net::IpAddr>) -> Vec<String> {
    let mut keys = vec![format!("name:{}", name.trim().to_lowercase())];
    if let Some(addr) = addr {
        keys.push(format!("addr:{addr}"));
    }
    keys
}

impl Limiter {
    /// Returns how long to wait when any key is over its limit.
    pub fn blocked(&self, keys: &[String]) -> Option<Duration> {
        let now = Instant::now();
        let map = self
            .failures
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        keys.iter()
            .filter_map(|k| map.get(k))
            .filter_map(|times| {
                let recent: Vec<&Instant> = times
                    .iter()
                    .filter(|t| now.duration_since(**t) < WINDOW)
                    .collect();
                (recent.len() >= MAX_FAILURES)
                    .then(|| WINDOW.saturating_sub(now.duration_since(*recent[0])))
            })
            .max()
    }

    /// Counts a failure under every key.
    pub fn failed(&self, keys: &[String]) {
        let now = Instant::now();
        let mut map = self
            .failures
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if map.len() >= SWEEP_AT {
            map.retain(|_, times| times.back().is_some_and(|t| now.duration_since(*t) < WINDOW));
        }
        for key in keys {
            let times = map.entry(key.clone()).or_default();
            while times.front().is_some_and(|t| now.duration_since(*t) >= WINDOW) {
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
        assert_eq!(limiter.blocked(&amira), None, "four failures still allow a fifth try");
        limiter.failed(&amira);
        let wait = limiter.blocked(&keys("amira", None)).unwrap();
        assert!(wait <= WINDOW && wait > WINDOW - Duration::from_secs(60));
        assert_eq!(limiter.blocked(&keys("bruno", None)), None);
    }

    #[test]
    fn an_address_is_limited_across_names() {
        let limiter = Limiter::default();
        let addr = Some(std::net::IpAddr::from([192, 0, 2, 7]));
        for i in 0..MAX_FAILURES {
            limiter.failed(&keys(&format!("name{i}"), addr));
        }
        assert!(limiter.blocked(&keys("someone-else", addr)).is_some());
        assert_eq!(limiter.blocked(&keys("someone-else", None)), None);
    }
}
