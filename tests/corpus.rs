//! Runs on the real postings in `../shared/corpus` when they are present (and skips
//! cleanly otherwise): every posting there must be accounted for, as read, duplicate or
//! skipped with a reason, and the counts must agree with an independent count of the files.

mod outputs;

use outputs::read_csv;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

fn corpus() -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
    p.is_dir().then_some(p)
}

/// The sources credscan should report for a file, counted without credscan's readers.
fn expected_sources(path: &Path, display: &str) -> Vec<String> {
    let name = path.file_name().unwrap().to_string_lossy().to_lowercase();
    if name.ends_with(".csv") {
        let mut r = csv::ReaderBuilder::new()
            .flexible(true)
            .from_path(path)
            .unwrap();
        let n = r.byte_records().count();
        (1..=n).map(|i| format!("{display}#{i}")).collect()
    } else if name.ends_with(".jsonl") {
        let text = fs::read_to_string(path).unwrap();
        text.lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty())
            .map(|(i, _)| format!("{display}#{}", i + 1))
            .collect()
    } else if name.ends_with(".json") {
        let v: serde_json::Value =
            serde_json::from_str(&fs::read_to_string(path).unwrap()).unwrap();
        match v.as_array() {
            Some(items) if items.len() > 1 => (1..=items.len())
                .map(|i| format!("{display}#{i}"))
                .collect(),
            _ => vec![display.to_string()],
        }
    } else {
        vec![display.to_string()]
    }
}

/// One scan of the whole corpus, shared by the tests here.
fn scanned(corpus: &Path) -> &'static Path {
    static OUT: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    &OUT.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        let o = Command::new(env!("CARGO_BIN_EXE_credscan"))
            .arg("scan")
            .arg(corpus)
            .arg("--out")
            .arg(&out)
            .arg("--quiet")
            .output()
            .unwrap();
        assert!(
            o.status.code() == Some(0) || o.status.code() == Some(1),
            "{}",
            String::from_utf8_lossy(&o.stderr)
        );
        (dir, out)
    })
    .1
}

#[test]
fn every_corpus_posting_is_accounted_for() {
    let Some(corpus) = corpus() else {
        eprintln!("skipping: ../shared/corpus is not here");
        return;
    };
    let out = scanned(&corpus);

    let mut expected = BTreeSet::new();
    for entry in walkdir::WalkDir::new(&corpus).sort_by_file_name() {
        let entry = entry.unwrap();
        if entry.file_type().is_file() {
            let display = entry.path().display().to_string();
            expected.extend(expected_sources(entry.path(), &display));
        }
    }

    let manifest: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(out.join("manifest.json")).unwrap()).unwrap();
    let mut seen: HashMap<String, &str> = HashMap::new();
    let mut postings = csv::Reader::from_path(out.join("postings.csv")).unwrap();
    let source_col = postings
        .headers()
        .unwrap()
        .iter()
        .position(|h| h == "source")
        .unwrap();
    let read: Vec<String> = postings
        .records()
        .map(|r| r.unwrap()[source_col].to_string())
        .collect();
    for s in &read {
        assert!(
            seen.insert(s.clone(), "read").is_none(),
            "{s} written twice"
        );
    }
    for d in manifest["duplicates"].as_array().unwrap() {
        let s = d["source"].as_str().unwrap().to_string();
        assert!(
            seen.insert(s.clone(), "duplicate").is_none(),
            "{s} counted twice"
        );
    }
    for d in manifest["skipped"].as_array().unwrap() {
        let s = d["source"].as_str().unwrap().to_string();
        assert!(
            seen.insert(s.clone(), "skipped").is_none(),
            "{s} counted twice"
        );
    }
    let got: BTreeSet<String> = seen.keys().cloned().collect();
    let missing: Vec<_> = expected.difference(&got).take(10).collect();
    let extra: Vec<_> = got.difference(&expected).take(10).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "missing {missing:?}, unexpected {extra:?}"
    );

    let c = &manifest["counts"];
    let n = |k: &str| c[k].as_u64().unwrap();
    assert_eq!(n("records"), expected.len() as u64);
    assert_eq!(
        n("read") + n("duplicates") + n("skipped") + n("ignored"),
        n("records")
    );
    assert_eq!(n("read"), read.len() as u64);
    // The corpus is ~24,600 records: about 2,100 exact duplicates and 860 EMSCAD records
    // marked fraudulent aside, every one must be read.
    assert!(n("read") > 21_000, "only {} read", n("read"));
    assert_eq!(
        n("skipped"),
        manifest["skipped_by_reason"]["excluded"]
            .as_u64()
            .unwrap_or(0),
        "{:#}",
        manifest["skipped_by_reason"]
    );
    eprintln!("corpus: {c}");
}

#[derive(serde::Deserialize)]
struct Labels {
    posting: Vec<Labelled>,
}

#[derive(serde::Deserialize)]
struct Labelled {
    source: String,
    credentials: BTreeMap<String, String>,
}

const LEVELS: [&str; 3] = ["mentioned", "preferred", "required"];

/// Scores the tool against the hand labels in `tests/labels/` (a first set and four held-out
/// sets): precision and recall of credentials per posting, and the accuracy of the level of each credential
/// found. Prints every disagreement so the dictionary can be fixed.
#[test]
fn agrees_with_hand_labels() {
    let Some(corpus) = corpus() else {
        eprintln!("skipping: ../shared/corpus is not here");
        return;
    };
    let out = scanned(&corpus);
    let prefix = format!("{}/", corpus.display());
    let rel = |s: &str| s.strip_prefix(&prefix).unwrap_or(s).to_string();

    // The tool's strongest level per (source, credential).
    let mut found: HashMap<String, BTreeMap<String, String>> = HashMap::new();
    for p in read_csv(&out.join("postings.csv")) {
        found.entry(rel(&p["source"])).or_default();
    }
    for m in read_csv(&out.join("mentions.csv")) {
        let e = found
            .entry(rel(&m["source"]))
            .or_default()
            .entry(m["credential_id"].clone())
            .or_insert(m["level"].clone());
        if LEVELS.iter().position(|l| *l == m["level"]) > LEVELS.iter().position(|l| l == e) {
            *e = m["level"].clone();
        }
    }
    let manifest: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(out.join("manifest.json")).unwrap()).unwrap();
    let duplicate_of: HashMap<String, String> = manifest["duplicates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                rel(d["source"].as_str().unwrap()),
                rel(d["duplicate_of"].as_str().unwrap()),
            )
        })
        .collect();

    // Records the tool leaves out by design (EMSCAD's fraudulent ads) are not scored.
    let excluded: BTreeSet<String> = manifest["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["reason"] == "excluded")
        .map(|s| rel(s["source"].as_str().unwrap()))
        .collect();
    // The first set, used to tune the dictionary, and four held-out sets labelled later.
    let mut all = Score::default();
    let mut scored = 0;
    for file in [
        "corpus-labels.toml",
        "corpus-labels-heldout.toml",
        "corpus-labels-heldout-2.toml",
        "corpus-labels-heldout-3.toml",
        "corpus-labels-heldout-4.toml",
    ] {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/labels")
            .join(file);
        let labels: Labels = toml::from_str(&fs::read_to_string(&path).unwrap()).unwrap();
        let labels: Vec<&Labelled> = labels
            .posting
            .iter()
            .filter(|l| !excluded.contains(&l.source))
            .collect();
        let score = score(&labels, &found, &duplicate_of);
        eprintln!("{file}: {} postings; {}", labels.len(), score.summary());
        scored += labels.len();
        all.add(score);
    }
    for e in &all.errors {
        eprintln!("{e}");
    }
    eprintln!("all labelled postings ({scored}): {}", all.summary());
    assert!(scored >= 150);
    let (precision, recall, level_accuracy) = all.figures();
    assert!(
        precision >= MIN_PRECISION,
        "precision {precision:.3} < {MIN_PRECISION}"
    );
    assert!(recall >= MIN_RECALL, "recall {recall:.3} < {MIN_RECALL}");
    assert!(
        level_accuracy >= MIN_LEVEL_ACCURACY,
        "level accuracy {level_accuracy:.3} < {MIN_LEVEL_ACCURACY}"
    );
}

/// Agreement with hand labels, counted per (posting, credential).
#[derive(Default)]
struct Score {
    tp: usize,
    fp: usize,
    fn_: usize,
    level_ok: usize,
    errors: Vec<String>,
}

impl Score {
    fn add(&mut self, other: Score) {
        self.tp += other.tp;
        self.fp += other.fp;
        self.fn_ += other.fn_;
        self.level_ok += other.level_ok;
        self.errors.extend(other.errors);
    }

    /// Precision, recall and level accuracy (among credentials found).
    fn figures(&self) -> (f64, f64, f64) {
        let ratio = |a: usize, b: usize| a as f64 / b.max(1) as f64;
        (
            ratio(self.tp, self.tp + self.fp),
            ratio(self.tp, self.tp + self.fn_),
            ratio(self.level_ok, self.tp),
        )
    }

    fn summary(&self) -> String {
        let (p, r, l) = self.figures();
        format!(
            "tp {}, fp {}, fn {}; precision {p:.3}, recall {r:.3}, level accuracy {l:.3}",
            self.tp, self.fp, self.fn_
        )
    }
}

/// Scores the tool's findings (strongest level per source and credential) against labels.
fn score(
    labels: &[&Labelled],
    found: &HashMap<String, BTreeMap<String, String>>,
    duplicate_of: &HashMap<String, String>,
) -> Score {
    let (mut tp, mut fp, mut fn_, mut level_ok) = (0usize, 0usize, 0usize, 0usize);
    let mut errors = Vec::new();
    for l in labels {
        let key = duplicate_of.get(&l.source).unwrap_or(&l.source);
        let got = found
            .get(key)
            .unwrap_or_else(|| panic!("{} was not read", l.source));
        for (id, level) in &l.credentials {
            match got.get(id) {
                Some(g) => {
                    tp += 1;
                    if g == level {
                        level_ok += 1;
                    } else {
                        errors.push(format!(
                            "level {}: {id} labelled {level}, found {g}",
                            l.source
                        ));
                    }
                }
                None => {
                    fn_ += 1;
                    errors.push(format!("missed {}: {id} ({level})", l.source));
                }
            }
        }
        for id in got.keys().filter(|id| !l.credentials.contains_key(*id)) {
            fp += 1;
            errors.push(format!("false positive {}: {id}", l.source));
        }
    }
    errors.sort();
    Score {
        tp,
        fp,
        fn_,
        level_ok,
        errors,
    }
}

/// The floor the labelled sets together must not fall below: the issue "Dictionary breadth
/// and matching precision" asks for precision 0.97 and recall 0.93, and the sets, with their
/// disagreements adjudicated (tests/labels/ADJUDICATION.md), give 0.986 / 0.949 / 0.879
/// over 549 postings (BENCHMARKS.md). Level accuracy has no target; its floor sits a
/// little under the measured figure, so a regression fails.
const MIN_PRECISION: f64 = 0.97;
const MIN_RECALL: f64 = 0.93;
const MIN_LEVEL_ACCURACY: f64 = 0.86;
