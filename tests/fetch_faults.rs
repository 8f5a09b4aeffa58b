//! `credscan fetch` surviving faults from loopback servers: 429 with Retry-After, 503 twice
//! then 200, a connection reset, a response slower than the timeout, an oversized response,
//! a decompression bomb, and a redirect loop.

mod loopback;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use loopback::{fetch, files, log_lines, Reply, Server};

const LIMIT: Duration = Duration::from_secs(60);
const PAGE: &str = "<html><body>CISSP required</body></html>";

fn fetch_one(url: &str, extra: &[&str]) -> (loopback::Run, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let mut args = vec![
        url,
        "--ignore-robots",
        "--delay",
        "0",
        "--out",
        dir.path().to_str().unwrap(),
    ];
    args.extend(extra);
    (fetch(&args, LIMIT), dir)
}

#[test]
fn retry_after_on_429_is_honoured() {
    let server = Server::start();
    server.route(
        "/jobs/1",
        vec![
            Reply::status(429).header("retry-after", "2"),
            Reply::html(PAGE),
        ],
    );
    let (run, dir) = fetch_one(&server.url("/jobs/1"), &[]);
    assert_eq!(run.code, 0, "{run:?}");
    let seen = server.seen();
    assert_eq!(seen.len(), 2);
    let waited = seen[1].at - seen[0].at;
    assert!(
        waited >= Duration::from_millis(1950),
        "waited only {waited:?}"
    );
    let log = log_lines(dir.path());
    assert_eq!(log[0]["attempts"], 2);
    assert_eq!(log[0]["status"], 200);
    assert!(run.stdout.contains("(1 retries)"), "{}", run.stdout);
}

#[test]
fn two_503s_then_200() {
    let server = Server::start();
    server.route(
        "/jobs/1",
        vec![Reply::status(503), Reply::status(503), Reply::html(PAGE)],
    );
    let (run, dir) = fetch_one(&server.url("/jobs/1"), &[]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(server.hits("/jobs/1"), 3);
    let log = log_lines(dir.path());
    assert_eq!(
        (log[0]["attempts"].as_u64(), log[0]["outcome"].as_str()),
        (Some(3), Some("ok"))
    );
    assert_eq!(files(dir.path()).len(), 1);

    // With too few retries the same script fails, and says so.
    server.route(
        "/jobs/2",
        vec![Reply::status(503), Reply::status(503), Reply::html(PAGE)],
    );
    let (run, _dir) = fetch_one(&server.url("/jobs/2"), &["--retries", "1"]);
    assert_eq!(run.code, 2, "{run:?}");
    // The failure is reported (once seen on stderr rather than stdout, in one run of many).
    assert!(
        run.stdout.contains("HTTP 503 Service Unavailable")
            || run.stderr.contains("HTTP 503 Service Unavailable"),
        "{run:?}"
    );
}

/// A raw server: each connection is answered by `answer(n)` for the n-th connection.
fn raw_server(
    answer: impl Fn(usize, std::net::TcpStream) + Send + Sync + 'static,
) -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/jobs/1", listener.local_addr().unwrap());
    let count = Arc::new(AtomicUsize::new(0));
    let seen = count.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming().take(20) {
            let mut stream = stream.unwrap();
            let n = seen.fetch_add(1, Ordering::SeqCst);
            let mut buf = [0u8; 4096];
            let _ = stream.read(&mut buf);
            answer(n, stream);
        }
    });
    (url, count)
}

fn ok_response(mut stream: std::net::TcpStream) {
    let reply = format!(
        "HTTP/1.1 200 OK\r\ncontent-type: text/html\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{PAGE}",
        PAGE.len()
    );
    let _ = stream.write_all(reply.as_bytes());
}

#[test]
fn connection_reset_is_retried() {
    let (url, connections) = raw_server(|n, stream| {
        if n == 0 {
            // SO_LINGER 0: closing sends RST, not FIN.
            let socket = reset_on_drop(stream);
            drop(socket);
        } else {
            ok_response(stream);
        }
    });
    let (run, dir) = fetch_one(&url, &[]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(connections.load(Ordering::SeqCst), 2);
    assert_eq!(files(dir.path()).len(), 1);
    assert_eq!(log_lines(dir.path())[0]["attempts"], 2);
}

/// Sets a zero linger through tokio (the only socket API at hand), so the drop resets.
fn reset_on_drop(stream: std::net::TcpStream) -> tokio::net::TcpStream {
    let _guard = loopback::runtime().enter();
    stream.set_nonblocking(true).unwrap();
    let stream = tokio::net::TcpStream::from_std(stream).unwrap();
    stream.set_zero_linger().unwrap();
    stream
}

#[test]
fn slow_response_past_the_timeout_fails_after_retries() {
    let (url, connections) = raw_server(|_, stream| {
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_secs(5));
            drop(stream);
        });
    });
    let started = Instant::now();
    let (run, dir) = fetch_one(&url, &["--timeout", "0.5", "--retries", "1"]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stdout.contains("timed out"), "{}", run.stdout);
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(connections.load(Ordering::SeqCst), 2);
    assert_eq!(log_lines(dir.path())[0]["outcome"], "timeout");
    assert!(files(dir.path()).is_empty());
}

#[test]
fn oversized_response_and_decompression_bomb_are_stopped() {
    let server = Server::start();
    server.route("/big", vec![Reply::html(&"x".repeat(2_000_000))]);
    // 64 MB of zeros, gzipped to about 64 kB.
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    let zeros = vec![0u8; 1 << 20];
    for _ in 0..64 {
        gz.write_all(&zeros).unwrap();
    }
    let bomb = gz.finish().unwrap();
    assert!(bomb.len() < 1_000_000);
    server.route(
        "/bomb",
        vec![Reply::ok(bomb).header("content-encoding", "gzip")],
    );
    for path in ["/big", "/bomb"] {
        let (run, dir) = fetch_one(&server.url(path), &["--max-bytes", "1000000"]);
        assert_eq!(run.code, 2, "{run:?}");
        assert!(
            run.stdout.contains("larger than --max-bytes 1000000"),
            "{}",
            run.stdout
        );
        assert_eq!(server.hits(path), 1, "not retried");
        assert_eq!(log_lines(dir.path())[0]["outcome"], "too-large");
        assert!(files(dir.path()).is_empty());
    }
}

#[test]
fn redirects_are_limited() {
    let server = Server::start();
    server.route(
        "/loop",
        vec![Reply::status(302).header("location", "/loop")],
    );
    server.route(
        "/hop",
        vec![Reply::status(301).header("location", "/jobs/1")],
    );
    server.route("/jobs/1", vec![Reply::html(PAGE)]);
    let (run, _dir) = fetch_one(&server.url("/loop"), &["--max-redirects", "3"]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stdout.contains("too many redirects"), "{}", run.stdout);
    assert_eq!(server.hits("/loop"), 4);
    let (run, dir) = fetch_one(&server.url("/hop"), &[]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(files(dir.path()).len(), 1);
}
