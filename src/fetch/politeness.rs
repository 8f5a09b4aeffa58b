//! Being a good guest: how many requests one host gets at once, how far apart they start, and
//! what its robots.txt allows.
//!
//! A host is an origin's authority (`host:port`): two ports are two servers as far as load
//! goes. Each host has a semaphore of `--per-host` permits and a clock of the earliest moment
//! its next request may start, so requests start at least `--delay` apart (or the site's
//! `Crawl-delay`, if longer) however many tasks want that host. A 429 or 503 with
//! `Retry-After` moves that clock, so every task backs off from the host, not only the one
//! that was told to.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::{OnceCell, OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;
use url::Url;

/// The per-host limits, shared by every task.
pub struct HostGates {
    per_host: usize,
    delay: Duration,
    hosts: Mutex<HashMap<String, Arc<Host>>>,
}

struct Host {
    permits: Arc<Semaphore>,
    /// Earliest start of the next request, and the spacing between starts.
    clock: Mutex<(Instant, Duration)>,
}

/// The key requests are limited by.
pub fn host_key(url: &Url) -> String {
    let host = url.host_str().unwrap_or("");
    match url.port_or_known_default() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_string(),
    }
}

impl HostGates {
    pub fn new(per_host: usize, delay: Duration) -> HostGates {
        HostGates {
            per_host: per_host.max(1),
            delay,
            hosts: Mutex::new(HashMap::new()),
        }
    }

    fn host(&self, key: &str) -> Arc<Host> {
        let mut hosts = self.hosts.lock().expect("host table poisoned");
        hosts
            .entry(key.to_string())
            .or_insert_with(|| {
                Arc::new(Host {
                    permits: Arc::new(Semaphore::new(self.per_host)),
                    clock: Mutex::new((Instant::now(), self.delay)),
                })
            })
            .clone()
    }

    /// Waits for a permit for `key` and for its turn; the request may start when this
    /// returns and holds the host's permit until the permit is dropped.
    pub async fn enter(&self, key: &str) -> OwnedSemaphorePermit {
        let host = self.host(key);
        let permit = host
            .permits
            .clone()
            .acquire_owned()
            .await
            .expect("host semaphores are never closed");
        let start = {
            let mut clock = host.clock.lock().expect("host clock poisoned");
            let start = clock.0.max(Instant::now());
            clock.0 = start + clock.1;
            start
        };
        tokio::time::sleep_until(start).await;
        permit
    }

    /// A site's `Crawl-delay`: spacing becomes the longer of it and `--delay`.
    pub fn set_crawl_delay(&self, key: &str, delay: Duration) {
        let host = self.host(key);
        let mut clock = host.clock.lock().expect("host clock poisoned");
        clock.1 = clock.1.max(delay);
    }

    /// Nothing starts on `key` for `wait` (a `Retry-After`).
    pub fn hold_off(&self, key: &str, wait: Duration) {
        let host = self.host(key);
        let mut clock = host.clock.lock().expect("host clock poisoned");
        clock.0 = clock.0.max(Instant::now() + wait);
    }
}

/// What robots.txt says for one origin.
pub enum Rules {
    AllowAll,
    Parsed(Box<texting_robots::Robot>),
    /// robots.txt could not be read (5xx, unreachable): RFC 9309 §2.3.1.4 says assume
    /// everything is disallowed.
    DisallowAll(String),
}

impl Rules {
    /// Whether `url` may be fetched.
    pub fn allows(&self, url: &Url) -> bool {
        match self {
            Rules::AllowAll => true,
            Rules::Parsed(robot) => robot.allowed(url.as_str()),
            Rules::DisallowAll(_) => false,
        }
    }

    pub fn crawl_delay(&self) -> Option<Duration> {
        match self {
            Rules::Parsed(robot) => robot
                .delay
                .filter(|d| d.is_finite() && *d > 0.0)
                .map(|d| Duration::from_secs_f32(d.min(3600.0))),
            _ => None,
        }
    }
}

/// robots.txt per origin, fetched once however many tasks ask at the same time.
#[derive(Default)]
pub struct RobotsCache {
    origins: Mutex<HashMap<String, Arc<OnceCell<Rules>>>>,
}

impl RobotsCache {
    /// The cell for `url`'s origin, and the robots.txt URL to fill it from.
    pub fn cell(&self, url: &Url) -> (Arc<OnceCell<Rules>>, Url) {
        let origin = url.origin().ascii_serialization();
        let cell = self
            .origins
            .lock()
            .expect("robots table poisoned")
            .entry(origin)
            .or_default()
            .clone();
        let mut robots = url.clone();
        robots.set_path("/robots.txt");
        robots.set_query(None);
        robots.set_fragment(None);
        (cell, robots)
    }
}

/// The token robots.txt groups are matched against.
pub const ROBOTS_AGENT: &str = "credscan";

/// Reads a robots.txt body; one that cannot be parsed allows everything (as if absent).
pub fn parse_robots(body: &[u8]) -> Rules {
    match texting_robots::Robot::new(ROBOTS_AGENT, body) {
        Ok(robot) => Rules::Parsed(Box::new(robot)),
        Err(_) => Rules::AllowAll,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn robots_rules_for_our_agent() {
        let rules = parse_robots(
            b"User-agent: *\nDisallow: /private\nCrawl-delay: 2\n\nUser-agent: credscan\nDisallow: /nocredscan\nCrawl-delay: 0.5\n",
        );
        let url = |p: &str| Url::parse(&format!("https://acme.com{p}")).unwrap();
        assert!(rules.allows(&url("/jobs/1")));
        assert!(!rules.allows(&url("/nocredscan/1")));
        // Our own group replaces `*`, as RFC 9309 says.
        assert!(rules.allows(&url("/private/1")));
        assert_eq!(rules.crawl_delay(), Some(Duration::from_millis(500)));
    }

    #[tokio::test]
    async fn starts_are_spaced_by_the_delay() {
        let gates = HostGates::new(2, Duration::from_millis(100));
        let t0 = Instant::now();
        let mut starts = Vec::new();
        for _ in 0..3 {
            let permit = gates.enter("a:80").await;
            starts.push(t0.elapsed());
            drop(permit);
        }
        assert!(starts[0] < Duration::from_millis(50), "{starts:?}");
        assert!(starts[1] >= Duration::from_millis(100), "{starts:?}");
        assert!(starts[2] >= Duration::from_millis(200), "{starts:?}");
        gates.hold_off("a:80", Duration::from_millis(300));
        let _p = gates.enter("a:80").await;
        assert!(t0.elapsed() >= starts[2] + Duration::from_millis(300));
        // Another host is not held up.
        let t1 = Instant::now();
        let _q = gates.enter("b:80").await;
        assert!(t1.elapsed() < Duration::from_millis(50));
    }
}
