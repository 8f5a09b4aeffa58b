//! A scripted web server on 127.0.0.1 for the fetch tests, and a way to run the real binary
//! against it.
//!
//! Each [`Server`] is one host (one port). A route answers with a script of replies, used in
//! order and the last one repeated, so "503 twice, then 200" is one line. The server records
//! every request and the most requests it ever had in flight at once, which is how the tests
//! check the per-host limit from the other side of the wire. An optional fault rate fails a
//! share of responses transiently (503, 429, 500, or a connection cut mid-body), at most twice
//! per URL so that a polite client with retries always gets through.

#![allow(dead_code)]

use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::response::Response;
use axum::Router;

/// One scripted reply.
#[derive(Clone, Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// Wait this long before answering.
    pub delay: Duration,
    /// Send part of the body, then cut the connection.
    pub cut: bool,
}

impl Reply {
    pub fn ok(body: impl Into<Vec<u8>>) -> Reply {
        Reply {
            status: 200,
            headers: vec![],
            body: body.into(),
            delay: Duration::ZERO,
            cut: false,
        }
    }
    pub fn json(value: &serde_json::Value) -> Reply {
        Reply::ok(value.to_string()).header("content-type", "application/json")
    }
    pub fn html(text: &str) -> Reply {
        Reply::ok(text).header("content-type", "text/html; charset=utf-8")
    }
    pub fn status(status: u16) -> Reply {
        Reply {
            status,
            ..Reply::ok("")
        }
    }
    pub fn header(mut self, name: &str, value: &str) -> Reply {
        self.headers.push((name.to_string(), value.to_string()));
        self
    }
    pub fn delay(mut self, delay: Duration) -> Reply {
        self.delay = delay;
        self
    }
    pub fn cut(mut self) -> Reply {
        self.cut = true;
        self
    }
}

/// A request as the server saw it.
#[derive(Clone, Debug)]
pub struct Seen {
    pub target: String,
    pub at: Instant,
    pub user_agent: String,
}

#[derive(Default)]
struct Inner {
    routes: Mutex<HashMap<String, (Vec<Reply>, usize)>>,
    seen: Mutex<Vec<Seen>>,
    in_flight: AtomicUsize,
    max_in_flight: AtomicUsize,
    /// Transient fault injection: share of responses, and failures so far per target.
    fault_rate: Mutex<f64>,
    faults: Mutex<HashMap<String, u32>>,
    faults_total: AtomicUsize,
    rng: Mutex<Option<fastrand::Rng>>,
    /// Added to every reply, so that concurrent requests overlap measurably.
    latency: Mutex<Duration>,
}

#[derive(Clone)]
pub struct Server {
    pub addr: SocketAddr,
    inner: Arc<Inner>,
}

/// The runtime every test server runs on (tests in one binary share it).
pub fn runtime() -> &'static tokio::runtime::Runtime {
    static RT: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RT.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap()
    })
}

impl Server {
    pub fn start() -> Server {
        let inner = Arc::new(Inner::default());
        *inner.rng.lock().unwrap() = Some(fastrand::Rng::with_seed(7));
        let listener = runtime()
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .unwrap();
        let addr = listener.local_addr().unwrap();
        let app = Router::new().fallback(handle).with_state(inner.clone());
        runtime().spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        Server { addr, inner }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// Answers `target` (a path, or path?query) with `replies` in order, the last repeated.
    pub fn route(&self, target: &str, replies: Vec<Reply>) {
        assert!(!replies.is_empty());
        self.inner
            .routes
            .lock()
            .unwrap()
            .insert(target.to_string(), (replies, 0));
    }

    pub fn fault_rate(&self, rate: f64) {
        *self.inner.fault_rate.lock().unwrap() = rate;
    }

    pub fn latency(&self, latency: Duration) {
        *self.inner.latency.lock().unwrap() = latency;
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.inner.seen.lock().unwrap().clone()
    }

    pub fn hits(&self, target: &str) -> usize {
        self.seen().iter().filter(|s| s.target == target).count()
    }

    pub fn max_in_flight(&self) -> usize {
        self.inner.max_in_flight.load(Ordering::SeqCst)
    }

    pub fn faults_injected(&self) -> usize {
        self.inner.faults_total.load(Ordering::SeqCst)
    }

    pub fn reset_log(&self) {
        self.inner.seen.lock().unwrap().clear();
        self.inner.max_in_flight.store(0, Ordering::SeqCst);
    }
}

struct InFlight<'a>(&'a Inner);
impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::SeqCst);
    }
}

async fn handle(State(inner): State<Arc<Inner>>, request: Request) -> Response {
    let now = inner.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
    inner.max_in_flight.fetch_max(now, Ordering::SeqCst);
    let _guard = InFlight(&inner);
    let target = request
        .uri()
        .path_and_query()
        .map(|p| p.to_string())
        .unwrap_or_default();
    let user_agent = request
        .headers()
        .get("user-agent")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    inner.seen.lock().unwrap().push(Seen {
        target: target.clone(),
        at: Instant::now(),
        user_agent,
    });
    let latency = *inner.latency.lock().unwrap();
    let reply = next_reply(&inner, &target);
    tokio::time::sleep(latency + reply.as_ref().map_or(Duration::ZERO, |r| r.delay)).await;
    let Some(reply) = reply else {
        return respond(Reply::status(404));
    };
    if let Some(fault) = inject_fault(&inner, &target) {
        return respond(fault);
    }
    respond(reply)
}

fn next_reply(inner: &Inner, target: &str) -> Option<Reply> {
    let mut routes = inner.routes.lock().unwrap();
    let path = target.split('?').next().unwrap_or(target);
    let key = if routes.contains_key(target) {
        target
    } else {
        path
    };
    let (replies, used) = routes.get_mut(key)?;
    let reply = replies[(*used).min(replies.len() - 1)].clone();
    *used += 1;
    Some(reply)
}

fn inject_fault(inner: &Inner, target: &str) -> Option<Reply> {
    let rate = *inner.fault_rate.lock().unwrap();
    if rate <= 0.0 {
        return None;
    }
    let roll = inner.rng.lock().unwrap().as_mut().unwrap().f64();
    if roll >= rate {
        return None;
    }
    let mut faults = inner.faults.lock().unwrap();
    let count = faults.entry(target.to_string()).or_default();
    if *count >= 2 {
        return None;
    }
    *count += 1;
    let n = inner.faults_total.fetch_add(1, Ordering::SeqCst);
    Some(match n % 4 {
        0 => Reply::status(503),
        1 => Reply::status(429).header("retry-after", "1"),
        2 => Reply::status(500),
        _ => Reply::ok(vec![b'x'; 64 * 1024]).cut(),
    })
}

fn respond(reply: Reply) -> Response {
    let body = if reply.cut {
        // Half the body, then an error: hyper drops the connection mid-response.
        let half = reply.body[..reply.body.len() / 2].to_vec();
        let chunks: Vec<Result<Vec<u8>, std::io::Error>> =
            vec![Ok(half), Err(std::io::Error::other("cut"))];
        Body::from_stream(futures_util::stream::iter(chunks))
    } else {
        Body::from(reply.body)
    };
    let mut response = Response::new(body);
    *response.status_mut() = StatusCode::from_u16(reply.status).unwrap();
    for (name, value) in reply.headers {
        response.headers_mut().insert(
            HeaderName::from_bytes(name.as_bytes()).unwrap(),
            HeaderValue::from_str(&value).unwrap(),
        );
    }
    response
}

/// What the binary printed and returned.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
    pub elapsed: Duration,
}

/// Runs `credscan fetch ARGS`, killing it if it takes longer than `limit`.
pub fn fetch(args: &[&str], limit: Duration) -> Run {
    let started = Instant::now();
    let mut child = spawn_fetch(args);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            let out = child.wait_with_output().unwrap();
            return Run {
                code: status.code().unwrap_or(-1),
                stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
                stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
                elapsed: started.elapsed(),
            };
        }
        if started.elapsed() > limit {
            child.kill().unwrap();
            let out = child.wait_with_output().unwrap();
            panic!(
                "credscan fetch {args:?} ran past {limit:?}\nstdout:\n{}\nstderr:\n{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

pub fn spawn_fetch(args: &[&str]) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_credscan"))
        .arg("fetch")
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Every file under `dir` but the log, by relative path, with its bytes.
pub fn files(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut found = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let entry = entry.unwrap();
            let path = entry.path();
            if entry.file_type().unwrap().is_dir() {
                stack.push(path);
            } else if path.file_name().unwrap() != "fetch-log.jsonl" {
                found.insert(
                    path.strip_prefix(dir).unwrap().to_path_buf(),
                    std::fs::read(&path).unwrap(),
                );
            }
        }
    }
    found
}

/// A posting file's JSON with the one field that differs between runs (`fetched_at`) removed.
pub fn stable_json(bytes: &[u8]) -> serde_json::Value {
    let mut value: serde_json::Value = serde_json::from_slice(bytes).unwrap();
    if let Some(x) = value.get_mut("x-credscan").and_then(|x| x.as_object_mut()) {
        x.remove("fetched_at");
    }
    value
}

/// The log lines of a run folder.
pub fn log_lines(dir: &Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(dir.join("fetch-log.jsonl"))
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}
