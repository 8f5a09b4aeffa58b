//! The "done when": 2,000 postings across boards of every kind and sitemap-listed
//! pages on 20 sites, with about 10% of responses failing transiently, all arrive, none twice,
//! and a run killed halfway resumes to the folder a clean run makes.
//!
//! All but the benchmark run by default (about 50 s together). The benchmark, which prints
//! the figures in BENCHMARKS-fetch.md, is `#[ignore]`d; run it with
//! `cargo test --release --test fetch_bulk -- --ignored --nocapture bench`.

mod loopback;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use loopback::{fetch, files, log_lines, spawn_fetch, stable_json, Reply, Server};
use serde_json::{json, Value};

const POSTINGS: usize = 2000;
const FAULT_RATE: f64 = 0.10;
const RELAXED: &[&str] = &["--delay", "0", "--per-host", "8", "--concurrency", "64"];

/// Four API hosts (one per board kind) and 20 company sites, holding 2,000 postings.
struct Fixture {
    servers: Vec<Server>,
    sources: Vec<String>,
    api_args: Vec<String>,
    page_urls: Vec<String>,
}

fn fixture(latency: Duration) -> Fixture {
    let [gh, lever, ashby, workable] = [(); 4].map(|_| Server::start());
    let mut sources = Vec::new();
    // Greenhouse: 8 boards of 50.
    for b in 0..8 {
        let jobs: Vec<Value> = (0..50)
            .map(|i| json!({"id": b * 1000 + i, "title": format!("Engineer {i}"), "content": "&lt;p&gt;PMP&lt;/p&gt;",
                "location": {"name": "Paris"}, "first_published": "2024-01-01T00:00:00Z",
                "absolute_url": format!("https://example.com/gh/{b}/{i}")}))
            .collect();
        gh.route(
            &format!("/v1/boards/gh{b}/jobs"),
            vec![Reply::json(&json!({"jobs": jobs, "meta": {"total": 50}}))],
        );
        sources.push(format!("greenhouse:gh{b}"));
    }
    // Lever: 4 sites of 120, two pages each.
    for b in 0..4 {
        let jobs: Vec<Value> = (0..120)
            .map(|i| json!({"id": format!("lv{b}-{i}"), "text": "SRE", "description": "<p>CKA</p>",
                "lists": [{"text": "Requirements", "content": "<li>RHCE</li>"}], "createdAt": 1_700_000_000_000_i64,
                "categories": {"location": "Berlin"}, "hostedUrl": format!("https://example.com/lv/{b}/{i}")}))
            .collect();
        for (page, chunk) in jobs.chunks(100).enumerate() {
            let target = format!("/v0/postings/lv{b}?mode=json&skip={}&limit=100", page * 100);
            lever.route(&target, vec![Reply::json(&Value::from(chunk.to_vec()))]);
        }
        sources.push(format!("lever:lv{b}"));
    }
    // Ashby: 8 boards of 50.
    for b in 0..8 {
        let jobs: Vec<Value> = (0..50)
            .map(|i| json!({"id": format!("as{b}-{i}"), "title": "Analyst", "descriptionHtml": "<p>CFA</p>",
                "location": "Remote", "publishedAt": "2024-01-01T00:00:00Z", "jobUrl": format!("https://example.com/as/{b}/{i}")}))
            .collect();
        ashby.route(
            &format!("/posting-api/job-board/as{b}"),
            vec![Reply::json(&json!({"jobs": jobs}))],
        );
        sources.push(format!("ashby:as{b}"));
    }
    // Workable: 8 accounts of 40.
    for b in 0..8 {
        let jobs: Vec<Value> = (0..40)
            .map(|i| json!({"shortcode": format!("WK{b}X{i}"), "title": "Nurse", "description": "<p>NMC</p>",
                "city": "Leeds", "published_on": "2024-01-01", "url": format!("https://example.com/wk/{b}/{i}")}))
            .collect();
        workable.route(
            &format!("/api/accounts/wk{b}"),
            vec![Reply::json(
                &json!({"name": format!("WK {b}"), "jobs": jobs}),
            )],
        );
        sources.push(format!("workable:wk{b}"));
    }
    let mut servers = vec![gh, lever, ashby, workable];
    let api_args = ["greenhouse", "lever", "ashby", "workable"]
        .iter()
        .zip(&servers)
        .flat_map(|(kind, s)| ["--api-base".to_string(), format!("{kind}={}", s.url(""))])
        .collect();
    // Pages: 20 sites of 20 pages, each with robots.txt and a sitemap.
    let mut page_urls = Vec::new();
    for site in 0..20 {
        let server = Server::start();
        server.route(
            "/robots.txt",
            vec![Reply::ok("User-agent: *\nDisallow: /admin/\n")],
        );
        let mut urls = String::new();
        for n in 0..20 {
            let path = format!("/careers/job-{n}");
            server.route(
                &path,
                vec![Reply::html(&format!(
                    "<html><body><h1>Job {site}-{n}</h1><p>CPA</p></body></html>"
                ))],
            );
            urls.push_str(&format!("<url><loc>{}</loc></url>", server.url(&path)));
            page_urls.push(server.url(&path));
        }
        server.route(
            "/sitemap.xml",
            vec![Reply::ok(format!("<urlset>{urls}</urlset>"))],
        );
        sources.push(format!("sitemap:{}", server.url("/sitemap.xml")));
        servers.push(server);
    }
    for server in &servers {
        server.fault_rate(FAULT_RATE);
        server.latency(latency);
    }
    Fixture {
        servers,
        sources,
        api_args,
        page_urls,
    }
}

impl Fixture {
    fn args<'a>(&'a self, out: &'a Path, extra: &[&'a str]) -> Vec<&'a str> {
        let mut args: Vec<&str> = self
            .sources
            .iter()
            .chain(&self.api_args)
            .map(String::as_str)
            .collect();
        args.extend(["--out", out.to_str().unwrap()]);
        args.extend(extra);
        args
    }

    fn faults(&self) -> usize {
        self.servers.iter().map(Server::faults_injected).sum()
    }

    fn max_in_flight(&self) -> usize {
        self.servers
            .iter()
            .map(Server::max_in_flight)
            .max()
            .unwrap_or(0)
    }

    /// Requests for job pages (every attempt) since the last reset.
    fn page_requests(&self) -> usize {
        self.servers
            .iter()
            .flat_map(|s| s.seen())
            .filter(|seen| seen.target.starts_with("/careers/"))
            .count()
    }

    fn reset(&self) {
        self.servers.iter().for_each(Server::reset_log);
    }
}

fn count_files(dir: &Path) -> usize {
    count_files_ending(dir, &["json", "html"])
}

fn count_files_ending(dir: &Path, extensions: &[&str]) -> usize {
    let mut n = 0;
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            if entry.file_type().map(|t| t.is_dir()).unwrap_or(false) {
                stack.push(entry.path());
            } else if entry
                .path()
                .extension()
                .is_some_and(|e| extensions.iter().any(|x| e == *x))
            {
                n += 1;
            }
        }
    }
    n
}

/// The folder's contents with run-specific fields removed, for comparing runs.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Value> {
    files(dir)
        .into_iter()
        .map(|(path, bytes)| {
            let value = if path.extension().is_some_and(|e| e == "json") {
                stable_json(&bytes)
            } else {
                Value::String(String::from_utf8(bytes).unwrap())
            };
            (path, value)
        })
        .collect()
}

/// Runs the whole fixture once into a fresh folder and checks nothing was lost or doubled.
fn full_run(
    fx: &Fixture,
    politeness: &[&str],
    limit: Duration,
) -> (loopback::Run, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let run = fetch(&fx.args(dir.path(), politeness), limit);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(count_files(dir.path()), POSTINGS, "{}", run.stdout);
    assert!(
        run.stdout.contains(&format!("{POSTINGS} written")),
        "{}",
        run.stdout
    );
    // Each page has exactly one log line: fetched once, however many attempts it took.
    let log = log_lines(dir.path());
    let pages: Vec<&Value> = log.iter().filter(|l| l["what"] == "page").collect();
    assert_eq!(pages.len(), fx.page_urls.len());
    assert!(pages.iter().all(|l| l["outcome"] == "ok"));
    (run, dir)
}

/// Re-runs into `dir` and checks that nothing is fetched or written again.
fn rerun_fetches_nothing_twice(fx: &Fixture, dir: &Path, politeness: &[&str]) -> loopback::Run {
    fx.reset();
    let run = fetch(&fx.args(dir, politeness), Duration::from_secs(120));
    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        run.stdout
            .contains(&format!("0 written, {POSTINGS} already present")),
        "{}",
        run.stdout
    );
    assert_eq!(fx.page_requests(), 0, "no page fetched twice");
    run
}

#[test]
fn two_thousand_postings_with_faults_relaxed() {
    let fx = fixture(Duration::from_millis(2));
    let (run, dir) = full_run(&fx, RELAXED, Duration::from_secs(120));
    assert!(fx.faults() > 0);
    assert!(
        fx.max_in_flight() <= 8,
        "per-host limit exceeded: {}",
        fx.max_in_flight()
    );
    eprintln!(
        "relaxed: {} postings in {:?}; {}",
        POSTINGS,
        run.elapsed,
        run.stdout.trim()
    );
    rerun_fetches_nothing_twice(&fx, dir.path(), RELAXED);
}

#[test]
fn resume_after_an_interrupted_run_matches_a_clean_run() {
    let fx = fixture(Duration::from_millis(15));
    let politeness = &["--delay", "0", "--per-host", "2"];
    let clean = tempfile::tempdir().unwrap();
    let run = fetch(&fx.args(clean.path(), politeness), Duration::from_secs(120));
    assert_eq!(run.code, 0, "{run:?}");

    let dir = tempfile::tempdir().unwrap();
    let args = fx.args(dir.path(), politeness);
    let mut child = spawn_fetch(&args);
    let started = Instant::now();
    while count_files(dir.path()) < POSTINGS / 2 {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "never got halfway"
        );
        assert!(
            child.try_wait().unwrap().is_none(),
            "finished before it could be interrupted"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let halfway = count_files(dir.path());
    let pages_at_kill = count_files_ending(dir.path(), &["html"]);
    assert!(halfway < POSTINGS, "killed too late to test anything");
    let log_before = log_lines(dir.path()).len();

    fx.reset();
    let run = fetch(&args, Duration::from_secs(120));
    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        run.stdout.contains(&format!(
            "{} written, {halfway} already present",
            POSTINGS - halfway
        )),
        "{}",
        run.stdout
    );
    assert_eq!(snapshot(dir.path()), snapshot(clean.path()));
    // Nothing half-written was left behind, and nothing already saved was fetched again.
    assert!(files(dir.path())
        .keys()
        .all(|p| !p.to_string_lossy().contains(".credscan-partial-")));
    let log = log_lines(dir.path());
    let pages_fetched = log[log_before..]
        .iter()
        .filter(|l| l["what"] == "page")
        .count();
    assert_eq!(pages_fetched, fx.page_urls.len() - pages_at_kill);
}

/// About 25 s for the run and 8 s for the re-run (the listings are asked for again).
#[test]
fn two_thousand_postings_with_faults_default_politeness() {
    let fx = fixture(Duration::from_millis(2));
    let (run, dir) = full_run(&fx, &[], Duration::from_secs(300));
    assert!(
        fx.max_in_flight() <= 2,
        "per-host limit exceeded: {}",
        fx.max_in_flight()
    );
    eprintln!(
        "default: {} postings in {:?}; {}",
        POSTINGS,
        run.elapsed,
        run.stdout.trim()
    );
    rerun_fetches_nothing_twice(&fx, dir.path(), &[]);
}

/// Prints the figures for BENCHMARKS-fetch.md.
#[test]
#[ignore = "benchmark; run with --ignored --nocapture"]
fn bench_fetch_figures() {
    let mut report = String::new();
    for (name, politeness, limit) in [
        (
            "relaxed (--delay 0 --per-host 8 --concurrency 64)",
            RELAXED,
            120,
        ),
        (
            "default (--delay 1 --per-host 2 --concurrency 16)",
            &[][..],
            300,
        ),
    ] {
        let fx = fixture(Duration::from_millis(2));
        let (run, dir) = full_run(&fx, politeness, Duration::from_secs(limit));
        let secs = run.elapsed.as_secs_f64();
        let (faults, max_in_flight) = (fx.faults(), fx.max_in_flight());
        let rerun = rerun_fetches_nothing_twice(&fx, dir.path(), politeness);
        report.push_str(&format!(
            "{name}: {POSTINGS} postings in {secs:.1} s = {:.0} postings/s; faults injected {}, \
             max in flight per host {}; re-run (nothing new) {:.1} s\n  {}\n",
            POSTINGS as f64 / secs,
            faults,
            max_in_flight,
            rerun.elapsed.as_secs_f64(),
            run.stdout.trim().replace('\n', "\n  ")
        ));
    }
    // Time to resume: kill a default-politeness run halfway, then time the second run.
    let fx = fixture(Duration::from_millis(2));
    let dir = tempfile::tempdir().unwrap();
    let args = fx.args(dir.path(), &[]);
    let mut child = spawn_fetch(&args);
    let started = Instant::now();
    while count_files(dir.path()) < POSTINGS / 2 && started.elapsed() < Duration::from_secs(300) {
        std::thread::sleep(Duration::from_millis(10));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let killed_at = started.elapsed();
    let halfway = count_files(dir.path());
    let run = fetch(&args, Duration::from_secs(300));
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(count_files(dir.path()), POSTINGS);
    report.push_str(&format!(
        "resume (default politeness): killed after {:.1} s with {halfway} saved; resumed run took {:.1} s\n  {}\n",
        killed_at.as_secs_f64(),
        run.elapsed.as_secs_f64(),
        run.stdout.trim().replace('\n', "\n  ")
    ));
    eprintln!("\n{report}");
}
