//! One polite, fault-tolerant GET: every request fetch makes goes through [`Client::get`].
//!
//! It waits for the host's turn and a global slot, retries what is worth retrying (connection
//! errors, timeouts, 429, 5xx) with exponential backoff and jitter or the server's
//! `Retry-After`, stops reading at `--max-bytes` (after gzip/brotli decoding, so a
//! decompression bomb is stopped too), and writes one line to `fetch-log.jsonl` when done.
//! Its error says whether retrying could have helped, which is the one thing callers branch on.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use futures_util::StreamExt;
use reqwest::header::{HeaderMap, RETRY_AFTER};
use reqwest::StatusCode;
use tokio::sync::Semaphore;
use tokio::time::Instant;
use url::Url;

use super::politeness::{host_key, HostGates};
use super::store::{LogEntry, Store};
use super::Settings;

/// Backoff before retry `n` (1-based) is about `BACKOFF_BASE * 2^(n-1)`, jittered, capped.
const BACKOFF_BASE: Duration = Duration::from_millis(500);
const BACKOFF_CAP: Duration = Duration::from_secs(30);
/// A `Retry-After` longer than this is cut to it: a run should not sleep for an hour.
const RETRY_AFTER_CAP: Duration = Duration::from_secs(120);

/// A successful response, read in full.
pub struct Fetched {
    pub body: Vec<u8>,
}

/// Why a GET failed after all its attempts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FetchError {
    /// The server answered with this non-success status.
    Status(u16),
    Timeout,
    /// Could not connect, or the connection broke mid-response.
    Connection(String),
    /// The body (decoded) is larger than `--max-bytes`.
    TooLarge(u64),
    TooManyRedirects,
    Other(String),
}

impl FetchError {
    /// Whether another attempt could succeed.
    pub fn is_retryable(&self) -> bool {
        match self {
            FetchError::Status(code) => *code == 408 || *code == 429 || *code >= 500,
            FetchError::Timeout | FetchError::Connection(_) => true,
            FetchError::TooLarge(_) | FetchError::TooManyRedirects | FetchError::Other(_) => false,
        }
    }

    /// The short label written as the log's `outcome`.
    fn outcome(&self) -> &'static str {
        match self {
            FetchError::Status(404) => "not-found",
            FetchError::Status(_) => "http-status",
            FetchError::Timeout => "timeout",
            FetchError::Connection(_) => "connection",
            FetchError::TooLarge(_) => "too-large",
            FetchError::TooManyRedirects => "too-many-redirects",
            FetchError::Other(_) => "error",
        }
    }

    fn from_reqwest(e: &reqwest::Error) -> FetchError {
        if e.is_timeout() {
            FetchError::Timeout
        } else if e.is_redirect() {
            FetchError::TooManyRedirects
        } else if e.is_connect() || e.is_request() || e.is_body() || e.is_decode() {
            // A reset mid-body surfaces as a body or decode error: all are worth another try.
            FetchError::Connection(error_chain(e))
        } else {
            FetchError::Other(error_chain(e))
        }
    }
}

impl fmt::Display for FetchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FetchError::Status(code) => {
                let reason = StatusCode::from_u16(*code)
                    .ok()
                    .and_then(|s| s.canonical_reason())
                    .unwrap_or("");
                write!(f, "HTTP {code} {reason}")
            }
            FetchError::Timeout => write!(f, "timed out"),
            FetchError::Connection(e) => write!(f, "connection failed: {e}"),
            FetchError::TooLarge(max) => write!(f, "response larger than --max-bytes {max}"),
            FetchError::TooManyRedirects => write!(f, "too many redirects"),
            FetchError::Other(e) => write!(f, "{e}"),
        }
    }
}

/// reqwest's top-level message is vague ("error sending request"); the cause says why.
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        text.push_str(": ");
        text.push_str(&c.to_string());
        cause = c.source();
    }
    text
}

/// Counters shared by every task, turned into the summary at the end.
#[derive(Default)]
pub struct RequestStats {
    pub requests: AtomicU64,
    pub retries: AtomicU64,
    pub bytes: AtomicU64,
}

/// What a request is for, recorded in the log.
pub struct Purpose<'a> {
    pub source: &'a str,
    pub what: &'a str,
}

pub struct Client {
    http: reqwest::Client,
    pub gates: HostGates,
    global: Semaphore,
    retries: u32,
    max_bytes: u64,
    store: Arc<Store>,
    pub stats: RequestStats,
}

impl Client {
    pub fn new(settings: &Settings, store: Arc<Store>) -> anyhow::Result<Client> {
        let http = reqwest::Client::builder()
            .user_agent(settings.user_agent.clone())
            .connect_timeout(settings.connect_timeout)
            .read_timeout(settings.timeout)
            .timeout(settings.timeout * 4)
            .redirect(reqwest::redirect::Policy::limited(settings.max_redirects))
            .build()?;
        Ok(Client {
            http,
            gates: HostGates::new(settings.per_host, settings.delay),
            global: Semaphore::new(settings.concurrency.max(1)),
            retries: settings.retries,
            max_bytes: settings.max_bytes,
            store,
            stats: RequestStats::default(),
        })
    }

    /// GETs `url` politely, retrying transient failures, and logs the outcome.
    pub async fn get(&self, url: &Url, purpose: &Purpose<'_>) -> Result<Fetched, FetchError> {
        let key = host_key(url);
        let started = Instant::now();
        let mut attempts = 0;
        let (result, status, bytes) = loop {
            attempts += 1;
            let (result, status, retry_after) = self.attempt(url, &key).await;
            let bytes = result.as_ref().map_or(0, |f| f.body.len() as u64);
            self.stats.bytes.fetch_add(bytes, Ordering::Relaxed);
            let retry = match &result {
                Err(e) => e.is_retryable() && attempts <= self.retries,
                Ok(_) => false,
            };
            if !retry {
                break (result, status, bytes);
            }
            self.stats.retries.fetch_add(1, Ordering::Relaxed);
            let wait = match retry_after {
                Some(wait) => {
                    self.gates.hold_off(&key, wait);
                    wait
                }
                None => backoff(attempts),
            };
            tokio::time::sleep(wait).await;
        };
        let error = result.as_ref().err();
        self.store.log(&LogEntry {
            time: crate::date::now_iso(),
            source: purpose.source,
            what: purpose.what,
            url: url.as_str(),
            status,
            bytes,
            ms: started.elapsed().as_millis() as u64,
            attempts,
            outcome: error.map_or("ok", FetchError::outcome),
            error: error.map(ToString::to_string),
        });
        result
    }

    /// One attempt: the response (or error), the status seen, and any `Retry-After`.
    async fn attempt(
        &self,
        url: &Url,
        key: &str,
    ) -> (Result<Fetched, FetchError>, Option<u16>, Option<Duration>) {
        let _host = self.gates.enter(key).await;
        let _slot = self.global.acquire().await.expect("never closed");
        self.stats.requests.fetch_add(1, Ordering::Relaxed);
        let response = match self.http.get(url.clone()).send().await {
            Ok(r) => r,
            Err(e) => return (Err(FetchError::from_reqwest(&e)), None, None),
        };
        let status = response.status();
        if !status.is_success() {
            let retry_after = retry_after(response.headers(), SystemTime::now());
            return (
                Err(FetchError::Status(status.as_u16())),
                Some(status.as_u16()),
                retry_after,
            );
        }
        if response
            .content_length()
            .is_some_and(|n| n > self.max_bytes)
        {
            return (
                Err(FetchError::TooLarge(self.max_bytes)),
                Some(status.as_u16()),
                None,
            );
        }
        let mut body = Vec::new();
        let mut stream = response.bytes_stream();
        while let Some(chunk) = stream.next().await {
            let chunk = match chunk {
                Ok(c) => c,
                Err(e) => {
                    return (
                        Err(FetchError::from_reqwest(&e)),
                        Some(status.as_u16()),
                        None,
                    )
                }
            };
            if (body.len() + chunk.len()) as u64 > self.max_bytes {
                return (
                    Err(FetchError::TooLarge(self.max_bytes)),
                    Some(status.as_u16()),
                    None,
                );
            }
            body.extend_from_slice(&chunk);
        }
        (Ok(Fetched { body }), Some(status.as_u16()), None)
    }
}

/// Exponential backoff with "equal jitter": half fixed, half random, so that many tasks that
/// failed together do not all come back together.
fn backoff(attempt: u32) -> Duration {
    let exp = BACKOFF_BASE.saturating_mul(1 << attempt.saturating_sub(1).min(16));
    let exp = exp.min(BACKOFF_CAP);
    exp / 2 + exp.mul_f64(fastrand::f64() / 2.0)
}

/// `Retry-After` as seconds or an HTTP date, capped.
fn retry_after(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    let wait = match value.parse::<u64>() {
        Ok(secs) => Duration::from_secs(secs),
        Err(_) => httpdate::parse_http_date(value)
            .ok()?
            .duration_since(now)
            .unwrap_or(Duration::ZERO),
    };
    Some(wait.min(RETRY_AFTER_CAP))
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    #[test]
    fn retry_after_seconds_and_dates() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let header = |v: &str| {
            let mut h = HeaderMap::new();
            h.insert(RETRY_AFTER, HeaderValue::from_str(v).unwrap());
            h
        };
        assert_eq!(retry_after(&header("3"), now), Some(Duration::from_secs(3)));
        let later = httpdate::fmt_http_date(now + Duration::from_secs(7));
        assert_eq!(
            retry_after(&header(&later), now),
            Some(Duration::from_secs(7))
        );
        let earlier = httpdate::fmt_http_date(now - Duration::from_secs(7));
        assert_eq!(retry_after(&header(&earlier), now), Some(Duration::ZERO));
        assert_eq!(retry_after(&header("86400"), now), Some(RETRY_AFTER_CAP));
        assert_eq!(retry_after(&header("soon"), now), None);
        assert_eq!(retry_after(&HeaderMap::new(), now), None);
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        for attempt in 1..=20 {
            let d = backoff(attempt);
            let exp = BACKOFF_BASE
                .saturating_mul(1 << (attempt - 1).min(16))
                .min(BACKOFF_CAP);
            assert!(d >= exp / 2 && d <= exp, "attempt {attempt}: {d:?}");
        }
    }

    #[test]
    fn what_is_retryable() {
        let cases = [
            (FetchError::Status(429), true),
            (FetchError::Status(503), true),
            (FetchError::Status(500), true),
            (FetchError::Status(404), false),
            (FetchError::Status(403), false),
            (FetchError::Timeout, true),
            (FetchError::Connection("reset".into()), true),
            (FetchError::TooLarge(10), false),
            (FetchError::TooManyRedirects, false),
        ];
        for (error, want) in cases {
            assert_eq!(error.is_retryable(), want, "{error}");
        }
    }
}
