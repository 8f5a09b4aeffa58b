//! `credscan fetch` against job-board APIs served on loopback: each kind with paging, what
//! the files hold, hostile ids, a missing board, malformed JSON, `--since`, and resuming.

mod loopback;

use std::path::Path;
use std::time::Duration;

use loopback::{fetch, files, log_lines, stable_json, Reply, Server};
use serde_json::{json, Value};

const LIMIT: Duration = Duration::from_secs(60);

fn greenhouse_job(id: u64) -> Value {
    json!({"id": id, "title": format!("Engineer {id}"),
        "content": "&lt;p&gt;AWS Certified Solutions Architect&lt;/p&gt;",
        "location": {"name": "London, UK"}, "first_published": "2024-03-01T10:00:00-05:00",
        "updated_at": "2024-03-02T10:00:00-05:00",
        "absolute_url": format!("https://boards.greenhouse.io/acme/jobs/{id}")})
}

fn lever_job(id: &str, created_ms: i64) -> Value {
    json!({"id": id, "text": format!("SRE {id}"), "description": "<div>Intro</div>",
        "lists": [{"text": "Requirements", "content": "<li>CKA</li>"}],
        "additional": "<div>Perks</div>",
        "categories": {"location": "Berlin", "commitment": "Full-time"},
        "createdAt": created_ms, "hostedUrl": format!("https://jobs.lever.co/acme/{id}"),
        "salaryRange": {"currency": "EUR", "interval": "per-year-salary", "min": 1, "max": 2}})
}

fn ashby_job(id: &str) -> Value {
    json!({"id": id, "title": "Analyst", "location": "Remote", "employmentType": "FullTime",
        "publishedAt": "2024-04-01T09:00:00.000+00:00", "jobUrl": format!("https://jobs.ashbyhq.com/acme/{id}"),
        "descriptionHtml": "<p>CFA</p>", "compensation": {"compensationTierSummary": "$1 – $2"}})
}

fn workable_job(code: &str, published: &str) -> Value {
    json!({"title": "Nurse", "shortcode": code, "url": format!("https://apply.workable.com/j/{code}"),
        "published_on": published, "city": "Leeds", "country": "United Kingdom",
        "employment_type": "Full-time", "description": "<p>NMC</p>"})
}

/// Serves a Lever site's postings 100 a page, as the client asks.
/// Greenhouse serves a board's jobs in one response.
fn serve_greenhouse(server: &Server, board: &str, jobs: u64) {
    let gh: Vec<Value> = (1..=jobs).map(greenhouse_job).collect();
    server.route(
        &format!("/v1/boards/{board}/jobs"),
        vec![Reply::json(&json!({"jobs": gh, "meta": {"total": jobs}}))],
    );
}

fn serve_lever(server: &Server, site: &str, jobs: &[Value]) {
    for page in 0..=jobs.len() / 100 {
        let slice = &jobs[(page * 100).min(jobs.len())..((page + 1) * 100).min(jobs.len())];
        let target = format!(
            "/v0/postings/{site}?mode=json&skip={}&limit=100",
            page * 100
        );
        server.route(&target, vec![Reply::json(&Value::from(slice.to_vec()))]);
    }
}

fn bases(server: &Server) -> Vec<String> {
    ["greenhouse", "lever", "ashby", "workable"]
        .iter()
        .flat_map(|k| ["--api-base".to_string(), format!("{k}={}", server.url(""))])
        .collect()
}

fn args<'a>(owned: &'a [String], extra: &[&'a str]) -> Vec<&'a str> {
    owned
        .iter()
        .map(String::as_str)
        .chain(extra.iter().copied())
        .collect()
}

fn read(dir: &Path, rel: &str) -> Value {
    serde_json::from_slice(&std::fs::read(dir.join(rel)).unwrap()).unwrap()
}

#[test]
fn each_board_kind_with_paging() {
    let server = Server::start();
    serve_greenhouse(&server, "acme", 3);
    let lever: Vec<Value> = (0..250)
        .map(|i| lever_job(&format!("lv-{i}"), 1_710_000_000_000))
        .collect();
    serve_lever(&server, "acme", &lever);
    server.route(
        "/posting-api/job-board/acme",
        vec![Reply::json(
            &json!({"jobs": [ashby_job("a1"), ashby_job("a2")]}),
        )],
    );
    server.route(
        "/api/accounts/acme",
        vec![Reply::json(
            &json!({"name": "Acme Ltd", "jobs": [workable_job("W1", "2024-05-02")]}),
        )],
    );
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().to_str().unwrap();
    let owned = bases(&server);
    let every_board = [
        "greenhouse:acme",
        "lever:acme",
        "ashby:acme",
        "workable:acme",
        "--out",
        out,
        "--delay",
        "0",
    ];
    let run = fetch(&args(&owned, &every_board), LIMIT);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(files(dir.path()).len(), 3 + 250 + 2 + 1);
    assert!(run.stdout.contains("256 written"), "{}", run.stdout);
    // Lever paged: 100, 100, then a short page of 50 ends it.
    for skip in [0, 100, 200] {
        assert_eq!(
            server.hits(&format!(
                "/v0/postings/acme?mode=json&skip={skip}&limit=100"
            )),
            1
        );
    }
    assert_eq!(
        server.hits("/v0/postings/acme?mode=json&skip=300&limit=100"),
        0
    );
    assert_eq!(server.hits("/v1/boards/acme/jobs?content=true"), 1);
    assert_eq!(
        server.hits("/posting-api/job-board/acme?includeCompensation=true"),
        1
    );
    assert_eq!(server.hits("/api/accounts/acme?details=true"), 1);
    assert!(server
        .seen()
        .iter()
        .all(|s| s.user_agent.starts_with("credscan/")));

    let p = read(dir.path(), "greenhouse/acme/2.json");
    assert_eq!(p["@type"], "JobPosting");
    assert_eq!(p["title"], "Engineer 2");
    assert_eq!(p["description"], "<p>AWS Certified Solutions Architect</p>");
    assert_eq!(p["hiringOrganization"]["name"], "acme");
    assert_eq!(p["jobLocation"]["address"]["addressLocality"], "London, UK");
    assert_eq!(p["datePosted"], "2024-03-01T10:00:00-05:00");
    assert_eq!(
        p["identifier"],
        json!({"@type": "PropertyValue", "name": "greenhouse", "value": "2"})
    );
    assert_eq!(p["x-credscan"]["source"], "greenhouse:acme");
    assert!(p["x-credscan"]["fetched_at"]
        .as_str()
        .unwrap()
        .ends_with('Z'));

    let p = read(dir.path(), "lever/acme/lv-249.json");
    assert!(p["description"]
        .as_str()
        .unwrap()
        .contains("<h3>Requirements</h3>\n<ul><li>CKA</li></ul>"));
    assert_eq!(p["datePosted"], "2024-03-09T16:00:00Z");
    assert_eq!(p["baseSalary"]["value"]["maxValue"], 2);
    assert_eq!(p["employmentType"], "Full-time");

    let p = read(dir.path(), "ashby/acme/a1.json");
    assert_eq!(p["baseSalary"], "$1 – $2");
    let p = read(dir.path(), "workable/acme/W1.json");
    assert_eq!(p["hiringOrganization"]["name"], "Acme Ltd");
    assert_eq!(p["url"], "https://apply.workable.com/j/W1");

    let log = log_lines(dir.path());
    assert_eq!(log.len(), 6, "one line per request");
    for line in &log {
        for field in [
            "time", "source", "what", "url", "status", "bytes", "ms", "attempts", "outcome",
        ] {
            assert!(line.get(field).is_some(), "{field} missing from {line}");
        }
        assert_eq!(line["outcome"], "ok");
    }

    // A re-run writes nothing and fetches nothing but the listings.
    server.reset_log();
    let run = fetch(&args(&owned, &every_board), LIMIT);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        run.stdout.contains("0 written, 256 already present"),
        "{}",
        run.stdout
    );
    assert_eq!(server.seen().len(), 6);
}

#[test]
fn hostile_ids_and_board_names_stay_inside_the_folder() {
    let server = Server::start();
    let long = "x".repeat(3000);
    let ids = [
        "../../escaped",
        "/etc/passwd",
        "a\u{0}b",
        "CON",
        "..",
        ".",
        long.as_str(),
        "ok-1",
    ];
    let jobs: Vec<Value> = ids.iter().map(|id| lever_job(id, 0)).collect();
    serve_lever(&server, "../evil", &jobs);
    serve_lever(&server, "..%2Fevil", &jobs);
    let parent = tempfile::tempdir().unwrap();
    let dir = parent.path().join("out");
    let owned = bases(&server);
    let run = fetch(
        &args(
            &owned,
            &[
                "lever:../evil",
                "--out",
                dir.to_str().unwrap(),
                "--delay",
                "0",
            ],
        ),
        LIMIT,
    );
    assert_eq!(run.code, 0, "{run:?}");
    let found = files(&dir);
    assert_eq!(found.len(), ids.len(), "{:?}", found.keys());
    for path in found.keys() {
        assert_eq!(path.components().count(), 3, "{}", path.display());
        assert!(path.starts_with("lever"));
        assert!(path
            .components()
            .all(|c| matches!(c, std::path::Component::Normal(_))));
    }
    // Nothing landed beside the output folder.
    let beside: Vec<_> = std::fs::read_dir(parent.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(beside, ["out"]);
    assert!(found.keys().any(|p| p.ends_with("ok-1.json")));
}

#[test]
fn missing_board_and_malformed_json_are_reported_and_the_rest_kept() {
    let server = Server::start();
    // `nope` has no route: the server answers 404.
    server.route(
        "/posting-api/job-board/broken",
        vec![Reply::ok("{\"jobs\": [{\"id\": ")],
    );
    let first: Vec<Value> = (0..100).map(|i| lever_job(&format!("p{i}"), 0)).collect();
    server.route(
        "/v0/postings/half?mode=json&skip=0&limit=100",
        vec![Reply::json(&Value::from(first))],
    );
    server.route(
        "/v0/postings/half?mode=json&skip=100&limit=100",
        vec![Reply::ok("[{\"id\": \"p100\", ")],
    );
    server.route(
        "/v1/boards/mixed/jobs",
        vec![Reply::json(
            &json!({"jobs": [greenhouse_job(1), "junk", {"title": "no id"}, greenhouse_job(2)]}),
        )],
    );
    server.route(
        "/api/accounts/fine",
        vec![Reply::json(
            &json!({"jobs": [workable_job("F1", "2024-01-01")]}),
        )],
    );
    let dir = tempfile::tempdir().unwrap();
    let owned = bases(&server);
    let run = fetch(
        &args(
            &owned,
            &[
                "greenhouse:nope",
                "ashby:broken",
                "lever:half",
                "greenhouse:mixed",
                "workable:fine",
                "monster:x",
                "--out",
                dir.path().to_str().unwrap(),
                "--delay",
                "0",
                "--retries",
                "0",
            ],
        ),
        LIMIT,
    );
    assert_eq!(run.code, 1, "{run:?}");
    let out = &run.stdout;
    assert!(
        out.contains("greenhouse:nope: board not found (HTTP 404"),
        "{out}"
    );
    assert!(out.contains("ashby:broken: malformed JSON"), "{out}");
    assert!(out.contains("lever:half: malformed JSON"), "{out}");
    assert!(
        out.contains("job #2 of greenhouse:mixed: not a JSON object"),
        "{out}"
    );
    assert!(
        out.contains("job #3 of greenhouse:mixed: no \"id\""),
        "{out}"
    );
    assert!(out.contains("unknown source kind \"monster\""), "{out}");
    let found = files(dir.path());
    assert_eq!(
        found.keys().filter(|p| p.starts_with("lever/half")).count(),
        100
    );
    assert_eq!(
        found
            .keys()
            .filter(|p| p.starts_with("greenhouse/mixed"))
            .count(),
        2
    );
    assert_eq!(
        found
            .keys()
            .filter(|p| p.starts_with("workable/fine"))
            .count(),
        1
    );
    assert!(out.contains("103 written"), "{out}");
    // The 404 is not retried.
    assert_eq!(server.hits("/v1/boards/nope/jobs?content=true"), 1);
}

#[test]
fn nothing_fetched_exits_2() {
    let server = Server::start();
    let dir = tempfile::tempdir().unwrap();
    let owned = bases(&server);
    let run = fetch(
        &args(
            &owned,
            &[
                "greenhouse:nope",
                "--out",
                dir.path().to_str().unwrap(),
                "--delay",
                "0",
            ],
        ),
        LIMIT,
    );
    assert_eq!(run.code, 2, "{run:?}");
    let run = fetch(&["--out", dir.path().to_str().unwrap()], LIMIT);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("nothing to fetch"), "{run:?}");
}

#[test]
fn since_keeps_only_recent_postings() {
    let server = Server::start();
    server.route(
        "/api/accounts/acme",
        vec![Reply::json(
            &json!({"jobs": [workable_job("OLD", "2023-12-31"), workable_job("NEW", "2024-01-01"),
            {"title": "Undated", "shortcode": "NODATE"}]}),
        )],
    );
    let dir = tempfile::tempdir().unwrap();
    let owned = bases(&server);
    let run = fetch(
        &args(
            &owned,
            &[
                "workable:acme",
                "--since",
                "2024-01-01",
                "--out",
                dir.path().to_str().unwrap(),
                "--delay",
                "0",
            ],
        ),
        LIMIT,
    );
    assert_eq!(run.code, 0, "{run:?}");
    let names: Vec<String> = files(dir.path())
        .keys()
        .map(|p| p.display().to_string())
        .collect();
    assert_eq!(
        names,
        ["workable/acme/NEW.json", "workable/acme/NODATE.json"]
    );
    assert!(run.stdout.contains("1 too old"), "{}", run.stdout);
    let run = fetch(
        &[
            "workable:acme",
            "--since",
            "last week",
            "--out",
            dir.path().to_str().unwrap(),
        ],
        LIMIT,
    );
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("YYYY-MM-DD"), "{run:?}");
}

#[test]
fn refresh_rewrites_what_is_present() {
    let server = Server::start();
    server.route(
        "/api/accounts/acme",
        vec![Reply::json(
            &json!({"jobs": [workable_job("A", "2024-01-01")]}),
        )],
    );
    let dir = tempfile::tempdir().unwrap();
    let owned = bases(&server);
    let out = dir.path().to_str().unwrap();
    fetch(
        &args(&owned, &["workable:acme", "--out", out, "--delay", "0"]),
        LIMIT,
    );
    let before = stable_json(&std::fs::read(dir.path().join("workable/acme/A.json")).unwrap());
    let run = fetch(
        &args(
            &owned,
            &["workable:acme", "--out", out, "--delay", "0", "--refresh"],
        ),
        LIMIT,
    );
    assert!(
        run.stdout.contains("1 written, 0 already present"),
        "{}",
        run.stdout
    );
    assert_eq!(
        stable_json(&std::fs::read(dir.path().join("workable/acme/A.json")).unwrap()),
        before
    );
}

#[test]
fn a_server_that_ignores_paging_does_not_loop() {
    let server = Server::start();
    let jobs: Vec<Value> = (0..100).map(|i| lever_job(&format!("s{i}"), 0)).collect();
    // Routed by path alone: every `skip` gets the same first page.
    server.route("/v0/postings/stuck", vec![Reply::json(&Value::from(jobs))]);
    let dir = tempfile::tempdir().unwrap();
    let owned = bases(&server);
    let run = fetch(
        &args(
            &owned,
            &[
                "lever:stuck",
                "--out",
                dir.path().to_str().unwrap(),
                "--delay",
                "0",
            ],
        ),
        LIMIT,
    );
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(files(dir.path()).len(), 100);
    assert_eq!(server.seen().len(), 2, "the repeated page ends the paging");
}

/// `credscan scan` takes fetch sources directly: from a company list to a report in one
/// command, through the cache folder.
#[test]
fn scan_fetches_sources_then_scans_them() {
    let server = Server::start();
    serve_greenhouse(&server, "acme", 3);
    let dir = tempfile::tempdir().unwrap();
    let (cache, out) = (dir.path().join("cache"), dir.path().join("out"));
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_credscan"))
        .args(["scan", "greenhouse:acme", "--api-base"])
        .arg(format!("greenhouse={}", server.url("")))
        .arg("--cache")
        .arg(&cache)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{stdout}\n{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let postings = std::fs::read_to_string(out.join("postings.csv")).unwrap();
    assert_eq!(postings.lines().count(), 4, "{postings}");
    assert!(
        postings.lines().skip(1).all(|l| l.ends_with(",aws-any")),
        "{postings}"
    );
    // A second run fetches no posting again.
    let again = std::process::Command::new(env!("CARGO_BIN_EXE_credscan"))
        .args(["scan", "greenhouse:acme", "--quiet", "--api-base"])
        .arg(format!("greenhouse={}", server.url("")))
        .arg("--cache")
        .arg(&cache)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(again.status.code(), Some(0));
    assert_eq!(
        files(&cache)
            .keys()
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .count(),
        3
    );
}
