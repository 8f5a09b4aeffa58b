//! `credscan fetch`: collect postings from job-board APIs and web pages into a folder that
//! `credscan scan` reads, politely and without loss.
//!
//! This module is the only place tokio and reqwest live: [`run`] and [`fetch_to_dir`] build
//! their own runtime and hand back plain data. The parts, in the order a run uses them:
//! `source` (what the user asked for), `store` (the output folder, atomic writes, the log),
//! `crawl` (one task per source), `boards` and `sitemap` (reading what servers return),
//! `client` (one polite, retried GET) and `politeness` (per-host limits, robots.txt).

mod boards;
mod client;
mod crawl;
mod politeness;
mod sitemap;
mod source;
mod store;

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use clap::{Args, Parser};
use regex::Regex;
use url::Url;

use source::{BoardKind, Source};

/// The User-Agent sent unless `--user-agent` says otherwise.
pub const DEFAULT_USER_AGENT: &str = concat!(
    "credscan/",
    env!("CARGO_PKG_VERSION"),
    " (job-posting credential survey; robots.txt-aware; set --user-agent to add a contact)"
);

/// Arguments of `credscan fetch`.
#[derive(Debug, Clone, Args)]
pub struct FetchArgs {
    /// Sources: greenhouse:BOARD, lever:SITE, ashby:ORG, workable:ACCOUNT, sitemap:URL, or the
    /// http(s) URL of a job page.
    #[arg(value_name = "SOURCE")]
    pub sources: Vec<String>,
    /// Read more sources from FILE, one a line (URLs or any SOURCE form); blank lines and lines
    /// starting with # are skipped.
    #[arg(long, value_name = "FILE")]
    pub urls: Option<PathBuf>,
    /// Folder to write postings, pages and fetch-log.jsonl to.
    #[arg(long, short, value_name = "DIR", default_value = "credscan-cache")]
    pub out: PathBuf,
    /// Use URL instead of a board kind's public API (for mirrors, tests, or Lever's EU
    /// boards: lever=https://api.eu.lever.co). Repeatable.
    #[arg(long = "api-base", value_name = "KIND=URL")]
    pub api_base: Vec<String>,
    /// Fetch only the sitemap pages whose URL matches REGEX.
    #[arg(long = "match", value_name = "REGEX")]
    pub url_match: Option<String>,
    /// The User-Agent header sent with every request.
    #[arg(long, value_name = "TEXT", default_value = DEFAULT_USER_AGENT)]
    pub user_agent: String,
    /// Do not read or obey robots.txt for pages and sitemaps. Whether that is allowed is the
    /// user's responsibility, not the tool's.
    #[arg(long)]
    pub ignore_robots: bool,
    /// Most requests in flight to one host at a time.
    #[arg(long, value_name = "N", default_value_t = 2)]
    pub per_host: usize,
    /// Minimum seconds between the starts of two requests to one host (a site's
    /// robots.txt Crawl-delay wins when longer).
    #[arg(long, value_name = "SECS", default_value_t = 1.0)]
    pub delay: f64,
    /// Most requests in flight overall.
    #[arg(long, value_name = "N", default_value_t = 16)]
    pub concurrency: usize,
    /// Retries after a connection error, timeout, 429 or 5xx (so up to N+1 attempts).
    #[arg(long, value_name = "N", default_value_t = 4)]
    pub retries: u32,
    /// Longest wait, in seconds, for a response to start or for its next bytes; a whole
    /// attempt may take four times this.
    #[arg(long, value_name = "SECS", default_value_t = 30.0)]
    pub timeout: f64,
    /// Longest wait, in seconds, to connect.
    #[arg(long, value_name = "SECS", default_value_t = 10.0)]
    pub connect_timeout: f64,
    /// Largest response accepted, in bytes after decompression.
    #[arg(long, value_name = "N", default_value_t = 32 * 1024 * 1024)]
    pub max_bytes: u64,
    /// Most redirects followed for one request.
    #[arg(long, value_name = "N", default_value_t = 5)]
    pub max_redirects: usize,
    /// Fetch again, and overwrite, postings and pages already in the folder.
    #[arg(long)]
    pub refresh: bool,
    /// Keep only postings published on or after DATE (YYYY-MM-DD); postings without a date
    /// are kept.
    #[arg(long, value_name = "DATE")]
    pub since: Option<String>,
    /// Print nothing but failures.
    #[arg(long, short)]
    pub quiet: bool,
}

impl Default for FetchArgs {
    /// The defaults clap would give, taken from clap itself so that they live in one place.
    fn default() -> FetchArgs {
        #[derive(Parser)]
        struct Defaults {
            #[command(flatten)]
            args: FetchArgs,
        }
        Defaults::parse_from(["fetch"]).args
    }
}

/// The validated settings a run uses.
pub(crate) struct Settings {
    pub out: PathBuf,
    pub bases: HashMap<BoardKind, Url>,
    pub url_match: Option<Regex>,
    pub user_agent: String,
    pub ignore_robots: bool,
    pub per_host: usize,
    pub delay: Duration,
    pub concurrency: usize,
    pub retries: u32,
    pub timeout: Duration,
    pub connect_timeout: Duration,
    pub max_bytes: u64,
    pub max_redirects: usize,
    pub refresh: bool,
    /// `YYYY-MM-DD`.
    pub since: Option<String>,
}

impl Settings {
    fn from_args(args: &FetchArgs) -> anyhow::Result<Settings> {
        let mut bases: HashMap<BoardKind, Url> = BoardKind::ALL
            .into_iter()
            .map(|k| {
                (
                    k,
                    Url::parse(k.default_base()).expect("built-in bases are valid"),
                )
            })
            .collect();
        for spec in &args.api_base {
            let (kind, base) = spec
                .split_once('=')
                .with_context(|| format!("--api-base {spec:?}: expected KIND=URL"))?;
            let kind = BoardKind::from_name(kind.trim())
                .with_context(|| format!("--api-base {spec:?}: unknown kind {kind:?}"))?;
            let base =
                Url::parse(base.trim()).with_context(|| format!("--api-base {spec:?}: bad URL"))?;
            if !matches!(base.scheme(), "http" | "https") || base.cannot_be_a_base() {
                bail!("--api-base {spec:?}: not an http(s) URL");
            }
            bases.insert(kind, base);
        }
        let url_match = args
            .url_match
            .as_deref()
            .map(Regex::new)
            .transpose()
            .context("--match is not a valid regex")?;
        let since = match &args.since {
            Some(date) => match crate::date::day_of(date) {
                Some(day) if day.len() == date.trim().len() => Some(day.to_string()),
                _ => bail!("--since {date:?}: expected a date as YYYY-MM-DD"),
            },
            None => None,
        };
        let seconds = |name: &str, secs: f64| -> anyhow::Result<Duration> {
            Duration::try_from_secs_f64(secs)
                .with_context(|| format!("--{name} {secs}: expected seconds >= 0"))
        };
        if args.per_host == 0 || args.concurrency == 0 {
            bail!("--per-host and --concurrency must be at least 1");
        }
        Ok(Settings {
            out: args.out.clone(),
            bases,
            url_match,
            user_agent: args.user_agent.clone(),
            ignore_robots: args.ignore_robots,
            per_host: args.per_host,
            delay: seconds("delay", args.delay)?,
            concurrency: args.concurrency,
            retries: args.retries,
            timeout: seconds("timeout", args.timeout)?,
            connect_timeout: seconds("connect-timeout", args.connect_timeout)?,
            max_bytes: args.max_bytes,
            max_redirects: args.max_redirects,
            refresh: args.refresh,
            since,
        })
    }
}

/// The counts of one fetch run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FetchSummary {
    pub sources: usize,
    /// Sources that failed as a whole or in part (a board not found, a sitemap unreadable...).
    pub sources_failed: usize,
    /// Postings and pages written in this run.
    pub written: u64,
    /// Postings and pages already in the folder, so not written again.
    pub present: u64,
    /// Postings and pages that could not be fetched or written.
    pub failed: u64,
    /// Postings left out by `--since`.
    pub too_old: u64,
    /// Pages robots.txt disallowed.
    pub blocked: u64,
    /// HTTP requests sent, counting every attempt.
    pub requests: u64,
    /// Attempts beyond the first.
    pub retries: u64,
    /// Response bytes read (after decompression).
    pub bytes: u64,
    pub elapsed: Duration,
    /// One line per failure, in the order they happened.
    pub failures: Vec<String>,
    /// One line per page skipped on purpose (robots.txt).
    pub notes: Vec<String>,
}

impl FetchSummary {
    /// 0: everything asked for was fetched (or already present, or skipped on purpose);
    /// 1: something failed; 2: nothing could be fetched at all.
    pub fn exit_code(&self) -> i32 {
        if self.sources_failed == 0 && self.failed == 0 {
            0
        } else if self.written + self.present == 0 && self.sources_failed >= self.sources {
            2
        } else {
            1
        }
    }

    fn print(&self, out: &mut dyn Write, quiet: bool) -> std::io::Result<()> {
        if !quiet {
            for note in &self.notes {
                writeln!(out, "note: {note}")?;
            }
        }
        for failure in &self.failures {
            writeln!(out, "failed: {failure}")?;
        }
        if quiet {
            return Ok(());
        }
        writeln!(
            out,
            "fetch: {} written, {} already present, {} failed, {} too old, {} blocked by robots.txt",
            self.written, self.present, self.failed, self.too_old, self.blocked
        )?;
        writeln!(
            out,
            "       {} sources ({} failed), {} requests ({} retries), {:.1} MB in {:.1} s",
            self.sources,
            self.sources_failed,
            self.requests,
            self.retries,
            self.bytes as f64 / 1e6,
            self.elapsed.as_secs_f64()
        )
    }
}

/// Whether `s` is a fetch source rather than a path, so that `credscan scan` can tell.
// Used by `scan` (the lead wires it); allowed until then so the branch builds warning-free.
pub fn is_source(s: &str) -> bool {
    Source::parse(s).is_ok()
}

/// The whole `credscan fetch` command: prints the summary to `out` and returns the exit code.
/// Invalid arguments are an `Err` (the caller prints it and exits 2).
pub fn run(args: &FetchArgs, out: &mut dyn Write) -> anyhow::Result<i32> {
    let settings = Settings::from_args(args)?;
    let mut texts = args.sources.clone();
    if let Some(file) = &args.urls {
        let list = std::fs::read_to_string(file)
            .with_context(|| format!("cannot read --urls {}", file.display()))?;
        texts.extend(
            list.lines()
                .map(str::trim)
                .filter(|l| !l.is_empty() && !l.starts_with('#'))
                .map(str::to_string),
        );
    }
    if texts.is_empty() {
        bail!("nothing to fetch: give at least one SOURCE or --urls FILE");
    }
    let summary = fetch(settings, &texts)?;
    summary.print(out, args.quiet)?;
    Ok(summary.exit_code())
}

/// Fetches `sources` into `dir` with the default politeness (used by `scan --cache DIR`).
/// Failures are printed to `out` and counted in the summary, not returned as errors.
pub fn fetch_to_dir(
    sources: &[String],
    dir: &Path,
    api_base: &[String],
    out: &mut dyn Write,
) -> anyhow::Result<FetchSummary> {
    let args = FetchArgs {
        out: dir.to_path_buf(),
        api_base: api_base.to_vec(),
        ..FetchArgs::default()
    };
    let summary = fetch(Settings::from_args(&args)?, sources)?;
    summary.print(out, false)?;
    Ok(summary)
}

fn fetch(settings: Settings, texts: &[String]) -> anyhow::Result<FetchSummary> {
    let started = Instant::now();
    let mut sources = Vec::new();
    let mut failures = Vec::new();
    for text in texts {
        match Source::parse(text) {
            Ok(source) if !sources.contains(&source) => sources.push(source),
            Ok(_) => {}
            Err(e) => failures.push(format!("{e:#}")),
        }
    }
    let store = Arc::new(store::Store::open(&settings.out)?);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let unparsed = failures.len();
    let source_count = sources.len() + unparsed;
    let outcome = runtime.block_on(crawl::run(Arc::new(settings), sources, store))?;
    let tally = outcome.tally;
    let load = |n: &std::sync::atomic::AtomicU64| n.load(std::sync::atomic::Ordering::Relaxed);
    failures.extend(tally.failures.into_inner().unwrap_or_default());
    Ok(FetchSummary {
        sources: source_count,
        sources_failed: load(&tally.sources_failed) as usize + unparsed,
        written: load(&tally.written),
        present: load(&tally.present),
        failed: load(&tally.failed),
        too_old: load(&tally.too_old),
        blocked: load(&tally.blocked),
        requests: outcome.requests,
        retries: outcome.retries,
        bytes: outcome.bytes,
        elapsed: started.elapsed(),
        failures,
        notes: tally.notes.into_inner().unwrap_or_default(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_the_documented_politeness() {
        let args = FetchArgs::default();
        assert_eq!(args.per_host, 2);
        assert_eq!(args.delay, 1.0);
        assert_eq!(args.concurrency, 16);
        assert_eq!(args.out, PathBuf::from("credscan-cache"));
        assert!(args.user_agent.starts_with("credscan/"));
        assert!(!args.ignore_robots);
        let settings = Settings::from_args(&args).unwrap();
        assert_eq!(settings.delay, Duration::from_secs(1));
        assert_eq!(
            settings.bases[&BoardKind::Lever].as_str(),
            "https://api.lever.co/"
        );
    }

    #[test]
    fn bad_settings_are_refused() {
        let bad: &[fn(&mut FetchArgs)] = &[
            |a| a.api_base = vec!["lever".into()],
            |a| a.api_base = vec!["monster=http://x".into()],
            |a| a.api_base = vec!["lever=ftp://x".into()],
            |a| a.url_match = Some("(".into()),
            |a| a.since = Some("2024-01-01T00:00".into()),
            |a| a.delay = -1.0,
            |a| a.per_host = 0,
        ];
        for change in bad {
            let mut args = FetchArgs::default();
            change(&mut args);
            assert!(Settings::from_args(&args).is_err(), "{args:?}");
        }
        let args = FetchArgs {
            api_base: vec!["lever=https://api.eu.lever.co".into()],
            ..FetchArgs::default()
        };
        let settings = Settings::from_args(&args).unwrap();
        assert_eq!(
            settings.bases[&BoardKind::Lever].as_str(),
            "https://api.eu.lever.co/"
        );
    }

    #[test]
    fn tells_sources_from_paths() {
        for s in [
            "greenhouse:acme",
            "lever:x",
            "ashby:y",
            "workable:z",
            "https://a.com/j/1",
        ] {
            assert!(is_source(s), "{s}");
        }
        assert!(is_source("sitemap:https://a.com/sitemap.xml"));
        for s in [
            "postings/",
            "./greenhouse",
            "jobs.csv",
            "/tmp/x.json",
            "C:\\jobs",
            "file:///x",
        ] {
            assert!(!is_source(s), "{s}");
        }
    }

    #[test]
    fn exit_codes() {
        let summary = |sources, sources_failed, written, failed| FetchSummary {
            sources,
            sources_failed,
            written,
            failed,
            ..FetchSummary::default()
        };
        assert_eq!(summary(2, 0, 5, 0).exit_code(), 0);
        assert_eq!(
            summary(2, 0, 0, 0).exit_code(),
            0,
            "empty boards are not failures"
        );
        assert_eq!(summary(2, 1, 5, 0).exit_code(), 1);
        assert_eq!(summary(2, 0, 5, 1).exit_code(), 1);
        assert_eq!(summary(2, 2, 0, 0).exit_code(), 2);
    }
}
