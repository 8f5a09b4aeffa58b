//! The output folder: where each posting, page and log line goes, and how it gets there.
//!
//! Every file is written to a temporary name in its final folder and renamed into place, so a
//! run killed at any moment leaves either the whole file or none of it. Whether a file exists
//! is also how a re-run knows what it already has: the folder is the only state fetch keeps.
//! Names come from remote ids and URLs, which fetch does not trust: [`sanitize`] makes any of
//! them one safe path component.

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use anyhow::Context;
use serde::Serialize;
use url::Url;

use super::source::BoardKind;

/// Temporary files start with this; any left by a killed run are removed on the next start.
const PARTIAL_PREFIX: &str = ".credscan-partial-";
/// Longest sanitised name kept before the hash suffix (filesystems allow 255 bytes).
const MAX_NAME: usize = 80;

pub struct Store {
    root: PathBuf,
    log: Mutex<File>,
}

/// One line of `fetch-log.jsonl`: one request, after all its attempts.
#[derive(Debug, Serialize)]
pub struct LogEntry<'a> {
    pub time: String,
    pub source: &'a str,
    /// What was asked for: `listing`, `sitemap`, `page` or `robots`.
    pub what: &'a str,
    pub url: &'a str,
    /// The last HTTP status seen, if any response arrived.
    pub status: Option<u16>,
    pub bytes: u64,
    pub ms: u64,
    pub attempts: u32,
    /// `ok`, or what went wrong: `http-status`, `timeout`, `connect`, `too-large`, ...
    pub outcome: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl Store {
    /// Opens (creating) the folder, clears partial files a killed run left, and opens the log
    /// for appending so that it keeps the history of every run.
    pub fn open(root: &Path) -> anyhow::Result<Store> {
        fs::create_dir_all(root).with_context(|| format!("cannot create {}", root.display()))?;
        remove_partials(root)?;
        let log_path = root.join("fetch-log.jsonl");
        let log = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&log_path)
            .with_context(|| format!("cannot open {}", log_path.display()))?;
        Ok(Store {
            root: root.to_path_buf(),
            log: Mutex::new(log),
        })
    }

    /// `DIR/<kind>/<board>/<id>.json`.
    pub fn posting_path(&self, kind: BoardKind, board: &str, id: &str) -> PathBuf {
        self.root
            .join(kind.name())
            .join(sanitize(board))
            .join(format!("{}.json", sanitize(id)))
    }

    /// `DIR/pages/<host[_port]>/<path, slashes as underscores>.html`.
    pub fn page_path(&self, url: &Url) -> PathBuf {
        let host = match url.port() {
            Some(port) => format!("{}_{port}", url.host_str().unwrap_or("_")),
            None => url.host_str().unwrap_or("_").to_string(),
        };
        let mut stem = url.path().trim_matches('/').replace('/', "_");
        if stem.is_empty() {
            stem = "index".to_string();
        }
        if let Some(query) = url.query() {
            stem = format!("{stem}-q{:016x}", fnv1a(query.as_bytes()));
        }
        let stem = sanitize(&stem);
        let stem = stem
            .strip_suffix(".html")
            .or_else(|| stem.strip_suffix(".htm"))
            .unwrap_or(&stem);
        self.root
            .join("pages")
            .join(sanitize(&host))
            .join(format!("{stem}.html"))
    }

    /// Writes `bytes` to `path` atomically: readers see the old file, or the whole new one.
    pub fn write_atomic(&self, path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
        debug_assert!(path.starts_with(&self.root));
        let dir = path.parent().context("output path has no folder")?;
        fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
        let mut tmp = tempfile::Builder::new()
            .prefix(PARTIAL_PREFIX)
            .tempfile_in(dir)
            .with_context(|| format!("cannot create a file in {}", dir.display()))?;
        tmp.write_all(bytes)
            .and_then(|()| tmp.as_file().sync_data())
            .with_context(|| format!("cannot write {}", path.display()))?;
        tmp.persist(path)
            .with_context(|| format!("cannot rename into {}", path.display()))?;
        Ok(())
    }

    /// Appends one line to `fetch-log.jsonl`. A log that cannot be written does not stop the
    /// fetch: the postings matter more than the record of getting them.
    pub fn log(&self, entry: &LogEntry<'_>) {
        let Ok(mut line) = serde_json::to_vec(entry) else {
            return;
        };
        line.push(b'\n');
        if let Ok(mut file) = self.log.lock() {
            let _ = file.write_all(&line);
        }
    }
}

fn remove_partials(root: &Path) -> anyhow::Result<()> {
    for entry in walkdir::WalkDir::new(root)
        .into_iter()
        .filter_map(Result::ok)
    {
        let is_partial = entry.file_type().is_file()
            && entry
                .file_name()
                .to_string_lossy()
                .starts_with(PARTIAL_PREFIX);
        if is_partial {
            fs::remove_file(entry.path())
                .with_context(|| format!("cannot remove {}", entry.path().display()))?;
        }
    }
    Ok(())
}

/// Turns any text (a remote id, a board name, a URL path) into one safe file-name component.
///
/// Keeps ASCII letters, digits, `-`, `_` and `.`; anything else becomes `_`. A name may not
/// start or end with `.` (so no `.`, `..` or hidden files), may not be empty, nor a name
/// Windows reserves (`CON`, `nul.txt`, `COM1`...), and is cut to a bounded length. Whenever
/// the text had to change, a hash of the original is appended, so that two different ids
/// (`a/b` and `a_b`) never land in the same file.
pub fn sanitize(text: &str) -> String {
    let mut name: String = text
        .chars()
        .map(|c| match c {
            'a'..='z' | 'A'..='Z' | '0'..='9' | '-' | '_' | '.' => c,
            _ => '_',
        })
        .collect();
    if name.starts_with('.') {
        name.replace_range(..1, "_");
    }
    if name.ends_with('.') {
        name.pop();
        name.push('_');
    }
    if name.is_empty() {
        name.push('_');
    }
    if is_reserved_on_windows(&name) {
        name.insert(0, '_');
    }
    name.truncate(MAX_NAME);
    if name != text {
        name = format!("{name}-{:016x}", fnv1a(text.as_bytes()));
    }
    name
}

fn is_reserved_on_windows(name: &str) -> bool {
    let stem = name.split('.').next().unwrap_or(name).to_ascii_uppercase();
    matches!(stem.as_str(), "CON" | "PRN" | "AUX" | "NUL")
        || ((stem.starts_with("COM") || stem.starts_with("LPT"))
            && stem.len() == 4
            && stem.as_bytes()[3].is_ascii_digit())
}

/// FNV-1a, 64 bits: a hash that is the same on every platform and Rust version, so that
/// file names stay stable across runs (which resuming depends on).
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each hostile name must come out as one plain component, different from the others.
    const HOSTILE: &[&str] = &[
        "../../x",
        "..",
        ".",
        "",
        "/etc/passwd",
        "C:\\Windows\\system32",
        "a\0b",
        "CON",
        "nul.json",
        "com1",
        "LPT9.txt",
        ".hidden",
        "trailing.",
        "naïve/résumé",
        "a/b",
        "a_b",
    ];

    #[test]
    fn hostile_names_become_one_safe_component() {
        let long = "x".repeat(5000);
        let mut seen = std::collections::HashSet::new();
        for text in HOSTILE.iter().copied().chain([long.as_str()]) {
            let name = sanitize(text);
            let path = Path::new(&name);
            assert_eq!(path.components().count(), 1, "{text:?} -> {name:?}");
            assert!(
                matches!(
                    path.components().next(),
                    Some(std::path::Component::Normal(_))
                ),
                "{text:?} -> {name:?}"
            );
            assert!(!name.starts_with('.') && !name.ends_with('.'), "{name:?}");
            assert!(name.len() <= MAX_NAME + 17, "{name:?}");
            assert!(!name.contains('\0'));
            assert!(!is_reserved_on_windows(&name), "{name:?}");
            assert!(seen.insert(name.clone()), "collision on {name:?}");
        }
    }

    #[test]
    fn ordinary_ids_are_kept_as_they_are() {
        for id in ["12345", "4f1b2c3d-aaaa-bbbb", "ABC123", "job_1.v2"] {
            assert_eq!(sanitize(id), id);
        }
    }

    #[test]
    fn page_paths_stay_inside_the_folder() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let cases = [
            ("https://acme.com/jobs/123", "pages/acme.com/jobs_123.html"),
            ("https://acme.com/", "pages/acme.com/index.html"),
            (
                "http://127.0.0.1:8080/a/b.html",
                "pages/127.0.0.1_8080/a_b.html",
            ),
        ];
        for (url, want) in cases {
            let path = store.page_path(&Url::parse(url).unwrap());
            assert_eq!(path, dir.path().join(want));
        }
        for url in [
            "https://acme.com/%2e%2e/%2e%2e/etc/passwd",
            "https://acme.com/../../x",
            "https://acme.com/a?b=../../c",
        ] {
            let path = store.page_path(&Url::parse(url).unwrap());
            let rel = path.strip_prefix(dir.path()).unwrap();
            assert_eq!(rel.components().count(), 3, "{url} -> {}", rel.display());
        }
    }

    #[test]
    fn partial_files_are_cleared_on_open() {
        let dir = tempfile::tempdir().unwrap();
        let sub = dir.path().join("lever/acme");
        fs::create_dir_all(&sub).unwrap();
        fs::write(sub.join(".credscan-partial-abc"), "half").unwrap();
        fs::write(sub.join("1.json"), "{}").unwrap();
        let store = Store::open(dir.path()).unwrap();
        assert!(!sub.join(".credscan-partial-abc").exists());
        assert!(sub.join("1.json").exists());
        let path = store.posting_path(BoardKind::Lever, "acme", "2");
        store.write_atomic(&path, b"{\"a\":1}").unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"{\"a\":1}");
    }
}
