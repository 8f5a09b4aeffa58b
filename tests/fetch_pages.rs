//! `credscan fetch` on web pages and sitemaps served on loopback: sitemap indexes and
//! `--match`, `--urls`, robots.txt (disallow, Crawl-delay, `--ignore-robots`), and the
//! per-host limit as the server counts it.

mod loopback;

use std::time::Duration;

use loopback::{fetch, files, Reply, Server};

const LIMIT: Duration = Duration::from_secs(60);

fn page(n: usize) -> Reply {
    Reply::html(&format!(
        "<html><body><h1>Job {n}</h1><p>PMP required</p></body></html>"
    ))
}

fn urlset(server: &Server, paths: &[String]) -> Reply {
    let urls: String = paths
        .iter()
        .map(|p| {
            format!(
                "<url><loc>{}</loc><lastmod>2024-02-01</lastmod></url>",
                server.url(p)
            )
        })
        .collect();
    Reply::ok(format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>"#
    ))
    .header("content-type", "application/xml")
}

#[test]
fn sitemap_index_match_and_urls_file() {
    let server = Server::start();
    server.route("/robots.txt", vec![Reply::ok("User-agent: *\nAllow: /\n")]);
    let index = format!(
        r#"<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><sitemap><loc>{}</loc></sitemap><sitemap><loc>{}</loc></sitemap></sitemapindex>"#,
        server.url("/sitemap-jobs.xml"),
        server.url("/sitemap-more.xml")
    );
    server.route("/sitemap.xml", vec![Reply::ok(index)]);
    let jobs: Vec<String> = (1..=4).map(|n| format!("/jobs/{n}")).collect();
    server.route("/sitemap-jobs.xml", vec![urlset(&server, &jobs)]);
    server.route(
        "/sitemap-more.xml",
        vec![urlset(
            &server,
            &["/about".to_string(), "/jobs/5".to_string()],
        )],
    );
    for n in 1..=7 {
        server.route(&format!("/jobs/{n}"), vec![page(n)]);
    }
    server.route("/about", vec![page(0)]);
    let dir = tempfile::tempdir().unwrap();
    let list = dir.path().join("urls.txt");
    std::fs::write(
        &list,
        format!(
            "# job pages\n{}\n\n{}\n",
            server.url("/jobs/6"),
            server.url("/jobs/1")
        ),
    )
    .unwrap();
    let out = dir.path().join("out");
    let sitemap = format!("sitemap:{}", server.url("/sitemap.xml"));
    let direct = server.url("/jobs/7");
    let run = fetch(
        &[
            &sitemap,
            &direct,
            "--urls",
            list.to_str().unwrap(),
            "--match",
            "/jobs/",
            "--out",
            out.to_str().unwrap(),
            "--delay",
            "0",
        ],
        LIMIT,
    );
    assert_eq!(run.code, 0, "{run:?}");
    let host = format!("127.0.0.1_{}", server.addr.port());
    let names: Vec<String> = files(&out)
        .keys()
        .map(|p| p.display().to_string())
        .collect();
    let want: Vec<String> = (1..=7)
        .map(|n| format!("pages/{host}/jobs_{n}.html"))
        .collect();
    assert_eq!(names, want);
    let saved = std::fs::read_to_string(out.join(format!("pages/{host}/jobs_3.html"))).unwrap();
    assert!(saved.contains("<h1>Job 3</h1>"), "saved as served");
    assert_eq!(server.hits("/about"), 0, "--match filters sitemap pages");
    assert_eq!(server.hits("/jobs/1"), 1, "listed twice, fetched once");
    assert_eq!(
        server.hits("/robots.txt"),
        1,
        "robots.txt read once per site"
    );
}

#[test]
fn robots_disallow_and_crawl_delay_are_obeyed() {
    let server = Server::start();
    server.route(
        "/robots.txt",
        vec![Reply::ok(
            "User-agent: *\nDisallow: /private/\nCrawl-delay: 1\n",
        )],
    );
    let paths = ["/jobs/1", "/jobs/2", "/jobs/3", "/private/1"].map(String::from);
    server.route("/sitemap.xml", vec![urlset(&server, &paths)]);
    for p in &paths {
        server.route(p, vec![page(1)]);
    }
    let dir = tempfile::tempdir().unwrap();
    let sitemap = format!("sitemap:{}", server.url("/sitemap.xml"));
    let run = fetch(
        &[
            &sitemap,
            "--out",
            dir.path().to_str().unwrap(),
            "--delay",
            "0",
            "--per-host",
            "4",
        ],
        LIMIT,
    );
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(server.hits("/private/1"), 0);
    assert!(
        run.stdout.contains("1 blocked by robots.txt"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("disallowed by robots.txt"),
        "{}",
        run.stdout
    );
    assert_eq!(files(dir.path()).len(), 3);
    // Crawl-delay: 1 outranks --delay 0: requests after robots.txt start >= 1 s apart.
    let seen = server.seen();
    let starts: Vec<_> = seen
        .iter()
        .filter(|s| s.target != "/robots.txt")
        .map(|s| s.at)
        .collect();
    assert_eq!(starts.len(), 4, "sitemap and 3 pages");
    for pair in starts.windows(2) {
        let gap = pair[1] - pair[0];
        assert!(gap >= Duration::from_millis(950), "requests {gap:?} apart");
    }

    // --ignore-robots: the user's call.
    let dir = tempfile::tempdir().unwrap();
    let private = server.url("/private/1");
    let run = fetch(
        &[
            &private,
            "--ignore-robots",
            "--out",
            dir.path().to_str().unwrap(),
            "--delay",
            "0",
        ],
        LIMIT,
    );
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(server.hits("/private/1"), 1);
}

#[test]
fn unreachable_robots_txt_means_nothing_is_fetched() {
    let server = Server::start();
    server.route("/robots.txt", vec![Reply::status(500)]);
    server.route("/jobs/1", vec![page(1)]);
    let dir = tempfile::tempdir().unwrap();
    let url = server.url("/jobs/1");
    let run = fetch(
        &[
            &url,
            "--out",
            dir.path().to_str().unwrap(),
            "--delay",
            "0",
            "--retries",
            "1",
        ],
        LIMIT,
    );
    assert_eq!(run.code, 2, "{run:?}");
    assert!(
        run.stdout.contains("robots.txt unreachable"),
        "{}",
        run.stdout
    );
    assert_eq!(server.hits("/jobs/1"), 0);
    assert_eq!(server.hits("/robots.txt"), 2, "tried, and retried once");
}

#[test]
fn per_host_limit_is_never_exceeded() {
    let servers = [Server::start(), Server::start()];
    let mut urls = Vec::new();
    for server in &servers {
        server.latency(Duration::from_millis(60));
        for n in 0..24 {
            server.route(&format!("/jobs/{n}"), vec![page(n)]);
            urls.push(server.url(&format!("/jobs/{n}")));
        }
    }
    for per_host in [2, 3] {
        let dir = tempfile::tempdir().unwrap();
        let per_host = per_host.to_string();
        let mut args: Vec<&str> = urls.iter().map(String::as_str).collect();
        args.extend([
            "--ignore-robots",
            "--delay",
            "0",
            "--per-host",
            &per_host,
            "--out",
            dir.path().to_str().unwrap(),
        ]);
        let run = fetch(&args, LIMIT);
        assert_eq!(run.code, 0, "{run:?}");
        assert_eq!(files(dir.path()).len(), 48);
        for server in &servers {
            // Reached (so the limit is what held it), never passed.
            assert_eq!(server.max_in_flight().to_string(), per_host);
            server.reset_log();
        }
    }
}

#[test]
fn default_delay_spaces_requests_to_one_host() {
    let server = Server::start();
    for n in 0..3 {
        server.route(&format!("/jobs/{n}"), vec![page(n)]);
    }
    let urls: Vec<String> = (0..3).map(|n| server.url(&format!("/jobs/{n}"))).collect();
    let dir = tempfile::tempdir().unwrap();
    let mut args: Vec<&str> = urls.iter().map(String::as_str).collect();
    args.extend(["--ignore-robots", "--out", dir.path().to_str().unwrap()]);
    let run = fetch(&args, LIMIT);
    assert_eq!(run.code, 0, "{run:?}");
    let seen = server.seen();
    for pair in seen.windows(2) {
        assert!(pair[1].at - pair[0].at >= Duration::from_millis(950));
    }
}
