//! The run itself: one task per source, each turning its source into files in the store.
//!
//! Board sources list their postings and write the ones not already on disk; sitemaps are
//! walked into page URLs; pages are checked against robots.txt and saved as served. Every
//! outcome is counted in a [`Tally`], and every failure is remembered with its reason, so a
//! failing source is reported while the others carry on.

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use serde_json::json;
use tokio::task::JoinSet;
use url::Url;

use super::boards::{self, BoardPosting};
use super::client::{Client, FetchError, Purpose};
use super::politeness::{host_key, parse_robots, RobotsCache, Rules};
use super::sitemap;
use super::source::{BoardKind, Source};
use super::store::Store;
use super::Settings;

/// Limits on walking sitemap indexes, which are written by strangers.
const MAX_SITEMAP_DEPTH: usize = 4;
const MAX_SITEMAPS: usize = 1000;
/// Lever pages followed at most, in case a server ignores `skip`.
const MAX_PAGES: usize = 1000;

/// Everything the tasks share.
struct Crawl {
    settings: Arc<Settings>,
    client: Client,
    store: Arc<Store>,
    robots: RobotsCache,
    tally: Tally,
    /// Pages claimed in this run, so a URL listed twice is fetched once.
    claimed: Mutex<HashSet<PathBuf>>,
}

/// The counts and failures of one run.
#[derive(Default)]
pub struct Tally {
    pub written: AtomicU64,
    pub present: AtomicU64,
    pub failed: AtomicU64,
    pub too_old: AtomicU64,
    pub blocked: AtomicU64,
    pub sources_failed: AtomicU64,
    /// What went wrong, one line each, for the summary.
    pub failures: Mutex<Vec<String>>,
    /// What was skipped on purpose (robots.txt), one line each, for the summary.
    pub notes: Mutex<Vec<String>>,
}

impl Tally {
    fn fail(&self, what: String) {
        self.failures.lock().expect("failures poisoned").push(what);
    }

    fn note(&self, what: String) {
        self.notes.lock().expect("notes poisoned").push(what);
    }
}

/// What [`run`] hands back: the tally and the request counters.
pub struct Outcome {
    pub tally: Tally,
    pub requests: u64,
    pub retries: u64,
    pub bytes: u64,
}

pub async fn run(
    settings: Arc<Settings>,
    sources: Vec<Source>,
    store: Arc<Store>,
) -> anyhow::Result<Outcome> {
    let client = Client::new(&settings, store.clone())?;
    let crawl = Arc::new(Crawl {
        settings,
        client,
        store,
        robots: RobotsCache::default(),
        tally: Tally::default(),
        claimed: Mutex::new(HashSet::new()),
    });
    let mut tasks = JoinSet::new();
    for source in sources {
        let crawl = crawl.clone();
        tasks.spawn(async move {
            let name = source.to_string();
            let ok = match &source {
                Source::Board { kind, board } => crawl.board(*kind, board, &name).await,
                Source::Sitemap(url) => crawl.sitemap(url, &name).await,
                Source::Page(url) => crawl.page(url.clone(), &name).await,
            };
            if !ok {
                crawl.tally.sources_failed.fetch_add(1, Ordering::Relaxed);
            }
        });
    }
    while let Some(joined) = tasks.join_next().await {
        if let Err(e) = joined {
            crawl.tally.sources_failed.fetch_add(1, Ordering::Relaxed);
            crawl
                .tally
                .fail(format!("internal error: a fetch task stopped: {e}"));
        }
    }
    let crawl = Arc::into_inner(crawl).expect("every task has finished");
    let stats = &crawl.client.stats;
    Ok(Outcome {
        requests: stats.requests.load(Ordering::Relaxed),
        retries: stats.retries.load(Ordering::Relaxed),
        bytes: stats.bytes.load(Ordering::Relaxed),
        tally: crawl.tally,
    })
}

impl Crawl {
    /// Fetches every listing page of one board and writes its new postings. Returns whether
    /// the source succeeded as a whole.
    async fn board(&self, kind: BoardKind, board: &str, name: &str) -> bool {
        let base = &self.settings.bases[&kind];
        let mut ok = true;
        let mut seen_ids = HashSet::new();
        for page in 0..MAX_PAGES {
            let url = boards::listing_url(kind, base, board, page);
            let purpose = Purpose {
                source: name,
                what: "listing",
            };
            let body = match self.client.get(&url, &purpose).await {
                Ok(fetched) => fetched.body,
                Err(FetchError::Status(404)) => {
                    self.tally.fail(format!(
                        "{name}: board not found (HTTP 404 from {url}); check the name"
                    ));
                    return false;
                }
                Err(e) => {
                    self.tally.fail(format!("{name}: {e} ({url})"));
                    return false;
                }
            };
            let listing = match boards::parse_listing(kind, board, &body) {
                Ok(listing) => listing,
                Err(why) => {
                    // Earlier pages are already written; this page's postings are lost.
                    self.tally.fail(format!("{name}: {why} ({url})"));
                    return false;
                }
            };
            for why in &listing.bad {
                self.tally.failed.fetch_add(1, Ordering::Relaxed);
                self.tally.fail(why.clone());
                ok = false;
            }
            let mut new_ids = 0;
            for posting in listing.postings {
                if seen_ids.insert(posting.id.clone()) {
                    new_ids += 1;
                    self.save_posting(kind, board, name, posting);
                }
            }
            // A server that ignores `skip` would send the same page forever.
            if !boards::has_next_page(kind, listing.len) || new_ids == 0 {
                break;
            }
        }
        ok
    }

    fn save_posting(&self, kind: BoardKind, board: &str, name: &str, mut posting: BoardPosting) {
        if let (Some(since), Some(date)) = (&self.settings.since, &posting.date) {
            if crate::date::day_of(date).is_some_and(|day| day < since.as_str()) {
                self.tally.too_old.fetch_add(1, Ordering::Relaxed);
                return;
            }
        }
        let path = self.store.posting_path(kind, board, &posting.id);
        if !self.settings.refresh && path.exists() {
            self.tally.present.fetch_add(1, Ordering::Relaxed);
            return;
        }
        let native = posting.json["x-credscan"]["native"].take();
        posting.json["x-credscan"] = json!({
            "source": name,
            "fetched_at": crate::date::now_iso(),
            "native": native,
        });
        let bytes = serde_json::to_vec_pretty(&posting.json).expect("a Value always serialises");
        match self.store.write_atomic(&path, &bytes) {
            Ok(()) => self.tally.written.fetch_add(1, Ordering::Relaxed),
            Err(e) => {
                self.tally
                    .fail(format!("{name}: posting {}: {e:#}", posting.id));
                self.tally.failed.fetch_add(1, Ordering::Relaxed)
            }
        };
    }

    /// Walks a sitemap (and the sitemaps an index lists), then fetches the pages it lists,
    /// `per-host` at a time like everything else.
    async fn sitemap(self: &Arc<Self>, root: &Url, name: &str) -> bool {
        let mut ok = true;
        let mut queue = vec![(root.clone(), 0)];
        let mut seen = HashSet::new();
        let mut pages = Vec::new();
        while let Some((url, depth)) = queue.pop() {
            if !seen.insert(url.clone()) || seen.len() > MAX_SITEMAPS {
                continue;
            }
            if let Err(refusal) = self.robots_allow(&url, name).await {
                self.tally
                    .fail(format!("{name}: sitemap {url} not read: {refusal}"));
                ok = false;
                continue;
            }
            let purpose = Purpose {
                source: name,
                what: "sitemap",
            };
            let parsed = match self.client.get(&url, &purpose).await {
                Ok(f) => sitemap::parse(&f.body, self.settings.max_bytes),
                Err(e) => Err(e.to_string()),
            };
            let parsed = match parsed {
                Ok(parsed) => parsed,
                Err(why) => {
                    self.tally.fail(format!("{name}: sitemap {url}: {why}"));
                    ok = false;
                    continue;
                }
            };
            for entry in parsed.entries {
                let Ok(loc) = url.join(&entry.loc) else {
                    self.tally.fail(format!(
                        "{name}: sitemap {url} lists a bad URL {:?}",
                        entry.loc
                    ));
                    continue;
                };
                if parsed.is_index {
                    if depth < MAX_SITEMAP_DEPTH {
                        queue.push((loc, depth + 1));
                    }
                } else if self.wanted(&loc, entry.lastmod.as_deref()) {
                    pages.push(loc);
                }
            }
        }
        let mut tasks = JoinSet::new();
        for page in pages {
            let crawl = self.clone();
            let name = name.to_string();
            tasks.spawn(async move { crawl.page(page, &name).await });
        }
        while let Some(joined) = tasks.join_next().await {
            ok &= joined.unwrap_or(false);
        }
        ok
    }

    /// Whether a sitemap entry passes `--match` and `--since`.
    fn wanted(&self, url: &Url, lastmod: Option<&str>) -> bool {
        if let Some(pattern) = &self.settings.url_match {
            if !pattern.is_match(url.as_str()) {
                return false;
            }
        }
        if let (Some(since), Some(day)) =
            (&self.settings.since, lastmod.and_then(crate::date::day_of))
        {
            if day < since.as_str() {
                self.tally.too_old.fetch_add(1, Ordering::Relaxed);
                return false;
            }
        }
        true
    }

    /// Fetches one page and saves it as served. Returns false only on failure: a page already
    /// present, or one robots.txt forbids, is not a failure.
    async fn page(&self, url: Url, name: &str) -> bool {
        let path = self.store.page_path(&url);
        if !self
            .claimed
            .lock()
            .expect("claims poisoned")
            .insert(path.clone())
        {
            return true;
        }
        if !self.settings.refresh && path.exists() {
            self.tally.present.fetch_add(1, Ordering::Relaxed);
            return true;
        }
        match self.robots_allow(&url, name).await {
            Ok(()) => {}
            Err(Refusal::Disallowed) => {
                self.tally.blocked.fetch_add(1, Ordering::Relaxed);
                self.tally.note(format!(
                    "{name}: {url} not fetched: disallowed by robots.txt"
                ));
                return true;
            }
            Err(Refusal::Unreachable(why)) => {
                self.tally.failed.fetch_add(1, Ordering::Relaxed);
                self.tally.fail(format!("{name}: {url} not fetched: {why}"));
                return false;
            }
        }
        let purpose = Purpose {
            source: name,
            what: "page",
        };
        let result = match self.client.get(&url, &purpose).await {
            Ok(fetched) => self
                .store
                .write_atomic(&path, &fetched.body)
                .map_err(|e| format!("{e:#}")),
            Err(e) => Err(e.to_string()),
        };
        match result {
            Ok(()) => {
                self.tally.written.fetch_add(1, Ordering::Relaxed);
                true
            }
            Err(why) => {
                self.tally.failed.fetch_add(1, Ordering::Relaxed);
                self.tally.fail(format!("{name}: {url}: {why}"));
                false
            }
        }
    }

    /// Asks robots.txt (fetched once per origin) whether `url` may be fetched, and applies
    /// its Crawl-delay to the host.
    async fn robots_allow(&self, url: &Url, name: &str) -> Result<(), Refusal> {
        if self.settings.ignore_robots {
            return Ok(());
        }
        let (cell, robots_url) = self.robots.cell(url);
        let rules = cell
            .get_or_init(|| async {
                let purpose = Purpose {
                    source: name,
                    what: "robots",
                };
                let rules = match self.client.get(&robots_url, &purpose).await {
                    Ok(fetched) => parse_robots(&fetched.body),
                    // No robots.txt (4xx): everything is allowed (RFC 9309 §2.3.1.3).
                    Err(FetchError::Status(code)) if (400..500).contains(&code) => Rules::AllowAll,
                    Err(e) => Rules::DisallowAll(format!(
                        "robots.txt unreachable ({e}), so nothing is fetched from this site"
                    )),
                };
                if let Some(delay) = rules.crawl_delay() {
                    self.client.gates.set_crawl_delay(&host_key(url), delay);
                }
                rules
            })
            .await;
        match rules {
            Rules::DisallowAll(why) => Err(Refusal::Unreachable(why.clone())),
            rules if rules.allows(url) => Ok(()),
            _ => Err(Refusal::Disallowed),
        }
    }
}

/// Why robots.txt stopped a fetch: the site said no (not a failure), or it could not be read
/// (a failure: the site may well allow it).
enum Refusal {
    Disallowed,
    Unreachable(String),
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refusal::Disallowed => write!(f, "disallowed by robots.txt"),
            Refusal::Unreachable(why) => write!(f, "{why}"),
        }
    }
}
